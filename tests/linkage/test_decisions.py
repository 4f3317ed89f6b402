"""Merging, splitting and settling review pairs: nothing lost, histories add up, every decision audited as
a combination, and the re-link never overrides what a reviewer decided."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.factories import address_create, incident_create, marker_create, person_record_create, user_create
from vigil.audit.models import AuditEvent
from vigil.linkage import selectors, services
from vigil.linkage.models import LinkDecision, MatchReview
from vigil.people.models import Person, SafeContact

pytestmark = pytest.mark.django_db

NOW = datetime(2013, 6, 1, 12, tzinfo=UTC)
REASON = "Same date of birth, same address, nickname of the same forename"


@pytest.fixture
def reviewer():
    return user_create(role="intelligence_researcher")


def _victim_of(record, days_ago: int):
    return incident_create(victim=record, received_at=NOW - timedelta(days=days_ago))


def _two_persons_one_woman():
    home = address_create(line1="4 Sample Street", postcode="LE2 1AB")
    liz = person_record_create(given_name="Liz", family_name="Smyth", dob=date(1985, 3, 12), address=home)
    elizabeth = person_record_create(given_name="Elizabeth", family_name="Smith", dob=date(1985, 12, 3), address=home)
    return liz, elizabeth


def test_merge_adds_histories_together_and_makes_a_repeat_victim(reviewer):
    liz, elizabeth = _two_persons_one_woman()
    _victim_of(liz, 30)
    _victim_of(elizabeth, 100)
    assert selectors.person_history(liz.person, now=NOW).is_repeat_victim is False
    decision = services.persons_merge(person=liz.person, other=elizabeth.person, by=reviewer, reason=REASON, now=NOW)
    survivor = decision.person
    history = selectors.person_history(survivor, now=NOW)
    assert (history.victim_incidents_12m, history.is_repeat_victim) == (2, True)
    assert set(survivor.records.all()) == {liz, elizabeth}
    merged = Person.objects.get(pk=decision.other_person.pk)
    assert merged.merged_into == survivor and not merged.records.exists()
    events = AuditEvent.objects.filter(action="combination")
    assert {str(e.subject_person_id) for e in events} == {str(survivor.public_id), str(merged.public_id)}
    assert all(e.reason == REASON and e.actor == reviewer for e in events)


def test_merge_moves_markers_and_keeps_restriction(reviewer):
    liz, elizabeth = _two_persons_one_woman()
    marker_create(kind="violence", person=elizabeth.person)
    person_record_create(given_name="Liz", family_name="Smyth", person=liz.person)  # liz's person survives (2 records)
    Person.objects.filter(pk=elizabeth.person.pk).update(restricted=True)
    elizabeth.person.refresh_from_db()
    decision = services.persons_merge(person=liz.person, other=elizabeth.person, by=reviewer, reason=REASON)
    assert decision.person == liz.person
    assert list(decision.person.markers.values_list("kind", flat=True)) == ["violence"]
    assert Person.objects.get(pk=decision.person.pk).restricted is True


def test_merge_needs_a_reason_and_the_right_role():
    liz, elizabeth = _two_persons_one_woman()
    with pytest.raises(ValidationError):
        services.persons_merge(person=liz.person, other=elizabeth.person,
                               by=user_create(role="supervisor"), reason="same")
    with pytest.raises(PermissionDenied):
        services.persons_merge(person=liz.person, other=elizabeth.person, by=user_create(role="call_taker"),
                               reason=REASON)
    assert liz.person.records.count() == 1 and not AuditEvent.objects.filter(action="combination").exists()


def test_merge_refuses_two_safe_contact_arrangements(reviewer):
    liz, elizabeth = _two_persons_one_woman()
    for person in (liz.person, elizabeth.person):
        SafeContact.objects.create(person=person, code_word="bluebell", updated_at=NOW)
    with pytest.raises(ValidationError, match="safe-contact"):
        services.persons_merge(person=liz.person, other=elizabeth.person, by=reviewer, reason=REASON)
    assert liz.person.records.count() == 1


def test_split_moves_records_to_a_new_person_and_relink_never_rejoins(reviewer):
    a = person_record_create(given_name="Sam", family_name="Example", dob=date(1990, 1, 1))
    b = person_record_create(given_name="Sam", family_name="Example", dob=date(1990, 1, 1), person=a.person)
    c = person_record_create(given_name="Sam", family_name="Example", dob=date(1990, 1, 1), person=a.person)
    decision = services.person_split(person=a.person, records=[c], by=reviewer, reason="Different middle names and NI numbers")
    c.refresh_from_db()
    assert c.person == decision.other_person and c.person != a.person
    # The model is certain they are one person: the re-link still keeps the reviewer's split.
    outcome = services.relink_apply(scored_pairs=[(a.pk, c.pk, 0.999), (b.pk, c.pk, 0.999)], upper=0.95, lower=0.5)
    c.refresh_from_db()
    assert c.person != a.person
    assert outcome["joins"] == 0 and outcome["blocked_by_decisions"] == 2
    assert not MatchReview.objects.exists()


def test_split_must_leave_a_record_and_choose_one(reviewer):
    a = person_record_create()
    with pytest.raises(ValidationError):
        services.person_split(person=a.person, records=[a], by=reviewer, reason=REASON)
    with pytest.raises(ValidationError):
        services.person_split(person=a.person, records=[], by=reviewer, reason=REASON)


def test_relink_joins_strong_pairs_and_queues_the_uncertain(reviewer):
    liz, elizabeth = _two_persons_one_woman()
    stranger = person_record_create(given_name="Elspeth", family_name="Smithson", dob=date(1985, 3, 12))
    outcome = services.relink_apply(scored_pairs=[(liz.pk, elizabeth.pk, 0.97), (liz.pk, stranger.pk, 0.7)],
                                    upper=0.95, lower=0.5)
    liz.refresh_from_db(), elizabeth.refresh_from_db()
    assert liz.person == elizabeth.person and outcome["joins"] == 1
    review = MatchReview.objects.get()
    assert (review.status, review.source, round(review.probability, 2)) == ("pending", "relink", 0.7)
    assert AuditEvent.objects.filter(action="combination", actor=None).count() == 2  # one per person touched
    # Run again: nothing doubles.
    again = services.relink_apply(scored_pairs=[(liz.pk, elizabeth.pk, 0.97), (liz.pk, stranger.pk, 0.7)],
                                  upper=0.95, lower=0.5)
    assert again["joins"] == 0 and MatchReview.objects.count() == 1


def test_kept_apart_review_is_never_joined_by_a_later_relink(reviewer):
    liz, elizabeth = _two_persons_one_woman()
    review = services.review_open(record_a=liz, record_b=elizabeth, probability=0.8, source="relink")
    services.review_keep_apart(review=review, by=reviewer, reason="Different NHS numbers on the two records")
    outcome = services.relink_apply(scored_pairs=[(liz.pk, elizabeth.pk, 0.999)], upper=0.95, lower=0.5)
    liz.refresh_from_db(), elizabeth.refresh_from_db()
    assert liz.person != elizabeth.person and outcome["blocked_by_decisions"] == 1
    assert services.review_open(record_a=liz, record_b=elizabeth, probability=0.8, source="relink") is None


def test_a_later_merge_replaces_an_earlier_keep_apart(reviewer):
    liz, elizabeth = _two_persons_one_woman()
    review = services.review_open(record_a=liz, record_b=elizabeth, probability=0.8, source="relink")
    first = services.review_keep_apart(review=review, by=reviewer, reason="Looked different at first sight")
    services.persons_merge(person=liz.person, other=elizabeth.person, by=reviewer, reason=REASON)
    first.refresh_from_db()
    assert first.revoked_by is not None
    assert services.kept_apart_pairs() == []


def test_review_merge_settles_other_pending_pairs_of_the_same_two_persons(reviewer):
    liz, elizabeth = _two_persons_one_woman()
    other_liz = person_record_create(given_name="Liz", family_name="Smyth", person=liz.person)
    first = services.review_open(record_a=liz, record_b=elizabeth, probability=0.8, source="relink")
    second = services.review_open(record_a=other_liz, record_b=elizabeth, probability=0.6, source="online")
    services.review_merge(review=first, by=reviewer, reason=REASON)
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == ("merged", "settled")
    with pytest.raises(ValidationError):
        services.review_merge(review=first, by=reviewer, reason=REASON)


def test_review_pages(client, reviewer):
    liz, elizabeth = _two_persons_one_woman()
    _victim_of(liz, 30)
    review = services.review_open(record_a=liz, record_b=elizabeth, probability=0.81, source="relink")
    client.force_login(reviewer)
    queue = client.get(reverse("linkage:reviews"))
    assert queue.status_code == 200 and b"0.81" in queue.content and b"Smyth" not in queue.content
    page = client.get(reverse("linkage:review", args=[review.public_id]))
    assert b"Smyth" in page.content and b"Elizabeth" in page.content
    assert AuditEvent.objects.filter(action="consultation", object_id=str(review.public_id)).count() == 2
    missing = client.post(reverse("linkage:review", args=[review.public_id]), {"decision": "same", "reason": ""})
    assert missing.status_code == 400 and b"Explain the decision" in missing.content
    done = client.post(reverse("linkage:review", args=[review.public_id]), {"decision": "same", "reason": REASON})
    liz.refresh_from_db()
    assert done.status_code == 302 and done["Location"] == reverse("people:detail", args=[liz.person.public_id])
    # The merged-away person's old address leads to the survivor.
    elizabeth_old = LinkDecision.objects.get().other_person
    assert client.get(reverse("people:detail", args=[elizabeth_old.public_id]))["Location"] == done["Location"]


def test_merge_and_split_pages(client, reviewer):
    liz, elizabeth = _two_persons_one_woman()
    client.force_login(reviewer)
    page = client.get(reverse("linkage:person-merge", args=[liz.person.public_id]))
    assert page.status_code == 200 and b"Elizabeth Smith" in page.content
    client.post(reverse("linkage:person-merge", args=[liz.person.public_id]),
                {"other": str(elizabeth.person.public_id), "reason": REASON})
    liz.refresh_from_db(), elizabeth.refresh_from_db()
    assert liz.person == elizabeth.person
    split = client.post(reverse("linkage:person-split", args=[liz.person.public_id]),
                        {"records": [str(elizabeth.public_id)], "reason": "Different people on closer reading"})
    elizabeth.refresh_from_db()
    assert split.status_code == 302 and elizabeth.person != liz.person
    assert AuditEvent.objects.filter(action="combination").count() == 4


def test_a_split_after_a_merge_replaces_the_merge_and_keeps_them_apart(reviewer):
    liz, elizabeth = _two_persons_one_woman()
    merge = services.persons_merge(person=liz.person, other=elizabeth.person, by=reviewer, reason=REASON)
    liz.refresh_from_db()
    split = services.person_split(person=liz.person, records=[elizabeth], by=reviewer,
                                  reason="The IDVA confirmed these are two different women")
    merge.refresh_from_db()
    assert merge.revoked_by == split
    assert services.kept_apart_pairs() == [(min(liz.pk, elizabeth.pk), max(liz.pk, elizabeth.pk))]
    outcome = services.relink_apply(scored_pairs=[(liz.pk, elizabeth.pk, 0.99)], upper=0.95, lower=0.5)
    assert outcome["joins"] == 0


def test_merge_keeps_one_open_repeat_plan_and_closes_the_other_with_a_reason(reviewer):
    from vigil.linkage.models import RepeatVictimPlan

    liz, elizabeth = _two_persons_one_woman()
    person_record_create(given_name="Liz", family_name="Smyth", person=liz.person)  # liz's person survives
    owner = user_create(role="neighbourhood_officer")
    for person in (liz.person, elizabeth.person):
        RepeatVictimPlan.objects.create(person=person, tier="local", owner=owner, review_due=date(2013, 7, 1),
                                        plan="Weekly contact through the IDVA", created_at=NOW, updated_at=NOW)
    services.persons_merge(person=liz.person, other=elizabeth.person, by=reviewer, reason=REASON, now=NOW)
    plans = RepeatVictimPlan.objects.filter(person=liz.person)
    assert plans.count() == 2 and plans.filter(closed_at__isnull=True).count() == 1
    assert "Merged into another person" in plans.get(closed_at__isnull=False).closed_reason


def test_an_emptied_safe_contact_does_not_block_a_merge_and_the_agreed_one_is_kept(reviewer):
    liz, elizabeth = _two_persons_one_woman()
    SafeContact.objects.create(person=liz.person, updated_at=NOW)  # cleared on the person page
    SafeContact.objects.create(person=elizabeth.person, code_word="bluebell", updated_at=NOW)
    decision = services.persons_merge(person=liz.person, other=elizabeth.person, by=reviewer, reason=REASON)
    assert SafeContact.objects.get(person=decision.person).code_word == "bluebell"
    assert SafeContact.objects.count() == 1
