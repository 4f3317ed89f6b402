from html import unescape

import pytest
from django.urls import reverse
from tests.factories import agency_create, team_create, user_create

from vigil.accounts.roles import ROLES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.code)
def test_home_says_what_the_role_does_here(client, role):
    client.force_login(user_create(role=role.code))
    page = unescape(client.get(reverse("accounts:home")).content.decode())
    assert role.name in page
    assert role.purpose in page
    for duty in role.duties:
        assert duty in page


def test_home_shows_the_users_agency_and_teams(client):
    agency = agency_create(code="idva", kind="idva", name="Synthetic IDVA service")
    teams = [team_create(agency=agency), team_create(agency=agency)]
    client.force_login(user_create(role="partner_practitioner", agency=agency, teams=teams))
    page = client.get(reverse("accounts:home")).content.decode()
    assert "Synthetic IDVA service" in page
    for team in teams:
        assert team.name in page


def test_navigation_shows_administration_only_to_administrators(client):
    client.force_login(user_create(role="administrator"))
    assert "Administration" in client.get(reverse("accounts:home")).content.decode()
    client.force_login(user_create(role="analyst"))
    assert "Administration" not in client.get(reverse("accounts:home")).content.decode()


def test_every_page_says_the_data_is_synthetic_in_demo_mode(client, settings):
    banner = "Synthetic data: this is a demonstration force; no real person's details are held"
    settings.DEMO_MODE = True
    assert banner in unescape(client.get(reverse("accounts:sign-in")).content.decode())
    settings.DEMO_MODE = False
    assert banner not in unescape(client.get(reverse("accounts:sign-in")).content.decode())


@pytest.mark.parametrize("role, shown, hidden", [
    ("call_taker", "Find a person", "Audit log"),
    ("auditor", "Audit log", "Find a person"),
    ("analyst", "API", "Administration"),
])
def test_navigation_shows_only_what_the_role_may_open(client, role, shown, hidden):
    client.force_login(user_create(role=role))
    page = client.get("/").content.decode()
    assert shown in page
    assert hidden not in page
