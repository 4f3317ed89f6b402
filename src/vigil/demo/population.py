"""The true world of a synthetic force: people, households, couples, families and children, and the
domestic abuse incidents between them, with repeat and escalating victims and serial perpetrators.

Plain Python with no Django import. Everything here is the ground truth; noise.py decides how it
was written down, force.py turns it into rows. Volumes use exact quotas shuffled with the seeded
generator, so that every seed reproduces the profile's figures.
"""

import math
import random
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from faker import Faker

from .noise import formal_names
from .profiles import Profile

DAY = 86_400
YEAR_DAYS = 365
REPEAT_LOOKBACK = 330 * DAY  # a repeat victim's previous incident is at most this long ago
SERIAL_LOOKBACK = 3 * 365 * DAY  # Northumbria's serial perpetrator window
# The planted history signal (`history_signal=True`, `vigil demo --plant-history-signal`): a repeat slot
# goes to a victim in the look-back with a weight in (0, 1] (see `DAHistory.planted_weight`).
PLANTED_INCIDENTS_CAP = 4  # the weight rises with the victim's incidents in the last year, up to this many
PLANTED_GAP_DAYS = 180.0  # and falls with the days between the victim's last two incidents (e-fold)
PLANTED_GAP_CAP_DAYS = 365  # a victim with one incident counts as this long a gap
PLANTED_OTHER_VICTIMS_CAP = 2  # and rises with the suspect's other victims, up to this many
GRADES = ("high", "medium", "standard")
# Most serious first: escalating victims and high grades draw from the front of this order.
OFFENCE_SEVERITY = ("assault_with_intent", "sexual_offences", "assault_with_injury", "harassment",
                    "assault_without_injury", "criminal_damage", "other")
CASE_DAYS = {"high": (30, 120), "medium": (14, 60), "standard": (3, 28)}
ETHNICITIES = (("White: British", 0.72), ("Asian or Asian British: Indian", 0.11), ("White: other", 0.04),
               ("Asian or Asian British: other", 0.03), ("Black or Black British", 0.02),
               ("Mixed or multiple", 0.02), ("", 0.06))
STREET_SUFFIXES = ("Road", "Street", "Avenue", "Close", "Lane", "Drive", "Crescent", "Gardens", "Place", "Way")
STREET_WORDS = ("Ash", "Beech", "Birch", "Cedar", "Elm", "Hazel", "Holly", "Maple", "Oak", "Rowan", "Willow",
                "Meadow", "Orchard", "Mill", "Church", "Station", "Park", "Spring", "Brook", "Field", "Kings",
                "Queens", "Victoria", "Albert", "Windsor", "Grange", "Manor", "Priory", "Abbey", "Forest")
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def quota_counts(total: int, shares: dict[str, float], rest: str | None = None) -> dict[str, int]:
    """Split `total` by `shares` exactly (largest remainder). With `rest`, that key takes what the
    shares leave over (the shares then sum to less than one)."""
    if rest is not None:
        shares = {**shares, rest: max(0.0, 1.0 - sum(shares.values()))}
    scale = sum(shares.values())
    exact = {key: total * share / scale for key, share in shares.items()}
    counts = {key: int(value) for key, value in exact.items()}
    short = total - sum(counts.values())
    for key in sorted(exact, key=lambda k: exact[k] - counts[k], reverse=True)[:short]:
        counts[key] += 1
    return counts


def shuffled_quota(counts: dict[str, int], rng: random.Random) -> list[str]:
    items = [key for key, count in counts.items() for _ in range(count)]
    rng.shuffle(items)
    return items


@dataclass(frozen=True)
class Volumes:
    """A profile's yearly volumes at one scale."""

    da_incidents: int
    all_calls: int
    da_crime_offences: dict[str, int]
    non_da_crime_offences: dict[str, int]
    repeat_incidents: int
    active_cases: dict[str, int]

    @property
    def non_da_incidents(self) -> int:
        return self.all_calls - self.da_incidents


def volumes_for(profile: Profile, scale: float) -> Volumes:
    da_incidents = round(profile.da_incidents_per_year * scale)
    da_crimes = round(profile.da_crimes_per_year * scale)
    non_da_crimes = round(profile.crimes_per_year * scale) - da_crimes
    reported = profile.reported_offence_groups
    da_offences = {group: round(q.domestic_abuse * scale) for group, q in reported.items()}
    da_offences |= quota_counts(da_crimes - sum(da_offences.values()), profile.other_da_offence_shares)
    non_da_offences = {group: round((q.recorded - q.domestic_abuse) * scale) for group, q in reported.items()}
    non_da_offences |= quota_counts(non_da_crimes - sum(non_da_offences.values()),
                                    profile.other_non_da_offence_shares)
    return Volumes(
        da_incidents=da_incidents,
        all_calls=round(da_incidents / profile.da_share_of_calls),
        da_crime_offences=da_offences,
        non_da_crime_offences=non_da_offences,
        repeat_incidents=round(da_incidents * profile.repeat_victim_share),
        active_cases=quota_counts(round(profile.active_cases_at_year_end * scale),
                                  profile.active_case_grade_shares),
    )


def year_bounds(profile: Profile) -> list[tuple[int, int]]:
    """(start, end) in UTC epoch seconds of each generated year, oldest first; the last is the
    calibrated force-year. Years start at local midnight on the profile's start day."""
    zone = ZoneInfo(profile.timezone)
    first = profile.force_year_start.year - profile.history_years
    starts = [datetime(first + i, profile.force_year_start.month, profile.force_year_start.day, tzinfo=zone)
              for i in range(profile.years + 1)]
    return [(int(a.timestamp()), int(b.timestamp())) for a, b in zip(starts, starts[1:], strict=False)]


@dataclass(frozen=True)
class NamePools:
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]

    @classmethod
    def build(cls, seed: int) -> "NamePools":
        """Build the pools once from Faker en_GB, seeded; the generator then picks from them."""
        fake = Faker("en_GB")
        fake.seed_instance(seed)
        female = {fake.first_name_female() for _ in range(500)} | set(formal_names("F"))
        male = {fake.first_name_male() for _ in range(500)} | set(formal_names("M"))
        family = {fake.last_name() for _ in range(1500)}
        return cls(tuple(sorted(female)), tuple(sorted(male)), tuple(sorted(family)))


@dataclass(slots=True, eq=False)
class TrueAddress:
    line: str
    town: str
    postcode: str
    area: int


@dataclass(slots=True, eq=False)
class TruePerson:
    id: int
    sex: str
    given_name: str
    family_name: str
    date_of_birth: date
    ethnicity: str
    address: TrueAddress
    phone: str | None
    partner_family_name: str | None = None
    children: list["TruePerson"] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class DAEvent:
    """One domestic abuse incident in the true world, and what the force did about it."""

    at: int
    year: int
    victim: TruePerson
    suspect: TruePerson
    kind: str
    detail: str
    children: list[TruePerson]
    repeat: bool
    episode: int  # 1 for the victim's first incident, 2 for the next...
    grade: str = "standard"
    yes_count: int = 0
    offence: str | None = None
    arrested: bool = False
    outcome: str = ""
    nfa_reason: str = ""
    case_closed_at: int | None = None


class World:
    """Draws the true people of one force partition."""

    def __init__(self, profile: Profile, rng: random.Random, names: NamePools, first_person_id: int):
        self.profile = profile
        self.rng = rng
        self.names = names
        self.next_person_id = first_person_id
        self.area_weights = [area.weight for area in profile.areas]
        self.districts = [tuple(area.districts.items()) for area in profile.areas]
        self.ethnicities = [e for e, _ in ETHNICITIES]
        self.ethnicity_weights = [w for _, w in ETHNICITIES]

    def mobile(self) -> str:
        return f"+4477009{self.rng.randrange(100_000):05d}"

    def landline(self) -> str:
        return f"+44116496{self.rng.randrange(10_000):04d}"

    def usual_phone(self) -> str | None:
        draw = self.rng.random()
        return self.mobile() if draw < 0.85 else self.landline() if draw < 0.95 else None

    def address(self, area: int | None = None) -> TrueAddress:
        rng = self.rng
        if area is None:
            area = rng.choices(range(len(self.area_weights)), self.area_weights)[0]
        district, town = rng.choice(self.districts[area])
        street = f"{rng.choice(STREET_WORDS)} {rng.choice(STREET_SUFFIXES)}"
        number = rng.randrange(1, 180)
        line = f"{number} {street}"
        if rng.random() < 0.22:
            line = f"Flat {rng.randrange(1, 25)}, {line}"
        postcode = f"{district} {rng.randrange(10)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
        return TrueAddress(line, town, postcode, area)

    def person(self, *, sex: str, born: date, address: TrueAddress, family_name: str | None = None,
               phone: bool = True) -> TruePerson:
        rng = self.rng
        given = rng.choice(self.names.female if sex == "F" else self.names.male)
        person = TruePerson(
            id=self.next_person_id, sex=sex, given_name=given,
            family_name=family_name or rng.choice(self.names.family), date_of_birth=born,
            ethnicity=rng.choices(self.ethnicities, self.ethnicity_weights)[0],
            address=address, phone=self.usual_phone() if phone else None,
        )
        self.next_person_id += 1
        return person

    def born(self, at: int, age: float) -> date:
        """A date of birth giving `age` (years, may be fractional) at epoch time `at`."""
        return utc_date(at) - timedelta(days=int(age * 365.25))

    def adult_age(self) -> float:
        return 16 + self.rng.betavariate(2, 5) * 60 + self.rng.random()

    def household_children(self, parent: TruePerson, at: int, parent_age: float, family_name: str) -> None:
        rng = self.rng
        if parent_age < 18 or rng.random() >= self.profile.children_in_household_share:
            return
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            age = rng.uniform(0, min(15.9, parent_age - 16))
            parent.children.append(self.person(sex=rng.choice("FM"), born=self.born(at, age),
                                               address=parent.address, family_name=family_name, phone=False))

    def new_victim(self, at: int, *, intimate: bool) -> tuple[TruePerson, float]:
        sex = "F" if self.rng.random() < (0.8 if intimate else 0.6) else "M"
        age = self.adult_age()
        return self.person(sex=sex, born=self.born(at, age), address=self.address()), age

    def new_partner(self, victim: TruePerson, at: int, victim_age: float, *, cohabiting: bool) -> TruePerson:
        rng = self.rng
        sex = ("M" if victim.sex == "F" else "F") if rng.random() < 0.95 else victim.sex
        age = max(16.0, victim_age + rng.gauss(2, 5))
        home = victim.address if cohabiting else self.address(victim.address.area)
        partner = self.person(sex=sex, born=self.born(at, age), address=home)
        if cohabiting and partner.sex == "M" and victim.sex == "F" and rng.random() < 0.5:
            victim.partner_family_name = partner.family_name
        return partner

    def family_suspect(self, victim: TruePerson, at: int, victim_age: float) -> tuple[TruePerson, str]:
        """An adult relative of the victim, and what they are to the victim."""
        rng = self.rng
        sex = "M" if rng.random() < 0.75 else "F"
        if victim_age >= 40:
            age, detail = victim_age - rng.uniform(20, 30), {"M": "son", "F": "daughter"}[sex]
        elif victim_age <= 30:
            age, detail = victim_age + rng.uniform(20, 32), {"M": "father", "F": "mother"}[sex]
        else:
            age, detail = victim_age + rng.uniform(-5, 5), {"M": "brother", "F": "sister"}[sex]
        home = victim.address if rng.random() < 0.6 else self.address(victim.address.area)
        return self.person(sex=sex, born=self.born(at, max(age, 16.0)), address=home,
                           family_name=victim.family_name), detail


def utc_date(at: int) -> date:
    return datetime.fromtimestamp(at, UTC).date()


def age_at(person: TruePerson, at: int) -> float:
    return (utc_date(at) - person.date_of_birth).days / 365.25


def partner_detail(suspect: TruePerson, kind: str) -> str:
    word = {"M": "boyfriend", "F": "girlfriend"}[suspect.sex]
    return f"ex-{word}" if kind == "former_partner" else word


def children_present(victim: TruePerson, at: int, rng: random.Random, share: float) -> list[TruePerson]:
    if not victim.children or rng.random() >= share:
        return []
    return [child for child in victim.children if age_at(child, at) < 18]


class DAHistory:
    """Draws the domestic abuse incidents of a partition in time order. A repeat slot goes to a victim
    with an incident in the previous 330 days; any other slot goes to a new victim, whose abuser is
    sometimes a serial perpetrator already known for another victim in the last three years.

    Which victim a repeat slot goes to:

    - by default, uniformly among the distinct victims in the look-back, whatever their history, so
      that a victim's history does not predict whether they come back (the evaluation's null: neither
      the history nor the DASH answers beat chance at predicting a further incident);
    - with `history_signal`, with a weight that rises with the victim's incidents in the last year and
      with the suspect's other victims and falls with the days between the victim's last two incidents
      (`planted_weight`): a known relationship between history and later harm for the evaluation to
      recover.

    Both draw by rejection: an incident in the look-back is picked uniformly and its victim accepted
    with probability weight / (the victim's incidents in the look-back), which picks each distinct
    victim with probability proportional to its weight. The incident picked is the `previous` one the
    repeat continues (its suspect and relationship), as before."""

    def __init__(self, world: World, history_signal: bool = False):
        self.world = world
        self.history_signal = history_signal
        self.events: list[DAEvent] = []
        self.times: list[int] = []
        self.victim_episodes: dict[int, int] = {}
        self.victim_times: dict[int, list[int]] = {}
        self.victim_latest: dict[int, DAEvent] = {}
        self.suspect_victims: dict[int, set[int]] = {}

    def draw(self, at: int, year: int, repeat: bool) -> DAEvent:
        lo = bisect_left(self.times, at - REPEAT_LOOKBACK)
        hi = bisect_left(self.times, at - DAY)
        if repeat and hi > lo:
            event = self.repeat_event(self.repeat_previous(lo, hi, at), at, year)
        else:
            event = self.first_event(at, year)
        self.events.append(event)
        self.times.append(at)
        self.victim_times.setdefault(event.victim.id, []).append(at)
        self.victim_latest[event.victim.id] = event
        self.suspect_victims.setdefault(event.suspect.id, set()).add(event.victim.id)
        return event

    def repeat_previous(self, lo: int, hi: int, at: int) -> DAEvent:
        """An incident of the look-back [lo, hi) whose victim comes back, each distinct victim with
        probability proportional to its weight (1 by default)."""
        rng = self.world.rng
        while True:
            previous = self.events[rng.randrange(lo, hi)]
            times = self.victim_times[previous.victim.id]
            in_lookback = bisect_left(times, at - DAY) - bisect_left(times, at - REPEAT_LOOKBACK)
            weight = self.planted_weight(previous.victim.id, at) if self.history_signal else 1.0
            if rng.random() * in_lookback < weight:
                return previous

    def planted_weight(self, victim_id: int, at: int) -> float:
        """The planted relationship, a weight in (0, 1]: (incidents in the last 365 days, at most 4) / 4
        x exp(-(days between the last two incidents, 365 for a first-time victim) / 180)
        x (1 + the latest suspect's other victims, at most 2) / 3."""
        times = self.victim_times[victim_id]
        recent = len(times) - bisect_left(times, at - YEAR_DAYS * DAY)
        gap = (times[-1] - times[-2]) / DAY if len(times) >= 2 else PLANTED_GAP_CAP_DAYS
        suspect = self.victim_latest[victim_id].suspect
        others = len(self.suspect_victims.get(suspect.id, set()) - {victim_id})
        return (min(recent, PLANTED_INCIDENTS_CAP) / PLANTED_INCIDENTS_CAP
                * math.exp(-min(gap, PLANTED_GAP_CAP_DAYS) / PLANTED_GAP_DAYS)
                * (1 + min(others, PLANTED_OTHER_VICTIMS_CAP)) / (1 + PLANTED_OTHER_VICTIMS_CAP))

    def repeat_event(self, previous: DAEvent, at: int, year: int) -> DAEvent:
        rng = self.world.rng
        victim = previous.victim
        suspect, kind, detail = previous.suspect, previous.kind, previous.detail
        if kind == "current_partner" and rng.random() < 0.3:
            kind, detail = "former_partner", partner_detail(suspect, "former_partner")
        elif kind != "family_member" and rng.random() < 0.12:
            suspect = self.world.new_partner(victim, at, age_at(victim, at), cohabiting=False)
            kind, detail = "current_partner", partner_detail(suspect, "current_partner")
        return self.event(at, year, victim, suspect, kind, detail, repeat=True)

    def first_event(self, at: int, year: int) -> DAEvent:
        world, rng = self.world, self.world.rng
        intimate = rng.random() < 0.75
        victim, age = world.new_victim(at, intimate=intimate)
        serial = self.serial_suspect(at) if intimate and rng.random() < world.profile.serial_suspect_share else None
        if serial is not None:
            suspect, kind = serial, rng.choice(("current_partner", "former_partner"))
            detail = partner_detail(suspect, kind)
        elif intimate:
            kind = "current_partner" if rng.random() < 0.6 else "former_partner"
            suspect = world.new_partner(victim, at, age, cohabiting=kind == "current_partner")
            detail = partner_detail(suspect, kind)
        else:
            kind = "family_member"
            suspect, detail = world.family_suspect(victim, at, age)
        family_name = suspect.family_name if kind == "current_partner" and rng.random() < 0.5 else victim.family_name
        world.household_children(victim, at, age, family_name)
        return self.event(at, year, victim, suspect, kind, detail, repeat=False)

    def serial_suspect(self, at: int) -> TruePerson | None:
        lo = bisect_left(self.times, at - SERIAL_LOOKBACK)
        if lo >= len(self.events):
            return None
        return self.events[self.world.rng.randrange(lo, len(self.events))].suspect

    def event(self, at, year, victim, suspect, kind, detail, *, repeat: bool) -> DAEvent:
        episode = self.victim_episodes.get(victim.id, 0) + 1
        self.victim_episodes[victim.id] = episode
        present = children_present(victim, at, self.world.rng, self.world.profile.child_present_share)
        return DAEvent(at=at, year=year, victim=victim, suspect=suspect, kind=kind, detail=detail,
                       children=present, repeat=repeat, episode=episode)


def da_slots(bounds: list[tuple[int, int]], volumes: Volumes, rng: random.Random) -> list[tuple[int, int, bool]]:
    """(time, year index, repeat?) for every DA incident, in time order, with exact yearly quotas."""
    slots = []
    for year, (start, end) in enumerate(bounds):
        times = sorted(rng.randrange(start, end) for _ in range(volumes.da_incidents))
        repeats = [True] * volumes.repeat_incidents + [False] * (volumes.da_incidents - volumes.repeat_incidents)
        rng.shuffle(repeats)
        slots += [(at, year, repeat) for at, repeat in zip(times, repeats, strict=True)]
    return slots


def escalation(event: DAEvent) -> float:
    return 0.25 * min(event.episode - 1, 4)


def assign_grades(events: list[DAEvent], shares: dict[str, float], rng: random.Random) -> None:
    """Exact grade quotas; later incidents of a repeat victim tend to be graded higher."""
    counts = quota_counts(len(events), shares)
    ranked = sorted(events, key=lambda e: rng.random() + escalation(e), reverse=True)
    grades = [grade for grade in GRADES for _ in range(counts[grade])]
    for event, grade in zip(ranked, grades, strict=True):
        event.grade = grade
        event.yes_count = dash_yes_count(grade, rng)


def dash_yes_count(grade: str, rng: random.Random) -> int:
    """A DASH 2009 yes count consistent with the grade: high is mostly visible (14+), the rest high
    on professional judgement."""
    if grade == "high":
        return rng.randint(14, 24) if rng.random() < 0.85 else rng.randint(8, 13)
    if grade == "medium":
        return rng.randint(6, 13)
    return rng.randint(0, 9)


GRADE_SCORE = {"high": 2, "medium": 1, "standard": 0}


def assign_crimes(events: list[DAEvent], offences: dict[str, int], rng: random.Random) -> list[DAEvent]:
    """Give exactly sum(offences) incidents a crime, the more serious offences to the higher graded
    and escalating incidents. Returns the incidents with a crime."""
    total = sum(offences.values())
    by_gravity = sorted(events, key=lambda e: 0.4 * GRADE_SCORE[e.grade] + rng.random(), reverse=True)
    crimed = by_gravity[:total]
    ordered_offences = [group for group in OFFENCE_SEVERITY for _ in range(offences.get(group, 0))]
    ranked = sorted(crimed, key=lambda e: 0.4 * GRADE_SCORE[e.grade] + escalation(e) + 1.5 * rng.random(),
                    reverse=True)
    for event, offence in zip(ranked, ordered_offences, strict=True):
        event.offence = offence
    return crimed


def assign_arrests_and_outcomes(crimed: list[DAEvent], profile: Profile, rng: random.Random) -> None:
    arrests = round(len(crimed) * profile.arrests_per_100_da_crimes / 100)
    severity = {group: len(OFFENCE_SEVERITY) - i for i, group in enumerate(OFFENCE_SEVERITY)}
    for event in sorted(crimed, key=lambda e: severity[e.offence] + 4 * rng.random(), reverse=True)[:arrests]:
        event.arrested = True
    outcomes = quota_counts(len(crimed), profile.da_outcome_shares, rest="nfa")
    ordered = [kind for kind in ("charge", "caution", "out_of_court", "nfa") for _ in range(outcomes[kind])]
    reasons = shuffled_quota(quota_counts(outcomes["nfa"], profile.da_nfa_reason_shares), rng)
    ranked = sorted(crimed, key=lambda e: e.arrested + 1.2 * rng.random(), reverse=True)
    for event, outcome in zip(ranked, ordered, strict=True):
        event.outcome = outcome
        event.nfa_reason = reasons.pop() if outcome == "nfa" else ""


def assign_case_closures(events: list[DAEvent], active: dict[str, int], end: int, rng: random.Random) -> None:
    """Close every case by `end` except exactly `active` of each grade, chosen among the latest."""
    still_open: set[int] = set()
    for grade, count in active.items():
        graded = [i for i, e in enumerate(events) if e.grade == grade]
        recent = graded[-max(count * 4, 1):]
        still_open.update(rng.sample(recent, min(count, len(recent))))
    for i, event in enumerate(events):
        if i in still_open:
            continue
        low, high = CASE_DAYS[event.grade]
        closes = event.at + rng.randint(low * DAY, high * DAY)
        event.case_closed_at = max(event.at, min(closes, end - rng.randint(60, 3600)))


def da_history(profile: Profile, volumes: Volumes, rng: random.Random, names: NamePools,
               first_person_id: int, history_signal: bool = False) -> tuple[list[DAEvent], int]:
    """Every DA incident of one partition, in time order, with grades, crimes, arrests, outcomes and
    case closures assigned by exact quotas per year; and the next free true person id. `history_signal`
    plants a link between a victim's history and their coming back (DAHistory; off by default)."""
    bounds = year_bounds(profile)
    world = World(profile, rng, names, first_person_id)
    history = DAHistory(world, history_signal=history_signal)
    events = [history.draw(at, year, repeat) for at, year, repeat in da_slots(bounds, volumes, rng)]
    for year, (_, end) in enumerate(bounds):
        in_year = [e for e in events if e.year == year]
        assign_grades(in_year, profile.active_case_grade_shares, rng)
        crimed = assign_crimes(in_year, volumes.da_crime_offences, rng)
        assign_arrests_and_outcomes(crimed, profile, rng)
        is_force_year = year == len(bounds) - 1
        assign_case_closures(in_year, volumes.active_cases if is_force_year else {}, end, rng)
    return events, world.next_person_id
