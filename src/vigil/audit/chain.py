"""The hash chain: how an audit event is serialised and sealed. Plain code, no database.

Each event's hash is SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8) of its fields,
including the previous event's hash, so changing any event breaks its own hash and every later
event's link. Writing and verifying both use `event_hash`, so they cannot disagree.
"""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64

# The fields that are sealed, in the names they have on AuditEvent.
SEALED_FIELDS = (
    "sequence", "occurred_at", "actor_id", "actor_role", "actor_agency", "action", "object_type",
    "object_id", "subject_person_id", "reason", "request_id", "ip_address", "user_agent", "detail",
    "previous_hash",
)


def _canonical_value(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("audit times must be timezone-aware")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    return str(value)  # UUIDs and anything else with a stable text form


def canonical_payload(fields: dict[str, Any]) -> bytes:
    missing = set(SEALED_FIELDS) - fields.keys()
    if missing:
        raise ValueError(f"missing sealed fields: {sorted(missing)}")
    payload = {name: _canonical_value(fields[name]) for name in SEALED_FIELDS}
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def event_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_payload(fields)).hexdigest()


def sealed_fields_of(event) -> dict[str, Any]:
    """The sealed fields of a saved or unsaved AuditEvent, read from its attributes."""
    return {name: getattr(event, name) for name in SEALED_FIELDS}
