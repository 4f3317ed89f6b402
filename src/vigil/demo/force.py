"""Turns the true world of one force partition into rows, as the force's systems would have
recorded them: a new person record for every appearance of a person on an event, with recording
noise, and the force's legacy exact match as the resolved persons.

Plain Python with no Django import. Primary keys are assigned here so that foreign keys need no
round trips; rows come out in bounded batches (table name -> list of tuples, columns as in
`COLUMNS`), oldest first, so that a national set can be streamed."""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from vigil.people import normalise

from .noise import Identity, NoiseRates, record_identity
from .population import DAEvent, TruePerson, Volumes, quota_counts, shuffled_quota, year_bounds
from .profiles import Profile
from .reviews import SpecialistReviews

COLUMNS = {
    "phone": ("id", "public_id", "e164"),
    "address": ("id", "public_id", "line1", "line2", "town", "postcode", "address_key", "is_refuge"),
    "person": ("id", "public_id", "created_at", "restricted"),
    "person_record": ("id", "public_id", "person_id", "given_name", "family_name", "date_of_birth", "sex",
                      "ethnicity", "address_id", "phone_id", "given_name_key", "family_name_key",
                      "given_name_phonetic", "family_name_phonetic", "source_system", "source_ref",
                      "recorded_at"),
    "true_identity": ("person_record_id", "true_person", "noise"),
    "incident": ("id", "public_id", "reference", "received_at", "channel", "area_id", "address_id",
                 "location_text", "caller_phone_id", "summary", "is_domestic_abuse", "response_grade",
                 "source_system", "source_ref"),
    "involvement": ("id", "incident_id", "person_record_id", "role"),
    "relationship": ("id", "victim_id", "suspect_id", "kind", "intimate", "detail"),
    "crime": ("id", "public_id", "reference", "incident_id", "recorded_at", "offence_group",
              "offence_description", "is_domestic_abuse", "victim_id", "suspect_id", "source_system",
              "source_ref"),
    "arrest": ("id", "public_id", "incident_id", "crime_id", "person_record_id", "arrested_at"),
    "outcome": ("id", "crime_id", "type", "nfa_reason", "decided_at"),
    "risk_assessment": ("id", "public_id", "incident_id", "victim_id", "instrument", "yes_count", "grade",
                        "assessed_at"),
    "safeguarding_case": ("id", "public_id", "victim_id", "incident_id", "risk_level", "opened_at",
                          "closed_at", "owner_id", "owning_team_id", "closed_reason", "contact_method",
                          "update_every_days", "contact_note"),
    "ownership_period": ("id", "case_id", "owner_id", "team_id", "via", "started_at"),
    "grading_decision": ("id", "public_id", "assessment_id", "stage", "grade", "previous_grade", "indicated_grade",
                         "rationale", "decided_by_id", "decided_at", "opened_at", "victim_contacted",
                         "flagged_to_manager"),
}
TABLES = tuple(COLUMNS)  # in the order they may be written
SOURCE_SYSTEM = "vigil-demo"

OFFENCE_DESCRIPTIONS = {
    "assault_with_intent": ("Wounding with intent (s.18)", "Grievous bodily harm with intent"),
    "assault_with_injury": ("Assault occasioning actual bodily harm (s.47)", "Wounding (s.20)"),
    "assault_without_injury": ("Common assault", "Assault by beating"),
    "harassment": ("Harassment", "Stalking", "Malicious communications"),
    "sexual_offences": ("Sexual assault", "Rape"),
    "criminal_damage": ("Criminal damage to a dwelling", "Criminal damage to a vehicle"),
    "other": ("Public order offence", "Theft", "Burglary", "Shoplifting", "Drug possession"),
}
DA_PHRASES = {
    None: "a verbal argument", "harassment": "repeated unwanted calls and messages",
    "assault_with_intent": "a serious assault", "assault_with_injury": "an assault causing injury",
    "assault_without_injury": "being pushed and grabbed", "sexual_offences": "a sexual assault",
    "criminal_damage": "damage to the home", "other": "threatening behaviour",
}
NON_DA_SUMMARIES = ("Concern for welfare", "Anti-social behaviour reported", "Road traffic collision",
                    "Suspicious vehicle", "Noise complaint", "Theft reported", "Missing person reported",
                    "Burglary reported", "Shoplifting reported", "Disturbance in the street",
                    "Lost property", "Report of criminal damage")
CHANNELS = ("999", "101", "online", "officer")
DA_CHANNEL_WEIGHTS = (0.55, 0.35, 0.04, 0.06)
NON_DA_CHANNEL_WEIGHTS = (0.25, 0.60, 0.08, 0.07)
DA_RESPONSE_WEIGHTS = {"high": (0.8, 0.2, 0, 0), "medium": (0.55, 0.4, 0.05, 0),
                       "standard": (0.35, 0.45, 0.15, 0.05)}
NON_DA_RESPONSE_WEIGHTS = (0.15, 0.35, 0.35, 0.15)
DA_BATCH_EVENTS = 4_000
NON_DA_BATCH_INCIDENTS = 25_000


def uuid4_hex(rng: random.Random) -> str:
    """A version 4 UUID (32 hex digits) from the seeded generator: the same as
    uuid.UUID(int=rng.getrandbits(128), version=4).hex, without building the object."""
    bits = rng.getrandbits(128)
    bits = (bits & ~(0xF000 << 64) | (4 << 76)) & ~(0xC000 << 48) | (0x8000 << 48)
    return f"{bits:032x}"


_day_text: dict[int, str] = {}
_TIME_OF_DAY = tuple(f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400))


def utc_text(at: int) -> str:
    """UTC epoch seconds as "YYYY-MM-DD HH:MM:SS": how Django stores a datetime on SQLite, and
    what PostgreSQL reads as UTC on a Django connection."""
    day, second = divmod(at, 86_400)
    text = _day_text.get(day)
    if text is None:
        text = _day_text[day] = datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%d")
    return text + _TIME_OF_DAY[second]


@dataclass
class Ids:
    """The next primary key of each table; shared by the partitions of one run."""

    next: dict[str, int]
    true_person: int = 1

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


@dataclass
class Lookups:
    """Rows already made in this run, so that they are made once: phones across the run; addresses
    and the legacy person match within a partition."""

    phones: dict[str, int]
    addresses: dict[tuple[str, str], int] = field(default_factory=dict)
    persons: dict[tuple[str, str, str], int] = field(default_factory=dict)


@dataclass
class Counts:
    incidents: int = 0
    person_records: int = 0


_name_keys: dict[str, tuple[str, str]] = {}


def name_keys(name: str) -> tuple[str, str]:
    keys = _name_keys.get(name)
    if keys is None:
        keys = _name_keys[name] = (normalise.name_key(name), normalise.phonetic_key(name))
    return keys


@dataclass(frozen=True, slots=True)
class RecordRow:
    """What an incident needs to know of a person record it has just written."""

    id: int
    given_name: str
    address_id: int
    phone_id: int | None
    person_id: int


@dataclass(frozen=True)
class CaseOwners:
    """Who owns the generated cases, by the ownership policy's defaults: high risk, a specialist of the
    unit (in turn); medium and standard, the area's neighbourhood team's duty officer. Database ids."""

    specialist_team: int
    specialists: tuple[int, ...]
    neighbourhood: dict[int, tuple[int, int]]  # area id -> (team id, owner id)

    def owner_and_team(self, grade: str, area_id: int, serial: int) -> tuple[int, int]:
        if grade == "high":
            return self.specialists[serial % len(self.specialists)], self.specialist_team
        team, owner = self.neighbourhood[area_id]
        return owner, team

    @classmethod
    def placeholder(cls, area_ids) -> "CaseOwners":
        """For generating rows that are never written (the generation benchmark)."""
        return cls(specialist_team=0, specialists=(0,), neighbourhood=dict.fromkeys(area_ids, (0, 0)))


class Partition:
    """The rows of one force partition."""

    def __init__(self, *, profile: Profile, volumes: Volumes, rng: random.Random, ids: Ids, lookups: Lookups,
                 area_ids: list[int], tag: str, noise: NoiseRates, review_rng: random.Random | None = None,
                 specialist_ids: tuple[int, ...] = (), capacity_effect: bool = False,
                 case_owners: CaseOwners | None = None, marac=None):
        """`case_owners` own the cases (a placeholder when the rows are not written). `specialist_ids` (demo specialist users) turn on the specialist reviews (reviews.py), drawn
        from `review_rng`; without them no GradingDecision rows are made. `marac` (a `marac.MaracCases`) is
        told of each DA incident and adds the partition's MARAC rows after the last DA batch."""
        self.profile = profile
        self.volumes = volumes
        self.rng = rng
        self.ids = ids
        self.lookups = lookups
        self.area_ids = area_ids
        self.tag = tag
        self.noise = noise
        self.bounds = year_bounds(profile)
        self.counts = Counts()
        self.rows: dict[str, list[tuple]] = {}
        self.incident_serial = 0
        self.crime_serial = 0
        self.review_rng = review_rng or random.Random(0)
        self.specialist_ids = tuple(specialist_ids)
        self.capacity_effect = capacity_effect
        self.case_owners = case_owners or CaseOwners.placeholder(area_ids)
        self.reviews: SpecialistReviews | None = None
        self.marac = marac

    def batches(self, events: list[DAEvent]) -> Iterator[tuple[dict[str, list[tuple]], int]]:
        """(rows by table, incidents in them), DA incidents first and then the other calls."""
        if self.specialist_ids:
            self.reviews = SpecialistReviews(events, rng=self.review_rng, specialist_ids=self.specialist_ids,
                                             capacity_effect=self.capacity_effect)
        for start in range(0, len(events), DA_BATCH_EVENTS):
            self.rows = {table: [] for table in TABLES}
            for event in events[start:start + DA_BATCH_EVENTS]:
                self.da_incident(event)
            yield self.rows, len(events[start:start + DA_BATCH_EVENTS])
        if self.marac is not None:
            yield self.marac.rows(self.ids), 0
        self.lookups.addresses.clear()
        self.lookups.persons.clear()
        for start_at, end_at in self.bounds:
            yield from self.other_calls(start_at, end_at)

    # Domestic abuse incidents: people, relationship, risk, case, crime.

    def da_incident(self, event: DAEvent) -> None:
        rng = self.rng
        victim = self.person_record(event.victim, event.at)
        suspect = self.person_record(event.suspect, event.at)
        channel = rng.choices(CHANNELS, DA_CHANNEL_WEIGHTS)[0]
        victim_called = channel in ("999", "101") and rng.random() < 0.7
        area_id = self.area_ids[event.victim.address.area]
        incident = self.incident_row(
            at=event.at, channel=channel, area_id=area_id,
            address_id=victim.address_id, caller_phone_id=victim.phone_id if victim_called else None,
            summary=self.da_summary(event, victim.given_name), is_da=True,
            response_grade=rng.choices((1, 2, 3, 4), DA_RESPONSE_WEIGHTS[event.grade])[0],
        )
        self.involvement(incident, victim.id, "victim")
        self.involvement(incident, suspect.id, "suspect")
        if victim_called:
            self.involvement(incident, victim.id, "caller")
        for child in event.children:
            self.involvement(incident, self.person_record(child, event.at).id, "child_present")
        self.rows["relationship"].append((self.ids.take("relationship"), victim.id, suspect.id, event.kind,
                                          event.kind != "family_member", event.detail))
        assessed_at = event.at + rng.randrange(1800, 6 * 3600)
        assessment = self.ids.take("risk_assessment")
        review = self.reviews.review(event, assessed_at) if self.reviews is not None else None
        # The assessment's grade is the current grading: the specialist's, once reviewed. The case
        # keeps the grade it was opened with.
        self.rows["risk_assessment"].append((assessment, uuid4_hex(rng), incident, victim.id, "dash-2009",
                                             event.yes_count, review.grade if review else event.grade,
                                             utc_text(assessed_at)))
        if review is not None:
            self.rows["grading_decision"].append((
                self.ids.take("grading_decision"), uuid4_hex(self.review_rng), assessment, "specialist",
                review.grade, review.previous_grade, "", review.rationale, review.decided_by,
                utc_text(review.decided_at), utc_text(review.opened_at), review.victim_contacted, False))
        case = self.ids.take("safeguarding_case")
        owner, team = self.case_owners.owner_and_team(event.grade, area_id, incident)
        self.rows["safeguarding_case"].append((
            case, uuid4_hex(rng), victim.id, incident, event.grade, utc_text(event.at),
            None if event.case_closed_at is None else utc_text(event.case_closed_at), owner, team, "", "phone", 28, ""))
        self.rows["ownership_period"].append((self.ids.take("ownership_period"), case, owner, team, "opened",
                                              utc_text(event.at)))
        if event.offence:
            self.da_crime(event, incident, victim.id, suspect.id)
        if self.marac is not None:
            self.marac.note(event, incident=incident, assessment=assessment, victim_person=victim.person_id,
                            suspect_person=suspect.person_id)

    def da_crime(self, event: DAEvent, incident: int, victim_id: int, suspect_id: int) -> None:
        rng = self.rng
        year_end = self.bounds[event.year][1]
        recorded_at = min(event.at + rng.randrange(600, 4 * 3600), year_end - 1)
        crime = self.crime_row(incident=incident, at=recorded_at, offence=event.offence, is_da=True,
                               victim_id=victim_id, suspect_id=suspect_id)
        if event.arrested:
            self.rows["arrest"].append((self.ids.take("arrest"), uuid4_hex(rng), incident, crime, suspect_id,
                                        utc_text(event.at + rng.randrange(900, 12 * 3600))))
        self.outcome_row(crime, recorded_at, event.outcome, event.nfa_reason)

    def da_summary(self, event: DAEvent, victim_name: str) -> str:
        pronoun = "her" if event.victim.sex == "F" else "his"
        return f"{victim_name} reports {DA_PHRASES[event.offence]} by {pronoun} {event.detail}."

    def person_record(self, person: TruePerson, at: int) -> RecordRow:
        rng = self.rng
        true = Identity(person.given_name, person.family_name, person.date_of_birth, person.address.line,
                        person.phone)
        written, kinds = record_identity(true, rng, self.noise, married_name=person.partner_family_name,
                                         new_phone=f"+4477009{rng.randrange(100_000):05d}")
        record_id = self.ids.take("person_record")
        given_key, given_phonetic = name_keys(written.given_name)
        family_key, family_phonetic = name_keys(written.family_name)
        dob = written.date_of_birth.isoformat() if written.date_of_birth else None
        address_id = self.address_id(written.address_line, person.address.town, person.address.postcode)
        phone_id = self.phone_id(written.phone) if written.phone else None
        recorded_at = utc_text(at)
        public_id = uuid4_hex(rng)  # before the person's: the generator's draws stay in the same order
        person_id = self.person_id(given_key, family_key, dob, recorded_at)
        self.rows["person_record"].append((
            record_id, public_id, person_id, written.given_name, written.family_name, dob, person.sex, person.ethnicity, address_id, phone_id,
            given_key, family_key, given_phonetic, family_phonetic, SOURCE_SYSTEM, "", recorded_at))
        self.rows["true_identity"].append((record_id, person.id, ",".join(kinds)))
        self.counts.person_records += 1
        return RecordRow(record_id, written.given_name, address_id, phone_id, person_id)

    def person_id(self, given_key: str, family_key: str, dob: str | None, recorded_at: str) -> int:
        """The force's legacy exact match: same name keys and date of birth, same person. A record
        without a date of birth gets a person of its own. Linkage re-links these later."""
        key = (given_key, family_key, dob)
        if dob is not None and key in self.lookups.persons:
            return self.lookups.persons[key]
        person_id = self.ids.take("person")
        self.rows["person"].append((person_id, uuid4_hex(self.rng), recorded_at, False))
        if dob is not None:
            self.lookups.persons[key] = person_id
        return person_id

    def address_id(self, line: str, town: str, postcode: str) -> int:
        key = (line, postcode)
        address_id = self.lookups.addresses.get(key)
        if address_id is None:
            address_id = self.lookups.addresses[key] = self.ids.take("address")
            self.rows["address"].append((address_id, uuid4_hex(self.rng), line, "", town, postcode,
                                         normalise.address_key(line1=line, postcode=postcode), False))
        return address_id

    def phone_id(self, e164: str) -> int:
        phone_id = self.lookups.phones.get(e164)
        if phone_id is None:
            phone_id = self.lookups.phones[e164] = self.ids.take("phone")
            self.rows["phone"].append((phone_id, uuid4_hex(self.rng), e164))
        return phone_id

    # Rows shared by both kinds of call.

    def incident_row(self, *, at: int, channel: str, area_id: int, address_id: int | None,
                     caller_phone_id: int | None, summary: str, is_da: bool, response_grade: int) -> int:
        incident_id = self.ids.take("incident")
        self.incident_serial += 1
        self.rows["incident"].append((
            incident_id, uuid4_hex(self.rng), f"INC-{self.tag}-{self.incident_serial:07d}", utc_text(at), channel,
            area_id, address_id, "", caller_phone_id, summary, is_da, response_grade, SOURCE_SYSTEM, ""))
        self.counts.incidents += 1
        return incident_id

    def involvement(self, incident_id: int, record_id: int, role: str) -> None:
        self.rows["involvement"].append((self.ids.take("involvement"), incident_id, record_id, role))

    def crime_row(self, *, incident: int, at: int, offence: str, is_da: bool, victim_id: int | None,
                  suspect_id: int | None) -> int:
        crime_id = self.ids.take("crime")
        self.crime_serial += 1
        self.rows["crime"].append((
            crime_id, uuid4_hex(self.rng), f"CRM-{self.tag}-{self.crime_serial:07d}", incident, utc_text(at),
            offence, self.rng.choice(OFFENCE_DESCRIPTIONS[offence]), is_da, victim_id, suspect_id,
            SOURCE_SYSTEM, ""))
        return crime_id

    def outcome_row(self, crime: int, recorded_at: int, outcome: str, nfa_reason: str) -> None:
        decided_at = recorded_at + self.rng.randrange(3600, 120 * 86_400)
        self.rows["outcome"].append((self.ids.take("outcome"), crime, outcome, nfa_reason, utc_text(decided_at)))

    # Every other call for assistance: cheap rows, no people.

    def other_calls(self, start_at: int, end_at: int) -> Iterator[tuple[dict[str, list[tuple]], int]]:
        rng, volumes, profile = self.rng, self.volumes, self.profile
        total = volumes.non_da_incidents
        crimes = sum(volumes.non_da_crime_offences.values())
        has_crime = [True] * crimes + [False] * (total - crimes)
        rng.shuffle(has_crime)
        offences = shuffled_quota(volumes.non_da_crime_offences, rng)
        outcome_counts = quota_counts(crimes, profile.non_da_outcome_shares, rest="nfa")
        outcomes = shuffled_quota(outcome_counts, rng)
        reasons = shuffled_quota(quota_counts(outcome_counts["nfa"], profile.non_da_nfa_reason_shares), rng)
        area_weights = [area.weight for area in profile.areas]
        random_, step = rng.random, (end_at - start_at) / total  # in time order: indexes grow at one end
        for first in range(0, total, NON_DA_BATCH_INCIDENTS):
            size = min(NON_DA_BATCH_INCIDENTS, total - first)
            self.rows = {table: [] for table in TABLES}
            areas = rng.choices(self.area_ids, area_weights, k=size)
            channels = rng.choices(CHANNELS, NON_DA_CHANNEL_WEIGHTS, k=size)
            grades = rng.choices((1, 2, 3, 4), NON_DA_RESPONSE_WEIGHTS, k=size)
            summaries = rng.choices(NON_DA_SUMMARIES, k=size)
            for i in range(size):
                at = start_at + int((first + i + random_()) * step)
                incident = self.incident_row(at=at, channel=channels[i], area_id=areas[i], address_id=None,
                                             caller_phone_id=None, summary=summaries[i], is_da=False,
                                             response_grade=grades[i])
                if has_crime[first + i]:
                    recorded_at = min(at + rng.randrange(1800, 6 * 3600), end_at - 1)
                    crime = self.crime_row(incident=incident, at=recorded_at, offence=offences.pop(), is_da=False,
                                           victim_id=None, suspect_id=None)
                    outcome = outcomes.pop()
                    self.outcome_row(crime, recorded_at, outcome, reasons.pop() if outcome == "nfa" else "")
            yield self.rows, size
