"""Cases and their ownership: opening a case, handovers (propose, accept, reject, withdraw), a manager
taking a case back, tasks with deadlines, and the timeline every change writes to.

Exactly one owner at every moment: `SafeguardingCase.owner` is NOT NULL and changes only here, in the
same transaction as the `OwnershipPeriod` that records it; the sender of a handover stays the owner
until the receiver accepts. Every function locks the case row first, so two people deciding on the same
case at once are serialised and the second sees the first's result.
"""

import logging
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from vigil.accounts.models import Team, User
from vigil.audit.services import audit_record
from vigil.events import payloads
from vigil.events.services import event_publish
from vigil.risk.models import RiskLevel

from . import deadlines
from .models import Handover, OwnershipPeriod, OwnershipRule, SafeguardingCase, Task, TimelineEntry

logger = logging.getLogger(__name__)

REASON_MIN_LENGTH = 10
FALLBACK_RULE = {"high": ("specialist", 4), "medium": ("neighbourhood", 24), "standard": ("neighbourhood", 72)}


class NoOwnerAvailable(Exception):
    """The policy's team for a case has no supervisor and no members, and nobody else was given."""


# --- small shared pieces ---------------------------------------------------------------------------------

def subject_of(case: SafeguardingCase):
    person = case.victim.person
    return person.public_id if person is not None else None


def subject_label(obj) -> str:
    return f"{obj._meta.label}:{obj.public_id}"


def timeline_add(*, case: SafeguardingCase, kind: str, summary: str, at: datetime, actor=None,
                 subject: str = "") -> TimelineEntry:
    return TimelineEntry.objects.create(case=case, kind=kind, summary=summary[:500], at=at, actor=actor,
                                        subject=subject)


def _reason(value: str, field: str, what: str) -> str:
    value = (value or "").strip()
    if len(value) < REASON_MIN_LENGTH:
        raise ValidationError({field: f"Give {what} (at least {REASON_MIN_LENGTH} characters)"})
    return value


def locked(case: SafeguardingCase) -> SafeguardingCase:
    """The case row, locked until the transaction ends (PostgreSQL; SQLite's IMMEDIATE transactions
    already serialise writers)."""
    return SafeguardingCase.objects.select_for_update(of=("self",)).select_related("victim").get(pk=case.pk)


# --- policy ----------------------------------------------------------------------------------------------

def ownership_rule(risk_level: str) -> tuple[str, int]:
    """(team kind, hours a handover may wait) for a risk level, from the administered policy."""
    rule = OwnershipRule.objects.filter(risk_level=risk_level).values_list("team_kind", "accept_within_hours").first()
    return rule or FALLBACK_RULE[risk_level]


def policy_team(*, risk_level: str, area_id: int | None) -> Team | None:
    """The team the policy names for a risk level: the one for the area when there is one, else the
    force-wide team of that kind."""
    kind, _ = ownership_rule(risk_level)
    teams = Team.objects.filter(kind=kind, agency__kind="force").order_by("pk")
    return (teams.filter(area_id=area_id).first() if area_id else None) or teams.filter(area__isnull=True).first() \
        or teams.first()


def team_supervisors(team: Team | None) -> list[User]:
    """Who is told when the team's handovers or deadlines slip: its named supervisor, else its members
    who hold the supervisor role."""
    if team is None:
        return []
    if team.supervisor_id and team.supervisor.is_active:
        return [team.supervisor]
    return list(team.members.filter(role="supervisor", is_active=True).order_by("pk"))


def team_duty_owner(team: Team) -> User | None:
    """Who holds a team's new case until it is allocated to a named officer: the supervisor, else the
    longest-standing active member."""
    supervisors = team_supervisors(team)
    if supervisors:
        return supervisors[0]
    return team.members.filter(is_active=True).order_by("date_joined", "pk").first()


def is_manager_of(user, team: Team | None) -> bool:
    return team is not None and user.role == "supervisor" and (
        team.supervisor_id == user.pk or team.members.filter(pk=user.pk).exists())


# --- opening ---------------------------------------------------------------------------------------------

def case_open(*, incident, victim, by, risk_level: str = RiskLevel.STANDARD, now: datetime | None = None,
              request=None) -> SafeguardingCase:
    """The victim's case for this incident, opened if there is none yet. Owned by the policy team's
    supervisor (who allocates it) or, when the person recording is a member of that team, by them."""
    now = now or timezone.now()
    existing = SafeguardingCase.objects.filter(incident=incident, victim=victim).first()
    if existing is not None:
        return existing
    team = policy_team(risk_level=risk_level, area_id=incident.area_id)
    if team is not None and team.members.filter(pk=by.pk).exists():
        owner = by
    else:
        owner = team_duty_owner(team) if team is not None else None
    if owner is None:
        team = by.teams.order_by("pk").first() if by is not None else None
        owner = by if team is not None else None
    if owner is None:
        raise NoOwnerAvailable(f"no team of the kind the policy names for {risk_level} risk has anyone in it")
    with transaction.atomic():
        case = SafeguardingCase.objects.create(victim=victim, incident=incident, risk_level=risk_level,
                                               owner=owner, owning_team=team, opened_at=now)
        OwnershipPeriod.objects.create(case=case, owner=owner, team=team, via=OwnershipPeriod.Via.OPENED,
                                       started_at=now)
        timeline_add(case=case, kind="opened", at=now, actor=by,
                     summary=f"Case opened at {RiskLevel(risk_level).label.lower()} risk; owned by "
                             f"{display(owner)} for {team.name}")
        task_create(case=case, kind=Task.Kind.CONTACT_VICTIM, now=now, assignee=owner,
                    title="Contact the victim: agree the contact plan and offer support",
                    due_at=deadlines.key_event_deadline(now, enhanced=True),
                    key=f"first-contact:{case.public_id}")
        audit_record(action="collection", actor=by, obj=case, subject_person_id=subject_of(case), request=request,
                     detail={"step": "case opened", "risk_level": risk_level})
    return case


def cases_open_for_incident(*, incident, by, now: datetime | None = None, request=None) -> list[SafeguardingCase]:
    """A case for each victim of a domestic abuse incident (none for other incidents). The incident is
    never refused for want of an owner: when the force has no team the policy names, and the recorder
    is in no team, the gap is logged for the administrators (ids only) and the incident stands."""
    if not incident.is_domestic_abuse:
        return []
    victims = [inv.person_record for inv in incident.involvements.filter(role="victim").select_related("person_record")]
    cases = []
    for victim in victims:
        try:
            cases.append(case_open(incident=incident, victim=victim, by=by, now=now, request=request))
        except NoOwnerAvailable:
            logger.error("No owner for the case of incident %s: configure the teams the ownership policy names",
                         incident.public_id)
    return cases


def case_risk_set(*, case: SafeguardingCase, risk_level: str, by, now: datetime | None = None,
                  request=None) -> SafeguardingCase:
    """The agreed grading changed: record it and, when the policy now names another kind of team,
    propose a handover to that team's queue (the current owner stays accountable until it is accepted)."""
    now = now or timezone.now()
    with transaction.atomic():
        case = locked(case)
        if case.risk_level == risk_level:
            return case
        previous = case.risk_level
        case.risk_level = risk_level
        case.save(update_fields=["risk_level"])
        timeline_add(case=case, kind="risk_changed", at=now, actor=by,
                     summary=f"Risk level {previous} → {risk_level}")
        kind, _ = ownership_rule(risk_level)
        pending = case.handovers.filter(status=Handover.Status.PENDING).exists()
        if case.owning_team.kind != kind and not pending:
            team = policy_team(risk_level=risk_level, area_id=case.incident.area_id)
            if team is not None:
                _propose(case=case, to_team=team, to_user=None, by=case.owner, now=now,
                         reason=f"Policy: {risk_level} risk cases are owned by the {team.get_kind_display().lower()}")
        audit_record(action="alteration", actor=by, obj=case, subject_person_id=subject_of(case), request=request,
                     detail={"field": "risk_level", "from": previous, "to": risk_level})
    return case


def case_close(*, case: SafeguardingCase, by, reason: str, now: datetime | None = None,
               request=None) -> SafeguardingCase:
    now = now or timezone.now()
    reason = _reason(reason, "reason", "the reason for closing the case")
    with transaction.atomic():
        case = locked(case)
        if case.owner_id != by.pk and not is_manager_of(by, case.owning_team):
            raise PermissionDenied("Only the case's owner or their manager can close it")
        if case.closed_at is not None:
            raise ValidationError("The case is already closed")
        case.closed_at = now
        case.closed_reason = reason
        case.save(update_fields=["closed_at", "closed_reason"])
        case.handovers.filter(status=Handover.Status.PENDING).update(
            status=Handover.Status.WITHDRAWN, decided_at=now, decided_by=by)
        case.tasks.filter(status=Task.Status.OPEN).update(status=Task.Status.CANCELLED, done_at=now, done_by=by,
                                                           outcome="Case closed")
        timeline_add(case=case, kind="closed", at=now, actor=by, summary=f"Case closed: {reason}")
        audit_record(action="alteration", actor=by, obj=case, subject_person_id=subject_of(case), request=request,
                     detail={"step": "case closed"})
    return case


# --- handovers -------------------------------------------------------------------------------------------

def _propose(*, case, to_team: Team, to_user, by, now, reason: str) -> Handover:
    _, hours = ownership_rule(case.risk_level)
    handover = Handover.objects.create(case=case, from_user=case.owner, from_team=case.owning_team,
                                       to_user=to_user, to_team=to_team, reason=reason, proposed_at=now,
                                       accept_by=now + timedelta(hours=hours))
    receiver = display(to_user) if to_user else f"the {to_team.name} queue"
    timeline_add(case=case, kind="handover_proposed", at=now, actor=by, subject=subject_label(handover),
                 summary=f"Handover to {receiver} proposed by {display(by)}: {reason}. "
                         f"{display(case.owner)} stays the owner until it is accepted.")
    return handover


def handover_propose(*, case: SafeguardingCase, by, to_team: Team, to_user=None, reason: str,
                     now: datetime | None = None, request=None) -> Handover:
    """Offer the case to a named person (in `to_team`) or to `to_team`'s queue. Only the owner or the
    owning team's manager may; one handover may be pending at a time."""
    now = now or timezone.now()
    reason = _reason(reason, "reason", "the reason for the handover")
    if to_user is not None and not to_team.members.filter(pk=to_user.pk).exists():
        raise ValidationError({"to_user": "That person is not in the team chosen"})
    if to_user is not None and not to_user.is_active:
        raise ValidationError({"to_user": "That person's account is not active"})
    with transaction.atomic():
        case = locked(case)
        if case.closed_at is not None:
            raise ValidationError("The case is closed")
        if case.owner_id != by.pk and not is_manager_of(by, case.owning_team):
            raise PermissionDenied("Only the case's owner or their manager can hand it over")
        if to_user is not None and to_user.pk == case.owner_id:
            raise ValidationError({"to_user": "That person already owns the case"})
        if case.handovers.filter(status=Handover.Status.PENDING).exists():
            raise ValidationError("A handover of this case is already waiting; withdraw it first")
        try:
            with transaction.atomic():
                handover = _propose(case=case, to_team=to_team, to_user=to_user, by=by, now=now, reason=reason)
        except IntegrityError:
            raise ValidationError("A handover of this case is already waiting; withdraw it first") from None
        audit_record(action="alteration", actor=by, obj=case, subject_person_id=subject_of(case), request=request,
                     detail={"step": "handover proposed", "handover": str(handover.public_id)})
    return handover


def may_decide(handover: Handover, user) -> bool:
    """The named receiver; for a queue, any active member of the team; and the receiving team's manager."""
    if not user.is_active:
        return False
    if handover.to_user_id is not None:
        return handover.to_user_id == user.pk or is_manager_of(user, handover.to_team)
    return handover.to_team.members.filter(pk=user.pk).exists() or handover.to_team.supervisor_id == user.pk


def _pending(handover: Handover) -> tuple[Handover, SafeguardingCase]:
    case = locked(handover.case)
    handover = Handover.objects.select_related("to_team", "from_team").get(pk=handover.pk)
    if handover.status != Handover.Status.PENDING:
        raise ValidationError(f"This handover is no longer waiting: it was {handover.get_status_display().lower()}")
    return handover, case


def _owner_set(*, case: SafeguardingCase, owner, team: Team, via: str, now) -> None:
    previous = case.owner_id
    OwnershipPeriod.objects.filter(case=case, ended_at__isnull=True).update(ended_at=now)
    OwnershipPeriod.objects.create(case=case, owner=owner, team=team, via=via, started_at=now)
    case.owner = owner
    case.owning_team = team
    case.save(update_fields=["owner", "owning_team"])
    event_publish(**payloads.case_owner_changed(case=case, team=team, via=via, now=now))  # events out (vigil.events)
    # The previous owner's open work on the case moves with it.
    case.tasks.filter(status=Task.Status.OPEN, assignee_id=previous).exclude(kind=Task.Kind.ESCALATION) \
        .update(assignee=owner, team=team)


def handover_accept(*, handover: Handover, by, owner=None, now: datetime | None = None, request=None) -> SafeguardingCase:
    """The receiver accepts: they (or, when the receiving team's manager accepts for a queue, the member
    they name) become the owner."""
    now = now or timezone.now()
    with transaction.atomic():
        handover, case = _pending(handover)
        if not may_decide(handover, by):
            raise PermissionDenied("Only the person or team the case was offered to can accept it")
        new_owner = owner or (handover.to_user if handover.to_user_id and handover.to_user_id != by.pk
                              and not handover.to_team.members.filter(pk=by.pk).exists() else None) or by
        if owner is not None and owner.pk != by.pk:
            if not is_manager_of(by, handover.to_team):
                raise PermissionDenied("Only the receiving team's manager can accept for someone else")
            if not handover.to_team.members.filter(pk=owner.pk, is_active=True).exists():
                raise ValidationError({"owner": "That person is not an active member of the receiving team"})
        handover.status = Handover.Status.ACCEPTED
        handover.decided_at = now
        handover.decided_by = by
        handover.save(update_fields=["status", "decided_at", "decided_by"])
        _owner_set(case=case, owner=new_owner, team=handover.to_team, via=OwnershipPeriod.Via.HANDOVER, now=now)
        timeline_add(case=case, kind="handover_accepted", at=now, actor=by, subject=subject_label(handover),
                     summary=f"Handover accepted; {display(new_owner)} now owns the case for {handover.to_team.name}")
        audit_record(action="alteration", actor=by, obj=case, subject_person_id=subject_of(case), request=request,
                     detail={"step": "handover accepted", "handover": str(handover.public_id)})
    return case


def handover_reject(*, handover: Handover, by, reason: str, now: datetime | None = None, request=None) -> Handover:
    """The receiver declines, with a reason; the sender still owns the case and is told."""
    now = now or timezone.now()
    reason = _reason(reason, "rejection_reason", "the reason for rejecting the handover")
    with transaction.atomic():
        handover, case = _pending(handover)
        if not may_decide(handover, by):
            raise PermissionDenied("Only the person or team the case was offered to can reject it")
        handover.status = Handover.Status.REJECTED
        handover.decided_at = now
        handover.decided_by = by
        handover.rejection_reason = reason
        handover.save(update_fields=["status", "decided_at", "decided_by", "rejection_reason"])
        timeline_add(case=case, kind="handover_rejected", at=now, actor=by, subject=subject_label(handover),
                     summary=f"Handover rejected by {display(by)}: {reason}. {display(case.owner)} still owns the case.")
        task_create(case=case, kind=Task.Kind.ALLOCATE, now=now, assignee=case.owner, team=case.owning_team,
                    title="Handover rejected: decide who should own the case", detail=reason,
                    due_at=now + timedelta(hours=ownership_rule(case.risk_level)[1]),
                    key=f"rejected:{handover.public_id}", subject=subject_label(handover))
        audit_record(action="alteration", actor=by, obj=case, subject_person_id=subject_of(case), request=request,
                     detail={"step": "handover rejected", "handover": str(handover.public_id)})
    return handover


def handover_withdraw(*, handover: Handover, by, now: datetime | None = None, request=None) -> Handover:
    now = now or timezone.now()
    with transaction.atomic():
        handover, case = _pending(handover)
        if case.owner_id != by.pk and not is_manager_of(by, case.owning_team):
            raise PermissionDenied("Only the case's owner or their manager can withdraw the handover")
        handover.status = Handover.Status.WITHDRAWN
        handover.decided_at = now
        handover.decided_by = by
        handover.save(update_fields=["status", "decided_at", "decided_by"])
        timeline_add(case=case, kind="handover_withdrawn", at=now, actor=by, subject=subject_label(handover),
                     summary=f"Handover withdrawn by {display(by)}")
        audit_record(action="alteration", actor=by, obj=case, subject_person_id=subject_of(case), request=request,
                     detail={"step": "handover withdrawn", "handover": str(handover.public_id)})
    return handover


def take_back_teams(case: SafeguardingCase, user) -> list[Team]:
    """The teams for which `user` may take the case back: teams they manage that own it now or handed
    it over (most recent first)."""
    teams = [case.owning_team] + [h.from_team for h in case.handovers.filter(status=Handover.Status.ACCEPTED)
                                  .select_related("from_team").order_by("-decided_at")]
    seen, chosen = set(), []
    for team in teams:
        if team.pk not in seen and is_manager_of(user, team):
            chosen.append(team)
        seen.add(team.pk)
    return chosen


def case_take_back(*, case: SafeguardingCase, by, reason: str, now: datetime | None = None,
                   request=None) -> SafeguardingCase:
    """A manager of the owning team, or of a team that handed the case on, takes it back: they own it
    at once, and any pending handover is withdrawn."""
    now = now or timezone.now()
    reason = _reason(reason, "reason", "the reason for taking the case back")
    with transaction.atomic():
        case = locked(case)
        if case.closed_at is not None:
            raise ValidationError("The case is closed")
        teams = take_back_teams(case, by)
        if not teams:
            raise PermissionDenied("Only a manager of the owning team, or of a team that handed it on, can take it back")
        if case.owner_id == by.pk:
            raise ValidationError("You already own this case")
        case.handovers.filter(status=Handover.Status.PENDING).update(
            status=Handover.Status.WITHDRAWN, decided_at=now, decided_by=by)
        _owner_set(case=case, owner=by, team=teams[0], via=OwnershipPeriod.Via.TAKE_BACK, now=now)
        timeline_add(case=case, kind="taken_back", at=now, actor=by,
                     summary=f"Taken back by {display(by)} for {teams[0].name}: {reason}")
        audit_record(action="alteration", actor=by, obj=case, subject_person_id=subject_of(case), request=request,
                     detail={"step": "taken back"})
    return case


def handover_escalate(*, handover: Handover, now: datetime | None = None) -> list[Task]:
    """A handover not accepted in time: an escalation to the sending and the receiving team's
    supervisors, once each (keyed), and the escalation on the timeline. Ownership does not change."""
    now = now or timezone.now()
    with transaction.atomic():
        handover, case = _pending(handover)
        if handover.escalated_at is not None or handover.accept_by > now:
            return []
        created = []
        for side, team in (("sending", handover.from_team), ("receiving", handover.to_team)):
            supervisors = team_supervisors(team)
            assignee = supervisors[0] if supervisors else None
            created.append(task_create(
                case=case, kind=Task.Kind.ESCALATION, now=now, assignee=assignee, team=team, urgent=True,
                title=f"Handover not accepted in time ({side} team)",
                detail=f"Offered to {handover.to_team.name} at {handover.proposed_at:%Y-%m-%d %H:%M} UTC; due by "
                       f"{handover.accept_by:%Y-%m-%d %H:%M} UTC. {display(case.owner)} still owns the case.",
                due_at=now + timedelta(hours=4), subject=subject_label(handover),
                key=f"escalate:handover:{handover.public_id}:{team.pk}"))
        handover.escalated_at = now
        handover.save(update_fields=["escalated_at"])
        timeline_add(case=case, kind="handover_escalated", at=now, subject=subject_label(handover),
                     summary=f"Handover not accepted by {handover.accept_by:%Y-%m-%d %H:%M} UTC: escalated to the "
                             f"supervisors of {handover.from_team.name} and {handover.to_team.name}")
    return created


# --- tasks -----------------------------------------------------------------------------------------------

def task_create(*, case: SafeguardingCase | None, kind: str, title: str, due_at: datetime, now: datetime,
                assignee=None, team: Team | None = None, urgent: bool = False, detail: str = "",
                subject: str = "", key: str | None = None, escalation_of: Task | None = None) -> Task:
    """A task; with a `key`, at most one ever exists (a second call returns the first)."""
    if assignee is None and team is None:
        if case is None:
            raise ValueError("a task without a case needs an assignee or a team")
        assignee, team = case.owner, case.owning_team
    if key is not None:
        existing = Task.objects.filter(key=key).first()
        if existing is not None:
            return existing
    fields = dict(case=case, kind=kind, title=title[:200], detail=detail, urgent=urgent, assignee=assignee, team=team,
                  due_at=due_at, created_at=now, subject=subject, key=key, escalation_of=escalation_of)
    if key is None:
        return Task.objects.create(**fields)
    try:
        with transaction.atomic():
            return Task.objects.create(**fields)
    except IntegrityError:
        return Task.objects.get(key=key)


def task_complete(*, task: Task, by, outcome: str = "", now: datetime | None = None, request=None) -> Task:
    now = now or timezone.now()
    with transaction.atomic():
        task = Task.objects.select_for_update(of=("self",)).get(pk=task.pk)
        if task.status != Task.Status.OPEN:
            raise ValidationError(f"This task is already {task.get_status_display().lower()}")
        if not may_work_on(task, by):
            raise PermissionDenied("This task is not yours or your team's")
        task.status = Task.Status.DONE
        task.done_at = now
        task.done_by = by
        task.outcome = (outcome or "").strip()[:500]
        task.save(update_fields=["status", "done_at", "done_by", "outcome"])
        if task.case_id:
            timeline_add(case=task.case, kind="task_done", at=now, actor=by, subject=subject_label(task),
                         summary=f"Done: {task.title}" + (f" ({task.outcome})" if task.outcome else ""))
            audit_record(action="alteration", actor=by, obj=task.case, subject_person_id=subject_of(task.case),
                         request=request, detail={"step": "task done", "task": str(task.public_id), "kind": task.kind})
    return task


def may_work_on(task: Task, user) -> bool:
    if task.assignee_id == user.pk:
        return True
    if task.team_id and (user.teams.filter(pk=task.team_id).exists() or task.team.supervisor_id == user.pk):
        return True
    return bool(task.case_id and task.case.owner_id == user.pk)


def task_escalate(*, task: Task, now: datetime | None = None) -> Task | None:
    """An open task past its deadline: one urgent escalation to the supervisors of the team it belongs
    to (keyed, so never twice), and a note on the timeline."""
    now = now or timezone.now()
    with transaction.atomic():
        task = Task.objects.select_for_update(of=("self",)).select_related("team", "case").get(pk=task.pk)
        if task.status != Task.Status.OPEN or task.escalated_at is not None or task.due_at > now \
                or task.kind == Task.Kind.ESCALATION:
            return None
        team = task.team or (task.case.owning_team if task.case_id else None)
        supervisors = team_supervisors(team)
        escalation = task_create(
            case=task.case, kind=Task.Kind.ESCALATION, now=now, urgent=True, team=team,
            assignee=supervisors[0] if supervisors else None, escalation_of=task, subject=subject_label(task),
            title=f"Overdue: {task.title}"[:200],
            detail=f"Due {task.due_at:%Y-%m-%d %H:%M} UTC, assigned to {display(task.assignee) if task.assignee else team}",
            due_at=now + timedelta(hours=4), key=f"escalate:task:{task.public_id}")
        task.escalated_at = now
        task.save(update_fields=["escalated_at"])
        if task.case_id:
            timeline_add(case=task.case, kind="task_escalated", at=now, subject=subject_label(task),
                         summary=f"Deadline missed, escalated to the supervisor: {task.title}")
    return escalation


def display(user) -> str:
    if user is None:
        return "nobody"
    return user.get_full_name() or user.username
