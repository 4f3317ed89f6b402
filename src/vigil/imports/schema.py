"""The import schema: for each kind of record a force can bring into Vigil, its fields, which are required,
and how each value is read. A plain module (no Django), so the published schema (`docs/imports.md`, the
template files) and the checks are the same thing.

Names follow the police POLE model (Person, Object, Location, Event): a file of one kind holds one entity
type, and rows refer to each other by the source system's own identifiers (`person_id`, `address_id`,
`incident_id`...), never by Vigil's. Every row's first column is its own identifier in the source system.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
# The quarantine report adds columns named vigil_... (the reasons, the row number); they are ignored when
# the fixed file comes back.
REPORT_PREFIX = "vigil_"
LIST_SEPARATOR = ";"
MAX_TEXT = 200
EARLIEST = date(1900, 1, 1)


class FieldError(ValueError):
    """A value that cannot be read; the message says what was expected, never repeats the value."""


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # text, date, end_date, datetime, bool, int, code, codes, ref, refs, area, postcode, phone
    required: bool = False
    description: str = ""
    example: str = ""
    max_length: int = MAX_TEXT
    codes: tuple[str, ...] = ()
    ref_kind: str = ""  # for ref/refs: the kind whose identifier this is
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class Kind:
    name: str
    description: str
    fields: tuple[Field, ...]

    @property
    def id_field(self) -> str:
        return self.fields[0].name

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _id(name: str, what: str, example: str) -> Field:
    return Field(name, "text", True, f"The {what}'s identifier in the source system (unique per kind)", example,
                 max_length=80)


SEX = ("F", "M", "U")
CHANNELS = ("999", "101", "online", "officer")
OFFENCE_GROUPS = ("assault_with_intent", "assault_with_injury", "assault_without_injury", "harassment",
                  "sexual_offences", "criminal_damage", "homicide", "attempted_murder", "other")
OUTCOME_TYPES = ("charge", "caution", "out_of_court", "nfa")
NFA_REASONS = ("victim_does_not_support", "evidential_difficulties", "suspect_not_identified",
               "not_in_public_interest", "cps_decision")
RELATIONSHIPS = ("current_partner", "former_partner", "family_member")
# The codes below are the target models' own choices (risk.RiskLevel, cases.ProtectiveOrder.Kind and
# .Status, marac.agenda.Criterion), repeated here so this module stays free of Django;
# tests/imports/test_import_kinds.py checks they still agree.
INSTRUMENTS = ("dash-2009", "safelives-ric")
RISK_GRADES = ("standard", "medium", "high")
ORDER_KINDS = ("bail_conditions", "dvpn", "dvpo", "dapn", "dapo", "restraining", "non_molestation", "occupation",
               "spo", "fmpo", "fgmpo")
ORDER_STATUSES = ("in_force", "ended", "revoked")
MARAC_CRITERIA = ("visible_high_risk", "professional_judgement", "potential_escalation", "repeat_marac")

KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("addresses", "Locations: an address as the source system holds it.", (
        _id("address_id", "address", "LOC-000123"),
        Field("line1", "text", True, "First line of the address", "14 Example Street"),
        Field("line2", "text", False, "Second line", "Flat 2"),
        Field("town", "text", False, "Town or city", "Leicester", max_length=100),
        Field("postcode", "postcode", True, "Full UK postcode", "LE1 6ZZ", max_length=8),
        Field("is_refuge", "bool", False, "A refuge address (shown to no one who need not know)", "false"),
    )),
    Kind("phones", "Objects: a telephone number.", (
        _id("phone_id", "phone", "TEL-000456"),
        Field("number", "phone", True, "UK or international number; stored as E.164", "07700 900123", max_length=30),
    )),
    Kind("persons", "Persons: a nominal record as written in the source system.", (
        _id("person_id", "person", "NOM-000789"),
        Field("given_name", "text", False, "Forename(s)", "Alex", max_length=100),
        Field("family_name", "text", True, "Surname", "Example", max_length=100),
        Field("date_of_birth", "date", False, "YYYY-MM-DD", "1985-03-14"),
        Field("sex", "code", False, "F, M or U (not known)", "F", codes=SEX),
        Field("ethnicity", "text", False, "Self-defined ethnicity code or text (for example 18+1 codes)", "W1",
              max_length=40),
        Field("address_id", "ref", False, "The person's address (an address_id imported before)", "LOC-000123",
              ref_kind="addresses"),
        Field("phone_id", "ref", False, "The person's phone (a phone_id imported before)", "TEL-000456",
              ref_kind="phones"),
        Field("recorded_at", "datetime", True, "When the source system recorded them (ISO 8601)",
              "2012-10-01T21:14:00+01:00"),
    )),
    Kind("incidents", "Events: a call for service or report, with the persons involved.", (
        _id("incident_id", "incident", "INC-2012-000321"),
        Field("reference", "text", False, "The force's incident number (default: incident_id)",
              "LP-20121001-0321", max_length=30),
        Field("received_at", "datetime", True, "When the call or report was received (ISO 8601)",
              "2012-10-01T21:10:00+01:00"),
        Field("channel", "code", True, "How it came in", "999", codes=CHANNELS),
        Field("response_grade", "int", True, "1 emergency, 2 priority, 3 scheduled, 4 no deployment", "1",
              minimum=1, maximum=4),
        Field("is_domestic_abuse", "bool", True, "Flagged as domestic abuse", "true"),
        Field("area_code", "area", False, "The policing area's code in Vigil", "city-centre", max_length=40),
        Field("address_id", "ref", False, "Where it happened (an address_id)", "LOC-000123", ref_kind="addresses"),
        Field("location_text", "text", False, "Where it happened, as told", "outside the shop"),
        Field("caller_phone_id", "ref", False, "The number called from (a phone_id)", "TEL-000456",
              ref_kind="phones"),
        Field("summary", "text", False, "What happened, briefly", "Report of an argument", max_length=4000),
        Field("victim_person_id", "ref", False, "The victim (a person_id)", "NOM-000789", ref_kind="persons"),
        Field("suspect_person_id", "ref", False, "The suspect (a person_id)", "NOM-000790", ref_kind="persons"),
        Field("caller_person_id", "ref", False, "The caller, when not the victim (a person_id)", "",
              ref_kind="persons"),
        Field("children_person_ids", "refs", False, "Children present, person_ids separated by ;",
              "NOM-000791;NOM-000792", ref_kind="persons"),
        Field("relationship", "code", False, "Between victim and suspect", "current_partner", codes=RELATIONSHIPS),
        Field("relationship_detail", "text", False, "For example: son, ex-husband", "", max_length=60),
    )),
    Kind("crimes", "Events: a recorded crime.", (
        _id("crime_id", "crime", "CRM-2012-000111"),
        Field("reference", "text", False, "The force's crime number (default: crime_id)", "", max_length=30),
        Field("incident_id", "ref", False, "The incident it came from", "INC-2012-000321", ref_kind="incidents"),
        Field("recorded_at", "datetime", True, "When it was recorded (ISO 8601)", "2012-10-02T09:00:00+01:00"),
        Field("offence_group", "code", True, "Home Office offence group", "assault_with_injury",
              codes=OFFENCE_GROUPS),
        Field("offence_description", "text", False, "The offence as recorded", "ABH"),
        Field("is_domestic_abuse", "bool", True, "Carries the domestic abuse marker", "true"),
        Field("victim_person_id", "ref", False, "The victim (a person_id)", "NOM-000789", ref_kind="persons"),
        Field("suspect_person_id", "ref", False, "The suspect (a person_id)", "NOM-000790", ref_kind="persons"),
    )),
    Kind("arrests", "Events: an arrest.", (
        _id("arrest_id", "arrest", "ARR-000055"),
        Field("person_id", "ref", True, "Who was arrested (a person_id)", "NOM-000790", ref_kind="persons"),
        Field("arrested_at", "datetime", True, "When (ISO 8601)", "2012-10-01T22:05:00+01:00"),
        Field("incident_id", "ref", False, "The incident (give it, the crime, or both)", "INC-2012-000321",
              ref_kind="incidents"),
        Field("crime_id", "ref", False, "The crime", "CRM-2012-000111", ref_kind="crimes"),
    )),
    Kind("outcomes", "Events: how a crime was finally resolved (one per crime).", (
        Field("crime_id", "ref", True, "The crime (its crime_id): the outcome's identifier too",
              "CRM-2012-000111", ref_kind="crimes", max_length=80),
        Field("type", "code", True, "Outcome type", "charge", codes=OUTCOME_TYPES),
        Field("nfa_reason", "code", False, "Required when type is nfa, empty otherwise", "",
              codes=NFA_REASONS),
        Field("decided_at", "datetime", True, "When (ISO 8601)", "2012-11-15T12:00:00+00:00"),
    )),
    Kind("relationships", "The relationship between a victim and a suspect.", (
        _id("relationship_id", "relationship", "REL-000033"),
        Field("victim_person_id", "ref", True, "The victim (a person_id)", "NOM-000789", ref_kind="persons"),
        Field("suspect_person_id", "ref", True, "The suspect (a person_id)", "NOM-000790", ref_kind="persons"),
        Field("kind", "code", True, "How they are related", "current_partner", codes=RELATIONSHIPS),
        Field("detail", "text", False, "For example: son, ex-husband", "", max_length=60),
    )),
    Kind("risk_assessments", "A completed risk assessment (DASH) of a victim at an incident, as finally graded.", (
        _id("assessment_id", "risk assessment", "RA-2012-000321"),
        Field("incident_id", "ref", True, "The incident it was made at (an incident_id)", "INC-2012-000321",
              ref_kind="incidents"),
        Field("victim_person_id", "ref", True, "The victim assessed (a person_id)", "NOM-000789",
              ref_kind="persons"),
        Field("instrument", "code", False, "The checklist used (default: dash-2009)", "dash-2009",
              codes=INSTRUMENTS),
        Field("grade", "code", True, "The risk grade the assessment ended with", "high", codes=RISK_GRADES),
        Field("yes_count", "int", False, "How many questions were answered yes", "15", minimum=0, maximum=27),
        Field("completed_at", "datetime", True, "When it was completed (ISO 8601)", "2012-10-01T23:40:00+01:00"),
    )),
    Kind("orders", "An order, notice or set of bail conditions protecting a victim.", (
        _id("order_id", "order", "ORD-000077"),
        Field("kind", "code", True, "What it is", "dvpo", codes=ORDER_KINDS),
        Field("restricted_person_id", "ref", True, "The person it restricts (a person_id)", "NOM-000790",
              ref_kind="persons"),
        Field("victim_person_id", "ref", True, "The victim it protects (a person_id): the order goes on her or his "
              "safeguarding case", "NOM-000789", ref_kind="persons"),
        Field("other_protected_person_ids", "refs", False, "Others it protects (children, say), person_ids separated "
              "by ;", "NOM-000791", ref_kind="persons"),
        Field("incident_id", "ref", False, "The incident it followed (an incident_id): the case to put it on, or to "
              "open", "INC-2012-000321", ref_kind="incidents"),
        Field("starts_at", "datetime", True, "When it was made or given (ISO 8601)", "2012-10-03T10:00:00+01:00"),
        Field("ends_on", "end_date", False, "The last day it has effect, YYYY-MM-DD (may be in the future); empty: "
              "until further order", "2012-10-30"),
        Field("status", "code", True, "Whether it is still in force", "ended", codes=ORDER_STATUSES),
        Field("conditions", "text", False, "Its conditions, separated by ;",
              "Not to contact the victim;Not to enter Example Street", max_length=4000),
        Field("served_at", "datetime", False, "When it was served (ISO 8601)", "2012-10-03T11:30:00+01:00"),
        Field("authorised_by", "text", False, "Rank and name, or the court", "Leicester Magistrates' Court",
              max_length=120),
    )),
    Kind("marac_referrals", "MARAC history: a victim's referral to a MARAC, and the meeting that heard it.", (
        _id("referral_id", "MARAC referral", "MAR-000012"),
        Field("area_code", "text", True, "The MARAC area's code in Vigil", "city-marac", max_length=40),
        Field("victim_person_id", "ref", True, "The victim referred (a person_id)", "NOM-000789", ref_kind="persons"),
        Field("perpetrator_person_id", "ref", False, "The perpetrator (a person_id)", "NOM-000790",
              ref_kind="persons"),
        Field("referring_agency", "text", True, "The referring agency's code in Vigil", "police", max_length=40),
        Field("received_on", "date", True, "When the MARAC received the referral, YYYY-MM-DD", "2012-10-04"),
        Field("criteria", "codes", True, "The referral criteria met, separated by ;",
              "visible_high_risk;potential_escalation", codes=MARAC_CRITERIA),
        Field("judgement_reason", "text", False, "The referrer's reasons, for professional judgement", "",
              max_length=4000),
        Field("incidents_12m", "int", False, "Domestic abuse incidents known in the 12 months to the referral", "3",
              minimum=0, maximum=999),
        Field("is_repeat", "bool", False, "Referred before within 12 months (repeat MARAC); default false", "false"),
        Field("heard_on", "date", False, "The date of the meeting that heard it, YYYY-MM-DD; empty: not heard yet",
              "2012-10-18"),
        Field("victim_aware", "bool", True, "The victim knew of the referral", "true"),
        Field("victim_consents", "bool", True, "The victim agreed to the referral", "true"),
        Field("reason_without_consent", "text", False, "Required when victim_consents is false", "",
              max_length=4000),
    )),
)}


# Readers: each turns the text of one cell into a value or raises FieldError.

TRUE = {"true", "yes", "y", "1"}
FALSE = {"false", "no", "n", "0"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NOT_UTF8 = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept as surrogates by the reader


def read_date(text: str) -> date:
    if not DATE.match(text):
        raise FieldError("must be a date written YYYY-MM-DD")
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise FieldError("is not a real date") from None
    if value < EARLIEST:
        raise FieldError("is before 1900")
    return value


def read_datetime(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise FieldError("must be a date and time in ISO 8601, like 2012-10-01T21:10:00+01:00") from None
    if value.tzinfo is None:  # a time without an offset is the force's local time
        value = value.replace(tzinfo=LONDON)
    if value.date() < EARLIEST:
        raise FieldError("is before 1900")
    return value


def read_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise FieldError("must be true or false")


def read_int(text: str, spec: Field) -> int:
    try:
        value = int(text)
    except ValueError:
        raise FieldError("must be a whole number") from None
    if spec.minimum is not None and value < spec.minimum or spec.maximum is not None and value > spec.maximum:
        raise FieldError(f"must be from {spec.minimum} to {spec.maximum}")
    return value


@dataclass
class CleanRow:
    source_id: str
    values: dict


def row_clean(kind: Kind, raw: Mapping[str, object], *, today: date,
              postcode: Callable[[str], str], phone: Callable[[str], str],
              areas: Mapping[str, int]) -> tuple[CleanRow | None, list[str]]:
    """Read one row: every reason it cannot be imported, or its values. `postcode` and `phone` normalise
    (raising ValueError when they cannot); `areas` maps area codes to ids."""
    errors: list[str] = []
    values: dict = {}
    unknown = _unknown_columns(kind, frozenset(raw))
    if unknown:
        errors.append(unknown)
    for spec in kind.fields:
        cell = raw.get(spec.name)
        text = "" if cell is None else cell.strip() if type(cell) is str else str(cell).strip()
        if not text.isascii() and NOT_UTF8.search(text):
            errors.append(f"{spec.name} is not valid UTF-8 text")
            continue
        if not text:
            if spec.required:
                errors.append(f"{spec.name} is required")
            values[spec.name] = [] if spec.type == "refs" else None
            continue
        if spec.type == "text" or spec.type == "ref":  # the commonest, read here without a call
            if len(text) > spec.max_length:
                errors.append(f"{spec.name} is longer than {spec.max_length} characters")
            else:
                values[spec.name] = text
            continue
        try:
            values[spec.name] = _read(spec, text, today=today, postcode=postcode, phone=phone, areas=areas)
        except FieldError as error:
            errors.append(f"{spec.name} {error}")
    errors.extend(_row_rules(kind.name, values, today))
    if errors:
        return None, errors
    return CleanRow(source_id=values[kind.id_field], values=values), []


@lru_cache(maxsize=64)
def _unknown_columns(kind: Kind, names: frozenset) -> str:
    unknown = sorted(name for name in names - set(kind.columns) if not str(name).startswith(REPORT_PREFIX))
    return f"unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(unknown[:5])}" if unknown else ""


def _read(spec: Field, text: str, *, today, postcode, phone, areas):
    if spec.type in ("text", "ref"):
        if len(text) > spec.max_length:
            raise FieldError(f"is longer than {spec.max_length} characters")
        return text
    if spec.type == "refs":
        refs = [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]
        if any(len(ref) > 80 for ref in refs):
            raise FieldError("holds an identifier longer than 80 characters")
        return list(dict.fromkeys(refs))
    if spec.type == "end_date":  # an end date: the future is allowed
        return read_date(text)
    if spec.type == "codes":
        parts = list(dict.fromkeys(part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()))
        if not parts or any(part not in spec.codes for part in parts):
            raise FieldError(f"must be one or more of: {', '.join(spec.codes)} (separated by ;)")
        return parts
    if spec.type == "date":
        value = read_date(text)
        if value > today:
            raise FieldError("is in the future")
        return value
    if spec.type == "datetime":
        value = read_datetime(text)
        if value.date() > today:
            raise FieldError("is in the future")
        return value
    if spec.type == "bool":
        return read_bool(text)
    if spec.type == "int":
        return read_int(text, spec)
    if spec.type == "code":
        if text not in spec.codes:
            raise FieldError(f"must be one of: {', '.join(spec.codes)}")
        return text
    if spec.type == "area":
        if text not in areas:
            raise FieldError("is not a known area code")
        return areas[text]
    if spec.type == "postcode":
        try:
            return postcode(text)
        except ValueError:
            raise FieldError("is not a full UK postcode") from None
    if spec.type == "phone":
        try:
            return phone(text)
        except ValueError:
            raise FieldError("is not a valid telephone number") from None
    raise AssertionError(spec.type)


def _row_rules(kind: str, values: dict, today: date) -> list[str]:
    """Rules across fields of one row."""
    errors = []
    if kind == "outcomes" and values.get("type"):
        if values["type"] == "nfa" and not values.get("nfa_reason"):
            errors.append("nfa_reason is required when type is nfa")
        if values["type"] != "nfa" and values.get("nfa_reason"):
            errors.append("nfa_reason must be empty unless type is nfa")
    if kind == "arrests" and not values.get("incident_id") and not values.get("crime_id"):
        errors.append("give incident_id or crime_id (or both)")
    if kind in ("incidents", "relationships", "crimes"):
        victim, suspect = values.get("victim_person_id"), values.get("suspect_person_id")
        if victim and suspect and victim == suspect:
            errors.append("victim_person_id and suspect_person_id are the same person")
    if kind == "orders":
        victim, restricted = values.get("victim_person_id"), values.get("restricted_person_id")
        if victim and victim == restricted:
            errors.append("restricted_person_id and victim_person_id are the same person")
        if restricted and restricted in (values.get("other_protected_person_ids") or []):
            errors.append("other_protected_person_ids names the restricted person")
        starts, ends = values.get("starts_at"), values.get("ends_on")
        if starts and ends and ends < starts.astimezone(LONDON).date():
            errors.append("ends_on is before starts_at")
    if kind == "marac_referrals":
        victim, perpetrator = values.get("victim_person_id"), values.get("perpetrator_person_id")
        if victim and victim == perpetrator:
            errors.append("victim_person_id and perpetrator_person_id are the same person")
        if values.get("victim_consents") is True and values.get("victim_aware") is False:
            errors.append("victim_consents is true but victim_aware is false: a victim who consents knows")
        if values.get("victim_consents") is False and not values.get("reason_without_consent"):
            errors.append("reason_without_consent is required when victim_consents is false")
        if values.get("received_on") and values.get("heard_on") and values["heard_on"] < values["received_on"]:
            errors.append("heard_on is before received_on")
    if kind == "incidents" and values.get("relationship") and not (
            values.get("victim_person_id") and values.get("suspect_person_id")):
        errors.append("relationship needs both victim_person_id and suspect_person_id")
    return errors
