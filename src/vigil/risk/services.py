"""Completing a risk assessment: started from an incident, every answer saved as it is given (and how it
was obtained), scored as it goes, graded by the officer and submitted for supervision."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from vigil.audit.services import audit_record
from vigil.cases.models import SafeguardingCase
from vigil.cases.services import case_risk_set
from vigil.evaluation.advisory import advisory_for, grading_below_signal
from vigil.incidents.models import Incident, Involvement
from vigil.people.models import PersonRecord

from . import instruments, routing, scoring
from .instrument_loading import NoInstrumentLoaded, instrument_default
from .models import Answer, GradingDecision, Instrument, RiskAssessment
from .policy import RATIONALE_MIN_LENGTH, SUPERVISION_DEADLINE


def _subject(assessment: RiskAssessment):
    person = assessment.victim.person
    return person.public_id if person is not None else None


def signal_rationale_message(suggested: str, grade: str) -> str:
    return (f"The history signal (advisory) suggests {suggested} risk: explain in a sentence or two "
            f"({RATIONALE_MIN_LENGTH} characters or more) why you grade the risk {grade}")


def case_risk_follows(*, assessment: RiskAssessment, by, now: datetime, request=None) -> None:
    """The victim's open case for this incident takes the assessment's agreed grade (and, where the policy
    names another kind of team for it, the handover to that team is proposed). Call inside the grading's
    transaction."""
    case = SafeguardingCase.objects.filter(incident_id=assessment.incident_id, victim_id=assessment.victim_id,
                                           closed_at__isnull=True).first()
    if case is not None and assessment.grade:
        case_risk_set(case=case, risk_level=assessment.grade, by=by, now=now, request=request)


def callouts_12m(*, victim: PersonRecord, incident: Incident) -> int:
    """Domestic abuse incidents with this victim as victim in the 12 months up to and including this one."""
    if victim.person_id is None:
        return 1
    dates = [timezone.localdate(at) for at in Involvement.objects.filter(
        role="victim", person_record__person_id=victim.person_id, incident__is_domestic_abuse=True,
        incident__received_at__lte=incident.received_at,
        incident__received_at__gt=incident.received_at - scoring.ESCALATION_WINDOW,
    ).values_list("incident__received_at", flat=True).distinct()]
    current = timezone.localdate(incident.received_at)
    return max(scoring.callouts_in_window(dates, on=current), 1)


def assessment_start(*, incident: Incident, victim: PersonRecord, by, instrument: Instrument | None = None,
                     now: datetime | None = None, request=None) -> RiskAssessment:
    """Start (or return the one already started by this officer for this victim and incident)."""
    now = now or timezone.now()
    if not incident.involvements.filter(person_record=victim, role="victim").exists():
        raise ValidationError("Choose the victim recorded on this incident.")
    existing = RiskAssessment.objects.filter(incident=incident, victim=victim, officer=by,
                                             status=RiskAssessment.Status.IN_PROGRESS).first()
    if existing is not None:
        return existing
    if instrument is None:
        try:
            instrument = instrument_default()
        except NoInstrumentLoaded as error:
            raise ValidationError(str(error)) from None
    with transaction.atomic():
        assessment = RiskAssessment.objects.create(
            incident=incident, victim=victim, instrument=instrument.code, instrument_version=instrument,
            status=RiskAssessment.Status.IN_PROGRESS, officer=by, started_at=now, assessed_at=now, grade="",
            callouts_12m=callouts_12m(victim=victim, incident=incident), yes_count=0)
        audit_record(action="collection", actor=by, obj=assessment, subject_person_id=_subject(assessment),
                     request=request, detail={"step": "started", "instrument": f"{instrument.code}:{instrument.version}"})
    return assessment


def _editable(assessment: RiskAssessment, by) -> None:
    if assessment.officer_id != by.pk:
        raise PermissionDenied
    if assessment.status != RiskAssessment.Status.IN_PROGRESS:
        raise ValidationError("This assessment has been submitted: a supervisor now reviews it.")


def answers_of(assessment: RiskAssessment) -> dict[str, str]:
    return dict(assessment.answers.values_list("question", "value"))


def _rescore(assessment: RiskAssessment) -> None:
    definition = assessment.instrument_version.definition
    answers = answers_of(assessment)
    assessment.yes_count = scoring.yes_count(definition, answers)
    assessment.indicated_grade = scoring.indicated_grade(definition, answers)


def answer_save(*, assessment: RiskAssessment, by, question: str, value: str, obtained: str, options=None,
                comment: str = "", now: datetime | None = None, request=None) -> Answer:
    """Save one answer the moment it is given; a later answer to the same question replaces it."""
    now = now or timezone.now()
    _editable(assessment, by)
    known = instruments.questions(assessment.instrument_version.definition)
    if question not in known:
        raise ValidationError({"question": "That question is not part of this assessment."})
    if value not in Answer.Value.values:
        raise ValidationError({"value": "Answer yes, no or not known."})
    if obtained not in Answer.Obtained.values:
        raise ValidationError({"obtained": "Say how the answer was obtained."})
    allowed = {option_id for option_id, _ in known[question].options}
    options = [o for o in (options or []) if o]
    if set(options) - allowed:
        raise ValidationError({"options": "Choose from the options listed."})
    with transaction.atomic():
        answer, _ = Answer.objects.update_or_create(
            assessment=assessment, question=question,
            defaults={"value": value, "obtained": obtained, "options": options or None, "comment": comment.strip(),
                      "answered_at": now, "answered_by": by})
        _rescore(assessment)
        assessment.assessed_at = now
        assessment.save(update_fields=["yes_count", "indicated_grade", "assessed_at"])
        audit_record(action="collection", actor=by, obj=assessment, subject_person_id=_subject(assessment),
                     request=request, detail={"question": question})
    return answer


def victim_view_save(*, assessment: RiskAssessment, by, victim_view: str, now: datetime | None = None,
                     request=None) -> None:
    _editable(assessment, by)
    with transaction.atomic():
        assessment.victim_view = victim_view.strip()
        assessment.save(update_fields=["victim_view"])
        audit_record(action="collection", actor=by, obj=assessment, subject_person_id=_subject(assessment),
                     request=request, detail={"field": "victim_view"})


def unanswered(assessment: RiskAssessment) -> list[instruments.Question]:
    definition = assessment.instrument_version.definition
    answers = answers_of(assessment)
    return [q for s in instruments.sections_shown(definition, answers) for q in s.questions if q.id not in answers]


def assessment_submit(*, assessment: RiskAssessment, by, grade: str, rationale: str = "",
                      now: datetime | None = None, request=None) -> GradingDecision:
    """The officer's grading, and the assessment goes to the supervisor's queue with a deadline. Every
    question must have an answer (not known is an answer); a grade that differs from what the answers
    indicate, or a grade by judgement alone, or a grade below what the active history signal suggests
    (advisory: it never changes the grade), needs a rationale; with 14 or more yes answers judgement may
    not go below high."""
    now = now or timezone.now()
    _editable(assessment, by)
    errors = {}
    missing = unanswered(assessment)
    if missing:
        errors["answers"] = (f"{len(missing)} question{'s' if len(missing) != 1 else ''} still to answer "
                             f"(first: {missing[0].number or missing[0].id}). \"Not known\" is an answer.")
    if grade not in scoring.GRADE_ORDER:
        errors["grade"] = "Choose standard, medium or high."
    definition = assessment.instrument_version.definition
    answers = answers_of(assessment)
    floor = scoring.grade_floor(definition, answers)
    indicated = scoring.indicated_grade(definition, answers)
    rationale = rationale.strip()
    if grade in scoring.GRADE_ORDER and scoring.below(grade, floor):
        errors["grade"] = (f"With {scoring.yes_count(definition, answers)} \"yes\" answers the grading cannot be "
                           f"below {floor}: professional judgement may raise a grade, not lower it.")
    elif grade in scoring.GRADE_ORDER and len(rationale) < RATIONALE_MIN_LENGTH:
        advisory = advisory_for(assessment)
        if advisory is not None and grading_below_signal(grade, advisory.suggested):
            errors["rationale"] = signal_rationale_message(advisory.suggested, grade)
        elif scoring.needs_rationale(grade, indicated):
            errors["rationale"] = ("Explain your grading in a sentence or two: it differs from what the answers "
                                   "indicate" if indicated else
                                   "Explain your professional judgement in a sentence or two")
    if errors:
        raise ValidationError(errors)
    offences = assessment.incident.crimes.values_list("offence_group", flat=True)
    with transaction.atomic():
        decision = GradingDecision.objects.create(
            assessment=assessment, stage=GradingDecision.Stage.OFFICER, grade=grade, indicated_grade=indicated,
            rationale=rationale, decided_by=by, decided_at=now)
        assessment.grade = grade
        assessment.indicated_grade = indicated
        assessment.yes_count = scoring.yes_count(definition, answers)
        assessment.status = RiskAssessment.Status.SUBMITTED
        assessment.submitted_at = assessment.assessed_at = now
        assessment.supervision_due_at = now + SUPERVISION_DEADLINE
        assessment.specialist_reasons = routing.specialist_reasons(
            grade=grade, offence_groups=offences, other_factors=assessment.other_factors or [])
        assessment.save()
        case_risk_follows(assessment=assessment, by=by, now=now, request=request)
        audit_record(action="collection", actor=by, obj=assessment, subject_person_id=_subject(assessment),
                     request=request, detail={"step": "submitted", "grade": grade, "indicated": indicated})
    return decision
