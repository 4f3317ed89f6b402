"""Writing to the audit log and checking it has not been changed.

Every other app writes through `audit_record`. It may be called inside the caller's transaction (the
event then commits or rolls back with the change it records) or on its own.
"""

import ipaddress
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from .chain import GENESIS_HASH, event_hash, sealed_fields_of
from .models import Action, AuditEvent

# Any constant will do, as long as nothing else in the database uses it for an advisory lock.
AUDIT_CHAIN_LOCK = 0x56494749_4C415544  # "VIGILAUD"

# Actions that must state why they happened (DPA 2018 s.62(3): the justification for disclosure).
REASON_REQUIRED = frozenset({Action.DISCLOSURE, Action.ERASURE})

USER_AGENT_LENGTH = 200
VERIFY_CHUNK_SIZE = 2000


def audit_record(*, action: str, actor=None, obj=None, object_type: str | None = None,
                 object_id: str | None = None, subject_person_id: uuid.UUID | str | None = None,
                 reason: str = "", detail: dict[str, Any] | None = None, request=None) -> AuditEvent:
    """Append one event to the audit log and return it.

    `obj` (a model instance) gives `object_type` ("app.Model") and `object_id` (its public_id) unless
    they are given. `request` gives the request id, address and user agent, and the actor when none is
    given. `detail` must hold no personal data: opaque ids, counts, names of fields changed.

    Inside a caller's transaction, appends are serialised until that transaction ends, so call it as
    the last step of a service.
    """
    return audit_record_each(action=action, actor=actor, obj=obj, object_type=object_type, object_id=object_id,
                             subject_person_ids=[subject_person_id], reason=reason, detail=detail,
                             request=request)[0]


def audit_record_each(*, action: str, subject_person_ids, actor=None, obj=None, object_type: str | None = None,
                      object_id: str | None = None, reason: str = "", detail: dict[str, Any] | None = None,
                      request=None) -> list[AuditEvent]:
    """One event per person whose data one action touched (so "who looked at this person" finds each),
    appended together under one lock. An empty list still records the action once, with no subject."""
    action = Action(action)  # ValueError for an unknown verb
    reason = (reason or "").strip()
    if action in REASON_REQUIRED and not reason:
        raise ValueError(f"an audit event for {action.value} needs a reason")
    if actor is None and request is not None and getattr(request, "user", None) is not None \
            and request.user.is_authenticated:
        actor = request.user
    subjects = list(subject_person_ids) or [None]
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(getattr(obj, "public_id", None) or obj.pk)
        if subjects == [None] and obj._meta.label == "people.Person":
            subjects = [obj.public_id]
    common = dict(
        actor=actor,
        actor_role=getattr(actor, "role", "") or "",
        actor_agency=_agency_code(actor),
        action=action.value,
        object_type=object_type or "",
        object_id=str(object_id or ""),
        reason=reason,
        request_id=getattr(request, "vigil_request_id", "") if request is not None else "",
        ip_address=_client_address(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH] if request is not None else ""),
        detail=_json_safe(detail or {}),
    )
    events = [AuditEvent(subject_person_id=uuid.UUID(str(subject)) if subject else None, **common)
              for subject in subjects]
    with transaction.atomic():
        _serialise_appends()
        with connection.cursor() as cursor:  # the chain's head, on every append: plain SQL, no ORM build
            cursor.execute(f"SELECT sequence, hash FROM {AuditEvent._meta.db_table} ORDER BY sequence DESC LIMIT 1")
            last = cursor.fetchone()
        sequence, previous_hash = last if last else (0, GENESIS_HASH)
        now = timezone.now()
        for event in events:
            sequence += 1
            event.sequence = sequence
            event.previous_hash = previous_hash
            event.occurred_at = now
            event.hash = previous_hash = event_hash(sealed_fields_of(event))
        AuditEvent.objects.all()._append_sealed(events)  # one INSERT, however many people one action touched
    return events


def _serialise_appends() -> None:
    """Make concurrent appends take turns, so two events never claim the same predecessor.

    PostgreSQL: a transaction-scoped advisory lock, released at commit. SQLite: the settings open every
    transaction with BEGIN IMMEDIATE, which already holds the database's single write lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK])


def _agency_code(actor) -> str:
    if actor is None or not getattr(actor, "agency_id", None):
        return ""
    return actor.agency.code


def _client_address(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it.
    if request is None:
        return None
    try:
        return str(ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")))
    except ValueError:
        return None


def _json_safe(detail: dict[str, Any]) -> dict[str, Any]:
    """Detail as it will read back from the database, so the hash is the same when verified.

    Dates, UUIDs and decimals become text; so do floats, whose JSON form differs between databases.
    """
    def convert(value):
        if isinstance(value, float):
            return repr(value)
        if isinstance(value, dict):
            return {str(k): convert(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [convert(v) for v in value]
        return value

    return json.loads(json.dumps(convert(detail), cls=DjangoJSONEncoder))


@dataclass(frozen=True)
class VerifyResult:
    intact: bool
    events_checked: int
    broken_at: int | None = None  # sequence number of the first broken event
    problem: str = ""
    last_hash: str = GENESIS_HASH  # the head of the chain; keep a copy elsewhere to detect truncation

    @property
    def message(self) -> str:
        if self.intact:
            return f"Audit chain intact: {self.events_checked} events"
        return f"Audit chain broken at event #{self.broken_at}: {self.problem}"


def audit_verify() -> VerifyResult:
    """Walk the chain in sequence order, in bounded memory, and report the first broken event."""
    expected_sequence, previous_hash, checked = 1, GENESIS_HASH, 0
    events = AuditEvent.objects.order_by("sequence").iterator(chunk_size=VERIFY_CHUNK_SIZE)
    for event in events:
        if event.sequence != expected_sequence:
            missing = (f"event #{expected_sequence} is missing" if event.sequence > expected_sequence
                       else f"expected event #{expected_sequence}")
            return VerifyResult(False, checked, event.sequence, f"gap in sequence: {missing}", previous_hash)
        if event.previous_hash != previous_hash:
            return VerifyResult(False, checked, event.sequence,
                                "previous-hash mismatch: it does not link to the event before it", previous_hash)
        if event_hash(sealed_fields_of(event)) != event.hash:
            return VerifyResult(False, checked, event.sequence,
                                "hash mismatch: the event was changed after it was written", previous_hash)
        checked += 1
        expected_sequence += 1
        previous_hash = event.hash
    return VerifyResult(True, checked, last_hash=previous_hash)
