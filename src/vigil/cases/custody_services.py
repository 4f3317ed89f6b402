"""Custody, court and bail: the suspect's arrest, what the police decided (released under investigation,
pre-charge bail with conditions, charged and bailed, charged and remanded for court, no further action),
the court's decision on a remand, bail conditions changed or cancelled, and a prisoner's release date.

Every key event gives the case owner a task to tell the victim within the Victims' Code deadline for
enhanced entitlements (`deadlines.key_event_deadline`, 1 working day), keyed so it exists once however
often the event is recorded. A court's bail is urgent: the victim is told the same working day and never
later than 1 working day (`deadlines.court_bail_deadline`). Bail conditions become a ProtectiveOrder and
warning markers on the victim and their address, so the control room sees them.

Release policy (ours, documented here; domain.md gives no number): the risk review is due by the end of
the working day `RELEASE_REVIEW_WORKING_DAYS` before the release date and the victim's notification by
the end of the working day `RELEASE_NOTIFY_WORKING_DAYS` before it. When that day has already passed (the
date was learnt late) the task is urgent and due at once.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from vigil.audit.services import audit_record
from vigil.events import payloads
from vigil.events.services import event_publish
from vigil.incidents.models import Involvement
from vigil.workdays import LONDON, add_working_days

from . import deadlines
from .contact_services import KEY_EVENT_LABELS, tell_key
from .markers import order_markers_end, order_markers_place, order_markers_refresh
from .models import CustodyRecord, ProtectiveOrder, SafeguardingCase, Task
from .services import (
    display,
    locked,
    may_work_on,
    subject_label,
    subject_of,
    task_complete,
    task_create,
    timeline_add,
)

RELEASE_REVIEW_WORKING_DAYS = 10  # policy: review the risk 10 working days before a prisoner's release
RELEASE_NOTIFY_WORKING_DAYS = 2  # policy: tell the victim 2 working days before the release
CONDITION_MAX_LENGTH = 200
Disposal = CustodyRecord.Disposal


# --- small pieces ----------------------------------------------------------------------------------------

def _london(at: datetime) -> str:
    return f"{at.astimezone(LONDON):%d %b %Y %H:%M}"


def conditions_cleaned(lines) -> list[str]:
    """Bail conditions as a list of non-empty lines (from a list, or text with one condition a line)."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    cleaned = [" ".join(line.split()) for line in lines or []]
    cleaned = [line for line in cleaned if line]
    too_long = [line for line in cleaned if len(line) > CONDITION_MAX_LENGTH]
    if too_long:
        raise ValidationError({"bail_conditions": f"Keep each condition to {CONDITION_MAX_LENGTH} characters "
                                                  "or fewer; put each on its own line"})
    return cleaned


def _open_case(case: SafeguardingCase) -> SafeguardingCase:
    case = locked(case)
    if case.closed_at is not None:
        raise ValidationError("The case is closed: reopen it or record this on the open case")
    return case


def _not_future(at: datetime | None, field: str, what: str, now: datetime) -> None:
    if at is None:
        raise ValidationError({field: f"Enter the date and time of the {what}"})
    if at > now:
        raise ValidationError({field: f"The {what} cannot be in the future"})


def tell_victim_task(*, case, event: str, at: datetime, now: datetime, about, extra: str = "",
                     key_suffix: str = "") -> Task:
    """A task for the case owner to tell the victim of a key event, due by the enhanced deadline."""
    codes = event.split("+")
    what = " and ".join(KEY_EVENT_LABELS[c].lower() for c in codes)
    return task_create(
        case=case, kind=Task.Kind.TELL_VICTIM, now=now, assignee=case.owner, team=case.owning_team,
        title=f"Tell the victim: {what}",
        detail=(f"Key event at {_london(at)}. Victims' Code (enhanced): tell the victim within "
                f"{deadlines.ENHANCED_WORKING_DAYS} working day. {extra}").strip(),
        due_at=deadlines.key_event_deadline(at, enhanced=True), subject=subject_label(about),
        key=tell_key(event, about, key_suffix))


def _bail_order(*, custody: CustodyRecord, conditions: list[str], starts_at: datetime, ends_on: date | None,
                by, now: datetime, authorised_by: str) -> ProtectiveOrder:
    """The bail conditions as an order protecting the victim at their address, and its markers."""
    case = custody.case
    order = ProtectiveOrder.objects.create(
        case=case, kind=ProtectiveOrder.Kind.BAIL_CONDITIONS, restricted_person=custody.suspect,
        protected_address=case.victim.address, conditions=conditions, starts_at=starts_at, ends_on=ends_on,
        custody_record=custody, recorded_by=by, recorded_at=now, authorised_by=authorised_by)
    order.protected_persons.add(case.victim)
    # Conditions set earlier on this custody record are replaced by the new ones.
    for earlier in custody.orders.filter(kind=ProtectiveOrder.Kind.BAIL_CONDITIONS,
                                         status=ProtectiveOrder.Status.IN_FORCE).exclude(pk=order.pk):
        earlier.status = ProtectiveOrder.Status.ENDED
        earlier.status_changed_at = now
        earlier.save(update_fields=["status", "status_changed_at"])
        order_markers_end(order=earlier, on=starts_at.astimezone(LONDON).date())
    order_markers_place(order=order)
    event_publish(**payloads.order_made(order=order))  # events out (vigil.events)
    timeline_add(case=case, kind="bail_conditions", at=now, actor=by, subject=subject_label(order),
                 summary=f"Bail conditions in force from {_london(starts_at)}"
                         + (f" until {ends_on:%d %b %Y}" if ends_on else "")
                         + f" ({len(conditions)} condition{'s' if len(conditions) != 1 else ''}); "
                           "warning markers placed on the victim and their address")
    return order


def _custody(custody: CustodyRecord) -> CustodyRecord:
    return CustodyRecord.objects.select_for_update(of=("self",)).select_related("case", "suspect").get(pk=custody.pk)


# --- arrest ----------------------------------------------------------------------------------------------

def incident_suspect(case: SafeguardingCase):
    """The suspect named on the case's incident (the first, when several are)."""
    involvement = case.incident.involvements.filter(role=Involvement.Role.SUSPECT) \
        .select_related("person_record").order_by("pk").first()
    return involvement.person_record if involvement is not None else None


def custody_arrest_record(*, case: SafeguardingCase, by, arrested_at: datetime | None = None, suspect=None,
                          arrest=None, now: datetime | None = None, request=None) -> CustodyRecord:
    """The suspect's arrest (by default the incident's suspect; `arrest` links an incidents.Arrest and
    gives the suspect and time), and a task to tell the victim."""
    now = now or timezone.now()
    if arrest is not None:
        suspect = suspect or arrest.person_record
        arrested_at = arrested_at or arrest.arrested_at
    suspect = suspect or incident_suspect(case)
    if suspect is None:
        raise ValidationError({"suspect": "No suspect is named on the incident: record the suspect on the "
                                          "incident first"})
    _not_future(arrested_at, "arrested_at", "arrest", now)
    if arrested_at < case.incident.received_at:
        raise ValidationError({"arrested_at": "The arrest cannot be before the incident was reported"})
    with transaction.atomic():
        case = _open_case(case)
        if arrest is not None and CustodyRecord.objects.filter(arrest=arrest).exists():
            raise ValidationError("That arrest is already recorded on a case")
        custody = CustodyRecord.objects.create(case=case, suspect=suspect, arrest=arrest, arrested_at=arrested_at,
                                               recorded_by=by)
        timeline_add(case=case, kind="arrest", at=now, actor=by, subject=subject_label(custody),
                     summary=f"Suspect arrested at {_london(arrested_at)} (recorded by {display(by)})")
        task = tell_victim_task(case=case, event="arrest", at=arrested_at, now=now, about=custody)
        audit_record(action="collection", actor=by, obj=custody, subject_person_id=subject_of(case), request=request,
                     detail={"step": "arrest recorded", "case": str(case.public_id), "task": str(task.public_id)})
    return custody


# --- disposal --------------------------------------------------------------------------------------------

def custody_disposal_record(*, custody: CustodyRecord, by, disposal: str, disposed_at: datetime | None,
                            bail_conditions=(), bail_return_on: date | None = None, court_name: str = "",
                            hearing_at: datetime | None = None, now: datetime | None = None,
                            request=None) -> CustodyRecord:
    """What the police decided after the arrest. Each outcome is a key event the victim is told of; bail
    with conditions protects the victim (order and markers); a remand for court makes the owner watch
    the hearing's outcome."""
    now = now or timezone.now()
    if disposal not in Disposal.values:
        raise ValidationError({"disposal": "Choose what happened after the arrest"})
    _not_future(disposed_at, "disposed_at", "decision", now)
    conditions = conditions_cleaned(bail_conditions)
    court_name = " ".join((court_name or "").split())
    if disposal == Disposal.PRE_CHARGE_BAIL:
        if not conditions:
            raise ValidationError({"bail_conditions": "Enter the bail conditions, one on each line"})
        if bail_return_on is None:
            raise ValidationError({"bail_return_on": "Enter the date the suspect must answer bail"})
    if disposal in (Disposal.PRE_CHARGE_BAIL, Disposal.CHARGED_BAILED) and bail_return_on is not None \
            and bail_return_on < disposed_at.astimezone(LONDON).date():
        raise ValidationError({"bail_return_on": "The bail return date cannot be before the decision"})
    if disposal not in (Disposal.PRE_CHARGE_BAIL, Disposal.CHARGED_BAILED) and (conditions or bail_return_on):
        raise ValidationError({"bail_conditions": "Bail conditions and a return date go only with bail"})
    if disposal == Disposal.CHARGED_REMANDED:
        if not court_name:
            raise ValidationError({"court_name": "Enter the court that will hear the remand application"})
        if hearing_at is None:
            raise ValidationError({"hearing_at": "Enter the date and time of the hearing"})
        if hearing_at < disposed_at:
            raise ValidationError({"hearing_at": "The hearing cannot be before the charge"})
    with transaction.atomic():
        custody = _custody(custody)
        case = _open_case(custody.case)
        custody.case = case
        if custody.disposal:
            raise ValidationError(f"The decision is already recorded: {custody.get_disposal_display().lower()}")
        if disposed_at < custody.arrested_at:
            raise ValidationError({"disposed_at": "The decision cannot be before the arrest"})
        custody.disposal = disposal
        custody.disposal_at = disposed_at
        custody.bail_return_on = bail_return_on
        if disposal == Disposal.CHARGED_REMANDED:
            custody.court_name, custody.hearing_at = court_name, hearing_at
        custody.save(update_fields=["disposal", "disposal_at", "bail_return_on", "court_name", "hearing_at"])
        label = Disposal(disposal).label
        timeline_add(case=case, kind="custody_disposal", at=now, actor=by, subject=subject_label(custody),
                     summary=f"{label} at {_london(disposed_at)}"
                             + (f"; to answer bail on {bail_return_on:%d %b %Y}" if bail_return_on else "")
                             + (f"; remand hearing at {court_name} on {_london(hearing_at)}"
                                if disposal == Disposal.CHARGED_REMANDED else ""))
        event = {Disposal.RELEASED_UNDER_INVESTIGATION: "released_rui", Disposal.NO_FURTHER_ACTION: "released_nfa",
                 Disposal.PRE_CHARGE_BAIL: "bail", Disposal.CHARGED_BAILED: "charge+bail",
                 Disposal.CHARGED_REMANDED: "charge"}[disposal]
        order = None
        if conditions:
            order = _bail_order(custody=custody, conditions=conditions, starts_at=disposed_at,
                                ends_on=bail_return_on, by=by, now=now, authorised_by="Custody officer")
        if disposal in (Disposal.PRE_CHARGE_BAIL, Disposal.CHARGED_BAILED):  # events out (vigil.events)
            event_publish(**payloads.bail_granted(custody=custody, order=order))
        extra = ("The suspect is held for the remand hearing at "
                 f"{court_name} on {_london(hearing_at)}." if disposal == Disposal.CHARGED_REMANDED else
                 "Tell the victim the bail conditions." if conditions else "")
        tasks = [tell_victim_task(case=case, event=event, at=disposed_at, now=now, about=custody, extra=extra)]
        if disposal == Disposal.CHARGED_REMANDED:
            tasks.append(task_create(
                case=case, kind=Task.Kind.COURT_OUTCOME, now=now, assignee=case.owner, team=case.owning_team,
                title="Find out the outcome of the remand hearing",
                detail=f"{court_name}, {_london(hearing_at)}. If the court grants bail the victim must be told "
                       "the same working day.",
                due_at=hearing_at, subject=subject_label(custody), key=f"court-outcome:{custody.public_id}"))
        audit_record(action="alteration", actor=by, obj=custody, subject_person_id=subject_of(case), request=request,
                     detail={"step": "disposal recorded", "disposal": disposal, "conditions": len(conditions),
                             "order": str(order.public_id) if order else None,
                             "tasks": [str(t.public_id) for t in tasks]})
    return custody


# --- the court's decision --------------------------------------------------------------------------------

def custody_court_outcome_record(*, custody: CustodyRecord, by, outcome: str, decided_at: datetime | None,
                                 bail_conditions=(), bail_return_on: date | None = None,
                                 now: datetime | None = None, request=None) -> CustodyRecord:
    """The court's decision on a remand application. Bail: an urgent task to tell the victim (the same
    working day, never later than 1 working day) and the conditions as an order with markers. Remanded
    in custody: a task to tell the victim. Either way the watch on the hearing is done."""
    now = now or timezone.now()
    if outcome not in CustodyRecord.CourtOutcome.values:
        raise ValidationError({"outcome": "Choose what the court decided"})
    _not_future(decided_at, "decided_at", "court's decision", now)
    conditions = conditions_cleaned(bail_conditions)
    if outcome == CustodyRecord.CourtOutcome.REMANDED and (conditions or bail_return_on):
        raise ValidationError({"bail_conditions": "Bail conditions and a return date go only with bail"})
    if bail_return_on is not None and bail_return_on < decided_at.astimezone(LONDON).date():
        raise ValidationError({"bail_return_on": "The next court date cannot be before the decision"})
    with transaction.atomic():
        custody = _custody(custody)
        case = _open_case(custody.case)
        custody.case = case
        if custody.disposal != Disposal.CHARGED_REMANDED:
            raise ValidationError("A court's decision is recorded only after a charge and remand for court")
        if custody.court_outcome:
            raise ValidationError(f"The court's decision is already recorded: "
                                  f"{custody.get_court_outcome_display().lower()}")
        if decided_at < custody.disposal_at:
            raise ValidationError({"decided_at": "The court's decision cannot be before the charge"})
        custody.court_outcome = outcome
        custody.court_outcome_at = decided_at
        if outcome == CustodyRecord.CourtOutcome.BAILED:
            custody.bail_return_on = bail_return_on
        custody.save(update_fields=["court_outcome", "court_outcome_at", "bail_return_on"])
        timeline_add(case=case, kind="court_outcome", at=now, actor=by, subject=subject_label(custody),
                     summary=f"{CustodyRecord.CourtOutcome(outcome).label} at {custody.court_name or 'court'}, "
                             f"{_london(decided_at)}")
        order = None
        if outcome == CustodyRecord.CourtOutcome.BAILED:
            if conditions:
                order = _bail_order(custody=custody, conditions=conditions, starts_at=decided_at,
                                    ends_on=bail_return_on, by=by, now=now, authorised_by=custody.court_name or "Court")
            event_publish(**payloads.bail_granted(custody=custody, order=order))  # events out (vigil.events)
            target = deadlines.court_bail_target(decided_at)
            task = task_create(
                case=case, kind=Task.Kind.COURT_BAIL_TELL_VICTIM, now=now, assignee=case.owner,
                team=case.owning_team, urgent=True,
                title="Tell the victim the court granted bail" + (" with conditions" if conditions else ""),
                detail=f"{custody.court_name or 'The court'} bailed the suspect at {_london(decided_at)}. Tell the "
                       f"victim today (by {_london(target)}) and never later than the deadline."
                       + (" Tell them the bail conditions." if conditions else ""),
                due_at=deadlines.court_bail_deadline(decided_at), subject=subject_label(custody),
                key=tell_key("court_bail", custody))
        else:
            task = tell_victim_task(case=case, event="remanded", at=decided_at, now=now, about=custody)
        watch = Task.objects.filter(key=f"court-outcome:{custody.public_id}", status=Task.Status.OPEN).first()
        if watch is not None:
            _task_done(watch, by=by, now=now, request=request,
                       outcome=CustodyRecord.CourtOutcome(outcome).label)
        audit_record(action="alteration", actor=by, obj=custody, subject_person_id=subject_of(case), request=request,
                     detail={"step": "court outcome recorded", "outcome": outcome, "conditions": len(conditions),
                             "order": str(order.public_id) if order else None, "task": str(task.public_id)})
    return custody


def _task_done(task: Task, *, by, now, request, outcome: str) -> None:
    """Done by `by` when it is theirs to do; otherwise closed for the owner, saying who recorded it."""
    if may_work_on(task, by):
        task_complete(task=task, by=by, outcome=outcome, now=now, request=request)
        return
    task.status, task.done_at, task.done_by = Task.Status.DONE, now, by
    task.outcome = f"{outcome} (recorded by {display(by)})"[:500]
    task.save(update_fields=["status", "done_at", "done_by", "outcome"])
    timeline_add(case=task.case, kind="task_done", at=now, actor=by, subject=subject_label(task),
                 summary=f"Done: {task.title} ({task.outcome})")


# --- bail conditions changed or cancelled ----------------------------------------------------------------

def _bail_conditions(order: ProtectiveOrder) -> ProtectiveOrder:
    order = ProtectiveOrder.objects.select_for_update(of=("self",)).select_related("case").get(pk=order.pk)
    if order.kind != ProtectiveOrder.Kind.BAIL_CONDITIONS:
        raise ValidationError("These are not bail conditions")
    if order.status != ProtectiveOrder.Status.IN_FORCE:
        raise ValidationError("These bail conditions are no longer in force")
    return order


def custody_bail_conditions_change(*, order: ProtectiveOrder, by, conditions, changed_at: datetime | None,
                                   ends_on: date | None = None, now: datetime | None = None,
                                   request=None) -> ProtectiveOrder:
    """Bail conditions varied: the order and its markers say so, and the victim is told."""
    now = now or timezone.now()
    conditions = conditions_cleaned(conditions)
    if not conditions:
        raise ValidationError({"bail_conditions": "Enter the new conditions, one on each line; if bail no longer "
                                                  "has conditions, cancel them instead"})
    _not_future(changed_at, "changed_at", "change", now)
    with transaction.atomic():
        order = _bail_conditions(order)
        case = _open_case(order.case)
        order.conditions, order.ends_on = conditions, ends_on
        order.save(update_fields=["conditions", "ends_on"])
        order_markers_refresh(order=order)
        event_publish(**payloads.order_varied(order=order, varied_at=changed_at))  # events out (vigil.events)
        timeline_add(case=case, kind="bail_conditions_changed", at=now, actor=by, subject=subject_label(order),
                     summary=f"Bail conditions changed at {_london(changed_at)} ({len(conditions)} conditions"
                             + (f", until {ends_on:%d %b %Y}" if ends_on else "") + "); markers updated")
        task = tell_victim_task(case=case, event="bail_conditions_changed", at=changed_at, now=now, about=order,
                     extra="Tell the victim the new conditions.", key_suffix=str(int(changed_at.timestamp())))
        audit_record(action="alteration", actor=by, obj=order, subject_person_id=subject_of(case), request=request,
                     detail={"step": "bail conditions changed", "conditions": len(conditions),
                             "task": str(task.public_id)})
    return order


def custody_bail_cancel(*, order: ProtectiveOrder, by, cancelled_at: datetime | None, now: datetime | None = None,
                        request=None) -> ProtectiveOrder:
    """Bail (and so its conditions) cancelled: the markers end that day (kept as history) and the victim
    is told."""
    now = now or timezone.now()
    _not_future(cancelled_at, "cancelled_at", "cancellation", now)
    with transaction.atomic():
        order = _bail_conditions(order)
        case = _open_case(order.case)
        order.status, order.status_changed_at = ProtectiveOrder.Status.REVOKED, cancelled_at
        order.save(update_fields=["status", "status_changed_at"])
        order_markers_end(order=order, on=cancelled_at.astimezone(LONDON).date())
        timeline_add(case=case, kind="bail_cancelled", at=now, actor=by, subject=subject_label(order),
                     summary=f"Bail cancelled at {_london(cancelled_at)}; the bail-conditions markers ended")
        task = tell_victim_task(case=case, event="bail_cancelled", at=cancelled_at, now=now, about=order)
        audit_record(action="alteration", actor=by, obj=order, subject_person_id=subject_of(case), request=request,
                     detail={"step": "bail cancelled", "task": str(task.public_id)})
    return order


# --- a prisoner's release --------------------------------------------------------------------------------

def release_due(release_on: date, working_days: int, now: datetime) -> tuple[datetime, bool]:
    """(due, urgent): the end of the working day `working_days` before `release_on`; when that has passed,
    now, and urgent."""
    due = deadlines.end_of_day(add_working_days(release_on, -working_days))
    return (due, False) if due > now else (now, True)


def custody_release_date_set(*, custody: CustodyRecord, by, release_on: date | None, now: datetime | None = None,
                             request=None) -> CustodyRecord:
    """A prisoner's release date: a risk review and the victim's notification, each due before the release
    (see the module's note). A changed date cancels the tasks made for the old one."""
    now = now or timezone.now()
    if release_on is None:
        raise ValidationError({"release_on": "Enter the release date"})
    if release_on < now.astimezone(LONDON).date():
        raise ValidationError({"release_on": "The release date has passed: record the release as a key event "
                                             "and tell the victim at once"})
    with transaction.atomic():
        custody = _custody(custody)
        case = _open_case(custody.case)
        custody.case = case
        if custody.release_on == release_on:
            return custody
        previous = custody.release_on
        custody.release_on = release_on
        custody.save(update_fields=["release_on"])
        if previous is not None:
            Task.objects.filter(case=case, status=Task.Status.OPEN, subject=subject_label(custody),
                                kind__in=(Task.Kind.RELEASE_REVIEW, Task.Kind.RELEASE_NOTIFY)) \
                .update(status=Task.Status.CANCELLED, done_at=now, done_by=by,
                        outcome=f"Release date changed to {release_on:%d %b %Y}")
        review_due, review_urgent = release_due(release_on, RELEASE_REVIEW_WORKING_DAYS, now)
        notify_due, notify_urgent = release_due(release_on, RELEASE_NOTIFY_WORKING_DAYS, now)
        review = task_create(
            case=case, kind=Task.Kind.RELEASE_REVIEW, now=now, assignee=case.owner, team=case.owning_team,
            urgent=review_urgent, title=f"Review the risk before the prisoner's release on {release_on:%d %b %Y}",
            detail="Review the risk and the safety plan with the victim before the release.",
            due_at=review_due, subject=subject_label(custody),
            key=f"release-review:{custody.public_id}:{release_on.isoformat()}")
        notify = task_create(
            case=case, kind=Task.Kind.RELEASE_NOTIFY, now=now, assignee=case.owner, team=case.owning_team,
            urgent=notify_urgent, title=f"Tell the victim the prisoner is released on {release_on:%d %b %Y}",
            detail="Tell the victim the release date and any licence conditions.",
            due_at=notify_due, subject=subject_label(custody),
            key=tell_key("release", custody, release_on.isoformat()))
        timeline_add(case=case, kind="release_date", at=now, actor=by, subject=subject_label(custody),
                     summary=f"Prisoner's release date set to {release_on:%d %b %Y}"
                             + (f" (was {previous:%d %b %Y})" if previous else "")
                             + "; risk review and victim notification scheduled")
        audit_record(action="alteration", actor=by, obj=custody, subject_person_id=subject_of(case), request=request,
                     detail={"step": "release date set", "changed": previous is not None,
                             "tasks": [str(review.public_id), str(notify.public_id)]})
    return custody
