"""Recording a call as it goes on: nothing valid is lost, nothing invalid is saved, every change audited."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from tests.factories import address_create, area_create, person_record_create, user_create
from vigil.audit.models import AuditEvent
from vigil.checks.models import BackgroundCheck
from vigil.incidents import services
from vigil.incidents.forms import IntakeForm
from vigil.incidents.models import Incident
from vigil.people.models import PersonRecord

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 22, 0, tzinfo=UTC)


@pytest.fixture
def call_taker():
    return user_create(role="call_taker")


@pytest.fixture
def call(call_taker):
    return services.incident_start(by=call_taker, now=NOW)


def _save(call, call_taker, **post):
    form = IntakeForm(post)
    form.is_valid()
    return form, services.intake_save(incident=call, by=call_taker, changes=form.changes(), now=NOW)


def test_a_new_call_is_saved_at_once_with_a_reference_and_the_call_taker(call, call_taker):
    stored = Incident.objects.get(pk=call.pk)
    assert stored.status == "recording" and stored.recorded_by == call_taker
    assert stored.reference == f"INC-20261126-{call.pk:07d}"
    assert AuditEvent.objects.filter(action="collection", object_id=str(call.public_id)).exists()


def test_valid_fields_are_saved_even_when_another_field_is_wrong(call, call_taker):
    form, changed = _save(call, call_taker, caller_phone="not a number", summary="Shouting heard", weapons="yes",
                          is_domestic_abuse="yes")

    assert "caller_phone" in form.errors
    assert set(changed) == {"summary", "weapons", "is_domestic_abuse"}
    stored = Incident.objects.get(pk=call.pk)
    assert (stored.summary, stored.weapons, stored.is_domestic_abuse, stored.caller_phone) == (
        "Shouting heard", True, True, None)


def test_a_field_not_sent_is_left_alone_so_a_partial_save_never_blanks_earlier_work(call, call_taker):
    _save(call, call_taker, summary="First words", children_present="yes")
    _save(call, call_taker, weapons="no")
    stored = Incident.objects.get(pk=call.pk)
    assert (stored.summary, stored.children_present, stored.weapons) == ("First words", True, False)


def test_not_known_is_recorded_as_not_known(call, call_taker):
    _save(call, call_taker, injuries="yes")
    _save(call, call_taker, injuries="unknown")
    assert Incident.objects.get(pk=call.pk).injuries is None


def test_an_address_entered_by_hand_is_normalised_and_sets_the_area(call, call_taker):
    area = area_create(code="city", districts="LE1 LE2")
    _save(call, call_taker, line1="3 Sample Street", postcode="le1 6zz")
    stored = Incident.objects.get(pk=call.pk)
    assert (stored.address.line1, stored.address.postcode, stored.area) == ("3 Sample Street", "LE1 6ZZ", area)


def test_an_address_chosen_from_the_look_up_is_used_as_it_is(call, call_taker):
    address = address_create()
    _save(call, call_taker, address_choice=str(address.public_id))
    assert Incident.objects.get(pk=call.pk).address == address


def test_each_save_is_audited_with_the_fields_changed_and_no_values(call, call_taker):
    _save(call, call_taker, summary="He has a knife", weapons="yes")
    event = AuditEvent.objects.filter(object_id=str(call.public_id)).order_by("-sequence").first()
    assert event.detail == {"fields": ["summary", "weapons"]}
    assert "knife" not in str(event.detail)


def test_people_mentioned_are_recorded_with_whatever_is_known(call, call_taker):
    involvement = services.intake_person_add(incident=call, by=call_taker, role="victim", given_name="Vera", now=NOW)
    assert involvement.person_record.family_name == "" and involvement.person_record.person_id is not None
    with pytest.raises(ValidationError):
        services.intake_person_add(incident=call, by=call_taker, role="victim", now=NOW)
    with pytest.raises(ValidationError):
        services.intake_person_add(incident=call, by=call_taker, role="bystander", given_name="X", now=NOW)


def test_a_person_with_the_same_name_and_date_of_birth_is_linked_to_the_known_person(call, call_taker):
    known = person_record_create(given_name="Vera", family_name="Sample", dob=date(1985, 3, 12))
    involvement = services.intake_person_add(incident=call, by=call_taker, role="victim", given_name="vera",
                                             family_name="SAMPLE", date_of_birth=date(1985, 3, 12), now=NOW)
    assert involvement.person_record.person_id == known.person_id


def test_with_no_date_of_birth_the_same_name_at_the_same_address_is_the_known_person(call, call_taker):
    address = address_create()
    known = person_record_create(given_name="Vera", family_name="Sample", address=address)
    _save(call, call_taker, address_choice=str(address.public_id))
    call.refresh_from_db()
    same = services.intake_person_add(incident=call, by=call_taker, role="victim", given_name="Vera",
                                      family_name="Sample", now=NOW)
    elsewhere = services.intake_person_add(incident=call, by=call_taker, role="suspect", given_name="Vera",
                                           family_name="Sample", now=NOW)  # a suspect's address is not the call's
    assert same.person_record.person_id == known.person_id
    assert elsewhere.person_record.person_id != known.person_id


def test_submitting_needs_a_location_and_for_domestic_abuse_a_victim(call, call_taker):
    _save(call, call_taker, is_domestic_abuse="yes")
    with pytest.raises(ValidationError) as error:
        services.intake_submit(incident=Incident.objects.get(pk=call.pk), by=call_taker, now=NOW)
    assert set(error.value.message_dict) == {"address", "people"}
    assert Incident.objects.get(pk=call.pk).status == "recording"


def test_a_submitted_domestic_abuse_call_opens_with_its_checks(call, call_taker):
    _save(call, call_taker, is_domestic_abuse="yes", location_text="Car park", response_grade="1")
    services.intake_person_add(incident=call, by=call_taker, role="victim", given_name="Vera", now=NOW)
    services.intake_submit(incident=Incident.objects.get(pk=call.pk), by=call_taker, now=NOW)
    assert Incident.objects.get(pk=call.pk).status == "open"
    assert BackgroundCheck.objects.filter(incident=call).count() == 6


def test_a_whole_incident_from_another_system_is_all_or_nothing(call_taker):
    system = user_create(role="control_system")
    records = PersonRecord.objects.count()
    data = {"received_at": NOW, "channel": "999", "caller_phone": "07700 900123",
            "address": {"line1": "5 Sample Street", "postcode": "LE1 6ZZ"}, "is_domestic_abuse": True,
            "response_grade": 1, "people": [{"role": "victim", "given_name": "Vera"},
                                            {"role": "suspect", "given_name": "Sam", "phone": "not a phone"}]}
    with pytest.raises(ValidationError):
        services.incident_record(by=system, data=data, source_system="cad", source_ref="CAD-1", now=NOW)
    assert not Incident.objects.filter(source_ref="CAD-1").exists()
    assert PersonRecord.objects.count() == records

    data["people"][1]["phone"] = "07700 900124"
    incident = services.incident_record(by=system, data=data, source_system="cad", source_ref="CAD-1", now=NOW)
    assert incident.involvements.count() == 2 and incident.status == "open"
    with pytest.raises(ValidationError):
        services.incident_record(by=system, data=data, source_system="cad", source_ref="CAD-1", now=NOW)


def test_a_closed_incident_cannot_be_changed_through_intake(call, call_taker):
    Incident.objects.filter(pk=call.pk).update(status="closed")
    with pytest.raises(ValidationError):
        services.intake_save(incident=Incident.objects.get(pk=call.pk), by=call_taker, changes={"summary": "x"})
