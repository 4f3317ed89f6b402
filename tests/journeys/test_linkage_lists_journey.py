"""The repeat-victim, serial-perpetrator and counter-allegation lists in the browser: a supervisor finds a
repeat victim with no plan and gives her one, sees a serial perpetrator's score parts, and decides a
counter-allegation with a reason. axe-core finds nothing on any page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.journeys.pages import SignInPage
from vigil.linkage.models import CounterAllegationReview, RepeatVictimPlan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _ago(*days):
    return [timezone.now() - timedelta(days=d) for d in days]


def _axe_clean(page) -> list[str]:
    from tests.journeys.pages import VigilPage

    return VigilPage(page).accessibility_violations()


def test_a_supervisor_plans_for_a_repeat_victim_and_decides_a_counter_allegation(page, live_server):
    city = factories.area_create(code="city", name="City")
    hood = factories.team_create(kind="neighbourhood", area=city)
    sergeant = factories.user_create(role="supervisor", teams=[hood], username="sgt-lists")
    officer = factories.user_create(role="neighbourhood_officer", teams=[hood], username="pc-lists")
    officer.first_name, officer.last_name = "Nia", "Hood"
    officer.save()
    cleo = factories.person_record_create(given_name="Cleo", family_name="Citywide")
    factories.incidents_between_create(victim=cleo, at=_ago(3, 40), area=city)
    sam = factories.person_record_create(given_name="Sam", family_name="Serial")
    factories.incidents_between_create(victim=factories.person_record_create(given_name="Ava", family_name="One"),
                                       suspect=sam, at=_ago(10), area=city)
    factories.incidents_between_create(victim=factories.person_record_create(given_name="Bea", family_name="Two"),
                                       suspect=sam, at=_ago(45), area=city)
    pat = factories.person_record_create(given_name="Pat", family_name="First")
    quinn = factories.person_record_create(given_name="Quinn", family_name="Second")
    factories.incidents_between_create(victim=pat, suspect=quinn, at=_ago(100), area=city)
    factories.incidents_between_create(victim=quinn, suspect=pat, at=_ago(50), area=city)

    SignInPage(page).open().sign_in("sgt-lists", factories.TEST_PASSWORD)
    page.get_by_role("link", name="Repeat victims").click()
    page.wait_for_load_state()
    row = page.locator("tr", has_text="Cleo Citywide")
    assert "No plan" in row.inner_text()
    assert _axe_clean(page) == []
    row.get_by_role("link", name="Set the plan").click()
    page.wait_for_load_state()
    assert _axe_clean(page) == []
    page.get_by_label("What is being done").fill("")
    page.get_by_role("button", name="Save the plan").click()  # no plan written: the error summary says so
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").is_visible()
    assert _axe_clean(page) == []
    page.get_by_label("Who owns the plan?", exact=False).select_option(label="Nia Hood, neighbourhood officer")
    page.get_by_label("What is being done").fill("Weekly call on the safe number; refer to MARAC if it recurs")
    page.get_by_role("button", name="Save the plan").click()
    page.wait_for_load_state()
    plan = RepeatVictimPlan.objects.get(person=cleo.person)
    assert plan.owner == officer and "Nia Hood" in page.locator("tr", has_text="Cleo Citywide").inner_text()

    page.get_by_role("link", name="Serial perpetrators").click()
    page.wait_for_load_state()
    assert "Sam Serial" in page.content() and "Recency" in page.content()
    assert _axe_clean(page) == []

    page.get_by_role("link", name="Counter-allegations").click()
    page.wait_for_load_state()
    assert _axe_clean(page) == []
    page.get_by_role("link", name="Decide the primary victim").first.click()
    page.wait_for_load_state()
    assert _axe_clean(page) == []
    page.get_by_label("Quinn Second", exact=False).check()
    page.get_by_label("Why?").fill("Statements and injuries show Pat was the aggressor both times")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    review = CounterAllegationReview.objects.get()
    assert (review.primary_victim, review.decided_by) == (quinn.person, sergeant)
    assert _axe_clean(page) == []
    assert not page.csp_violations
