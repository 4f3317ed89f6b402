"""The call-review pages: coverage, sampling and recording a review, for supervisors only."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.checks.call_review import CHECKLIST_CODES
from vigil.checks.models import CallReview
from vigil.checks.reviews import call_reviews_sample, current_month
from vigil.incidents.models import Incident

pytestmark = pytest.mark.django_db

MARCH = date(2025, 3, 1)
COVERAGE = reverse("control:call-reviews")


def call(taker, *, day: int = 10) -> Incident:
    incident = factories.incident_create(received_at=datetime(2025, 3, day, 21, 0, tzinfo=UTC))
    incident.recorded_by = taker
    incident.summary = "Caller says partner is shouting outside"
    incident.save(update_fields=["recorded_by", "summary"])
    return incident


@pytest.fixture
def supervisor(client):
    user = factories.user_create(role="control_room_supervisor")
    client.force_login(user)
    return user


@pytest.fixture
def amy():
    return factories.user_create(role="call_taker", username="amy")


def test_a_call_taker_may_not_see_or_use_the_call_review_pages(client, amy):
    call(amy)
    (review,) = call_reviews_sample(month=MARCH, seed=1)
    client.force_login(amy)
    assert client.get(COVERAGE).status_code == 403
    assert client.post(COVERAGE, {"month": "2025-03"}).status_code == 403
    url = reverse("control:call-review", args=[review.public_id])
    assert client.get(url).status_code == 403
    assert client.post(url, dict.fromkeys(CHECKLIST_CODES, "met")).status_code == 403
    review.refresh_from_db()
    assert review.reviewed_at is None
    assert CallReview.objects.count() == 1


def test_coverage_defaults_to_this_month(client, supervisor):
    page = client.get(COVERAGE)
    assert page.status_code == 200
    assert page.context["month"] == current_month()
    assert f'value="{current_month():%Y-%m}"'.encode() in page.content


def test_a_bad_month_gets_a_clear_error(client, supervisor):
    page = client.get(COVERAGE, {"month": "March"})
    assert page.status_code == 200
    content = page.content.decode()
    assert "There is a problem" in content and "like 2025-03" in content
    assert "Pick this month" not in content


def test_supervisor_picks_the_sample_and_sees_coverage_with_below_minimum(client, supervisor, amy):
    for day in (1, 2, 3):
        call(amy, day=day)
    page = client.get(COVERAGE, {"month": "2025-03"})
    content = page.content.decode()
    assert "amy" in content and "Below minimum" in content and "No calls have been picked" in content

    response = client.post(COVERAGE, {"month": "2025-03"})
    assert response.status_code == 302 and response["Location"] == f"{COVERAGE}?month=2025-03"
    assert CallReview.objects.filter(month=MARCH, call_taker=amy).count() == 2
    assert AuditEvent.objects.filter(action="collection", object_type="checks.CallReview", actor=supervisor).exists()

    page = client.get(response["Location"])
    content = page.content.decode()
    assert "2 calls added to the sample for March 2025" in content
    for review in CallReview.objects.all():
        assert reverse("control:call-review", args=[review.public_id]) in content
        assert review.incident.reference in content
    assert "Below minimum" in content  # sampled, not yet reviewed

    client.post(COVERAGE, {"month": "2025-03"})
    assert CallReview.objects.count() == 2


def test_supervisor_records_a_review_and_it_then_shows_read_only(client, supervisor, amy):
    incident = call(amy)
    (review,) = call_reviews_sample(month=MARCH, seed=1)
    url = reverse("control:call-review", args=[review.public_id])
    page = client.get(url)
    content = page.content.decode()
    assert incident.reference in content and "Caller says partner is shouting outside" in content
    assert "10 March 2025, 21:00" in content  # GMT in March before the clocks change
    assert content.count('type="radio"') == 3 * len(CHECKLIST_CODES)
    assert AuditEvent.objects.filter(action="consultation", object_type="checks.CallReview").exists()

    answers = dict.fromkeys(CHECKLIST_CODES, "met") | {"weapons": "not_met"}
    response = client.post(url, answers | {"notes": "Ask about weapons every time"})
    assert response.status_code == 302 and response["Location"] == f"{COVERAGE}?month=2025-03"
    review.refresh_from_db()
    assert review.reviewer == supervisor and review.answers == answers
    assert review.notes == "Ask about weapons every time"
    assert AuditEvent.objects.filter(action="alteration", object_id=str(review.public_id)).exists()
    assert f"Review of call {incident.reference} saved" in client.get(response["Location"]).content.decode()

    page = client.get(url).content.decode()
    assert 'type="radio"' not in page and "Reviewed by" in page and "Not met" in page
    client.post(url, dict.fromkeys(CHECKLIST_CODES, "not_applicable"))
    review.refresh_from_db()
    assert review.answers == answers


def test_a_review_with_a_missing_answer_shows_the_error_keeps_the_answers_and_saves_nothing(client, supervisor, amy):
    call(amy)
    (review,) = call_reviews_sample(month=MARCH, seed=1)
    url = reverse("control:call-review", args=[review.public_id])
    answers = dict.fromkeys(CHECKLIST_CODES, "met")
    del answers["children"]
    answers["weapons"] = "perhaps"
    page = client.post(url, answers | {"notes": "Kept"})
    content = page.content.decode()
    assert page.status_code == 200
    assert "There is a problem" in content
    assert 'href="#children"' in content and 'href="#weapons"' in content
    assert 'id="children-error"' in content
    assert 'value="met" checked' in content and "Kept" in content
    review.refresh_from_db()
    assert review.reviewed_at is None and review.answers == {}


def test_a_supervisor_cannot_review_a_call_they_took(client, supervisor):
    call(supervisor)
    (review,) = call_reviews_sample(month=MARCH, seed=1)
    url = reverse("control:call-review", args=[review.public_id])
    assert "You took this call" in client.get(url).content.decode()
    client.post(url, dict.fromkeys(CHECKLIST_CODES, "met"))
    review.refresh_from_db()
    assert review.reviewed_at is None


def test_an_unknown_review_is_not_found(client, supervisor):
    import uuid

    assert client.get(reverse("control:call-review", args=[uuid.uuid4()])).status_code == 404
