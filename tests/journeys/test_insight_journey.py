"""Insight in the browser (issue 9). An analyst imports an IDVA service's figures, opens the performance
pack, reads its charts, filters it to an area and downloads the CSV and the PDF; a survey call whose line
goes dead raises the urgent welfare check at the top of the case owner's "My work", after the owner has
acknowledged the briefing waiting at sign-in. axe-core finds nothing on any page."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests import factories
from tests.insight.lessons_factories import briefing_create
from tests.insight.survey_factories import surveyable_case
from tests.journeys.pages import SignInPage, VigilPage
from vigil.accounts.models import Agency
from vigil.audit.models import AuditEvent
from vigil.cases.models import Task
from vigil.incidents.models import Arrest, Outcome
from vigil.insight.models import BriefingAcknowledgement, PartnerFigure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDVA_CSV = ("agency_code,period_start,period_end,measure,value,unit,note\n"
            "idva-leics,2013-01-01,2013-12-31,High-risk victims supported,812,cases,IDVA annual return\n")


def no_violations(page) -> None:
    assert VigilPage(page).accessibility_violations() == []
    assert page.csp_violations == []


def sign_in_as(page, user) -> None:
    page.context.clear_cookies()
    SignInPage(page).open().sign_in(user.username, factories.TEST_PASSWORD)


@pytest.mark.usefixtures("pdf_renderer")
def test_an_analyst_imports_partner_figures_reads_the_pack_for_an_area_and_downloads_it(page, tmp_path: Path):
    city = factories.area_create(code="city", name="City")
    factories.agency_create(code="idva-leics", kind=Agency.Kind.IDVA, name="Leicestershire IDVA service")
    factories.user_create(role="analyst", username="analyst-pack")
    for day in range(1, 6):
        incident = factories.incident_create(area=city, received_at=datetime(2013, 3, day, 12, tzinfo=UTC),
                                             victim=factories.person_record_create())
        crime = factories.crime_create(incident=incident, recorded_at=datetime(2013, 3, day, 13, tzinfo=UTC))
        Outcome.objects.create(crime=crime, type="charge" if day % 2 else "nfa",
                               nfa_reason="" if day % 2 else "victim_does_not_support",
                               decided_at=datetime(2013, 5, 1, tzinfo=UTC))
        if day % 2:
            Arrest.objects.create(crime=crime, incident=incident, arrested_at=incident.received_at,
                                  person_record=factories.person_record_create(given_name="Pat"))

    SignInPage(page).open().sign_in("analyst-pack", factories.TEST_PASSWORD)
    # The IDVA service's figures: a bad file is refused with its line, a good one imported.
    page.get_by_role("link", name="Partner figures").click()
    page.wait_for_load_state()
    no_violations(page)
    bad = tmp_path / "bad.csv"
    bad.write_text(IDVA_CSV.replace("812", "eight hundred"), encoding="utf-8")
    page.get_by_label("Upload a CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Import the figures").click()
    page.wait_for_load_state()
    assert "Line 2: value must be a number" in page.locator(".govuk-error-summary").inner_text()
    no_violations(page)
    assert PartnerFigure.objects.count() == 0
    good = tmp_path / "idva.csv"
    good.write_text(IDVA_CSV, encoding="utf-8")
    page.get_by_label("Upload a CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Import the figures").click()
    page.wait_for_load_state()
    assert "1 partner figure imported" in page.locator("main").inner_text()
    no_violations(page)

    # The pack: a bad period is an error; then 2013 for the City area.
    page.get_by_role("link", name="Performance pack").click()
    page.wait_for_load_state()
    page.get_by_label("Start date").fill("2013-01-01")
    page.get_by_label("End date").fill("2012-12-31")
    page.get_by_role("button", name="Show the pack").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").is_visible()
    no_violations(page)

    page.get_by_label("End date").fill("2013-12-31")
    page.get_by_label("Area").select_option(label="City")
    page.get_by_role("button", name="Show the pack").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="City, 1 January 2013 to 31 December 2013").is_visible()
    for chart in ("Arrests per 100 domestic abuse crimes", "Outcomes of domestic abuse crimes",
                  "Charge and caution rates compared"):
        assert page.get_by_role("img", name=chart, exact=False).is_visible()
    assert "60.0" in page.locator("#arrests-chart-caption").inner_text()
    partners = page.locator("#partner-figures").inner_text()
    assert "High-risk victims supported" in partners and "812 cases" in partners
    assert page.locator("#survey-results").is_visible()
    no_violations(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the figures (CSV)").click()
    assert download.value.suggested_filename == "vigil-performance-pack-city-20130101-20131231.csv"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the pack (PDF)").click()
    assert download.value.suggested_filename == "vigil-performance-pack-city-20130101-20131231.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    exports = AuditEvent.objects.filter(object_type="insight.PerformancePack", action="export")
    assert sorted(e.detail["format"] for e in exports) == ["csv", "pdf"]


def test_a_dead_line_raises_the_welfare_check_the_owner_sees_after_reading_the_briefing(page):
    case = surveyable_case(given_name="Robin")
    caller = factories.user_create(role="analyst", username="caller")
    briefing = briefing_create(roles=("neighbourhood_officer",), title="Stalking is a risk factor")

    sign_in_as(page, caller)
    page.get_by_role("link", name="Victim surveys").click()
    page.wait_for_load_state()
    no_violations(page)
    page.get_by_role("link", name="Call Robin", exact=False).click()
    page.wait_for_load_state()
    no_violations(page)
    page.get_by_role("group", name="Did you call the victim's recorded safe number?").get_by_label("Yes").check()
    page.get_by_label("Yes, the victim says it is safe to talk now").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    no_violations(page)
    page.get_by_role("button", name="The line went dead").click()
    page.wait_for_load_state()
    assert "Ask the control room for an immediate response now" in page.locator("main").inner_text()
    no_violations(page)
    task = Task.objects.get(kind=Task.Kind.WELFARE_CHECK, case=case)
    assert task.urgent and task.assignee == case.owner

    # The case owner signs in: the briefing comes first, then their work, the welfare check at the top.
    sign_in_as(page, case.owner)
    assert page.get_by_role("heading", name="Briefings for you").is_visible()
    no_violations(page)
    page.get_by_role("button", name="I have read this briefing").click()
    page.wait_for_load_state()
    assert BriefingAcknowledgement.objects.filter(briefing=briefing, user=case.owner).count() == 1
    no_violations(page)
    page.locator("#continue").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="My work").first.click()
    page.wait_for_load_state()
    assert task.title in page.locator("main").inner_text()
    no_violations(page)
