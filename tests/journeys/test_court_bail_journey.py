"""The court grants bail and the victim is not surprised: the case owner records the charge and the remand
for court; the court bails the suspect with conditions; the owner is prompted with an urgent task to tell
the victim, logs the call on the safe number and the task is done; then a call taker looking up the
victim's address sees the bail conditions in the control room's history. axe-core on every page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.journeys.pages import CallsPage, SignInPage, VigilPage
from vigil.cases.models import Contact, Task
from vigil.checks.defaults import defaults_install
from vigil.people.models import SafeContact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

URGENT_TASK = "Tell the victim the court granted bail with conditions"


class CasePage(VigilPage):
    """The safeguarding case page, with its custody and victim-contact sections."""

    def __init__(self, page, case):
        super().__init__(page)
        self.path = f"/cases/{case.public_id}/"

    def custody_text(self) -> str:
        return self.page.locator("#custody").locator("xpath=..").inner_text()

    def contact_text(self) -> str:
        return self.page.locator("#contacts").locator("xpath=..").inner_text()

    def follow(self, link: str):
        self.page.get_by_role("link", name=link).first.click()
        self.page.wait_for_load_state()
        return FormPage(self.page)


class FormPage(VigilPage):
    def choose(self, label: str):
        self.page.get_by_label(label, exact=True).check()

    def fill(self, label: str, value: str):
        self.page.get_by_label(label, exact=True).fill(value)

    def submit(self, button: str):
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=button).click()
        self.page.wait_for_load_state()


def test_the_court_bails_the_suspect_the_victim_is_told_and_the_control_room_sees_the_conditions(page):
    defaults_install()
    address = factories.address_create(line1="27 Synthetic Avenue", postcode="LE1 6ZZ")
    victim = factories.person_record_create(given_name="Vera", family_name="Testcase", address=address)
    suspect = factories.person_record_create(given_name="Sam", family_name="Testcase")
    incident = factories.incident_create(address=address, victim=victim, suspect=suspect,
                                         received_at=timezone.now() - timedelta(days=1))
    team = factories.team_create(kind="neighbourhood")
    owner = factories.user_create(role="neighbourhood_officer", teams=[team], username="case-owner")
    case = factories.case_create(victim=victim, incident=incident, owner=owner, owning_team=team)
    SafeContact.objects.create(person=victim.person, phone=factories.phone_create(number="07700 900321"),
                               safe_times="Weekdays 10:00 to 14:00", updated_at=timezone.now())
    call_taker = factories.user_create(role="call_taker", username="call-taker-bail")
    tomorrow = timezone.localdate() + timedelta(days=1)

    SignInPage(page).open().sign_in(owner.username, factories.TEST_PASSWORD)
    case_page = CasePage(page, case).open()
    assert "No arrest recorded." in case_page.custody_text()
    assert case_page.accessibility_violations() == []

    # The arrest (the incident's suspect, at the time offered: now), then the charge and remand for court.
    form = case_page.follow("Record an arrest")
    assert "Suspect: Sam Testcase" in page.content()
    assert form.accessibility_violations() == []
    form.submit("Record the arrest")
    form = CasePage(page, case).follow("Record what happened")
    form.choose("Charged and remanded for court")
    form.fill("Court hearing the remand application (for a remand only)", "Leicester Magistrates' Court")
    form.fill("Date of the hearing (for a remand only)", tomorrow.isoformat())
    form.fill("Time of the hearing (for a remand only)", "10:00")
    assert form.accessibility_violations() == []
    form.submit("Record the decision")
    custody = case_page.custody_text()
    assert "Charged and remanded for court" in custody and "Waiting for the hearing's outcome" in custody
    assert "Find out the outcome of the remand hearing" in page.locator("#tasks").locator("xpath=..").inner_text()

    # The court grants bail with conditions.
    form = case_page.follow("Record the court's decision")
    form.choose("Court granted bail")
    form.fill("Bail conditions (for bail only)", "Not to contact Vera Testcase\nNot to enter Synthetic Avenue")
    form.fill("Next court date (for bail only)", (tomorrow + timedelta(days=27)).isoformat())
    assert form.accessibility_violations() == []
    form.submit("Record the court's decision")
    assert "Court bail recorded: tell the victim today" in page.content()
    custody = case_page.custody_text()
    assert "Court granted bail" in custody and "Not to enter Synthetic Avenue" in custody

    # The owner is prompted: an urgent task on the case page and in "My work".
    task = Task.objects.get(case=case, kind=Task.Kind.COURT_BAIL_TELL_VICTIM)
    card = page.locator(f"#task-{task.public_id}")
    assert URGENT_TASK in card.inner_text() and "Urgent" in card.inner_text()
    assert case_page.accessibility_violations() == []
    page.goto("/cases/my-work/")
    assert URGENT_TASK in page.locator("main").inner_text()
    assert VigilPage(page).accessibility_violations() == []

    # The owner calls the victim on the safe number, tells them about the court's bail, and logs it.
    case_page.open()
    prompt = page.locator(f"#contact-task-{task.public_id}")
    assert "Urgent" in prompt.inner_text()
    with page.expect_navigation():
        prompt.get_by_role("link", name="Log the contact").click()
    form = FormPage(page)
    assert "Safe number: +447700900321" in page.locator("#safe-number").inner_text()
    assert page.get_by_label("Court granted bail", exact=True).is_checked()  # what the task asks to tell
    form.choose("Telephone")
    page.get_by_role("group", name="Did you call the victim's recorded safe number?").get_by_label(
        "Yes", exact=True).check()
    form.choose("Spoke to the victim")
    form.fill("Note (optional)", "Explained the conditions; she will call 999 if he comes to the street")
    assert form.accessibility_violations() == []
    form.submit("Log the contact")
    assert f"Task done: {URGENT_TASK}" in page.content()
    task.refresh_from_db()
    assert task.status == "done" and task.done_by == owner
    contact = Contact.objects.get(case=case)
    assert contact.safe_number_used and contact.told == ["court_bail"]
    contacts = case_page.contact_text()
    assert "Court granted bail" in contacts and "(safe number)" in contacts
    assert page.locator(f"#task-{task.public_id}").count() == 0  # no longer waiting
    assert case_page.accessibility_violations() == []
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()

    # A call from the victim's address: the call taker sees the bail conditions while the caller is on the line.
    SignInPage(page).open().sign_in(call_taker.username, factories.TEST_PASSWORD)
    intake = CallsPage(page).open().record_new_999_call()
    intake.find_address(postcode="le1 6zz", house="27")
    intake.choose_address("27 Synthetic Avenue")
    page.locator("#history").filter(has_text="Bail conditions").wait_for()
    history = intake.history_text()
    assert "Not to enter Synthetic Avenue" in history
    assert intake.accessibility_violations() == []
    assert page.csp_violations == []
