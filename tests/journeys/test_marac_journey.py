"""MARAC in the browser: a police referral and a partner's referral reach the agenda; the partner adds
research; the coordinator records the meeting and agrees two actions; the partner completes one; the
other becomes overdue and comes back on the next meeting's agenda. axe-core finds nothing on any page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.journeys.pages import SignInPage, VigilPage
from vigil.marac import services
from vigil.marac.models import MaracAction, MaracReferral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("pdf_renderer")]

REASONS = "Threats to kill last week; she is very frightened and he has access to her new address"


class MaracPage(VigilPage):
    def __init__(self, page, path: str = "/marac/"):
        super().__init__(page)
        self.path = path

    def text(self) -> str:
        return self.page.locator("main").inner_text()


def refer(page, *, person, area_code: str, received_on, reasons: str) -> MaracPage:
    form = MaracPage(page, f"/marac/referrals/new/?person={person.public_id}").open()
    assert form.accessibility_violations() == []
    page.get_by_label("Which MARAC is the referral to?").select_option(value=area_code)
    page.get_by_label("Date of referral").fill(received_on.isoformat())
    page.get_by_role("group", name="Which criteria apply?").get_by_label("Professional judgement").check()
    page.get_by_label("Your reasons for professional judgement").fill(reasons)
    page.get_by_role("group", name="Does the victim know about the referral?").get_by_label("Yes").check()
    page.get_by_role("group", name="Does the victim agree to the referral?").get_by_label("Yes").check()
    page.get_by_role("group", name="Has a referral to the IDVA service been made?").get_by_label("Yes").check()
    page.get_by_role("button", name="Make the referral").click()
    page.wait_for_load_state()
    return MaracPage(page)


def sign_in_as(page, user) -> None:
    page.context.clear_cookies()
    SignInPage(page).open().sign_in(user.username, factories.TEST_PASSWORD)


def test_two_referrals_reach_the_agenda_research_is_added_and_an_overdue_action_comes_back(page):
    today = timezone.localdate()
    idva = factories.agency_create(code="idva", kind="idva", name="IDVA service")
    marac = factories.marac_area_create(anchor_date=today - timedelta(days=14), member_agencies=[idva])
    coordinator = factories.user_create(role="marac_coordinator", username="coordinator")
    specialist = factories.user_create(role="specialist_investigator", username="specialist")
    idva_worker = factories.user_create(role="partner_practitioner", agency=idva, username="idva-worker")
    meetings = services.meetings_schedule(area=marac, start=today - timedelta(days=20),
                                          until=today + timedelta(days=20), by=coordinator)
    held = [m for m in meetings if m.held_on <= today - timedelta(days=7)][-1]  # a meeting a week or more ago
    following = next(m for m in meetings if m.held_on > held.held_on)
    received_on = held.cut_off - timedelta(days=3)  # in time for the meeting already held

    # A victim the IDVA service knows from a MARAC more than a year ago (so the partner may refer her).
    known = factories.person_record_create(given_name="Kara", family_name="Known").person
    old_meeting = factories.marac_meeting_create(area=marac, held_on=today - timedelta(days=420), agencies=[idva],
                                                 status="held", chair=coordinator)
    factories.marac_referral_create(area=marac, victim=known, meeting=old_meeting, status="heard",
                                    received_on=today - timedelta(days=430), by=coordinator)
    hope = factories.person_record_create(given_name="Hope", family_name="Harbour").person

    # The police refer Hope on professional judgement.
    sign_in_as(page, specialist)
    detail = refer(page, person=hope, area_code=marac.code, received_on=received_on, reasons=REASONS)
    assert detail.heading == "Hope Harbour", detail.text()  # the referral's page
    assert detail.accessibility_violations() == []

    # The IDVA service refers Kara again, and adds what it holds about Hope before the meeting.
    sign_in_as(page, idva_worker)
    refer(page, person=known, area_code=marac.code, received_on=received_on,
          reasons="New threats reported to the IDVA; the perpetrator is out of prison next month")
    hope_referral = MaracReferral.objects.get(victim=hope)
    research = MaracPage(page, f"/marac/referrals/{hope_referral.public_id}/").open()
    page.get_by_label("What your agency holds about the case").fill(
        "Hope engaged with the IDVA; a refuge place is being sought")
    page.get_by_role("button", name="Add IDVA service's research").click()
    page.wait_for_load_state()
    assert "refuge place is being sought" in research.text()
    assert research.accessibility_violations() == []

    agenda = MaracPage(page, f"/marac/meetings/{held.public_id}/").open()
    assert "Hope Harbour" in agenda.text() and "Kara Known" in agenda.text()
    assert agenda.accessibility_violations() == []

    # The coordinator records the meeting and agrees two actions for Hope.
    sign_in_as(page, coordinator)
    agenda = MaracPage(page, f"/marac/meetings/{held.public_id}/").open()
    page.get_by_label("Who chaired the meeting?").select_option(value=str(coordinator.public_id))
    page.get_by_role("group", name="IDVA service").get_by_label("Present").check()
    page.get_by_role("button", name="Record attendance: the meeting was held").click()
    page.wait_for_load_state()
    for description, agency, due in (("Find Hope a refuge place", "idva", held.held_on + timedelta(days=3)),
                                     ("Flag Hope's address for an urgent response", "force",
                                      held.held_on + timedelta(days=5))):
        page.get_by_label("Which case is the action for?").select_option(value=str(hope_referral.public_id))
        page.get_by_label("What is to be done").fill(description)
        page.get_by_label("Which agency is responsible?").select_option(value=agency)
        page.get_by_label("Due date").fill(due.isoformat())
        page.get_by_role("button", name="Agree the action").click()
        page.wait_for_load_state()
    assert MaracAction.objects.filter(referral=hope_referral).count() == 2
    assert "Find Hope a refuge place" in agenda.text()
    assert agenda.accessibility_violations() == []

    # The IDVA completes its action; the police one is left open past its due date.
    sign_in_as(page, idva_worker)
    actions = MaracPage(page, "/marac/actions/").open()
    assert "Find Hope a refuge place" in actions.text() and "Flag Hope's address" not in actions.text()
    assert actions.accessibility_violations() == []
    page.get_by_role("link", name="Done or no longer needed").first.click()
    page.wait_for_load_state()
    page.get_by_role("group", name="What happened?").get_by_label("Done").check()
    page.get_by_label("Outcome").fill("Refuge place found and Hope has moved in")
    assert MaracPage(page).accessibility_violations() == []
    page.get_by_role("button", name="Close the action").click()
    page.wait_for_load_state()

    # At the next meeting the open, overdue action is back on the agenda, and says so in words.
    sign_in_as(page, coordinator)
    next_agenda = MaracPage(page, f"/marac/meetings/{following.public_id}/").open()
    overdue_days = (today - (held.held_on + timedelta(days=5))).days
    assert "Flag Hope's address for an urgent response" in next_agenda.text()
    assert f"Overdue by {overdue_days} day" in next_agenda.text()
    assert "Find Hope a refuge place" not in next_agenda.text()  # done: it does not come back
    assert next_agenda.accessibility_violations() == []

    # The held meeting's agenda, research pack and minutes download as a PDF: nothing to email.
    MaracPage(page, f"/marac/meetings/{held.public_id}/").open()
    with page.expect_download() as download:
        page.get_by_role("link", name="the same as a PDF").click()
    pdf = download.value
    assert pdf.suggested_filename.startswith("marac-") and pdf.suggested_filename.endswith(".pdf")
    with open(pdf.path(), "rb") as saved:
        assert saved.read(5) == b"%PDF-"

    # The coordinator's figures for the year count the two cases heard, naming no one.
    figures = MaracPage(page, f"/marac/figures/?area={marac.code}").open()
    assert "Cases heard" in figures.text() and "Hope Harbour" not in figures.text()
    assert figures.accessibility_violations() == []
