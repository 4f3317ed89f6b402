import uuid

import pytest
from django.test import RequestFactory

from tests.factories import agency_create, person_record_create
from vigil.audit.chain import GENESIS_HASH, event_hash, sealed_fields_of
from vigil.audit.models import Action, AuditEvent, DpaCategory
from vigil.audit.services import audit_record, audit_verify

pytestmark = pytest.mark.django_db


def test_events_are_numbered_in_order_and_each_links_to_the_one_before():
    first = audit_record(action="sign_in_failed")
    second = audit_record(action=Action.LOCKOUT)
    assert (first.sequence, second.sequence) == (1, 2)
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.hash
    assert second.hash == event_hash(sealed_fields_of(AuditEvent.objects.get(sequence=2)))


def test_an_event_names_the_object_by_its_public_id_and_the_person_concerned(user_with_role):
    officer = user_with_role(role="response_officer")
    record = person_record_create(given_name="Elizabeth", family_name="Bennet")
    event = audit_record(action="consultation", actor=officer, obj=record,
                         subject_person_id=record.person.public_id, reason="Attending a call")
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.object_type == "people.PersonRecord"
    assert event.object_id == str(record.public_id)
    assert event.subject_person_id == record.person.public_id
    assert event.actor == officer and event.actor_role == "response_officer" and event.actor_agency == "force"
    assert "Elizabeth" not in repr(sealed_fields_of(event))


def test_a_person_given_as_the_object_is_also_the_subject():
    record = person_record_create()
    event = audit_record(action="alteration", obj=record.person)
    assert event.object_type == "people.Person" and event.subject_person_id == record.person.public_id


def test_the_request_gives_the_actor_request_id_address_and_user_agent(user_with_role):
    officer = user_with_role(role="call_taker")
    request = RequestFactory().get("/", HTTP_USER_AGENT="Mozilla/5.0 " + "x" * 500, REMOTE_ADDR="10.1.2.3")
    request.user = officer
    request.vigil_request_id = uuid.uuid4().hex
    event = audit_record(action="search", request=request)
    assert event.actor == officer
    assert event.request_id == request.vigil_request_id
    assert event.ip_address == "10.1.2.3"
    assert event.user_agent.startswith("Mozilla/5.0") and len(event.user_agent) == 200
    assert audit_verify().intact  # the address and user agent read back exactly as they were sealed


def test_role_and_agency_are_copied_so_later_changes_do_not_rewrite_history(user_with_role):
    user = user_with_role(role="response_officer")
    event = audit_record(action="consultation", actor=user)
    user.role = "auditor"
    user.agency = agency_create(code="idva", kind="idva")
    user.save()
    event.refresh_from_db()
    assert (event.actor_role, event.actor_agency) == ("response_officer", "force")
    assert audit_verify().intact


def test_disclosure_and_erasure_need_a_reason():
    for action in ("disclosure", "erasure"):
        with pytest.raises(ValueError, match="needs a reason"):
            audit_record(action=action, reason="  ")
    assert audit_record(action="disclosure", reason="MARAC research pack").reason == "MARAC research pack"


def test_an_unknown_action_is_refused():
    with pytest.raises(ValueError):
        audit_record(action="peeked")
    assert not AuditEvent.objects.exists()


def test_detail_is_stored_as_it_reads_back_so_it_still_verifies():
    event = audit_record(action="export", detail={"rows": 3, "share": 0.25, "period": uuid.UUID(int=1),
                                                  "fields": ("a", "b")})
    assert event.detail == {"rows": 3, "share": "0.25", "period": str(uuid.UUID(int=1)), "fields": ["a", "b"]}
    assert audit_verify().intact


def test_every_action_has_a_label_and_a_section_62_category():
    assert Action.SEARCH.dpa_category == DpaCategory.CONSULTATION
    assert Action.EXPORT.dpa_category == DpaCategory.DISCLOSURE
    assert Action.SIGN_IN.dpa_category == DpaCategory.SECURITY
    for action in Action:
        assert action.label and action.dpa_category in DpaCategory


def test_an_event_rolls_back_with_the_change_it_records():
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="alteration")
        raise RuntimeError("the change failed")
    assert not AuditEvent.objects.exists()
    assert audit_record(action="alteration").sequence == 1


def test_an_empty_log_and_an_untouched_log_verify():
    assert audit_verify().message == "Audit chain intact: 0 events"
    for _ in range(5):
        audit_record(action="consultation")
    result = audit_verify()
    assert result.intact and result.events_checked == 5
    assert result.last_hash == AuditEvent.objects.get(sequence=5).hash
