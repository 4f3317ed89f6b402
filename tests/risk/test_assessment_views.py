"""The officer's assessment pages over HTTP."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.factories import incident_create, person_record_create, user_create
from vigil.risk.models import Answer, RiskAssessment

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 26, 22, 0, tzinfo=UTC)


@pytest.fixture
def officer(client):
    user = user_create(role="response_officer")
    client.force_login(user)
    return user


@pytest.fixture
def started(client, officer):
    victim = person_record_create()
    incident = incident_create(received_at=NOW, victim=victim, status="open")
    response = client.post(reverse("risk:assessment-start", args=[incident.public_id]),
                           {"victim": str(victim.public_id)})
    assessment = RiskAssessment.objects.get(officer=officer)
    assert response["Location"] == reverse("risk:assessment", args=[assessment.public_id])
    return assessment


def test_the_form_shows_every_dash_question_with_why_it_matters(client, started):
    page = client.get(reverse("risk:assessment", args=[started.public_id])).content.decode()
    assert page.count('class="govuk-form-group vigil-question"') == 27  # S-DASH appears only after q8 yes
    assert page.count("Why this matters") == 27
    assert "Has the current incident resulted in injury?" in page


def test_an_answer_saves_on_its_own_and_reports_the_score(client, started):
    response = client.post(reverse("risk:answer", args=[started.public_id]),
                           {"question": "q1", "value": "yes", "obtained": "asked_at_scene"})
    assert response.status_code == 200 and response.json()["yes_count"] == 1
    assert Answer.objects.get(assessment=started, question="q1").obtained == "asked_at_scene"


def test_answering_yes_to_stalking_opens_the_s_dash_questions(client, started):
    response = client.post(reverse("risk:answer", args=[started.public_id]),
                           {"question": "q8", "value": "yes", "obtained": "asked_at_scene"})
    assert response.json()["sections_changed"] is True
    page = client.get(reverse("risk:assessment", args=[started.public_id])).content.decode()
    assert page.count('class="govuk-form-group vigil-question"') == 38


def test_a_bad_answer_is_refused_with_a_clear_message(client, started):
    response = client.post(reverse("risk:answer", args=[started.public_id]),
                           {"question": "q1", "value": "perhaps", "obtained": "asked_at_scene"})
    assert response.status_code == 400 and "Answer yes, no or not known" in str(response.json())


def test_without_javascript_the_whole_form_saves(client, started):
    client.post(reverse("risk:assessment", args=[started.public_id]),
                {"obtained": "without_victim", "q-q1": "no", "q-q2": "yes", "victim_view": "Afraid"})
    assert dict(Answer.objects.filter(assessment=started).values_list("question", "obtained")) == {
        "q1": "without_victim", "q2": "without_victim"}
    started.refresh_from_db()
    assert started.victim_view == "Afraid"


def test_another_officer_cannot_see_an_assessment_being_completed(client, started):
    client.force_login(user_create(role="response_officer"))
    assert client.get(reverse("risk:assessment", args=[started.public_id])).status_code == 404
    assert client.post(reverse("risk:answer", args=[started.public_id]),
                       {"question": "q1", "value": "yes", "obtained": "asked_at_scene"}).status_code == 404


def test_grading_shows_the_problems_and_submits_when_they_are_fixed(client, officer, started):
    url = reverse("risk:grade", args=[started.public_id])
    response = client.post(url, {"grade": "standard"})
    assert response.status_code == 400 and "27 questions still to answer" in response.content.decode()
    for n in range(1, 28):
        client.post(reverse("risk:answer", args=[started.public_id]),
                    {"question": f"q{n}", "value": "yes" if n in (1, 2, 3) else "no", "obtained": "asked_at_scene"})
    response = client.post(url, {"grade": "standard", "rationale": "Low indicators; she has support at her mother's."})
    assert response.status_code == 302
    started.refresh_from_db()
    assert (started.status, started.grade) == ("submitted", "standard")
