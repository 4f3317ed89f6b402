"""The case page and the ownership pages: who may do what, what each shows, and that a refused or
mistaken form keeps what was typed and says what is wrong (status 400)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.cases import services
from vigil.cases.models import Handover, Task

pytestmark = pytest.mark.django_db

REASON = "The specialist unit holds the suspect's other case"


@pytest.fixture
def world():
    hood = factories.team_create(kind="neighbourhood")
    unit = factories.team_create(kind="specialist")
    sergeant = factories.user_create(role="supervisor", teams=[hood])
    hood.supervisor = sergeant
    hood.save()
    unit_sergeant = factories.user_create(role="supervisor", teams=[unit])
    unit.supervisor = unit_sergeant
    unit.save()
    officer = factories.user_create(role="neighbourhood_officer", teams=[hood])
    officer.first_name, officer.last_name = "Nia", "Hood"
    officer.save()
    specialist = factories.user_create(role="specialist_investigator", teams=[unit])
    specialist.first_name, specialist.last_name = "Sam", "Unit"
    specialist.save()
    specialist2 = factories.user_create(role="specialist_investigator", teams=[unit])
    victim = factories.person_record_create(given_name="Vera", family_name="Caseview")
    incident = factories.incident_create(victim=victim, received_at=timezone.now() - timedelta(days=1))
    case = factories.case_create(victim=victim, incident=incident, owner=officer, owning_team=hood,
                                 risk_level="medium")
    return dict(hood=hood, unit=unit, sergeant=sergeant, unit_sergeant=unit_sergeant, officer=officer,
                specialist=specialist, specialist2=specialist2, case=case)


def page(client, user, name, *args, data=None):
    client.force_login(user)
    url = reverse(f"cases:{name}", args=args)
    return client.post(url, data) if data is not None else client.get(url)


def test_the_case_page_shows_the_victim_incident_risk_owner_and_history_and_is_audited(client, world):
    case = world["case"]
    response = page(client, world["specialist"], "case", case.public_id)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Vera Caseview", case.incident.reference, "Medium risk", "Nia Hood", world["hood"].name,
                 "Case opened"):
        assert text in html
    assert "Hand the case over" not in html  # not the owner
    assert AuditEvent.objects.filter(action="consultation", object_id=str(case.public_id),
                                     actor=world["specialist"]).exists()
    assert "Hand the case over" in page(client, world["officer"], "case", case.public_id).content.decode()


def test_a_partner_or_an_analyst_cannot_open_a_case(client, world):
    for role in ("analyst", "call_taker"):
        assert page(client, factories.user_create(role=role), "case", world["case"].public_id).status_code == 403


def test_the_owner_hands_the_case_to_a_named_member_who_accepts(client, world):
    case = world["case"]
    response = page(client, world["officer"], "handover-propose", case.public_id,
                    data={"to_team": world["unit"].code, "to_user": str(world["specialist"].public_id),
                          "reason": REASON})
    assert response.status_code == 302
    handover = Handover.objects.get(case=case, status="pending")
    assert handover.to_user == world["specialist"]
    html = page(client, world["specialist"], "case", case.public_id).content.decode()
    assert "Accept the handover" in html and "Nia Hood stays the owner until it is accepted" in html
    assert "Accept the handover" not in page(client, world["specialist2"], "case", case.public_id).content.decode()
    response = page(client, world["specialist"], "handover-accept", handover.public_id, data={})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.owner == world["specialist"]
    html = page(client, world["specialist"], "case", case.public_id).content.decode()
    assert "Sam Unit (you)" in html and "Handover accepted" in html


def test_a_proposal_with_mistakes_is_shown_again_with_what_was_typed(client, world):
    case = world["case"]
    response = page(client, world["officer"], "handover-propose", case.public_id,
                    data={"to_team": "", "to_user": "", "reason": "short"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and "Choose the team that should own the case" in html
    assert ">short</textarea>" in html
    response = page(client, world["officer"], "handover-propose", case.public_id,
                    data={"to_team": world["unit"].code, "to_user": str(world["sergeant"].public_id),
                          "reason": REASON})
    assert response.status_code == 400
    assert "That person is not in the team chosen" in response.content.decode()
    assert REASON.replace("'", "&#x27;") in response.content.decode()
    assert not Handover.objects.exists()


def test_someone_who_does_not_own_the_case_cannot_hand_it_over(client, world):
    response = page(client, world["specialist"], "handover-propose", world["case"].public_id,
                    data={"to_team": world["unit"].code, "to_user": "", "reason": REASON})
    assert response.status_code == 403
    assert not Handover.objects.exists()


def test_a_rejection_needs_a_reason_and_the_sender_sees_it(client, world):
    case = world["case"]
    handover = services.handover_propose(case=case, by=world["officer"], to_team=world["unit"], reason=REASON)
    assert page(client, world["officer"], "handover-reject", handover.public_id).status_code == 403
    response = page(client, world["specialist"], "handover-reject", handover.public_id)
    assert response.status_code == 200 and "Why are you rejecting the handover?" in response.content.decode()
    response = page(client, world["specialist"], "handover-reject", handover.public_id, data={"reason": "no"})
    assert response.status_code == 400
    assert "Give the reason for rejecting the handover" in response.content.decode()
    assert ">no</textarea>" in response.content.decode()
    response = page(client, world["specialist"], "handover-reject", handover.public_id,
                    data={"reason": "Standard risk after review: stays local"})
    assert response.status_code == 302
    html = page(client, world["officer"], "case", case.public_id).content.decode()
    assert "Rejected" in html and "Standard risk after review: stays local" in html and "Nia Hood (you)" in html


def test_a_receiving_manager_names_who_will_own_a_case_from_the_queue(client, world):
    case = world["case"]
    handover = services.handover_propose(case=case, by=world["officer"], to_team=world["unit"], reason=REASON)
    html = page(client, world["unit_sergeant"], "case", case.public_id).content.decode()
    assert "Who will own the case?" in html
    assert "Who will own the case?" not in page(client, world["specialist"], "case", case.public_id).content.decode()
    response = page(client, world["unit_sergeant"], "handover-accept", handover.public_id,
                    data={"owner": str(world["specialist2"].public_id)})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.owner == world["specialist2"]


def test_accepting_a_handover_that_was_withdrawn_says_so(client, world):
    handover = services.handover_propose(case=world["case"], by=world["officer"], to_team=world["unit"],
                                         reason=REASON)
    services.handover_withdraw(handover=handover, by=world["officer"])
    response = page(client, world["specialist"], "handover-accept", handover.public_id, data={})
    assert response.status_code == 400
    assert "no longer waiting" in response.content.decode()


def test_someone_outside_the_receiving_team_cannot_accept(client, world):
    handover = services.handover_propose(case=world["case"], by=world["officer"], to_team=world["unit"],
                                         reason=REASON)
    assert page(client, world["sergeant"], "handover-accept", handover.public_id, data={}).status_code == 403
    assert Handover.objects.get(pk=handover.pk).status == "pending"


def test_the_owner_withdraws_a_handover(client, world):
    handover = services.handover_propose(case=world["case"], by=world["officer"], to_team=world["unit"],
                                         reason=REASON)
    assert page(client, world["specialist"], "handover-withdraw", handover.public_id, data={}).status_code == 403
    assert page(client, world["officer"], "handover-withdraw", handover.public_id, data={}).status_code == 302
    assert Handover.objects.get(pk=handover.pk).status == "withdrawn"


def test_a_supervisor_takes_a_case_back_with_a_reason(client, world):
    case = world["case"]
    assert page(client, world["officer"], "take-back", case.public_id).status_code == 403
    assert page(client, world["unit_sergeant"], "take-back", case.public_id).status_code == 403
    response = page(client, world["sergeant"], "take-back", case.public_id, data={"reason": ""})
    assert response.status_code == 400 and "Give the reason for taking the case back" in response.content.decode()
    response = page(client, world["sergeant"], "take-back", case.public_id,
                    data={"reason": "The officer is away for a month"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.owner == world["sergeant"]


def test_the_owner_closes_the_case_and_its_tasks_are_cancelled(client, world):
    case = world["case"]
    task = services.task_create(case=case, kind=Task.Kind.CONTACT_VICTIM, title="Call the victim",
                                due_at=timezone.now() + timedelta(days=1), now=timezone.now(),
                                assignee=world["officer"])
    assert page(client, world["specialist"], "case-close", case.public_id,
                data={"reason": "Victim moved out of the area"}).status_code == 403
    response = page(client, world["officer"], "case-close", case.public_id, data={"reason": "x"})
    assert response.status_code == 400
    response = page(client, world["officer"], "case-close", case.public_id,
                    data={"reason": "Victim moved out of the area"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "cancelled"
    html = page(client, world["officer"], "case", case.public_id).content.decode()
    assert "Closed on" in html and "Hand the case over" not in html


def test_a_task_is_marked_done_from_the_case_page(client, world):
    case = world["case"]
    task = services.task_create(case=case, kind=Task.Kind.CONTACT_VICTIM, title="Call the victim",
                                due_at=timezone.now() + timedelta(days=1), now=timezone.now(),
                                assignee=world["officer"])
    field = f"task-{task.public_id}-outcome"
    assert "Mark done" in page(client, world["officer"], "case", case.public_id).content.decode()
    assert page(client, world["specialist"], "task-done", task.public_id, data={field: "x"}).status_code == 403
    response = page(client, world["officer"], "task-done", task.public_id, data={field: "y" * 501})
    assert response.status_code == 400 and "govuk-error-summary" in response.content.decode()
    response = page(client, world["officer"], "task-done", task.public_id, data={field: "Spoke to her"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.outcome, task.done_by) == ("done", "Spoke to her", world["officer"])
    assert "Finished tasks (1)" in page(client, world["officer"], "case", case.public_id).content.decode()
