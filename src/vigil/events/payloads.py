"""What each kind of event says, built from the object it is about: opaque ids (public UUIDs), codes,
kinds, dates and counts only, never names, addresses, conditions' text or notes (docs/events.md lists
them). Each returns `event_publish`'s keyword arguments, so that the services that report an event do it
in one line: `event_publish(**payloads.order_made(order=order))`. `subject_person_id` is the person the
event is about, kept for the audit log and never sent."""

from datetime import datetime

from django.utils import timezone


def _victim(case):
    person = case.victim.person
    return person.public_id if person is not None else None


def _order_subject(order):
    return _victim(order.case)


def marker_added(*, order, marker) -> dict:
    return dict(kind="marker.added", occurred_at=order.recorded_at, subject_person_id=_order_subject(order), payload={
        "marker": marker.public_id, "marker_kind": marker.kind, "on": "person" if marker.person_id else "address",
        "starts_on": marker.starts_on, "ends_on": marker.ends_on, "case": order.case.public_id,
        "order": order.public_id})


def marker_removed(*, order, marker) -> dict:
    return dict(kind="marker.removed", occurred_at=order.status_changed_at or timezone.now(),
                subject_person_id=_order_subject(order), payload={
                    "marker": marker.public_id, "marker_kind": marker.kind,
                    "on": "person" if marker.person_id else "address", "ends_on": marker.ends_on,
                    "case": order.case.public_id, "order": order.public_id})


def bail_granted(*, custody, order=None) -> dict:
    """Police bail (after the arrest) or, once the court has decided on a remand, court bail."""
    by_court = bool(custody.court_outcome)
    return dict(kind="bail.granted", occurred_at=custody.court_outcome_at if by_court else custody.disposal_at,
                subject_person_id=_victim(custody.case), payload={
                    "case": custody.case.public_id, "custody": custody.public_id,
                    "granted_by": "court" if by_court else "police",
                    "decision": custody.court_outcome if by_court else custody.disposal,
                    "granted_at": custody.court_outcome_at if by_court else custody.disposal_at,
                    "answer_bail_on": custody.bail_return_on,
                    "conditions": len(order.conditions) if order is not None else 0,
                    "order": order.public_id if order is not None else None})


def order_made(*, order) -> dict:
    return dict(kind="order.made", occurred_at=order.recorded_at, subject_person_id=_order_subject(order), payload={
        "case": order.case.public_id, "order": order.public_id, "order_kind": order.kind,
        "starts_at": order.starts_at, "ends_on": order.ends_on,
        "follows": order.follows.public_id if order.follows_id else None})


def order_varied(*, order, varied_at: datetime) -> dict:
    """The court varied an order, or the police varied bail conditions: its end date as it now is (the
    conditions' text is never sent; its markers' end date follows the order's)."""
    return dict(kind="order.varied", occurred_at=varied_at, subject_person_id=_order_subject(order), payload={
        "case": order.case.public_id, "order": order.public_id, "order_kind": order.kind,
        "ends_on": order.ends_on, "varied_at": varied_at})


def order_expiring(*, order, days_left: int, now: datetime) -> dict:
    return dict(kind="order.expiring", occurred_at=now, subject_person_id=_order_subject(order), payload={
        "case": order.case.public_id, "order": order.public_id, "order_kind": order.kind,
        "ends_on": order.ends_on, "days_left": days_left})


def case_owner_changed(*, case, team, via: str, now: datetime) -> dict:
    return dict(kind="case.owner_changed", occurred_at=now, subject_person_id=_victim(case), payload={
        "case": case.public_id, "team": team.code if team is not None else None, "via": via, "changed_at": now})


def marac_referral_made(*, referral) -> dict:
    return dict(kind="marac.referral_made", occurred_at=referral.created_at, subject_person_id=referral.victim.public_id,
                payload={"referral": referral.public_id, "area": referral.area.code,
                         "received_on": referral.received_on, "repeat": referral.is_repeat,
                         "listed": referral.meeting_id is not None})
