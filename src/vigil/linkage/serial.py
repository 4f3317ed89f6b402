"""Serial perpetrators and their recency, frequency, gravity (RFG) score. Plain rules, no Django.

Source: domain.md, "Serial perpetrators: recency, frequency, gravity (RFG)" (Northumbria's MATAC
definition; Vigil's own documented point scheme, all **policy**), and "Definitions from the report"
(domestic abuse is between people aged 16 or over).

**Dates.** Every rule here works on calendar dates: `today` is injected, and each incident carries the
date it happened on (its Europe/London date, as the caller supplies it). Incidents dated after `today`
are ignored (a clock or data error, not history).

**Windows.** "The last N months" ending `today` holds the dates *after* the same day N calendar months
before `today` and up to and including `today`: with today 15 June 2026, the last 3 years are 16 June
2023 to 15 June 2026, and an incident on 15 June 2023 (exactly 3 years ago) is out. When the same day
does not exist in the earlier month it is the month's last day (31 May less 3 months is 28 February, or
29 in a leap year). The same reading gives the recency bands: "within 1 month" of 15 June means on or
after 16 May; an incident on 15 May is in the 3-month band.

**Serial perpetrator** (`serial_perpetrator`): a suspect on domestic abuse incidents or crimes against
two or more different victims within the last 3 years. Vigil counts an incident only when it carries the
domestic abuse marker and both the suspect and the victim were 16 or over on its date, where their dates
of birth are known (an unknown date of birth does not exclude an incident: it was recorded as domestic
abuse, which already says 16+). A person is 16 from their 16th birthday, inclusive; someone born on 29
February is 16 from 1 March in a common year.

**RFG score** (`rfg_score`), exactly as domain.md gives it:
- recency: the latest counted incident within 1 month 20 points, 3 months 15, 6 months 10, 12 months 5,
  otherwise 0;
- frequency: 5 points per different incident in the last 24 months, at most 25 (one incident with two
  victims is one incident);
- gravity: the most serious offence in the last 24 months on the harm scale `HARM_SCALE` (or, where the
  force chooses, Cambridge Crime Harm Index weights passed in as a mapping);
- victims: 10 points for each different victim after the first. domain.md gives no window for this
  part; Vigil counts the victims of the last 24 months, like frequency and gravity
  (`VICTIMS_WINDOW_MONTHS`, **policy**).
The score keeps its parts, and the total is always their sum.

**Ranking** (`rank_perpetrators`): by total, highest first. Equal totals are ordered by gravity, then
recency, then victims, then frequency (each highest first: the most serious harm comes first), then by
the latest incident (most recent first), then by the suspect's id (ascending, as text), so the order
never depends on the order of the input.

The constants are domain.md's defaults; the design keeps policy values as data with history, which a
later change will load, and callers pass a force's own values where it has them.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

# --- Policy values (domain.md) ---------------------------------------------------------------------

SERIAL_WINDOW_YEARS = 3  # policy: "within the last 3 years"
SERIAL_MIN_VICTIMS = 2  # policy: "two or more different victims"
MIN_AGE = 16  # domestic abuse is between people aged 16 or over

RECENCY_BANDS: tuple[tuple[int, int], ...] = (  # policy: (within this many months, points)
    (1, 20),
    (3, 15),
    (6, 10),
    (12, 5),
)
FREQUENCY_WINDOW_MONTHS = 24  # policy
FREQUENCY_POINTS = 5  # policy: per incident as suspect
FREQUENCY_CAP = 25  # policy: at most
GRAVITY_WINDOW_MONTHS = 24  # policy
VICTIMS_WINDOW_MONTHS = 24  # policy (Vigil's choice: domain.md names no window for the victims part)
VICTIM_POINTS = 10  # policy: for each different victim after the first

NO_CRIME = "no_crime"

# policy: the harm scale of domain.md. Keys are offence codes; the Home Office offence groups Vigil
# records (incidents.OffenceGroup) are among them, so a crime's group can be used as it is.
HARM_SCALE: Mapping[str, int] = MappingProxyType({
    NO_CRIME: 0,
    "harassment": 5,
    "criminal_damage": 5,
    # Vigil's choice: domain.md does not place "other offences"; they score as the lowest crime level.
    "other": 5,
    "assault_without_injury": 10,
    "assault_with_injury": 20,
    "stalking": 20,
    "coercive_control": 20,
    "assault_with_intent": 30,
    "non_fatal_strangulation": 30,
    "sexual_offences": 30,
    "attempted_murder": 40,
    "rape": 40,
    "homicide": 40,  # Vigil's choice: domain.md's scale ends at 40, with attempted murder
})


def offence_label(offence: str) -> str:
    """A readable name for an offence code: "assault_with_injury" -> "assault with injury"."""
    return offence.replace("_", " ")


def gravity_of(offence: str, weights: Mapping[str, float] | None = None) -> float:
    """The harm weight of one offence: `HARM_SCALE` by default, or the force's own weights (for example
    Cambridge Crime Harm Index days of imprisonment). An offence the weights do not know is an error,
    never silently 0."""
    table = HARM_SCALE if weights is None else weights
    try:
        weight = table[offence]
    except KeyError:
        raise ValueError(f"no gravity weight for offence {offence!r}") from None
    if weight < 0:
        raise ValueError(f"gravity weights are 0 or more, not {weight!r} for {offence!r}")
    return weight


# --- Dates -----------------------------------------------------------------------------------------


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - date(year, month, 1)).days


def months_before(d: date, months: int) -> date:
    """The same day `months` calendar months before `d`, or the last day of that month when the day
    does not exist there (31 May less 3 months is 28 or 29 February)."""
    if months < 0:
        raise ValueError(f"months are 0 or more, not {months}")
    index = d.year * 12 + (d.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, _days_in_month(year, month)))


def within_months(on: date, *, today: date, months: int) -> bool:
    """Whether `on` is in the last `months` calendar months ending `today`: after the same day
    `months` months before, up to and including `today` (see the module's note)."""
    return months_before(today, months) < on <= today


def age_on(born: date, on: date) -> int:
    """Age in whole years on a date (from the birthday, inclusive; 29 February birthdays fall on
    1 March in common years)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


# --- Inputs and results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SuspectIncident:
    """One person's involvement as suspect: an incident (or crime) and one of its victims.

    An incident with two victims is two of these with the same `incident_id`.
    """

    incident_id: str
    on: date  # the incident's date (Europe/London)
    victim_id: str
    offence: str = NO_CRIME  # an offence code on the harm scale (or the force's gravity weights)
    domestic_abuse: bool = True  # the domestic abuse marker
    victim_born: date | None = None


@dataclass(frozen=True)
class SerialFinding:
    is_serial: bool
    victim_ids: tuple[str, ...]  # different victims in the window, sorted
    incident_ids: tuple[str, ...]  # different incidents in the window, sorted


@dataclass(frozen=True)
class RFGScore:
    recency: int
    frequency: int
    gravity: float
    victims: int
    latest: date | None  # the latest counted incident as suspect, if any
    incidents_24m: int  # different incidents in the frequency window
    victims_24m: int  # different victims in the victims window
    most_serious: str | None  # the offence that gave the gravity points, if any

    @property
    def total(self) -> float:
        return self.recency + self.frequency + self.gravity + self.victims

    @property
    def parts(self) -> tuple[tuple[str, float], ...]:
        """The parts in the order they are shown: recency, frequency, gravity, victims."""
        return (
            ("recency", self.recency),
            ("frequency", self.frequency),
            ("gravity", self.gravity),
            ("victims", self.victims),
        )


@dataclass(frozen=True)
class RankedPerpetrator:
    rank: int  # 1 is the top of the list; ties are broken, so every rank is different
    suspect_id: str
    score: RFGScore


# --- Rules -----------------------------------------------------------------------------------------


def counts_as_domestic_abuse(
    incident: SuspectIncident, *, suspect_born: date | None = None, min_age: int = MIN_AGE,
) -> bool:
    """The incident has the domestic abuse marker and neither party is known to be under `min_age`
    on its date."""
    if not incident.domestic_abuse:
        return False
    for born in (suspect_born, incident.victim_born):
        if born is not None and age_on(born, incident.on) < min_age:
            return False
    return True


def _counted(
    incidents: Iterable[SuspectIncident], *, today: date, months: int, suspect_born: date | None,
    min_age: int,
) -> list[SuspectIncident]:
    return [
        i for i in incidents
        if within_months(i.on, today=today, months=months)
        and counts_as_domestic_abuse(i, suspect_born=suspect_born, min_age=min_age)
    ]


def serial_perpetrator(
    incidents: Iterable[SuspectIncident],
    *,
    today: date,
    suspect_born: date | None = None,
    window_years: int = SERIAL_WINDOW_YEARS,
    min_victims: int = SERIAL_MIN_VICTIMS,
    min_age: int = MIN_AGE,
) -> SerialFinding:
    """Whether a suspect is a serial perpetrator: domestic abuse incidents against `min_victims` or
    more different victims in the last `window_years` years ending `today` (see the module's note)."""
    if window_years < 1 or min_victims < 1:
        raise ValueError("the window and the number of victims are 1 or more")
    counted = _counted(incidents, today=today, months=12 * window_years, suspect_born=suspect_born,
                       min_age=min_age)
    victims = tuple(sorted({i.victim_id for i in counted}))
    return SerialFinding(
        is_serial=len(victims) >= min_victims,
        victim_ids=victims,
        incident_ids=tuple(sorted({i.incident_id for i in counted})),
    )


def is_serial_perpetrator(incidents: Iterable[SuspectIncident], *, today: date, **options) -> bool:
    """`serial_perpetrator(...).is_serial`, with the same options."""
    return serial_perpetrator(incidents, today=today, **options).is_serial


def recency_points(latest: date | None, *, today: date,
                   bands: Iterable[tuple[int, int]] = RECENCY_BANDS) -> int:
    """Points for the latest incident: the first band (in months, narrowest first) it falls within."""
    if latest is None or latest > today:
        return 0
    for months, points in sorted(bands):
        if within_months(latest, today=today, months=months):
            return points
    return 0


def rfg_score(
    incidents: Iterable[SuspectIncident],
    *,
    today: date,
    suspect_born: date | None = None,
    gravity_weights: Mapping[str, float] | None = None,
    recency_bands: Iterable[tuple[int, int]] = RECENCY_BANDS,
    frequency_window_months: int = FREQUENCY_WINDOW_MONTHS,
    frequency_points: int = FREQUENCY_POINTS,
    frequency_cap: int = FREQUENCY_CAP,
    gravity_window_months: int = GRAVITY_WINDOW_MONTHS,
    victims_window_months: int = VICTIMS_WINDOW_MONTHS,
    victim_points: int = VICTIM_POINTS,
    min_age: int = MIN_AGE,
) -> RFGScore:
    """A suspect's RFG score from their incidents as suspect, with its parts (see the module's note).

    Only incidents that count as domestic abuse (`counts_as_domestic_abuse`) and are not after `today`
    score. `gravity_weights` replaces the harm scale (Cambridge Crime Harm Index-style weights: the
    days of imprisonment of each offence's sentencing-guideline starting point); such weights are
    usually far larger than the other parts, so a force scales them to the points it wants.
    """
    incidents = [i for i in incidents
                 if i.on <= today and counts_as_domestic_abuse(i, suspect_born=suspect_born, min_age=min_age)]
    latest = max((i.on for i in incidents), default=None)

    in_frequency = {i.incident_id for i in incidents
                    if within_months(i.on, today=today, months=frequency_window_months)}
    frequency = min(frequency_points * len(in_frequency), frequency_cap)

    gravity: float = 0
    most_serious: str | None = None
    # Deterministic: the heaviest offence, and among equal weights the first code in alphabetical order.
    for i in sorted(incidents, key=lambda i: i.offence):
        if within_months(i.on, today=today, months=gravity_window_months):
            weight = gravity_of(i.offence, gravity_weights)
            if most_serious is None or weight > gravity:
                gravity, most_serious = weight, i.offence

    victims = {i.victim_id for i in incidents
               if within_months(i.on, today=today, months=victims_window_months)}
    return RFGScore(
        recency=recency_points(latest, today=today, bands=recency_bands),
        frequency=frequency,
        gravity=gravity,
        victims=victim_points * max(len(victims) - 1, 0),
        latest=latest,
        incidents_24m=len(in_frequency),
        victims_24m=len(victims),
        most_serious=most_serious,
    )


def _rank_key(item: tuple[str, RFGScore]):
    suspect_id, s = item
    latest = s.latest.toordinal() if s.latest else 0
    return (-s.total, -s.gravity, -s.recency, -s.victims, -s.frequency, -latest, str(suspect_id))


def rank_perpetrators(scores: Mapping[str, RFGScore]) -> list[RankedPerpetrator]:
    """The suspects ranked by their RFG total, highest first, ties broken as the module's note says."""
    ordered = sorted(scores.items(), key=_rank_key)
    return [RankedPerpetrator(rank=n, suspect_id=sid, score=s) for n, (sid, s) in enumerate(ordered, start=1)]


def serial_perpetrator_list(
    incidents_by_suspect: Mapping[str, Iterable[SuspectIncident]],
    *,
    today: date,
    born: Mapping[str, date | None] | None = None,
    window_years: int = SERIAL_WINDOW_YEARS,
    min_victims: int = SERIAL_MIN_VICTIMS,
    gravity_weights: Mapping[str, float] | None = None,
) -> list[RankedPerpetrator]:
    """The serial perpetrators among the suspects given, ranked by RFG score (the MATAC list).

    `born` maps a suspect's id to their date of birth where it is known.
    """
    born = born or {}
    scores = {}
    for suspect_id, incidents in incidents_by_suspect.items():
        incidents = list(incidents)
        suspect_born = born.get(suspect_id)
        if serial_perpetrator(incidents, today=today, suspect_born=suspect_born, window_years=window_years,
                              min_victims=min_victims).is_serial:
            scores[suspect_id] = rfg_score(incidents, today=today, suspect_born=suspect_born,
                                           gravity_weights=gravity_weights)
    return rank_perpetrators(scores)
