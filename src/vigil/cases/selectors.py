"""Reading cases: one case for a viewer (audited as a consultation), what the case page shows about its
ownership and tasks, and each user's "My work" (their tasks and their teams', handovers offered to
them, and for supervisors the escalations and the teams' overdue work), overdue first."""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Min, Q
from django.http import Http404
from django.utils import timezone

from vigil.accounts.models import Team
from vigil.audit.services import audit_record, audit_record_each
from vigil.people.services import person_locked

from . import contact_services
from .models import (
    CustodyRecord,
    Handover,
    OwnershipPeriod,
    ProtectiveOrder,
    Referral,
    SafeguardingCase,
    Task,
)
from .services import is_manager_of, may_decide, may_work_on, subject_of, take_back_teams

WORK_LIMIT = 200  # rows shown on "My work"; the totals are always given
CASE_KINDS = ("neighbourhood", "specialist", "repeat_case", "response")  # teams a case may be handed to


def _case_queryset():
    return SafeguardingCase.objects.select_related("victim", "victim__person", "incident", "owner", "owning_team")


def case_for_viewer(*, viewer, public_id, request=None) -> SafeguardingCase:
    """The case, for someone who may read cases (404 when there is none); audited as a consultation."""
    if not viewer.has_perm("cases.view_case"):
        raise PermissionDenied
    case = _case_queryset().filter(public_id=public_id).first()
    if case is None:
        raise Http404("No such case")
    audit_record(action="consultation", actor=viewer, obj=case, subject_person_id=subject_of(case),
                 request=request, detail={"view": "case"})
    return case


def case_reference(case: SafeguardingCase) -> str:
    """How people name a case: its incident's reference (a victim has one case per incident)."""
    return case.incident.reference


@dataclass
class CaseOverview:
    case: SafeguardingCase
    history: list[OwnershipPeriod]
    pending: Handover | None
    past_handovers: list[Handover]
    open_tasks: list[tuple[Task, bool]]  # (task, whether the viewer may mark it done)
    closed_tasks: list[Task]
    may_decide: bool = False
    may_name_owner: bool = False  # a manager of the receiving team may choose who will own it
    receiving_members: list = field(default_factory=list)
    may_hand_over: bool = False
    may_withdraw: bool = False
    may_take_back: bool = False
    may_close: bool = False


def case_overview(*, case: SafeguardingCase, viewer) -> CaseOverview:
    """Ownership, handovers and tasks of a case already read with `case_for_viewer`, with what the
    viewer may do on it."""
    history = list(case.ownership.select_related("owner", "team").order_by("started_at", "id"))
    handovers = list(case.handovers.select_related("from_user", "from_team", "to_user", "to_team", "decided_by"))
    pending = next((h for h in handovers if h.status == Handover.Status.PENDING), None)
    tasks = list(case.tasks.select_related("assignee", "team", "done_by", "case").order_by("due_at", "id"))
    is_open = case.closed_at is None
    owner_or_manager = case.owner_id == viewer.pk or is_manager_of(viewer, case.owning_team)
    works = viewer.has_perm("cases.work_on_case")
    overview = CaseOverview(
        case=case, history=history, pending=pending,
        past_handovers=[h for h in handovers if h.status != Handover.Status.PENDING],
        open_tasks=[(t, is_open and may_work_on(t, viewer)) for t in tasks if t.status == Task.Status.OPEN],
        closed_tasks=sorted((t for t in tasks if t.status != Task.Status.OPEN), key=lambda t: t.done_at, reverse=True),
        may_hand_over=works and is_open and owner_or_manager and pending is None,
        may_withdraw=works and pending is not None and owner_or_manager,
        may_take_back=(is_open and viewer.has_perm("cases.take_back") and case.owner_id != viewer.pk
                       and bool(take_back_teams(case, viewer))),
        may_close=works and is_open and owner_or_manager,
    )
    if pending is not None and works:
        overview.may_decide = may_decide(pending, viewer)
        overview.may_name_owner = overview.may_decide and is_manager_of(viewer, pending.to_team)
        if overview.may_name_owner:
            overview.receiving_members = list(pending.to_team.members.filter(is_active=True)
                                              .order_by("last_name", "first_name", "username"))
    return overview


def handover_teams() -> list[Team]:
    """The force's teams a case may be handed to, with their active members."""
    return list(Team.objects.filter(agency__kind="force", kind__in=CASE_KINDS).order_by("name")
                .prefetch_related("members"))


# --- My work ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WorkRow:
    what: str
    detail: str
    case: SafeguardingCase | None
    due_at: datetime
    overdue: bool
    urgent: bool
    task: Task | None = None
    handover: Handover | None = None
    why: str = ""  # why it is in this user's list: "Yours", "Your team's", "Your team's, overdue"

    @property
    def case_reference(self) -> str:
        return case_reference(self.case) if self.case is not None else ""


@dataclass(frozen=True)
class OwnedCase:
    case: SafeguardingCase
    next_due_at: datetime | None
    overdue: bool


@dataclass
class MyWork:
    rows: list[WorkRow]
    total: int
    overdue: int
    cases: list[OwnedCase]


def managed_teams(user) -> list[int]:
    """Ids of the teams `user` manages: those naming them as supervisor, and, for a supervisor, their own."""
    ids = set(Team.objects.filter(supervisor=user).values_list("pk", flat=True))
    if user.role == "supervisor":
        ids |= set(user.teams.values_list("pk", flat=True))
    return sorted(ids)


def my_work(*, viewer, now: datetime | None = None, request=None) -> MyWork:
    """The viewer's open tasks and their teams' unassigned ones; handovers offered to them or to their
    teams' queues; for supervisors, the escalations and overdue tasks of the teams they manage. Overdue
    first, then by deadline. And the open cases they own, each with its next deadline. Showing the list
    is a consultation of each victim named in it (audited)."""
    now = now or timezone.now()
    team_ids = list(viewer.teams.values_list("pk", flat=True))
    managed = managed_teams(viewer)
    mine = Q(assignee=viewer) | Q(assignee__isnull=True, team__in=team_ids)
    if managed:
        of_managed = Q(team__in=managed) | Q(team__isnull=True, case__owning_team__in=managed)
        mine |= of_managed & (Q(kind=Task.Kind.ESCALATION) | Q(due_at__lt=now))
    tasks = list(Task.objects.filter(mine, status=Task.Status.OPEN)
                 .select_related("case", "case__incident", "case__victim", "case__victim__person", "assignee", "team")
                 .order_by("due_at", "id").distinct()[: WORK_LIMIT + 1])
    rows = []
    for task in tasks:
        if task.assignee_id == viewer.pk:
            why = "Yours"
        elif task.assignee_id is None:
            why = "Your team's"
        else:
            why = f"{task.assignee.get_full_name() or task.assignee.username}'s"
        rows.append(WorkRow(what=task.title, detail=task.get_kind_display(), case=task.case, due_at=task.due_at,
                            overdue=task.due_at < now, urgent=task.urgent, task=task, why=why))
    offered = Q(to_user=viewer) | Q(to_user__isnull=True, to_team__in=team_ids) \
        | Q(to_user__isnull=True, to_team__supervisor=viewer)
    handovers = list(Handover.objects.filter(offered, status=Handover.Status.PENDING)
                     .select_related("case", "case__incident", "case__victim", "case__victim__person", "from_user",
                                     "to_user", "to_team").order_by("accept_by", "id").distinct()[: WORK_LIMIT + 1])
    for handover in handovers:
        to = "you" if handover.to_user_id == viewer.pk else f"the {handover.to_team.name} queue"
        sender = handover.from_user.get_full_name() or handover.from_user.username
        rows.append(WorkRow(what=f"Handover offered to {to}: accept or reject it",
                            detail=f"From {sender}: {handover.reason}", case=handover.case,
                            due_at=handover.accept_by, overdue=handover.accept_by < now,
                            urgent=handover.case.risk_level == "high" or handover.escalated_at is not None,
                            handover=handover, why="Yours" if handover.to_user_id == viewer.pk else "Your team's"))
    rows.sort(key=lambda row: (not row.overdue, row.due_at))
    owned = (SafeguardingCase.objects.filter(owner=viewer, closed_at__isnull=True)
             .select_related("incident", "victim", "victim__person", "owning_team")
             .annotate(next_due=Min("tasks__due_at", filter=Q(tasks__status=Task.Status.OPEN)))
             .order_by("opened_at", "id")[:WORK_LIMIT])
    far = datetime.max.replace(tzinfo=now.tzinfo)
    cases = sorted((OwnedCase(case=c, next_due_at=c.next_due, overdue=c.next_due is not None and c.next_due < now)
                    for c in owned), key=lambda o: (o.next_due_at or far, o.case.pk))
    work = MyWork(rows=rows[:WORK_LIMIT], total=len(rows), overdue=sum(r.overdue for r in rows), cases=cases)
    subjects = {subject_of(r.case) for r in work.rows if r.case is not None} | {subject_of(o.case) for o in cases}
    subjects.discard(None)
    if subjects:
        audit_record_each(action="consultation", actor=viewer, subject_person_ids=sorted(subjects, key=str),
                          request=request, object_type="cases.MyWork",
                          detail={"view": "my work", "rows": len(work.rows), "cases": len(cases)})
    return work


def victim_locked(request, case: SafeguardingCase) -> bool:
    return person_locked(person=case.victim.person, session=request.session)


# Tasks done by telling or updating the victim: the contact section offers to log the contact for each.
CONTACT_TASK_KINDS = (Task.Kind.COURT_BAIL_TELL_VICTIM, Task.Kind.TELL_VICTIM, Task.Kind.RELEASE_NOTIFY,
                      Task.Kind.CONTACT_VICTIM)


def custody_section(*, case, user) -> dict:
    """What the case page's custody section shows: each arrest, its bail conditions, what may be done next."""
    records = list(case.custody_records.select_related("suspect").prefetch_related("orders")
                   .order_by("-arrested_at", "-id"))
    works = user.has_perm("cases.work_on_case") and case.closed_at is None
    return {
        "records": [{
            "record": record,
            "orders": [o for o in record.orders.all() if o.kind == ProtectiveOrder.Kind.BAIL_CONDITIONS],
            "may_decide": works and not record.disposal,
            "may_court": works and record.disposal == CustodyRecord.Disposal.CHARGED_REMANDED
            and not record.court_outcome,
            "may_release": works,
        } for record in records],
        "may_work": works,
    }


def contact_section(*, case, user) -> dict:
    """What the case page's victim-contact section shows: the safe number, tasks to tell the victim, the log."""
    works = user.has_perm("cases.work_on_case") and case.closed_at is None
    contacts = list(case.contacts.select_related("made_by", "task").order_by("-made_at", "-id")[:50])
    tasks = list(case.tasks.filter(status=Task.Status.OPEN, kind__in=CONTACT_TASK_KINDS).order_by("-urgent", "due_at"))
    return {
        "safe_number": contact_services.safe_number(case),
        "contacts": [{"contact": c, "told": [contact_services.KEY_EVENT_LABELS.get(code, code) for code in c.told]}
                     for c in contacts],
        "tasks": tasks,
        "may_work": works,
    }


def referrals_for(user):
    """The referrals this user may acknowledge: all, for force users; their agency's, for partners."""
    referrals = Referral.objects.select_related("case__incident", "agency", "sent_by")
    if user.agency_id and user.agency.is_force:
        return referrals
    return referrals.filter(agency_id=user.agency_id) if user.agency_id else referrals.none()
