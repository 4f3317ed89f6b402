"""The performance pack page and its downloads: what it shows, the charts' text alternatives, the content
security policy, bad dates, and the audit of looking and downloading."""

import csv
import io
from datetime import UTC, datetime

import pytest

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.incidents.models import Outcome

pytestmark = pytest.mark.django_db

QUERY = {"from": "2013-01-01", "to": "2013-12-31"}


@pytest.fixture
def data():
    city = factories.area_create(code="city", name="City")
    for day in range(1, 5):
        incident = factories.incident_create(area=city, received_at=datetime(2013, 3, day, 12, tzinfo=UTC),
                                             victim=factories.person_record_create())
        crime = factories.crime_create(incident=incident, recorded_at=datetime(2013, 3, day, 13, tzinfo=UTC))
        Outcome.objects.create(crime=crime, type="charge" if day % 2 else "caution",
                               decided_at=datetime(2013, 5, 1, tzinfo=UTC))
    factories.incident_create(domestic_abuse=False, area=city, received_at=datetime(2013, 3, 9, tzinfo=UTC))
    return city


def _get(client, role, name="insight:pack", **query):
    from django.urls import reverse

    user = factories.user_create(role=role)
    client.force_login(user)
    return user, client.get(reverse(name), query)


def test_an_analyst_sees_every_section_with_charts_and_their_text_alternatives(client, data):
    analyst, response = _get(client, "analyst", **QUERY)
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Performance pack", "Whole force, 1 January 2013 to 31 December 2013", "Domestic abuse share of calls", "80.0 %",
                 "Arrests per 100 domestic abuse crimes", "Outcomes of domestic abuse crimes",
                 "Charge and caution rates compared", "How each figure is worked out", "Most forces: 45 to 90",
                 "Download the figures (CSV)", "Download the pack (PDF)"):
        assert text in page, text
    assert page.count('role="img"') == 3
    assert page.count("<figcaption") == 3
    for chart in ("arrests", "outcomes", "rates"):
        assert f'aria-labelledby="{chart}-chart-title {chart}-chart-caption"' in page
    assert "Charge or summons 50.0 %" in page  # the outcomes chart's caption names every value
    event = AuditEvent.objects.get(object_type="insight.PerformancePack")
    assert (event.action, event.actor, event.subject_person_id) == ("consultation", analyst, None)


def test_the_page_keeps_to_the_content_security_policy(client, data):
    page = _get(client, "analyst", **QUERY)[1].content.decode()
    assert page.count("<script") == page.count("<script src=") + page.count('<script type="module" src=')
    assert "style=" not in page and "<style" not in page


def test_without_dates_the_12_months_to_the_latest_incident_are_shown(client, data):
    page = _get(client, "supervisor")[1].content.decode()
    assert "10 March 2012 to 9 March 2013" in page
    assert 'value="2012-03-10"' in page


def test_an_area_narrows_the_pack(client, data):
    factories.incident_create(area=factories.area_create(code="county", name="County"),
                              received_at=datetime(2013, 3, 9, tzinfo=UTC))
    page = _get(client, "analyst", area="city", **QUERY)[1].content.decode()
    assert "City, 1 January 2013 to 31 December 2013" in page
    assert "area=city" in page  # the downloads keep the area


@pytest.mark.parametrize(("query", "message"), [
    ({"from": "2013-02-30", "to": "2013-12-31"}, "Enter the start date as a real date"),
    ({"from": "2013-12-31", "to": "2013-01-01"}, "The end date must be the same as or after the start date"),
    ({"from": "2013-01-01"}, "Enter the end date as well as the start date"),
    ({"from": "2001-01-01", "to": "2013-01-01"}, "The period can be at most 10 years long"),
])
def test_bad_dates_are_explained(client, data, query, message):
    response = _get(client, "analyst", **query)[1]
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuditEvent.objects.filter(object_type="insight.PerformancePack").exists()


def test_the_csv_download_has_one_row_per_figure_and_is_audited_as_an_export(client, data):
    analyst, response = _get(client, "analyst", "insight:pack-csv", area="city", **QUERY)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == \
        'attachment; filename="vigil-performance-pack-city-20130101-20131231.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_key = {row["key"]: row for row in rows}
    assert by_key["da_share_of_calls_pct"]["value"] == "80.0"
    assert by_key["outcome_charge_pct"]["value"] == "50.0"
    assert by_key["survey.satisfied_pct"]["value"] == ""
    assert by_key["survey.satisfied_pct"]["not_available"] == "Vigil holds no victim survey responses yet"
    assert {row["area"] for row in rows} == {"City"}
    event = AuditEvent.objects.get(object_type="insight.PerformancePack")
    assert (event.action, event.actor) == ("export", analyst)
    assert event.detail["format"] == "csv" and event.detail["area"] == "city"


def test_an_area_name_cannot_start_a_spreadsheet_formula(client):
    factories.area_create(code="odd", name="=HYPERLINK(1)")
    response = _get(client, "analyst", "insight:pack-csv", area="odd", **QUERY)[1]
    assert "'=HYPERLINK(1)" in response.content.decode()


def test_the_pdf_download_is_audited_as_an_export(client, data):
    analyst, response = _get(client, "analyst", "insight:pack-pdf", **QUERY)
    if response.status_code == 503:
        pytest.skip(response.content.decode())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    event = AuditEvent.objects.get(object_type="insight.PerformancePack")
    assert (event.action, event.detail["format"]) == ("export", "pdf")


def test_a_pdf_that_cannot_be_made_here_is_a_503_and_not_audited_as_an_export(client, data, monkeypatch):
    from vigil import pdf

    def unavailable(html):
        raise pdf.PdfUnavailable("PDF documents need WeasyPrint")

    monkeypatch.setattr(pdf, "render_pdf", unavailable)
    response = _get(client, "analyst", "insight:pack-pdf", **QUERY)[1]
    assert response.status_code == 503 and "WeasyPrint" in response.content.decode()
    assert not AuditEvent.objects.filter(object_type="insight.PerformancePack", action="export").exists()


def test_the_page_is_never_cached(client, data):
    response = _get(client, "analyst", **QUERY)[1]
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.parametrize("role", ["partner_practitioner", "response_officer", "auditor"])
def test_others_may_not_see_or_download_it(client, data, role):
    for name in ("insight:pack", "insight:pack-csv"):
        agency = factories.agency_create(code="idva", kind="idva") if role == "partner_practitioner" else None
        from django.urls import reverse

        client.force_login(factories.user_create(role=role, agency=agency))
        assert client.get(reverse(name), QUERY).status_code == 403
    assert not AuditEvent.objects.filter(object_type="insight.PerformancePack").exists()


def test_the_navigation_links_to_it_for_analysts(client, data):
    page = _get(client, "analyst", **QUERY)[1].content.decode()
    assert 'href="/insight/pack/"' in page
