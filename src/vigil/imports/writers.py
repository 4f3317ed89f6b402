"""Writing one batch of checked rows of one kind: new records in bulk (COPY on PostgreSQL), corrected
records updated, each with the source system's identifier. Called by `services` inside the batch's
transaction, after every reference in the batch has been resolved to a Vigil record."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection
from django.db.models import F, Model, Q
from django.utils.text import slugify

from vigil.accounts.models import Agency, Team, User
from vigil.bulk import rows_matching, rows_matching_pairs, rows_write
from vigil.cases.markers import marker_kind, marker_note
from vigil.cases.models import OwnershipPeriod, ProtectiveOrder, SafeguardingCase
from vigil.cases.services import case_open, policy_team, team_duty_owner
from vigil.imports.schema import LIST_SEPARATOR, LONDON
from vigil.incidents.models import Arrest, Crime, Incident, Involvement, Outcome
from vigil.marac.models import MaracArea, MaracMeeting, MaracReferral
from vigil.people import normalise
from vigil.people.models import Address, Person, PersonRecord, Phone, Relationship, WarningMarker
from vigil.risk.models import RiskAssessment, RiskLevel


@dataclass
class Item:
    """One checked row on its way in: `refs` holds the Vigil id of each reference field."""

    row_number: int
    source_id: str
    values: dict
    digest: str
    refs: dict[str, Any] = field(default_factory=dict)
    object_id: int | None = None  # set once written (or, for a correction, the record it updates)


@dataclass
class Context:
    """What a writer writes with. Written at once through `raw` (the driver connection, inside the batch's
    transaction), or, when `pending` is a list, collected there for a second connection to write and commit
    while the next batch is read (services.PipelinedCommit). Then the records of earlier batches may not be
    committed yet, so a writer keeps in `cache` what it made that a later batch must find (a phone number,
    a person by name and date of birth, a relationship)."""

    source_system: str
    now: datetime
    raw: Any = None
    pending: list | None = None
    cache: dict = field(default_factory=dict)

    def write(self, model: type[Model], columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        if self.pending is not None:
            self.pending.append((model, columns, rows))
        else:
            rows_write(self.raw, connection.vendor, model, columns, rows)

    def remembered(self, name: str) -> dict:
        return self.cache.setdefault(name, {})


def ids_reserve(model: type[Model], count: int) -> list[int]:
    """`count` fresh primary keys: from the table's sequence on PostgreSQL (safe beside other writers);
    after the largest key on SQLite, which has one writer at a time."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [table, count])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        first = cursor.fetchone()[0] + 1
    return list(range(first, first + count))


def db_time(value: datetime) -> str:
    """A datetime as Django stores it: UTC text, read as UTC by PostgreSQL on a Django connection."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def db_date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def new_uuid() -> str:
    return uuid.uuid4().hex


def _text(value) -> str:
    return value or ""


# --- Locations and objects ---------------------------------------------------------------------------------

ADDRESS_COLUMNS = ["id", "public_id", "line1", "line2", "town", "postcode", "address_key", "is_refuge"]


def _address_fields(v: dict) -> dict:
    return {"line1": v["line1"], "line2": _text(v["line2"]), "town": _text(v["town"]), "postcode": v["postcode"],
            "address_key": normalise.address_key(line1=v["line1"], postcode=v["postcode"]),
            "is_refuge": bool(v["is_refuge"])}


def addresses_insert(ctx: Context, items: list[Item]) -> None:
    ids = ids_reserve(Address, len(items))
    rows = []
    for item, pk in zip(items, ids, strict=True):
        item.object_id = pk
        f = _address_fields(item.values)
        rows.append((pk, new_uuid(), *(f[c] for c in ADDRESS_COLUMNS[2:])))
    ctx.write(Address, ADDRESS_COLUMNS, rows)


def addresses_update(ctx: Context, item: Item) -> None:
    Address.objects.filter(pk=item.object_id).update(**_address_fields(item.values))


def phones_insert(ctx: Context, items: list[Item]) -> None:
    """A number is one Phone in Vigil whichever system knew it: an existing one is reused."""
    numbers = {item.values["number"] for item in items}
    known = ctx.remembered("phones")
    known.update(rows_matching(Phone, ["e164", "id"], "e164", numbers - set(known)))
    missing = sorted(numbers - set(known))
    for number, pk in zip(missing, ids_reserve(Phone, len(missing)), strict=True):
        known[number] = pk
    ctx.write(Phone, ["id", "public_id", "e164"], [(known[n], new_uuid(), n) for n in missing])
    for item in items:
        item.object_id = known[item.values["number"]]


def phones_update(ctx: Context, item: Item) -> None:
    number = item.values["number"]
    phone = Phone.objects.filter(e164=number).first() or Phone.objects.create(e164=number)
    item.object_id = phone.pk  # the key now points at the corrected number


# --- Persons ------------------------------------------------------------------------------------------------

RECORD_COLUMNS = ["id", "public_id", "person_id", "given_name", "family_name", "date_of_birth", "sex", "ethnicity",
                  "address_id", "phone_id", "given_name_key", "family_name_key", "given_name_phonetic",
                  "family_name_phonetic", "source_system", "source_ref", "recorded_at"]


def _record_fields(ctx: Context, item: Item) -> dict:
    v = item.values
    given, family = _text(v["given_name"]), v["family_name"]
    return {"given_name": given, "family_name": family, "date_of_birth": v["date_of_birth"],
            "sex": v["sex"] or "U", "ethnicity": _text(v["ethnicity"]), "address_id": item.refs.get("address_id"),
            "phone_id": item.refs.get("phone_id"), "given_name_key": normalise.name_key(given),
            "family_name_key": normalise.name_key(family), "given_name_phonetic": normalise.phonetic_key(given),
            "family_name_phonetic": normalise.phonetic_key(family), "source_system": ctx.source_system,
            "source_ref": item.source_id, "recorded_at": v["recorded_at"]}


def _legacy_key(f: dict) -> tuple | None:
    if f["given_name_key"] and f["family_name_key"] and f["date_of_birth"]:
        return f["given_name_key"], f["family_name_key"], f["date_of_birth"]
    return None


def persons_insert(ctx: Context, items: list[Item]) -> None:
    """Each new record joins the person already holding a record with the same name keys and date of birth
    (the legacy rule, as for a record typed in before any model is trained), or a new person; the re-link
    after the import then joins what the trained model is sure of."""
    fields = [_record_fields(ctx, item) for item in items]
    known: dict[tuple, int] = ctx.remembered("persons")
    keys = {key for f in fields if (key := _legacy_key(f)) and key not in known}
    if keys:
        rows = rows_matching_pairs(PersonRecord, ["given_name_key", "family_name_key", "date_of_birth", "person_id"],
                                   ("family_name_key", "date_of_birth"), {(k[1], k[2]) for k in keys},
                                   where="person_id IS NOT NULL", types=("text", "date"))
        for given, family, born, person in rows:
            born = date.fromisoformat(born) if isinstance(born, str) else born
            if (given, family, born) in keys:
                known.setdefault((given, family, born), person)
    wanted = [f for f in fields if (_legacy_key(f) is None or _legacy_key(f) not in known)]
    needed = len({_legacy_key(f) or id(f) for f in wanted})
    new_person_ids = iter(ids_reserve(Person, needed))
    persons: list[tuple] = []
    created_at = db_time(ctx.now)
    for f in fields:
        key = _legacy_key(f)
        if key is not None and key in known:
            f["person_id"] = known[key]
            continue
        pk = next(new_person_ids)
        persons.append((pk, new_uuid(), created_at, False))
        f["person_id"] = pk
        if key is not None:
            known[key] = pk
    ctx.write(Person, ["id", "public_id", "created_at", "restricted"], persons)
    rows = []
    for item, f, pk in zip(items, fields, ids_reserve(PersonRecord, len(items)), strict=True):
        item.object_id = pk
        f["date_of_birth"] = db_date(f["date_of_birth"])
        f["recorded_at"] = db_time(f["recorded_at"])
        rows.append((pk, new_uuid(), *(f[c] for c in RECORD_COLUMNS[2:])))
    ctx.write(PersonRecord, RECORD_COLUMNS, rows)


def persons_update(ctx: Context, item: Item) -> None:
    """A corrected nominal record: the source system is the master of its own records, so the imported
    record follows it (audited as an alteration by the import). Records written in Vigil are never edited."""
    f = _record_fields(ctx, item)
    PersonRecord.objects.filter(pk=item.object_id).update(**f)


# --- Events -------------------------------------------------------------------------------------------------

INCIDENT_COLUMNS = ["id", "public_id", "reference", "received_at", "status", "channel", "response_grade",
                    "is_domestic_abuse", "area_id", "address_id", "location_text", "caller_phone_id", "summary",
                    "source_system", "source_ref"]
ROLE_FIELDS = (("victim_person_id", "victim"), ("suspect_person_id", "suspect"), ("caller_person_id", "caller"))


def _incident_fields(ctx: Context, item: Item) -> dict:
    v = item.values
    return {"reference": v["reference"] or item.source_id, "received_at": v["received_at"], "status": "closed",
            "channel": v["channel"], "response_grade": v["response_grade"],
            "is_domestic_abuse": v["is_domestic_abuse"], "area_id": v["area_code"],
            "address_id": item.refs.get("address_id"), "location_text": _text(v["location_text"]),
            "caller_phone_id": item.refs.get("caller_phone_id"), "summary": _text(v["summary"]),
            "source_system": ctx.source_system, "source_ref": item.source_id}


def _involvements(item: Item) -> list[tuple[int, str]]:
    found = [(item.refs[name], role) for name, role in ROLE_FIELDS if item.refs.get(name)]
    found += [(record, "child_present") for record in item.refs.get("children_person_ids", [])]
    return list(dict.fromkeys(found))


def _relationships_ensure(ctx: Context, items: list[Item]) -> None:
    """The victim–suspect relationship an incident states, once per pair (the first statement stands)."""
    wanted: dict[tuple[int, int], Item] = {}
    for item in items:
        if item.values.get("relationship"):
            wanted.setdefault((item.refs["victim_person_id"], item.refs["suspect_person_id"]), item)
    if not wanted:
        return
    made = ctx.remembered("relationships")
    existing = set(rows_matching(Relationship, ["victim_id", "suspect_id"], "victim_id",
                                 {v for (v, s) in wanted if (v, s) not in made}))
    new = [(pair, item) for pair, item in wanted.items() if pair not in existing and pair not in made]
    made.update((pair, True) for pair, _ in new)
    ids = ids_reserve(Relationship, len(new))
    ctx.write(Relationship, ["id", "victim_id", "suspect_id", "kind", "intimate", "detail"], [
        (pk, victim, suspect, item.values["relationship"], item.values["relationship"] != "family_member",
         _text(item.values["relationship_detail"]))
        for pk, ((victim, suspect), item) in zip(ids, new, strict=True)])


def incidents_insert(ctx: Context, items: list[Item]) -> None:
    rows, involvements = [], []
    for item, pk in zip(items, ids_reserve(Incident, len(items)), strict=True):
        item.object_id = pk
        f = _incident_fields(ctx, item)
        f["received_at"] = db_time(f["received_at"])
        rows.append((pk, new_uuid(), *(f[c] for c in INCIDENT_COLUMNS[2:])))
        involvements += [(pk, record, role) for record, role in _involvements(item)]
    ctx.write(Incident, INCIDENT_COLUMNS, rows)
    ids = ids_reserve(Involvement, len(involvements))
    ctx.write(Involvement, ["id", "incident_id", "person_record_id", "role"],
              [(pk, *row) for pk, row in zip(ids, involvements, strict=True)])
    _relationships_ensure(ctx, items)


def incidents_update(ctx: Context, item: Item) -> None:
    Incident.objects.filter(pk=item.object_id).update(**_incident_fields(ctx, item), updated_at=ctx.now)
    Involvement.objects.filter(incident_id=item.object_id).delete()
    Involvement.objects.bulk_create([Involvement(incident_id=item.object_id, person_record_id=record, role=role)
                                     for record, role in _involvements(item)])
    _relationships_ensure(ctx, [item])


CRIME_COLUMNS = ["id", "public_id", "reference", "incident_id", "recorded_at", "offence_group",
                 "offence_description", "is_domestic_abuse", "victim_id", "suspect_id", "source_system", "source_ref"]


def _crime_fields(ctx: Context, item: Item) -> dict:
    v = item.values
    return {"reference": v["reference"] or item.source_id, "incident_id": item.refs.get("incident_id"),
            "recorded_at": v["recorded_at"], "offence_group": v["offence_group"],
            "offence_description": _text(v["offence_description"]), "is_domestic_abuse": v["is_domestic_abuse"],
            "victim_id": item.refs.get("victim_person_id"), "suspect_id": item.refs.get("suspect_person_id"),
            "source_system": ctx.source_system, "source_ref": item.source_id}


def crimes_insert(ctx: Context, items: list[Item]) -> None:
    rows = []
    for item, pk in zip(items, ids_reserve(Crime, len(items)), strict=True):
        item.object_id = pk
        f = _crime_fields(ctx, item)
        f["recorded_at"] = db_time(f["recorded_at"])
        rows.append((pk, new_uuid(), *(f[c] for c in CRIME_COLUMNS[2:])))
    ctx.write(Crime, CRIME_COLUMNS, rows)


def crimes_update(ctx: Context, item: Item) -> None:
    Crime.objects.filter(pk=item.object_id).update(**_crime_fields(ctx, item))


def _arrest_fields(item: Item) -> dict:
    return {"person_record_id": item.refs["person_id"], "arrested_at": item.values["arrested_at"],
            "incident_id": item.refs.get("incident_id"), "crime_id": item.refs.get("crime_id")}


def arrests_insert(ctx: Context, items: list[Item]) -> None:
    rows = []
    for item, pk in zip(items, ids_reserve(Arrest, len(items)), strict=True):
        item.object_id = pk
        f = _arrest_fields(item)
        rows.append((pk, new_uuid(), f["person_record_id"], db_time(f["arrested_at"]), f["incident_id"],
                     f["crime_id"]))
    ctx.write(Arrest, ["id", "public_id", "person_record_id", "arrested_at", "incident_id", "crime_id"], rows)


def arrests_update(ctx: Context, item: Item) -> None:
    Arrest.objects.filter(pk=item.object_id).update(**_arrest_fields(item))


def _outcome_fields(item: Item) -> dict:
    return {"type": item.values["type"], "nfa_reason": _text(item.values["nfa_reason"]),
            "decided_at": item.values["decided_at"]}


def outcomes_insert(ctx: Context, items: list[Item]) -> None:
    """One outcome per crime: a crime that already has one (recorded in Vigil) gets it replaced."""
    crimes = [item.refs["crime_id"] for item in items]
    existing = dict(rows_matching(Outcome, ["crime_id", "id"], "crime_id", crimes))
    fresh = [item for item in items if item.refs["crime_id"] not in existing]
    for item in items:
        if item.refs["crime_id"] in existing:
            item.object_id = existing[item.refs["crime_id"]]
            outcomes_update(ctx, item)
    rows = []
    for item, pk in zip(fresh, ids_reserve(Outcome, len(fresh)), strict=True):
        item.object_id = pk
        f = _outcome_fields(item)
        rows.append((pk, item.refs["crime_id"], f["type"], f["nfa_reason"], db_time(f["decided_at"])))
    ctx.write(Outcome, ["id", "crime_id", "type", "nfa_reason", "decided_at"], rows)


def outcomes_update(ctx: Context, item: Item) -> None:
    Outcome.objects.filter(pk=item.object_id).update(crime_id=item.refs["crime_id"], **_outcome_fields(item))


def _relationship_fields(item: Item) -> dict:
    v = item.values
    return {"victim_id": item.refs["victim_person_id"], "suspect_id": item.refs["suspect_person_id"],
            "kind": v["kind"], "intimate": v["kind"] != "family_member", "detail": _text(v["detail"])}


def relationships_insert(ctx: Context, items: list[Item]) -> None:
    """A pair already related (stated on an incident, say) takes the relationship file's statement."""
    for item in items:
        f = _relationship_fields(item)
        relationship, _ = Relationship.objects.update_or_create(
            victim_id=f.pop("victim_id"), suspect_id=f.pop("suspect_id"), defaults=f)
        item.object_id = relationship.pk


def relationships_update(ctx: Context, item: Item) -> None:
    relationships_insert(ctx, [item])


# --- Risk assessments, orders, MARAC history --------------------------------------------------------------
#
# These kinds name things only the database knows (a MARAC area's code, an agency's code, whether the victim
# has a safeguarding case): each writer's `check` gives the reasons a resolved row cannot be written, for the
# batch to quarantine it. `insert`/`update` check again and raise RowRefused rather than write a row the
# check would refuse.


class RowRefused(ValueError):
    """A row its writer's check refuses reached the writer (the message names rows and reasons, no values)."""


Reasons = dict[int, list[str]]  # row number -> reasons


def _refuse_unchecked(check: Callable[[Context, list[Item]], Reasons], ctx: Context, items: list[Item]) -> None:
    reasons = check(ctx, items)
    if reasons:
        raise RowRefused("; ".join(f"row {n}: {', '.join(r)}" for n, r in sorted(reasons.items())))


def import_user(source_system: str, agency: Agency | None = None) -> User:
    """The account an import records its rows as (who referred, who recorded, who chaired), one per source
    system and agency: inactive, with an unusable password, so no one can sign in as it."""
    force = agency is None or agency.is_force
    if agency is None:
        agency = Agency.objects.filter(kind=Agency.Kind.FORCE).order_by("pk").first()
    system = slugify(source_system)[:60] or "source"
    username = f"import-{system}" if force else f"import-{system}-{agency.code}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role="control_system" if force else "partner_practitioner", agency=agency,
                    first_name="Import", last_name=source_system[:150], is_active=False)
        user.set_unusable_password()
        user.save()
    return user


RISK_COLUMNS = ["id", "public_id", "incident_id", "victim_id", "instrument", "yes_count", "grade", "assessed_at",
                "status", "submitted_at"]


def _assessment_fields(item: Item) -> dict:
    """A historical assessment as the demo force writes one: submitted, its grade the final grading, no
    answers and no grading decisions (the source system's officer is not a Vigil user)."""
    v = item.values
    return {"incident_id": item.refs["incident_id"], "victim_id": item.refs["victim_person_id"],
            "instrument": v["instrument"] or "dash-2009", "yes_count": v["yes_count"], "grade": v["grade"],
            "assessed_at": v["completed_at"], "status": RiskAssessment.Status.SUBMITTED,
            "submitted_at": v["completed_at"]}


def risk_assessments_insert(ctx: Context, items: list[Item]) -> None:
    rows = []
    for item, pk in zip(items, ids_reserve(RiskAssessment, len(items)), strict=True):
        item.object_id = pk
        f = _assessment_fields(item)
        f["assessed_at"] = f["submitted_at"] = db_time(f["assessed_at"])
        rows.append((pk, new_uuid(), *(f[c] for c in RISK_COLUMNS[2:])))
    ctx.write(RiskAssessment, RISK_COLUMNS, rows)


def risk_assessments_update(ctx: Context, item: Item) -> None:
    RiskAssessment.objects.filter(pk=item.object_id).update(**_assessment_fields(item))


NO_CASE = ("victim_person_id has no safeguarding case in Vigil: give incident_id so the import can open one "
           "on that incident")
NO_OWNER = ("no one to own the victim's new safeguarding case: the team the ownership policy names has no "
            "supervisor or active member")


def _case_find(item: Item, victim: PersonRecord) -> SafeguardingCase | None:
    """The victim's case on the order's incident; else the victim's current case (the open one first, then
    the latest), whichever of her or his records it was opened on."""
    cases = SafeguardingCase.objects.filter(
        Q(victim__person_id=victim.person_id) if victim.person_id else Q(victim=victim))
    incident = item.refs.get("incident_id")
    if incident:
        case = cases.filter(incident_id=incident).order_by("pk").first()
        if case is not None:
            return case
    return cases.order_by(F("closed_at").desc(nulls_first=True), "-opened_at", "-pk").first()


def _case_owner(item: Item, incident: Incident) -> tuple[str, Team | None, User | None]:
    """The risk level of a case to open (the victim's imported assessment at the incident, else standard),
    and who the ownership policy says owns it."""
    level = (RiskAssessment.objects.filter(incident=incident, victim_id=item.refs["victim_person_id"])
             .exclude(grade="").order_by("-assessed_at", "-pk").values_list("grade", flat=True).first()
             or RiskLevel.STANDARD)
    team = policy_team(risk_level=level, area_id=incident.area_id)
    return level, team, team_duty_owner(team) if team is not None else None


def orders_check(ctx: Context, items: list[Item]) -> Reasons:
    reasons: Reasons = {}
    for item in items:
        victim = PersonRecord.objects.get(pk=item.refs["victim_person_id"])
        if _case_find(item, victim) is not None:
            continue
        if not item.refs.get("incident_id"):
            reasons[item.row_number] = [NO_CASE]
        elif _case_owner(item, Incident.objects.get(pk=item.refs["incident_id"]))[2] is None:
            reasons[item.row_number] = [NO_OWNER]
    return reasons


def _case_for(ctx: Context, item: Item) -> SafeguardingCase:
    """The case the order goes on: found, or opened on the order's incident. A case opened for an order in
    force is a live case (`cases.services.case_open`: owner by policy, first-contact task); one opened for an
    order no longer in force is history, closed as soon as it opens."""
    victim = PersonRecord.objects.get(pk=item.refs["victim_person_id"])
    case = _case_find(item, victim)
    if case is not None:
        return case
    incident = Incident.objects.get(pk=item.refs["incident_id"])
    level, team, owner = _case_owner(item, incident)
    if item.values["status"] == ProtectiveOrder.Status.IN_FORCE:
        return case_open(incident=incident, victim=victim, by=import_user(ctx.source_system), risk_level=level,
                         now=ctx.now)
    opened_at = incident.received_at
    closed_at = max(opened_at, item.values["starts_at"])
    case = SafeguardingCase.objects.create(
        victim=victim, incident=incident, risk_level=level, owner=owner, owning_team=team, opened_at=opened_at,
        closed_at=closed_at, closed_reason=f"Imported from {ctx.source_system}: the order is no longer in force")
    OwnershipPeriod.objects.create(case=case, owner=owner, team=team, via=OwnershipPeriod.Via.OPENED,
                                   started_at=opened_at, ended_at=closed_at)
    return case


def _conditions(text: str | None) -> list[str]:
    return [c.strip()[:300] for c in (text or "").split(LIST_SEPARATOR) if c.strip()]


def _order_markers_place(order: ProtectiveOrder) -> None:
    """An order in force is a warning marker on each protected person and the protected address, as
    `cases.markers.order_markers_place` makes them, without its events: an import is not news to partners."""
    fields = dict(kind=marker_kind(order), starts_on=order.starts_at.astimezone(LONDON).date(),
                  ends_on=order.ends_on, note=marker_note(order))
    persons = sorted({r.person_id for r in order.protected_persons.all() if r.person_id})
    markers = [WarningMarker.objects.create(person_id=p, **fields) for p in persons]
    if order.protected_address_id:
        markers.append(WarningMarker.objects.create(address_id=order.protected_address_id, **fields))
    order.markers.add(*markers)


def _order_write(ctx: Context, item: Item, order: ProtectiveOrder | None) -> ProtectiveOrder:
    v = item.values
    victim = PersonRecord.objects.get(pk=item.refs["victim_person_id"])
    if order is None:
        order = ProtectiveOrder(recorded_by=import_user(ctx.source_system), recorded_at=ctx.now)
    else:
        WarningMarker.objects.filter(pk__in=order.markers.values("pk")).delete()  # placed again below
    order.case = _case_for(ctx, item)
    order.kind, order.restricted_person_id, order.protected_address_id = (
        v["kind"], item.refs["restricted_person_id"], victim.address_id)
    order.conditions, order.starts_at, order.ends_on = _conditions(v["conditions"]), v["starts_at"], v["ends_on"]
    order.served_at, order.authorised_by = v["served_at"], _text(v["authorised_by"])
    if order.status != v["status"] or order.pk is None:
        order.status_changed_at = None if v["status"] == ProtectiveOrder.Status.IN_FORCE else ctx.now
    order.status = v["status"]
    order.save()
    order.protected_persons.set([victim.pk, *item.refs.get("other_protected_person_ids", [])])
    if order.status == ProtectiveOrder.Status.IN_FORCE:
        _order_markers_place(order)
    return order


def orders_insert(ctx: Context, items: list[Item]) -> None:
    _refuse_unchecked(orders_check, ctx, items)
    for item in items:
        item.object_id = _order_write(ctx, item, None).pk


def orders_update(ctx: Context, item: Item) -> None:
    _refuse_unchecked(orders_check, ctx, [item])
    _order_write(ctx, item, ProtectiveOrder.objects.get(pk=item.object_id))


def _marac_lookups(items: list[Item]) -> tuple[dict[str, MaracArea], dict[str, Agency], dict[int, int | None]]:
    areas = MaracArea.objects.in_bulk({item.values["area_code"] for item in items}, field_name="code")
    agencies = Agency.objects.in_bulk({item.values["referring_agency"] for item in items}, field_name="code")
    records = {item.refs[name] for item in items for name in ("victim_person_id", "perpetrator_person_id")
               if item.refs.get(name)}
    persons = dict(PersonRecord.objects.filter(pk__in=records).values_list("pk", "person_id"))
    return areas, agencies, persons


def marac_referrals_check(ctx: Context, items: list[Item]) -> Reasons:
    areas, agencies, persons = _marac_lookups(items)
    reasons: Reasons = {}
    for item in items:
        found = []
        if item.values["area_code"] not in areas:
            found.append("area_code is not a known MARAC area code")
        if item.values["referring_agency"] not in agencies:
            found.append("referring_agency is not a known agency code")
        victim = persons.get(item.refs["victim_person_id"])
        perpetrator = persons.get(item.refs.get("perpetrator_person_id"))
        if victim is None:
            found.append("victim_person_id is not yet a person in Vigil: link the persons import first")
        elif victim == perpetrator:
            found.append("victim_person_id and perpetrator_person_id are records of the same person in Vigil")
        if found:
            reasons[item.row_number] = found
    return reasons


def _marac_meeting(ctx: Context, area: MaracArea, held_on: date) -> MaracMeeting:
    """The area's meeting that day: the one Vigil has, else a held meeting chaired by the import's account."""
    meeting = MaracMeeting.objects.filter(area=area, held_on=held_on).first()
    if meeting is None:
        meeting = MaracMeeting.objects.create(area=area, held_on=held_on, status=MaracMeeting.Status.HELD,
                                              chair=import_user(ctx.source_system), recorded_at=ctx.now)
    return meeting


def _marac_write(ctx: Context, item: Item, referral: MaracReferral | None) -> MaracReferral:
    areas, agencies, persons = _marac_lookups([item])
    v = item.values
    area, agency = areas[v["area_code"]], agencies[v["referring_agency"]]
    if referral is None:
        referral = MaracReferral(created_at=ctx.now)
    referral.area, referral.referring_agency = area, agency
    referral.referred_by = import_user(ctx.source_system, agency)
    referral.victim_id = persons[item.refs["victim_person_id"]]
    referral.perpetrator_id = persons.get(item.refs.get("perpetrator_person_id"))
    referral.received_on, referral.criteria = v["received_on"], sorted(v["criteria"])
    referral.judgement_reason, referral.incidents_12m = _text(v["judgement_reason"]), v["incidents_12m"]
    referral.is_repeat = bool(v["is_repeat"])
    referral.victim_aware, referral.victim_consents = v["victim_aware"], v["victim_consents"]
    referral.reason_without_consent = _text(v["reason_without_consent"])
    if v["heard_on"]:
        referral.meeting, referral.status = _marac_meeting(ctx, area, v["heard_on"]), MaracReferral.Status.HEARD
    else:
        referral.meeting, referral.status = None, MaracReferral.Status.RECEIVED
    referral.save()
    return referral


def marac_referrals_insert(ctx: Context, items: list[Item]) -> None:
    _refuse_unchecked(marac_referrals_check, ctx, items)
    for item in items:
        item.object_id = _marac_write(ctx, item, None).pk


def marac_referrals_update(ctx: Context, item: Item) -> None:
    _refuse_unchecked(marac_referrals_check, ctx, [item])
    _marac_write(ctx, item, MaracReferral.objects.get(pk=item.object_id))


@dataclass(frozen=True)
class Writer:
    insert: Callable[[Context, list[Item]], None]
    update: Callable[[Context, Item], None]
    # Identifiers that must be unique among Vigil's own records too (model, field, row value name)
    unique: tuple[tuple[type[Model], str, str], ...] = ()
    audited_subjects: tuple[str, ...] = ()  # reference fields naming persons, for the audit log
    # Reasons (by row number) resolved rows cannot be written, for the batch's quarantine
    check: Callable[[Context, list[Item]], Reasons] | None = None
    # New rows only through ctx.write, reading only what earlier batches committed or ctx.cache holds: such a
    # batch may be written on a second connection while the next is read (services.PipelinedCommit)
    pipelined: bool = False


WRITERS: dict[str, Writer] = {
    "addresses": Writer(addresses_insert, addresses_update, pipelined=True),
    "phones": Writer(phones_insert, phones_update, pipelined=True),
    "persons": Writer(persons_insert, persons_update, pipelined=True),
    "incidents": Writer(incidents_insert, incidents_update, unique=((Incident, "reference", "reference"),),
                        pipelined=True),
    "crimes": Writer(crimes_insert, crimes_update, unique=((Crime, "reference", "reference"),), pipelined=True),
    "arrests": Writer(arrests_insert, arrests_update, pipelined=True),
    "outcomes": Writer(outcomes_insert, outcomes_update),  # may replace an outcome recorded in Vigil
    "relationships": Writer(relationships_insert, relationships_update),
    "risk_assessments": Writer(risk_assessments_insert, risk_assessments_update),
    "orders": Writer(orders_insert, orders_update, check=orders_check),
    "marac_referrals": Writer(marac_referrals_insert, marac_referrals_update, check=marac_referrals_check),
}
