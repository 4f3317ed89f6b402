"""Orders and bail conditions as warning markers on the protected person and their address, so the control
room's history shows them (vigil.checks reads people_warningmarker). Called by the custody and order
services inside their transactions."""

from datetime import date

from vigil.events import payloads
from vigil.events.services import event_publish
from vigil.people.models import WarningMarker
from vigil.workdays import LONDON

from .models import ProtectiveOrder

NOTE_LENGTH = 300


def marker_kind(order: ProtectiveOrder) -> str:
    if order.kind == ProtectiveOrder.Kind.BAIL_CONDITIONS:
        return WarningMarker.Kind.BAIL_CONDITIONS
    return WarningMarker.Kind.PROTECTIVE_ORDER


def marker_note(order: ProtectiveOrder) -> str:
    conditions = "; ".join(c.strip() for c in order.conditions or [] if c.strip())
    note = f"{order.get_kind_display()}" + (f": {conditions}" if conditions else "")
    if order.ends_on:
        note += f" (until {order.ends_on:%d %b %Y})"
    return note if len(note) <= NOTE_LENGTH else note[:NOTE_LENGTH - 1] + "…"


def order_markers_place(*, order: ProtectiveOrder) -> list[WarningMarker]:
    """A marker on each protected person (their resolved person) and on the protected address (or, when
    none is given, each protected person's recorded address), from the order's start to its end."""
    starts_on = order.starts_at.astimezone(LONDON).date()
    fields = dict(kind=marker_kind(order), starts_on=starts_on, ends_on=order.ends_on, note=marker_note(order))
    persons, addresses = set(), set()
    for record in order.protected_persons.all():
        if record.person_id:
            persons.add(record.person_id)
        if order.protected_address_id is None and record.address_id:
            addresses.add(record.address_id)
    if order.protected_address_id:
        addresses.add(order.protected_address_id)
    markers = [WarningMarker.objects.create(person_id=p, **fields) for p in sorted(persons)]
    markers += [WarningMarker.objects.create(address_id=a, **fields) for a in sorted(addresses)]
    order.markers.add(*markers)
    for marker in markers:  # events out (vigil.events)
        event_publish(**payloads.marker_added(order=order, marker=marker))
    return markers


def order_markers_end(*, order: ProtectiveOrder, on: date) -> int:
    """The order has ended or been revoked: its markers end on `on` (kept, so history shows them)."""
    ended = 0
    for marker in order.markers.all():
        marker.ends_on = max(on, marker.starts_on)
        marker.save(update_fields=["ends_on"])
        event_publish(**payloads.marker_removed(order=order, marker=marker))  # events out (vigil.events)
        ended += 1
    return ended


def order_markers_refresh(*, order: ProtectiveOrder) -> None:
    """The order's conditions or end date changed: its markers say so."""
    order.markers.update(note=marker_note(order), ends_on=order.ends_on)
