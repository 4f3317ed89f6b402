"""Custody, court and bail pages: record an arrest, what the police decided, the court's decision on a
remand, and a prisoner's release date. Thin: parse the form, call one service in custody_services, then
back to the case page; a service's ValidationError re-renders the form with everything entered and the
GOV.UK error summary (status 400), and nothing is saved."""

from datetime import datetime, time

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from vigil.accounts.access import requires
from vigil.formtools import apply_errors, form_error_list
from vigil.workdays import LONDON

from . import custody_services, selectors
from .models import CustodyRecord, SafeguardingCase

TIME_HINT = "24-hour clock, UK time, for example 14:30"


# --- shared by the custody and contact pages -------------------------------------------------------------

class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), help_text=help_text,
                           error_messages={"required": f"Enter the {label.lower()}",
                                           "invalid": f"Enter the {label.lower()} as a real date"})


def time_field(label: str, *, required: bool = True) -> forms.TimeField:
    return forms.TimeField(label=label, required=required, widget=TimeInput(), help_text=TIME_HINT,
                           input_formats=["%H:%M", "%H:%M:%S", "%H.%M"],
                           error_messages={"required": f"Enter the {label.lower()}",
                                           "invalid": f"Enter the {label.lower()} like 14:30"})


def london(day, at: time | None) -> datetime | None:
    """A London date and time as an aware datetime (None when either is missing)."""
    if day is None or at is None:
        return None
    return datetime.combine(day, at, tzinfo=LONDON)


def now_initial(date_name: str, time_name: str) -> dict:
    local = timezone.now().astimezone(LONDON)
    return {date_name: local.date().isoformat(), time_name: local.strftime("%H:%M")}  # as the inputs write them


def form_page(request, *, case, form, title: str, button: str, template: str = "cases/custody_form.html",
              status: int = 200, **extra):
    return render(request, template, {
        "case": case, "form": form, "title": title, "button": button, "error_list": form_error_list(form),
        "reference": selectors.case_reference(case), "victim_restricted": selectors.victim_locked(request, case),
        **extra}, status=status)


def back_to_case(case: SafeguardingCase, anchor: str):
    return redirect(reverse("cases:case", kwargs={"public_id": case.public_id}) + f"#{anchor}")


def case_read(request, public_id) -> SafeguardingCase:
    return selectors.case_for_viewer(viewer=request.user, public_id=public_id, request=request)


def _custody(request, public_id) -> CustodyRecord:
    record = get_object_or_404(CustodyRecord.objects.select_related("case", "suspect"), public_id=public_id)
    record.case = case_read(request, record.case.public_id)
    return record


def conditions_text(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


# --- forms -----------------------------------------------------------------------------------------------

class ArrestForm(forms.Form):
    arrested_on = date_field("Date of arrest")
    arrested_time = time_field("Time of arrest")


CONDITIONS_HINT = "One condition on each line, as the suspect was told them, for example: Not to enter Example Road."


class DisposalForm(forms.Form):
    disposal = forms.ChoiceField(label="What happened after the arrest?", choices=CustodyRecord.Disposal.choices,
                                 widget=forms.RadioSelect, error_messages={"required": "Choose what happened after the arrest"})
    disposed_on = date_field("Date of the decision")
    disposed_time = time_field("Time of the decision")
    bail_conditions = forms.CharField(label="Bail conditions (for bail only)", required=False, widget=forms.Textarea,
                                      help_text=CONDITIONS_HINT)
    bail_return_on = date_field("Date to answer bail (for bail only)", required=False)
    court_name = forms.CharField(label="Court hearing the remand application (for a remand only)", required=False,
                                 max_length=120)
    hearing_on = date_field("Date of the hearing (for a remand only)", required=False)
    hearing_time = time_field("Time of the hearing (for a remand only)", required=False)


class CourtOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="What did the court decide?", choices=CustodyRecord.CourtOutcome.choices,
                                widget=forms.RadioSelect, error_messages={"required": "Choose what the court decided"})
    decided_on = date_field("Date of the decision")
    decided_time = time_field("Time of the decision")
    bail_conditions = forms.CharField(label="Bail conditions (for bail only)", required=False, widget=forms.Textarea,
                                      help_text=CONDITIONS_HINT)
    bail_return_on = date_field("Next court date (for bail only)", required=False)


class ReleaseDateForm(forms.Form):
    release_on = date_field("Release date", help_text=(
        f"A risk review is due {custody_services.RELEASE_REVIEW_WORKING_DAYS} working days before the release and "
        f"the victim must be told {custody_services.RELEASE_NOTIFY_WORKING_DAYS} working days before it."))


# --- views -----------------------------------------------------------------------------------------------

@requires("cases.work_on_case")
@require_http_methods(["GET", "POST"])
def arrest_record(request, public_id):
    case = case_read(request, public_id)
    suspect = custody_services.incident_suspect(case)
    form = ArrestForm(request.POST or None, initial=now_initial("arrested_on", "arrested_time"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            custody_services.custody_arrest_record(case=case, by=request.user, request=request,
                                                   arrested_at=london(data["arrested_on"], data["arrested_time"]))
        except ValidationError as error:
            apply_errors(form, error, {"arrested_at": "arrested_on"})
        else:
            messages.success(request, "Arrest recorded: tell the victim within 1 working day")
            return back_to_case(case, "custody")
    return form_page(request, case=case, form=form, title="Record an arrest", button="Record the arrest",
                     suspect=suspect, status=400 if form.errors else 200)


@requires("cases.work_on_case")
@require_http_methods(["GET", "POST"])
def disposal_record(request, public_id):
    record = _custody(request, public_id)
    form = DisposalForm(request.POST or None, initial=now_initial("disposed_on", "disposed_time"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            custody_services.custody_disposal_record(
                custody=record, by=request.user, request=request, disposal=data["disposal"],
                disposed_at=london(data["disposed_on"], data["disposed_time"]),
                bail_conditions=conditions_text(data["bail_conditions"]), bail_return_on=data["bail_return_on"],
                court_name=data["court_name"], hearing_at=london(data["hearing_on"], data["hearing_time"]))
        except ValidationError as error:
            apply_errors(form, error, {"disposed_at": "disposed_on", "hearing_at": "hearing_on"})
        else:
            messages.success(request, "Decision recorded: tell the victim within 1 working day")
            return back_to_case(record.case, "custody")
    return form_page(request, case=record.case, form=form, title="Record what happened after the arrest",
                     button="Record the decision", record=record, status=400 if form.errors else 200)


@requires("cases.work_on_case")
@require_http_methods(["GET", "POST"])
def court_outcome_record(request, public_id):
    record = _custody(request, public_id)
    form = CourtOutcomeForm(request.POST or None, initial=now_initial("decided_on", "decided_time"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            custody_services.custody_court_outcome_record(
                custody=record, by=request.user, request=request, outcome=data["outcome"],
                decided_at=london(data["decided_on"], data["decided_time"]),
                bail_conditions=conditions_text(data["bail_conditions"]), bail_return_on=data["bail_return_on"])
        except ValidationError as error:
            apply_errors(form, error, {"decided_at": "decided_on"})
        else:
            if data["outcome"] == CustodyRecord.CourtOutcome.BAILED:
                messages.success(request, "Court bail recorded: tell the victim today")
            else:
                messages.success(request, "Remand in custody recorded: tell the victim within 1 working day")
            return back_to_case(record.case, "custody")
    return form_page(request, case=record.case, form=form, title="Record the court's decision",
                     button="Record the court's decision", record=record, status=400 if form.errors else 200)


@requires("cases.work_on_case")
@require_http_methods(["GET", "POST"])
def release_date_set(request, public_id):
    record = _custody(request, public_id)
    form = ReleaseDateForm(request.POST or None, initial={"release_on": record.release_on.isoformat() if record.release_on else ""})
    if request.method == "POST" and form.is_valid():
        try:
            custody_services.custody_release_date_set(custody=record, by=request.user, request=request,
                                                      release_on=form.cleaned_data["release_on"])
        except ValidationError as error:
            apply_errors(form, error, {})
        else:
            messages.success(request, "Release date saved: the risk review and the victim's notification are "
                                      "in the case's tasks")
            return back_to_case(record.case, "custody")
    return form_page(request, case=record.case, form=form, title="Set the prisoner's release date",
                     button="Save the release date", record=record, status=400 if form.errors else 200)
