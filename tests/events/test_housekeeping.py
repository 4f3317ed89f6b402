"""Housekeeping: the delivery log of events finished long ago (every delivery delivered or given up) is
deleted with its deliveries and attempts, and audited once as an erasure; an event with a delivery still
waiting or to be tried again is kept whatever its age; so are recent ones. Old delivery-task records go too.
The deadlines sweep does it."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.events.helpers import administrator, order_made_publish, subscription_make
from vigil.audit.models import AuditEvent
from vigil.cases import sweeps
from vigil.cases.tasks import deadlines_sweep_task
from vigil.events import policy, services
from vigil.events.models import Delivery, DeliveryAttempt, OutboundEvent
from vigil.events.services import delivery_replay, delivery_send, event_publish, events_purge
from vigil.events.tasks import deliveries_due_task, delivery_send_task

pytestmark = pytest.mark.django_db


def sent(*, status: str = "delivered", **publish) -> Delivery:
    """A delivery of a new event, tried once for real (or not at all while waiting), then set to `status`."""
    delivery = Delivery.objects.get(event=event_publish(**publish) if publish else order_made_publish())
    if status != "pending":
        delivery_send(delivery_id=delivery.pk)
        Delivery.objects.filter(pk=delivery.pk).update(status=status)
    return delivery


def aged(delivery: Delivery, days: int) -> Delivery:
    """As if the event happened, and was tried, `days` ago."""
    then = timezone.now() - timedelta(days=days)
    OutboundEvent.objects.filter(pk=delivery.event_id).update(occurred_at=then, created_at=then)
    DeliveryAttempt.objects.filter(delivery=delivery).update(attempted_at=then)
    Delivery.objects.filter(pk=delivery.pk, delivered_at__isnull=False).update(delivered_at=then)
    return delivery


def test_old_finished_events_go_with_their_attempts_and_everything_else_stays(receiver, monkeypatch):
    monkeypatch.setattr(services, "PURGE_BATCH", 2)  # several batches
    subscription_make(receiver.url)
    person = uuid.uuid4()
    old_delivered = [aged(sent(), 100) for _ in range(3)]
    old_given_up = aged(sent(status="given_up", kind="case.owner_changed", subject_person_id=person, payload={
        "case": str(uuid.uuid4()), "team": "dau-north", "via": "handover", "changed_at": "2026-01-01"}), 100)
    keep = {
        "waiting": aged(sent(status="pending"), 100),
        "failed, to be tried again": aged(sent(status="failed"), 100),
        "finished recently": aged(sent(), 80),
        "replayed recently": aged(sent(), 100),
    }
    delivery_replay(delivery=keep["replayed recently"], by=administrator())
    delivery_send(delivery_id=keep["replayed recently"].pk)

    assert events_purge() == 4

    gone = [d.pk for d in [*old_delivered, old_given_up]]
    assert not Delivery.objects.filter(pk__in=gone).exists()
    assert not DeliveryAttempt.objects.filter(delivery__in=gone).exists()
    assert not OutboundEvent.objects.filter(pk__in=[d.event_id for d in [*old_delivered, old_given_up]]).exists()
    for why, delivery in keep.items():
        assert Delivery.objects.filter(pk=delivery.pk).exists(), why
    assert DeliveryAttempt.objects.filter(delivery=keep["finished recently"]).count() == 1
    [audit] = AuditEvent.objects.filter(action="erasure")
    assert audit.subject_person_id is None and str(person) not in str(audit.detail) + audit.reason
    assert (audit.detail["events"], audit.detail["deliveries"], audit.detail["attempts"]) == (4, 4, 4)

    assert events_purge() == 0  # nothing more: not audited again
    assert AuditEvent.objects.filter(action="erasure").count() == 1


def test_an_old_event_no_subscription_wanted_goes_too():
    event = order_made_publish(occurred_at=timezone.now() - timedelta(days=200))
    OutboundEvent.objects.filter(pk=event.pk).update(created_at=event.occurred_at)
    assert events_purge() == 1 and not OutboundEvent.objects.exists()


def test_old_finished_delivery_task_records_are_deleted_and_others_kept():
    def record(task, status, age_days):
        result = task.enqueue(*([1] if task is delivery_send_task else []))
        finished = timezone.now() - timedelta(days=age_days)
        DBTaskResult.objects.filter(pk=result.id).update(status=status, finished_at=finished)
        return result.id

    old = [record(delivery_send_task, "SUCCESSFUL", 9), record(deliveries_due_task, "SUCCESSFUL", 9),
           record(delivery_send_task, "FAILED", 9)]
    kept = [record(delivery_send_task, "SUCCESSFUL", 1), record(delivery_send_task, "READY", 9),
            record(deadlines_sweep_task, "SUCCESSFUL", 9)]  # not an events task: the worker's own housekeeping

    events_purge()

    assert not DBTaskResult.objects.filter(pk__in=old).exists()
    assert DBTaskResult.objects.filter(pk__in=kept).count() == 3
    assert policy.KEEP_FINISHED_TASK_RESULTS == timedelta(days=7)


def test_the_deadlines_sweep_purges_old_finished_events(receiver):
    subscription_make(receiver.url)
    old, recent = aged(sent(), 100), aged(sent(), 10)
    sweeps._lists_last_run.clear()  # a fresh worker process: its less frequent work is due

    result = sweeps.deadlines_sweep(now=timezone.now())

    assert result.errors == 0
    assert not OutboundEvent.objects.filter(pk=old.event_id).exists()
    assert OutboundEvent.objects.filter(pk=recent.event_id).exists()
    assert AuditEvent.objects.filter(action="erasure", detail__events=1).exists()
