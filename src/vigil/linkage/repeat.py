"""Repeat victims, the lists they go on, and escalation. Plain rules, no Django.

Source: domain.md, "Definitions from the report" (all **policy**) and issue 7, item 3:
- **Repeat victim** (the force's definition): more than one incident in a 12-month period: 2 or more
  (`REPEAT_MIN_INCIDENTS`) in the last 365 days (`REPEAT_WINDOW_DAYS`).
- **Commander flag**: 3 incidents in 12 months (`COMMANDER_THRESHOLD`), the list for local commanders.
- **Repeat-case team** (DASU): 3 incidents in 12 months (`REPEAT_TEAM_THRESHOLD`), the team's queue.
- Every repeat victim below the team's threshold still gets a named owner and a review date: no repeat
  victim without a plan. domain.md gives no review interval; Vigil's default is 28 days
  (`PLAN_REVIEW_DAYS`, **policy**), counted in calendar days from the Europe/London date of `now`.

**Windows.** Every window is a rolling window of whole days (24-hour periods) ending at the injected
`now` (timezone-aware): "the last 365 days" holds the incidents at or before `now` and *strictly after*
`now` less 365 days. An incident exactly 365 days before `now` is out; one a second later is in.
"12 months" is read as 365 days, as in the risk and control-room rules. Incidents after `now` are
ignored (not yet history). The same incident given twice (two person records of one person on one
incident, before a merge) counts once, its copies merged (earliest time, most serious offence, highest
grade, every risk factor).

**Escalation** (`detect_escalation`) is Vigil's own rule, since domain.md names the signs but not how to
measure them (every number **policy**). It looks at the victim's incidents in the last 365 days
(`ESCALATION_LOOKBACK_DAYS`) and gives a reason for each sign found:
- *more frequent*: at least 2 incidents (`ESCALATION_MIN_RECENT`) in the last 90 days
  (`ESCALATION_PERIOD_DAYS`) and more than in the 90 days before them. The periods are (now - 90 days,
  now] and (now - 180 days, now - 90 days]: an incident exactly 90 days ago belongs to the earlier one.
- *more serious*: the latest incident's harm level (the gravity scale of domain.md's RFG section,
  `serial.HARM_SCALE`, or weights passed in) is above every earlier incident's in the lookback; an
  incident with no crime recorded is "no crime" (0).
- *higher risk grade*: the latest risk grading (standard < medium < high) is above every earlier
  grading in the lookback.
- *new risk factors*: risk factor codes in the latest assessment that no earlier assessment in the
  lookback recorded.
Each "latest" needs at least one earlier incident (or grading, or assessment) to compare with: a first
incident is never an escalation. "Latest" and "earlier" follow the incident's time, and for incidents at
the same moment their ids, so the answer never depends on the order of the input.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .serial import NO_CRIME, gravity_of, offence_label

LONDON = ZoneInfo("Europe/London")

REPEAT_WINDOW_DAYS = 365  # policy: "12 months"
REPEAT_MIN_INCIDENTS = 2  # policy: "more than one incident"
COMMANDER_THRESHOLD = 3  # policy: 3 contacts in the past year are flagged to local commanders
REPEAT_TEAM_THRESHOLD = 3  # policy: the repeat-case team takes 3 in 12 months (the report's 7 was too high)
PLAN_REVIEW_DAYS = 28  # policy (Vigil's choice): review date of a repeat victim's plan below the team

ESCALATION_LOOKBACK_DAYS = 365  # policy (Vigil's choice)
ESCALATION_PERIOD_DAYS = 90  # policy (Vigil's choice)
ESCALATION_MIN_RECENT = 2  # policy (Vigil's choice)

GRADE_ORDER: Mapping[str, int] = {"standard": 1, "medium": 2, "high": 3}

MORE_FREQUENT = "more_frequent"
MORE_SERIOUS = "more_serious"
HIGHER_RISK_GRADE = "higher_risk_grade"
NEW_RISK_FACTORS = "new_risk_factors"


@dataclass(frozen=True)
class VictimIncident:
    """One incident in which the person was the victim."""

    incident_id: str
    at: datetime  # timezone-aware
    offence: str = NO_CRIME  # an offence code on the harm scale; NO_CRIME when no crime was recorded
    risk_grade: str | None = None  # "standard", "medium" or "high" when a risk assessment was graded
    risk_factors: frozenset[str] | None = None  # the assessment's risk factor codes; None: no assessment


@dataclass(frozen=True)
class PlanRequirement:
    """A repeat victim below the team's threshold needs a named owner and a review date."""

    owner_required: bool
    review_by: date
    incidents_in_window: int
    reason: str


@dataclass(frozen=True)
class EscalationReason:
    kind: str  # MORE_FREQUENT, MORE_SERIOUS, HIGHER_RISK_GRADE or NEW_RISK_FACTORS
    text: str  # a short sentence for the person reading the list


@dataclass(frozen=True)
class Escalation:
    reasons: tuple[EscalationReason, ...] = field(default=())

    @property
    def escalating(self) -> bool:
        return bool(self.reasons)


@dataclass(frozen=True)
class RepeatStatus:
    incidents_in_window: int
    is_repeat: bool
    commander_flag: bool
    team_queue: bool
    plan: PlanRequirement | None
    escalation: Escalation


def _require_aware(at: datetime, name: str) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} needs a timezone-aware datetime, got {at!r}")


def _check_days(days: int, name: str) -> None:
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"{name} is a whole number of days, 1 or more, not {days!r}")


def _period(days: int) -> str:
    return "12 months" if days == 365 else f"{days} days"


def _in_window(at: datetime, *, now: datetime, days: int) -> bool:
    return now - timedelta(days=days) < at <= now


def _distinct(incidents: Iterable[VictimIncident], now: datetime, days: int,
              gravity_weights: Mapping[str, float] | None = None) -> list[VictimIncident]:
    """The incidents in the window, one per incident id, oldest first.

    The same incident given more than once (two records of one person, before a merge) is merged so
    that nothing recorded is lost and the input's order does not matter: its earliest time, its most
    serious offence (by harm, then by code), its highest risk grade and all its risk factors.
    """
    by_id: dict[str, list[VictimIncident]] = {}
    for i in incidents:
        _require_aware(i.at, f"incident {i.incident_id}")
        if _in_window(i.at, now=now, days=days):
            by_id.setdefault(i.incident_id, []).append(i)
    merged = []
    for incident_id, copies in by_id.items():
        if len(copies) == 1:
            merged.append(copies[0])
            continue
        grades = [c.risk_grade for c in copies if c.risk_grade is not None]
        factor_sets = [c.risk_factors for c in copies if c.risk_factors is not None]
        merged.append(VictimIncident(
            incident_id=incident_id,
            at=min(c.at for c in copies),
            offence=max((c.offence for c in copies), key=lambda o: (gravity_of(o, gravity_weights), o)),
            risk_grade=max(grades, key=lambda g: (GRADE_ORDER.get(g, 0), g)) if grades else None,
            risk_factors=frozenset().union(*factor_sets) if factor_sets else None,
        ))
    return sorted(merged, key=lambda i: (i.at, i.incident_id))


def incidents_in_window(incidents: Iterable[VictimIncident], *, now: datetime,
                        window_days: int = REPEAT_WINDOW_DAYS) -> int:
    """Different incidents in the last `window_days` days ending at `now` (see the module's note)."""
    _require_aware(now, "now")
    _check_days(window_days, "window_days")
    ids = set()
    for i in incidents:
        _require_aware(i.at, f"incident {i.incident_id}")
        if _in_window(i.at, now=now, days=window_days):
            ids.add(i.incident_id)
    return len(ids)


def is_repeat_victim(incidents: Iterable[VictimIncident], now: datetime, window_days: int = REPEAT_WINDOW_DAYS,
                     min_incidents: int = REPEAT_MIN_INCIDENTS) -> bool:
    """The force's definition: `min_incidents` (2) or more incidents in the last `window_days` (365)."""
    return incidents_in_window(incidents, now=now, window_days=window_days) >= min_incidents


def commander_flag(incidents: Iterable[VictimIncident], now: datetime, window_days: int = REPEAT_WINDOW_DAYS,
                   threshold: int = COMMANDER_THRESHOLD) -> bool:
    """Whether the victim goes on the local commander's list: `threshold` (3) or more in the window."""
    return incidents_in_window(incidents, now=now, window_days=window_days) >= threshold


def repeat_team_threshold(incidents: Iterable[VictimIncident], now: datetime,
                          window_days: int = REPEAT_WINDOW_DAYS, threshold: int = REPEAT_TEAM_THRESHOLD) -> bool:
    """Whether the victim meets the repeat-case team's threshold and belongs in its queue."""
    return incidents_in_window(incidents, now=now, window_days=window_days) >= threshold


def needs_named_owner(
    incidents: Iterable[VictimIncident],
    now: datetime,
    window_days: int = REPEAT_WINDOW_DAYS,
    min_incidents: int = REPEAT_MIN_INCIDENTS,
    team_threshold: int = REPEAT_TEAM_THRESHOLD,
    review_days: int = PLAN_REVIEW_DAYS,
) -> PlanRequirement | None:
    """The plan a repeat victim below the team's threshold must have, or None.

    None for someone who is not a repeat victim, and for one in the team's queue (the team owns them).
    Otherwise a named owner is required and the plan is reviewed by `review_days` (28) calendar days
    after the Europe/London date of `now`.
    """
    _check_days(review_days, "review_days")
    count = incidents_in_window(incidents, now=now, window_days=window_days)
    if count < min_incidents or count >= team_threshold:
        return None
    return PlanRequirement(
        owner_required=True,
        review_by=now.astimezone(LONDON).date() + timedelta(days=review_days),
        incidents_in_window=count,
        reason=(f"Repeat victim: {count} incidents in the last {_period(window_days)}, below the repeat-case "
                f"team's threshold of {team_threshold}. Needs a named owner and a review date."),
    )


def detect_escalation(
    incidents: Iterable[VictimIncident],
    *,
    now: datetime,
    lookback_days: int = ESCALATION_LOOKBACK_DAYS,
    period_days: int = ESCALATION_PERIOD_DAYS,
    min_recent: int = ESCALATION_MIN_RECENT,
    gravity_weights: Mapping[str, float] | None = None,
    factor_labels: Mapping[str, str] | None = None,
) -> Escalation:
    """The signs that a victim's abuse is escalating, each with its reason (see the module's note)."""
    _require_aware(now, "now")
    for days, name in ((lookback_days, "lookback_days"), (period_days, "period_days")):
        _check_days(days, name)
    incidents = list(incidents)
    reasons: list[EscalationReason] = []

    # More frequent: the last period against the one before it.
    recent = incidents_in_window(incidents, now=now, window_days=period_days)
    both = incidents_in_window(incidents, now=now, window_days=2 * period_days)
    before = both - recent
    if recent >= min_recent and recent > before:
        reasons.append(EscalationReason(MORE_FREQUENT, (
            f"{recent} incidents in the last {_period(period_days)}, up from {before} in the "
            f"{_period(period_days)} before.")))

    window = _distinct(incidents, now, lookback_days, gravity_weights)
    lookback = _period(lookback_days)

    # More serious: the latest incident's harm against every earlier one.
    if len(window) >= 2:
        *earlier, latest = window
        harm = gravity_of(latest.offence, gravity_weights)
        worst = max(earlier, key=lambda i: gravity_of(i.offence, gravity_weights))
        worst_harm = gravity_of(worst.offence, gravity_weights)
        if harm > worst_harm:
            reasons.append(EscalationReason(MORE_SERIOUS, (
                f"The latest incident ({offence_label(latest.offence)}) is more serious than any other in "
                f"the last {lookback} (at most {offence_label(worst.offence)}).")))

    # Higher risk grade: the latest grading against every earlier one.
    graded = [i for i in window if i.risk_grade is not None]
    for i in graded:
        if i.risk_grade not in GRADE_ORDER:
            raise ValueError(f"unknown risk grade {i.risk_grade!r} on incident {i.incident_id}")
    if len(graded) >= 2:
        *earlier, latest = graded
        highest = max(earlier, key=lambda i: GRADE_ORDER[i.risk_grade]).risk_grade
        if GRADE_ORDER[latest.risk_grade] > GRADE_ORDER[highest]:
            reasons.append(EscalationReason(HIGHER_RISK_GRADE, (
                f"Graded {latest.risk_grade} risk at the latest assessment, up from {highest} at most in "
                f"the last {lookback}.")))

    # New risk factors: codes in the latest assessment no earlier assessment recorded.
    assessed = [i for i in window if i.risk_factors is not None]
    if len(assessed) >= 2:
        *earlier, latest = assessed
        seen = set().union(*(i.risk_factors for i in earlier))
        new = sorted(set(latest.risk_factors) - seen)
        if new:
            labels = factor_labels or {}
            names = ", ".join(labels.get(code, code) for code in new)
            reasons.append(EscalationReason(NEW_RISK_FACTORS, (
                f"New risk factors at the latest assessment, not recorded in the last {lookback}: {names}.")))

    return Escalation(reasons=tuple(reasons))


def repeat_victim_status(
    incidents: Iterable[VictimIncident],
    *,
    now: datetime,
    window_days: int = REPEAT_WINDOW_DAYS,
    min_incidents: int = REPEAT_MIN_INCIDENTS,
    commander_threshold: int = COMMANDER_THRESHOLD,
    team_threshold: int = REPEAT_TEAM_THRESHOLD,
    review_days: int = PLAN_REVIEW_DAYS,
) -> RepeatStatus:
    """Everything the repeat-victim lists need about one victim, with the default escalation rule."""
    incidents = list(incidents)
    count = incidents_in_window(incidents, now=now, window_days=window_days)
    return RepeatStatus(
        incidents_in_window=count,
        is_repeat=count >= min_incidents,
        commander_flag=count >= commander_threshold,
        team_queue=count >= team_threshold,
        plan=needs_named_owner(incidents, now, window_days=window_days, min_incidents=min_incidents,
                               team_threshold=team_threshold, review_days=review_days),
        escalation=detect_escalation(incidents, now=now),
    )
