"""Risk assessment on a phone: an officer completes DASH with the victim, loses the tab mid-way and the
connection, and resumes with nothing lost; a supervisor amends the grading; a specialist downgrades."""

import pytest
from django.utils import timezone

from tests import factories
from tests.journeys.pages import GradingReviewPage, RiskAssessmentPage, SignInPage, VigilPage
from vigil.risk.instrument_loading import instrument_load, read_definition, shipped_definitions
from vigil.risk.models import Answer, RiskAssessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def instruments_loaded():
    """Migration risk.0003's instruments (a transactional test empties the database between tests)."""
    for path in shipped_definitions():
        definition = read_definition(path)
        instrument_load(definition=definition, make_default=definition["code"] == "dash-2009")


def new_page(context):
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.csp_violations = []
    page.on("console", lambda m: page.csp_violations.append(m.text) if "Content Security Policy" in m.text else None)
    return page


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True)
    yield context, new_page(context)
    context.close()


def test_an_officer_completes_dash_and_nothing_is_lost_when_the_tab_closes_or_the_signal_drops(phone):
    context, page = phone
    instruments_loaded()
    victim = factories.person_record_create(given_name="Vera", family_name="Phoneassess")
    incident = factories.incident_create(received_at=timezone.now(), status="open", victim=victim)
    officer = factories.user_create(role="response_officer", username="officer-dash")

    SignInPage(page).open().sign_in(officer.username, factories.TEST_PASSWORD)
    page.goto(f"/control/incidents/{incident.public_id}/brief/")
    page.get_by_role("button", name="Start or continue the risk assessment").click()
    page.wait_for_load_state()
    form = RiskAssessmentPage(page)
    assert form.heading == "Risk assessment"
    assert form.accessibility_violations() == []

    form.answer_question("q1", "yes")
    form.answer_question("q2", "yes")
    form.answer_question("q3", "not_known")
    form.wait_until_saved()
    page.get_by_label("Has the current incident resulted in injury?", exact=False)  # the question text is shown
    context.set_offline(True)  # the signal drops
    page.locator("#q-q4-no").check()
    page.locator("#status-q4").filter(has_text="Not sent yet").wait_for()
    page.close()  # and the tab is closed before it returns
    assessment = RiskAssessment.objects.get(officer=officer)
    assert set(Answer.objects.filter(assessment=assessment).values_list("question", flat=True)) == {"q1", "q2", "q3"}

    context.set_offline(False)
    page = new_page(context)
    page.goto(f"/risk/{assessment.public_id}/")
    form = RiskAssessmentPage(page)
    form.wait_until_saved()  # the answer kept on the phone is sent when the page opens again
    assert {q: form.answered(q) for q in ("q1", "q2", "q3", "q4")} == {
        "q1": "yes", "q2": "yes", "q3": "not_known", "q4": "no"}
    assert Answer.objects.get(assessment=assessment, question="q4").value == "no"

    for question in form.unanswered_ids():
        form.answer_question(question, "no")
    form.wait_until_saved()
    page.get_by_label("The victim's view of the danger, in their words").fill("He said he would find me wherever I go")
    form.continue_to_grading()
    assert form.accessibility_violations() == []
    form.grade("Medium")  # judgement with no reasons is refused
    assert "Explain your professional judgement" in page.locator(".govuk-error-summary").inner_text()
    form.grade("Medium", "Injury tonight and she is very frightened; he has threatened to find her.")
    assert "submitted" in page.locator(".govuk-notification-banner").inner_text()
    assessment.refresh_from_db()
    assert (assessment.status, assessment.grade, assessment.yes_count) == ("submitted", "medium", 2)
    assert assessment.victim_view == "He said he would find me wherever I go"
    assert assessment.answers.filter(obtained="asked_at_scene").count() == 27
    assert page.csp_violations == []


def _submitted_assessment(*, grade: str, yes: int, serious_offence: bool = False):
    """An assessment the officer has completed and submitted (through the services, as the pages do)."""
    from vigil.risk import services

    instruments_loaded()
    victim = factories.person_record_create(given_name="Vera", family_name="Reviewcase")
    incident = factories.incident_create(received_at=timezone.now(), status="open", victim=victim)
    if serious_offence:
        factories.crime_create(incident=incident, group="assault_with_injury")
    officer = factories.user_create(role="response_officer")
    assessment = services.assessment_start(incident=incident, victim=victim, by=officer)
    for n in range(1, 28):
        services.answer_save(assessment=assessment, by=officer, question=f"q{n}",
                             value="yes" if n <= yes and n != 8 else "no", obtained="asked_at_scene")
    services.assessment_submit(assessment=assessment, by=officer, grade=grade,
                               rationale="Officer's judgement after speaking to the victim at the scene.")
    return assessment


def test_a_supervisor_reads_the_whole_assessment_and_amends_the_grading(phone):
    context, page = phone
    assessment = _submitted_assessment(grade="standard", yes=9)
    supervisor = factories.user_create(role="supervisor", username="sergeant-one")

    SignInPage(page).open().sign_in(supervisor.username, factories.TEST_PASSWORD)
    page.goto("/risk/supervision/")
    assert VigilPage(page).accessibility_violations() == []
    page.get_by_role("link", name=assessment.incident.reference).first.click()
    page.wait_for_load_state()
    review = GradingReviewPage(page)
    assert "Has the current incident resulted in injury?" in page.content()  # the whole assessment is shown
    assert review.accessibility_violations() == []
    review.decide(grade="Medium risk", rationale="Nine risk factors including recent separation and "
                  "child contact conflict: medium, not standard.")
    assert "medium" in page.locator(".govuk-notification-banner").inner_text().lower()
    assessment.refresh_from_db()
    decisions = list(assessment.decisions.values_list("stage", "grade"))
    assert decisions == [("officer", "standard"), ("supervisor", "medium")]  # the officer's decision is kept
    assert assessment.grade == "medium"
    assert page.csp_violations == []


def test_a_specialist_downgrades_with_a_rationale_and_a_downgrade_without_contact_is_flagged(phone):
    from vigil.risk import review

    context, page = phone
    assessment = _submitted_assessment(grade="high", yes=10)
    sergeant = factories.user_create(role="supervisor")
    review.review_open(assessment=assessment, by=sergeant, stage="supervisor")
    review.supervision_decide(assessment=assessment, by=sergeant, grade="high",
                              rationale="Agree: strangulation and threats to kill, believed by the victim.")
    specialist = factories.user_create(role="specialist_investigator", username="daiu-one")

    SignInPage(page).open().sign_in(specialist.username, factories.TEST_PASSWORD)
    page.goto("/risk/specialist/")
    assert VigilPage(page).accessibility_violations() == []
    page.get_by_role("link", name=assessment.incident.reference).first.click()
    page.wait_for_load_state()
    form = GradingReviewPage(page)
    assert form.accessibility_violations() == []
    form.decide(grade="Medium risk", victim_contacted="No, the victim was not contacted",
                rationale="Suspect remanded in custody until trial; the immediate risk has reduced.")
    decision = assessment.decisions.get(stage="specialist")
    assert (decision.grade, decision.previous_grade, decision.victim_contacted, decision.flagged_to_manager) == (
        "medium", "high", False, True)
    assert "Suspect remanded" in decision.rationale
    assert page.csp_violations == []
