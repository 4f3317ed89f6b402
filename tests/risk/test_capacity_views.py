"""The capacity analysis page: who may see it, what it shows, and the audit of looking at it.

The risk URLs are switched on by the lead once every risk view exists; until then these tests call the
view through RequestFactory, and the Client tests skip."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.risk.capacity_views import capacity_analysis
from vigil.risk.models import GradingDecision

pytestmark = pytest.mark.django_db

MONDAY = datetime(2013, 3, 4, 9, tzinfo=UTC)


def review(*, at: datetime, previous: str, grade: str, by, area=None) -> GradingDecision:
    victim = factories.person_record_create()
    incident = factories.incident_create(received_at=at - timedelta(days=1), area=area)
    assessment = factories.risk_assessment_create(incident=incident, victim=victim, grade=grade)
    return GradingDecision.objects.create(assessment=assessment, stage="specialist", grade=grade,
                                          previous_grade=previous, rationale="Reviewed with the victim.",
                                          decided_by=by, decided_at=at, victim_contacted=True)


@pytest.fixture
def reviews():
    """Eight weeks: the unit's caseload grows by two high-risk cases a week, and so do the downgrades."""
    specialist = factories.user_create(role="specialist_investigator")
    area = factories.area_create()
    for week in range(8):
        at = MONDAY + timedelta(weeks=week)
        for _ in range(2):
            factories.case_create(victim=factories.person_record_create(), risk_level="high",
                                  incident=factories.incident_create(received_at=at - timedelta(days=3), area=area))
        for n in range(4):
            downgraded = n < week // 2
            review(at=at + timedelta(hours=n), previous="high", grade="medium" if downgraded else "high",
                   by=specialist, area=area)
    return area


def get(user, **params):
    request = RequestFactory().get("/risk/capacity/", params)
    request.user = user
    return capacity_analysis(request)


def test_an_analyst_sees_the_report_and_the_look_is_audited(reviews):
    analyst = factories.user_create(role="analyst")
    response = get(analyst, **{"from": "2013-03-01", "to": "2013-04-30"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Capacity analysis" in page
    assert "Downgrade rate by caseload band" in page
    assert "Cochran–Armitage" in page and "Spearman" in page
    assert "<svg" in page and "<figcaption" in page
    assert "specialists downgraded more often" in page or "no evidence" in page
    assert "Weeks from 4 March 2013 to 28 April 2013" in page
    event = AuditEvent.objects.get(object_type="risk.CapacityAnalysis")
    assert event.action == "consultation" and event.actor == analyst
    assert event.detail == {"from": "2013-03-01", "to": "2013-04-30", "area": "", "weeks": 8, "reviews": 32}


def test_the_page_keeps_to_the_content_security_policy(reviews):
    page = get(factories.user_create(role="analyst"), **{"from": "2013-03-01", "to": "2013-04-30"}).content.decode()
    assert page.count("<script") == page.count("<script src=") + page.count('<script type="module" src=')
    assert "style=" not in page
    assert "<style" not in page


def test_without_dates_the_last_twelve_months_of_data_are_shown(reviews):
    page = get(factories.user_create(role="supervisor")).content.decode()
    # The latest review is in the week of 22 April 2013: 52 weeks end with it.
    assert "Weeks from 30 April 2012 to 28 April 2013" in page
    assert 'value="2012-04-30"' in page


def test_an_area_narrows_the_analysis(reviews):
    other = factories.area_create(code="county", name="County", districts="LE9")
    page = get(factories.user_create(role="analyst"), **{"from": "2013-03-01", "to": "2013-04-30",
                                                        "area": other.code}).content.decode()
    assert "no specialist reviews in this period" in page
    assert AuditEvent.objects.get(object_type="risk.CapacityAnalysis").detail["area"] == "county"


@pytest.mark.parametrize(("params", "message"), [
    ({"from": "2013-13-01", "to": "2013-04-30"}, "Enter the start date as a real date in the form YYYY-MM-DD"),
    ({"from": "yesterday", "to": "2013-04-30"}, "Enter the start date as a real date"),
    ({"from": "2013-05-01", "to": "2013-04-30"}, "The end date must be the same as or after the start date"),
    ({"from": "2013-03-01"}, "Enter the end date as well as the start date"),
    ({"from": "2013-03-05", "to": "2013-03-12"}, "The period must include a whole week from Monday to Sunday"),
])
def test_bad_dates_are_explained(reviews, params, message):
    response = get(factories.user_create(role="analyst"), **params)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert not AuditEvent.objects.filter(object_type="risk.CapacityAnalysis").exists()


def test_with_no_reviews_at_all_the_page_says_so():
    page = get(factories.user_create(role="analyst")).content.decode()
    assert "No specialist reviews have been recorded yet" in page


@pytest.mark.parametrize("role", ["call_taker", "response_officer", "auditor"])
def test_other_roles_may_not_see_it(role):
    with pytest.raises(PermissionDenied):
        get(factories.user_create(role=role))


def _url():
    try:
        return reverse("risk:capacity")
    except NoReverseMatch:
        pytest.skip("the risk URLs are not switched on yet (src/vigil/urls.py)")


def test_through_the_site_an_analyst_gets_the_page_and_a_call_taker_403(client, reviews):
    url = _url()
    client.force_login(factories.user_create(role="call_taker"))
    assert client.get(url).status_code == 403
    client.force_login(factories.user_create(role="analyst"))
    response = client.get(url, {"from": "2013-03-01", "to": "2013-04-30"})
    assert response.status_code == 200
    assert b"Downgrade rate by caseload band" in response.content
