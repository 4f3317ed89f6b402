"""Give every request an id, so that its audit events and log lines can be found together."""

import logging
import re
import uuid
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
# A uuid, with or without hyphens. Anything else a client sends is ignored, so that a request id can
# never carry text of the client's choosing into the audit log or the logs.
_VALID_REQUEST_ID = re.compile(r"[0-9a-fA-F]{32}|[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")

current_request_id: ContextVar[str] = ContextVar("vigil_request_id", default="")


def request_id_from_header(value: str | None) -> str | None:
    """The incoming request id as 32 lowercase hex digits, or None if it is missing or not a uuid."""
    if value and _VALID_REQUEST_ID.fullmatch(value):
        return uuid.UUID(value).hex
    return None


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from_header(request.headers.get(REQUEST_ID_HEADER)) or uuid.uuid4().hex
        request.vigil_request_id = request_id
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    """Adds `request_id` to every log record ("-" outside a request), for a format like
    "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get() or "-"
        return True
