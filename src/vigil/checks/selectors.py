"""Reading the control-room history, scoped to what the viewer may see, each look-up audited."""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Q
from django.utils import timezone

from vigil.audit.services import audit_record_each
from vigil.cases.models import SafeguardingCase
from vigil.incidents.models import Incident, Involvement
from vigil.people.models import Address, Person, PersonRecord, Phone, SafeContact, WarningMarker
from vigil.people.normalise import InvalidPhone, address_key, normalise_phone
from vigil.people.selectors import address_text
from vigil.risk.models import RiskAssessment

from . import history
from .history import HistoryFacts

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


def _phone_id(raw: str) -> tuple[str, int | None]:
    if not raw:
        return "", None
    try:
        e164 = normalise_phone(raw)
    except InvalidPhone:
        return raw, None
    return e164, Phone.objects.filter(e164=e164).values_list("id", flat=True).first()


def call_history(*, viewer, phone: str = "", address: Address | None = None, line1: str = "", postcode: str = "",
                 persons: dict[int, set[str]] | None = None, incident: Incident | None = None,
                 now: datetime | None = None, request=None, audit: bool = True) -> CallHistory:
    """The history a call taker needs while the caller is on the line.

    Looks up by the caller's number, the address (the chosen Address, or any address written with the
    same line and postcode) and the people already named on the call (`persons`: person id -> roles on
    this call). `incident` (the call being recorded) is left out of its own history. Audited as a
    consultation of each person shown, unless `audit` is False (Vigil's own checks, never shown)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    since = history.window_start(now)
    persons = {pid: set(roles) for pid, roles in (persons or {}).items()}
    e164, phone_id = _phone_id(phone)
    key = address.address_key if address is not None else (
        address_key(line1=line1, postcode=postcode) if line1 and postcode else "")
    address_ids = list(Address.objects.filter(address_key=key).values_list("id", flat=True)) if key else []
    result = CallHistory(looked_up_at=now, searched_phone=e164,
                         searched_address=address_text(address, viewer=viewer) if address is not None else "")

    place = Q(pk__in=[])
    if address_ids:
        place |= Q(address_id__in=address_ids)
    if phone_id:
        place |= Q(caller_phone_id=phone_id)
    at_place = Incident.objects.filter(place)
    if incident is not None:
        at_place = at_place.exclude(pk=incident.pk)
    if address_ids or phone_id:
        at_address, from_phone = Q(address_id__in=address_ids), Q(caller_phone_id=phone_id)
        recent = Q(received_at__gte=since)
        counts = at_place.aggregate(
            address_all=Count("id", filter=at_address), address_12m=Count("id", filter=at_address & recent),
            phone_all=Count("id", filter=from_phone), phone_12m=Count("id", filter=from_phone & recent))
        result.address_all, result.address_12m = counts["address_all"], counts["address_12m"]
        result.phone_all, result.phone_12m = counts["phone_all"], counts["phone_12m"]
        rows = at_place.order_by("-received_at").values(
            "id", "public_id", "reference", "received_at", "is_domestic_abuse", "address_id", "caller_phone_id",
        )[:history.RECENT_INCIDENTS_SHOWN]
        for row in rows:
            matched = tuple(name for name, hit in (("address", row["address_id"] in address_ids),
                                                   ("number", phone_id and row["caller_phone_id"] == phone_id))
                            if hit)
            result.incidents.append(PastIncident(row["public_id"], row["reference"], row["received_at"],
                                                 row["is_domestic_abuse"], matched))
        involved = Involvement.objects.filter(incident_id__in=[i["id"] for i in rows],
                                              person_record__person__isnull=False)
        roles_at_place: dict[int, set[str]] = defaultdict(set)
        for person_id, role in involved.values_list("person_record__person_id", "role"):
            roles_at_place[person_id].add(role)
    else:
        roles_at_place = {}

    person_ids = list(dict.fromkeys([*persons, *roles_at_place]))[:history.PEOPLE_SHOWN]
    people = _people(person_ids, persons, roles_at_place)
    _add_person_history(people, viewer=viewer, now=now, today=today, since=since, incident=incident)
    result.people = list(people.values())
    result.place_markers = _markers(Q(address_id__in=address_ids) | Q(phone_id=phone_id) if phone_id
                                    else Q(address_id__in=address_ids), viewer=viewer, today=today)
    if audit:
        audit_record_each(
            action="consultation", actor=viewer, request=request, object_type="checks.CallHistory",
            object_id=str(incident.public_id) if incident is not None else "",
            subject_person_ids=[p.public_id for p in result.people],
            detail={"by_number": bool(e164), "by_address": bool(key), "by_person": len(persons),
                    "incidents_found": result.address_all + result.phone_all, "people_shown": len(result.people)})
    return result


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


def _people(person_ids: list[int], persons_now: dict[int, set[str]],
            roles_at_place: dict[int, set[str]]) -> dict[int, PersonHistory]:
    if not person_ids:
        return {}
    restricted = dict(Person.objects.filter(id__in=person_ids).values_list("id", "restricted"))
    latest: dict[int, dict] = {}
    for row in (PersonRecord.objects.filter(person_id__in=person_ids).order_by("person_id", "-recorded_at", "-id")
                .values("person_id", "person__public_id", "given_name", "family_name", "date_of_birth")):
        latest.setdefault(row["person_id"], row)
    people = {}
    for pid in person_ids:
        row = latest.get(pid)
        if row is None:
            continue
        is_restricted = restricted.get(pid, False)
        name = RESTRICTED_NAME if is_restricted else " ".join(
            part for part in (row["given_name"], row["family_name"]) if part) or "Name not known"
        people[pid] = PersonHistory(
            person_id=pid, public_id=row["person__public_id"], name=name,
            date_of_birth=None if is_restricted else row["date_of_birth"], restricted=is_restricted,
            roles=set(roles_at_place.get(pid, ())), roles_now=set(persons_now.get(pid, ())))
    return people


def _add_person_history(people: dict[int, PersonHistory], *, viewer, now, today, since, incident) -> None:
    if not people:
        return
    ids = list(people)
    for marker in _markers(Q(person_id__in=ids), viewer=viewer, today=today, with_person=True):
        marker, person_id = marker
        if marker.kind == "marac":
            recent = history.marac_within_window([marker.starts_on], today)
            if recent and (people[person_id].marac_12m is None or recent > people[person_id].marac_12m):
                people[person_id].marac_12m = recent
        if history.in_force(marker.starts_on, marker.ends_on, today):
            people[person_id].markers.append(marker)

    for row in (RiskAssessment.objects.filter(victim__person_id__in=ids).order_by("-assessed_at")
                .values("victim__person_id", "grade", "assessed_at")):
        person = people[row["victim__person_id"]]
        if person.latest_grade_at is None:
            person.latest_grade, person.latest_grade_at = row["grade"], row["assessed_at"]

    calls = Involvement.objects.filter(role="victim", person_record__person_id__in=ids,
                                       incident__received_at__gte=since, incident__received_at__lte=now)
    if incident is not None:
        calls = calls.exclude(incident_id=incident.pk)
    for person_id, count in (calls.values("person_record__person_id")
                             .annotate(n=Count("incident_id", distinct=True)).values_list("person_record__person_id", "n")):
        people[person_id].victim_calls_12m = count

    victims_now = {pid for pid, p in people.items() if "victim" in p.roles_now}
    pairs = (Involvement.objects.filter(role="victim", person_record__person__isnull=False,
                                        incident__involvements__role="suspect",
                                        incident__involvements__person_record__person_id__in=ids)
             .values_list("incident__involvements__person_record__person_id", "person_record__person_id")
             .distinct())
    victims_of: dict[int, set[int]] = defaultdict(set)
    for suspect_id, victim_id in pairs:
        if suspect_id != victim_id:
            victims_of[suspect_id].add(victim_id)
    for suspect_id, victims in victims_of.items():
        people[suspect_id].victims_abused = len(victims)
        people[suspect_id].other_victims = len(victims - victims_now) if victims_now else max(len(victims) - 1, 0)

    for person_id, code_word in (SafeContact.objects.filter(person_id__in=ids).exclude(code_word="")
                                 .values_list("person_id", "code_word")):
        people[person_id].code_word = code_word

    for row in (SafeguardingCase.objects.filter(victim__person_id__in=ids, closed_at__isnull=True)
                .order_by("-opened_at")
                .values("victim__person_id", "public_id", "risk_level", "opened_at", "owner__first_name",
                        "owner__last_name", "owner__username", "owning_team__name")):
        owner = " ".join(p for p in (row["owner__first_name"], row["owner__last_name"]) if p) or (
            row["owner__username"] or "")
        people[row["victim__person_id"]].open_cases.append(OpenCase(
            row["public_id"], row["risk_level"], row["opened_at"], owner, row["owning_team__name"] or ""))


def _markers(where: Q, *, viewer, today: date, with_person: bool = False):
    """Markers in force (and, for people, MARAC markers started in the last 12 months), refuge markers
    only for those allowed to know where a refuge is."""
    markers = WarningMarker.objects.filter(where, starts_on__lte=today).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today - history.RECENT_WINDOW))
    if not viewer.has_perm("people.view_refuge_address"):
        markers = markers.exclude(kind=history.REFUGE_MARKER)
    labels = dict(WarningMarker.Kind.choices)
    shown = []
    for row in markers.order_by("kind", "-starts_on").values("kind", "person_id", "address_id", "phone_id",
                                                              "starts_on", "ends_on", "note"):
        on = "person" if row["person_id"] else "address" if row["address_id"] else "number"
        marker = MarkerShown(row["kind"], labels.get(row["kind"], row["kind"]), on, row["starts_on"],
                             row["ends_on"], row["note"])
        if with_person:
            shown.append((marker, row["person_id"]))
        elif history.in_force(marker.starts_on, marker.ends_on, today):
            shown.append(marker)
    return shown
