import logging
import re
import uuid

import pytest
from django.urls import reverse

from vigil.audit.middleware import RequestIdLogFilter, current_request_id, request_id_from_header
from vigil.audit.models import AuditEvent

HEX32 = re.compile(r"[0-9a-f]{32}")


@pytest.mark.django_db
def test_every_response_carries_a_fresh_request_id(client):
    first, second = client.get(reverse("audit:search")), client.get(reverse("audit:search"))
    assert HEX32.fullmatch(first["X-Request-ID"]) and HEX32.fullmatch(second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.django_db
def test_a_valid_incoming_request_id_is_kept_and_a_bad_one_ignored(client):
    incoming = str(uuid.uuid4())
    assert client.get("/audit/", HTTP_X_REQUEST_ID=incoming)["X-Request-ID"] == uuid.UUID(incoming).hex
    bad = client.get("/audit/", HTTP_X_REQUEST_ID="Elizabeth Bennet <script>")["X-Request-ID"]
    assert HEX32.fullmatch(bad)


@pytest.mark.parametrize("value, expected", [
    ("0123456789abcdef0123456789ABCDEF", "0123456789abcdef0123456789abcdef"),
    ("01234567-89ab-cdef-0123-456789abcdef", "0123456789abcdef0123456789abcdef"),
    ("", None), (None, None), ("xyz", None), ("0123456789abcdef0123456789abcdef0", None),
    ("{01234567-89ab-cdef-0123-456789abcdef}", None), ("0123456789abcdef\n0123456789abcdef", None),
])
def test_only_a_uuid_is_accepted_as_a_request_id(value, expected):
    assert request_id_from_header(value) == expected


@pytest.mark.django_db
def test_the_audit_event_carries_the_request_id(client, auditor, page_layout):
    client.force_login(auditor)
    response = client.post(reverse("audit:search"), {"action": "search"}, follow=True)
    request_id = response["X-Request-ID"]
    assert AuditEvent.objects.get(action="search", actor=auditor).request_id == request_id


def test_log_records_carry_the_request_id():
    record = logging.LogRecord("vigil", logging.INFO, __file__, 1, "hello", None, None)
    RequestIdLogFilter().filter(record)
    assert record.request_id == "-"
    token = current_request_id.set("ab" * 16)
    try:
        RequestIdLogFilter().filter(record)
    finally:
        current_request_id.reset(token)
    assert record.request_id == "ab" * 16
