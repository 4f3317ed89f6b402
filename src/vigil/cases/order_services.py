"""Protective orders, notices and bail conditions on a case; their breaches; and the expiry reminders the
background worker sends.

The rules come from domain.md ("Protective orders and schemes") through `deadlines`: a DVPN is
authorised by a superintendent or above and the DVPO must be heard within 48 hours of service (Sundays
and bank holidays not counted); a DVPO lasts 14 to 28 days beginning with the day it is made; a DAPN is
given by an inspector or above; a stalking protection order lasts at least 2 years and its subject must
notify their name and address within 3 days. Orders in force are warning markers on the protected
person and address (`markers`), so the control room sees them.
"""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from vigil.audit.services import audit_record
from vigil.events import payloads
from vigil.events.services import event_publish
from vigil.workdays import LONDON

from . import deadlines
from .custody_services import tell_victim_task
from .markers import order_markers_end, order_markers_place, order_markers_refresh
from .models import Breach, ProtectiveOrder, SafeguardingCase, Task
from .services import REASON_MIN_LENGTH, locked, subject_label, subject_of, task_create, timeline_add

Kind = ProtectiveOrder.Kind
Status = ProtectiveOrder.Status

# Ranks, lowest first; a notice names the lowest rank that may authorise it.
RANKS = (
    ("inspector", "Inspector"),
    ("chief_inspector", "Chief Inspector"),
    ("superintendent", "Superintendent"),
    ("chief_superintendent", "Chief Superintendent"),
    ("commander", "Commander"),
    ("assistant_chief_constable", "Assistant Chief Constable"),
    ("deputy_chief_constable", "Deputy Chief Constable"),
    ("chief_constable", "Chief Constable"),
)
RANK_ORDER = {code: n for n, (code, _) in enumerate(RANKS)}
RANK_LABELS = dict(RANKS)
MINIMUM_RANK = {Kind.DVPN: "superintendent", Kind.DAPN: "inspector"}
NOTICES = (Kind.DVPN, Kind.DAPN)
ORDER_AFTER_NOTICE = {Kind.DVPO: Kind.DVPN, Kind.DAPO: Kind.DAPN}
NOTICE_MIN_AGE = 18  # a DVPN (and a DAPN) is given to someone aged 18 or over
BREACH_RISK_REVIEW_HOURS = 4  # policy: a breach is a sign of escalation; the owner reviews the risk at once


def london_date(at: datetime) -> date:
    return at.astimezone(LONDON).date()


def _clean_conditions(conditions) -> list[str]:
    if isinstance(conditions, str):
        conditions = conditions.splitlines()
    return [c.strip()[:300] for c in conditions or [] if c and c.strip()]


def _check_rank(kind: str, rank: str, name: str) -> str:
    """The `authorised_by` text ("Superintendent A Name") for a notice, or a ValidationError."""
    needed = MINIMUM_RANK[kind]
    if rank not in RANK_ORDER:
        raise ValidationError({"authorised_rank": "Choose the rank of the officer who authorised the notice"})
    if RANK_ORDER[rank] < RANK_ORDER[needed]:
        raise ValidationError({"authorised_rank": f"A {Kind(kind).label.split(' (')[0].lower()} must be authorised "
                                                  f"by a {RANK_LABELS[needed].lower()} or above"})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"authorised_by": "Enter the name of the officer who authorised the notice"})
    return f"{RANK_LABELS[rank]} {name}"[:120]


def _age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _check_dates(*, kind: str, starts_at: datetime, ends_on: date | None) -> None:
    """The end after the start, and the kind's own limits on its length."""
    made_on = london_date(starts_at)
    if ends_on is not None and ends_on < made_on:
        raise ValidationError({"ends_on": "The end date must be the same as or after the start date"})
    if kind == Kind.DVPO:
        if ends_on is None:
            raise ValidationError({"ends_on": "Enter the date the DVPO ends: it lasts 14 to 28 days"})
        days = (ends_on - made_on).days + 1
        try:
            deadlines.dvpo_end(made_on, days)
        except ValueError:
            raise ValidationError({"ends_on": f"A DVPO lasts {deadlines.DVPO_MIN_DAYS} to {deadlines.DVPO_MAX_DAYS} "
                                              f"days beginning with the day it is made, not {days}: it must end "
                                              f"between {deadlines.dvpo_end(made_on, deadlines.DVPO_MIN_DAYS):%d %B %Y} "
                                              f"and {deadlines.dvpo_end(made_on, deadlines.DVPO_MAX_DAYS):%d %B %Y}"}) \
                from None
    if kind == Kind.STALKING_PROTECTION and not deadlines.spo_valid_duration(made_on, ends_on):
        raise ValidationError({"ends_on": "A stalking protection order lasts at least 2 years beginning with the day "
                                          "it is made (or until a further order)"})


def _reason(value: str, field: str, what: str) -> str:
    value = (value or "").strip()
    if len(value) < REASON_MIN_LENGTH:
        raise ValidationError({field: f"Give {what} (at least {REASON_MIN_LENGTH} characters)"})
    return value


def dvpo_application_key(notice: ProtectiveOrder) -> str:
    return f"order-application:{notice.public_id}"


def order_record(*, case: SafeguardingCase, by, kind: str, restricted_person, starts_at: datetime,
                 protected_persons=None, protected_address=None, conditions=(), ends_on: date | None = None,
                 served_at: datetime | None = None, authorised_rank: str = "", authorised_by: str = "",
                 follows: ProtectiveOrder | None = None, custody_record=None, now: datetime | None = None,
                 request=None) -> ProtectiveOrder:
    """Record an order, notice or bail conditions on the case; place its warning markers. Protected
    persons default to the victim, the protected address to the victim's.

    A DVPN (or DAPN) opens the task to apply for the order, due by the hearing deadline; the DVPO (or
    DAPO) recorded as following it completes that task and ends the notice. An SPO opens the check that
    its subject notified their name and address within 3 days."""
    now = now or timezone.now()
    if kind not in Kind.values:
        raise ValidationError({"kind": "Choose the kind of order"})
    if restricted_person is None:
        raise ValidationError({"restricted_person": "Choose the person the order restricts"})
    if starts_at is None:
        raise ValidationError({"starts_at": "Enter when the order starts"})
    conditions = _clean_conditions(conditions)
    if kind in MINIMUM_RANK:
        authorised_by = _check_rank(kind, authorised_rank, authorised_by)
        if served_at is None:
            raise ValidationError({"served_at": "Enter when the notice was served"})
        if ends_on is None:
            ends_on = london_date(deadlines.dvpo_hearing_deadline(served_at))
        born = restricted_person.date_of_birth
        if born is not None and _age_on(born, london_date(served_at)) < NOTICE_MIN_AGE:
            raise ValidationError({"restricted_person": f"A notice can only be given to someone aged "
                                                        f"{NOTICE_MIN_AGE} or over"})
    else:
        authorised_by = (authorised_by or "").strip()[:120]
    _check_dates(kind=kind, starts_at=starts_at, ends_on=ends_on)
    if served_at is not None and served_at < starts_at - timedelta(days=1) and kind in NOTICES:
        raise ValidationError({"served_at": "A notice is served after it is authorised"})
    if follows is not None:
        if follows.case_id != case.pk:
            raise ValidationError({"follows": "The notice must be on this case"})
        if ORDER_AFTER_NOTICE.get(kind) != follows.kind:
            raise ValidationError({"follows": f"A {Kind(kind).label} cannot follow a {follows.get_kind_display()}"})
    with transaction.atomic():
        case = locked(case)
        if case.closed_at is not None:
            raise ValidationError("The case is closed")
        order = ProtectiveOrder.objects.create(
            case=case, kind=kind, restricted_person=restricted_person, protected_address=protected_address
            or case.victim.address, conditions=conditions, starts_at=starts_at, ends_on=ends_on, served_at=served_at,
            authorised_by=authorised_by, follows=follows, custody_record=custody_record, recorded_by=by,
            recorded_at=now)
        order.protected_persons.set(list(protected_persons) if protected_persons else [case.victim])
        order_markers_place(order=order)
        event_publish(**payloads.order_made(order=order))  # events out (vigil.events)
        label = order.get_kind_display()
        summary = f"{label} recorded" + (f", until {ends_on:%d %B %Y}" if ends_on else ", until further order")
        if kind in NOTICES:
            hearing_by = deadlines.dvpo_hearing_deadline(served_at)
            order_name = "DVPO" if kind == Kind.DVPN else "DAPO"
            task_create(case=case, kind=Task.Kind.DVPO_APPLICATION, now=now, urgent=True,
                        title=f"Apply for the {order_name}: the court must hear it by "
                              f"{hearing_by.astimezone(LONDON):%a %d %b %Y %H:%M}",
                        detail=f"Served {served_at.astimezone(LONDON):%a %d %b %Y %H:%M}; 48 hours not counting "
                               "Sundays and bank holidays.",
                        due_at=hearing_by, subject=subject_label(order), key=dvpo_application_key(order))
            summary += f"; authorised by {authorised_by}; {order_name} hearing due by " \
                       f"{hearing_by.astimezone(LONDON):%d %B %Y %H:%M}"
        if follows is not None:
            _notice_followed(notice=follows, order=order, by=by, now=now)
            summary += f"; follows the {follows.get_kind_display()}"
        if kind == Kind.STALKING_PROTECTION:
            notify_by = deadlines.spo_notification_deadline(served_at or starts_at)
            task_create(case=case, kind=Task.Kind.SPO_NOTIFICATION, now=now,
                        title="Check the SPO's subject has notified their name and home address (3 days)",
                        due_at=notify_by, subject=subject_label(order), key=f"spo-notification:{order.public_id}")
        timeline_add(case=case, kind="order_recorded", at=now, actor=by, subject=subject_label(order), summary=summary)
        audit_record(action="collection", actor=by, obj=order, subject_person_id=subject_of(case), request=request,
                     detail={"step": "order recorded", "kind": kind, "case": str(case.public_id)})
    return order


def _notice_followed(*, notice: ProtectiveOrder, order: ProtectiveOrder, by, now: datetime) -> None:
    """The order that follows a notice: the application task is done and the notice ends."""
    Task.objects.filter(key=dvpo_application_key(notice), status=Task.Status.OPEN).update(
        status=Task.Status.DONE, done_at=now, done_by=by, outcome=f"{order.get_kind_display()} recorded")
    if notice.status == Status.IN_FORCE:
        notice.status = Status.ENDED
        notice.status_changed_at = now
        notice.save(update_fields=["status", "status_changed_at"])
        order_markers_end(order=notice, on=london_date(now))


def _in_force(order: ProtectiveOrder) -> ProtectiveOrder:
    order = ProtectiveOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)
    if order.status != Status.IN_FORCE:
        raise ValidationError(f"The order is no longer in force: it is {order.get_status_display().lower()}")
    return order


def _stop(*, order: ProtectiveOrder, by, status: str, reason: str, now: datetime | None, request,
          verb: str) -> ProtectiveOrder:
    now = now or timezone.now()
    reason = _reason(reason, "reason", f"the reason the order {verb}")
    with transaction.atomic():
        case = locked(order.case)
        order = _in_force(order)
        order.status = status
        order.status_changed_at = now
        order.save(update_fields=["status", "status_changed_at"])
        order_markers_end(order=order, on=london_date(now))
        Task.objects.filter(subject=subject_label(order), status=Task.Status.OPEN).update(
            status=Task.Status.CANCELLED, done_at=now, done_by=by, outcome=f"Order {order.get_status_display().lower()}")
        timeline_add(case=case, kind=f"order_{status}", at=now, actor=by, subject=subject_label(order),
                     summary=f"{order.get_kind_display()} {order.get_status_display().lower()}: {reason}")
        if order.kind == Kind.BAIL_CONDITIONS:  # bail cancelled is a key event the victim is told of
            tell_victim_task(case=case, event="bail_cancelled", at=now, now=now, about=order)
        audit_record(action="alteration", actor=by, obj=order, subject_person_id=subject_of(case), request=request,
                     detail={"step": f"order {status}"})
    return order


def order_end(*, order: ProtectiveOrder, by, reason: str, now: datetime | None = None,
              request=None) -> ProtectiveOrder:
    """The order has ended (discharged, or bail conditions lifted): its markers end today."""
    return _stop(order=order, by=by, status=Status.ENDED, reason=reason, now=now, request=request, verb="ended")


def order_revoke(*, order: ProtectiveOrder, by, reason: str, now: datetime | None = None,
                 request=None) -> ProtectiveOrder:
    """The order was revoked or cancelled: its markers end today."""
    return _stop(order=order, by=by, status=Status.REVOKED, reason=reason, now=now, request=request,
                 verb="was revoked")


def order_vary(*, order: ProtectiveOrder, by, conditions, ends_on: date | None, reason: str,
               now: datetime | None = None, request=None) -> ProtectiveOrder:
    """The court varied the order: new conditions and end date, the markers say so, and the victim is to
    be told (a Victims' Code key event)."""
    now = now or timezone.now()
    reason = _reason(reason, "reason", "what the court varied and why")
    conditions = _clean_conditions(conditions)
    with transaction.atomic():
        case = locked(order.case)
        order = _in_force(order)
        _check_dates(kind=order.kind, starts_at=order.starts_at, ends_on=ends_on)
        changed = [name for name, value in (("conditions", conditions), ("ends_on", ends_on))
                   if getattr(order, name) != value]
        if not changed:
            raise ValidationError("Nothing was changed: give the new conditions or end date")
        order.conditions = conditions
        order.ends_on = ends_on
        order.save(update_fields=["conditions", "ends_on"])
        order_markers_refresh(order=order)
        event_publish(**payloads.order_varied(order=order, varied_at=now))  # events out (vigil.events)
        task_create(case=case, kind=Task.Kind.TELL_VICTIM, now=now,
                    title=f"Tell the victim the {order.get_kind_display()} was varied",
                    due_at=deadlines.key_event_deadline(now), subject=subject_label(order))
        timeline_add(case=case, kind="order_varied", at=now, actor=by, subject=subject_label(order),
                     summary=f"{order.get_kind_display()} varied ({', '.join(changed)}): {reason}")
        audit_record(action="alteration", actor=by, obj=order, subject_person_id=subject_of(case), request=request,
                     detail={"step": "order varied", "fields": changed})
    return order


def breach_record(*, order: ProtectiveOrder, incident, by, description: str, occurred_at: datetime | None = None,
                  now: datetime | None = None, request=None) -> Breach:
    """A breach of the order, reported on `incident`: on the timeline, the victim to be told, and an
    urgent risk review for the case's owner."""
    now = now or timezone.now()
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": "Describe the breach"})
    if incident is None:
        raise ValidationError({"incident": "Enter the reference of the incident that reported the breach"})
    occurred_at = occurred_at or incident.received_at
    if occurred_at < order.starts_at or (order.ends_on and london_date(occurred_at) > order.ends_on):
        raise ValidationError({"incident": "The order was not in force when that incident happened"})
    with transaction.atomic():
        case = locked(order.case)
        try:
            with transaction.atomic():
                breach = Breach.objects.create(order=order, incident=incident, occurred_at=occurred_at,
                                               description=description[:500], recorded_by=by, recorded_at=now)
        except IntegrityError:
            raise ValidationError({"incident": "A breach on that incident is already recorded"}) from None
        label = order.get_kind_display()
        task_create(case=case, kind=Task.Kind.TELL_VICTIM, now=now, title=f"Tell the victim about the breach of the {label}",
                    due_at=deadlines.key_event_deadline(now), subject=subject_label(breach),
                    key=f"breach-tell:{breach.public_id}")
        task_create(case=case, kind=Task.Kind.RISK_REVIEW, now=now, urgent=True, assignee=case.owner,
                    team=case.owning_team, title=f"Urgent: review the risk after a breach of the {label}",
                    detail=f"Reported on incident {incident.reference}.", subject=subject_label(breach),
                    due_at=now + timedelta(hours=BREACH_RISK_REVIEW_HOURS), key=f"breach-review:{breach.public_id}")
        timeline_add(case=case, kind="order_breached", at=now, actor=by, subject=subject_label(breach),
                     summary=f"Breach of the {label} reported on incident {incident.reference}: {description}")
        audit_record(action="collection", actor=by, obj=breach, subject_person_id=subject_of(case), request=request,
                     detail={"step": "breach recorded", "order": str(order.public_id),
                             "incident": str(incident.public_id)})
    return breach


# --- for the background worker ---------------------------------------------------------------------------

def expiry_key(order: ProtectiveOrder, days: int) -> str:
    return f"expiry:{order.public_id}:{days}"


def orders_expiring_remind(*, now: datetime) -> int:
    """Remind each order's owner as its end approaches, and end the orders past their end date.

    The alerts are `deadlines.expiry_alerts` as scheduled when the order was recorded (alerts already
    past then are never sent). Each run sends the latest alert that has fallen due and not the earlier
    ones it supersedes, keyed per order and notice, so a run repeated, or after the worker was down,
    sends each reminder at most once. Notices (DVPN, DAPN) get no reminder: their application task
    covers them. Returns how many reminders were created plus how many orders were ended."""
    today = london_date(now)
    done = 0
    orders = ProtectiveOrder.objects.filter(status=Status.IN_FORCE, ends_on__isnull=False).select_related("case")
    for order in orders.order_by("ends_on", "pk"):
        with transaction.atomic():
            if order.ends_on < today:
                order = ProtectiveOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)
                if order.status != Status.IN_FORCE:
                    continue
                order.status = Status.ENDED
                order.status_changed_at = now
                order.save(update_fields=["status", "status_changed_at"])
                order_markers_end(order=order, on=order.ends_on)
                timeline_add(case=order.case, kind="order_ended", at=now, subject=subject_label(order),
                             summary=f"{order.get_kind_display()} ended on {order.ends_on:%d %B %Y}")
                audit_record(action="alteration", obj=order, subject_person_id=subject_of(order.case),
                             detail={"step": "order ended at its end date"})
                done += 1
                continue
            if order.kind in NOTICES or order.case.closed_at is not None:
                continue
            scheduled = deadlines.expiry_alerts(order.ends_on, today=london_date(order.recorded_at))
            due = [alert for alert in scheduled if alert <= today]
            if not due:
                continue
            alert_on = due[-1]
            days = (order.ends_on - alert_on).days
            key = expiry_key(order, days)
            if Task.objects.filter(key=key).exists():
                continue
            task_create(case=order.case, kind=Task.Kind.ORDER_EXPIRY, now=now, key=key, subject=subject_label(order),
                        title=f"The {order.get_kind_display()} ends on {order.ends_on:%d %B %Y} "
                              f"({days} day{'s' if days != 1 else ''}): review whether protection is still needed",
                        due_at=deadlines.end_of_day(alert_on))
            event_publish(**payloads.order_expiring(order=order, days_left=days, now=now))  # events out (vigil.events)
            timeline_add(case=order.case, kind="order_expiry_reminder", at=now, subject=subject_label(order),
                         summary=f"Reminder: the {order.get_kind_display()} ends in {days} day{'s' if days != 1 else ''}")
            done += 1
    return done
