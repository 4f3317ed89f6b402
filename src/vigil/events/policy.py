"""Delivery policy for outbound events: the back-off between attempts, when to give up, how long the
delivery log is kept, and which target addresses a subscription may use. Plain Python: no Django import."""

import ipaddress
from datetime import timedelta
from urllib.parse import urlsplit

# After the n-th failed attempt the next waits RETRY_DELAYS[n - 1]; after the last, the delivery is given up.
RETRY_DELAYS = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1  # 7 attempts over about 31 hours
TIMEOUT_SECONDS = 10  # for one HTTP request
# While one attempt is being made, the delivery is not due for this long, so a second task (a retried one,
# or the sweep's) does not send it at the same time. A worker that dies mid-attempt leaves it due again after.
CLAIM = timedelta(seconds=TIMEOUT_SECONDS + 50)
# A delivery still waiting this long after it fell due lost its task (or the worker was down): the sweep
# enqueues a task that sends every delivery that is due.
OVERDUE = timedelta(minutes=2)
# A run of the "send what is due" task stops sending after this long (slow receivers), and enqueues another
# task for the rest. Each delivery is claimed and signed at its own time, whenever in the run it is sent.
DUE_BATCH_TIME = timedelta(seconds=60)

# Housekeeping (`services.events_purge`, from the deadlines sweep): an event whose every delivery is finished
# (delivered or given up) stays in the delivery log this long after it happened and after its last attempt;
# one with a delivery still waiting or failed (to be tried again) is kept whatever its age.
KEEP_FINISHED_EVENTS = timedelta(days=90)
# Finished background-task records of the delivery tasks (the delivery log is the record that matters).
KEEP_FINISHED_TASK_RESULTS = timedelta(days=7)

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def retry_delay(attempts: int) -> timedelta | None:
    """How long to wait after `attempts` failed attempts, or None: give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def target_url_problem(url: str) -> str | None:
    """Why `url` cannot receive events, or None. HTTPS is required, except on this machine (tests and
    receivers on the same server)."""
    try:
        parts = urlsplit((url or "").strip())
        host = parts.hostname
    except ValueError:
        return "Enter a full web address, like https://receiver.example.org/vigil-events"
    if parts.scheme not in ("https", "http") or not host:
        return "Enter a full web address, like https://receiver.example.org/vigil-events"
    if parts.scheme != "https" and host not in LOCAL_HOSTS:
        return "The address must start with https:// (plain http is allowed only for localhost)"
    if parts.username or parts.password:
        return "Do not put a user name or password in the address"
    return None


# At send time every address the target's name resolves to is checked: one of these is refused (nothing is
# sent), unless the setting VIGIL_EVENTS_ALLOW_PRIVATE_TARGETS is on (tests, or a receiver on this network).
REFUSED_ADDRESSES = (
    ("a loopback", "is_loopback"), ("an unspecified", "is_unspecified"), ("a link-local", "is_link_local"),
    ("a multicast", "is_multicast"), ("a private", "is_private"), ("a reserved", "is_reserved"),
)


def address_problem(address: str) -> str | None:
    """Why events may not be sent to the IP `address` (as resolved at send time), or None: it is public."""
    ip = ipaddress.ip_address(address)
    if ip.version == 6 and ip.ipv4_mapped:  # ::ffff:127.0.0.1 is 127.0.0.1
        ip = ip.ipv4_mapped
    for what, test in REFUSED_ADDRESSES:
        if getattr(ip, test):
            return f"{ip} is {what} address"
    if not ip.is_global:  # e.g. shared address space (100.64.0.0/10)
        return f"{ip} is not a public address"
    return None


# What each kind of event may carry: opaque ids (public UUIDs), codes, kinds, dates and counts. A key not
# listed here is refused (`payload_problem`), so nothing else, and so no personal data, can leave by mistake.
PAYLOAD_KEYS: dict[str, frozenset[str]] = {
    "marker.added": frozenset({"marker", "marker_kind", "on", "starts_on", "ends_on", "case", "order"}),
    "marker.removed": frozenset({"marker", "marker_kind", "on", "ends_on", "case", "order"}),
    "bail.granted": frozenset({"case", "custody", "granted_by", "decision", "granted_at", "answer_bail_on",
                               "conditions", "order"}),
    "order.made": frozenset({"case", "order", "order_kind", "starts_at", "ends_on", "follows"}),
    "order.varied": frozenset({"case", "order", "order_kind", "ends_on", "varied_at"}),
    "order.expiring": frozenset({"case", "order", "order_kind", "ends_on", "days_left"}),
    "case.owner_changed": frozenset({"case", "team", "via", "changed_at"}),
    "marac.referral_made": frozenset({"referral", "area", "received_on", "repeat", "listed"}),
}
SCALARS = (str, int, bool, type(None))


def payload_problem(kind: str, payload: dict) -> str | None:
    """Why `payload` may not be sent as an event of `kind`, or None."""
    allowed = PAYLOAD_KEYS.get(kind)
    if allowed is None:
        return f"unknown event kind {kind!r}"
    extra = sorted(set(payload) - allowed)
    if extra:
        return f"keys not allowed in a {kind} event: {extra}"
    if not all(isinstance(value, SCALARS) for value in payload.values()):
        return f"a {kind} event carries plain values only (ids, codes, dates, counts)"
    return None
