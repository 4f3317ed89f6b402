"""Victim surveys, the pages: the list, the call (safe number, "Is it safe to talk?" first, then the
questions), a dropped line raising the urgent task, errors that keep what was typed and save nothing,
the results, and who may open each page (a partner gets 403, another caller's survey is 404)."""

import pytest
from django.urls import reverse

from tests import factories
from tests.insight.survey_factories import complete_answers, surveyable_case
from vigil.cases.models import Task
from vigil.insight import survey_services as services
from vigil.insight import surveys as rules
from vigil.insight.models import Survey, SurveyAnswer
from vigil.people.models import ContactBan

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def analyst(client):
    user = factories.user_create(role="analyst")
    client.force_login(user)
    return user


def test_the_list_shows_the_victims_due_and_the_call_page_shows_the_safe_number(client, analyst):
    case = surveyable_case(given_name="Robin")
    page = client.get(reverse("insight:surveys"))
    assert page.status_code == 200 and "Robin Survey" in text(page)
    call = client.get(reverse("insight:survey-start", args=[case.public_id]))
    assert call.status_code == 200
    assert "+447700900456" in text(call) and "Is it safe to talk?" in text(call)


def test_a_banned_safe_number_is_not_offered_and_the_victim_is_not_listed(client, analyst):
    case = surveyable_case(given_name="Robin")
    person = case.victim.person
    ContactBan.objects.create(person=person, phone=person.safe_contact.phone, reason="The suspect sees this phone")
    page = client.get(reverse("insight:surveys"))
    assert "Robin Survey" not in text(page) and "No victims are due a survey" in text(page)
    call = client.get(reverse("insight:survey-start", args=[case.public_id]))
    assert call.status_code == 200
    assert "+447700900456" not in text(call) and "No safe number is recorded for the victim" in text(call)
    refused = client.post(reverse("insight:survey-start", args=[case.public_id]),
                          {"safe_number_used": "yes", "first_step": rules.SAFE_TO_TALK})
    assert refused.status_code == 400 and "+447700900456" not in text(refused)
    assert not Survey.objects.exists()


def test_a_second_caller_is_warned_before_dialling_and_refused_while_a_call_is_under_way(client, analyst):
    case = surveyable_case(given_name="Robin")
    first = services.survey_start(case=case, by=factories.user_create(role="analyst"), safe_number_used=True,
                                  first_step=rules.SAFE_TO_TALK)
    assert "Robin Survey" not in text(client.get(reverse("insight:surveys")))
    url = reverse("insight:survey-start", args=[case.public_id])
    page = client.get(url)
    assert page.status_code == 200 and "Someone is already on a survey call to this victim" in text(page)
    refused = client.post(url, {"safe_number_used": "yes", "first_step": rules.SAFE_TO_TALK})
    assert refused.status_code == 400
    assert "There is a problem" in text(refused) and "Someone is already on a survey call" in text(refused)
    assert list(Survey.objects.all()) == [first]


def test_the_results_are_never_cached(client, analyst):
    response = client.get(reverse("insight:survey-results"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_a_survey_whose_line_goes_dead_raises_the_urgent_task(client, analyst):
    case = surveyable_case()
    started = client.post(reverse("insight:survey-start", args=[case.public_id]),
                          {"safe_number_used": "yes", "first_step": rules.SAFE_TO_TALK})
    survey = Survey.objects.get()
    assert started.status_code == 302 and started["Location"] == reverse("insight:survey", args=[survey.public_id])
    questions = client.get(started["Location"])
    assert "Were you kept informed?" in text(questions) and "The line went dead" in text(questions)
    dropped = client.post(started["Location"], {"outcome": rules.LINE_DROPPED})
    assert dropped.status_code == 302
    client.post(started["Location"], {"outcome": rules.LINE_DROPPED})  # pressed twice
    task = Task.objects.get(kind=Task.Kind.WELFARE_CHECK)
    assert task.urgent and task.assignee == case.owner
    outcome = client.get(started["Location"])
    assert "Ask the control room for an immediate response now" in text(outcome)
    assert "Urgent" in text(outcome) and task.title in text(outcome)
    client.force_login(case.owner)
    assert task.title in text(client.get(reverse("cases:my-work")))  # at the top of the owner's work


def test_not_safe_to_talk_at_the_first_question_asks_nothing(client, analyst):
    case = surveyable_case()
    response = client.post(reverse("insight:survey-start", args=[case.public_id]),
                           {"safe_number_used": "yes", "first_step": rules.NOT_SAFE}, follow=True)
    survey = Survey.objects.get()
    assert survey.outcome == rules.NOT_SAFE and not survey.answers.exists()
    assert "Nothing was asked" in text(response) and "Were you kept informed?" not in text(response)
    assert "Call again" in text(client.get(reverse("insight:surveys")))


def test_the_first_step_needs_an_answer_and_a_confirmed_number(client, analyst):
    case = surveyable_case()
    response = client.post(reverse("insight:survey-start", args=[case.public_id]), {"safe_number_used": "no"})
    assert response.status_code == 400
    assert "There is a problem" in text(response)
    assert "Say whether it is safe to talk" in text(response)
    assert "confirm the number you called was safe" in text(response)
    assert not Survey.objects.exists()


def test_missing_answers_keep_what_was_typed_and_save_nothing(client, analyst):
    survey = services.survey_start(case=surveyable_case(), by=analyst, safe_number_used=True,
                                   first_step=rules.SAFE_TO_TALK)
    answers = complete_answers(call__comment="Kind call handler")
    del answers["overall__satisfaction"]
    response = client.post(reverse("insight:survey", args=[survey.public_id]), {**answers, "outcome": "completed"})
    assert response.status_code == 400
    assert "There is a problem" in text(response) and "Overall: choose an answer" in text(response)
    assert "Kind call handler" in text(response)
    assert 'value="very_satisfied" checked' in text(response)
    assert not SurveyAnswer.objects.exists()
    survey.refresh_from_db()
    assert survey.outcome == rules.IN_PROGRESS


def test_a_completed_survey_is_saved_and_shown_in_the_results(client, analyst):
    survey = services.survey_start(case=surveyable_case(risk_level="medium"), by=analyst, safe_number_used=True,
                                   first_step=rules.SAFE_TO_TALK)
    response = client.post(reverse("insight:survey", args=[survey.public_id]),
                           {**complete_answers(updates__comment="I was kept informed every week"),
                            "outcome": "completed"})
    assert response.status_code == 302
    assert Survey.objects.get().outcome == rules.COMPLETED
    results = client.get(reverse("insight:survey-results"))
    assert results.status_code == 200
    body = text(results)
    assert 'id="survey-by-stage"' in body and "Medium" in body and "Being kept informed" in body
    assert "I was kept informed every week" in body  # an analyst may read comments


def test_a_pack_reader_sees_the_results_without_the_comments(client):
    caller = factories.user_create(role="analyst")
    survey = services.survey_start(case=surveyable_case(), by=caller, safe_number_used=True,
                                   first_step=rules.SAFE_TO_TALK)
    services.survey_record(survey=survey, by=caller, outcome=rules.COMPLETED,
                           answers=complete_answers(call__comment="Private words"))
    client.force_login(factories.user_create(role="control_room_supervisor"))
    results = client.get(reverse("insight:survey-results"))
    assert results.status_code == 200 and "Private words" not in text(results)
    assert client.get(reverse("insight:surveys")).status_code == 403


def test_a_partner_and_a_response_officer_are_refused_and_another_callers_survey_is_not_found(client):
    case = surveyable_case()
    caller = factories.user_create(role="analyst")
    survey = services.survey_start(case=case, by=caller, safe_number_used=True, first_step=rules.SAFE_TO_TALK)
    partner = factories.user_create(role="partner_practitioner",
                                    agency=factories.agency_create(code="idva", kind="idva"))
    for user in (partner, factories.user_create(role="response_officer")):
        client.force_login(user)
        for url in (reverse("insight:surveys"), reverse("insight:survey-start", args=[case.public_id]),
                    reverse("insight:survey", args=[survey.public_id]), reverse("insight:survey-results")):
            assert client.get(url).status_code == 403, url
    client.force_login(factories.user_create(role="neighbourhood_officer"))
    assert client.get(reverse("insight:survey", args=[survey.public_id])).status_code == 404
    assert client.post(reverse("insight:survey", args=[survey.public_id]),
                       {"outcome": rules.DECLINED}).status_code == 404
