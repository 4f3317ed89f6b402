"""Exports in the browser: the MARAC coordinator reads the SafeLives data return and downloads it as CSV; an
auditor exports everything held about a person for a subject access request, first forgetting the reason.
axe-core finds nothing on any page."""

from datetime import date

import pytest

from tests import factories
from tests.journeys.pages import SignInPage, VigilPage
from vigil.audit.models import AuditEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("pdf_renderer")]


class Page(VigilPage):
    def __init__(self, page, path: str):
        super().__init__(page)
        self.path = path

    def text(self) -> str:
        return self.page.locator("main").inner_text()


def test_the_data_return_downloads_and_a_subject_access_export_needs_a_reason(page):
    marac = factories.marac_area_create(code="north")
    coordinator = factories.user_create(role="marac_coordinator", username="coordinator")
    meeting = factories.marac_meeting_create(area=marac, held_on=date(2026, 5, 12), status="held", chair=coordinator)
    victim = factories.person_record_create(given_name="Hope", family_name="Harbour", sex="F").person
    factories.marac_referral_create(area=marac, victim=victim, received_on=date(2026, 5, 1), meeting=meeting,
                                    status="heard")

    SignInPage(page).open().sign_in(coordinator.username, factories.TEST_PASSWORD)
    report = Page(page, "/marac/data-return/?area=north&start=2026-04-01&end=2026-06-30").open()
    assert "Cases discussed" in report.text() and "Harbour" not in report.text()
    assert report.accessibility_violations() == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the return as CSV").click()
    with open(download.value.path(), encoding="utf-8") as saved:
        assert saved.readline().startswith("marac_code,marac_name,period_from,period_to,cases_discussed")
    wrong = Page(page, "/marac/data-return/?start=2026-06-30&end=2026-04-01").open()
    assert "There is a problem" in wrong.text()
    assert wrong.accessibility_violations() == []

    page.context.clear_cookies()
    auditor = factories.user_create(role="auditor", username="auditor")
    SignInPage(page).open().sign_in(auditor.username, factories.TEST_PASSWORD)
    viewers = Page(page, f"/people/{victim.public_id}/viewers/").open()
    page.get_by_role("link", name="Export everything held about this person").click()
    page.wait_for_load_state()
    export = Page(page, "")
    assert export.accessibility_violations() == []
    page.get_by_label("A subject access request from the person").check()
    page.get_by_role("button", name="Export").click()
    page.wait_for_load_state()
    assert "Enter the reason for the disclosure" in export.text()
    assert export.accessibility_violations() == []
    assert not AuditEvent.objects.filter(action="disclosure").exists()
    page.get_by_label("Reason for the disclosure").fill("SAR 2026/0412 from the data subject")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export").click()
    with open(download.value.path(), "rb") as saved:
        assert saved.read(5) == b"%PDF-"
    assert AuditEvent.objects.filter(action="disclosure", subject_person_id=victim.public_id).exists()
    assert viewers.page.csp_violations == []
