"""The writers of events and what follows from them: incidents (with their involvements and the
relationship each states), crimes, arrests, outcomes and risk assessments."""

from __future__ import annotations

from vigil.bulk import rows_matching
from vigil.imports.writing import Context, Item, db_time, ids_reserve, new_uuid, text_or_empty
from vigil.incidents.models import Arrest, Crime, Incident, Involvement, Outcome
from vigil.people.models import Relationship
from vigil.risk.models import RiskAssessment

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
            "address_id": item.refs.get("address_id"), "location_text": text_or_empty(v["location_text"]),
            "caller_phone_id": item.refs.get("caller_phone_id"), "summary": text_or_empty(v["summary"]),
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
         text_or_empty(item.values["relationship_detail"]))
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
            "offence_description": text_or_empty(v["offence_description"]), "is_domestic_abuse": v["is_domestic_abuse"],
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
    return {"type": item.values["type"], "nfa_reason": text_or_empty(item.values["nfa_reason"]),
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


# --- Risk assessments ---------------------------------------------------------------------------------------

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
