"""Delivering events to a real HTTP server on this machine: signed as documented, retried with back-off,
given up after the last attempt, never sent again once delivered (except by a replay), picked up by the
sweep when a task was lost, and run by the real worker."""

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.events.helpers import OCCURRED, administrator, order_made_publish, subscription_make
from tests.events.receiver import Receiver
from vigil.audit.models import AuditEvent
from vigil.cases import sweeps
from vigil.events import policy
from vigil.events.models import Delivery, DeliveryAttempt, OutboundEvent
from vigil.events.services import (
    delivery_replay,
    delivery_send,
    event_publish,
    subscription_change,
    subscription_replay,
)
from vigil.events.tasks import deliveries_due_task, delivery_send_task

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def documented_verify():
    """The receiver's check exactly as docs/events.md gives it."""
    text = DOCS.read_text()
    snippet = re.search(r"## Verifying the signature.*?```python\n(.*?)```", text, re.S).group(1)
    namespace: dict = {}
    exec(snippet, namespace)  # noqa: S102 - our own documentation, run to prove it right
    return namespace["verify_vigil_event"]


def publish_one(django_capture_on_commit_callbacks, **kwargs) -> Delivery:
    with django_capture_on_commit_callbacks(execute=True):
        event = order_made_publish(**kwargs)
    return Delivery.objects.get(event=event)


def test_a_receiver_verifies_the_signature_with_the_documented_code(receiver, django_capture_on_commit_callbacks):
    subscription = subscription_make(receiver.url)
    delivery = publish_one(django_capture_on_commit_callbacks)

    assert delivery_send(delivery_id=delivery.pk) == "delivered"

    [got] = receiver.received
    verify = documented_verify()
    assert verify(subscription.secret, got.headers, got.body)
    assert got.headers["Vigil-Event-Id"] == str(delivery.event.event_id)
    assert got.headers["Vigil-Event-Kind"] == "order.made"
    assert json.loads(got.body)["data"]["order_kind"] == "dvpo"
    # Tampered with, or signed with another secret, or signed long ago: refused.
    assert not verify(subscription.secret, got.headers, got.body.replace(b"dvpo", b"dapo"))
    assert not verify("another-secret", got.headers, got.body)
    stale = {"Vigil-Timestamp": str(int(got.headers["Vigil-Timestamp"]) - 600),
             "Vigil-Signature": got.headers["Vigil-Signature"]}
    assert not verify(subscription.secret, stale, got.body)


def test_a_delivery_to_a_real_server_is_logged_as_delivered_and_audited_as_a_disclosure(
        receiver, django_capture_on_commit_callbacks, caplog):
    subscription = subscription_make(receiver.url)
    delivery = publish_one(django_capture_on_commit_callbacks)
    assert DBTaskResult.objects.filter(task_path=delivery_send_task.module_path).count() == 1

    with caplog.at_level("DEBUG"):
        delivery_send(delivery_id=delivery.pk)

    assert "delivered" in caplog.text
    assert subscription.secret not in caplog.text and delivery.event.payload["case"] not in caplog.text

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None
    [attempt] = DeliveryAttempt.objects.filter(delivery=delivery)
    assert attempt.succeeded and attempt.status_code == 200 and not attempt.replay
    [audit] = AuditEvent.objects.filter(action="disclosure", object_id=str(delivery.event.event_id))
    assert audit.reason == "Event sent to subscription Partner hub (delivered)"
    assert delivery.subscription.secret not in json.dumps(audit.detail)


def test_a_failure_is_retried_after_the_back_off_and_a_delivered_one_is_never_sent_again(
        django_capture_on_commit_callbacks):
    with Receiver(statuses=[500]) as receiver:
        subscription_make(receiver.url)
        delivery = publish_one(django_capture_on_commit_callbacks)
        first = timezone.now()

        with django_capture_on_commit_callbacks(execute=True):
            assert delivery_send(delivery_id=delivery.pk, now=first) == "failed"

        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_error) == ("failed", 1, "HTTP 500")
        assert delivery.next_attempt_at == first + timedelta(seconds=30)
        retry = DBTaskResult.objects.filter(task_path=delivery_send_task.module_path).order_by("enqueued_at").last()
        assert retry.run_after == delivery.next_attempt_at and retry.args_kwargs["args"] == [delivery.pk]
        # The retry's time has not come: a task run early sends nothing.
        assert delivery_send(delivery_id=delivery.pk, now=first + timedelta(seconds=10)) == "not due"

        assert delivery_send(delivery_id=delivery.pk, now=first + timedelta(seconds=30)) == "delivered"
        # The same task run again (a worker retrying it) sends nothing more.
        assert delivery_send(delivery_id=delivery.pk, now=first + timedelta(minutes=5)) == "already delivered"
        assert deliveries_due_task.func() == {}

    assert len(receiver.received) == 2
    log = list(DeliveryAttempt.objects.filter(delivery=delivery).order_by("attempted_at"))
    assert [(a.succeeded, a.status_code) for a in log] == [(False, 500), (True, 200)]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)


def test_it_gives_up_after_the_last_attempt_waiting_longer_each_time(django_capture_on_commit_callbacks):
    with Receiver(statuses=[503] * 50) as receiver:
        subscription_make(receiver.url)
        delivery = publish_one(django_capture_on_commit_callbacks)
        at = timezone.now()
        waits = []
        for _ in range(policy.MAX_ATTEMPTS):
            delivery_send(delivery_id=delivery.pk, now=at)
            delivery.refresh_from_db()
            if delivery.next_attempt_at:
                waits.append(delivery.next_attempt_at - at)
                at = delivery.next_attempt_at
        assert delivery_send(delivery_id=delivery.pk, now=at + timedelta(days=30)) == "not sent"

    assert waits == list(policy.RETRY_DELAYS)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("given_up", policy.MAX_ATTEMPTS, None)
    assert len(receiver.received) == policy.MAX_ATTEMPTS == 7


def test_an_unreachable_receiver_is_a_failed_attempt_with_a_short_error(django_capture_on_commit_callbacks,
                                                                       settings):
    settings.VIGIL_EVENTS_ALLOW_PRIVATE_TARGETS = True
    with Receiver() as gone:
        url = gone.url
    subscription_make(url)
    delivery = publish_one(django_capture_on_commit_callbacks)

    assert delivery_send(delivery_id=delivery.pk) == "failed"

    delivery.refresh_from_db()
    assert delivery.last_status_code is None and delivery.last_error == "connection refused"
    assert "dvpo" not in delivery.last_error


def test_a_replay_sends_a_delivered_event_again_with_the_same_event_id(receiver, django_capture_on_commit_callbacks):
    subscription = subscription_make(receiver.url)
    delivery = publish_one(django_capture_on_commit_callbacks)
    delivery_send(delivery_id=delivery.pk)

    with django_capture_on_commit_callbacks(execute=True):
        delivery_replay(delivery=delivery, by=administrator())
    assert delivery_send(delivery_id=delivery.pk) == "delivered"

    first, second = receiver.received
    assert first.headers["Vigil-Event-Id"] == second.headers["Vigil-Event-Id"]
    assert [a.replay for a in DeliveryAttempt.objects.filter(delivery=delivery).order_by("attempted_at", "pk")] \
        == [False, True]
    assert AuditEvent.objects.filter(action="alteration", object_id=str(delivery.public_id),
                                     detail__step="event delivery replayed").exists()
    # A switched-off subscription is not replayed.
    subscription_change(subscription=subscription, active=False, by=administrator())
    with pytest.raises(ValidationError):
        delivery_replay(delivery=delivery, by=administrator())


def test_a_replay_since_a_date_sends_only_the_events_from_that_day(receiver, django_capture_on_commit_callbacks):
    subscription = subscription_make(receiver.url)
    old = publish_one(django_capture_on_commit_callbacks, occurred_at=OCCURRED - timedelta(days=10))
    new = publish_one(django_capture_on_commit_callbacks, occurred_at=OCCURRED)
    for delivery in (old, new):
        delivery_send(delivery_id=delivery.pk)

    with django_capture_on_commit_callbacks(execute=True):
        count = subscription_replay(subscription=subscription, since=OCCURRED.date(), by=administrator())
    assert count == 1
    assert DBTaskResult.objects.filter(task_path=deliveries_due_task.module_path).count() == 1
    assert deliveries_due_task.func() == {"delivered": 1}

    ids = [r.headers["Vigil-Event-Id"] for r in receiver.received]
    assert ids == [str(old.event.event_id), str(new.event.event_id), str(new.event.event_id)]
    with pytest.raises(ValidationError):
        subscription_replay(subscription=subscription, since=date.today() + timedelta(days=2), by=None)


def test_the_replay_command_sends_again_since_a_date(receiver, django_capture_on_commit_callbacks):
    subscription_make(receiver.url, name="Partner hub")
    delivery = publish_one(django_capture_on_commit_callbacks)
    delivery_send(delivery_id=delivery.pk)

    call_command("events_replay", "--subscription", "partner hub", "--since", OCCURRED.date().isoformat(),
                 verbosity=0)
    deliveries_due_task.func()

    assert len(receiver.received) == 2


def test_a_delivery_whose_task_was_lost_is_sent_after_the_sweep_notices_it(receiver):
    subscription_make(receiver.url)
    event = order_made_publish()  # its task is never enqueued: the commit hook is not run
    delivery = Delivery.objects.get(event=event)
    assert not DBTaskResult.objects.filter(task_path=delivery_send_task.module_path).exists()

    sweeps.deadlines_sweep(now=timezone.now())  # due, but not yet overdue: its task may still come
    assert not DBTaskResult.objects.filter(task_path=deliveries_due_task.module_path).exists()
    sweeps.deadlines_sweep(now=timezone.now() + policy.OVERDUE + timedelta(seconds=1))
    sweeps.deadlines_sweep(now=timezone.now() + policy.OVERDUE + timedelta(seconds=2))  # never two at once
    assert DBTaskResult.objects.filter(task_path=deliveries_due_task.module_path, status="READY").count() == 1

    call_command("worker", "--once", verbosity=0)

    delivery.refresh_from_db()
    assert delivery.status == "delivered" and len(receiver.received) == 1


def test_no_delivery_for_a_subscription_switched_off_or_not_wanting_the_kind(receiver):
    wants_markers = subscription_make(receiver.url, name="Markers only", kinds=["marker.added"])
    off = subscription_make(receiver.url, name="Switched off")
    subscription_change(subscription=off, active=False, by=administrator())
    on = subscription_make(receiver.url, name="Everything")

    event = order_made_publish()

    assert [d.subscription for d in event.deliveries.all()] == [on]
    assert wants_markers.deliveries.count() == 0


def test_an_event_carrying_anything_but_the_documented_keys_is_refused():
    with pytest.raises(ValueError, match="not allowed"):
        event_publish(kind="order.made", payload={"order": "x", "victim_name": "Vera Protected"},
                      occurred_at=OCCURRED)
    assert not OutboundEvent.objects.exists()


@pytest.mark.parametrize("url, problem", [
    ("https://receiver.example.org/events", False),
    ("http://localhost:8080/events", False),
    ("http://127.0.0.1/events", False),
    ("http://receiver.example.org/events", True),
    ("ftp://receiver.example.org/events", True),
    ("https://user:pw@receiver.example.org/events", True),
    ("not an address", True),
])
def test_a_subscription_needs_https_except_on_this_machine(url, problem):
    if problem:
        with pytest.raises(ValidationError) as error:
            subscription_make(url)
        assert "target_url" in error.value.message_dict
    else:
        assert subscription_make(url).target_url == url


@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_retries_with_back_off_and_delivers():
    """The whole path with real commits: the change commits, its task is enqueued, the worker sends it, the
    receiver fails, the retry is enqueued for later, and when its time comes the worker delivers it."""
    with Receiver(statuses=[500]) as receiver:
        subscription_make(receiver.url)
        delivery = Delivery.objects.get(event=order_made_publish())

        call_command("worker", "--once", verbosity=0)

        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("failed", 1)
        retry = DBTaskResult.objects.get(task_path=delivery_send_task.module_path, status="READY")
        assert retry.run_after == delivery.next_attempt_at
        assert timedelta(seconds=25) < delivery.next_attempt_at - timezone.now() <= timedelta(seconds=30)

        call_command("worker", "--once", verbosity=0)  # the retry is not due yet
        assert len(receiver.received) == 1

        # Time passes: the retry falls due.
        past = timezone.now() - timedelta(seconds=1)
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=past)
        DBTaskResult.objects.filter(pk=retry.pk).update(run_after=past)
        call_command("worker", "--once", verbosity=0)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert len(receiver.received) == 2
    assert [a.status_code for a in delivery.attempt_log.order_by("attempted_at")] == [500, 200]
