"""Background checks with an owner: Vigil makes the checks it can itself and records them done; the
rest become tasks for a named role or team, with a deadline, until someone has done them."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from vigil.audit.services import audit_record
from vigil.incidents.models import Incident

from .check_policy import AUTOMATIC_CHECKS, PERFORMER_ROLE, CheckKind, checks_due
from .models import BackgroundCheck, CheckRule
from .selectors import SYSTEM_VIEWER, CallHistory, history_for_incident


def _list(items: list[str]) -> str:
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


def automatic_result(kind: CheckKind, history: CallHistory) -> str:
    """What Vigil found, in the words the attending officer reads. Never "nothing" on its own: an
    absence of records is not an absence of history."""
    if kind == CheckKind.FORCE_SYSTEMS:
        if not history.records_found:
            return history.empty_message
        parts = []
        if history.address_all:
            parts.append(f"{history.address_all} previous incidents at the address ({history.address_12m} in the "
                         f"last 12 months)")
        if history.phone_all:
            parts.append(f"{history.phone_all} from the number ({history.phone_12m} in the last 12 months)")
        markers = sorted({m.label for m in history.place_markers} | {m.label for p in history.people for m in p.markers})
        if markers:
            parts.append("warning markers: " + ", ".join(markers))
        return "; ".join(parts) or "People on this call are known: see their history"
    if kind == CheckKind.ORDERS_AND_BAIL:
        found = [f"{m.label} on {p.name}" + (f" until {date_format(m.ends_on)}" if m.ends_on else "")
                 for p in history.people for m in p.markers if m.kind in ("protective_order", "bail_conditions")]
        found += [f"{m.label} on the {m.on}" for m in history.place_markers
                  if m.kind in ("protective_order", "bail_conditions")]
        return ("In force: " + "; ".join(found)) if found else \
            "No order or bail conditions recorded in force for the people, address or number on this call."
    if kind == CheckKind.PREVIOUS_RISK:
        graded = [f"{p.name}: {p.latest_grade} ({date_format(timezone.localtime(p.latest_grade_at), 'j M Y')})"
                  for p in history.people if p.latest_grade]
        return ("Latest risk grading: " + "; ".join(graded)) if graded else \
            "No previous risk assessment recorded for the people on this call."
    if kind == CheckKind.MARAC:
        heard = [f"{p.name} (from {date_format(p.marac_12m)})" for p in history.people if p.marac_12m]
        return ("MARAC case in the last 12 months: " + "; ".join(heard)) if heard else \
            "No MARAC case recorded in the last 12 months for the people on this call."
    raise ValueError(f"Vigil cannot make the {kind} check itself")


def checks_refresh(*, incident: Incident, now: datetime | None = None) -> list[BackgroundCheck]:
    """Open the checks the policy asks for (once grade and kind are known), make the automatic ones again
    with what is now known, then refresh the board. Tasks already open keep their owner and deadline."""
    from .board import board_refresh

    now = now or timezone.now()
    if incident.status == Incident.Status.CLOSED:
        return list(incident.checks.all())
    with transaction.atomic():
        existing = {c.kind: c for c in incident.checks.select_for_update()}
        due = checks_due(CheckRule.objects.filter(active=True), is_domestic_abuse=incident.is_domestic_abuse,
                         grade=incident.response_grade, received_at=incident.received_at)
        history = None
        for item in due:
            check = existing.get(item.kind)
            if check is None:
                check = BackgroundCheck(incident=incident, kind=item.kind, rule=item.rule,
                                        performed_by=item.rule.performed_by, team=item.rule.team,
                                        created_at=now, due_at=max(item.due_at, now))
            if item.automatic:
                history = history or history_for_incident(incident=incident, viewer=SYSTEM_VIEWER, now=now,
                                                          audit=False)
                check.status, check.done_at, check.done_by = BackgroundCheck.Status.DONE, now, None
                check.result = automatic_result(item.kind, history)
            check.save()
            existing[item.kind] = check
        board_refresh(incident=incident, now=now)
    return sorted(existing.values(), key=lambda c: c.due_at)


def may_work(check: BackgroundCheck, user) -> bool:
    if user.role == "control_room_supervisor":
        return True
    if user.role != PERFORMER_ROLE.get(check.performed_by):
        return False
    if check.performed_by == "attending_officer":
        return check.incident.attending_officer_id in (None, user.pk)
    return True


def check_take(*, check: BackgroundCheck, by, now: datetime | None = None, request=None) -> BackgroundCheck:
    """A named person takes a check from their role's queue: from now on it is theirs."""
    if not may_work(check, by):
        raise PermissionDenied
    if check.status == BackgroundCheck.Status.DONE:
        raise ValidationError("This check is already done.")
    with transaction.atomic():
        check.assigned_to = by
        check.save(update_fields=["assigned_to"])
        audit_record(action="alteration", actor=by, obj=check, request=request, detail={"step": "taken"})
        from .board import board_refresh

        board_refresh(incident=check.incident, now=now)
    return check


def check_complete(*, check: BackgroundCheck, by, result: str, now: datetime | None = None,
                   request=None) -> BackgroundCheck:
    """Record what the check found. The result is what the attending officer will read."""
    now = now or timezone.now()
    if not may_work(check, by):
        raise PermissionDenied
    if check.kind in AUTOMATIC_CHECKS and check.status == BackgroundCheck.Status.DONE and check.done_by_id is None:
        raise ValidationError("Vigil made this check itself.")
    if check.status == BackgroundCheck.Status.DONE:
        raise ValidationError("This check is already done.")
    if not result.strip():
        raise ValidationError({"result": "Enter what the check found (for example: no flag held)"})
    with transaction.atomic():
        check.status, check.done_at, check.done_by = BackgroundCheck.Status.DONE, now, by
        check.assigned_to = check.assigned_to or by
        check.result = result.strip()
        check.save()
        audit_record(action="collection", actor=by, obj=check, request=request, detail={"step": "done"})
        from .board import board_refresh

        board_refresh(incident=check.incident, now=now)
    return check

