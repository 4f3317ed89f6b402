import uuid
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied

from vigil.audit.models import AuditEvent
from vigil.audit.selectors import audit_search, record_viewers
from vigil.audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_record_viewers_lists_each_user_once_with_their_last_look_and_count(auditor, officer, user_with_role):
    other = user_with_role(role="call_taker")
    person = uuid.uuid4()
    for user, day in ((officer, 1), (other, 2), (officer, 3)):
        with mock.patch("django.utils.timezone.now", return_value=datetime(2026, 3, day, tzinfo=UTC)):
            audit_record(action="consultation", actor=user, subject_person_id=person)
    audit_record(action="alteration", actor=other, subject_person_id=person)  # a change, not a look
    audit_record(action="consultation", actor=other, subject_person_id=uuid.uuid4())  # someone else

    viewers = record_viewers(viewer=auditor, subject_person_id=person)

    assert [(v.user, v.looks, v.last_looked_at.day) for v in viewers] == [(officer, 2, 3), (other, 1, 2)]
    assert AuditEvent.objects.filter(action="search", actor=auditor, subject_person_id=person).exists()


def test_only_auditors_may_read_the_log(officer):
    with pytest.raises(PermissionDenied):
        audit_search(viewer=officer)
    with pytest.raises(PermissionDenied):
        record_viewers(viewer=officer, object_id="x")
    assert not AuditEvent.objects.exists()


def test_audit_search_combines_criteria(auditor, officer):
    person = uuid.uuid4()
    audit_record(action="consultation", actor=officer, subject_person_id=person, object_id="rec-1")
    audit_record(action="consultation", actor=auditor, subject_person_id=person, object_id="rec-2")
    found = audit_search(viewer=auditor, person_id=person, user_id=officer.pk, action="consultation")
    assert [e.object_id for e in found] == ["rec-1"]
