"""A call taker records a call at an address with history and sees it while the caller is on the line;
the supervisors' board highlights the call and a supervisor acknowledges it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.journeys.pages import BoardPage, CallsPage, SignInPage, VigilPage
from vigil.checks.defaults import defaults_install
from vigil.incidents.models import Incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_call_taker_sees_the_history_and_the_supervisor_acknowledges_the_highlighted_call(page):
    defaults_install()  # the policy and guidance from migration 0002 (a transactional test empties them)
    address = factories.address_create(line1="27 Synthetic Avenue", postcode="LE1 6ZZ")
    victim = factories.person_record_create(given_name="Vera", family_name="Testcase", address=address)
    suspect = factories.person_record_create(given_name="Sam", family_name="Testcase")
    earlier = factories.incident_create(address=address, received_at=timezone.now() - timedelta(days=60),
                                        victim=victim, suspect=suspect)
    factories.risk_assessment_create(incident=earlier, victim=victim, grade="high")
    factories.marker_create(kind="weapons", person=suspect.person, starts_on=timezone.localdate() - timedelta(days=60))
    call_taker = factories.user_create(role="call_taker", username="call-taker-one")
    supervisor = factories.user_create(role="control_room_supervisor", username="supervisor-one")

    SignInPage(page).open().sign_in(call_taker.username, factories.TEST_PASSWORD)
    intake = CallsPage(page).open().record_new_999_call()
    assert "No record found" in intake.history_text()  # nothing known yet, and it says so plainly
    assert intake.accessibility_violations() == []

    intake.enter_caller_number("07700 900461")
    intake.wait_until_saved()
    intake.find_address(postcode="le1 6zz", house="27")
    intake.choose_address("27 Synthetic Avenue")
    page.locator("#history").filter(has_text="1 previous incident").wait_for()
    history = intake.history_text()
    assert "Vera Testcase" in history and "Sam Testcase" in history
    assert "High" in history and "Weapons" in history
    assert "Open questions to ask" in page.content()
    assert "Are you safe to talk" in intake.open_guidance("Open questions to ask")

    intake.describe("Caller says her ex-partner is outside with a knife")
    intake.answer("Is this domestic abuse?", "Yes")
    intake.answer("Weapons mentioned or in the house?", "Yes")
    intake.answer("Are children present?", "Not known")
    intake.answer("Response grade", "Grade 1: emergency")
    intake.wait_until_saved()
    assert intake.accessibility_violations() == []

    page.reload()  # nothing typed is lost: it was saved as it was entered
    assert page.get_by_label("What is happening").input_value() == "Caller says her ex-partner is outside with a knife"
    intake.add_person(part="Victim", given_name="Vera", family_name="Testcase")
    intake.add_person(part="Suspect", given_name="Sam", family_name="Testcase")
    intake.submit()
    assert "Brief for" in page.locator("h1").inner_text()
    assert "Made by Vigil from its own records" in page.content()
    assert VigilPage(page).accessibility_violations() == []  # the officer's brief
    reference = Incident.objects.get(recorded_by=call_taker).reference
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()

    SignInPage(page).open().sign_in(supervisor.username, factories.TEST_PASSWORD)
    board = BoardPage(page).open()
    row = board.row_for(reference)
    row_text = row.inner_text()
    assert "Needs acknowledgement" in row_text
    for reason in ("Caller says weapons are involved", "graded high risk", "Weapons warning marker",
                   "repeat victim"):
        assert reason in row_text
    assert board.accessibility_violations() == []
    board.acknowledge(reference)
    assert "Needs acknowledgement" not in board.row_for(reference).inner_text()
    assert board.accessibility_violations() == []
    assert page.csp_violations == []


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 812},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_the_attending_officer_reads_the_brief_on_a_phone(phone_page):
    defaults_install()
    address = factories.address_create(line1="9 Synthetic Close", postcode="LE2 1ZZ")
    victim = factories.person_record_create(given_name="Vera", family_name="Phonecase", address=address)
    factories.marker_create(kind="bail_conditions", person=victim.person,
                            starts_on=timezone.localdate() - timedelta(days=3), note="Not to enter LE2")
    incident = factories.incident_create(address=address, received_at=timezone.now(), status="open", grade=1,
                                         victim=victim)
    from vigil.checks.services import checks_refresh

    checks_refresh(incident=incident)
    officer = factories.user_create(role="response_officer", username="officer-phone")

    SignInPage(phone_page).open().sign_in(officer.username, factories.TEST_PASSWORD)
    phone_page.goto(f"/control/incidents/{incident.public_id}/brief/")
    brief = VigilPage(phone_page)
    assert "Brief for" in brief.heading
    text = phone_page.locator("main").inner_text()
    assert "Bail conditions" in text and "Firearms licensing" in text and "Not to enter LE2" in text
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll
    assert brief.accessibility_violations() == []
