"""Victim contact: the contact plan agreed with the victim, and each attempt to reach them as it happened.

- A contact by telephone should use the victim's safe number (`people.SafeContact`). When none is
  recorded, or another number was used, the officer must confirm it was safe to call; the log says so.
- A contact against a task: when the officer spoke to the victim and told them what the task is about,
  the task is done (`services.task_complete`); any other outcome is recorded and the task stays open.
- After each successful contact (spoke to the victim) the next routine update is a CONTACT_VICTIM task,
  due after the plan's `update_every_days` (keyed per case and due date, so it exists once), and the
  routine updates already waiting (and the first contact `case_open` asked for) are done. Other
  CONTACT_VICTIM tasks (a risk review after a breach) are left to be done on their own.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from vigil.audit.services import audit_record
from vigil.people.models import ContactBan
from vigil.workdays import LONDON

from . import deadlines
from .models import Contact, SafeguardingCase, Task
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

# Victims' Code key events (Right 6) the victim is told of, as codes.
KEY_EVENTS = (
    ("arrest", "Arrest"),
    ("interview", "Interview under caution"),
    ("released_nfa", "Released with no further action"),
    ("released_rui", "Released under investigation"),
    ("bail", "Released on bail, with any conditions"),
    ("bail_conditions_changed", "Bail conditions changed"),
    ("charge", "Charged"),
    ("bail_cancelled", "Bail cancelled"),
    ("court_bail", "Court granted bail"),
    ("remanded", "Remanded in custody by the court"),
    ("release", "Release from prison"),
)
KEY_EVENT_LABELS = dict(KEY_EVENTS)
TELL_PREFIX = "tell"
ROUTINE_PREFIX = "routine-contact:"  # the next routine update (keyed per case and due date)
FIRST_CONTACT_PREFIX = "first-contact:"  # services.case_open's first contact
UPDATE_EVERY_MAX_DAYS = 365
NOTE_MAX_LENGTH = 2000
SUCCESSFUL = (Contact.Outcome.SPOKE,)
MAY_TELL = (Contact.Outcome.SPOKE, Contact.Outcome.MESSAGE_SENT)
OTHER_NUMBER_NOTE = "Not the recorded safe number: the officer confirmed it was safe to call."
NO_SAFE_NUMBER_NOTE = "No safe number recorded: the officer confirmed the number called was safe."


def tell_key(event: str, about, suffix: str = "") -> str:
    """The key of the task to tell the victim of `event` ("charge" or "charge+bail") about an object."""
    return f"{TELL_PREFIX}:{event}:{about.public_id}" + (f":{suffix}" if suffix else "")


def task_key_events(task: Task | None) -> list[str]:
    """The key-event codes a task asks the officer to tell the victim (from its key)."""
    if task is None or not task.key or not task.key.startswith(f"{TELL_PREFIX}:"):
        return []
    return [code for code in task.key.split(":")[1].split("+") if code in KEY_EVENT_LABELS]


def safe_number(case: SafeguardingCase):
    """The victim's recorded safe number (a people.Phone), or None: none recorded, or the number is on the
    victim's do-not-use list (`people.ContactBan`, e.g. after a merge brought a ban onto the record), which
    always wins; such a number is never offered and the victim is treated as having no safe number."""
    person = case.victim.person
    if person is None:
        return None
    contact = getattr(person, "safe_contact", None)  # none recorded: RelatedObjectDoesNotExist
    if contact is None or contact.phone_id is None:
        return None
    if ContactBan.objects.filter(person=person, phone_id=contact.phone_id).exists():
        return None
    return contact.phone


def safe_number_errors(*, case: SafeguardingCase, safe_number_used: bool | None,
                       confirmed_safe: bool) -> dict[str, str]:
    """The safe-number check of a telephone call to the victim (a contact, a survey): {field: message}."""
    number = safe_number(case)
    if safe_number_used is None:
        return {"safe_number_used": "Say whether you called the victim's safe number"}
    if number is None and safe_number_used:
        return {"safe_number_used": "No safe number is recorded for the victim, so it cannot have been used: "
                                    "answer no and confirm the number you called was safe"}
    if not safe_number_used and not confirmed_safe:
        return {"confirmed_safe": "No safe number is recorded for the victim: confirm the number you called was "
                                  "safe to use" if number is None else
                                  "You did not use the victim's safe number: confirm the number you called was "
                                  "safe to use"}
    return {}


def _routine_due(case: SafeguardingCase, after: datetime) -> datetime:
    return deadlines.end_of_day(after.astimezone(LONDON).date() + timedelta(days=case.update_every_days))


def contact_log(*, case: SafeguardingCase, by, method: str, outcome: str, safe_number_used: bool | None,
                told=(), note: str = "", task: Task | None = None, confirmed_safe: bool = False,
                made_at: datetime | None = None, now: datetime | None = None, request=None) -> Contact:
    """One attempt to contact the victim, as it happened (see the module's note)."""
    now = now or timezone.now()
    made_at = made_at or now
    told = list(dict.fromkeys(told or []))
    note = (note or "").strip()
    errors = {}
    if method not in Contact.Method.values:
        errors["method"] = "Choose how you contacted the victim"
    if outcome not in Contact.Outcome.values:
        errors["outcome"] = "Choose what happened"
    if made_at > now:
        errors["made_at"] = "The contact cannot be in the future"
    unknown = [code for code in told if code not in KEY_EVENT_LABELS]
    if unknown:
        errors["told"] = "Choose the key events from the list"
    elif told and outcome in Contact.Outcome.values and outcome not in MAY_TELL:
        errors["told"] = "You can record what the victim was told only if you spoke to them or sent a message"
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = f"Keep the note to {NOTE_MAX_LENGTH} characters or fewer"
    remark = ""
    if method == Contact.Method.PHONE:
        number_errors = safe_number_errors(case=case, safe_number_used=safe_number_used,
                                           confirmed_safe=confirmed_safe)
        errors.update(number_errors)
        if not number_errors and not safe_number_used:
            remark = NO_SAFE_NUMBER_NOTE if safe_number(case) is None else OTHER_NUMBER_NOTE
    else:
        safe_number_used = False
    if task is not None:
        if task.case_id != case.pk:
            errors["task"] = "That task is not on this case"
        elif task.status != Task.Status.OPEN:
            errors["task"] = f"That task is already {task.get_status_display().lower()}"
        elif outcome == Contact.Outcome.SPOKE and task.kind != Task.Kind.CONTACT_VICTIM and not told \
                and "told" not in errors:
            errors["told"] = "Tick what you told the victim: the task is done only when they have been told"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = locked(case)
        if case.closed_at is not None:
            raise ValidationError("The case is closed")
        contact = Contact.objects.create(
            case=case, task=task, made_by=by, made_at=made_at, method=method, safe_number_used=bool(safe_number_used),
            outcome=outcome, told=told, note=(f"{note}\n\n{remark}" if note and remark else note or remark))
        told_text = ", ".join(KEY_EVENT_LABELS[c].lower() for c in told)
        timeline_add(case=case, kind="contact", at=now, actor=by, subject=subject_label(contact),
                     summary=f"{Contact.Method(method).label} at {made_at.astimezone(LONDON):%d %b %Y %H:%M}: "
                             f"{Contact.Outcome(outcome).label.lower()}"
                             + (f"; told: {told_text}" if told else "") + (f". {remark}" if remark else ""))
        done = []
        successful = outcome in SUCCESSFUL
        if task is not None and successful:
            done.append(task_complete(task=task, by=by, now=now, request=request,
                                      outcome=f"Victim told: {told_text}" if told else "Spoke to the victim"))
        next_task = None
        if successful:
            due = _routine_due(case, made_at)
            next_key = f"{ROUTINE_PREFIX}{case.public_id}:{due.date().isoformat()}"
            waiting = case.tasks.filter(kind=Task.Kind.CONTACT_VICTIM, status=Task.Status.OPEN) \
                .filter(Q(key__startswith=ROUTINE_PREFIX) | Q(key__startswith=FIRST_CONTACT_PREFIX)).exclude(key=next_key)
            for routine in waiting:
                if may_work_on(routine, by):
                    done.append(task_complete(task=routine, by=by, now=now, request=request,
                                              outcome="Spoke to the victim"))
            next_task = task_create(
                case=case, kind=Task.Kind.CONTACT_VICTIM, now=now, assignee=case.owner, team=case.owning_team,
                title="Update the victim (routine contact)",
                detail=f"Agreed: every {case.update_every_days} days, {case.get_contact_method_display().lower()}."
                       + (f" {case.contact_note}" if case.contact_note else ""),
                due_at=due, key=next_key)
        audit_record(action="collection", actor=by, obj=contact, subject_person_id=subject_of(case), request=request,
                     detail={"step": "contact logged", "case": str(case.public_id), "method": method,
                             "outcome": outcome, "safe_number_used": bool(safe_number_used),
                             "confirmed_safe": bool(remark), "told": told,
                             "task": str(task.public_id) if task else None,
                             "tasks_done": [str(t.public_id) for t in done],
                             "next_update": str(next_task.public_id) if next_task else None})
    return contact


def contact_plan_set(*, case: SafeguardingCase, by, method: str, update_every_days: int | None, note: str = "",
                     now: datetime | None = None, request=None) -> SafeguardingCase:
    """The contact plan agreed with the victim: how and how often they are updated, and when it is safe.
    The next routine update waiting moves to the new frequency."""
    now = now or timezone.now()
    note = " ".join((note or "").split())
    errors = {}
    if method not in SafeguardingCase.ContactMethod.values:
        errors["method"] = "Choose how the victim agreed to be contacted"
    if update_every_days is None or not 1 <= update_every_days <= UPDATE_EVERY_MAX_DAYS:
        errors["update_every_days"] = f"Enter how often to update the victim, in days, from 1 to {UPDATE_EVERY_MAX_DAYS}"
    if len(note) > 300:
        errors["note"] = "Keep the note to 300 characters or fewer"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = locked(case)
        if case.closed_at is not None:
            raise ValidationError("The case is closed")
        changed = [name for name, old, new in (("contact_method", case.contact_method, method),
                                               ("update_every_days", case.update_every_days, update_every_days),
                                               ("contact_note", case.contact_note, note)) if old != new]
        case.contact_method, case.update_every_days, case.contact_note = method, update_every_days, note
        case.save(update_fields=["contact_method", "update_every_days", "contact_note"])
        last = case.contacts.filter(outcome__in=SUCCESSFUL).order_by("-made_at").first()
        if last is not None and "update_every_days" in changed:
            due = _routine_due(case, last.made_at)
            case.tasks.filter(kind=Task.Kind.CONTACT_VICTIM, status=Task.Status.OPEN,
                              key__startswith=f"{ROUTINE_PREFIX}{case.public_id}:").update(due_at=due)
        timeline_add(case=case, kind="contact_plan", at=now, actor=by,
                     summary=f"Contact plan set by {display(by)}: {case.get_contact_method_display().lower()}, "
                             f"every {update_every_days} days")
        audit_record(action="alteration", actor=by, obj=case, subject_person_id=subject_of(case), request=request,
                     detail={"step": "contact plan set", "fields": changed})
    return case
