"""The advisory history signal on the pages where a grading is shown and decided, and in the control-room
history: shown only when a version is active, never changing a grading; a grading below it asks for a
rationale."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.evaluation.test_advisory import active_version_create
from tests.risk.test_review import RATIONALE, submitted
from vigil.audit.models import AuditEvent
from vigil.evaluation.advisory import ADVISORY_LABEL
from vigil.incidents.models import Incident
from vigil.risk import review, services
from vigil.risk.models import GradingDecision, Instrument, RiskAssessment

pytestmark = pytest.mark.django_db

REASON = "3 incidents as a victim in the last year"
SIGNAL_ERROR = "The history signal (advisory) suggests high risk"


def history_of(record, *, now, days_before=(12, 100, 200)):
    """Earlier DA incidents with the person of `record` as victim."""
    factories.incidents_between_create(victim=record, at=[now - timedelta(days=d) for d in days_before])


@pytest.fixture
def officer(client):
    user = factories.user_create(role="response_officer")
    client.force_login(user)
    return user


# A force's instrument whose rules indicate standard with fewer than two "yes" answers, so that grading
# standard needs no rationale by the instrument's rules (DASH indicates only high: judgement always does).
DEFINITION = {
    "code": "advisory-test", "version": "1", "name": "Advisory test instrument",
    "sections": [{"id": "main", "title": "Current situation", "questions": [
        {"id": f"q{n}", "number": str(n), "text": f"Question {n}?", "why": "Because."} for n in range(1, 4)]}],
    "grading": {"rules": [{"yes_count_at_least": 2, "indicates": "high"},
                          {"yes_count_at_least": 0, "indicates": "standard"}]},
}


@pytest.fixture
def answered(client, officer):
    """An assessment of a victim with three incidents in the last year, every question answered "no" (the
    answers indicate standard)."""
    now = timezone.now()
    instrument = Instrument.objects.create(code="advisory-test", version="1", name="Advisory test",
                                           definition=DEFINITION, loaded_at=now)
    victim = factories.person_record_create(given_name="Vera")
    history_of(victim, now=now)
    incident = factories.incident_create(received_at=now - timedelta(hours=1), victim=victim, status="open")
    assessment = services.assessment_start(incident=incident, victim=victim, by=officer, instrument=instrument)
    for question in services.unanswered(assessment):
        services.answer_save(assessment=assessment, by=officer, question=question.id, value="no",
                             obtained="asked_at_scene")
    assert not services.unanswered(assessment)
    return assessment


# --- The officer's assessment and grading -----------------------------------------------------------------

def test_without_an_active_version_nothing_is_shown_and_nothing_asked(client, answered):
    for name in ("risk:assessment", "risk:grade"):
        assert ADVISORY_LABEL not in client.get(reverse(name, args=[answered.public_id])).content.decode()
    response = client.post(reverse("risk:grade", args=[answered.public_id]), {"grade": "standard"})
    assert response.status_code == 302
    answered.refresh_from_db()
    assert answered.grade == "standard"


def test_the_advisory_is_shown_with_its_reasons_beside_the_questions_and_the_grading(client, answered):
    active_version_create(number=4)
    for name in ("risk:assessment", "risk:grade"):
        page = client.get(reverse(name, args=[answered.public_id])).content.decode()
        assert ADVISORY_LABEL in page and "Suggests" in page and "High" in page
        assert f"{REASON}: <strong>raises</strong>" in page and "history signal version 4" in page


def test_grading_below_the_signal_without_a_rationale_is_refused_with_the_input_kept(client, answered):
    active_version_create()
    response = client.post(reverse("risk:grade", args=[answered.public_id]), {"grade": "standard", "rationale": "ok"})
    page = response.content.decode()
    assert response.status_code == 400
    assert SIGNAL_ERROR in page and "why you grade the risk standard" in page
    assert 'value="standard" checked' in page and ">ok</textarea>" in page
    answered.refresh_from_db()
    assert (answered.status, answered.grade) == ("in_progress", "")
    assert not GradingDecision.objects.filter(assessment=answered).exists()
    assert not AuditEvent.objects.filter(detail__step="submitted").exists()


def test_grading_below_the_signal_with_a_rationale_is_saved_and_the_grade_stands(client, officer, answered):
    active_version_create()
    rationale = "She is staying with her sister far away; he is in custody on remand."
    response = client.post(reverse("risk:grade", args=[answered.public_id]),
                           {"grade": "standard", "rationale": rationale})
    assert response.status_code == 302
    answered.refresh_from_db()
    assert (answered.status, answered.grade) == ("submitted", "standard")
    decision = GradingDecision.objects.get(assessment=answered)
    assert (decision.stage, decision.grade, decision.rationale) == ("officer", "standard", rationale)
    event = AuditEvent.objects.get(detail__step="submitted")
    assert (event.action, event.detail["grade"], event.detail["indicated"]) == ("collection", "standard", "standard")


def test_grading_at_or_above_the_signal_needs_no_extra_rationale(client, answered):
    active_version_create()
    response = client.post(reverse("risk:grade", args=[answered.public_id]), {"grade": "high"})
    page = response.content.decode()
    # High differs from what the answers indicate (standard): that rule still asks; the signal does not.
    assert response.status_code == 400 and SIGNAL_ERROR not in page
    assert "it differs from what the answers indicate" in page


# --- Supervision and specialist review ---------------------------------------------------------------------

@pytest.fixture
def supervisor(client):
    user = factories.user_create(role="supervisor")
    client.force_login(user)
    return user


@pytest.fixture
def for_review():
    officer = factories.user_create(role="response_officer")
    assessment = submitted(officer=officer, grade="medium", submitted_at=timezone.now() - timedelta(hours=2))
    history_of(assessment.victim, now=assessment.incident.received_at)
    return assessment


def test_the_supervisor_sees_the_advisory_and_must_say_why_below_it(client, supervisor, for_review):
    url = reverse("risk:supervise", args=[for_review.public_id])
    assert ADVISORY_LABEL not in client.get(url).content.decode()  # no version active yet
    active_version_create()
    page = client.get(url).content.decode()
    assert ADVISORY_LABEL in page and REASON in page
    response = client.post(url, {"grade": "medium", "rationale": "Agreed."})
    # The review pages show their errors with status 200, as they always have.
    assert response.status_code == 200 and SIGNAL_ERROR in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert ">Agreed.</textarea>" in response.content.decode()
    response = client.post(url, {"grade": "medium", "rationale": RATIONALE})
    assert response.status_code == 302
    for_review.refresh_from_db()
    assert for_review.grade == "medium"  # the signal never changes a grading
    decision = GradingDecision.objects.get(assessment=for_review, stage="supervisor")
    assert (decision.grade, decision.rationale) == ("medium", RATIONALE)


def test_the_specialist_sees_the_advisory_too(client, for_review):
    supervisor = factories.user_create(role="supervisor")
    review.review_open(assessment=for_review, by=supervisor, stage="supervisor")
    review.supervision_decide(assessment=for_review, by=supervisor, grade="high", rationale=RATIONALE)
    active_version_create()
    client.force_login(factories.user_create(role="specialist_investigator"))
    page = client.get(reverse("risk:specialist-review", args=[for_review.public_id])).content.decode()
    assert ADVISORY_LABEL in page and REASON in page


# --- The control-room history -------------------------------------------------------------------------------

@pytest.fixture
def call(client):
    """A call being recorded whose victim had a graded assessment last week, after three incidents."""
    call_taker = factories.user_create(role="call_taker")
    client.force_login(call_taker)
    now = timezone.now()
    victim = factories.person_record_create(given_name="Vera")
    history_of(victim, now=now - timedelta(days=7))
    earlier = factories.incident_create(received_at=now - timedelta(days=7), victim=victim)
    factories.risk_assessment_create(incident=earlier, victim=victim, grade="standard")
    return factories.incident_create(received_at=now, status="open", recorded_by=call_taker,
                                     victim=factories.person_record_create(given_name="Vera", person=victim.person))


def test_the_control_room_history_shows_no_advisory_without_an_active_version(client, call):
    page = client.get(reverse("control:call-history", args=[call.public_id])).content.decode()
    assert "Vera Example" in page and ADVISORY_LABEL not in page


def test_the_control_room_history_shows_the_advisory_for_the_victims_latest_assessment(client, call):
    active_version_create()
    earlier = Incident.objects.exclude(pk=call.pk).filter(risk_assessments__isnull=False).get()
    for name in ("control:call-history", "control:call-intake"):
        page = client.get(reverse(name, args=[call.public_id])).content.decode()
        assert ADVISORY_LABEL in page and REASON in page
        assert f"incident {earlier.reference}, graded standard (the grading stands)" in page
    assert RiskAssessment.objects.get().grade == "standard"
