""""My work": each user's tasks and their teams' unallocated ones, handovers offered to them or their
teams' queues, and for supervisors the escalations and overdue work of their teams; overdue first."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.cases import services
from vigil.cases.models import Task
from vigil.cases.selectors import my_work

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def world():
    hood = factories.team_create(kind="neighbourhood")
    unit = factories.team_create(kind="specialist")
    sergeant = factories.user_create(role="supervisor", teams=[hood])
    hood.supervisor = sergeant
    hood.save()
    officer = factories.user_create(role="neighbourhood_officer", teams=[hood])
    colleague = factories.user_create(role="neighbourhood_officer", teams=[hood])
    specialist = factories.user_create(role="specialist_investigator", teams=[unit])
    victim = factories.person_record_create(given_name="Vera", family_name="Mywork")
    incident = factories.incident_create(victim=victim, received_at=NOW - timedelta(days=5))
    case = factories.case_create(victim=victim, incident=incident, owner=officer, owning_team=hood)
    return dict(hood=hood, unit=unit, sergeant=sergeant, officer=officer, colleague=colleague,
                specialist=specialist, case=case)


def task(case, *, title, due, assignee=None, team=None, kind=Task.Kind.CONTACT_VICTIM, urgent=False):
    return services.task_create(case=case, kind=kind, title=title, due_at=due, now=NOW - timedelta(days=5),
                                assignee=assignee, team=team, urgent=urgent)


def test_overdue_work_comes_first_then_the_nearest_deadline(world):
    case, officer = world["case"], world["officer"]
    task(case, title="Due next week", due=NOW + timedelta(days=7), assignee=officer)
    task(case, title="Overdue by an hour", due=NOW - timedelta(hours=1), assignee=officer)
    task(case, title="Due tomorrow", due=NOW + timedelta(days=1), assignee=officer, urgent=True)
    task(case, title="Overdue by two days", due=NOW - timedelta(days=2), assignee=officer)
    work = my_work(viewer=officer, now=NOW)
    assert [r.what for r in work.rows] == ["Overdue by two days", "Overdue by an hour", "Due tomorrow", "Due next week"]
    assert [r.overdue for r in work.rows] == [True, True, False, False]
    assert [r.urgent for r in work.rows] == [False, False, True, False]
    assert work.overdue == 2
    assert work.rows[0].case_reference == case.incident.reference


def test_a_teams_unassigned_tasks_show_to_every_member_but_others_tasks_do_not(world):
    case = world["case"]
    task(case, title="For the team", due=NOW + timedelta(days=1), team=world["hood"])
    task(case, title="For the colleague", due=NOW + timedelta(hours=2), assignee=world["colleague"])
    assert [r.what for r in my_work(viewer=world["officer"], now=NOW).rows] == ["For the team"]
    assert [r.what for r in my_work(viewer=world["colleague"], now=NOW).rows] == ["For the colleague", "For the team"]
    assert my_work(viewer=world["specialist"], now=NOW).rows == []


def test_a_supervisor_sees_escalations_and_the_teams_overdue_tasks_but_not_work_still_in_time(world):
    case = world["case"]
    overdue = task(case, title="Call her back", due=NOW - timedelta(hours=3), assignee=world["colleague"])
    task(case, title="Not yet due", due=NOW + timedelta(days=2), assignee=world["colleague"])
    services.task_escalate(task=overdue, now=NOW)
    titles = [r.what for r in my_work(viewer=world["sergeant"], now=NOW).rows]
    assert "Call her back" in titles and "Overdue: Call her back" in titles
    assert "Not yet due" not in titles
    assert "Overdue: Call her back" not in [r.what for r in my_work(viewer=world["officer"], now=NOW).rows]


def test_handovers_offered_to_a_person_or_their_teams_queue_are_listed_until_decided(world):
    case = world["case"]
    handover = services.handover_propose(case=case, by=world["officer"], to_team=world["unit"],
                                         to_user=world["specialist"], reason="Needs the specialist unit",
                                         now=NOW - timedelta(hours=80))
    rows = my_work(viewer=world["specialist"], now=NOW).rows
    assert len(rows) == 1 and rows[0].handover == handover
    assert rows[0].overdue  # not accepted within the policy's hours (72 at standard risk)
    assert rows[0].case == case
    services.handover_accept(handover=handover, by=world["specialist"], now=NOW)
    assert all(r.handover is None for r in my_work(viewer=world["specialist"], now=NOW).rows)


def test_the_cases_a_user_owns_are_listed_with_their_next_deadline(world):
    case = world["case"]
    task(case, title="Later", due=NOW + timedelta(days=3), assignee=world["officer"])
    task(case, title="Sooner", due=NOW + timedelta(days=1), assignee=world["officer"])
    owned = my_work(viewer=world["officer"], now=NOW).cases
    assert [(o.case, o.next_due_at, o.overdue) for o in owned] == [(case, NOW + timedelta(days=1), False)]
    assert my_work(viewer=world["colleague"], now=NOW).cases == []


def test_the_page_shows_the_work_and_audits_the_victims_it_names(client, world):
    case = world["case"]
    task(case, title="Call the victim on her safe number", due=NOW - timedelta(hours=1), assignee=world["officer"])
    client.force_login(world["officer"])
    response = client.get(reverse("cases:my-work"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Call the victim on her safe number" in html and "Overdue" in html
    assert case.incident.reference in html and "Vera Mywork" in html
    assert AuditEvent.objects.filter(action="consultation", object_type="cases.MyWork",
                                     subject_person_id=case.victim.person.public_id).exists()


def test_times_are_shown_in_london_time(client, world):
    summer = datetime(2026, 7, 1, 8, 30, tzinfo=UTC)  # 09:30 British Summer Time
    task(world["case"], title="Summer deadline", due=summer, assignee=world["officer"])
    client.force_login(world["officer"])
    assert "1 Jul 2026, 09:30" in client.get(reverse("cases:my-work")).content.decode()


def test_an_owned_case_with_nothing_planned_is_flagged_on_the_page(client, world):
    client.force_login(world["officer"])
    page = client.get(reverse("cases:my-work")).content.decode()
    assert "Nothing planned" in page  # no open task: nobody will call this victim unless the owner acts
    task(world["case"], title="Call the victim", due=NOW + timedelta(days=1), assignee=world["officer"])
    assert "Nothing planned" not in client.get(reverse("cases:my-work")).content.decode()
