"""Partner figures: the CSV rules (every error by its line, nothing kept when one row is bad), the import
(saved together, audited, refused for anyone but an analyst, never twice), the upload page, and the
figures overlapping the pack's period shown in the pack with the survey results."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.insight.survey_factories import complete_answers, surveyable_case
from vigil.accounts.models import Agency
from vigil.audit.models import AuditEvent
from vigil.insight import partner_figures as rules
from vigil.insight import survey_services, surveys
from vigil.insight.models import PartnerFigure
from vigil.insight.partner_services import partner_figures_import, partner_figures_overlapping

HEADER = "agency_code,period_start,period_end,measure,value,unit,note\n"
GOOD = (HEADER
        + "idva-leics,2012-09-01,2013-08-31,High-risk victims supported,812,cases,IDVA annual return\n"
        + "idva-leics,2013-04-01,2013-06-30,Victims engaging after first contact,71.5,%,\n")


# --- the plain rules -------------------------------------------------------------------------------------

def test_a_good_file_gives_its_rows():
    rows = rules.parse(("\ufeff" + GOOD).encode(), agency_codes={"idva-leics"})
    assert [(r.line, r.measure, r.value, r.unit) for r in rows] == [
        (2, "High-risk victims supported", Decimal("812"), "cases"),
        (3, "Victims engaging after first contact", Decimal("71.5"), "%")]
    assert rows[0].period_start == date(2012, 9, 1) and rows[0].note == "IDVA annual return"


def test_every_bad_row_is_reported_by_its_line():
    content = (HEADER
               + "idva-leics,2013-01-01,2013-01-31,Referrals,10,cases,\n"
               + "nobody,2013-02-30,2013-01-31,,ten,cases,\n"
               + "idva-leics,2013-03-01,2013-02-01,Referrals,1.23456,,\n"
               + "idva-leics,2013-01-01\n"
               + "idva-leics,2013-01-01,2013-01-31,referrals,11,cases,\n")
    with pytest.raises(rules.FileRejected) as error:
        rules.parse(content.encode(), agency_codes={"idva-leics"})
    assert error.value.errors == [
        "Line 3: agency_code 'nobody' is not a partner agency in Vigil",
        "Line 3: period_start must be a date like 2013-08-31, not '2013-02-30'",
        "Line 3: measure is empty",
        "Line 3: value must be a number, not 'ten'",
        "Line 4: period_end is before period_start",
        "Line 4: value can have at most 4 decimal places",
        "Line 5: has 2 columns, not 7",
        "Line 6: the same agency, period and measure as line 2",
    ]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "The file is empty"),
    (b"agency,start\n", "Line 1 must be the header"),
    (HEADER.encode(), "The file has no figures"),
    ("agency_code,period_start,period_end,measure,value,unit,note\nidva,2013-01-01,2013-01-01,Caf\xe9,1,,\n"
     .encode("latin-1"), "UTF-8"),
    (HEADER.encode() + b"idva,20130101,2013-01-01,X,1,,\n", "period_start must be a date"),
    (HEADER.encode() + b"idva,2013-01-01,2013-01-01,X,NaN,,\n", "value must be a number"),
])
def test_a_file_that_is_not_right_is_refused_with_a_clear_reason(content, message):
    with pytest.raises(rules.FileRejected) as error:
        rules.parse(content, agency_codes={"idva"})
    assert message in error.value.errors[0]


# --- the import ------------------------------------------------------------------------------------------

@pytest.fixture
def idva(db):
    factories.agency_create()  # the force
    return factories.agency_create(code="idva-leics", kind=Agency.Kind.IDVA, name="Leicestershire IDVA service")


@pytest.mark.django_db
def test_an_analyst_imports_a_file_and_it_is_audited(idva):
    analyst = factories.user_create(role="analyst")
    figures = partner_figures_import(by=analyst, content=GOOD.encode())
    assert len(figures) == 2 and PartnerFigure.objects.count() == 2
    first = PartnerFigure.objects.get(measure="High-risk victims supported")
    assert (first.agency, first.value, first.imported_by) == (idva, Decimal("812"), analyst)
    event = AuditEvent.objects.get(object_type="insight.PartnerFigure")
    assert (event.action, event.actor, event.subject_person_id) == ("collection", analyst, None)
    assert event.detail["figures"] == 2 and event.detail["agencies"] == ["idva-leics"]
    assert (event.detail["from"], event.detail["to"]) == ("2012-09-01", "2013-08-31")


@pytest.mark.django_db
def test_nothing_is_kept_when_a_row_is_bad_or_was_imported_before(idva):
    analyst = factories.user_create(role="analyst")
    with pytest.raises(rules.FileRejected):
        partner_figures_import(by=analyst, content=(GOOD + "force,2013-01-01,2013-01-31,Calls,5,,\n").encode())
    assert PartnerFigure.objects.count() == 0  # the force is not a partner agency: nothing saved
    partner_figures_import(by=analyst, content=GOOD.encode())
    with pytest.raises(rules.FileRejected) as error:
        partner_figures_import(by=analyst, content=GOOD.encode())
    assert error.value.errors[0].startswith("Line 2: 'High-risk victims supported' for idva-leics")
    assert PartnerFigure.objects.count() == 2
    assert AuditEvent.objects.filter(object_type="insight.PartnerFigure").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["supervisor", "control_room_supervisor", "administrator", "partner_practitioner"])
def test_only_an_analyst_may_import(idva, role):
    with pytest.raises(PermissionDenied):
        partner_figures_import(by=factories.user_create(role=role), content=GOOD.encode())


@pytest.mark.django_db
def test_the_figures_overlapping_a_period(idva):
    partner_figures_import(by=factories.user_create(role="analyst"), content=GOOD.encode())
    names = lambda start, end: [f.measure for f in partner_figures_overlapping(start=start, end=end)]  # noqa: E731
    assert names(date(2013, 6, 30), date(2013, 12, 31)) == ["High-risk victims supported",
                                                             "Victims engaging after first contact"]
    assert names(date(2013, 7, 1), date(2013, 12, 31)) == ["High-risk victims supported"]
    assert names(date(2013, 9, 1), date(2013, 12, 31)) == []


# --- the pages -------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_upload_page_imports_a_good_file_and_lists_every_error_of_a_bad_one(client, idva):
    client.force_login(factories.user_create(role="analyst"))
    url = reverse("insight:partner-figures")
    page = client.get(url)
    assert page.status_code == 200 and HEADER.strip() in page.content.decode()
    bad = client.post(url, {"file": SimpleUploadedFile(
        "idva.csv", (GOOD + "idva-leics,2013-01-01,2012-01-01,Referrals,x,,\n").encode(), "text/csv")})
    body = bad.content.decode()
    assert bad.status_code == 400 and "There is a problem" in body
    assert "Line 4: period_end is before period_start" in body and "Line 4: value must be a number" in body
    assert PartnerFigure.objects.count() == 0
    assert client.post(url, {}).status_code == 400
    good = client.post(url, {"file": SimpleUploadedFile("idva.csv", GOOD.encode(), "text/csv")}, follow=True)
    assert good.status_code == 200 and "2 partner figures imported" in good.content.decode()
    assert PartnerFigure.objects.count() == 2


@pytest.mark.django_db
def test_the_pack_shows_the_partner_figures_and_the_survey_results(client, idva):
    partner_figures_import(by=factories.user_create(role="analyst"), content=GOOD.encode())
    caller = factories.user_create(role="analyst")
    survey = survey_services.survey_start(case=surveyable_case(), by=caller, safe_number_used=True,
                                          first_step=surveys.SAFE_TO_TALK)
    survey_services.survey_record(survey=survey, by=caller, outcome=surveys.COMPLETED,
                                  answers=complete_answers(call__comment="Private words"))
    today = timezone.now().date()
    recent = {"from": (today.replace(day=1) - timedelta(days=300)).isoformat(), "to": today.isoformat()}
    year_2013 = {"from": "2013-01-01", "to": "2013-12-31"}

    client.force_login(factories.user_create(role="analyst"))
    body = client.get(reverse("insight:pack"), year_2013).content.decode()
    assert 'id="partner-figures"' in body and "High-risk victims supported" in body and "812 cases" in body
    assert "Leicestershire IDVA service" in body and "IDVA annual return" in body
    body = client.get(reverse("insight:pack"), recent).content.decode()
    assert 'id="survey-results"' in body and "Private words" in body  # an analyst reads comments

    client.force_login(factories.user_create(role="control_room_supervisor"))
    body = client.get(reverse("insight:pack"), recent).content.decode()
    assert 'id="survey-results"' in body and "Private words" not in body
    assert "812 cases" in client.get(reverse("insight:pack"), year_2013).content.decode()

    later = {"from": "2014-01-01", "to": "2014-01-31"}
    body = client.get(reverse("insight:pack"), later).content.decode()
    assert "No partner figures have been imported for this period." in body


@pytest.mark.django_db
def test_the_pack_document_holds_the_partner_figures_and_survey_results_without_comments(idva):
    from vigil.insight.pack_selectors import PackPeriod, pack_compute
    from vigil.insight.pack_views import pack_document_html, pack_extras

    partner_figures_import(by=factories.user_create(role="analyst"), content=GOOD.encode())
    period = PackPeriod(date(2013, 1, 1), date(2013, 12, 31))
    html = pack_document_html(pack_compute(period=period, now=datetime(2014, 1, 1, tzinfo=UTC)),
                              extras=pack_extras(viewer=None, period=period))
    assert "Victims engaging after first contact" in html and "71.5 %" in html
    assert 'id="survey-results"' in html


@pytest.mark.django_db
@pytest.mark.usefixtures("pdf_renderer")
def test_the_pdf_holds_the_charts_survey_results_and_partner_figures(client, idva):
    partner_figures_import(by=factories.user_create(role="analyst"), content=GOOD.encode())
    client.force_login(factories.user_create(role="analyst"))
    response = client.get(reverse("insight:pack-pdf"), {"from": "2013-01-01", "to": "2013-12-31"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
