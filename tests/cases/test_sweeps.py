"""The deadlines sweep: everything overdue is escalated, once, whenever the sweep runs."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Count

from tests.factories import case_create, incident_create, person_record_create, team_create, user_create
from vigil.accounts.models import Team
from vigil.cases import sweeps
from vigil.cases.models import Handover, ProtectiveOrder, Task, TimelineEntry
from vigil.cases.services import subject_label

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


@dataclass
class Seeded:
    owner_team: Team
    other_team: Team
    due_handovers: list[Handover] = field(default_factory=list)
    due_tasks: list[Task] = field(default_factory=list)
    not_due: list = field(default_factory=list)


def due_work_seed(*, now: datetime, cases: int = 1, tasks_per_case: int = 1, spread: timedelta = timedelta(0),
                  with_not_due: bool = True) -> Seeded:
    """`cases` cases, each with one pending handover and `tasks_per_case` open tasks that are overdue at
    `now` (their deadlines spread back over `spread`), and, with `with_not_due`, work that is not due:
    a task due later, a done task, an accepted handover, an escalation task long overdue."""
    owner_team = team_create(kind=Team.Kind.NEIGHBOURHOOD)
    other_team = team_create(kind=Team.Kind.SPECIALIST)
    for team in (owner_team, other_team):
        team.supervisor = user_create(role="supervisor", teams=[team])
        team.save(update_fields=["supervisor"])
    owner = user_create(role="neighbourhood_officer", teams=[owner_team])
    seeded = Seeded(owner_team=owner_team, other_team=other_team)
    step = spread / max(cases, 1)
    for i in range(cases):
        victim = person_record_create()
        case = case_create(victim=victim, incident=incident_create(victim=victim), owner=owner,
                           owning_team=owner_team)
        due = now - timedelta(minutes=1) - step * i
        seeded.due_handovers.append(Handover.objects.create(
            case=case, from_user=owner, from_team=owner_team, to_team=other_team, reason="High risk now",
            proposed_at=due - timedelta(hours=4), accept_by=due))
        for j in range(tasks_per_case):
            seeded.due_tasks.append(Task.objects.create(
                case=case, kind=Task.Kind.CONTACT_VICTIM, title=f"Contact the victim ({j})", assignee=owner,
                team=owner_team, due_at=due, created_at=due - timedelta(days=1)))
    if with_not_due:
        victim = person_record_create()
        case = case_create(victim=victim, incident=incident_create(victim=victim), owner=owner,
                           owning_team=owner_team)
        common = dict(case=case, assignee=owner, team=owner_team, created_at=now - timedelta(days=3))
        seeded.not_due += [
            Task.objects.create(kind=Task.Kind.CONTACT_VICTIM, title="Later", due_at=now + timedelta(hours=1), **common),
            Task.objects.create(kind=Task.Kind.CONTACT_VICTIM, title="Done", due_at=now - timedelta(days=1),
                                status=Task.Status.DONE, done_at=now - timedelta(days=2), **common),
            Task.objects.create(kind=Task.Kind.ESCALATION, title="Old escalation", due_at=now - timedelta(days=1),
                                **common),
            Handover.objects.create(case=case, from_user=owner, from_team=owner_team, to_team=other_team,
                                    reason="Accepted", proposed_at=now - timedelta(days=2),
                                    accept_by=now - timedelta(days=1), status=Handover.Status.ACCEPTED,
                                    decided_at=now - timedelta(days=1, hours=2)),
        ]
    return seeded


def escalations_by_source() -> dict[str, int]:
    """How many escalation tasks and escalation timeline entries there are for each source."""
    counts: dict[str, int] = {}
    for row in Task.objects.filter(kind=Task.Kind.ESCALATION).exclude(key=None).values("key"):
        source = row["key"].removeprefix("escalate:").rsplit(":", 1)[0] if row["key"].startswith("escalate:handover") \
            else row["key"].removeprefix("escalate:")
        counts[f"task {source}"] = counts.get(f"task {source}", 0) + 1
    for row in TimelineEntry.objects.filter(kind__in=["handover_escalated", "task_escalated"]) \
            .values("subject").annotate(n=Count("id")):
        counts[f"timeline {row['subject']}"] = row["n"]
    return counts


def assert_escalated_once(seeded: Seeded) -> None:
    counts = escalations_by_source()
    for handover in seeded.due_handovers:
        handover.refresh_from_db()
        assert handover.escalated_at is not None
        assert counts[f"task handover:{handover.public_id}"] == 2  # the sending and the receiving supervisor
        assert counts[f"timeline {subject_label(handover)}"] == 1
    for task in seeded.due_tasks:
        task.refresh_from_db()
        assert task.escalated_at is not None
        assert counts[f"task task:{task.public_id}"] == 1
        assert counts[f"timeline {subject_label(task)}"] == 1
    expected = 2 * len(seeded.due_handovers) + len(seeded.due_tasks)
    assert Task.objects.filter(kind=Task.Kind.ESCALATION).exclude(key=None).count() == expected


@pytest.mark.django_db
def test_overdue_handover_and_task_are_escalated_once_across_two_sweeps():
    seeded = due_work_seed(now=NOW, with_not_due=False)

    first = sweeps.deadlines_sweep(now=NOW)
    second = sweeps.deadlines_sweep(now=NOW + timedelta(days=2))  # the new escalations are overdue by then

    assert (first.handovers_escalated, first.tasks_escalated, first.errors) == (1, 1, 0)
    assert (second.handovers_escalated, second.tasks_escalated, second.errors) == (0, 0, 0)
    assert_escalated_once(seeded)
    handover = seeded.due_handovers[0]
    supervisors = set(Task.objects.filter(subject=subject_label(handover), kind=Task.Kind.ESCALATION)
                      .values_list("assignee", flat=True))
    assert supervisors == {seeded.owner_team.supervisor_id, seeded.other_team.supervisor_id}
    escalation = Task.objects.get(escalation_of=seeded.due_tasks[0])
    assert escalation.assignee_id == seeded.owner_team.supervisor_id and escalation.urgent


@pytest.mark.django_db
def test_work_not_due_is_left_alone():
    seeded = due_work_seed(now=NOW)

    sweeps.deadlines_sweep(now=NOW)

    for item in seeded.not_due:
        item.refresh_from_db()
        assert item.escalated_at is None
    assert not Task.objects.filter(escalation_of__in=[t for t in seeded.not_due if isinstance(t, Task)]).exists()


@pytest.mark.django_db
def test_a_sweep_after_downtime_catches_up_with_everything_that_fell_due():
    # Deadlines fell due one after another over three days while no worker ran.
    seeded = due_work_seed(now=NOW, cases=6, tasks_per_case=2, spread=timedelta(days=3), with_not_due=False)
    before = sweeps.deadlines_sweep(now=NOW - timedelta(days=4))
    assert (before.handovers_escalated, before.tasks_escalated) == (0, 0)

    result = sweeps.deadlines_sweep(now=NOW)

    assert (result.handovers_escalated, result.tasks_escalated, result.errors) == (6, 12, 0)
    assert_escalated_once(seeded)


@pytest.mark.django_db
def test_a_handover_decided_meanwhile_is_not_escalated_and_is_no_error():
    seeded = due_work_seed(now=NOW, with_not_due=False)
    handover = seeded.due_handovers[0]
    ids = sweeps.due_handover_ids(NOW)
    Handover.objects.filter(pk=handover.pk).update(status=Handover.Status.WITHDRAWN, decided_at=NOW)

    result = sweeps.deadlines_sweep(now=NOW)

    assert ids == [handover.pk]
    assert (result.handovers_escalated, result.errors) == (0, 0)
    assert not Task.objects.filter(subject=subject_label(handover)).exists()


@pytest.mark.django_db
def test_one_failing_item_does_not_stop_the_others(monkeypatch):
    seeded = due_work_seed(now=NOW, cases=3, with_not_due=False)
    broken = seeded.due_tasks[1]
    real = sweeps.task_escalate

    def escalate(*, task, now):
        if task.pk == broken.pk:
            raise RuntimeError("simulated failure")
        return real(task=task, now=now)

    monkeypatch.setattr(sweeps, "task_escalate", escalate)
    result = sweeps.deadlines_sweep(now=NOW)

    assert (result.handovers_escalated, result.tasks_escalated, result.errors) == (3, 2, 1)
    broken.refresh_from_db()
    assert broken.escalated_at is None
    monkeypatch.setattr(sweeps, "task_escalate", real)
    assert sweeps.deadlines_sweep(now=NOW).tasks_escalated == 1  # the next sweep does it


@pytest.mark.django_db
def test_a_sweep_asked_to_stop_stops_between_items_and_the_next_finishes():
    seeded = due_work_seed(now=NOW, cases=2, with_not_due=False)
    sweeps.stop_requested.set()
    try:
        stopped = sweeps.deadlines_sweep(now=NOW)
    finally:
        sweeps.stop_requested.clear()
    assert stopped.stopped_early and stopped.handovers_escalated == 0

    sweeps.deadlines_sweep(now=NOW)
    assert_escalated_once(seeded)


calls = []


@pytest.mark.django_db
def test_order_expiry_reminders_are_sent_by_the_sweep_once_each():
    case = case_create(victim=person_record_create(), incident=incident_create())
    order = ProtectiveOrder.objects.create(
        case=case, kind=ProtectiveOrder.Kind.RESTRAINING, restricted_person=person_record_create(),
        conditions=["No contact"], starts_at=NOW - timedelta(days=30), ends_on=(NOW + timedelta(days=7)).date(),
        recorded_by=case.owner, recorded_at=NOW - timedelta(days=30))
    assert sweeps.deadlines_sweep(now=NOW).order_reminders >= 1
    reminders = Task.objects.filter(kind=Task.Kind.ORDER_EXPIRY, subject__endswith=str(order.public_id))
    assert reminders.count() >= 1 and all(t.assignee == case.owner for t in reminders)
    before = reminders.count()
    assert sweeps.deadlines_sweep(now=NOW).order_reminders == 0
    assert reminders.count() == before
