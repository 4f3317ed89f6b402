"""Lessons from reviews, the pages: "Briefings for you" (every signed-in user: read and acknowledge the
briefings addressed to you), and the register for analysts and administrators (reviews, their lessons and
actions, briefings issued to roles and teams, coverage per team with a CSV download).

Thin views: parse the form, call one selector or service, render. Every view names its permission
(`insight/rules.py`). A service's ValidationError re-renders the page with the GOV.UK error summary and
everything typed (status 400).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vigil.accounts.access import requires
from vigil.formtools import apply_errors, form_error_list
from vigil.incidents.models import Area

from . import lessons_selectors as selectors
from . import lessons_services as services
from .lessons_forms import BriefingForm, LessonForm, LessonUpdateForm, ReviewForm, WithdrawForm

READ = "insight.read_briefings"
MANAGE = "insight.manage_lessons"


def _onward(request, value: str | None) -> str:
    """Where "Continue" goes from the briefings page: the page the user was going to, if on this site."""
    candidate = (value or "").strip()
    if candidate and not candidate.startswith(reverse("insight:briefings-for-you")) and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return reverse("accounts:home")


def _status(form) -> int:
    return 400 if form.errors else 200


# --- briefings for you -----------------------------------------------------------------------------------

@never_cache
@requires(READ)
@require_GET
def briefings_for_you(request):
    found = selectors.briefings_for(user=request.user)
    onward = _onward(request, request.GET.get("next"))
    return render(request, "insight/briefings_for_you.html", {
        "unread": found.unread, "read": found.read, "onward": onward,
        "onward_is_home": onward == reverse("accounts:home")})


@requires(READ)
@require_POST
def briefing_acknowledge(request, public_id):
    briefing = selectors.briefing_for_reader(user=request.user, public_id=public_id)
    _, new = services.briefing_acknowledge(briefing=briefing, user=request.user, request=request)
    if new:
        messages.success(request, f"You have read the briefing “{briefing.title}”")
    onward = _onward(request, request.POST.get("next"))
    target = reverse("insight:briefings-for-you")
    if onward != reverse("accounts:home"):
        target = f"{target}?{urlencode({'next': onward})}"
    return redirect(target)


# --- the register ----------------------------------------------------------------------------------------

@requires(MANAGE)
@require_GET
def review_list(request):
    return render(request, "insight/lessons_reviews.html", {"reviews": selectors.reviews_list(viewer=request.user)})


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def review_new(request):
    form = ReviewForm(request.POST if request.method == "POST" else None, areas=Area.objects.order_by("name"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.review_register(kind=data["kind"], reference=data["reference"], title=data["title"],
                                              published_on=data["published_on"], area=data["area"],
                                              summary=data["summary"], by=request.user, request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{review.reference} added to the register. Now record its lessons.")
            return redirect("insight:review", public_id=review.public_id)
    return render(request, "insight/lessons_review_new.html", {
        "form": form, "error_list": form_error_list(form) if form.errors else []}, status=_status(form))


@requires(MANAGE)
@require_GET
def review_detail(request, public_id):
    review = selectors.review_detail(viewer=request.user, public_id=public_id)
    return render(request, "insight/lessons_review.html", {"review": review})


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def lesson_new(request, public_id):
    review = selectors.review_detail(viewer=request.user, public_id=public_id)
    form = LessonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lesson = services.lesson_record(review=review, text=data["text"], action=data["action"],
                                            owner=data["owner"], due_on=data["due_on"], by=request.user,
                                            request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Lesson recorded. Issue a briefing to the roles and teams it concerns.")
            return redirect("insight:lesson", public_id=lesson.public_id)
    return render(request, "insight/lessons_lesson_new.html", {
        "form": form, "review": review, "error_list": form_error_list(form) if form.errors else []},
        status=_status(form))


def _lesson_page(request, lesson, *, form=None):
    form = form or LessonUpdateForm(initial={"status": lesson.status})
    return render(request, "insight/lessons_lesson.html", {
        "lesson": lesson, "form": form, "error_list": form_error_list(form) if form.errors else []},
        status=_status(form))


@requires(MANAGE)
@require_GET
def lesson_detail(request, public_id):
    return _lesson_page(request, selectors.lesson_detail(viewer=request.user, public_id=public_id))


@requires(MANAGE)
@require_POST
def lesson_update(request, public_id):
    lesson = selectors.lesson_detail(viewer=request.user, public_id=public_id)
    form = LessonUpdateForm(request.POST)
    if form.is_valid():
        try:
            services.lesson_update(lesson=lesson, status=form.cleaned_data["status"], note=form.cleaned_data["note"],
                                   by=request.user, request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Progress recorded")
            return redirect("insight:lesson", public_id=lesson.public_id)
    return _lesson_page(request, lesson, form=form)


# --- briefings: issue, coverage, withdraw ------------------------------------------------------------------

@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def briefing_new(request, public_id):
    lesson = selectors.lesson_detail(viewer=request.user, public_id=public_id)
    form = BriefingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            briefing = services.briefing_issue(lesson=lesson, title=data["title"], text=data["text"],
                                               roles=data["roles"], teams=data["teams"], by=request.user,
                                               request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Briefing issued. Staff it is addressed to will see it when they next sign in.")
            return redirect("insight:briefing", public_id=briefing.public_id)
    return render(request, "insight/briefing_new.html", {
        "form": form, "lesson": lesson, "error_list": form_error_list(form) if form.errors else []},
        status=_status(form))


def _briefing_page(request, briefing, *, form=None):
    form = form or WithdrawForm()
    return render(request, "insight/briefing_coverage.html", {
        "briefing": briefing, "coverage": selectors.briefing_coverage(briefing), "form": form,
        "role_names": [r.get_role_display() for r in briefing.audience_roles.all()],
        "error_list": form_error_list(form) if form.errors else []}, status=_status(form))


@requires(MANAGE)
@require_GET
def briefing_detail(request, public_id):
    return _briefing_page(request, selectors.briefing_detail(viewer=request.user, public_id=public_id))


@requires(MANAGE)
@require_POST
def briefing_withdraw(request, public_id):
    briefing = selectors.briefing_detail(viewer=request.user, public_id=public_id)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.briefing_withdraw(briefing=briefing, reason=form.cleaned_data["reason"], by=request.user,
                                       request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Briefing withdrawn. Staff are no longer asked to read it.")
            return redirect("insight:briefing", public_id=briefing.public_id)
    return _briefing_page(request, briefing, form=form)


@requires(MANAGE)
@require_GET
def coverage(request):
    return render(request, "insight/briefing_coverage_all.html", {
        "report": selectors.coverage_report(viewer=request.user)})


@never_cache
@requires(MANAGE)
@require_GET
def coverage_csv(request):
    filename, text = services.coverage_export(viewer=request.user, request=request)
    # With a byte-order mark, so that a spreadsheet opens the file as UTF-8.
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
