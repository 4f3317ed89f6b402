"""Idempotent POSTs: a retry with the same key and the same body gets the first answer again and changes
nothing; the same key with a different body is refused.

A client sends `Idempotency-Key: <1 to 100 printable ASCII characters>` with each POST that creates
something. The key is claimed (a row in `IdempotentRequest`) in the same transaction as the work it
guards, so two concurrent requests with one key cannot both do the work: the second waits on the
unique constraint and then fails, and is answered from the first one's stored response. Only the
response is stored (opaque ids and references), never the request body, which holds personal data:
the body is remembered only as its SHA-256.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from .models import IdempotentRequest

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 100
_VALID_KEY = re.compile(rf"[\x20-\x7e]{{1,{MAX_KEY_LENGTH}}}")

MISSING_KEY = (f"Send an {HEADER} header (1 to {MAX_KEY_LENGTH} printable characters, for example a UUID) "
               "so that a retry of this request never creates a second record.")
INVALID_KEY = (f"The {HEADER} header must be 1 to {MAX_KEY_LENGTH} printable ASCII characters "
               "(letters, digits, punctuation), for example a UUID.")
KEY_REUSED = (f"This {HEADER} was already used with a different request body. Send the original body to "
              "get the original answer, or use a new key for a new request.")


class InvalidKey(ValueError):
    """The header is missing or malformed; `message` says which, in words a client developer can act on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class StoredAnswer:
    status_code: int
    body: Any


class KeyReused(Exception):
    """The key was used before with a different body."""


def key_from(headers) -> str:
    """The client's idempotency key from the request headers, or raise InvalidKey."""
    raw = headers.get(HEADER)
    if raw is None or not raw.strip():
        raise InvalidKey(MISSING_KEY)
    key = raw.strip()
    if not _VALID_KEY.fullmatch(key):
        raise InvalidKey(INVALID_KEY)
    return key


def request_hash(body: Any) -> str:
    """SHA-256 of the canonical JSON of a parsed body: key order and whitespace do not matter."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def stored_answer(*, client, endpoint: str, key: str, body_hash: str) -> StoredAnswer | None:
    """The answer already given to this key, None if the key is new; KeyReused if the body differs."""
    row = (IdempotentRequest.objects.filter(client=client, endpoint=endpoint, key=key)
           .values("request_hash", "status_code", "response").first())
    if row is None:
        return None
    if row["request_hash"] != body_hash:
        raise KeyReused
    return StoredAnswer(row["status_code"], row["response"])


def key_claim(*, client, endpoint: str, key: str, body_hash: str, now=None) -> IdempotentRequest:
    """Claim the key inside the caller's transaction. Raises IntegrityError when another request holds it
    (the caller rolls back and answers from `stored_answer`)."""
    return IdempotentRequest.objects.create(client=client, endpoint=endpoint, key=key, request_hash=body_hash,
                                            status_code=0, response={}, created_at=now or timezone.now())


def answer_store(*, claim: IdempotentRequest, status_code: int, body: dict) -> None:
    """Record the answer on the claimed key, in the same transaction as the work. `body` must hold only
    opaque ids, references and statuses."""
    claim.status_code, claim.response = status_code, body
    claim.save(update_fields=["status_code", "response"])
