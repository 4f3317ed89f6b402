"""The list pages: who sees which area, the plan and decision forms (errors with a summary, status 400),
and that the suggestion on a counter-allegation is shown but never chosen for the reviewer."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.linkage.models import CounterAllegationReview, PerpetratorPlan, RepeatVictimPlan

pytestmark = pytest.mark.django_db

PLAN = "Weekly visits with the IDVA; refer to MARAC if it happens again"


def days_ago(*days):
    now = timezone.now()
    return [now - timedelta(days=d) for d in days]


def person(given: str, family: str):
    return factories.person_record_create(given_name=given, family_name=family)


@pytest.fixture
def world():
    city = factories.area_create(code="city", name="City")
    county = factories.area_create(code="county", name="County", districts="LE9")
    hood = factories.team_create(kind="neighbourhood", area=city)
    officer = factories.user_create(role="neighbourhood_officer", teams=[hood])
    sergeant = factories.user_create(role="supervisor", teams=[hood])
    repeat_officer = factories.user_create(role="repeat_case_officer")
    city_victim, county_victim = person("Cleo", "Citywide"), person("Cora", "Countyside")
    factories.incidents_between_create(victim=city_victim, at=days_ago(3, 30, 60), area=city)
    factories.incidents_between_create(victim=county_victim, at=days_ago(5, 50), area=county)
    sam = person("Sam", "Serial")
    factories.incidents_between_create(victim=person("Ava", "One"), suspect=sam, at=days_ago(10), area=county)
    factories.incidents_between_create(victim=person("Bea", "Two"), suspect=sam, at=days_ago(40), area=county)
    return dict(city=city, county=county, officer=officer, sergeant=sergeant, repeat_officer=repeat_officer,
                city_victim=city_victim.person, county_victim=county_victim.person, sam=sam.person)


def text(response) -> str:
    return response.content.decode()


def test_a_neighbourhood_officer_sees_their_areas_repeat_victims_and_no_other_area(client, world):
    client.force_login(world["officer"])
    page = client.get(reverse("linkage:repeat-victims"))
    assert page.status_code == 200
    assert "Cleo Citywide" in text(page) and "Cora Countyside" not in text(page)
    assert "No plan" in text(page) and "Repeat-case team" in text(page)
    assert client.get(reverse("linkage:repeat-victims") + "?area=county").status_code == 403
    assert client.get(reverse("linkage:repeat-victims") + "?area=nowhere").status_code == 404
    assert client.get(reverse("linkage:repeat-queue")).status_code == 403


def test_the_next_page_keeps_the_chosen_area(client, world, monkeypatch):
    monkeypatch.setattr("vigil.linkage.list_selectors.PAGE_SIZE", 1)
    factories.incidents_between_create(victim=person("Dora", "Countyside"), at=days_ago(4, 44), area=world["county"])
    client.force_login(world["sergeant"])

    first = text(client.get(reverse("linkage:repeat-victims") + "?area=county"))
    assert 'href="?area=county&amp;page=2" rel="next"' in first and "Page 1 of 2" in first
    second = text(client.get(reverse("linkage:repeat-victims") + "?area=county&page=2"))
    assert 'href="?area=county&amp;page=1" rel="prev"' in second and "Cleo Citywide" not in second
    everywhere = text(client.get(reverse("linkage:repeat-victims")))
    assert 'href="?page=2" rel="next"' in everywhere and "Page 1 of 3" in everywhere


def test_a_neighbourhood_officer_cannot_see_another_areas_serial_perpetrators(client, world):
    client.force_login(world["officer"])
    own = client.get(reverse("linkage:serial-perpetrators"))
    assert own.status_code == 200 and "Sam Serial" not in text(own)
    assert client.get(reverse("linkage:serial-perpetrators") + "?area=county").status_code == 403
    plan_url = reverse("linkage:perpetrator-plan", args=[world["sam"].public_id])
    assert client.get(plan_url).status_code == 403


def test_a_supervisor_sees_every_area_and_the_score_parts(client, world):
    client.force_login(world["sergeant"])
    page = client.get(reverse("linkage:repeat-victims"))
    assert "Cleo Citywide" in text(page) and "Cora Countyside" in text(page)
    serial = client.get(reverse("linkage:serial-perpetrators") + "?area=county")
    assert serial.status_code == 200
    body = text(serial)
    assert "Sam Serial" in body and "<caption" in body and "Recency" in body and "Gravity" in body
    assert AuditEvent.objects.filter(object_type="linkage.SerialPerpetratorList", actor=world["sergeant"],
                                     subject_person_id=world["sam"].public_id, action="consultation").exists()


def test_an_officer_with_no_area_is_told_why_there_is_no_list(client, world):
    client.force_login(factories.user_create(role="neighbourhood_officer"))
    page = client.get(reverse("linkage:repeat-victims"))
    assert page.status_code == 200 and "not in a team with an area" in text(page)


def test_the_repeat_queue_lists_those_at_the_teams_threshold(client, world):
    client.force_login(world["repeat_officer"])
    page = client.get(reverse("linkage:repeat-queue"))
    assert page.status_code == 200
    assert "Cleo Citywide" in text(page) and "Cora Countyside" not in text(page)


def test_setting_a_plan_from_the_form_and_a_mistake_shown_with_an_error_summary(client, world):
    client.force_login(world["officer"])
    url = reverse("linkage:repeat-plan", args=[world["city_victim"].public_id])
    assert client.get(url).status_code == 200
    wrong = client.post(url, {"owner": "", "review_due": "2001-01-01", "plan": ""})
    assert wrong.status_code == 400
    body = text(wrong)
    assert "There is a problem" in body and "Choose who will own the plan" in body
    assert "today or in the future" in body and 'href="#id_owner"' in body
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    done = client.post(url, {"owner": str(world["officer"].public_id), "review_due": due, "plan": PLAN})
    assert done.status_code == 302
    plan = RepeatVictimPlan.objects.get(person=world["city_victim"])
    assert (plan.owner, plan.review_due.isoformat(), plan.plan, plan.tier) == (world["officer"], due, PLAN,
                                                                               "repeat_team")
    assert "No plan" not in text(client.get(reverse("linkage:repeat-victims")))
    # Another area's victim: refused.
    other = reverse("linkage:repeat-plan", args=[world["county_victim"].public_id])
    assert client.get(other).status_code == 403


def test_a_perpetrator_plan_from_the_form(client, world):
    client.force_login(world["sergeant"])
    url = reverse("linkage:perpetrator-plan", args=[world["sam"].public_id])
    due = (timezone.localdate() + timedelta(days=28)).isoformat()
    response = client.post(url, {"owner": str(world["sergeant"].public_id), "review_due": due, "plan": PLAN})
    assert response.status_code == 302
    assert PerpetratorPlan.objects.get(person=world["sam"]).owner == world["sergeant"]
    assert client.get(reverse("linkage:perpetrator-plan", args=[world["city_victim"].public_id])).status_code == 404


def test_a_counter_allegation_is_decided_on_its_page_and_the_suggestion_is_not_preselected(client, world):
    pat, quinn = person("Pat", "First"), person("Quinn", "Second")
    (first,) = factories.incidents_between_create(victim=pat, suspect=quinn, at=days_ago(100), area=world["city"])
    first.injuries = True
    first.save()
    factories.incidents_between_create(victim=quinn, suspect=pat, at=days_ago(50), area=world["city"])
    client.force_login(world["repeat_officer"])

    listing = client.get(reverse("linkage:counter-allegations"))
    assert listing.status_code == 200 and "Pat First" in text(listing) and "Suggestion (not a decision)" in text(listing)
    url = reverse("linkage:counter-allegation", args=[pat.person.public_id, quinn.person.public_id])
    page = client.get(url)
    assert page.status_code == 200 and "The signals favour <strong>Pat First</strong>" in text(page)
    assert " checked" not in text(page)  # the reviewer chooses; nothing is chosen for them

    missing = client.post(url, {"primary_victim": str(quinn.person.public_id), "reason": ""})
    assert missing.status_code == 400 and "Give the reason for your decision" in text(missing)
    assert not CounterAllegationReview.objects.exists()

    done = client.post(url, {"primary_victim": str(quinn.person.public_id),
                             "reason": "Statements show Pat was the aggressor both times"})
    assert done.status_code == 302
    review = CounterAllegationReview.objects.get()
    assert (review.primary_victim, review.suggested, review.decided_by) == (quinn.person, pat.person,
                                                                            world["repeat_officer"])
    assert "Pat First" not in text(client.get(reverse("linkage:counter-allegations")))


def test_the_list_pages_are_in_the_navigation_for_the_roles_that_may_use_them(client, world):
    client.force_login(world["officer"])
    home = text(client.get(reverse("accounts:home")))
    assert "Repeat victims" in home and "Serial perpetrators" in home
    assert "Repeat-case queue" not in home and "Counter-allegations" not in home
    client.force_login(world["repeat_officer"])
    home = text(client.get(reverse("accounts:home")))
    assert "Repeat-case queue" in home and "Counter-allegations" in home


PERSON_LINK = re.compile(r'href="/people/[0-9a-f-]{36}/"')


def test_a_long_list_is_paged_and_only_the_page_shown_is_audited(client, world):
    from vigil.linkage import list_selectors

    for n in range(list_selectors.PAGE_SIZE + 3):
        factories.incidents_between_create(victim=person(f"Vic{n:03d}", "Paged"), at=days_ago(2, 20), area=world["city"])
    client.force_login(world["sergeant"])
    before = AuditEvent.objects.filter(object_type="linkage.RepeatVictimList").count()
    first = client.get(reverse("linkage:repeat-victims") + "?area=city")
    body = text(first)
    assert f"<strong>{list_selectors.PAGE_SIZE + 4}</strong> repeat victims" in body  # Cleo Citywide too
    assert len(PERSON_LINK.findall(body)) == list_selectors.PAGE_SIZE and "Page 1 of 2" in body
    shown = AuditEvent.objects.filter(object_type="linkage.RepeatVictimList").count() - before
    assert shown == list_selectors.PAGE_SIZE
    second = client.get(reverse("linkage:repeat-victims") + "?area=city&page=2")
    assert len(PERSON_LINK.findall(text(second))) == 4 and 'rel="prev"' in text(second)
    assert client.get(reverse("linkage:repeat-victims") + "?area=city&page=zz").status_code == 200  # first page
