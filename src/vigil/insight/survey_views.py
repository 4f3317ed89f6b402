"""Victim surveys, the pages: the surveys to make (and the viewer's call-backs), the call (the safe number
and "Is it safe to talk?" first, then the questions per stage), how it ended, and the results.

Thin views: parse the form, call one selector or service, render. Every view names its permission
(`insight/rules.py`). A service's ValidationError re-renders the page with the GOV.UK error summary and
everything typed (status 400).
"""

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from vigil.accounts.access import requires
from vigil.formtools import apply_errors, form_error_list
from vigil.incidents.models import Area
from vigil.workdays import LONDON

from . import survey_selectors as selectors
from . import survey_services as services
from . import surveys as rules
from .survey_forms import ResultsForm, SurveyAnswersForm, SurveyStartForm

RUN = "insight.run_surveys"
RESULTS = "insight.view_survey_results"


@never_cache
@requires(RUN)
@require_GET
def survey_list(request):
    return render(request, "insight/survey_list.html", {
        "due": selectors.cases_due(viewer=request.user, request=request),
        "call_backs": selectors.call_backs_for(viewer=request.user),
        "recent": selectors.recent_surveys(viewer=request.user),
    })


@never_cache
@requires(RUN)
@require_http_methods(["GET", "POST"])
def survey_start(request, public_id):
    case = selectors.case_for_survey(viewer=request.user, public_id=public_id, request=request)
    form = SurveyStartForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_start(case=case, by=request.user, safe_number_used=form.used,
                                           confirmed_safe=form.cleaned_data["confirmed_safe"],
                                           first_step=form.cleaned_data["first_step"], request=request)
        except ValidationError as error:
            apply_errors(form, error, {"case": "first_step"})
        else:
            return redirect("insight:survey", public_id=survey.public_id)
    return render(request, "insight/survey_start.html", {
        "case": case, "form": form, "safe_number": selectors.number_for(case),
        "barred": None if form.errors else selectors.barred_for(case=case, viewer=request.user),
        "error_list": form_error_list(form) if form.errors else []}, status=400 if form.errors else 200)


@never_cache
@requires(RUN)
@require_http_methods(["GET", "POST"])
def survey_call(request, public_id):
    survey = selectors.survey_for_caller(viewer=request.user, public_id=public_id, request=request)
    if survey.is_finished:
        if request.method == "POST":
            return redirect("insight:survey", public_id=survey.public_id)  # a second press: the first stands
        return render(request, "insight/survey_outcome.html", {"survey": survey, "case": survey.case,
                                                               "task": survey.task})
    q = rules.questionnaire(survey.questionnaire)
    form = SurveyAnswersForm(request.POST if request.method == "POST" else None, questionnaire=q)
    if request.method == "POST":
        outcome = request.POST.get("outcome", "")
        completed = outcome == rules.COMPLETED
        if form.is_valid() or not completed:
            try:
                services.survey_record(survey=survey, by=request.user, outcome=outcome,
                                       answers=form.answers() if completed else None, request=request)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                if outcome == rules.COMPLETED:
                    messages.success(request, "Survey recorded. Thank you")
                return redirect("insight:survey", public_id=survey.public_id)
    return render(request, "insight/survey_call.html", {
        "survey": survey, "case": survey.case, "form": form, "safe_number": selectors.number_for(survey.case),
        "error_list": form_error_list(form) if form.errors else []}, status=400 if form.errors else 200)


def _default_period(today: date) -> tuple[date, date]:
    try:
        start = today.replace(year=today.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 1, day=28) + timedelta(days=1)
    return start, today


def _london(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


@never_cache
@requires(RESULTS)
@require_GET
def survey_results(request):
    areas = list(Area.objects.order_by("name"))
    start, end = _default_period(timezone.now().astimezone(LONDON).date())
    form = ResultsForm(request.GET or None, areas=areas, initial={"start": start.isoformat(), "end": end.isoformat()})
    area = None
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"] or start, form.cleaned_data["end"] or end
        area = form.cleaned_data["area"]
    analysis = None
    if not form.errors:
        analysis = selectors.survey_analysis(viewer=request.user, start=_london(start),
                                             end=_london(end + timedelta(days=1)), area=area, request=request)
    return render(request, "insight/survey_results.html", {
        "form": form, "analysis": analysis, "start": start, "end": end, "area": area,
        "error_list": form_error_list(form) if form.errors else []}, status=400 if form.errors else 200)
