"""Small builders the events tests share."""

import uuid
from datetime import UTC, date, datetime

from tests.factories import user_create
from vigil.events.models import EventKind
from vigil.events.services import event_publish, subscription_create

OCCURRED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def administrator():
    return user_create(role="administrator")


def subscription_make(url: str, *, name: str = "Partner hub", kinds=tuple(EventKind.values), by=None):
    return subscription_create(name=name, target_url=url, kinds=list(kinds), by=by or administrator())


def order_made_publish(*, occurred_at: datetime = OCCURRED):
    """An `order.made` event, as order_record publishes it."""
    return event_publish(kind="order.made", occurred_at=occurred_at, payload={
        "case": uuid.uuid4(), "order": uuid.uuid4(), "order_kind": "dvpo", "starts_at": occurred_at,
        "ends_on": date(2026, 11, 29), "follows": None})
