"""The cases API: cases (mine and my teams'), my tasks and completing one, victim contacts, custody events
and orders. Each endpoint: allowed, refused for a role without the permission, invalid input refused with
field errors and nothing saved, and a retry with the same Idempotency-Key replayed without a second record."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests import factories
from vigil.api.models import IdempotentRequest
from vigil.audit.models import AuditEvent
from vigil.cases import services
from vigil.cases.models import Contact, CustodyRecord, ProtectiveOrder, Task, TimelineEntry

pytestmark = pytest.mark.django_db

RECEIVED = datetime(2026, 1, 5, 22, 0, tzinfo=UTC)


def client_for(user) -> APIClient:
    api = APIClient()
    api.force_login(user)
    return api


class World:
    def __init__(self):
        self.team = factories.team_create(kind="neighbourhood")
        self.owner = factories.user_create(role="neighbourhood_officer", teams=[self.team])
        self.colleague = factories.user_create(role="neighbourhood_officer", teams=[self.team])
        self.outsider = factories.user_create(role="response_officer", teams=[factories.team_create()])
        self.call_taker = factories.user_create(role="call_taker")
        self.marac = factories.user_create(role="marac_coordinator")
        self.victim = factories.person_record_create(given_name="Val", family_name="Apicase")
        self.suspect = factories.person_record_create(given_name="Sam", family_name="Suspect")
        self.incident = factories.incident_create(victim=self.victim, suspect=self.suspect, received_at=RECEIVED)
        self.case = factories.case_create(victim=self.victim, incident=self.incident, owner=self.owner,
                                          owning_team=self.team, risk_level="medium")
        other_victim = factories.person_record_create(given_name="Olive", family_name="Other")
        self.other_case = factories.case_create(victim=other_victim, owner=self.outsider,
                                                incident=factories.incident_create(victim=other_victim))
        now = timezone.now()
        self.overdue = services.task_create(case=self.case, kind=Task.Kind.CONTACT_VICTIM, now=now,
                                            title="Contact the victim", due_at=now - timedelta(hours=2),
                                            assignee=self.owner, team=self.team)
        self.later = services.task_create(case=self.case, kind=Task.Kind.TELL_VICTIM, now=now,
                                          title="Tell the victim about the arrest", due_at=now + timedelta(days=1),
                                          assignee=self.owner, team=self.team)


@pytest.fixture
def world():
    return World()


def url(name, *args):
    return reverse(f"api:{name}", args=list(args))


# Cases ----------------------------------------------------------------------------------------------------

def test_the_case_list_is_mine_and_my_teams_and_audited(world):
    mine = client_for(world.owner).get(url("cases"))
    assert mine.status_code == 200 and mine["Cache-Control"] == "no-store"
    [case] = mine.json()["cases"]
    assert case["id"] == str(world.case.public_id)
    assert case["owner"]["id"] == str(world.owner.public_id) and case["team"]["code"] == world.team.code
    assert (case["risk_level"], case["status"], case["pending_handover"]) == ("medium", "open", None)
    assert case["victim"]["name"] == "Val Apicase"
    assert [c["id"] for c in client_for(world.colleague).get(url("cases")).json()["cases"]] == [case["id"]]
    assert AuditEvent.objects.filter(actor=world.owner, action="consultation", object_id="list",
                                     subject_person_id=world.victim.person.public_id).exists()
    assert client_for(world.owner).get(url("cases"), {"status": "closed"}).json()["cases"] == []


def test_the_case_list_refuses_a_bad_status_and_roles_without_permission(world):
    bad = client_for(world.owner).get(url("cases"), {"status": "pending"})
    assert bad.status_code == 400 and "status" in bad.json()["errors"]
    assert client_for(world.call_taker).get(url("cases")).status_code == 403
    assert APIClient().get(url("cases")).status_code == 401


def test_a_case_shows_its_owner_team_risk_and_pending_handover(world):
    unit = factories.team_create(kind="specialist")
    services.handover_propose(case=world.case, by=world.owner, to_team=unit, reason="Graded high risk now")

    response = client_for(world.marac).get(url("case", world.case.public_id))

    assert response.status_code == 200
    got = response.json()
    assert got["pending_handover"]["to_team"]["code"] == unit.code
    assert got["pending_handover"]["from_user"]["id"] == str(world.owner.public_id)
    assert [t["id"] for t in got["open_tasks"]][:2] == [str(world.overdue.public_id), str(world.later.public_id)]
    assert got["contact_plan"]["update_every_days"] == 28
    assert AuditEvent.objects.filter(actor=world.marac, action="consultation", object_id=str(world.case.public_id),
                                     detail__read="case").exists()
    assert client_for(world.call_taker).get(url("case", world.case.public_id)).status_code == 403
    assert client_for(world.owner).get(url("case", uuid.uuid4())).status_code == 404


def test_a_restricted_victims_name_is_withheld_and_their_contacts_refused(world):
    from vigil.people.services import restriction_create

    restriction_create(person=world.victim.person, by=factories.user_create(role="administrator"),
                       reason="Witness protection arrangement")
    got = client_for(world.owner).get(url("case", world.case.public_id)).json()
    assert got["victim"]["restricted"] is True and got["victim"]["name"] is None
    assert client_for(world.owner).get(url("case-contacts", world.case.public_id)).status_code == 403


# Tasks ----------------------------------------------------------------------------------------------------

def test_my_tasks_overdue_first(world):
    response = client_for(world.owner).get(url("tasks"))

    assert response.status_code == 200
    got = response.json()
    assert [t["id"] for t in got["tasks"]] == [str(world.overdue.public_id), str(world.later.public_id)]
    assert got["overdue"] == 1 and got["tasks"][0]["overdue"] is True and got["tasks"][0]["why"] == "Yours"
    assert got["tasks"][0]["case"]["reference"] == world.incident.reference
    assert client_for(world.call_taker).get(url("tasks")).status_code == 403


def test_completing_a_task_with_a_key_is_replayed_not_repeated(world):
    api = client_for(world.owner)
    first = api.post(url("task-complete", world.overdue.public_id), {"outcome": "Spoke to her"}, format="json",
                     HTTP_IDEMPOTENCY_KEY="done-1")
    assert first.status_code == 200, first.json()
    assert first.json()["status"] == "done" and first.json()["outcome"] == "Spoke to her"
    entries = TimelineEntry.objects.filter(kind="task_done").count()

    retry = api.post(url("task-complete", world.overdue.public_id), {"outcome": "Spoke to her"}, format="json",
                     HTTP_IDEMPOTENCY_KEY="done-1")

    assert retry.status_code == 200 and retry["Idempotent-Replayed"] == "true"
    assert retry.json()["id"] == first.json()["id"]
    assert TimelineEntry.objects.filter(kind="task_done").count() == entries == 1
    reused = api.post(url("task-complete", world.overdue.public_id), {"outcome": "Other"}, format="json",
                      HTTP_IDEMPOTENCY_KEY="done-1")
    assert reused.status_code == 422


def test_completing_a_task_refuses_bad_input_others_and_roles_without_permission(world):
    path = url("task-complete", world.overdue.public_id)
    bad = client_for(world.owner).post(path, {"outcome": "x" * 501, "colour": "red"}, format="json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"outcome", "colour"}
    assert client_for(world.outsider).post(path, {}, format="json").status_code == 403
    assert client_for(world.marac).post(path, {}, format="json").status_code == 403
    assert client_for(world.owner).post(url("task-complete", uuid.uuid4()), {}, format="json").status_code == 404
    world.overdue.refresh_from_db()
    assert world.overdue.status == "open" and not IdempotentRequest.objects.exists()
    assert client_for(world.owner).get(path).status_code == 405


# Contacts -------------------------------------------------------------------------------------------------

VISIT = {"method": "visit", "outcome": "spoke", "told": ["arrest"], "note": "Talked through the safety plan",
         "made_at": "2026-01-06T10:00:00Z"}


def test_a_contact_is_logged_through_the_contact_service_and_listed(world):
    api = client_for(world.owner)
    response = api.post(url("case-contacts", world.case.public_id), VISIT, format="json")

    assert response.status_code == 201, response.json()
    got = response.json()
    assert (got["method"], got["outcome"], got["told"]) == ("visit", "spoke", ["arrest"])
    contact = Contact.objects.get(public_id=got["id"])
    assert contact.made_by == world.owner and contact.case == world.case
    assert TimelineEntry.objects.filter(case=world.case, kind="contact").exists()

    listed = client_for(world.marac).get(url("case-contacts", world.case.public_id))
    assert listed.status_code == 200 and [c["id"] for c in listed.json()["contacts"]] == [got["id"]]
    assert AuditEvent.objects.filter(actor=world.marac, action="consultation", detail__read="contacts").exists()


def test_a_bad_contact_saves_nothing_and_says_which_fields(world):
    api = client_for(world.owner)
    shape = api.post(url("case-contacts", world.case.public_id), {**VISIT, "method": "pigeon", "told": ["x"]},
                     format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    assert shape.status_code == 400 and {"method", "told"} <= set(shape.json()["errors"])
    assert "pigeon" not in shape.content.decode()
    rules = api.post(url("case-contacts", world.case.public_id), {"method": "phone", "outcome": "spoke"},
                     format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    assert rules.status_code == 400 and "safe_number_used" in rules.json()["errors"]
    unknown_task = api.post(url("case-contacts", world.case.public_id), {**VISIT, "task": str(uuid.uuid4())},
                            format="json")
    assert unknown_task.status_code == 400 and "task" in unknown_task.json()["errors"]
    assert not Contact.objects.exists() and not IdempotentRequest.objects.exists()
    assert client_for(world.call_taker).post(url("case-contacts", world.case.public_id), VISIT,
                                             format="json").status_code == 403
    assert client_for(world.marac).post(url("case-contacts", world.case.public_id), VISIT,
                                        format="json").status_code == 403
    assert not Contact.objects.exists()


def test_a_contact_retried_with_its_key_is_logged_once(world):
    api = client_for(world.owner)
    path = url("case-contacts", world.case.public_id)
    first = api.post(path, VISIT, format="json", HTTP_IDEMPOTENCY_KEY="c-2")
    retry = api.post(path, VISIT, format="json", HTTP_IDEMPOTENCY_KEY="c-2")

    assert first.status_code == retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true" and retry.json() == first.json()
    assert Contact.objects.count() == 1
    assert IdempotentRequest.objects.get().response == {"id": first.json()["id"]}
    assert api.post(path, VISIT, format="json", HTTP_IDEMPOTENCY_KEY="").status_code == 400


# Custody events -------------------------------------------------------------------------------------------

ARREST = {"arrested_at": "2026-01-05T23:10:00Z"}


def test_an_arrest_then_a_remand_then_court_bail_through_the_custody_services(world):
    api = client_for(world.owner)
    arrest = api.post(url("case-custody", world.case.public_id), ARREST, format="json", HTTP_IDEMPOTENCY_KEY="a")
    assert arrest.status_code == 201, arrest.json()
    custody_id = arrest.json()["id"]
    assert arrest.json()["suspect"]["id"] == str(world.suspect.public_id)

    remand = api.post(url("custody-disposal", custody_id),
                      {"disposal": "charged_remanded", "disposed_at": "2026-01-06T15:00:00Z",
                       "court_name": "Leicester Magistrates' Court", "hearing_at": "2026-01-07T10:00:00Z"},
                      format="json")
    assert remand.status_code == 200, remand.json()
    assert remand.json()["disposal"] == "charged_remanded"
    assert Task.objects.filter(case=world.case, kind=Task.Kind.COURT_OUTCOME).exists()

    bail = api.post(url("custody-court-outcome", custody_id),
                    {"outcome": "bailed", "decided_at": "2026-01-07T11:30:00Z",
                     "bail_conditions": ["Not to contact the victim"], "bail_return_on": "2026-02-01"},
                    format="json", HTTP_IDEMPOTENCY_KEY="court")
    assert bail.status_code == 200, bail.json()
    assert bail.json()["court_outcome"] == "bailed"
    assert Task.objects.filter(case=world.case, kind=Task.Kind.COURT_BAIL_TELL_VICTIM, urgent=True).exists()

    retry = api.post(url("custody-court-outcome", custody_id),
                     {"outcome": "bailed", "decided_at": "2026-01-07T11:30:00Z",
                      "bail_conditions": ["Not to contact the victim"], "bail_return_on": "2026-02-01"},
                     format="json", HTTP_IDEMPOTENCY_KEY="court")
    assert retry.status_code == 200 and retry["Idempotent-Replayed"] == "true"
    assert TimelineEntry.objects.filter(case=world.case, kind="court_outcome").count() == 1
    again = api.post(url("case-custody", world.case.public_id), ARREST, format="json", HTTP_IDEMPOTENCY_KEY="a")
    assert again["Idempotent-Replayed"] == "true" and CustodyRecord.objects.count() == 1

    listed = client_for(world.marac).get(url("case-custody", world.case.public_id))
    assert listed.status_code == 200 and [r["id"] for r in listed.json()["custody_records"]] == [custody_id]


def test_bad_custody_events_save_nothing(world):
    api = client_for(world.owner)
    early = api.post(url("case-custody", world.case.public_id), {"arrested_at": "2025-01-01T00:00:00Z"},
                     format="json")
    assert early.status_code == 400 and "arrested_at" in early.json()["errors"]
    missing = api.post(url("case-custody", world.case.public_id), {}, format="json")
    assert missing.status_code == 400 and "arrested_at" in missing.json()["errors"]
    assert not CustodyRecord.objects.exists()
    custody = api.post(url("case-custody", world.case.public_id), ARREST, format="json").json()["id"]
    bail = api.post(url("custody-disposal", custody), {"disposal": "pre_charge_bail",
                                                      "disposed_at": "2026-01-06T09:00:00Z"}, format="json")
    assert bail.status_code == 400 and "bail_conditions" in bail.json()["errors"]
    court = api.post(url("custody-court-outcome", custody), {"outcome": "bailed",
                                                            "decided_at": "2026-01-06T09:00:00Z"}, format="json")
    assert court.status_code == 400 and "non_field_errors" in court.json()["errors"]
    record = CustodyRecord.objects.get()
    assert (record.disposal, record.court_outcome) == ("", "")
    assert not ProtectiveOrder.objects.exists()
    for role_user in (world.call_taker, world.marac):
        assert client_for(role_user).post(url("case-custody", world.case.public_id), ARREST,
                                          format="json").status_code == 403
        assert client_for(role_user).post(url("custody-disposal", custody), {}, format="json").status_code == 403
    assert client_for(world.call_taker).get(url("case-custody", world.case.public_id)).status_code == 403
    assert CustodyRecord.objects.count() == 1


# Orders ---------------------------------------------------------------------------------------------------

def order_body(world, **fields):
    return {"kind": "restraining", "restricted_person": str(world.suspect.public_id),
            "starts_at": "2026-01-10T10:00:00Z", "ends_on": "2027-01-10",
            "conditions": ["Not to contact the victim", "Not to enter Example Road"], "authorised_by": "Crown Court",
            **fields}


def test_an_order_is_recorded_through_the_order_service_listed_and_replayed(world):
    api = client_for(world.owner)
    path = url("case-orders", world.case.public_id)
    response = api.post(path, order_body(world), format="json", HTTP_IDEMPOTENCY_KEY="o-1")

    assert response.status_code == 201, response.json()
    got = response.json()
    assert got["kind"] == "restraining" and got["restricted_person"]["id"] == str(world.suspect.public_id)
    assert [p["id"] for p in got["protected_persons"]] == [str(world.victim.public_id)]
    retry = api.post(path, order_body(world), format="json", HTTP_IDEMPOTENCY_KEY="o-1")
    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true" and retry.json() == got
    assert ProtectiveOrder.objects.count() == 1

    listed = client_for(world.marac).get(path)
    assert listed.status_code == 200 and [o["id"] for o in listed.json()["orders"]] == [got["id"]]
    assert AuditEvent.objects.filter(actor=world.marac, action="consultation", detail__read="orders").exists()


def test_a_bad_order_saves_nothing(world):
    api = client_for(world.owner)
    path = url("case-orders", world.case.public_id)
    shape = api.post(path, order_body(world, kind="curfew", starts_at="yesterday"), format="json")
    assert shape.status_code == 400 and {"kind", "starts_at"} <= set(shape.json()["errors"])
    unknown = api.post(path, order_body(world, restricted_person=str(uuid.uuid4())), format="json")
    assert unknown.status_code == 400 and "restricted_person" in unknown.json()["errors"]
    notice = api.post(path, order_body(world, kind="dvpn"), format="json", HTTP_IDEMPOTENCY_KEY="o-2")
    assert notice.status_code == 400 and notice.json()["errors"]
    assert not ProtectiveOrder.objects.exists() and not IdempotentRequest.objects.exists()
    assert client_for(world.call_taker).post(path, order_body(world), format="json").status_code == 403
    assert client_for(world.call_taker).get(path).status_code == 403
    assert not ProtectiveOrder.objects.exists()


# The schema -----------------------------------------------------------------------------------------------

def test_the_schema_documents_the_cases_api(world):
    schema = yaml.safe_load(client_for(world.owner).get("/api/v1/schema/").content)

    for path in ("/api/v1/cases/", "/api/v1/cases/{public_id}/", "/api/v1/cases/{public_id}/contacts/",
                 "/api/v1/cases/{public_id}/custody/", "/api/v1/cases/{public_id}/orders/",
                 "/api/v1/custody/{public_id}/disposal/", "/api/v1/custody/{public_id}/court-outcome/",
                 "/api/v1/tasks/", "/api/v1/tasks/{public_id}/complete/"):
        assert path in schema["paths"], path
    operation = schema["paths"]["/api/v1/cases/{public_id}/contacts/"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
    assert {"201", "400", "403", "422"} <= set(operation["responses"])


def test_a_dvpo_follows_its_dvpn_through_the_api(world):
    api = client_for(world.owner)
    path = url("case-orders", world.case.public_id)
    low = api.post(path, order_body(world, kind="dvpn", ends_on=None, served_at="2026-01-06T10:30:00Z",
                                    starts_at="2026-01-06T10:00:00Z", authorised_rank="inspector",
                                    authorised_by="A Example"), format="json")
    assert low.status_code == 400 and "authorised_rank" in low.json()["errors"]
    notice = api.post(path, order_body(world, kind="dvpn", ends_on=None, served_at="2026-01-06T10:30:00Z",
                                       starts_at="2026-01-06T10:00:00Z", authorised_rank="superintendent",
                                       authorised_by="A Example"), format="json")
    assert notice.status_code == 201, notice.json()
    assert notice.json()["authorised_by"] == "Superintendent A Example" and notice.json()["ends_on"]
    assert Task.objects.filter(case=world.case, kind=Task.Kind.DVPO_APPLICATION, status="open").exists()

    order = api.post(path, order_body(world, kind="dvpo", starts_at="2026-01-07T14:00:00Z", ends_on="2026-02-03",
                                      follows=notice.json()["id"]), format="json")

    assert order.status_code == 201, order.json()
    assert order.json()["follows"] == notice.json()["id"]
    assert not Task.objects.filter(case=world.case, kind=Task.Kind.DVPO_APPLICATION, status="open").exists()


def test_a_concurrent_retry_of_a_contact_is_answered_as_the_first_and_logs_one(world, monkeypatch):
    """Both find the key unused; the second's claim meets the unique constraint, its work is rolled back,
    and it is answered from the first's stored answer."""
    from vigil.api import idempotency

    api = client_for(world.owner)
    path = url("case-contacts", world.case.public_id)
    first = api.post(path, VISIT, format="json", HTTP_IDEMPOTENCY_KEY="race")
    real, calls = idempotency.stored_answer, []

    def not_yet_committed(**scope):
        calls.append(scope)
        return None if len(calls) == 1 else real(**scope)

    monkeypatch.setattr(idempotency, "stored_answer", not_yet_committed)

    second = api.post(path, VISIT, format="json", HTTP_IDEMPOTENCY_KEY="race")

    assert len(calls) == 2
    assert second.status_code == 201 and second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert Contact.objects.count() == 1 and TimelineEntry.objects.filter(kind="contact").count() == 1
