"""Counter-allegations: pairs of people each recorded as victim and as suspect against the other.
Plain rules, no Django.

Source: domain.md, "Definitions from the report": a counter-allegation is when the person first
identified as the perpetrator alleges abuse by the victim; unresolved, services go to the abuser and the
victim goes without. Issue 7, item 5: such pairs are flagged for review so that the primary victim is
identified.

**The rule** (`find_counter_allegations`): two different people A and B form a pair when, in the last 3
years ending `today` (`COUNTER_ALLEGATION_WINDOW_YEARS`, **policy**, Vigil's default as domain.md names
no window), A is recorded as victim with B as suspect on at least one incident *and* B as victim with
A as suspect on at least one incident. The window is read as in `serial` (calendar dates: after the same
day 3 years before `today`, up to and including `today`; exactly 3 years ago is out; later than `today`
is ignored). One incident may give both sides (each recorded as victim and as suspect of the other).

**Order.** Each side lists its incidents most recent first (equal dates by incident id, ascending);
the pairs come most recent first by the latest incident on either side, then by the two ids. Within a
pair, `first` is the smaller id (as text), so a pair is the same whichever way round it was found.

**Primary victim** (`suggest_primary_victim`): a *suggestion only*, with its reasons. Each signal that
favours one person gives that person one reason: more incidents as victim; fewer as suspect; more
incidents with injuries as victim; a higher risk grading as victim; fewer other people they are
recorded as suspect against; and being the victim at the first incident between the two (the report's
pattern: the first identified perpetrator makes the counter-allegation). The person with more reasons is
suggested; with as many on each side there is no suggestion. The signals are weighed equally on purpose:
the decision is a human review, and the suggestion never decides services by itself.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from .repeat import GRADE_ORDER
from .serial import within_months

COUNTER_ALLEGATION_WINDOW_YEARS = 3  # policy (Vigil's choice)
HUMAN_DECISION = ("A suggestion only: a reviewer decides who is the primary victim, and services follow "
                  "that decision, not this suggestion.")


@dataclass(frozen=True)
class Involvement:
    """One incident on which `victim_id` was recorded as victim and `suspect_id` as suspect."""

    incident_id: str
    on: date  # the incident's date (Europe/London)
    victim_id: str
    suspect_id: str


@dataclass(frozen=True)
class CounterAllegation:
    first: str  # the smaller id, as text
    second: str
    first_as_victim: tuple[Involvement, ...]  # first the victim, second the suspect; most recent first
    second_as_victim: tuple[Involvement, ...]  # second the victim, first the suspect; most recent first

    @property
    def latest(self) -> date:
        return max(self.first_as_victim[0].on, self.second_as_victim[0].on)

    @property
    def people(self) -> tuple[str, str]:
        return (self.first, self.second)

    def as_victim(self, person_id: str) -> tuple[Involvement, ...]:
        """The incidents on which `person_id` is the victim and the other the suspect."""
        if person_id == self.first:
            return self.first_as_victim
        if person_id == self.second:
            return self.second_as_victim
        raise ValueError(f"{person_id!r} is not one of this pair")


@dataclass(frozen=True)
class PartySignals:
    """What the reviewer would weigh for one person of a pair (from the person's whole history)."""

    incidents_as_victim: int = 0
    incidents_as_suspect: int = 0
    injuries_as_victim: int = 0  # incidents on which they were injured as victim
    highest_risk_grade: str | None = None  # highest risk grading as victim: "standard", "medium", "high"
    other_victims: int = 0  # different people, other than the pair's other person, they were suspect against


@dataclass(frozen=True)
class PrimaryVictimSuggestion:
    suggested: str | None  # None when the signals are balanced
    first_reasons: tuple[str, ...]  # the reasons favouring the pair's first person as the primary victim
    second_reasons: tuple[str, ...]
    note: str = HUMAN_DECISION
    human_decision_required: bool = True  # always: the suggestion is not a decision


def _recent_first(involvements: Iterable[Involvement]) -> tuple[Involvement, ...]:
    return tuple(sorted(set(involvements), key=lambda i: (-i.on.toordinal(), i.incident_id)))


def find_counter_allegations(
    involvements: Iterable[Involvement],
    *,
    today: date,
    window_years: int = COUNTER_ALLEGATION_WINDOW_YEARS,
) -> list[CounterAllegation]:
    """The pairs each recorded as victim and as suspect against the other (see the module's note)."""
    if window_years < 1:
        raise ValueError(f"the window is 1 year or more, not {window_years}")
    directed: dict[tuple[str, str], list[Involvement]] = {}
    for i in involvements:
        if i.victim_id == i.suspect_id or not within_months(i.on, today=today, months=12 * window_years):
            continue
        directed.setdefault((i.victim_id, i.suspect_id), []).append(i)
    pairs = []
    for (victim, suspect), against in directed.items():
        if str(victim) < str(suspect) and (suspect, victim) in directed:
            pairs.append(CounterAllegation(
                first=victim,
                second=suspect,
                first_as_victim=_recent_first(against),
                second_as_victim=_recent_first(directed[(suspect, victim)]),
            ))
    pairs.sort(key=lambda p: (-p.latest.toordinal(), str(p.first), str(p.second)))
    return pairs


def is_counter_allegation(
    involvements: Iterable[Involvement], a: str, b: str, *, today: date,
    window_years: int = COUNTER_ALLEGATION_WINDOW_YEARS,
) -> bool:
    """Whether `a` and `b` (either way round) form a counter-allegation pair."""
    people = {a, b}
    relevant = [i for i in involvements if {i.victim_id, i.suspect_id} == people]
    return bool(find_counter_allegations(relevant, today=today, window_years=window_years))


def _grade(value: str | None) -> int:
    if value is None:
        return 0
    if value not in GRADE_ORDER:
        raise ValueError(f"unknown risk grade {value!r}")
    return GRADE_ORDER[value]


def suggest_primary_victim(
    pair: CounterAllegation, signals: Mapping[str, PartySignals],
) -> PrimaryVictimSuggestion:
    """Which of the pair is more likely the primary victim, as a suggestion with its reasons.

    `signals` holds each person's signals by id (a missing person counts as all zeros). See the
    module's note: every signal counts once, ties give no suggestion, and a human decides.
    """
    a, b = pair.first, pair.second
    sa, sb = signals.get(a, PartySignals()), signals.get(b, PartySignals())
    reasons: dict[str, list[str]] = {a: [], b: []}

    def favour(higher_is_victim: bool, va: int, vb: int, text: str) -> None:
        if va == vb:
            return
        winner_is_a = (va > vb) == higher_is_victim
        mine, theirs = (va, vb) if winner_is_a else (vb, va)
        reasons[a if winner_is_a else b].append(text.format(mine=mine, theirs=theirs))

    favour(True, sa.incidents_as_victim, sb.incidents_as_victim,
           "More incidents as victim ({mine}, against {theirs}).")
    favour(False, sa.incidents_as_suspect, sb.incidents_as_suspect,
           "Fewer incidents as suspect ({mine}, against {theirs}).")
    favour(True, sa.injuries_as_victim, sb.injuries_as_victim,
           "More incidents with injuries as victim ({mine}, against {theirs}).")
    ga, gb = _grade(sa.highest_risk_grade), _grade(sb.highest_risk_grade)
    if ga != gb:
        winner, (hi, lo) = (a, (sa, sb)) if ga > gb else (b, (sb, sa))
        reasons[winner].append(f"Higher risk grading as victim ({hi.highest_risk_grade}, against "
                               f"{lo.highest_risk_grade or 'none'}).")
    favour(False, sa.other_victims, sb.other_victims,
           "Recorded as suspect against fewer other people ({mine}, against {theirs}).")

    # The first incident between them: who was the victim then?
    earliest = min(i.on for i in pair.first_as_victim + pair.second_as_victim)
    first_victims = {i.victim_id for i in pair.first_as_victim + pair.second_as_victim if i.on == earliest}
    if len(first_victims) == 1:
        (victim,) = first_victims
        reasons[victim].append(f"The victim at the first incident between them ({earliest.isoformat()}).")

    suggested = None
    if len(reasons[a]) != len(reasons[b]):
        suggested = a if len(reasons[a]) > len(reasons[b]) else b
    return PrimaryVictimSuggestion(
        suggested=suggested, first_reasons=tuple(reasons[a]), second_reasons=tuple(reasons[b]),
    )
