"""Events out: publishing an event to the subscriptions that want it, delivering it (signed, with retries
and back-off), replaying, and keeping the subscriptions.

`event_publish` runs inside the caller's transaction: the event and its deliveries commit or roll back
with the change they report, and each delivery's task is enqueued only once they have committed. The
event itself is not audited (nothing has left the force yet); each attempt to send it is, as a disclosure.

`delivery_send` is the one place an event leaves: it claims the delivery (so a second task does not send
it at the same time), sends it outside any transaction, then records the attempt, schedules the next
(`policy.retry_delay`) or gives up, and audits the disclosure. A delivery already delivered is never sent
again by a task; only a replay, which an administrator asks for, sends it again. It connects only to an
address it has checked (`policy.address_problem`, unless VIGIL_EVENTS_ALLOW_PRIVATE_TARGETS), never
through a proxy, and logs a coarse class of error ("timed out", "TLS error", "HTTP 503"), never raw text.

`events_purge` (from the deadlines sweep) deletes the delivery log of events finished long ago
(`policy.KEEP_FINISHED_EVENTS`); an event with a delivery still waiting or to be tried again is kept.
"""

import http.client
import json
import logging
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import date, datetime
from datetime import time as clock
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from vigil.audit.models import Action
from vigil.audit.services import audit_record
from vigil.workdays import LONDON

from . import policy, signing
from .models import Delivery, DeliveryAttempt, EventKind, OutboundEvent, Subscription, secret_new

logger = logging.getLogger(__name__)

Status = Delivery.Status
DUE = (Status.PENDING, Status.FAILED)
DUE_BATCH = 200  # deliveries sent by one run of the "send what is due" task
PURGE_BATCH = 500  # events (or task records) deleted in one transaction by `events_purge`
USER_AGENT = "Vigil-Events/1"


# --- publishing ------------------------------------------------------------------------------------------

def event_publish(*, kind: str, payload: dict, occurred_at: datetime | None = None,
                  subject_person_id=None) -> OutboundEvent:
    """Record an event and a delivery for each active subscription wanting its kind; their tasks are
    enqueued when the caller's transaction commits. `payload` holds opaque ids only (see
    `policy.PAYLOAD_KEYS`); `subject_person_id` (the person it is about) is kept for the audit, never sent."""
    kind = EventKind(kind).value
    payload = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    problem = policy.payload_problem(kind, payload)
    if problem:
        raise ValueError(problem)
    now = timezone.now()
    with transaction.atomic():
        event = OutboundEvent.objects.create(kind=kind, occurred_at=occurred_at or now, payload=payload,
                                             subject_person_id=subject_person_id, created_at=now)
        for subscription in Subscription.objects.filter(active=True):
            if subscription.wants(kind):
                delivery = Delivery.objects.create(event=event, subscription=subscription, next_attempt_at=now)
                transaction.on_commit(partial(_enqueue, delivery.pk), robust=True)
    return event


def _enqueue(delivery_pk: int, run_after: datetime | None = None) -> None:
    from .tasks import delivery_send_task  # the task module imports this one

    task = delivery_send_task if run_after is None else delivery_send_task.using(run_after=run_after)
    task.enqueue(delivery_pk)


def _enqueue_due() -> None:
    from .tasks import deliveries_due_task

    deliveries_due_task.enqueue()


# --- delivering ------------------------------------------------------------------------------------------

def event_body(event: OutboundEvent) -> bytes:
    """The JSON body sent: the event id, kind, time and payload."""
    return json.dumps({"id": str(event.event_id), "kind": event.kind, "occurred_at": event.occurred_at,
                       "data": event.payload}, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":")).encode()


def signed_headers(*, event: OutboundEvent, secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    return {"Content-Type": "application/json", "User-Agent": USER_AGENT,
            "Vigil-Event-Id": str(event.event_id), "Vigil-Event-Kind": event.kind,
            "Vigil-Timestamp": str(timestamp),
            "Vigil-Signature": signing.signature(secret=secret, timestamp=timestamp, body=body)}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is a failed attempt: the signed body is never sent on to another address."""

    def redirect_request(self, *args, **kwargs):
        return None


class TargetRefused(OSError):
    """The target's name resolves to an address events may not be sent to: nothing was sent."""


def _checked_connection(address, timeout, source_address=None) -> socket.socket:
    """A connection to (host, port) for http.client, made only to an address checked first: every address
    the name resolves to must be public (`policy.address_problem`) unless VIGIL_EVENTS_ALLOW_PRIVATE_TARGETS,
    and the address connected to is one of those checked, so a name that resolves differently a moment
    later (DNS rebinding) cannot send the event elsewhere. TLS still verifies the certificate against the
    host's name (http.client wraps this socket with server_hostname=host)."""
    host, port = address
    resolved = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not settings.VIGIL_EVENTS_ALLOW_PRIVATE_TARGETS:
        for *_, sockaddr in resolved:
            problem = policy.address_problem(sockaddr[0])
            if problem:
                raise TargetRefused(f"not sent: {problem}")
    error: OSError = OSError("no address")
    for family, kind, proto, _, sockaddr in resolved:
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as failed:
            sock.close()
            error = failed
    raise error


class _Checked:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _checked_connection  # what HTTPConnection.connect opens its socket with


class _CheckedHTTPConnection(_Checked, http.client.HTTPConnection):
    pass


class _CheckedHTTPSConnection(_Checked, http.client.HTTPSConnection):
    pass


class _CheckedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_CheckedHTTPConnection, req)


class _CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_CheckedHTTPSConnection, req, context=self._context)


def opener_make(context: ssl.SSLContext | None = None) -> urllib.request.OpenerDirector:
    """No proxy (the address checked must be the one connected to), no redirects, checked addresses only,
    and for https the certificate verified against the host's name (`context`: tests trust their own)."""
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect, _CheckedHTTPHandler,
                                       _CheckedHTTPSHandler(context=context or ssl.create_default_context()))


_opener = opener_make()

ERROR_CLASSES = (  # the first that matches names the error in the delivery log
    (ssl.SSLError, "TLS error"), (socket.gaierror, "name not found"), (TimeoutError, "timed out"),
    (ConnectionRefusedError, "connection refused"), (ConnectionError, "connection lost"),
    (http.client.HTTPException, "bad HTTP response"), (ValueError, "invalid address"),
)


def _error_class(error: BaseException) -> str:
    """A coarse, fixed description of a failed request: never the exception's own text."""
    if isinstance(error, urllib.error.URLError) and isinstance(error.reason, BaseException):
        error = error.reason
    if isinstance(error, TargetRefused):
        return str(error)[:200]
    return next((label for kind, label in ERROR_CLASSES if isinstance(error, kind)), "connection failed")


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """(HTTP status or None, a short error without the payload)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=policy.TIMEOUT_SECONDS) as response:
            response.read(4096)
            return response.status, ""
    except urllib.error.HTTPError as error:
        error.close()
        return error.code, f"HTTP {error.code}"
    except (OSError, ValueError, http.client.HTTPException) as error:  # URLError is an OSError
        return None, _error_class(error)


def _claim(delivery_id: int, now: datetime) -> tuple[Delivery | None, str]:
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update(of=("self",)).select_related("event", "subscription")
                    .filter(pk=delivery_id).first())
        if delivery is None:
            return None, "missing"
        if delivery.status == Status.DELIVERED:
            return None, "already delivered"
        if delivery.status not in DUE or not delivery.subscription.active:
            return None, "not sent"
        if delivery.next_attempt_at is None or delivery.next_attempt_at > now:
            return None, "not due"
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now + policy.CLAIM)
    return delivery, ""


def delivery_send(*, delivery_id: int, now: datetime | None = None) -> str:
    """Send one delivery if it is due; record the attempt and what comes next. Returns the outcome:
    "delivered", "failed" (a retry is scheduled), "given up", or why nothing was sent."""
    now = now or timezone.now()
    delivery, why_not = _claim(delivery_id, now)
    if delivery is None:
        return why_not
    event, subscription = delivery.event, delivery.subscription
    body = event_body(event)
    headers = signed_headers(event=event, secret=subscription.secret, body=body, timestamp=int(now.timestamp()))
    started = time.monotonic()
    status_code, error = _post(subscription.target_url, body, headers)
    duration_ms = int((time.monotonic() - started) * 1000)
    succeeded = status_code is not None and 200 <= status_code < 300
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update(of=("self",)).get(pk=delivery.pk)
        delivery.attempts += 1
        DeliveryAttempt.objects.create(delivery=delivery, attempted_at=now, replay=delivery.replayed,
                                       succeeded=succeeded, status_code=status_code, error=error,
                                       duration_ms=duration_ms)
        delivery.last_status_code, delivery.last_error = status_code, error
        if succeeded:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = Status.DELIVERED, now, None
            outcome = "delivered"
        else:
            delay = policy.retry_delay(delivery.attempts)
            if delay is None:
                delivery.status, delivery.next_attempt_at = Status.GIVEN_UP, None
                outcome = "given up"
            else:
                delivery.status, delivery.next_attempt_at = Status.FAILED, now + delay
                transaction.on_commit(partial(_enqueue, delivery.pk, delivery.next_attempt_at), robust=True)
                outcome = "failed"
        delivery.save(update_fields=["attempts", "last_status_code", "last_error", "status", "delivered_at",
                                     "next_attempt_at"])
        audit_record(action=Action.DISCLOSURE, object_type="events.OutboundEvent", object_id=str(event.event_id),
                     subject_person_id=event.subject_person_id,
                     reason=f"Event sent to subscription {subscription.name} ({outcome})",
                     detail={"kind": event.kind, "delivery": str(delivery.public_id),
                             "subscription": str(subscription.public_id), "attempt": delivery.attempts,
                             "status_code": status_code, "replay": delivery.replayed})
    log = logger.info if succeeded else logger.warning
    log("Event delivery id=%s attempt %s: %s (%s)", delivery.pk, delivery.attempts, outcome, error or status_code)
    return outcome


def due_deliveries(now: datetime):
    return Delivery.objects.filter(status__in=DUE, next_attempt_at__lte=now, subscription__active=True)


def deliveries_due_send(*, time_now: Callable[[], datetime] = timezone.now,
                        limit: int = DUE_BATCH) -> dict[str, int]:
    """Send every delivery that is due (oldest first). Each is claimed, signed and logged at its own time,
    `time_now()` when its turn comes, as `delivery_send` does. After `policy.DUE_BATCH_TIME` the run stops and
    enqueues another task for the rest ("left for the next task" counts them)."""
    started = time_now()
    due = list(due_deliveries(started).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    outcomes: dict[str, int] = {}
    for sent, pk in enumerate(due):
        now = time_now()
        if now - started >= policy.DUE_BATCH_TIME:
            outcomes["left for the next task"] = len(due) - sent
            _enqueue_due()
            break
        outcome = delivery_send(delivery_id=pk, now=now)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def deliveries_overdue_enqueue(*, now: datetime | None = None) -> bool:
    """Called by the deadlines sweep: when a delivery has been due for longer than `policy.OVERDUE` (its
    task was lost, or the worker was down), enqueue one task that sends everything due, unless one is
    already waiting or running. True when one was enqueued."""
    from .tasks import deliveries_due_task

    now = now or timezone.now()
    if not due_deliveries(now - policy.OVERDUE).exists():
        return False
    if DBTaskResult.objects.filter(task_path=deliveries_due_task.module_path, status__in=["READY", "RUNNING"]).exists():
        return False
    deliveries_due_task.enqueue()
    return True


# --- replay ----------------------------------------------------------------------------------------------

def _requeue_fields(now: datetime) -> dict:
    return {"status": Status.PENDING, "attempts": 0, "next_attempt_at": now, "replayed": True}


def delivery_replay(*, delivery: Delivery, by, now: datetime | None = None, request=None) -> Delivery:
    """Send one delivery again, whatever became of it; the receiver de-duplicates by Vigil-Event-Id."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update(of=("self",)).select_related("subscription").get(pk=delivery.pk)
        if not delivery.subscription.active:
            raise ValidationError("The subscription is switched off: switch it on before replaying")
        for field, value in _requeue_fields(now).items():
            setattr(delivery, field, value)
        delivery.save(update_fields=list(_requeue_fields(now)))
        transaction.on_commit(partial(_enqueue, delivery.pk), robust=True)
        audit_record(action=Action.ALTERATION, actor=by, obj=delivery, request=request,
                     detail={"step": "event delivery replayed", "subscription": str(delivery.subscription.public_id)})
    return delivery


def subscription_replay(*, subscription: Subscription, since: date, by=None, now: datetime | None = None,
                        request=None) -> int:
    """Send again every delivery to `subscription` of events that occurred on or after `since` (a London
    date). Returns how many were queued."""
    now = now or timezone.now()
    if since is None or since > now.astimezone(LONDON).date():
        raise ValidationError({"since": "Enter a date that is today or in the past"})
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if not subscription.active:
            raise ValidationError("The subscription is switched off: switch it on before replaying")
        start = datetime.combine(since, clock.min, tzinfo=LONDON)
        count = subscription.deliveries.filter(event__occurred_at__gte=start).update(**_requeue_fields(now))
        if count:
            transaction.on_commit(_enqueue_due, robust=True)
        audit_record(action=Action.ALTERATION, actor=by, obj=subscription, request=request,
                     detail={"step": "event deliveries replayed", "since": since.isoformat(), "deliveries": count})
    return count


# --- subscriptions ---------------------------------------------------------------------------------------

def _kinds_cleaned(kinds) -> list[str]:
    kinds = sorted(set(kinds or ()))
    if not kinds or any(k not in EventKind.values for k in kinds):
        raise ValidationError({"kinds": "Choose the kinds of event to send"})
    return kinds


def _url_cleaned(url: str) -> str:
    url = (url or "").strip()
    problem = policy.target_url_problem(url)
    if problem:
        raise ValidationError({"target_url": problem})
    return url


def _name_cleaned(name: str, *, other_than: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Enter a name for the receiving system"})
    if Subscription.objects.filter(name__iexact=name).exclude(pk=other_than).exists():
        raise ValidationError({"name": "A subscription with that name already exists"})
    return name


def _fields_cleaned(checks: dict) -> dict:
    """Each field's cleaned value; every problem at once, as one ValidationError({field: message})."""
    cleaned, errors = {}, {}
    for field, check in checks.items():
        try:
            cleaned[field] = check()
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


def subscription_create(*, name: str, target_url: str, kinds, by, now: datetime | None = None,
                        request=None) -> Subscription:
    """A new subscription with a new secret. The caller shows the secret once; it is never logged or audited."""
    now = now or timezone.now()
    cleaned = _fields_cleaned({"name": lambda: _name_cleaned(name), "target_url": lambda: _url_cleaned(target_url),
                               "kinds": lambda: _kinds_cleaned(kinds)})
    with transaction.atomic():
        subscription = Subscription.objects.create(**cleaned, created_by=by, created_at=now)
        audit_record(action=Action.COLLECTION, actor=by, obj=subscription, request=request,
                     detail={"step": "event subscription created", "kinds": subscription.kinds})
    return subscription


def subscription_change(*, subscription: Subscription, by, active: bool | None = None, name: str | None = None,
                        kinds=None, target_url: str | None = None, request=None) -> Subscription:
    """Switch a subscription on or off, or change its name, kinds or address. Deliveries waiting for a
    switched-off subscription wait until it is switched on again; waiting ones go to the new address."""
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        checks = {}
        if name is not None:
            checks["name"] = lambda: _name_cleaned(name, other_than=subscription.pk)
        if target_url is not None:
            checks["target_url"] = lambda: _url_cleaned(target_url)
        if kinds is not None:
            checks["kinds"] = lambda: _kinds_cleaned(kinds)
        changes = _fields_cleaned(checks)
        if active is not None:
            changes["active"] = bool(active)
        changed = [field for field, value in changes.items() if getattr(subscription, field) != value]
        if not changed:
            return subscription
        for field in changed:
            setattr(subscription, field, changes[field])
        subscription.save(update_fields=changed)
        audit_record(action=Action.ALTERATION, actor=by, obj=subscription, request=request,
                     detail={"step": "event subscription changed", "fields": changed, "active": subscription.active})
    return subscription


def subscription_secret_rotate(*, subscription: Subscription, by, request=None) -> Subscription:
    """Give a subscription a new signing secret: every delivery from now on (waiting and retried ones too)
    is signed with it, and the old one stops working. The caller shows it once; it is never logged or
    audited."""
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        subscription.secret = secret_new()
        subscription.save(update_fields=["secret"])
        audit_record(action=Action.ALTERATION, actor=by, obj=subscription, request=request,
                     detail={"step": "event subscription secret rotated"})
    return subscription


# --- housekeeping ----------------------------------------------------------------------------------------

def _day_start(moment: datetime) -> datetime:
    """Midnight (London) at the start of `moment`'s day: the purges cut at a day's start, so they find
    nothing new again until the next day, however often the sweep calls them."""
    return datetime.combine(moment.astimezone(LONDON).date(), clock.min, tzinfo=LONDON)


def _finished_events(cutoff: datetime):
    """Events that happened and were recorded before `cutoff`, none of whose deliveries is still waiting or
    to be tried again, or was tried since `cutoff` (a replay's attempts stay as long as any)."""
    unfinished = Delivery.objects.filter(event=OuterRef("pk"), status__in=DUE)
    tried_since = DeliveryAttempt.objects.filter(delivery__event=OuterRef("pk"), attempted_at__gte=cutoff)
    return (OutboundEvent.objects.filter(occurred_at__lt=cutoff, created_at__lt=cutoff)
            .exclude(Exists(unfinished)).exclude(Exists(tried_since)))


def events_purge(*, now: datetime | None = None) -> int:
    """Delete from the delivery log the events finished more than `policy.KEEP_FINISHED_EVENTS` ago, with
    their deliveries and attempts, `PURGE_BATCH` events at a time; and the delivery tasks' records finished
    more than `policy.KEEP_FINISHED_TASK_RESULTS` ago. Called by the deadlines sweep. Audited once, as an
    erasure with the counts, when any event was deleted. Returns how many events were deleted."""
    from .tasks import deliveries_due_task, delivery_send_task

    now = now or timezone.now()
    cutoff = _day_start(now - policy.KEEP_FINISHED_EVENTS)
    counts = {"events": 0, "deliveries": 0, "attempts": 0, "task_results": 0}
    while ids := list(_finished_events(cutoff).order_by("pk").values_list("pk", flat=True)[:PURGE_BATCH]):
        with transaction.atomic():
            # Lock the deliveries, then look again: one replayed meanwhile is kept.
            list(Delivery.objects.select_for_update().filter(event_id__in=ids).values_list("pk", flat=True))
            ids = list(_finished_events(cutoff).filter(pk__in=ids).values_list("pk", flat=True))
            _, deleted = Delivery.objects.filter(event_id__in=ids).delete()  # their attempts by cascade
            counts["deliveries"] += deleted.get(Delivery._meta.label, 0)
            counts["attempts"] += deleted.get(DeliveryAttempt._meta.label, 0)
            counts["events"] += OutboundEvent.objects.filter(pk__in=ids).delete()[0]
    old_results = DBTaskResult.objects.filter(
        task_path__in=[delivery_send_task.module_path, deliveries_due_task.module_path],
        status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=_day_start(now - policy.KEEP_FINISHED_TASK_RESULTS))
    while ids := list(old_results.values_list("pk", flat=True)[:PURGE_BATCH]):
        counts["task_results"] += DBTaskResult.objects.filter(pk__in=ids).delete()[0]
    if counts["events"]:
        audit_record(action=Action.ERASURE, object_type=OutboundEvent._meta.label,
                     reason="Events out: delivery log past its keeping time deleted",
                     detail={"step": "finished events purged", "before": cutoff.isoformat(), **counts})
    if counts["events"] or counts["task_results"]:
        logger.info("Events purge: %(events)s events, %(deliveries)s deliveries, %(attempts)s attempts and "
                    "%(task_results)s task records deleted", counts)
    return counts["events"]
