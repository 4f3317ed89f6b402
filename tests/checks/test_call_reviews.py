"""Call-review services and selectors on the database: sampling, recording a review, coverage."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.checks.call_review import CHECKLIST_CODES
from vigil.checks.models import CallReview
from vigil.checks.reviews import (
    call_review_coverage,
    call_review_coverage_totals,
    call_review_open,
    call_review_record,
    call_reviews_sample,
    current_month,
)
from vigil.incidents.models import Incident

pytestmark = pytest.mark.django_db

MARCH = date(2025, 3, 1)
NOW = datetime(2025, 4, 2, 9, 0, tzinfo=UTC)


def call(taker, *, received_at=None, domestic_abuse=True, status=Incident.Status.CLOSED, **kwargs) -> Incident:
    incident = factories.incident_create(domestic_abuse=domestic_abuse,
                                         received_at=received_at or datetime(2025, 3, 10, 21, 0, tzinfo=UTC),
                                         **kwargs)
    incident.recorded_by = taker
    incident.status = status
    incident.save(update_fields=["recorded_by", "status"])
    return incident


def calls(taker, n: int, *, day: int = 1) -> list[Incident]:
    return [call(taker, received_at=datetime(2025, 3, day + i, 12, 0, tzinfo=UTC)) for i in range(n)]


def all_met() -> dict[str, str]:
    return dict.fromkeys(CHECKLIST_CODES, "met")


@pytest.fixture
def supervisor():
    return factories.user_create(role="control_room_supervisor")


@pytest.fixture
def amy():
    return factories.user_create(role="call_taker", username="amy")


@pytest.fixture
def ben():
    return factories.user_create(role="call_taker", username="ben")


def test_sampling_picks_two_calls_per_call_taker_from_their_own_calls(amy, ben, supervisor):
    amy_calls, ben_calls = calls(amy, 6), calls(ben, 4)
    created = call_reviews_sample(month=MARCH, by=supervisor, now=NOW, seed="s")
    assert len(created) == 4
    by_taker = {}
    for review in created:
        by_taker.setdefault(review.call_taker, set()).add(review.incident)
        assert review.month == MARCH and review.sampled_at == NOW and review.reviewed_at is None
    assert by_taker[amy] <= set(amy_calls) and len(by_taker[amy]) == 2
    assert by_taker[ben] <= set(ben_calls) and len(by_taker[ben]) == 2


def test_a_call_taker_with_one_call_has_it_sampled(amy):
    only = call(amy)
    created = call_reviews_sample(month=MARCH, now=NOW, seed=1)
    assert [r.incident for r in created] == [only]


def test_never_a_call_that_is_not_domestic_abuse_still_being_recorded_another_months_or_without_a_call_taker(amy):
    call(amy, domestic_abuse=False)
    call(amy, status=Incident.Status.RECORDING)
    call(amy, received_at=datetime(2025, 2, 28, 23, 59, tzinfo=UTC))  # February in London (GMT)
    call(amy, received_at=datetime(2025, 3, 31, 23, 30, tzinfo=UTC))  # 1 April 00:30 in London (BST)
    factories.incident_create(received_at=datetime(2025, 3, 10, 12, tzinfo=UTC))  # no call taker
    assert call_reviews_sample(month=MARCH, now=NOW, seed=1) == []
    assert not CallReview.objects.exists()
    london_month_end = call(amy, received_at=datetime(2025, 3, 31, 22, 30, tzinfo=UTC))  # 23:30 BST, 31 March
    assert [r.incident for r in call_reviews_sample(month=MARCH, now=NOW, seed=1)] == [london_month_end]


def test_an_open_call_counts_once_recording_is_finished(amy):
    open_call = call(amy, status=Incident.Status.OPEN)
    assert [r.incident for r in call_reviews_sample(month=MARCH, now=NOW, seed=1)] == [open_call]


def test_sampling_is_reproducible_with_a_seed(amy, ben):
    calls(amy, 8)
    calls(ben, 8)
    first = {r.incident_id for r in call_reviews_sample(month=MARCH, now=NOW, seed="fixed")}
    CallReview.objects.all().delete()
    again = {r.incident_id for r in call_reviews_sample(month=MARCH, now=NOW, seed="fixed")}
    assert first == again


def test_sampling_twice_adds_nothing_new(amy, ben):
    calls(amy, 5)
    calls(ben, 1)
    assert len(call_reviews_sample(month=MARCH, now=NOW, seed=1)) == 3
    assert call_reviews_sample(month=MARCH, now=NOW, seed=2) == []
    assert CallReview.objects.count() == 3


def test_sampling_again_tops_up_only_a_call_taker_still_below_two_whose_new_calls_came_in(amy, ben):
    calls(amy, 3)
    ben_first = call(ben, received_at=datetime(2025, 3, 2, 10, tzinfo=UTC))
    call_reviews_sample(month=MARCH, now=NOW, seed=1)
    call(amy, received_at=datetime(2025, 3, 20, 10, tzinfo=UTC))  # amy already has two: nothing for her
    ben_second = call(ben, received_at=datetime(2025, 3, 20, 11, tzinfo=UTC))
    added = call_reviews_sample(month=MARCH, now=NOW, seed=1)
    assert [(r.call_taker, r.incident) for r in added] == [(ben, ben_second)]
    assert set(CallReview.objects.filter(call_taker=ben).values_list("incident", flat=True)) == {
        ben_first.pk, ben_second.pk}
    assert CallReview.objects.filter(call_taker=amy).count() == 2


def test_sampling_is_audited_with_its_seed_and_nothing_is_audited_when_nothing_is_added(amy, supervisor):
    calls(amy, 3)
    call_reviews_sample(month=MARCH, by=supervisor, now=NOW)
    event = AuditEvent.objects.get(object_type="checks.CallReview", action="collection")
    assert event.actor == supervisor and event.object_id == "2025-03"
    assert event.detail["sampled"] == 2 and event.detail["month"] == "2025-03" and event.detail["seed"]
    # The audited seed reproduces the choice.
    chosen = set(CallReview.objects.values_list("incident_id", flat=True))
    CallReview.objects.all().delete()
    call_reviews_sample(month=MARCH, now=NOW, seed=event.detail["seed"])
    assert set(CallReview.objects.values_list("incident_id", flat=True)) == chosen
    count = AuditEvent.objects.count()
    call_reviews_sample(month=MARCH, by=supervisor, now=NOW)
    assert AuditEvent.objects.count() == count


@pytest.fixture
def sampled(amy):
    call(amy)
    (review,) = call_reviews_sample(month=MARCH, now=NOW, seed=1)
    return review


def test_recording_a_review_saves_answers_reviewer_and_time_and_is_audited(sampled, supervisor):
    answers = all_met() | {"weapons": "not_met", "kept_on_line": "not_applicable"}
    at = datetime(2025, 4, 3, 10, tzinfo=UTC)
    review = call_review_record(review=sampled, by=supervisor, answers=answers, notes="  Good call.  ", now=at)
    review.refresh_from_db()
    assert review.answers == answers and review.notes == "Good call."
    assert review.reviewer == supervisor and review.reviewed_at == at
    event = AuditEvent.objects.get(action="alteration", object_type="checks.CallReview")
    assert event.object_id == str(review.public_id) and event.actor == supervisor
    assert event.detail["not_met"] == 1
    assert "Good call" not in str(event.detail)


def _refused(review, by, answers, notes=""):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        call_review_record(review=review, by=by, answers=answers, notes=notes)
    review.refresh_from_db()
    assert review.reviewed_at is None and review.reviewer is None and review.answers == {} and review.notes == ""
    assert AuditEvent.objects.count() == before
    return caught.value


def test_a_missing_item_is_refused_and_nothing_saved(sampled, supervisor):
    answers = all_met()
    del answers["children"]
    error = _refused(sampled, supervisor, answers, notes="x")
    assert set(error.message_dict) == {"children"}


def test_a_bad_value_is_refused_and_nothing_saved(sampled, supervisor):
    error = _refused(sampled, supervisor, all_met() | {"weapons": "maybe", "own_words": ""})
    assert set(error.message_dict) == {"weapons", "own_words"}


def test_the_call_taker_cannot_review_their_own_call(sampled, amy):
    error = _refused(sampled, amy, all_met())
    assert "You took this call" in error.messages[0]


def test_a_supervisor_who_took_the_call_cannot_review_it(supervisor):
    call(supervisor)
    (review,) = call_reviews_sample(month=MARCH, now=NOW, seed=1)
    assert review.call_taker == supervisor
    _refused(review, supervisor, all_met())


def test_a_review_is_recorded_once(sampled, supervisor):
    call_review_record(review=sampled, by=supervisor, answers=all_met(), notes="")
    other = factories.user_create(role="control_room_supervisor")
    with pytest.raises(ValidationError, match="already been reviewed"):
        call_review_record(review=sampled, by=other, answers=all_met() | {"weapons": "not_met"}, notes="")
    sampled.refresh_from_db()
    assert sampled.reviewer == supervisor and sampled.answers["weapons"] == "met"


def test_opening_a_review_is_audited_as_a_consultation_of_the_people_in_the_call(amy, supervisor):
    victim = factories.person_record_create()
    call(amy, victim=victim)
    (review,) = call_reviews_sample(month=MARCH, now=NOW, seed=1)
    call_review_open(review=review, viewer=supervisor)
    event = AuditEvent.objects.get(action="consultation", object_type="checks.CallReview")
    assert event.subject_person_id == victim.person.public_id and event.actor == supervisor


def test_coverage_per_call_taker_and_totals(amy, ben, supervisor):
    calls(amy, 5)
    call(ben)
    carl = factories.user_create(role="call_taker", username="carl")
    calls(carl, 3)
    call(amy, domestic_abuse=False)
    call(amy, received_at=datetime(2025, 4, 5, 10, tzinfo=UTC))
    call_reviews_sample(month=MARCH, now=NOW, seed=1)
    for review in CallReview.objects.filter(call_taker=amy):
        call_review_record(review=review, by=supervisor, answers=all_met())
    call_review_record(review=CallReview.objects.filter(call_taker=carl).first(), by=supervisor, answers=all_met())

    rows = {row.call_taker.username: row for row in call_review_coverage(month=MARCH)}
    assert set(rows) == {"amy", "ben", "carl"}
    assert (rows["amy"].calls, rows["amy"].sampled, rows["amy"].reviewed, rows["amy"].meets_minimum) == (5, 2, 2, True)
    assert (rows["ben"].calls, rows["ben"].sampled, rows["ben"].reviewed, rows["ben"].below_minimum) == (1, 1, 0, True)
    assert (rows["carl"].calls, rows["carl"].sampled, rows["carl"].reviewed, rows["carl"].meets_minimum) == (
        3, 2, 1, False)
    totals = call_review_coverage_totals(list(rows.values()))
    assert (totals.call_takers, totals.calls, totals.sampled, totals.reviewed, totals.below_minimum) == (
        3, 9, 5, 3, 2)
    # April is its own month.
    (april,) = call_review_coverage(month=date(2025, 4, 1))
    assert (april.call_taker, april.calls, april.sampled) == (amy, 1, 0)


def test_a_call_taker_who_took_one_call_meets_the_minimum_once_it_is_reviewed(ben, supervisor):
    call(ben)
    (review,) = call_reviews_sample(month=MARCH, now=NOW, seed=1)
    assert call_review_coverage(month=MARCH)[0].below_minimum
    call_review_record(review=review, by=supervisor, answers=all_met())
    assert call_review_coverage(month=MARCH)[0].meets_minimum


def test_current_month_is_the_london_month():
    assert current_month(datetime(2025, 3, 31, 23, 30, tzinfo=UTC)) == date(2025, 4, 1)
    assert current_month(datetime(2025, 1, 31, 23, 30, tzinfo=UTC)) == date(2025, 1, 1)


def test_the_management_command_samples_and_prints_counts_per_call_taker(amy, ben):
    from io import StringIO

    from django.core.management import CommandError, call_command

    calls(amy, 4)
    call(ben)
    out = StringIO()
    call_command("sample_call_reviews", "--month", "2025-03", "--seed", "x", stdout=out)
    text = out.getvalue()
    assert "March 2025: 3 call(s) added" in text
    assert "amy" in text and "ben" in text and "(2 new)" in text and "(1 new)" in text
    assert CallReview.objects.count() == 3
    out = StringIO()
    call_command("sample_call_reviews", "--month", "2025-03", stdout=out)
    assert "0 call(s) added" in out.getvalue() and CallReview.objects.count() == 3
    with pytest.raises(CommandError, match="like 2025-03"):
        call_command("sample_call_reviews", "--month", "March")
