"""The ownership policy: which kind of team owns a case at each risk level, and how long a handover may wait.
Data an administrator edits; the services follow whatever it says now."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from tests.factories import area_create, incident_create, person_record_create, team_create, user_create
from vigil.accounts.models import Team
from vigil.cases.models import Handover, OwnershipRule
from vigil.cases.services import case_open, case_risk_set

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture
def force_teams():
    area = area_create()
    neighbourhood = team_create(kind=Team.Kind.NEIGHBOURHOOD, area=area)
    unit = team_create(kind=Team.Kind.SPECIALIST)
    sergeant = user_create(role="supervisor", teams=[neighbourhood])
    neighbourhood.supervisor = sergeant
    neighbourhood.save()
    user_create(role="specialist_investigator", teams=[unit])
    return area, neighbourhood, unit, sergeant


def _case(area, by, risk_level="standard"):
    victim = person_record_create()
    incident = incident_create(received_at=NOW, victim=victim)
    incident.area = area
    incident.save()
    return case_open(incident=incident, victim=victim, by=by, risk_level=risk_level, now=NOW)


def test_the_defaults_are_the_specialist_unit_for_high_risk_and_the_neighbourhood_team_otherwise():
    assert dict(OwnershipRule.objects.values_list("risk_level", "team_kind")) == {
        "high": "specialist", "medium": "neighbourhood", "standard": "neighbourhood"}


def test_a_new_case_is_owned_by_the_area_neighbourhood_team_supervisor_until_allocated(force_teams):
    area, neighbourhood, _, sergeant = force_teams
    call_taker = user_create(role="call_taker")
    case = _case(area, call_taker)
    assert (case.owner, case.owning_team) == (sergeant, neighbourhood)
    assert case.ownership.get().via == "opened"
    first_contact = case.tasks.get()
    assert first_contact.assignee == sergeant and first_contact.kind == "contact_victim"


def test_raising_the_risk_to_high_offers_the_case_to_the_specialist_unit_queue_and_the_owner_stays(force_teams):
    area, _, unit, sergeant = force_teams
    case = _case(area, sergeant)
    case_risk_set(case=case, risk_level="high", by=sergeant, now=NOW + timedelta(hours=1))
    handover = Handover.objects.get(case=case)
    assert (handover.status, handover.to_team, handover.to_user) == ("pending", unit, None)
    assert handover.accept_by == NOW + timedelta(hours=5)  # the policy's 4 hours for high risk
    case.refresh_from_db()
    assert case.owner == sergeant and case.risk_level == "high"


def test_an_administrators_edit_of_the_policy_changes_where_the_next_case_goes(client, force_teams):
    area, _, unit, sergeant = force_teams
    client.force_login(user_create(role="administrator"))
    rule = OwnershipRule.objects.get(risk_level="medium")
    response = client.post(reverse("admin:cases_ownershiprule_change", args=[rule.pk]),
                           {"team_kind": "specialist", "accept_within_hours": "2"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.team_kind, rule.accept_within_hours) == ("specialist", 2)

    case = _case(area, sergeant)
    case_risk_set(case=case, risk_level="medium", by=sergeant, now=NOW)
    handover = Handover.objects.get(case=case)
    assert handover.to_team == unit and handover.accept_by == NOW + timedelta(hours=2)


def test_the_policy_cannot_be_added_to_or_deleted_in_the_admin(client):
    client.force_login(user_create(role="administrator"))
    rule = OwnershipRule.objects.get(risk_level="high")
    assert client.get(reverse("admin:cases_ownershiprule_add")).status_code == 403
    assert client.post(reverse("admin:cases_ownershiprule_delete", args=[rule.pk]), {"post": "yes"}).status_code == 403
    assert OwnershipRule.objects.count() == 3
