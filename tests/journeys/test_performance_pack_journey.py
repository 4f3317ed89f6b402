"""The performance pack in the browser: an analyst chooses a period and an area, reads the charts and the
tables, and downloads the CSV. axe-core finds nothing on the page, with and without errors."""

from datetime import UTC, datetime

import pytest

from tests import factories
from tests.journeys.pages import SignInPage, VigilPage
from vigil.audit.models import AuditEvent
from vigil.incidents.models import Arrest, Outcome

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_analyst_reads_the_pack_for_an_area_and_downloads_it(page, live_server):
    city = factories.area_create(code="city", name="City")
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
    page.get_by_role("link", name="Performance pack").click()
    page.wait_for_load_state()
    page.get_by_label("Start date").fill("2013-01-01")
    page.get_by_label("End date").fill("2012-12-31")
    page.get_by_role("button", name="Show the pack").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").is_visible()
    assert VigilPage(page).accessibility_violations() == []

    page.get_by_label("End date").fill("2013-12-31")
    page.get_by_label("Area").select_option(label="City")
    page.get_by_role("button", name="Show the pack").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="City, 1 January 2013 to 31 December 2013").is_visible()
    assert page.get_by_role("img", name="Arrests per 100 domestic abuse crimes", exact=False).is_visible()
    assert "60.0" in page.locator("#arrests-chart-caption").inner_text()
    assert VigilPage(page).accessibility_violations() == []
    assert page.csp_violations == []

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the figures (CSV)").click()
    assert download.value.suggested_filename == "vigil-performance-pack-city-20130101-20131231.csv"
    assert AuditEvent.objects.filter(object_type="insight.PerformancePack", action="export").count() == 1
