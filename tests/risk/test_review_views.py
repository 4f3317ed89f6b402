"""Supervision and specialist review pages: who may use them, the decision flow, the queues and report."""

from datetime import timedelta

import pytest
from django.urls import include, path, reverse
from django.utils import timezone

from tests import factories
from tests.risk.test_review import RATIONALE, submitted
from vigil.audit.models import AuditEvent
from vigil.risk import review_views
from vigil.risk.models import GradingDecision, ReviewOpening
from vigil.urls import urlpatterns as site_urlpatterns

# This module is its own URLconf: the site's, plus the review pages under "risk" (the site's risk URLs
# are switched on once every risk page exists).
risk_patterns = ([
    path("supervision/", review_views.supervision_queue, name="supervision"),
    path("supervision/report/", review_views.supervision_report, name="supervision-report"),
    path("<uuid:public_id>/supervise/", review_views.supervise, name="supervise"),
    path("specialist/", review_views.specialist_queue, name="specialist"),
    path("<uuid:public_id>/specialist-review/", review_views.specialist_review, name="specialist-review"),
], "risk")
urlpatterns = [*site_urlpatterns, path("risk/", include(risk_patterns))]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture
def officer():
    return factories.user_create(role="response_officer")


@pytest.fixture
def supervisor():
    return factories.user_create(role="supervisor")


@pytest.fixture
def specialist():
    return factories.user_create(role="specialist_investigator")


@pytest.fixture
def assessment(officer):
    now = timezone.now()
    return submitted(officer=officer, grade="medium", submitted_at=now - timedelta(hours=2))


@pytest.mark.parametrize("role", ["response_officer", "specialist_investigator", "analyst", "call_taker"])
def test_only_supervisors_supervise(client, assessment, role):
    client.force_login(factories.user_create(role=role))
    url = reverse("risk:supervise", args=[assessment.public_id])
    assert client.get(url).status_code == 403
    assert client.post(url, {"grade": "high", "rationale": RATIONALE}).status_code == 403
    assert client.get(reverse("risk:supervision")).status_code == 403
    assert not ReviewOpening.objects.exists()
    assert not GradingDecision.objects.filter(stage="supervisor").exists()


@pytest.mark.parametrize("role", ["response_officer", "supervisor", "analyst"])
def test_only_specialist_investigators_review_as_specialists(client, assessment, role):
    client.force_login(factories.user_create(role=role))
    assert client.get(reverse("risk:specialist")).status_code == 403
    assert client.get(reverse("risk:specialist-review", args=[assessment.public_id])).status_code == 403


@pytest.mark.parametrize("role,status", [("supervisor", 200), ("analyst", 200), ("specialist_investigator", 403),
                                         ("response_officer", 403)])
def test_who_sees_the_supervision_report(client, role, status):
    client.force_login(factories.user_create(role=role))
    assert client.get(reverse("risk:supervision-report")).status_code == status


def test_signed_out_users_are_sent_to_sign_in(client, assessment):
    response = client.get(reverse("risk:supervise", args=[assessment.public_id]))
    assert response.status_code == 302 and "next=" in response["Location"]


def test_the_queue_lists_the_assessment_with_its_deadline(client, supervisor, assessment):
    client.force_login(supervisor)
    page = client.get(reverse("risk:supervision"))
    content = page.content.decode()
    assert page.status_code == 200
    assert assessment.incident.reference in content and reverse("risk:supervise", args=[assessment.public_id]) in content
    assert "Due" in content and "Overdue" not in content.split("<table")[1]
    assert AuditEvent.objects.filter(action="consultation", actor=supervisor, object_id="queue",
                                     subject_person_id=assessment.victim.person.public_id).exists()


def test_supervise_get_opens_the_whole_assessment_with_nothing_preselected(client, supervisor, assessment):
    client.force_login(supervisor)
    page = client.get(reverse("risk:supervise", args=[assessment.public_id]))
    content = page.content.decode()
    assert page.status_code == 200
    assert ReviewOpening.objects.filter(assessment=assessment, opened_by=supervisor, stage="supervisor").exists()
    assert "He said he would kill me" in content and "Answers not recorded" in content
    assert "History of the grading" in content and "Attending officer" in content
    assert 'type="radio"' in content and " checked" not in content
    assert "Medium risk – the officer&#x27;s grading" in content
    assert "Record supervision decision" in content


def test_supervise_post_errors_are_summarised(client, supervisor, assessment):
    client.force_login(supervisor)
    url = reverse("risk:supervise", args=[assessment.public_id])
    client.get(url)
    page = client.post(url, {"grade": "", "rationale": "ok"})
    content = page.content.decode()
    assert page.status_code == 200 and "There is a problem" in content
    assert 'href="#id_grade"' in content and 'href="#id_rationale"' in content
    assert "Choose standard, medium or high." in content
    assert not GradingDecision.objects.filter(stage="supervisor").exists()


def test_supervise_post_amends_and_returns_to_the_queue(client, supervisor, assessment):
    client.force_login(supervisor)
    url = reverse("risk:supervise", args=[assessment.public_id])
    client.get(url)
    response = client.post(url, {"grade": "high", "rationale": "Threats to kill and recent separation: high."},
                           follow=True)
    assert response.redirect_chain == [(reverse("risk:supervision"), 302)]
    assert "amended from medium to high" in response.content.decode()
    decision = GradingDecision.objects.get(stage="supervisor")
    assert decision.grade == "high" and decision.previous_grade == "medium" and decision.decided_by == supervisor
    page = client.get(url).content.decode()  # decided: the history shows it, and no form
    assert "Amended from medium" in page and "Already decided" in page and "<form method=\"post\" novalidate>" not in page


def test_supervise_post_without_having_opened_shows_the_rule(client, supervisor, assessment):
    client.force_login(supervisor)
    page = client.post(reverse("risk:supervise", args=[assessment.public_id]),
                       {"grade": "medium", "rationale": RATIONALE})
    assert "Open and read the whole assessment first" in page.content.decode()
    assert not GradingDecision.objects.filter(stage="supervisor").exists()


def test_own_assessment_shows_no_form(client, supervisor):
    own = submitted(officer=supervisor, submitted_at=timezone.now())
    client.force_login(supervisor)
    url = reverse("risk:supervise", args=[own.public_id])
    content = client.get(url).content.decode()
    assert "You made this assessment" in content and "Record supervision decision" not in content
    client.post(url, {"grade": "medium", "rationale": RATIONALE})
    assert not GradingDecision.objects.filter(stage="supervisor").exists()


def test_specialist_review_flow_with_contact_question(client, supervisor, specialist, officer):
    now = timezone.now()
    routed = submitted(officer=officer, grade="high", reasons=["Graded high risk"], submitted_at=now)
    client.force_login(supervisor)
    url = reverse("risk:supervise", args=[routed.public_id])
    client.get(url)
    client.post(url, {"grade": "high", "rationale": RATIONALE})

    client.force_login(specialist)
    queue = client.get(reverse("risk:specialist")).content.decode()
    review_url = reverse("risk:specialist-review", args=[routed.public_id])
    assert review_url in queue and "Graded high risk" in queue
    page = client.get(review_url).content.decode()
    assert "Was the victim contacted?" in page and "Record specialist review" in page
    errors = client.post(review_url, {"grade": "medium", "rationale": RATIONALE}).content.decode()
    assert "Say whether the victim was contacted." in errors and 'href="#id_victim_contacted"' in errors
    response = client.post(review_url, {"grade": "medium", "rationale": "Suspect remanded; no contact possible yet.",
                                        "victim_contacted": "no"}, follow=True)
    assert response.redirect_chain == [(reverse("risk:specialist"), 302)]
    content = response.content.decode()
    assert "flagged to the unit&#x27;s manager" in content and "Flagged to the unit's manager" in content
    decision = GradingDecision.objects.get(stage="specialist")
    assert decision.flagged_to_manager and decision.victim_contacted is False

    client.force_login(supervisor)  # the manager's banner on the supervision queue too
    assert routed.incident.reference in client.get(reverse("risk:supervision")).content.decode()


def test_report_shows_a_table_and_period_errors(client, supervisor, officer, assessment):
    client.force_login(supervisor)
    url = reverse("risk:supervise", args=[assessment.public_id])
    client.get(url)
    client.post(url, {"grade": "medium", "rationale": RATIONALE})
    analyst = factories.user_create(role="analyst")
    client.force_login(analyst)
    page = client.get(reverse("risk:supervision-report")).content.decode()
    assert supervisor.username in page and "Median minutes" in page and "1 review" in page
    bad = client.get(reverse("risk:supervision-report"), {"period_from": "31/3/2026", "period_to": "1/3/2026"})
    content = bad.content.decode()
    assert "There is a problem" in content and "The last day must be the same as or after the first day" in content
    missing = client.get(reverse("risk:supervision-report"), {"period_from": "March", "period_to": ""}).content.decode()
    assert "Enter the first day as a date" in missing and "Enter the last day of the period" in missing


def test_supervise_page_shows_every_answer_and_the_floor(client, supervisor, officer):
    from tests.risk.test_review import DEFINITION
    from vigil.risk.models import Instrument

    instrument = Instrument.objects.create(code="review-test", version="1", name="Review test", definition=DEFINITION,
                                           loaded_at=timezone.now())
    assessment = submitted(officer=officer, grade="high", instrument=instrument, yes=14, submitted_at=timezone.now())
    client.force_login(supervisor)
    content = client.get(reverse("risk:supervise", args=[assessment.public_id])).content.decode()
    assert "16. Question 16?" in content and "He hit me with a pan" in content and "Afraid of being killed" in content
    assert "Asked of the victim at the scene" in content and "Lowest grade allowed" in content


def test_a_restricted_victim_must_be_opened_with_a_reason_first(client, supervisor, assessment):
    person = assessment.victim.person
    person.restricted = True
    person.save()
    client.force_login(supervisor)
    content = client.get(reverse("risk:supervise", args=[assessment.public_id])).content.decode()
    assert "Open the restricted record" in content and "He said he would kill me" not in content
    assert not ReviewOpening.objects.exists()
    assert "Restricted record" in client.get(reverse("risk:supervision")).content.decode()
