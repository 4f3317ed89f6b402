"""Supervision and specialist review pages: the two queues, the review of one assessment (the whole
assessment, then a deliberate decision with a rationale) and the per-supervisor report."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from vigil.accounts.access import requires
from vigil.evaluation.advisory import advisory_for
from vigil.formtools import apply_errors
from vigil.people.services import restricted_access_granted

from . import review
from .models import GradingDecision, RiskAssessment, RiskLevel

Stage = GradingDecision.Stage
GRADE_LABELS = dict(RiskLevel.choices)


class DecisionForm(forms.Form):
    """Parses the decision; the service checks it (so every problem is shown at once). Nothing is
    preselected: choosing the officer's grade again is a deliberate agreement."""

    grade = forms.ChoiceField(label="Your grading", required=False, widget=forms.RadioSelect,
                              choices=RiskLevel.choices)
    rationale = forms.CharField(label="Your rationale", required=False, widget=forms.Textarea, max_length=5000)

    def __init__(self, *args, current_grade: str = "", stage: str = Stage.SUPERVISOR, **kwargs):
        super().__init__(*args, **kwargs)
        who = "the officer's" if stage == Stage.SUPERVISOR else "the current"
        self.fields["grade"].choices = [
            (value, f"{label} risk" + (f" – {who} grading" if value == current_grade else ""))
            for value, label in RiskLevel.choices]
        current = GRADE_LABELS.get(current_grade, "not graded").lower()
        self.fields["grade"].help_text = (
            f"The grading now is {current}. Choose {current} to agree with it, or another grade to amend it.")
        self.fields["rationale"].help_text = (
            "Why you agree or why the grading should change, in at least a sentence: what in the answers, "
            "the history or the victim's words decided it.")


class SpecialistForm(DecisionForm):
    victim_contacted = forms.TypedChoiceField(
        label="Was the victim contacted?", required=False, widget=forms.RadioSelect,
        choices=[("yes", "Yes, I spoke to the victim"), ("no", "No, the victim was not contacted")],
        coerce=lambda value: value == "yes", empty_value=None,
        help_text="Lowering the grading without speaking to the victim is flagged to the unit's manager.")

    field_order = ["victim_contacted", "grade", "rationale"]


class PeriodForm(forms.Form):
    period_from = forms.DateField(label="From", help_text="For example, 1/3/2025", input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                                  error_messages={"required": "Enter the first day of the period",
                                                  "invalid": "Enter the first day as a date, like 1/3/2025"})
    period_to = forms.DateField(label="To", help_text="For example, 31/3/2025", input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                                error_messages={"required": "Enter the last day of the period",
                                                "invalid": "Enter the last day as a date, like 31/3/2025"})

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_from"), cleaned.get("period_to")
        if start and end and end < start:
            self.add_error("period_to", "The last day must be the same as or after the first day")
        if start and end and (end - start).days > 366:
            self.add_error("period_to", "Choose a period of a year or less")
        return cleaned


def _error_list(form) -> list[tuple[str, str]]:
    """(anchor, message) for the GOV.UK error summary; a radio group's anchor is its first radio."""
    names = list(form.fields)
    first = form[names[0]].auto_id
    listed = [(first, message) for message in form.non_field_errors()]
    listed += [(form[name].auto_id, message) for name in names for message in form.errors.get(name, [])]
    return listed


# --- Queues --------------------------------------------------------------------------------------------

@requires("risk.supervise")
@require_GET
def supervision_queue(request):
    now = timezone.now()
    queue = review.supervision_queue(viewer=request.user, now=now)
    review.queue_viewed(viewer=request.user, queue=queue, request=request)
    return render(request, "risk/supervision_queue.html", {
        "queue": queue, "flagged": review.downgrades_flagged(viewer=request.user, now=now),
        "deadline_hours": int(review.SUPERVISION_DEADLINE.total_seconds() // 3600),
        "can_see_report": request.user.has_perm("risk.view_supervision_report"),
    })


@requires("risk.review_as_specialist")
@require_GET
def specialist_queue(request):
    now = timezone.now()
    queue = review.specialist_queue(viewer=request.user, now=now)
    review.queue_viewed(viewer=request.user, queue=queue, request=request)
    return render(request, "risk/specialist_queue.html", {
        "queue": queue, "flagged": review.downgrades_flagged(viewer=request.user, now=now)})


# --- Reviewing one assessment --------------------------------------------------------------------------

def _assessment(public_id) -> RiskAssessment:
    return get_object_or_404(
        RiskAssessment.objects.select_related("incident", "victim", "victim__person", "officer",
                                              "instrument_version"),
        public_id=public_id, status=RiskAssessment.Status.SUBMITTED)


def _restricted(request, assessment) -> bool:
    person = assessment.victim.person
    return bool(person is not None and person.restricted
                and not restricted_access_granted(person=person, session=request.session))


def _blocked(assessment, user, stage) -> str:
    """Why this user cannot decide this stage now, or ""."""
    if assessment.officer_id is not None and assessment.officer_id == user.pk:
        return "You made this assessment, so you cannot review it. Another reviewer must."
    if stage == Stage.SPECIALIST:
        if not assessment.specialist_reasons:
            return "This assessment is not routed to the specialist unit."
        if review.decision_of(assessment, Stage.SUPERVISOR) is None:
            return "A supervisor must review this assessment before the specialist unit can."
    return ""


def _review_page(request, assessment, *, stage: str, form_class, template: str, queue_url: str):
    if _restricted(request, assessment):
        return render(request, template, {"assessment": assessment, "restricted": True, "queue_url": queue_url})
    decided = review.decision_of(assessment, stage)
    blocked = _blocked(assessment, request.user, stage)
    can_decide = decided is None and not blocked
    form = form_class(request.POST if request.method == "POST" else None, current_grade=assessment.grade,
                      stage=stage)
    if request.method == "POST" and can_decide and form.is_valid():
        previous = assessment.grade
        data = form.cleaned_data
        kwargs = {"victim_contacted": data.get("victim_contacted")} if stage == Stage.SPECIALIST else {}
        decide = review.supervision_decide if stage == Stage.SUPERVISOR else review.specialist_decide
        try:
            decision = decide(assessment=assessment, by=request.user, grade=data["grade"],
                              rationale=data["rationale"], request=request, **kwargs)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            ref = assessment.incident.reference
            if decision.is_amendment:
                text = (f"Grading for {ref} amended from {GRADE_LABELS[previous].lower()} to "
                        f"{GRADE_LABELS[decision.grade].lower()}")
            else:
                text = f"Grading for {ref} agreed: {GRADE_LABELS[decision.grade].lower()} risk"
            if decision.flagged_to_manager:
                text += ". The downgrade without contact with the victim has been flagged to the unit's manager"
            messages.success(request, text)
            return redirect(queue_url)
    # Every showing of the whole assessment is an opening (audited); time spent runs from the first.
    review.review_open(assessment=assessment, by=request.user, stage=stage, request=request)
    assessment.refresh_from_db()
    return render(request, template, {
        "assessment": assessment, "summary": review.assessment_summary(assessment), "form": form,
        "error_list": _error_list(form) if form.errors else [], "decided": decided, "blocked": blocked,
        "can_decide": can_decide, "queue_url": queue_url,
        "rationale_min": review.RATIONALE_MIN_LENGTH, "advisory": advisory_for(assessment),
    })


@requires("risk.supervise")
@require_http_methods(["GET", "POST"])
def supervise(request, public_id):
    return _review_page(request, _assessment(public_id), stage=Stage.SUPERVISOR, form_class=DecisionForm,
                        template="risk/supervise.html", queue_url=reverse("risk:supervision"))


@requires("risk.review_as_specialist")
@require_http_methods(["GET", "POST"])
def specialist_review(request, public_id):
    return _review_page(request, _assessment(public_id), stage=Stage.SPECIALIST, form_class=SpecialistForm,
                        template="risk/specialist_review.html", queue_url=reverse("risk:specialist"))


# --- Report --------------------------------------------------------------------------------------------

@requires("risk.view_supervision_report")
@require_GET
def supervision_report(request):
    today = timezone.localdate()
    if "period_from" in request.GET or "period_to" in request.GET:
        form = PeriodForm(request.GET)
    else:
        start = today - timedelta(days=27)
        form = PeriodForm({"period_from": f"{start:%d/%m/%Y}", "period_to": f"{today:%d/%m/%Y}"})
    report = None
    if form.is_valid():
        report = review.supervision_report(period_from=form.cleaned_data["period_from"],
                                           period_to=form.cleaned_data["period_to"], now=timezone.now())
    return render(request, "risk/supervision_report.html", {
        "form": form, "report": report, "error_list": _error_list(form) if form.errors else [],
        "median_limit": review.TICK_BOX_MEDIAN_MINUTES, "amended_limit": review.TICK_BOX_AMENDED_SHARE * 100,
        "min_reviews": review.TICK_BOX_MIN_REVIEWS, "today": today,
    })
