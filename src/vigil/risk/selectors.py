"""Reading assessments: the questions as the officer sees them, and the history signals beside them."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count
from django.utils import timezone

from vigil.checks.selectors import call_history
from vigil.incidents.models import Involvement

from . import instruments, scoring
from .models import Answer, RiskAssessment


@dataclass(frozen=True)
class QuestionShown:
    question: instruments.Question
    answer: Answer | None

    @property
    def options_chosen(self) -> list[str]:
        return list(self.answer.options or []) if self.answer else []


@dataclass(frozen=True)
class SectionShown:
    section: instruments.Section
    questions: list[QuestionShown]


@dataclass(frozen=True)
class HistorySignals:
    previous_incidents: int
    incidents_12m: int
    last_incident_at: datetime | None
    days_since_last: int | None
    previous_grade: str
    previous_grade_at: datetime | None
    suspect_other_victims: int | None  # None: no suspect known on this incident
    callouts_12m: int
    potential_escalation: bool
    last_marac: date | None  # the victim's MARAC in the 12 months before this incident, if any
    repeat_marac: bool  # domain.md: back to MARAC whatever the local threshold
    # Previous incidents as suspect (domain.md: history signals as victim *and* suspect); None: no suspect known.
    victim_incidents_as_suspect: int = 0
    suspect_incidents_as_suspect: int | None = None


def assessment_sections(assessment: RiskAssessment) -> list[SectionShown]:
    definition = assessment.instrument_version.definition
    saved = {a.question: a for a in assessment.answers.all()}
    shown = instruments.sections_shown(definition, {q: a.value for q, a in saved.items()})
    return [SectionShown(s, [QuestionShown(q, saved.get(q.id)) for q in s.questions]) for s in shown]


def history_signals(*, assessment: RiskAssessment, viewer, request=None) -> HistorySignals:
    """The victim's and suspect's history beside the questions: previous incidents and how recent, the
    last grading, the suspect's other victims. Read through the control-room history (audited)."""
    incident = assessment.incident
    persons: dict[int, set[str]] = {}
    if assessment.victim.person_id:
        persons[assessment.victim.person_id] = {"victim"}
    suspect = (Involvement.objects.filter(incident=incident, role="suspect", person_record__person__isnull=False)
               .values_list("person_record__person_id", flat=True).first())
    if suspect:
        persons.setdefault(suspect, set()).add("suspect")
    history = call_history(viewer=viewer, persons=persons, incident=incident, now=incident.received_at,
                           request=request)
    victim = next((p for p in history.people if p.person_id == assessment.victim.person_id), None)
    suspect_history = next((p for p in history.people if p.person_id == suspect), None)
    previous = Involvement.objects.filter(role="victim", person_record__person_id=assessment.victim.person_id,
                                          incident__received_at__lt=incident.received_at) \
        if assessment.victim.person_id else Involvement.objects.none()
    last = previous.order_by("-incident__received_at").values_list("incident__received_at", flat=True).first()
    callouts = assessment.callouts_12m or 1
    as_suspect = dict(Involvement.objects.filter(
        role="suspect", incident__received_at__lt=incident.received_at,
        person_record__person_id__in=[p for p in (assessment.victim.person_id, suspect) if p])
        .values("person_record__person_id").annotate(n=Count("incident_id", distinct=True))
        .values_list("person_record__person_id", "n"))
    return HistorySignals(
        previous_incidents=previous.values("incident_id").distinct().count(),
        incidents_12m=victim.victim_calls_12m if victim else 0,
        last_incident_at=last,
        days_since_last=(timezone.localdate(incident.received_at) - timezone.localdate(last)).days if last else None,
        previous_grade=victim.latest_grade if victim else "",
        previous_grade_at=victim.latest_grade_at if victim else None,
        suspect_other_victims=suspect_history.other_victims if suspect_history else None,
        callouts_12m=callouts,
        potential_escalation=scoring.potential_escalation(callouts),
        last_marac=victim.marac_12m if victim else None,
        repeat_marac=scoring.repeat_marac(victim.marac_12m if victim else None,
                                          on=timezone.localdate(incident.received_at)),
        victim_incidents_as_suspect=as_suspect.get(assessment.victim.person_id, 0),
        suspect_incidents_as_suspect=as_suspect.get(suspect, 0) if suspect else None,
    )


def my_assessments(*, viewer, limit: int = 50):
    return (RiskAssessment.objects.filter(officer=viewer).select_related("incident", "victim")
            .order_by("status", "-started_at")[:limit])

