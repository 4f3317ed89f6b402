"""Referrals: consent or an override with its reason, acknowledgement deadlines by kind (across weekends
and bank holidays), the chasing task, and partner agencies acknowledging only their own referrals."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.cases import referral_services
from vigil.cases.models import Referral, Task, TimelineEntry

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
Kind = Referral.Kind


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
def case():
    victim = factories.person_record_create(given_name="Vera", family_name="Referred")
    incident = factories.incident_create(victim=victim, received_at=datetime(2026, 12, 1, 9, tzinfo=UTC))
    return factories.case_create(victim=victim, incident=incident)


@pytest.fixture
def idva():
    return factories.agency_create(code="idva-service", kind="idva", name="County IDVA Service")


def send(case, **fields):
    values = dict(case=case, by=case.owner, kind=Kind.IDVA, consent=Referral.Consent.GIVEN, recipient="IDVA",
                  now=london(2026, 12, 1, 11, 0))
    values.update(fields)
    return referral_services.referral_send(**values)


@pytest.mark.parametrize("kind, sent, due", [
    (Kind.IDVA, london(2026, 12, 1, 11, 0), london(2026, 12, 2, 23, 59, 59)),         # Tuesday -> Wednesday
    (Kind.CHILDRENS_SERVICES, london(2026, 12, 24, 15, 0), london(2026, 12, 29, 23, 59, 59)),  # Christmas
    (Kind.IDVA, london(2026, 12, 26, 10, 0), london(2026, 12, 30, 23, 59, 59)),       # Boxing Day Saturday
    (Kind.SCHOOL, london(2026, 12, 18, 19, 0), london(2026, 12, 21, 8, 30)),          # Friday evening -> Monday
    (Kind.SCHOOL, london(2026, 12, 1, 7, 0), london(2026, 12, 1, 8, 30)),             # before school: same day
    (Kind.HOUSING, london(2026, 12, 24, 15, 0), london(2027, 1, 5, 23, 59, 59)),      # 5 working days
])
def test_the_acknowledgement_deadline_depends_on_the_kind(case, kind, sent, due):
    referral = send(case, kind=kind, now=sent)
    assert referral.acknowledge_by == due
    task = Task.objects.get(key=referral_services.ack_key(referral))
    assert task.kind == Task.Kind.REFERRAL_ACK and task.due_at == due and task.assignee == case.owner


def test_a_referral_with_consent_is_audited_as_a_disclosure(case, idva):
    referral = send(case, agency=idva, recipient="")
    assert referral.recipient == "County IDVA Service"
    event = AuditEvent.objects.get(action="disclosure", object_id=str(referral.public_id))
    assert event.reason
    assert TimelineEntry.objects.filter(case=case, kind="referral_sent").exists()


@pytest.mark.parametrize("consent", [Referral.Consent.REFUSED_OVERRIDDEN, Referral.Consent.NOT_ASKED_OVERRIDDEN])
def test_referring_without_consent_needs_a_reason(case, consent):
    with pytest.raises(ValidationError) as error:
        send(case, kind=Kind.CHILDRENS_SERVICES, consent=consent, override_reason="kids")
    assert "override_reason" in error.value.message_dict
    assert not Referral.objects.exists() and not Task.objects.filter(kind=Task.Kind.REFERRAL_ACK).exists()
    reason = "Children at risk of significant harm: a statutory duty to refer"
    referral = send(case, kind=Kind.CHILDRENS_SERVICES, consent=consent, override_reason=reason)
    assert referral.override_reason == reason
    assert AuditEvent.objects.get(action="disclosure", object_id=str(referral.public_id)).reason == reason


def test_a_referral_needs_an_agency_or_a_recipient(case):
    with pytest.raises(ValidationError) as error:
        send(case, recipient="")
    assert "recipient" in error.value.message_dict


def test_acknowledging_completes_the_chasing_task(case):
    referral = send(case)
    now = london(2026, 12, 2, 9, 0)
    referral_services.referral_acknowledge(referral=referral, by=case.owner, acknowledged_by="J Smith, ref ID-77",
                                           now=now)
    referral.refresh_from_db()
    assert referral.acknowledged_at == now and referral.acknowledged_by == "J Smith, ref ID-77"
    assert Task.objects.get(key=referral_services.ack_key(referral)).status == Task.Status.DONE
    with pytest.raises(ValidationError):
        referral_services.referral_acknowledge(referral=referral, by=case.owner, acknowledged_by="again", now=now)


def test_a_partner_acknowledges_only_referrals_to_their_own_agency(case, idva):
    ours = send(case, agency=idva)
    housing = factories.agency_create(code="housing", kind="housing", name="Housing Options")
    theirs = send(case, kind=Kind.HOUSING, agency=housing)
    partner = factories.user_create(role="partner_practitioner", agency=idva)
    with pytest.raises(PermissionDenied):
        referral_services.referral_acknowledge(referral=theirs, by=partner, acknowledged_by="Not mine ref 1")
    theirs.refresh_from_db()
    assert theirs.acknowledged_at is None
    assert Task.objects.get(key=referral_services.ack_key(theirs)).status == Task.Status.OPEN
    referral_services.referral_acknowledge(referral=ours, by=partner, acknowledged_by="IDVA duty desk, ref 42")
    ours.refresh_from_db()
    assert ours.acknowledged_at is not None


def test_an_overdue_acknowledgement_escalates_like_any_task(case):
    from vigil.cases.services import task_escalate

    referral = send(case)
    task = Task.objects.get(key=referral_services.ack_key(referral))
    escalation = task_escalate(task=task, now=referral.acknowledge_by + timedelta(minutes=1))
    assert escalation is not None and escalation.urgent
