"""Deciding who is who: merging and splitting persons, settling review pairs, the full re-link and the
match made when a record arrives. Each function is one transaction and writes its audit events.

Merging and splitting are a "combination" of personal data under the Data Protection Act (s.62), so
every one is audited as such, with the reviewer's reason, against every person it touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.utils import timezone

from vigil.audit.services import audit_record_each
from vigil.people.models import ContactBan, Person, PersonRecord, Restriction, SafeContact, WarningMarker
from vigil.people.normalise import name_key

from . import candidates, clustering
from .models import (
    ArrivalMatch,
    CounterAllegationReview,
    LinkDecision,
    MatchingModel,
    MatchReview,
    PerpetratorPlan,
    RepeatVictimPlan,
)
from .selectors import current_person

MIN_REASON = 10
RELINK_BATCH = 200  # joins committed together by the re-link


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError({"reason": f"Explain the decision (at least {MIN_REASON} characters): "
                                         "it is kept with the records for ever"})
    return reason


def _ordered(a: PersonRecord, b: PersonRecord) -> tuple[PersonRecord, PersonRecord]:
    return (a, b) if a.pk < b.pk else (b, a)


def _first_record(person: Person) -> PersonRecord:
    record = person.records.order_by("recorded_at", "id").first()
    if record is None:
        raise ValidationError("This person has no records left to link")
    return record


def _combine(*, survivor: Person, other: Person, now: datetime) -> int:
    """Move everything held on `other` to `survivor`; `other` then points at `survivor`. Nothing is lost:
    markers, restrictions (the survivor's active one kept, the other's lifted but kept), do-not-use
    contacts, and every other record that names the person move. Returns the records moved."""
    moved = PersonRecord.objects.filter(person=other).update(person=survivor)
    WarningMarker.objects.filter(person=other).update(person=survivor)
    ContactBan.objects.filter(person=other).update(person=survivor)
    if survivor.restrictions.filter(lifted_at__isnull=True).exists():
        Restriction.objects.filter(person=other, lifted_at__isnull=True).update(lifted_at=now)
    Restriction.objects.filter(person=other).update(person=survivor)
    other_safe = SafeContact.objects.filter(person=other).first()
    if other_safe is not None:
        survivor_safe = SafeContact.objects.filter(person=survivor).first()
        if survivor_safe is not None and not _agreed(other_safe):
            other_safe.delete()  # an emptied arrangement: nothing in it to keep
        else:
            if survivor_safe is not None:  # never both agreed: _check_combinable and the re-link's hold
                survivor_safe.delete()
            other_safe.person = survivor
            other_safe.save(update_fields=["person"])
    for plan_model in (RepeatVictimPlan, PerpetratorPlan):  # one open plan per person: the survivor's stays
        if plan_model.objects.filter(person=survivor, closed_at__isnull=True).exists():
            closing = {"closed_at": now}
            if any(f.name == "closed_reason" for f in plan_model._meta.fields):
                closing["closed_reason"] = "Merged into another person, whose plan continues"
            plan_model.objects.filter(person=other, closed_at__isnull=True).update(**closing)
        plan_model.objects.filter(person=other).update(person=survivor)
    # A pending counter-allegation flag names the two persons as they were; the lists sweep flags the pair
    # again under the survivor. Decided ones stay as decided (history, about the persons of the time).
    CounterAllegationReview.objects.filter(Q(person_a=other) | Q(person_b=other),
                                           status=CounterAllegationReview.Status.PENDING).delete()
    handled = (PersonRecord, WarningMarker, ContactBan, Restriction, SafeContact, LinkDecision, Person,
               RepeatVictimPlan, PerpetratorPlan, CounterAllegationReview)
    for relation in Person._meta.related_objects:  # records other apps keep about the person
        model = relation.related_model
        if model in handled:
            continue
        if relation.many_to_many or relation.one_to_one or not relation.field.concrete:
            continue
        model._default_manager.filter(**{relation.field.name: other}).update(**{relation.field.name: survivor})
    restricted = survivor.restricted or other.restricted
    Person.objects.filter(pk=survivor.pk).update(restricted=restricted)
    Person.objects.filter(pk=other.pk).update(merged_into=survivor, restricted=False)
    Person.objects.filter(merged_into=other).update(merged_into=survivor)
    survivor.restricted = restricted
    return moved


def _agreed(safe: SafeContact) -> bool:
    return bool(safe.phone_id or safe.safe_times or safe.code_word)


def _with_agreed_safe_contact():
    """Safe-contact arrangements with something agreed in them (an emptied one counts as none)."""
    return SafeContact.objects.filter(Q(phone__isnull=False) | ~Q(safe_times="") | ~Q(code_word=""))


def _check_combinable(survivor: Person, other: Person) -> None:
    if survivor.pk == other.pk:
        raise ValidationError("These records are already the same person")
    if survivor.merged_into_id or other.merged_into_id:
        raise ValidationError("One of these persons has already been merged into another: reload the page")
    if _named_as_victim_and_perpetrator(survivor, other):
        raise ValidationError("A MARAC referral names one of these persons as the victim and the other as the "
                              "perpetrator, so they cannot be merged")
    if _with_agreed_safe_contact().filter(person=survivor).exists() and \
            _with_agreed_safe_contact().filter(person=other).exists():
        raise ValidationError("Both persons have a safe-contact arrangement. Agree which one the victim uses, "
                              "clear the other on its person page, then merge")


def _survivor_of(a: Person, b: Person) -> tuple[Person, Person]:
    """The person with more records survives (then the older), so fewer links change."""
    if (b.records.count(), -b.pk) > (a.records.count(), -a.pk):
        return b, a
    return a, b


@transaction.atomic
def persons_merge(*, person: Person, other: Person, by, reason: str, review: MatchReview | None = None,
                  now: datetime | None = None, request=None) -> LinkDecision:
    """A reviewer says two persons are one individual: every record, marker and case link comes together
    on one of them, and the re-link will never separate them."""
    if not by.has_perm("linkage.merge_persons"):
        raise PermissionDenied
    reason = _reason(reason)
    now = now or timezone.now()
    locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=(person.pk, other.pk))}
    person, other = locked.get(person.pk, person), locked.get(other.pk, other)
    _check_combinable(person, other)
    survivor, merged = _survivor_of(person, other)
    record_a, record_b = _ordered(_first_record(survivor), _first_record(merged))
    moved = _combine(survivor=survivor, other=merged, now=now)
    decision = LinkDecision.objects.create(
        kind=LinkDecision.Kind.SAME, person=survivor, other_person=merged, record_a=record_a, record_b=record_b,
        records_moved=moved, reason=reason, decided_by=by, decided_at=now, review=review)
    _revoke_earlier(decision, Q(kind__in=(LinkDecision.Kind.DIFFERENT, LinkDecision.Kind.SPLIT)),
                    survivor_records=set(survivor.records.values_list("pk", flat=True)))
    _settle_reviews(now=now)
    audit_record_each(action="combination", actor=by, obj=decision, reason=reason, request=request,
                      subject_person_ids=[survivor.public_id, merged.public_id],
                      detail={"decision": "same", "survivor": str(survivor.public_id),
                              "merged": str(merged.public_id), "records_moved": moved,
                              "review": str(review.public_id) if review else None})
    return decision


@transaction.atomic
def person_split(*, person: Person, records: Iterable[PersonRecord], by, reason: str,
                 now: datetime | None = None, request=None) -> LinkDecision:
    """A reviewer says some of a person's records are someone else: they move to a new person, and the
    re-link will never put the two back together. Markers, restrictions and safe contact stay with the
    original person (the reviewer adds what the new person needs)."""
    if not by.has_perm("linkage.split_persons"):
        raise PermissionDenied
    reason = _reason(reason)
    now = now or timezone.now()
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.merged_into_id:
        raise ValidationError("This person has been merged into another: reload the page")
    moving = list(PersonRecord.objects.filter(person=person, pk__in=[r.pk for r in records]).order_by("pk"))
    staying = list(PersonRecord.objects.filter(person=person).exclude(pk__in=[r.pk for r in moving]).order_by("pk"))
    if not moving:
        raise ValidationError({"records": "Choose the records that are someone else"})
    if not staying:
        raise ValidationError({"records": "Leave at least one record with this person"})
    new_person = Person.objects.create(restricted=person.restricted)
    PersonRecord.objects.filter(pk__in=[r.pk for r in moving]).update(person=new_person)
    record_a, record_b = _ordered(staying[0], moving[0])
    decision = LinkDecision.objects.create(
        kind=LinkDecision.Kind.SPLIT, person=person, other_person=new_person, record_a=record_a, record_b=record_b,
        records_moved=len(moving), reason=reason, decided_by=by, decided_at=now)
    # Every moved record is kept apart from every staying one (the re-link's cannot-link pairs).
    for stay in staying:
        for move in moving:
            if (stay.pk, move.pk) == (staying[0].pk, moving[0].pk):
                continue
            a, b = _ordered(stay, move)
            LinkDecision.objects.create(kind=LinkDecision.Kind.SPLIT, person=person, other_person=new_person,
                                        record_a=a, record_b=b, reason=reason, decided_by=by, decided_at=now)
    stay_ids, move_ids = {r.pk for r in staying}, {r.pk for r in moving}
    LinkDecision.objects.filter(
        Q(record_a_id__in=stay_ids, record_b_id__in=move_ids) | Q(record_a_id__in=move_ids, record_b_id__in=stay_ids),
        kind=LinkDecision.Kind.SAME, revoked_by__isnull=True).update(revoked_by=decision)
    audit_record_each(action="combination", actor=by, obj=decision, reason=reason, request=request,
                      subject_person_ids=[person.public_id, new_person.public_id],
                      detail={"decision": "split", "person": str(person.public_id),
                              "new_person": str(new_person.public_id), "records_moved": len(moving)})
    return decision


def _revoke_earlier(decision: LinkDecision, kinds: Q, *, survivor_records: set[int]) -> None:
    """A merge replaces earlier "different" and split decisions between records it now holds together."""
    LinkDecision.objects.filter(kinds, revoked_by__isnull=True, record_a_id__in=survivor_records,
                                record_b_id__in=survivor_records).exclude(pk=decision.pk) \
        .update(revoked_by=decision)


@transaction.atomic
def review_keep_apart(*, review: MatchReview, by, reason: str, now: datetime | None = None,
                      request=None) -> LinkDecision:
    """A reviewer says the pair are different people: the re-link will never join their persons."""
    if not by.has_perm("linkage.review_matches"):
        raise PermissionDenied
    reason = _reason(reason)
    now = now or timezone.now()
    review = MatchReview.objects.select_for_update().get(pk=review.pk)
    if review.status != MatchReview.Status.PENDING:
        raise ValidationError("This pair has already been decided")
    a, b = review.record_a, review.record_b
    if a.person_id == b.person_id:
        raise ValidationError("These records are already one person: split the person instead")
    decision = LinkDecision.objects.create(
        kind=LinkDecision.Kind.DIFFERENT, person=a.person, other_person=b.person, record_a=a, record_b=b,
        reason=reason, decided_by=by, decided_at=now, review=review)
    MatchReview.objects.filter(pk=review.pk).update(status=MatchReview.Status.KEPT_APART, decided_by=by,
                                                    decided_at=now, reason=reason)
    audit_record_each(action="combination", actor=by, obj=decision, reason=reason, request=request,
                      subject_person_ids=[a.person.public_id, b.person.public_id],
                      detail={"decision": "different", "review": str(review.public_id)})
    return decision


def review_merge(*, review: MatchReview, by, reason: str, now: datetime | None = None,
                 request=None) -> LinkDecision:
    """A reviewer says the pair are one person: their persons are merged."""
    if not by.has_perm("linkage.review_matches"):
        raise PermissionDenied
    now = now or timezone.now()
    with transaction.atomic():
        review = MatchReview.objects.select_for_update().select_related("record_a", "record_b").get(pk=review.pk)
        if review.status != MatchReview.Status.PENDING:
            raise ValidationError("This pair has already been decided")
        decision = persons_merge(person=review.record_a.person, other=review.record_b.person, by=by,
                                 reason=reason, review=review, now=now, request=request)
        MatchReview.objects.filter(pk=review.pk).update(status=MatchReview.Status.MERGED, decided_by=by,
                                                        decided_at=now, reason=decision.reason)
    return decision


def _settle_reviews(*, now: datetime) -> int:
    """Pending pairs whose records are now one person need no reviewer any more."""
    pending = MatchReview.objects.filter(status=MatchReview.Status.PENDING).select_related("record_a", "record_b")
    settled = [r.pk for r in pending if r.record_a.person_id == r.record_b.person_id]
    return MatchReview.objects.filter(pk__in=settled).update(status=MatchReview.Status.SETTLED, decided_at=now)


def kept_apart_pairs() -> list[tuple[int, int]]:
    """Record pairs never joined automatically: those a reviewer kept apart (different people, or a split),
    still in force, and a record of each victim with one of their perpetrator on a MARAC referral."""
    decided = LinkDecision.objects.filter(kind__in=(LinkDecision.Kind.DIFFERENT, LinkDecision.Kind.SPLIT),
                                          revoked_by__isnull=True).values_list("record_a_id", "record_b_id")
    return list(decided) + _victim_and_perpetrator_records()


def _victim_and_perpetrator_records() -> list[tuple[int, int]]:
    """One record of each person pair a MARAC referral names as victim and perpetrator: a referral is
    good evidence they are two people, and joining them would make the referral name one person twice."""
    from vigil.marac.models import MaracReferral  # marac builds on linkage, not the other way round

    pairs = set(MaracReferral.objects.filter(perpetrator__isnull=False).values_list("victim_id", "perpetrator_id"))
    if not pairs:
        return []
    first_record = dict(PersonRecord.objects.filter(person_id__in={p for pair in pairs for p in pair})
                        .values("person_id").annotate(first=Min("pk")).values_list("person_id", "first"))
    return [(first_record[v], first_record[p]) for v, p in pairs if v in first_record and p in first_record]


def _named_as_victim_and_perpetrator(a: Person, b: Person) -> bool:
    from vigil.marac.models import MaracReferral

    return MaracReferral.objects.filter(Q(victim=a, perpetrator=b) | Q(victim=b, perpetrator=a)).exists()


def review_open(*, record_a: PersonRecord, record_b: PersonRecord, probability: float, source: str,
                matching_model: MatchingModel | None = None, now: datetime | None = None) -> MatchReview | None:
    """Put a pair in front of a reviewer, unless it is already there or a reviewer has decided it."""
    if record_a.person_id == record_b.person_id:
        return None
    a, b = _ordered(record_a, record_b)
    if LinkDecision.objects.filter(record_a=a, record_b=b, revoked_by__isnull=True).exists():
        return None
    try:
        with transaction.atomic():
            review, created = MatchReview.objects.get_or_create(
                record_a=a, record_b=b, defaults={"probability": probability, "source": source,
                                                  "matching_model": matching_model,
                                                  "found_at": now or timezone.now()})
    except IntegrityError:
        return MatchReview.objects.get(record_a=a, record_b=b)
    if not created and review.status == MatchReview.Status.PENDING and review.probability != probability:
        MatchReview.objects.filter(pk=review.pk).update(probability=probability, matching_model=matching_model)
    return review if review.status == MatchReview.Status.PENDING else None


# --- the full re-link -------------------------------------------------------------------------------

Progress = Callable[[str], None]


def relink_apply(*, scored_pairs: list[tuple[int, int, float]], upper: float, lower: float,
                 matching_model: MatchingModel | None = None, now: datetime | None = None,
                 progress: Progress = lambda _m: None) -> dict[str, int]:
    """Apply a re-link's scored record pairs (record pk, record pk, probability) to the persons: join
    persons along pairs at or above `upper` unless a reviewer kept them apart; put the strongest pair
    between each two persons still apart, between `lower` and `upper`, in the review queue. Never splits.
    Each join is audited as a combination by the system."""
    now = now or timezone.now()
    group_of = dict(PersonRecord.objects.filter(person__isnull=False).values_list("pk", "person_id"))
    kept_apart = kept_apart_pairs()
    # Two persons that each have a safe-contact arrangement are only joined by a reviewer.
    result = clustering.relink(group_of, scored_pairs, upper=upper, kept_apart=kept_apart,
                               exclusive=set(_with_agreed_safe_contact().values_list("person_id", flat=True)))
    joins = 0
    for start in range(0, len(result.joins), RELINK_BATCH):
        with transaction.atomic():  # a batch of joins per commit: all of it or none
            for join in result.joins[start:start + RELINK_BATCH]:
                survivor = Person.objects.select_for_update().get(pk=join.group)
                other = Person.objects.select_for_update().get(pk=join.other)
                moved = _combine(survivor=survivor, other=other, now=now)
                audit_record_each(action="combination", actor=None, object_type="people.Person",
                                  object_id=str(survivor.public_id),
                                  subject_person_ids=[survivor.public_id, other.public_id],
                                  reason="Automatic re-link: match probability at or above the upper threshold",
                                  detail={"decision": "relink", "survivor": str(survivor.public_id),
                                          "merged": str(other.public_id), "records_moved": moved,
                                          "probability": round(join.probability, 4),
                                          "model": str(matching_model.public_id) if matching_model else None})
                joins += 1
        progress(f"joined {joins} of {len(result.joins)} pairs of persons")
    final = dict(PersonRecord.objects.filter(person__isnull=False).values_list("pk", "person_id"))
    reviews = 0
    candidates = clustering.pairs_for_review(final, {g: g for g in set(final.values())}, scored_pairs,
                                             lower=lower, upper=upper, kept_apart=kept_apart)
    records = {r.pk: r for r in PersonRecord.objects.filter(
        pk__in={pk for a, b, _ in candidates.values() for pk in (a, b)})}
    for a, b, probability in candidates.values():
        if review_open(record_a=records[a], record_b=records[b], probability=probability,
                       source=MatchReview.Source.RELINK, matching_model=matching_model, now=now):
            reviews += 1
    held = {r.pk: r for r in PersonRecord.objects.filter(pk__in={pk for a, b, _ in result.held for pk in (a, b)})}
    for a, b, probability in result.held:
        if review_open(record_a=held[a], record_b=held[b], probability=probability,
                       source=MatchReview.Source.RELINK, matching_model=matching_model, now=now):
            reviews += 1
    _settle_reviews(now=now)
    return {"joins": joins, "blocked_by_decisions": len(result.blocked), "held_for_review": len(result.held),
            "reviews_opened": reviews}


# --- the match made when a record arrives ---------------------------------------------------------


@dataclass(frozen=True)
class Arrival:
    """Who an arriving record was linked to, and on what basis."""

    person: Person
    basis: str  # "link" (model, above the upper threshold), "review", "new", or "rules" (no model yet)
    probability: float | None = None
    candidates: tuple = ()  # candidates.Candidate, most likely first
    review_with: int | None = None  # the candidate record a reviewer should compare it with
    matching_model: MatchingModel | None = None


def _legacy_person_for_record(record: PersonRecord) -> Person:
    """With no trained model yet, the force's legacy rules: the same name keys and date of birth, or, with
    no date of birth, the same name keys at the same address, are the same person; anything less certain
    is a new person that the re-link or a reviewer can merge later."""
    if record.given_name and record.family_name and (record.date_of_birth or record.address_id):
        same = PersonRecord.objects.filter(given_name_key=name_key(record.given_name),
                                           family_name_key=name_key(record.family_name), person__isnull=False)
        same = same.filter(date_of_birth=record.date_of_birth) if record.date_of_birth else \
            same.filter(address_id=record.address_id)
        match = same.order_by("-recorded_at").values_list("person_id", flat=True).first()
        if match:
            return current_person(Person.objects.get(pk=match))
    return Person.objects.create()


def person_for_arriving_record(record: PersonRecord) -> Arrival:
    """The online match: score the arriving (unsaved) record against the candidates the blocking rules
    find, with the active model. Above the upper threshold it joins the best candidate's person; between
    the thresholds it becomes a new person and the pair goes to a reviewer (`arrival_record`); below, a new
    person. Before any model is trained, the legacy rules decide."""
    model = MatchingModel.objects.filter(active=True).only("pk", "public_id", "document", "upper", "lower").first()
    if model is None or not model.document.get("splink_settings"):
        return Arrival(person=_legacy_person_for_record(record), basis="rules")
    address = record.address
    found = candidates.match_candidates(
        model=model.document, given_name=record.given_name, family_name=record.family_name,
        date_of_birth=record.date_of_birth, postcode=address.postcode if address else "",
        address_line=candidates.address_text(address.line1, address.line2, address.town) if address else "",
        phone_e164=record.phone.e164 if record.phone else "", upper=model.upper, lower=model.lower)
    best = found[0] if found else None
    if best is not None and best.band == "link":
        person = current_person(Person.objects.get(pk=best.person_id))
        return Arrival(person=person, basis="link", probability=best.match_probability, candidates=tuple(found),
                       matching_model=model)
    if best is not None and best.band == "review":
        return Arrival(person=Person.objects.create(), basis="review", probability=best.match_probability,
                       candidates=tuple(found), review_with=best.record_id, matching_model=model)
    return Arrival(person=Person.objects.create(), basis="new", probability=best.match_probability if best else None,
                   candidates=tuple(found), matching_model=model)


ARRIVAL_CANDIDATES_KEPT = 5


def arrival_record(record: PersonRecord, arrival: Arrival, *, now: datetime | None = None) -> MatchReview | None:
    """After the arriving record is saved: keep what the model saw (shown to the call taker) and put an
    uncertain match in front of a reviewer."""
    now = now or timezone.now()
    ArrivalMatch.objects.update_or_create(record=record, defaults={
        "basis": arrival.basis, "probability": arrival.probability, "matching_model": arrival.matching_model,
        "matched_at": now,
        "candidates": [{"person": c.person_public_id, "probability": round(c.match_probability, 4), "band": c.band}
                       for c in arrival.candidates[:ARRIVAL_CANDIDATES_KEPT]]})
    if arrival.basis != "review" or arrival.review_with is None:
        return None
    other = PersonRecord.objects.get(pk=arrival.review_with)
    return review_open(record_a=record, record_b=other, probability=arrival.probability,
                       source=MatchReview.Source.ONLINE, matching_model=arrival.matching_model, now=now)
