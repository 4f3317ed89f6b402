"""Reading the audit log. Only auditors may; every search is itself written to the log."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from .models import LOOKING_ACTIONS, Action, AuditEvent
from .services import audit_record

SEARCH_PERMISSION = "audit.search_events"


def _require_auditor(viewer) -> None:
    if not viewer.has_perm(SEARCH_PERMISSION):
        raise PermissionDenied


def _start_of_day(day: date) -> datetime:
    """Midnight at the start of `day` in the service's time zone (Europe/London), as an aware time."""
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_search(*, viewer, person_id: uuid.UUID | str | None = None, user_id: int | None = None,
                 object_id: str | None = None, date_from: date | None = None, date_to: date | None = None,
                 action: str | None = None, request=None) -> QuerySet[AuditEvent]:
    """Events matching every criterion given, newest first. Dates are whole days, both inclusive.

    `user_id` is the acting user's primary key. The search is audited (action "search").
    """
    _require_auditor(viewer)
    events = AuditEvent.objects.select_related("actor")
    if person_id:
        events = events.filter(subject_person_id=person_id)
    if user_id:
        events = events.filter(actor_id=user_id)
    if object_id:
        events = events.filter(object_id=str(object_id))
    if date_from:
        events = events.filter(occurred_at__gte=_start_of_day(date_from))
    if date_to:
        events = events.filter(occurred_at__lt=_start_of_day(date_to + timedelta(days=1)))
    if action:
        events = events.filter(action=Action(action))
    criteria = {"person_id": person_id, "user_id": user_id, "object_id": object_id,
                "date_from": date_from, "date_to": date_to, "action": action}
    audit_record(action=Action.SEARCH, actor=viewer, object_type="audit.AuditEvent",
                 subject_person_id=person_id, request=request,
                 detail={"criteria": {name: value for name, value in criteria.items() if value}})
    return events.order_by("-sequence")


@dataclass(frozen=True)
class RecordViewer:
    user: object  # accounts.User, or None for the system
    last_looked_at: datetime
    looks: int


def record_viewers(*, viewer, object_id: str | None = None, subject_person_id: uuid.UUID | str | None = None,
                   request=None) -> list[RecordViewer]:
    """Who has looked at this record or person: each user once, with their last look and how many, most
    recent first. Looking means consultation or disclosure (see LOOKING_ACTIONS). Audited as a search."""
    if not viewer.has_perm("audit.view_record_viewers", subject_person_id or object_id):
        raise PermissionDenied
    if not object_id and not subject_person_id:
        raise ValueError("record_viewers needs an object_id or a subject_person_id")
    events = AuditEvent.objects.filter(action__in=LOOKING_ACTIONS)
    if object_id:
        events = events.filter(object_id=str(object_id))
    if subject_person_id:
        events = events.filter(subject_person_id=subject_person_id)
    rows = list(events.values("actor").annotate(last_looked_at=Max("occurred_at"), looks=Count("id"))
                .order_by("-last_looked_at"))
    users = get_user_model().objects.in_bulk([row["actor"] for row in rows if row["actor"]])
    audit_record(action=Action.SEARCH, actor=viewer, object_type="audit.AuditEvent", object_id=object_id,
                 subject_person_id=subject_person_id, request=request, detail={"query": "record_viewers"})
    return [RecordViewer(user=users.get(row["actor"]), last_looked_at=row["last_looked_at"], looks=row["looks"])
            for row in rows]
