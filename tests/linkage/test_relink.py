"""The full re-link on Vigil's own records: trained on them, it joins the persons a force would want joined,
keeps the rest apart, saves its model, and respects a reviewer's split on the next run."""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import incident_create, user_create
from tests.linkage.test_matching import synthetic_rows
from vigil.audit.models import AuditEvent
from vigil.incidents.services import intake_person_add
from vigil.linkage import services
from vigil.linkage.models import MatchingModel
from vigil.linkage.relink import relink_run
from vigil.people.models import Address, Person, PersonRecord, Phone
from vigil.people.normalise import normalise_phone, normalise_postcode

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _load(rows) -> dict[str, PersonRecord]:
    """Each row as a person record of its own person, the way legacy systems hand them over."""
    from datetime import UTC, datetime

    records = {}
    for row in rows:
        address = None
        if row["address"] and row["postcode"]:
            address = Address.objects.create(line1=row["address"].split(",")[0], town="Leicester",
                                             postcode=normalise_postcode(row["postcode"]))
        phone = Phone.objects.get_or_create(e164=normalise_phone(row["phone"]))[0] if row["phone"] else None
        records[row["record_id"]] = PersonRecord.objects.create(
            person=Person.objects.create(), given_name=row["given_name"], family_name=row["family_name"],
            date_of_birth=date.fromisoformat(row["date_of_birth"]) if row["date_of_birth"] else None,
            address=address, phone=phone, recorded_at=datetime(2013, 1, 1, tzinfo=UTC), source_ref=row["record_id"])
    return records


def test_relink_joins_liz_keeps_her_father_apart_and_respects_a_split(capsys, client):
    rows, truth = synthetic_rows()
    records = _load(rows)
    liz = [records[r] for r, p in truth.items() if p == 100]
    father = next(records[r] for r, p in truth.items() if p == 101)

    outcome = relink_run(max_pairs=2e5)
    for record in liz + [father]:
        record.refresh_from_db()
    assert len({r.person_id for r in liz}) == 1
    assert father.person_id != liz[0].person_id
    assert outcome["joins"] > 0 and outcome["records"] == len(rows)
    model = MatchingModel.objects.get(active=True)
    assert model.version == "vigil-linkage-uk-1" and model.trained_on_records == len(rows)
    assert model.document["splink_settings"]["comparisons"]
    assert AuditEvent.objects.filter(action="combination", actor=None).exists()
    run = AuditEvent.objects.get(action="consultation", object_type="linkage.MatchingModel")
    assert run.detail["records"] == len(rows) and run.actor is None
    # Persons joined to others are left pointing at where their records went.
    assert Person.objects.filter(merged_into__isnull=False).count() == outcome["joins"]

    # A new call names her again: the online match finds her person with the same model.
    home = Address.objects.create(line1="12 Granby Street", town="Leicester", postcode="LE1 7RH")
    arriving = PersonRecord(given_name="Elizabeth", family_name="Smith", date_of_birth=date(1985, 3, 12),
                            address=home, recorded_at=liz[0].recorded_at)
    arrival = services.person_for_arriving_record(arriving)
    assert (arrival.basis, arrival.person.pk) == ("link", liz[0].person_id)
    assert arrival.probability >= model.upper and arrival.candidates[0].person_id == liz[0].person_id
    stranger = PersonRecord(given_name="Oluwaseun", family_name="Adeyemi", date_of_birth=date(1999, 9, 9),
                            recorded_at=liz[0].recorded_at)
    assert services.person_for_arriving_record(stranger).basis == "new"

    # A call taker adds her to a call: the page says she is known to Vigil, with the probability.
    call_taker = user_create(role="call_taker")
    incident = incident_create(status="recording", recorded_by=call_taker, address=home)
    intake_person_add(incident=incident, by=call_taker, role="victim", given_name="Elizabeth", family_name="Smith",
                      date_of_birth=date(1985, 3, 12))
    added = incident.involvements.get().person_record
    assert added.person_id == liz[0].person_id and added.arrival_match.basis == "link"
    client.force_login(call_taker)
    page = client.get(reverse("control:call-intake", args=[incident.public_id]))
    assert b"Known person (match " in page.content

    # A reviewer decides the nickname record is somebody else; the next re-link keeps it apart.
    nickname = next(r for r in liz if r.given_name == "Liz")
    services.person_split(person=nickname.person, records=[nickname], by=user_create(role="supervisor"),
                          reason="Different person: checked with the victim's IDVA")
    call_command("relink")
    for record in liz:
        record.refresh_from_db()
    assert nickname.person_id not in {r.person_id for r in liz if r != nickname}
    assert MatchingModel.objects.filter(active=True).count() == 1 and MatchingModel.objects.count() == 2
    assert "joins=" in capsys.readouterr().out
