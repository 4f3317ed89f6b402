"""The performance pack: every figure's definition, in plain rules with no Django import.

`pack_selectors.py` reads the tables for one period (from and to dates, inclusive, Europe/London) and one
area (or the whole force), hands the counts to `performance_pack()` here, and gets back a
`PerformancePack`: every figure with its value, or no value and the reason. `pack_json()` is the shape
`vigil report --format json` prints (docs/insight.md, "Performance pack", documents every key);
`pack_rows()` is the shape of the page's tables and the CSV.

The figures of the report's "Domestic abuse in Leicestershire" page (domain.md, "Seed figures") come
first, then repeat victims, supervision, the DASH answers, specialist reviews, victim contact, MARAC and
surveys. Each definition is in `DEFINITIONS`, in words a reader of the pack can check the number against.
"""

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median

# domain.md, "Seed figures": "arrests per 100 crimes with a domestic abuse marker | 54 (most forces: 45 to 90)".
NATIONAL_ARREST_RANGE = (45, 90)
# domain.md, "Seed figures": the report's values, shown beside the computed ones (12 months to 31 August 2013).
REPORT = {
    "da_share_of_calls_pct": "6 %",
    "repeat_victim_share_of_da_calls_pct": "10 %",
    "da_share_of_crime_pct": "9 % (nationally about 8 %)",
    "da_crimes": "5,429",
    "arrests_per_100_da_crimes": "54 (most forces 45 to 90)",
    "outcome_charge_pct": "27 %",
    "outcome_caution_pct": "13 %",
    "outcome_ooc_disposal_pct": "3 %",
    "assault_with_intent": "125 / 20 (16 %)",
    "assault_with_injury": "4,482 / 1,643 (37 %; nationally about a third)",
    "harassment": "867 / 352 (41 %)",
    "sexual_offences": "1,048 / 165 (16 %)",
    "active_cases": "942: 7 % high, 18 % medium, 75 % standard",
}

# The offence groups the report gives recorded / domestic abuse related counts for (incidents.OffenceGroup).
REPORTED_GROUPS: dict[str, str] = {
    "assault_with_intent": "Assaults with intent to cause serious harm",
    "assault_with_injury": "Assaults with injury",
    "harassment": "Harassment offences",
    "sexual_offences": "Sexual offences",
}
# Home Office "violence against the person" as the 2013 classification held it (harassment sat in violence
# without injury then); every offence group Vigil records is a victim-based crime.
VIOLENCE_AGAINST_THE_PERSON = ("assault_with_intent", "assault_with_injury", "assault_without_injury", "harassment")
SEXUAL_OFFENCES = ("sexual_offences",)
OUTCOMES = ("charge", "caution", "out_of_court", "nfa")  # incidents.Outcome.Type
OUTCOME_KEYS = {"charge": "outcome_charge_pct", "caution": "outcome_caution_pct",
                "out_of_court": "outcome_ooc_disposal_pct", "nfa": "outcome_nfa_pct"}
GRADES = ("high", "medium", "standard")
GRADE_RANK = {"standard": 1, "medium": 2, "high": 3}
ANSWER_OBTAINED = ("asked_at_scene", "victim_declined", "without_victim")  # risk.Answer.Obtained


@dataclass(frozen=True)
class Definition:
    label: str
    explanation: str


DEFINITIONS: dict[str, Definition] = {
    "calls_for_assistance": Definition(
        "Calls for assistance",
        "Every incident record received in the period (999, 101, online reports and officer-generated), one per "
        "call for assistance."),
    "da_calls": Definition(
        "Domestic abuse calls",
        "Incidents received in the period that carry the domestic abuse marker."),
    "da_share_of_calls_pct": Definition(
        "Domestic abuse share of calls for assistance",
        "Domestic abuse calls as a percentage of all calls for assistance in the period."),
    "repeat_victim_share_of_da_calls_pct": Definition(
        "Share of domestic abuse calls made by repeat victims",
        "Of the domestic abuse calls in the period, the percentage where a victim on the call was a repeat victim "
        "at the time: with this call, the same resolved person was the victim on at least the policy's number of "
        "domestic abuse incidents (default 2) within the policy's window (default 12 months, 365 days) ending "
        "at the call. Earlier incidents count from any area and from before the period. People are counted as "
        "Vigil has resolved them (linkage): records not yet linked to one person count as different people, "
        "so unlinked records make this figure lower."),
    "repeat_victim_share_of_victims_pct": Definition(
        "Share of victims who were repeat victims",
        "Of the different people who were the victim on a domestic abuse call in the period, the percentage "
        "who were a repeat victim (as above) on at least one of those calls."),
    "recorded_crimes": Definition(
        "Recorded crimes",
        "Crimes recorded in the period (by the date recorded), of every offence group."),
    "da_crimes": Definition(
        "Crimes with a domestic abuse marker",
        "Crimes recorded in the period that carry the domestic abuse marker."),
    "da_share_of_crime_pct": Definition(
        "Domestic abuse share of all recorded crime",
        "Crimes with a domestic abuse marker as a percentage of all crimes recorded in the period."),
    "offence_groups": Definition(
        "Offences recorded and domestic abuse related",
        "For each Home Office offence group the report names: crimes recorded in the period, those with the "
        "domestic abuse marker, and the domestic abuse share of the group."),
    "arrests_per_100_da_crimes": Definition(
        "Arrests per 100 domestic abuse crimes",
        "Arrests recorded against the crimes with a domestic abuse marker recorded in the period, per 100 of "
        "those crimes, whenever the arrest was made. Most forces made 45 to 90 (the report)."),
    "outcomes": Definition(
        "Outcomes of domestic abuse crimes",
        "For the crimes with a domestic abuse marker recorded in the period, the percentage whose outcome is a "
        "charge or summons, a caution, another out-of-court disposal, or no further action; 'no outcome yet' "
        "are those still under investigation. Outcomes are counted as they stand when the pack is run."),
    "charge_and_caution_rates": Definition(
        "Charge and caution rates compared",
        "The percentage of crimes recorded in the period whose outcome is a charge or summons, and a caution, "
        "for crimes with a domestic abuse marker, for all victim-based crime (every crime Vigil records), for "
        "violence against the person (assaults with intent, with injury and without injury, and harassment, as "
        "the 2013 classification grouped them) and for sexual offences."),
    "active_cases": Definition(
        "Active domestic abuse cases at the end of the period",
        "Safeguarding cases for domestic abuse incidents opened before the end of the period's last day and "
        "not closed by then, with the share at each risk level the case was opened with."),
    "supervisor_review": Definition(
        "Time to supervisor review",
        "Risk assessments whose first supervisor decision was made in the period: the median time from the "
        "officer's submission to that decision, and the percentage decided within the supervision deadline "
        "(policy, 24 hours)."),
    "dash_answers": Definition(
        "DASH questions asked of the victim at the scene",
        "Of the answers recorded on risk assessments made in the period, the percentage asked of the victim at "
        "the scene, declined by the victim, and completed later without the victim."),
    "specialist_review": Definition(
        "Specialist downgrades",
        "Specialist reviews decided in the period, and the percentage that lowered the grading (high to medium or "
        "standard, medium to standard), overall and from each starting grade."),
    "victim_contact": Definition(
        "Victim contact on time",
        "Tasks to contact or tell the victim (first contact, key events under the Victims' Code, court bail, "
        "release) that fell due in the period, up to now, and were not cancelled: the percentage done by their "
        "deadline. A task still open after its deadline is late."),
    "marac": Definition(
        "MARAC volumes and repeat rate",
        "Cases heard at the MARACs covering the area in the period (one case per victim per meeting), the "
        "percentage that were repeats (another referral in the 12 months before), referrals received, and cases "
        "a year per 10,000 women aged 16 and over where the population is known (recommended: 40)."),
    "survey": Definition(
        "Victim satisfaction",
        "Of the victims who completed the victim survey in the period (the survey call finished in the period; "
        "the survey's area, with an area), the percentage satisfied with the service overall; 'does not apply' "
        "is left out (insight.surveys)."),
}


# --- plain arithmetic -----------------------------------------------------------------------------------

def pct(part: float, whole: float) -> float | None:
    """`part` as a percentage of `whole`, to 2 decimal places; None when `whole` is 0."""
    if not whole:
        return None
    return round(100 * part / whole, 2)


def per_100(part: float, whole: float) -> float | None:
    return pct(part, whole)


# --- repeat victims -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Appearance:
    """A person as the victim on one domestic abuse incident. `counted`: the incident is in the pack's period
    and area (earlier ones, and ones in other areas, are history only)."""

    person: object  # any hashable key of the resolved person
    incident: object  # any hashable, orderable key of the incident
    at: datetime
    counted: bool


@dataclass(frozen=True)
class RepeatCounts:
    repeat_incidents: frozenset  # counted incidents with a repeat victim on them
    victims: int  # different people who were the victim on a counted incident
    repeat_victims: int  # of those, people who were a repeat victim on at least one counted incident


def repeat_victims(appearances: Iterable[Appearance], *, window: timedelta, min_incidents: int) -> RepeatCounts:
    """Which counted incidents had a repeat victim: a person who, with this incident, was the victim on at
    least `min_incidents` different incidents in the window ending at it, (at - window, at]. Incidents at the
    same moment are ordered by their key, so the answer never depends on the input's order. The same person
    twice on one incident counts once."""
    by_person: dict[object, dict[object, tuple[datetime, bool]]] = defaultdict(dict)
    for a in appearances:
        seen = by_person[a.person].get(a.incident)
        by_person[a.person][a.incident] = (a.at, a.counted or (seen is not None and seen[1]))
    repeat_incidents: set = set()
    victims = repeaters = 0
    for incidents in by_person.values():
        ordered = sorted((at, incident, counted) for incident, (at, counted) in incidents.items())
        times = [at for at, _, _ in ordered]
        was_victim = was_repeat = False
        for position, (at, incident, counted) in enumerate(ordered):
            if not counted:
                continue
            was_victim = True
            first = bisect_right(times, at - window, hi=position)  # the window excludes exactly at - window
            in_window = position - first + 1
            if in_window >= min_incidents:
                repeat_incidents.add(incident)
                was_repeat = True
        victims += was_victim
        repeaters += was_repeat
    return RepeatCounts(frozenset(repeat_incidents), victims, repeaters)


# --- the inputs and the pack ---------------------------------------------------------------------------

@dataclass(frozen=True)
class CrimeCount:
    """Crimes recorded in the period in one offence group, with or without the domestic abuse marker, with
    one outcome type ("" for no outcome yet)."""

    group: str
    domestic_abuse: bool
    outcome: str
    count: int


@dataclass(frozen=True)
class SupervisionTime:
    submitted_at: datetime
    decided_at: datetime


@dataclass(frozen=True)
class SpecialistDecision:
    previous_grade: str
    grade: str


@dataclass(frozen=True)
class ContactTask:
    due_at: datetime
    done_at: datetime | None  # None: still open


@dataclass(frozen=True)
class MaracCounts:
    cases_heard: int
    repeat_cases: int
    referrals_received: int
    cases_a_year_per_10k_women: float | None
    maracs: int  # how many MARAC areas the counts cover


@dataclass(frozen=True)
class PackInputs:
    start: date  # inclusive
    end: date  # inclusive
    area: tuple[str, str] | None  # (code, name); None for the whole force
    active_at: datetime  # the end of the period: active cases are counted at this instant
    now: datetime
    calls: int
    da_calls: int
    repeats: RepeatCounts
    crimes: Sequence[CrimeCount]
    da_arrests: int
    active_cases: Mapping[str, int]  # risk level -> cases
    supervision: Sequence[SupervisionTime]
    supervision_deadline: timedelta
    answers: Mapping[str, int]  # Answer.obtained -> answers
    assessments_answered: int
    specialist: Sequence[SpecialistDecision]
    contact_tasks: Sequence[ContactTask]
    marac: MaracCounts | None  # None: no MARAC covers the area
    survey: tuple[int, int] | None  # (responses, satisfied); None: Vigil holds no survey responses
    repeat_window_days: int = 365
    repeat_min_incidents: int = 2


@dataclass
class PerformancePack:
    inputs: PackInputs
    figures: dict = field(default_factory=dict)  # the JSON shape, see pack_json
    not_available: dict[str, str] = field(default_factory=dict)  # key -> why there is no value


def _rate_pair(crimes: Sequence[CrimeCount], keep) -> dict:
    chosen = [c for c in crimes if keep(c)]
    total = sum(c.count for c in chosen)
    charge = sum(c.count for c in chosen if c.outcome == "charge")
    caution = sum(c.count for c in chosen if c.outcome == "caution")
    return {"crimes": total, "charge_pct": pct(charge, total), "caution_pct": pct(caution, total)}


def performance_pack(i: PackInputs) -> PerformancePack:
    """Every figure of the pack from the counts read for one period and area."""
    f: dict = {
        "period": {"from": i.start.isoformat(), "to": i.end.isoformat(),
                   "area": {"code": i.area[0], "name": i.area[1]} if i.area else None},
        "calls_for_assistance": i.calls,
        "da_calls": i.da_calls,
        "da_share_of_calls_pct": pct(i.da_calls, i.calls),
        "repeat_victim_da_calls": len(i.repeats.repeat_incidents),
        "repeat_victim_share_of_da_calls_pct": pct(len(i.repeats.repeat_incidents), i.da_calls),
        "da_victims": i.repeats.victims,
        "repeat_victims": i.repeats.repeat_victims,
        "repeat_victim_share_of_victims_pct": pct(i.repeats.repeat_victims, i.repeats.victims),
        "repeat_victim_policy": {"window_days": i.repeat_window_days, "min_incidents": i.repeat_min_incidents},
    }
    crimes = list(i.crimes)
    da = [c for c in crimes if c.domestic_abuse]
    recorded, da_total = sum(c.count for c in crimes), sum(c.count for c in da)
    f |= {"recorded_crimes": recorded, "da_crimes": da_total, "da_share_of_crime_pct": pct(da_total, recorded)}
    for group in REPORTED_GROUPS:
        in_group = sum(c.count for c in crimes if c.group == group)
        da_in_group = sum(c.count for c in da if c.group == group)
        f[group] = {"recorded": in_group, "da_related": da_in_group, "da_share_pct": pct(da_in_group, in_group)}
    f["da_arrests"] = i.da_arrests
    f["arrests_per_100_da_crimes"] = per_100(i.da_arrests, da_total)
    f["national_arrest_range"] = list(NATIONAL_ARREST_RANGE)
    for outcome, key in OUTCOME_KEYS.items():
        f[key] = pct(sum(c.count for c in da if c.outcome == outcome), da_total)
    f["outcome_pending_pct"] = pct(sum(c.count for c in da if not c.outcome), da_total)
    f["charge_and_caution_rates"] = {
        "domestic_abuse": _rate_pair(crimes, lambda c: c.domestic_abuse),
        "all_victim_based": _rate_pair(crimes, lambda c: True),
        "violence_against_the_person": _rate_pair(crimes, lambda c: c.group in VIOLENCE_AGAINST_THE_PERSON),
        "sexual_offences": _rate_pair(crimes, lambda c: c.group in SEXUAL_OFFENCES),
    }

    active_total = sum(i.active_cases.get(g, 0) for g in GRADES)
    f["active_cases"] = {"at": i.active_at.isoformat(), "total": active_total,
                         **{g: i.active_cases.get(g, 0) for g in GRADES},
                         **{f"{g}_pct": pct(i.active_cases.get(g, 0), active_total) for g in GRADES}}

    hours = [(s.decided_at - s.submitted_at).total_seconds() / 3600 for s in i.supervision]
    within = sum(1 for s in i.supervision if s.decided_at - s.submitted_at <= i.supervision_deadline)
    f["supervisor_review"] = {
        "reviews": len(hours), "median_hours": round(median(hours), 2) if hours else None,
        "within_deadline_pct": pct(within, len(hours)),
        "deadline_hours": round(i.supervision_deadline.total_seconds() / 3600, 2)}

    answered = sum(i.answers.get(o, 0) for o in ANSWER_OBTAINED)
    f["dash_answers"] = {"answers": answered, "assessments": i.assessments_answered,
                         **{f"{o}_pct": pct(i.answers.get(o, 0), answered) for o in ANSWER_OBTAINED}}

    def downgrades(decisions: Sequence[SpecialistDecision]) -> dict:
        down = sum(1 for d in decisions if GRADE_RANK.get(d.grade, 0) < GRADE_RANK.get(d.previous_grade, 0))
        return {"reviews": len(decisions), "downgrades": down, "downgrade_pct": pct(down, len(decisions))}

    f["specialist_review"] = {
        **downgrades(i.specialist),
        "from_high": downgrades([d for d in i.specialist if d.previous_grade == "high"]),
        "from_medium": downgrades([d for d in i.specialist if d.previous_grade == "medium"]),
    }

    due = [t for t in i.contact_tasks if t.due_at <= i.now]
    on_time = sum(1 for t in due if t.done_at is not None and t.done_at <= t.due_at)
    f["victim_contact"] = {"due": len(due), "on_time": on_time, "on_time_pct": pct(on_time, len(due))}

    m = i.marac
    f["marac"] = {
        "maracs": m.maracs if m else 0,
        "cases_heard": m.cases_heard if m else 0,
        "repeat_cases": m.repeat_cases if m else 0,
        "repeat_rate_pct": pct(m.repeat_cases, m.cases_heard) if m else None,
        "referrals_received": m.referrals_received if m else 0,
        "cases_a_year_per_10k_women": round(m.cases_a_year_per_10k_women, 2)
        if m and m.cases_a_year_per_10k_women is not None else None,
    }
    responses, satisfied = i.survey or (0, 0)
    f["survey"] = {"responses": responses, "satisfied_pct": pct(satisfied, responses)}

    pack = PerformancePack(inputs=i, figures=f)
    pack.not_available = _reasons(f, i)
    return pack


def _reasons(f: dict, i: PackInputs) -> dict[str, str]:
    """Why each figure without a value has none, by its JSON path."""
    reasons: dict[str, str] = {}
    empty = {
        "da_share_of_calls_pct": "no calls were received in the period",
        "repeat_victim_share_of_da_calls_pct": "no domestic abuse calls were received in the period",
        "repeat_victim_share_of_victims_pct": "no victims were recorded on domestic abuse calls in the period",
        "da_share_of_crime_pct": "no crimes were recorded in the period",
        "arrests_per_100_da_crimes": "no crimes with a domestic abuse marker were recorded in the period",
        "supervisor_review.median_hours": "no supervisor decided a grading in the period",
        "dash_answers.asked_at_scene_pct": "no checklist answers were recorded on assessments in the period",
        "specialist_review.downgrade_pct": "no specialist reviews were decided in the period",
        "victim_contact.on_time_pct": "no victim-contact tasks fell due in the period",
        "marac.repeat_rate_pct": ("no MARAC covers the area" if i.marac is None
                                  else "no MARAC cases were heard in the period"),
        "marac.cases_a_year_per_10k_women": "the number of women aged 16 and over is not known for every MARAC",
        "survey.satisfied_pct": ("Vigil holds no victim survey responses yet" if i.survey is None
                                 else "no victim completed a survey in the period"),
        "active_cases.high_pct": "no domestic abuse cases were active at the end of the period",
    }
    for path, reason in empty.items():
        value = f
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            reasons[path] = reason
    for key in OUTCOME_KEYS.values():
        if f[key] is None:
            reasons[key] = empty["arrests_per_100_da_crimes"]
    for group in REPORTED_GROUPS:
        if f[group]["da_share_pct"] is None:
            reasons[f"{group}.da_share_pct"] = "no crimes of this group were recorded in the period"
    return reasons


def pack_json(pack: PerformancePack) -> dict:
    """The JSON of `vigil report --format json`: the figures, and `not_available` (why a value is null)."""
    return {**pack.figures, "not_available": dict(pack.not_available)}


# --- rows for the page and the CSV ---------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    section: str
    key: str  # the JSON path
    label: str
    value: float | int | None
    unit: str  # "%", "count", "per 100", "hours"
    report: str = ""  # the report's value, where it gives one


def value_text(row: Row) -> str:
    if row.value is None:
        return "Not available"
    if row.unit == "%":
        return f"{row.value:.1f} %"
    if row.unit == "count":
        return f"{row.value:,}"
    return f"{row.value:.1f}"


def pack_rows(pack: PerformancePack) -> list[Row]:
    """Every figure as one row (section, JSON path, label, value, unit, the report's value)."""
    f = pack.figures
    rows: list[Row] = []

    def add(section: str, key: str, label: str, unit: str, report: str = "") -> None:
        value = f
        for part in key.split("."):
            value = value[part]
        rows.append(Row(section, key, label, value, unit, report))

    s = "Domestic abuse in the area"
    add(s, "calls_for_assistance", "Calls for assistance", "count")
    add(s, "da_calls", "Domestic abuse calls", "count")
    add(s, "da_share_of_calls_pct", "Domestic abuse share of calls", "%", REPORT["da_share_of_calls_pct"])
    add(s, "repeat_victim_share_of_da_calls_pct", "Share of domestic abuse calls made by repeat victims", "%",
        REPORT["repeat_victim_share_of_da_calls_pct"])
    add(s, "recorded_crimes", "Recorded crimes", "count")
    add(s, "da_crimes", "Crimes with a domestic abuse marker", "count", REPORT["da_crimes"])
    add(s, "da_share_of_crime_pct", "Domestic abuse share of recorded crime", "%", REPORT["da_share_of_crime_pct"])
    for group, label in REPORTED_GROUPS.items():
        add(s, f"{group}.recorded", f"{label}: recorded", "count", REPORT[group])
        add(s, f"{group}.da_related", f"{label}: domestic abuse related", "count")
        add(s, f"{group}.da_share_pct", f"{label}: domestic abuse share", "%")
    add(s, "active_cases.total", "Active domestic abuse cases at the end of the period", "count",
        REPORT["active_cases"])
    for grade in GRADES:
        add(s, f"active_cases.{grade}_pct", f"Active cases at {grade} risk", "%")
    add(s, "arrests_per_100_da_crimes", "Arrests per 100 domestic abuse crimes", "per 100",
        REPORT["arrests_per_100_da_crimes"])
    for key, label in (("outcome_charge_pct", "Charge or summons"), ("outcome_caution_pct", "Caution"),
                       ("outcome_ooc_disposal_pct", "Out-of-court disposal"),
                       ("outcome_nfa_pct", "No further action"), ("outcome_pending_pct", "No outcome yet")):
        add(s, key, f"Outcome of domestic abuse crimes: {label.lower()}", "%", REPORT.get(key, ""))
    s = "Charge and caution rates"
    for group, label in (("domestic_abuse", "Domestic abuse"), ("all_victim_based", "All victim-based crime"),
                         ("violence_against_the_person", "Violence against the person"),
                         ("sexual_offences", "Sexual offences")):
        add(s, f"charge_and_caution_rates.{group}.charge_pct", f"{label}: charged", "%")
        add(s, f"charge_and_caution_rates.{group}.caution_pct", f"{label}: cautioned", "%")
    s = "Repeat victims"
    add(s, "repeat_victim_da_calls", "Domestic abuse calls by repeat victims", "count")
    add(s, "da_victims", "Victims on domestic abuse calls", "count")
    add(s, "repeat_victims", "Of whom repeat victims", "count")
    add(s, "repeat_victim_share_of_victims_pct", "Share of victims who were repeat victims", "%")
    s = "Risk assessment and review"
    add(s, "supervisor_review.reviews", "Supervisor reviews", "count")
    add(s, "supervisor_review.median_hours", "Median time to supervisor review", "hours")
    add(s, "supervisor_review.within_deadline_pct", "Supervisor reviews within the deadline", "%")
    add(s, "dash_answers.answers", "DASH answers recorded", "count")
    add(s, "dash_answers.asked_at_scene_pct", "DASH answers asked of the victim at the scene", "%")
    add(s, "dash_answers.victim_declined_pct", "DASH answers the victim declined", "%")
    add(s, "dash_answers.without_victim_pct", "DASH answers completed without the victim", "%")
    add(s, "specialist_review.reviews", "Specialist reviews", "count")
    add(s, "specialist_review.downgrade_pct", "Specialist reviews that downgraded", "%")
    add(s, "specialist_review.from_high.downgrade_pct", "Downgrades of high-risk gradings", "%")
    add(s, "specialist_review.from_medium.downgrade_pct", "Downgrades of medium-risk gradings", "%")
    s = "Victims"
    add(s, "victim_contact.due", "Victim-contact tasks due", "count")
    add(s, "victim_contact.on_time_pct", "Victim contact on time", "%")
    add(s, "survey.responses", "Survey responses", "count")
    add(s, "survey.satisfied_pct", "Victims satisfied", "%")
    s = "MARAC"
    add(s, "marac.cases_heard", "MARAC cases heard", "count")
    add(s, "marac.repeat_rate_pct", "MARAC repeat rate", "%", "national 31 % (2023-24)")
    add(s, "marac.referrals_received", "MARAC referrals received", "count")
    add(s, "marac.cases_a_year_per_10k_women", "MARAC cases a year per 10,000 women aged 16+", "per 10,000",
        "recommended 40")
    return rows


def chart_rows_outcomes(pack: PerformancePack) -> list[tuple[str, float | None]]:
    f = pack.figures
    return [("Charge or summons", f["outcome_charge_pct"]), ("Caution", f["outcome_caution_pct"]),
            ("Out-of-court disposal", f["outcome_ooc_disposal_pct"]), ("No further action", f["outcome_nfa_pct"]),
            ("No outcome yet", f["outcome_pending_pct"])]
