"""The writers of locations, objects and persons: addresses, phones, nominal records (joined to persons by
the legacy rule) and the relationships file."""

from __future__ import annotations

from datetime import date

from vigil.bulk import rows_matching, rows_matching_pairs
from vigil.imports.writing import Context, Item, db_date, db_time, ids_reserve, new_uuid, text_or_empty
from vigil.people import normalise
from vigil.people.models import Address, Person, PersonRecord, Phone, Relationship

# --- Locations and objects ----------------------------------------------------------------------------------

ADDRESS_COLUMNS = ["id", "public_id", "line1", "line2", "town", "postcode", "address_key", "is_refuge"]


def _address_fields(v: dict) -> dict:
    return {"line1": v["line1"], "line2": text_or_empty(v["line2"]), "town": text_or_empty(v["town"]), "postcode": v["postcode"],
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
    given, family = text_or_empty(v["given_name"]), v["family_name"]
    return {"given_name": given, "family_name": family, "date_of_birth": v["date_of_birth"],
            "sex": v["sex"] or "U", "ethnicity": text_or_empty(v["ethnicity"]), "address_id": item.refs.get("address_id"),
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


# --- Relationships ------------------------------------------------------------------------------------------

def _relationship_fields(item: Item) -> dict:
    v = item.values
    return {"victim_id": item.refs["victim_person_id"], "suspect_id": item.refs["suspect_person_id"],
            "kind": v["kind"], "intimate": v["kind"] != "family_member", "detail": text_or_empty(v["detail"])}


def relationships_insert(ctx: Context, items: list[Item]) -> None:
    """A pair already related (stated on an incident, say) takes the relationship file's statement."""
    for item in items:
        f = _relationship_fields(item)
        relationship, _ = Relationship.objects.update_or_create(
            victim_id=f.pop("victim_id"), suspect_id=f.pop("suspect_id"), defaults=f)
        item.object_id = relationship.pk


def relationships_update(ctx: Context, item: Item) -> None:
    relationships_insert(ctx, [item])
