"""What followed each risk assessment, and what was known before it: the data of the evaluation.

For each DA risk assessment in a period (and area), read in a fixed number of set-based queries
whatever the number of assessments (no query per assessment), then joined in Python by resolved person:

- **The victim** is the resolved person (`people.Person`, following `merged_into`) of the assessment's
  victim record; the **suspect** the resolved person of the first suspect on the assessment's incident.
- **Outcomes** within each horizon (policy: 3, 6 and 12 months), counted after the assessment time `t`
  up to `t` plus the horizon in calendar months, never on the assessment's own incident:
  `further_incident` a DA incident with the same person as victim; `further_crime` a crime recorded with
  the same person as victim; `serious_harm` such a crime in an offence group involving injury or a
  serious offence (assault with injury, assault with intent, sexual offences, homicide, attempted
  murder: `SERIOUS_HARM_GROUPS`); `homicide_or_near_fatal` a homicide or attempted murder recorded with
  the same person as victim (`HOMICIDE_OR_NEAR_FATAL_GROUPS`; a near-fatal assault recorded under
  another group is not counted). The demo force generates none, so on it that outcome has no harmed
  assessments and the report says it cannot be measured. An outcome is None (not followed up)
  when the horizon ends after `observed_until` (the latest incident received), or the victim record has
  no resolved person.
- **Features** (the history signal's inputs) use only what was recorded before the assessment's
  incident was received (`t0`), never the incident itself: `FEATURES`. The DASH yes-count, the answers,
  the gradings and the subgroup attributes (sex, age band at `t0`, ethnicity where recorded, area) are
  kept beside them.
"""

import calendar
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import F, Max, Q
from django.db.models.functions import Coalesce

from vigil.incidents.models import Area, Crime, Incident, Involvement
from vigil.risk.models import Answer, GradingDecision, RiskAssessment

from .metrics import GRADES
from .models import Outcome
from .policy import DEFAULTS, EvaluationPolicyValues

LONDON = ZoneInfo("Europe/London")
HOMICIDE_OR_NEAR_FATAL_GROUPS = frozenset({"homicide", "attempted_murder"})
SERIOUS_HARM_GROUPS = frozenset({"assault_with_injury", "assault_with_intent", "sexual_offences"}) \
    | HOMICIDE_OR_NEAR_FATAL_GROUPS
FEATURES = (
    "victim_incidents_12m",  # DA incidents as victim in the 365 days before
    "victim_incidents_all",  # DA incidents as victim, all recorded history
    "days_since_victim_last_incident",  # capped (policy days_since_cap); the cap when there is none
    "victim_incidents_as_suspect",  # DA incidents where the victim was the suspect
    "victim_previous_crimes",  # crimes recorded with the victim as victim
    "victim_highest_previous_grade",  # 0 none, 1 standard, 2 medium, 3 high (the officer's grading)
    "suspect_incidents_as_suspect",  # the suspect's DA incidents as suspect
    "suspect_other_victims",  # different victims, other than this one, of the suspect's DA incidents
    "suspect_previous_crimes",  # crimes recorded with the suspect as suspect
    "yes_count",  # the DASH yes-count of this assessment (0 when not recorded)
)
AGE_BANDS = ((18, "under 18"), (25, "18-24"), (35, "25-34"), (45, "35-44"), (55, "45-54"), (65, "55-64"),
             (200, "65 and over"))
NOT_RECORDED = "not recorded"
SUBGROUPS = ("sex", "age_band", "ethnicity", "area")


@dataclass(frozen=True)
class Period:
    """Whole days in Europe/London, `start` to `end` inclusive."""

    start: date
    end: date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=LONDON)

    @property
    def end_before(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=LONDON)


@dataclass
class AssessmentRow:
    assessment_id: int
    incident_id: int
    received_at: datetime  # t0: the features use only what was recorded before it
    assessed_at: datetime  # t: the outcomes are counted after it
    victim_person_id: int | None
    suspect_person_id: int | None
    officer_grade: str  # "" when never graded
    supervisor_grade: str | None  # the supervisor's latest decision, None when not supervised
    grade: str  # the current grading (after any review)
    yes_count: int | None
    answers: dict[str, str]
    sex: str
    age_band: str
    ethnicity: str
    area: str
    features: dict[str, float] = field(default_factory=dict)
    outcomes: dict[tuple[str, int], bool | None] = field(default_factory=dict)

    def outcome(self, outcome: str, horizon_months: int) -> bool | None:
        return self.outcomes[(outcome, horizon_months)]

    def subgroup(self, name: str) -> str:
        return getattr(self, name)


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus whole calendar months (the last day of a shorter month when the day is past it)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def age_band(date_of_birth: date | None, on: date) -> str:
    if date_of_birth is None:
        return NOT_RECORDED
    age = on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    return next(label for limit, label in AGE_BANDS if age < limit)


def latest_observation() -> datetime | None:
    """The latest incident received: outcomes are followed up to here."""
    return Incident.objects.aggregate(at=Max("received_at"))["at"]


def _resolved(prefix: str) -> Coalesce:
    return Coalesce(F(f"{prefix}__person__merged_into_id"), F(f"{prefix}__person_id"))


def _officer_and_supervisor(decisions: list[tuple[str, str, str]], current: str) -> tuple[str, str | None]:
    """From an assessment's decisions in order (stage, grade, previous grade): the officer's grading (the
    officer-stage decision, else what the first review found, else the current grading) and the
    supervisor's latest, if any."""
    officer = next((grade for stage, grade, _ in reversed(decisions) if stage == GradingDecision.Stage.OFFICER), None)
    if officer is None:
        officer = next((previous for _, _, previous in decisions if previous), current)
    supervisor = next((grade for stage, grade, _ in reversed(decisions)
                       if stage == GradingDecision.Stage.SUPERVISOR), None)
    return officer or "", supervisor


class _Timeline:
    """One person's dated events (time, incident id, extra), sorted by time."""

    def __init__(self):
        self.items: list[tuple[datetime, int | None, object]] = []
        self.times: list[datetime] = []

    def finish(self) -> None:
        self.items.sort(key=lambda item: (item[0], item[1] or 0))
        self.times = [item[0] for item in self.items]

    def before(self, moment: datetime, *, since: datetime | None = None, excluding: int | None = None):
        low = bisect_left(self.times, since) if since is not None else 0
        return [item for item in self.items[low:bisect_left(self.times, moment)] if item[1] != excluding
                or item[1] is None]

    def after(self, moment: datetime, until: datetime, *, excluding: int | None = None):
        return [item for item in self.items[bisect_right(self.times, moment):bisect_right(self.times, until)]
                if item[1] != excluding or item[1] is None]


def _timelines(rows) -> dict[int, _Timeline]:
    timelines: dict[int, _Timeline] = defaultdict(_Timeline)
    seen = set()
    for person, incident, at, extra in rows:
        if person is None or (person, incident, at, extra) in seen:
            continue
        seen.add((person, incident, at, extra))
        timelines[person].items.append((at, incident, extra))
    for timeline in timelines.values():
        timeline.finish()
    return timelines


def assessment_rows(*, period: Period | None = None, area: Area | None = None, assessment_ids=None,
                    horizons_months: tuple[int, ...] | None = None, policy: EvaluationPolicyValues | None = None,
                    observed_until: datetime | None = None) -> list[AssessmentRow]:
    """Every graded DA risk assessment assessed in `period` (and of an incident in `area`), or the
    assessments with `assessment_ids` whatever their state, with features and outcomes. Unaudited: the
    building block of the services."""
    policy = policy or DEFAULTS
    horizons = tuple(horizons_months or policy.horizons_months)
    observed_until = observed_until or latest_observation()
    assessments = RiskAssessment.objects.all()
    if assessment_ids is None:  # an evaluation: graded DA assessments; one shown on a page: as it is
        assessments = assessments.filter(incident__is_domestic_abuse=True).exclude(grade="")
    if period is not None:
        assessments = assessments.filter(assessed_at__gte=period.start_at, assessed_at__lt=period.end_before)
    if area is not None:
        assessments = assessments.filter(incident__area=area)
    if assessment_ids is not None:
        assessments = assessments.filter(pk__in=list(assessment_ids))
    base = list(assessments.annotate(victim_person=_resolved("victim")).values_list(
        "pk", "incident_id", "incident__received_at", "assessed_at", "victim_person", "grade", "yes_count",
        "victim__sex", "victim__date_of_birth", "victim__ethnicity", "incident__area__code").order_by("assessed_at", "pk"))
    if not base or observed_until is None:
        return []
    ids = assessments.values("pk")
    incidents = assessments.values("incident_id")
    latest_t0 = max(row[2] for row in base)
    follow_until = min(observed_until, add_months(max(row[3] for row in base), max(horizons)))

    decisions: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for assessment_id, stage, grade, previous in (GradingDecision.objects.filter(assessment__in=ids)
                                                  .order_by("decided_at", "pk")
                                                  .values_list("assessment_id", "stage", "grade", "previous_grade")):
        decisions[assessment_id].append((stage, grade, previous))
    answers: dict[int, dict[str, str]] = defaultdict(dict)
    for assessment_id, question, value in Answer.objects.filter(assessment__in=ids).values_list(
            "assessment_id", "question", "value"):
        answers[assessment_id][question] = value
    suspect_of: dict[int, int] = {}
    for incident_id, person in (Involvement.objects.filter(incident__in=incidents, role=Involvement.Role.SUSPECT)
                                .annotate(p=_resolved("person_record")).order_by("-pk")
                                .values_list("incident_id", "p")):
        if person is not None:
            suspect_of[incident_id] = person  # ordered newest first: the first suspect wins

    # Every person's history, in five queries. With assessment ids (one assessment shown on a page), only
    # the people concerned are read; otherwise everything up to the period's follow-up.
    people = None
    if assessment_ids is not None:
        people = {row[4] for row in base if row[4] is not None} | set(suspect_of.values())
    da = Q(incident__is_domestic_abuse=True)

    def of_people(prefix: str) -> Q:
        if people is None:
            return Q()
        return Q(**{f"{prefix}__person_id__in": people}) | Q(**{f"{prefix}__person__merged_into_id__in": people})

    as_suspect_rows = list(Involvement.objects.filter(da, of_people("person_record"), role=Involvement.Role.SUSPECT,
                                                      incident__received_at__lt=latest_t0)
                           .annotate(p=_resolved("person_record"))
                           .values_list("p", "incident_id", "incident__received_at"))
    victim_filter = of_people("person_record")
    if people is not None:
        victim_filter |= Q(incident_id__in=[incident for _, incident, _ in as_suspect_rows])
    victim_rows = list(Involvement.objects.filter(da, victim_filter, role=Involvement.Role.VICTIM,
                                                  incident__received_at__lte=follow_until)
                       .annotate(p=_resolved("person_record"))
                       .values_list("p", "incident_id", "incident__received_at"))
    victims_of_incident: dict[int, set[int]] = defaultdict(set)
    for person, incident_id, _ in victim_rows:
        if person is not None:
            victims_of_incident[incident_id].add(person)
    as_victim = _timelines((p, i, at, None) for p, i, at in victim_rows)
    as_suspect = _timelines((p, i, at, None) for p, i, at in as_suspect_rows)
    crimes_against = _timelines(
        Crime.objects.filter(of_people("victim"), victim__isnull=False, recorded_at__lte=follow_until)
        .annotate(p=_resolved("victim")).values_list("p", "incident_id", "recorded_at", "offence_group"))
    crimes_by = _timelines(
        Crime.objects.filter(of_people("suspect"), suspect__isnull=False, recorded_at__lt=latest_t0)
        .annotate(p=_resolved("suspect")).values_list("p", "incident_id", "recorded_at", "pk"))
    earlier = RiskAssessment.objects.filter(of_people("victim"), assessed_at__lt=latest_t0).exclude(grade="")
    earlier_decisions: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for assessment_id, stage, grade, previous in (GradingDecision.objects.filter(assessment__in=earlier.values("pk"))
                                                  .order_by("decided_at", "pk")
                                                  .values_list("assessment_id", "stage", "grade", "previous_grade")):
        earlier_decisions[assessment_id].append((stage, grade, previous))
    gradings = _timelines(
        (person, incident, at, _officer_and_supervisor(earlier_decisions.get(pk, []), grade)[0])
        for pk, incident, at, person, grade in earlier.annotate(p=_resolved("victim"))
        .values_list("pk", "incident_id", "assessed_at", "p", "grade"))

    empty = _Timeline()
    result = []
    for (pk, incident_id, t0, t, victim, grade, yes_count, sex, dob, ethnicity, area_code) in base:
        officer, supervisor = _officer_and_supervisor(decisions.get(pk, []), grade)
        suspect = suspect_of.get(incident_id)
        row = AssessmentRow(
            assessment_id=pk, incident_id=incident_id, received_at=t0, assessed_at=t, victim_person_id=victim,
            suspect_person_id=suspect, officer_grade=officer, supervisor_grade=supervisor, grade=grade,
            yes_count=yes_count, answers=answers.get(pk, {}), sex=sex or "U",
            age_band=age_band(dob, t0.astimezone(LONDON).date()), ethnicity=ethnicity or NOT_RECORDED,
            area=area_code or NOT_RECORDED)
        victim_incidents = as_victim.get(victim, empty) if victim is not None else empty
        previous = victim_incidents.before(t0, excluding=incident_id)
        last = previous[-1][0] if previous else None
        suspect_incidents = as_suspect.get(suspect, empty).before(t0, excluding=incident_id) if suspect else []
        other_victims = set()
        for _, other_incident, _ in suspect_incidents:
            other_victims |= victims_of_incident.get(other_incident, set())
        other_victims.discard(victim)
        grades_before = gradings.get(victim, empty).before(t0, excluding=incident_id) if victim else []
        row.features = {
            "victim_incidents_12m": float(len(victim_incidents.before(t0, since=t0 - timedelta(days=365),
                                                                      excluding=incident_id))),
            "victim_incidents_all": float(len(previous)),
            "days_since_victim_last_incident": float(min(policy.days_since_cap, (t0 - last).days)
                                                     if last else policy.days_since_cap),
            "victim_incidents_as_suspect": float(len(as_suspect.get(victim, empty).before(t0, excluding=incident_id))
                                                 if victim else 0),
            "victim_previous_crimes": float(len(crimes_against.get(victim, empty).before(t0, excluding=incident_id))
                                            if victim else 0),
            "victim_highest_previous_grade": float(max((GRADES.index(g) + 1 for _, _, g in grades_before
                                                        if g in GRADES), default=0)),
            "suspect_incidents_as_suspect": float(len(suspect_incidents)),
            "suspect_other_victims": float(len(other_victims)),
            "suspect_previous_crimes": float(len(crimes_by.get(suspect, empty).before(t0, excluding=incident_id))
                                             if suspect else 0),
            "yes_count": float(yes_count or 0),
        }
        for months in horizons:
            until = add_months(t, months)
            if victim is None or until > observed_until:
                for outcome in Outcome.values:
                    row.outcomes[(outcome, months)] = None
                continue
            crimes = crimes_against.get(victim, empty).after(t, until, excluding=incident_id)
            row.outcomes[(Outcome.FURTHER_INCIDENT, months)] = bool(
                victim_incidents.after(t, until, excluding=incident_id))
            row.outcomes[(Outcome.FURTHER_CRIME, months)] = bool(crimes)
            row.outcomes[(Outcome.SERIOUS_HARM, months)] = any(group in SERIOUS_HARM_GROUPS for *_, group in crimes)
            row.outcomes[(Outcome.HOMICIDE_OR_NEAR_FATAL, months)] = any(
                group in HOMICIDE_OR_NEAR_FATAL_GROUPS for *_, group in crimes)
        result.append(row)
    return result
