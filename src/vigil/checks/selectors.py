"""Reading the control-room history, scoped to what the viewer may see, each look-up audited."""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from vigil.audit.services import audit_record_each
from vigil.incidents.models import Incident
from vigil.people.models import Address, WarningMarker
from vigil.people.normalise import InvalidPhone, address_key, normalise_phone
from vigil.people.selectors import address_text

from . import history
from .history import HistoryFacts
from .history_sql import as_date, as_datetime, history_answer, nested_json

RESTRICTED_NAME = "Restricted record"


class _SystemViewer:
    """Vigil itself reading history for its own checks and the board. It holds no permission, so refuge
    markers are never part of what it works from (people allowed to see them do, when they look), and
    what it reads is the same whoever recorded the call. Its reads are not audited: nobody sees them."""

    is_authenticated = True
    is_active = True
    role = ""

    def has_perm(self, perm: str, obj=None) -> bool:
        return False

    def __str__(self) -> str:
        return "Vigil"


SYSTEM_VIEWER = _SystemViewer()
GRADE_ORDER = {"high": 3, "medium": 2, "standard": 1, "": 0}


@dataclass(frozen=True)
class MarkerShown:
    kind: str
    label: str
    on: str  # "person", "address" or "number"
    starts_on: date
    ends_on: date | None
    note: str


@dataclass(frozen=True)
class PastIncident:
    public_id: uuid.UUID
    reference: str
    received_at: datetime
    is_domestic_abuse: bool
    matched_on: tuple[str, ...]  # "address", "number"


@dataclass(frozen=True)
class OpenCase:
    public_id: uuid.UUID
    risk_level: str
    opened_at: datetime
    owner: str  # a name, or "" when no owner is recorded
    team: str


@dataclass
class PersonHistory:
    person_id: int
    public_id: uuid.UUID
    name: str
    date_of_birth: date | None
    restricted: bool
    roles: set[str] = field(default_factory=set)  # roles at the matched incidents
    roles_now: set[str] = field(default_factory=set)  # roles on the incident being recorded
    markers: list[MarkerShown] = field(default_factory=list)
    latest_grade: str = ""
    latest_grade_at: datetime | None = None
    victim_calls_12m: int = 0
    victims_abused: int = 0  # distinct victims recorded against this person as suspect
    other_victims: int = 0  # those who are not a victim on the incident being recorded
    marac_12m: date | None = None
    code_word: str = ""
    open_cases: list[OpenCase] = field(default_factory=list)
    # (latest assessment, evaluation.advisory.Advisory) for a victim on this call, set by the views only
    # when a version of the history signal is active; never part of the history's SQL.
    advisory: tuple | None = None

    @property
    def is_repeat_victim(self) -> bool:
        return self.victim_calls_12m >= history.REPEAT_CALLS_IN_WINDOW


@dataclass
class CallHistory:
    looked_up_at: datetime
    searched_phone: str
    searched_address: str
    address_all: int = 0
    address_12m: int = 0
    phone_all: int = 0
    phone_12m: int = 0
    incidents: list[PastIncident] = field(default_factory=list)
    people: list[PersonHistory] = field(default_factory=list)
    place_markers: list[MarkerShown] = field(default_factory=list)

    @property
    def records_found(self) -> bool:
        return bool(self.address_all or self.phone_all or self.place_markers
                    or any(p.roles or p.markers or p.latest_grade or p.open_cases for p in self.people))

    @property
    def empty_message(self) -> str:
        return "" if self.records_found else history.NO_RECORD_FOUND

    def facts(self) -> HistoryFacts:
        victims = [p for p in self.people if "victim" in p.roles_now] or self.people
        suspects = [p for p in self.people if "suspect" in p.roles_now]
        return HistoryFacts(
            records_found=self.records_found,
            address_incidents_12m=self.address_12m,
            phone_incidents_12m=self.phone_12m,
            marker_kinds=frozenset(m.kind for m in self.place_markers)
            | frozenset(m.kind for p in self.people for m in p.markers),
            latest_grade=max((p.latest_grade for p in victims), key=GRADE_ORDER.get, default=""),
            victim_calls_12m=max((p.victim_calls_12m for p in victims), default=0),
            suspect_other_victims=max((p.other_victims for p in suspects), default=0),
            marac_12m=any(p.marac_12m for p in self.people),
            open_case_unowned=any(not c.owner for p in victims for c in p.open_cases),
        )


def _normalised_phone(raw: str) -> str:
    if not raw or not raw.strip():
        return ""
    try:
        return normalise_phone(raw)
    except InvalidPhone:
        return raw.strip()  # looked up as given: it matches nothing, and says what was searched


def call_history(*, viewer, phone: str = "", address: Address | None = None, line1: str = "", postcode: str = "",
                 persons: dict[int, set[str]] | None = None, incident: Incident | None = None,
                 now: datetime | None = None, request=None, audit: bool = True) -> CallHistory:
    """The history a call taker needs while the caller is on the line.

    Looks up by the caller's number, the address (the chosen Address, or any address written with the
    same line and postcode) and the people already named on the call (`persons`: person id -> roles on
    this call). `incident` (the call being recorded) is left out of its own history. Audited as a
    consultation of each person shown, unless `audit` is False (Vigil's own checks, never shown).
    One SQL statement (history_sql), then the answer in the dataclasses above."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    persons = {pid: set(roles) for pid, roles in (persons or {}).items()}
    e164 = _normalised_phone(phone)
    key = address.address_key if address is not None else (
        address_key(line1=line1, postcode=postcode) if line1 and postcode else "")
    answer = history_answer(
        key=key, e164=e164, exclude_id=incident.pk if incident is not None else 0, since=history.window_start(now),
        now=now, today=today, year_ago=today - history.RECENT_WINDOW,
        show_refuge=viewer.has_perm("people.view_refuge_address"),
        given=[(pid, "victim" in roles) for pid, roles in persons.items()],
        recent_limit=history.RECENT_INCIDENTS_SHOWN, people_limit=history.PEOPLE_SHOWN)
    result = CallHistory(looked_up_at=now, searched_phone=e164,
                         searched_address=address_text(address, viewer=viewer) if address is not None else "")
    result.address_all, result.address_12m, result.phone_all, result.phone_12m = answer["counts"]
    for public_id, reference, received_at, is_da, at_address, from_phone in answer["recent"]:
        matched = tuple(name for name, hit in (("address", at_address), ("number", from_phone)) if hit)
        result.incidents.append(PastIncident(uuid.UUID(str(public_id)), reference, as_datetime(received_at),
                                             bool(is_da), matched))
    result.place_markers = _markers_shown((kind, on, starts, ends, note)
                                          for kind, on, starts, ends, note in answer["place_markers"])
    victims_now = any("victim" in roles for roles in persons.values())
    for (person_id, public_id, restricted, latest, roles, markers, marac_12m, grading, victim_calls, victims,
         code_word, open_cases) in answer["people"]:
        latest = nested_json(latest)
        if latest is None:
            continue  # a person with no record left (its records moved by a merge): nothing to show
        given_name, family_name, date_of_birth = latest
        restricted = bool(restricted)
        grade, graded_at = nested_json(grading) or ("", None)
        abused, other = nested_json(victims) or (0, 0)
        result.people.append(PersonHistory(
            person_id=person_id, public_id=uuid.UUID(str(public_id)),
            name=RESTRICTED_NAME if restricted else (
                " ".join(part for part in (given_name, family_name) if part) or "Name not known"),
            date_of_birth=None if restricted else as_date(date_of_birth), restricted=restricted,
            roles=set(roles.split(",")) if roles else set(), roles_now=persons.get(person_id, set()),
            markers=_markers_shown((kind, "person", starts, ends, note)
                                   for kind, starts, ends, note in nested_json(markers) or []),
            latest_grade=grade or "", latest_grade_at=as_datetime(graded_at), victim_calls_12m=victim_calls,
            victims_abused=abused, other_victims=other if victims_now else max(abused - 1, 0),
            marac_12m=as_date(marac_12m), code_word=code_word or "",
            open_cases=[OpenCase(uuid.UUID(str(case_id)), level, as_datetime(opened_at), owner or "", team or "")
                        for case_id, level, opened_at, owner, team in nested_json(open_cases) or []]))
    if audit:
        audit_record_each(
            action="consultation", actor=viewer, request=request, object_type="checks.CallHistory",
            object_id=str(incident.public_id) if incident is not None else "",
            subject_person_ids=[p.public_id for p in result.people],
            detail={"by_number": bool(e164), "by_address": bool(key), "by_person": len(persons),
                    "incidents_found": result.address_all + result.phone_all, "people_shown": len(result.people)})
    return result


def _markers_shown(rows) -> list[MarkerShown]:
    labels = dict(WarningMarker.Kind.choices)
    shown = [MarkerShown(kind, labels.get(kind, kind), on, as_date(starts), as_date(ends), note or "")
             for kind, on, starts, ends, note in rows]
    return sorted(shown, key=lambda m: (m.kind, -m.starts_on.toordinal()))


def history_for_incident(*, incident: Incident, viewer, now: datetime | None = None, request=None,
                         audit: bool = True) -> CallHistory:
    """The history of everything known on a call so far: its number, its address and its people."""
    persons: dict[int, set[str]] = defaultdict(set)
    for person_id, role in incident.involvements.filter(person_record__person__isnull=False).values_list(
            "person_record__person_id", "role"):
        persons[person_id].add(role)
    phone = incident.caller_phone.e164 if incident.caller_phone_id else ""
    return call_history(viewer=viewer, phone=phone, address=incident.address, persons=persons, incident=incident,
                        now=now, request=request, audit=audit)
