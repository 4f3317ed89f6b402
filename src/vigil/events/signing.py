"""Signing an outbound event. Plain Python: no Django import.

The signature is HMAC-SHA256, keyed with the subscription's secret, over "<timestamp>.<body>", where the
timestamp is the `Vigil-Timestamp` header (whole seconds since 1970, UTC) and the body the exact bytes
sent. It is sent as `Vigil-Signature: sha256=<hex>`. docs/events.md gives receivers the check (five
minutes' tolerance on the timestamp, constant-time comparison); tests/events runs that very code.
"""

import hashlib
import hmac

SCHEME = "sha256"


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SCHEME}={mac.hexdigest()}"
