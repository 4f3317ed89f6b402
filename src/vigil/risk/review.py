"""Supervision and specialist review of a risk grading, and the report that shows tick-box supervision.

Services change state (one transaction each, audited); selectors read.

The rules, in plain words:

- A supervisor reviews every submitted assessment within SUPERVISION_DEADLINE of its submission (the
  submit service sets `supervision_due_at`; where it is missing, submission + the deadline).
- Nobody decides without first opening the whole assessment (a ReviewOpening, itself audited as a
  consultation of the victim's data). The time spent on a review runs from the reviewer's FIRST opening
  of the assessment for that stage to the decision: reloading the page just before deciding does not
  shorten it, and a supervisor who opens and decides at once shows as such.
- Agreeing and amending are both decisions, each with a written rationale of at least
  RATIONALE_MIN_LENGTH characters. An amendment is a new GradingDecision; earlier decisions are kept.
- Judgement never goes below the instrument's floor (14 or more "yes" answers: never below high).
- The active history signal (evaluation.advisory) is shown beside the grading as advisory. It never
  changes a grading; a grading below what it suggests needs its rationale to say why (every review
  decision needs a rationale anyway: the error then names the signal).
- Nobody supervises or specialist-reviews an assessment they made themselves.
- Specialist review comes after supervision, because the supervisor's grading can change whether the
  unit must review at all (domain.md: all high; medium with a serious offence; honour-based abuse,
  forced marriage, FGM). Assessments routed to the unit but not yet supervised are listed separately
  on the specialist queue so the unit can see what is coming; they cannot be decided yet.
- A specialist who downgrades without having contacted the victim is flagged to the unit's manager.
  Vigil has no "manager" role, so the flag is shown, until FLAG_SHOWN_FOR has passed, as a banner to
  every supervisor (supervision queue) and every specialist investigator (specialist queue), and the
  decision keeps `flagged_to_manager` for the record and the audit log.
"""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from vigil.audit.services import audit_record, audit_record_each
from vigil.evaluation.advisory import advisory_for, grading_below_signal

from . import instruments, routing, scene, scoring
from .models import Answer, GradingDecision, ReviewOpening, RiskAssessment
from .policy import RATIONALE_MIN_LENGTH, SUPERVISION_DEADLINE
from .services import case_risk_follows, signal_rationale_message

LONDON = ZoneInfo("Europe/London")

# Policy defaults (domain.md / issue 5). A force may choose other values; these are the defaults.
TICK_BOX_MEDIAN_MINUTES = 2.0  # a median review shorter than this...
TICK_BOX_AMENDED_SHARE = 0.02  # ...and fewer than 2 % amended suggests tick-box supervision
TICK_BOX_MIN_REVIEWS = 5  # too few reviews say nothing either way: no flag below this
FLAG_SHOWN_FOR = timedelta(days=30)  # how long a flagged downgrade stays on the banners
QUEUE_LIMIT = 200  # rows shown on a queue page; the total is always given

Stage = GradingDecision.Stage


def _subject(assessment: RiskAssessment):
    person = assessment.victim.person
    return person.public_id if person is not None else None


def due_at(assessment: RiskAssessment) -> datetime | None:
    """When supervision is due: as set on submission, or submission (else assessment) + the deadline."""
    if assessment.supervision_due_at is not None:
        return assessment.supervision_due_at
    start = assessment.submitted_at or assessment.assessed_at
    return start + SUPERVISION_DEADLINE if start is not None else None


def _due_expression():
    return Coalesce("supervision_due_at", F("submitted_at") + SUPERVISION_DEADLINE,
                    F("assessed_at") + SUPERVISION_DEADLINE)


def _decided(stage: str):
    return Exists(GradingDecision.objects.filter(assessment=OuterRef("pk"), stage=stage))


def answers_of(assessment: RiskAssessment) -> dict[str, str]:
    return dict(assessment.answers.values_list("question", "value"))


def grade_floor(assessment: RiskAssessment) -> str:
    """The lowest grade judgement may give this assessment. Without a recorded definition (generated or
    imported assessments) the recorded yes count is used against the default threshold."""
    definition = assessment.instrument_version.definition if assessment.instrument_version_id else None
    if definition:
        return scoring.grade_floor(definition, answers_of(assessment))
    if assessment.yes_count is not None and scoring.visible_high_risk(assessment.yes_count):
        return "high"
    return ""


def decision_of(assessment: RiskAssessment, stage: str) -> GradingDecision | None:
    return assessment.decisions.filter(stage=stage).select_related("decided_by").last()


def first_opening(*, assessment: RiskAssessment, by, stage: str) -> ReviewOpening | None:
    return ReviewOpening.objects.filter(assessment=assessment, opened_by=by, stage=stage).first()


# --- Selectors -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueRow:
    assessment: RiskAssessment
    due_at: datetime | None
    overdue: bool
    own: bool  # the viewer made this assessment: someone else must review it
    supervised: bool = True  # specialist queue: False while still awaiting supervision


@dataclass(frozen=True)
class Queue:
    rows: list[QueueRow]
    total: int
    overdue: int
    waiting: list[QueueRow] = field(default_factory=list)  # specialist queue: routed, awaiting supervision


def _queue_base() -> QuerySet[RiskAssessment]:
    # Submitted in Vigil (with a submission time): assessments imported or generated as history are
    # records of decisions already made, not work waiting for a supervisor.
    return (RiskAssessment.objects.filter(status=RiskAssessment.Status.SUBMITTED, submitted_at__isnull=False)
            .select_related("incident", "victim", "victim__person", "officer")
            .annotate(due=_due_expression()))


def _rows(queryset, *, viewer, now, supervised=True) -> list[QueueRow]:
    return [QueueRow(assessment=a, due_at=a.due, overdue=a.due is not None and a.due < now,
                     own=a.officer_id == viewer.pk, supervised=supervised)
            for a in queryset[:QUEUE_LIMIT]]


def supervision_queue(*, viewer, now: datetime | None = None) -> Queue:
    """Submitted assessments with no supervisor decision: overdue first, then due soonest."""
    now = now or timezone.now()
    pending = _queue_base().filter(~_decided(Stage.SUPERVISOR)).order_by(F("due").asc(nulls_last=True), "pk")
    return Queue(rows=_rows(pending, viewer=viewer, now=now), total=pending.count(),
                 overdue=pending.filter(due__lt=now).count())


def specialist_queue(*, viewer, now: datetime | None = None) -> Queue:
    """Assessments routed to the specialist unit (specialist_reasons not empty), supervised and not yet
    reviewed by a specialist, oldest supervision first; and, apart, those routed but still awaiting
    supervision (they cannot be reviewed yet: supervision may change the routing)."""
    now = now or timezone.now()
    routed = (_queue_base().filter(~_decided(Stage.SPECIALIST)).exclude(specialist_reasons__isnull=True)
              .exclude(specialist_reasons=[]))
    ready = routed.filter(_decided(Stage.SUPERVISOR)).order_by(F("due").asc(nulls_last=True), "pk")
    waiting = routed.filter(~_decided(Stage.SUPERVISOR)).order_by(F("due").asc(nulls_last=True), "pk")
    return Queue(rows=_rows(ready, viewer=viewer, now=now), total=ready.count(), overdue=0,
                 waiting=_rows(waiting, viewer=viewer, now=now, supervised=False))


def downgrades_flagged(*, viewer, now: datetime | None = None) -> list[GradingDecision]:
    """Specialist downgrades made without contacting the victim, in the last FLAG_SHOWN_FOR, newest first,
    for the unit's managers: shown to supervisors and specialist investigators (there is no manager
    role); nobody else sees them."""
    if not (viewer.has_perm("risk.supervise") or viewer.has_perm("risk.review_as_specialist")):
        return []
    now = now or timezone.now()
    return list(GradingDecision.objects
                .filter(stage=Stage.SPECIALIST, flagged_to_manager=True, decided_at__gte=now - FLAG_SHOWN_FOR)
                .select_related("assessment", "assessment__incident", "decided_by")
                .order_by("-decided_at", "-pk"))


def queue_viewed(*, viewer, queue: Queue, request=None) -> None:
    """A queue shows victims' names: audit it as one consultation per person listed."""
    rows = queue.rows + queue.waiting
    subjects = sorted({str(s) for s in (_subject(r.assessment) for r in rows) if s is not None})
    audit_record_each(action="consultation", actor=viewer, subject_person_ids=subjects, request=request,
                      object_type="risk.RiskAssessment", object_id="queue",
                      detail={"assessments": [str(r.assessment.public_id) for r in rows]})


@dataclass(frozen=True)
class SupervisorRow:
    supervisor: object
    name: str
    reviews: int
    median_minutes: float | None
    mean_minutes: float | None
    amended: int
    late: int

    @property
    def amended_share(self) -> float:
        return self.amended / self.reviews if self.reviews else 0.0

    @property
    def late_share(self) -> float:
        return self.late / self.reviews if self.reviews else 0.0

    @property
    def possible_tick_box(self) -> bool:
        return (self.reviews >= TICK_BOX_MIN_REVIEWS and self.median_minutes is not None
                and self.median_minutes < TICK_BOX_MEDIAN_MINUTES and self.amended_share < TICK_BOX_AMENDED_SHARE)


@dataclass(frozen=True)
class SupervisionReport:
    period_from: date
    period_to: date
    rows: list[SupervisorRow]
    awaiting_now: int
    overdue_now: int

    @property
    def reviews(self) -> int:
        return sum(r.reviews for r in self.rows)


def display_name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def supervision_report(*, period_from: date, period_to: date, now: datetime | None = None) -> SupervisionReport:
    """Per supervisor, the supervisor decisions made from `period_from` to `period_to` inclusive (days in
    Europe/London): reviews, median and mean minutes from first opening to decision, amendments (grade
    differs from the grade before) and late decisions (after the supervision deadline)."""
    now = now or timezone.now()
    start = datetime.combine(period_from, time(), tzinfo=LONDON)
    end = datetime.combine(period_to + timedelta(days=1), time(), tzinfo=LONDON)
    decisions = (GradingDecision.objects.filter(stage=Stage.SUPERVISOR, decided_at__gte=start, decided_at__lt=end)
                 .select_related("decided_by", "assessment").order_by("decided_by_id", "decided_at"))
    by_supervisor: dict[int, list[GradingDecision]] = {}
    for decision in decisions:
        by_supervisor.setdefault(decision.decided_by_id, []).append(decision)
    rows = []
    for group in by_supervisor.values():
        minutes = [(d.decided_at - d.opened_at).total_seconds() / 60 for d in group if d.opened_at is not None]
        late = sum(1 for d in group if (due := due_at(d.assessment)) is not None and d.decided_at > due)
        supervisor = group[0].decided_by
        rows.append(SupervisorRow(
            supervisor=supervisor, name=display_name(supervisor), reviews=len(group),
            median_minutes=statistics.median(minutes) if minutes else None,
            mean_minutes=statistics.fmean(minutes) if minutes else None,
            amended=sum(1 for d in group if d.is_amendment), late=late))
    rows.sort(key=lambda r: (not r.possible_tick_box, r.name.lower()))
    pending = _queue_base().filter(~_decided(Stage.SUPERVISOR))
    return SupervisionReport(period_from=period_from, period_to=period_to, rows=rows,
                             awaiting_now=pending.count(), overdue_now=pending.filter(due__lt=now).count())


@dataclass(frozen=True)
class AnswerLine:
    number: str
    text: str
    value: str  # "yes", "no", "not_known"; "" when not answered
    value_label: str
    obtained_label: str
    options: list[str]
    comment: str  # in the victim's words


@dataclass(frozen=True)
class SectionLines:
    title: str
    lines: list[AnswerLine]


def assessment_summary(assessment: RiskAssessment) -> dict:
    """Everything a reviewer must read, for `risk/_assessment_summary.html`: every answer (how it was
    obtained, the victim's words), the victim's view, the yes count and indicated grade, the floor, the
    scene, other factors, specialist routing and the history of grading decisions. `sections` is None
    when the instrument's definition is not recorded (generated or imported assessments)."""
    answers = {a.question: a for a in assessment.answers.select_related("answered_by")}
    definition = assessment.instrument_version.definition if assessment.instrument_version_id else None
    sections = None
    if definition:
        values = {q: a.value for q, a in answers.items()}
        shown = instruments.sections_shown(definition, values)
        sections, seen = [], set()
        for section in shown:
            lines = [_line(q.number, q.text, dict(q.options), answers.get(q.id)) for q in section.questions]
            seen.update(q.id for q in section.questions)
            sections.append(SectionLines(section.title, lines))
        known = instruments.questions(definition)
        extra = [_line(known[q].number if q in known else "", known[q].text if q in known else q,
                       dict(known[q].options) if q in known else {}, a)
                 for q, a in answers.items() if q not in seen]
        if extra:
            sections.append(SectionLines("Other answers recorded", extra))
    elif answers:
        sections = [SectionLines("Answers recorded", [_line("", q, {}, a) for q, a in sorted(answers.items())])]
    return {
        "assessment": assessment,
        "sections": sections,
        "unanswered": sum(1 for s in sections or [] for line in s.lines if not line.value),
        "floor": grade_floor(assessment),
        "due_at": due_at(assessment),
        "other_factors": [routing.OTHER_FACTORS.get(c, c) for c in assessment.other_factors or []],
        "safety_measures": [scene.SAFETY_MEASURES.get(c, c) for c in assessment.safety_measures or []],
        "advice": [scene.ADVICE.get(c, c) for c in assessment.advice_and_support or []],
        "specialist_reasons": list(assessment.specialist_reasons or []),
        "decisions": list(assessment.decisions.select_related("decided_by")),
        "officer_name": display_name(assessment.officer),
    }


def _line(number: str, text: str, option_labels: dict, answer: Answer | None) -> AnswerLine:
    if answer is None:
        return AnswerLine(number, text, "", "Not answered", "", [], "")
    return AnswerLine(number, text, answer.value, answer.get_value_display(), answer.get_obtained_display(),
                      [option_labels.get(o, o) for o in answer.options or []], answer.comment)


# --- Services ------------------------------------------------------------------------------------------

def review_open(*, assessment: RiskAssessment, by, stage: str, now: datetime | None = None,
                request=None) -> ReviewOpening:
    """The reviewer opened the whole assessment: kept (time spent runs from the first opening) and
    audited as a consultation of the victim's data."""
    now = now or timezone.now()
    with transaction.atomic():
        opening = ReviewOpening.objects.create(assessment=assessment, stage=stage, opened_by=by, opened_at=now)
        audit_record(action="consultation", actor=by, obj=assessment, subject_person_id=_subject(assessment),
                     request=request, detail={"step": "opened for review", "stage": stage})
    return opening


def _check_decision(*, assessment: RiskAssessment, by, stage: str, grade: str, rationale: str,
                    suggested: str = "") -> ReviewOpening:
    """The rules both reviews share; raises ValidationError with every problem found. `suggested` is what
    the active history signal suggests (advisory): a grading below it is never refused or changed, but
    the rationale asked for says why it is below."""
    if assessment.status != RiskAssessment.Status.SUBMITTED:
        raise ValidationError("This assessment has not been submitted yet: it cannot be reviewed.")
    if assessment.officer_id is not None and assessment.officer_id == by.pk:
        raise ValidationError("You made this assessment: someone else must review it.")
    if assessment.decisions.filter(stage=stage).exists():
        who = "A supervisor" if stage == Stage.SUPERVISOR else "A specialist"
        raise ValidationError(f"{who} has already decided this grading. The decisions are shown in its history.")
    opening = first_opening(assessment=assessment, by=by, stage=stage)
    if opening is None:
        raise ValidationError("Open and read the whole assessment first.")
    errors = {}
    if grade not in scoring.GRADE_ORDER:
        errors["grade"] = "Choose standard, medium or high."
    else:
        floor = grade_floor(assessment)
        if scoring.below(grade, floor):
            errors["grade"] = (f"With {assessment.yes_count} \"yes\" answers the grading cannot be below {floor}: "
                               "professional judgement may raise a grade, not lower it below that.")
    if len(rationale) < RATIONALE_MIN_LENGTH and grading_below_signal(grade, suggested):
        errors["rationale"] = signal_rationale_message(suggested, grade)
    elif len(rationale) < RATIONALE_MIN_LENGTH:
        agree = grade == assessment.grade
        errors["rationale"] = (
            "Write your rationale in at least a sentence (" + str(RATIONALE_MIN_LENGTH) + " characters or more): "
            + ("why you agree with this grading" if agree else "why the grading should change")
            if rationale else "Write your rationale: why you agree with the grading or why it should change")
    if errors:
        raise ValidationError(errors)
    return opening


def _suggested(assessment: RiskAssessment) -> str:
    """What the active history signal suggests for `assessment` (advisory), "" when none is active. Read
    before the decision's transaction: it reads only what was recorded before the incident."""
    advisory = advisory_for(assessment)
    return advisory.suggested if advisory is not None else ""


def _locked(assessment: RiskAssessment) -> RiskAssessment:
    return RiskAssessment.objects.select_for_update(of=("self",)).select_related(
        "instrument_version", "victim__person", "incident").get(pk=assessment.pk)


def supervision_decide(*, assessment: RiskAssessment, by, grade: str, rationale: str,
                       now: datetime | None = None, request=None) -> GradingDecision:
    """The supervisor agrees with the grading or amends it, with a rationale either way. Either is a new
    GradingDecision; the assessment's grade becomes the supervisor's, and where the grade changes, the
    specialist routing is worked out again."""
    now = now or timezone.now()
    rationale = (rationale or "").strip()
    suggested = _suggested(assessment)
    with transaction.atomic():
        assessment = _locked(assessment)
        opening = _check_decision(assessment=assessment, by=by, stage=Stage.SUPERVISOR, grade=grade,
                                  rationale=rationale, suggested=suggested)
        previous = assessment.grade
        decision = GradingDecision.objects.create(
            assessment=assessment, stage=Stage.SUPERVISOR, grade=grade, previous_grade=previous,
            indicated_grade=assessment.indicated_grade, rationale=rationale, decided_by=by, decided_at=now,
            opened_at=opening.opened_at)
        assessment.grade = grade
        fields = ["grade"]
        reasons_before = list(assessment.specialist_reasons or [])
        if grade != previous:
            offences = assessment.incident.crimes.values_list("offence_group", flat=True)
            assessment.specialist_reasons = routing.specialist_reasons(
                grade=grade, offence_groups=offences, other_factors=assessment.other_factors or [])
            fields.append("specialist_reasons")
        assessment.save(update_fields=fields)
        case_risk_follows(assessment=assessment, by=by, now=now, request=request)
        audit_record(action="alteration" if grade != previous else "collection", actor=by, obj=assessment,
                     subject_person_id=_subject(assessment), request=request,
                     detail={"step": "supervised", "decision": str(decision.public_id), "grade": grade,
                             "previous": previous, "amended": grade != previous,
                             "routing_changed": list(assessment.specialist_reasons or []) != reasons_before})
    return decision


def specialist_decide(*, assessment: RiskAssessment, by, grade: str, rationale: str, victim_contacted: bool | None,
                      now: datetime | None = None, request=None) -> GradingDecision:
    """The specialist unit's re-grading, with a rationale and whether the victim was contacted. A downgrade
    without contact is flagged to the unit's manager (see the module's notes)."""
    now = now or timezone.now()
    rationale = (rationale or "").strip()
    suggested = _suggested(assessment)
    with transaction.atomic():
        assessment = _locked(assessment)
        if not assessment.specialist_reasons:
            raise ValidationError("This assessment is not routed to the specialist unit.")
        if not assessment.decisions.filter(stage=Stage.SUPERVISOR).exists():
            raise ValidationError("A supervisor must review this assessment before the specialist unit does.")
        errors = {}
        try:
            opening = _check_decision(assessment=assessment, by=by, stage=Stage.SPECIALIST, grade=grade,
                                      rationale=rationale, suggested=suggested)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                raise
            errors = error.message_dict
        if victim_contacted not in (True, False):
            errors["victim_contacted"] = ["Say whether the victim was contacted."]
        if errors:
            raise ValidationError(errors)
        previous = assessment.grade
        downgrade = bool(previous) and scoring.GRADE_ORDER[grade] < scoring.GRADE_ORDER[previous]
        flagged = downgrade and not victim_contacted
        decision = GradingDecision.objects.create(
            assessment=assessment, stage=Stage.SPECIALIST, grade=grade, previous_grade=previous,
            indicated_grade=assessment.indicated_grade, rationale=rationale, decided_by=by, decided_at=now,
            opened_at=opening.opened_at, victim_contacted=victim_contacted, flagged_to_manager=flagged)
        assessment.grade = grade
        assessment.save(update_fields=["grade"])
        case_risk_follows(assessment=assessment, by=by, now=now, request=request)
        audit_record(action="alteration" if grade != previous else "collection", actor=by, obj=assessment,
                     subject_person_id=_subject(assessment), request=request,
                     detail={"step": "specialist review", "decision": str(decision.public_id), "grade": grade,
                             "previous": previous, "victim_contacted": victim_contacted,
                             "flagged_to_manager": flagged})
    return decision
