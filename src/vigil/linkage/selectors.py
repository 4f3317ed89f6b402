"""Reading who is who: the review queue, the two persons a reviewer compares, a person's history in
figures. Every read that shows personal data is audited as a consultation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.utils import timezone

from vigil.audit.services import audit_record_each
from vigil.incidents.models import Involvement
from vigil.people.models import Person, PersonRecord
from vigil.people.selectors import address_text

from . import repeat
from .models import ArrivalMatch, LinkDecision, MatchReview


@dataclass(frozen=True)
class PersonHistory:
    """A person's history in figures: what repeat and serial lists and the risk assessment count."""

    victim_incidents: int
    victim_incidents_12m: int
    suspect_incidents: int
    suspect_other_victims: int
    last_incident_at: datetime | None
    is_repeat_victim: bool


def person_history(person: Person, *, now: datetime | None = None) -> PersonHistory:
    """Counts over every record of the person: so merging two persons adds their histories together."""
    now = now or timezone.now()
    involvements = Involvement.objects.filter(person_record__person=person)
    as_victim = involvements.filter(role=Involvement.Role.VICTIM)
    victim_incidents = [repeat.VictimIncident(incident_id=str(i), at=at) for i, at in
                        as_victim.values_list("incident_id", "incident__received_at").distinct()
                        if at <= now]
    as_suspect = involvements.filter(role=Involvement.Role.SUSPECT)
    other_victims = (Involvement.objects.filter(role=Involvement.Role.VICTIM,
                                                incident__in=as_suspect.values("incident_id"))
                     .exclude(person_record__person=person).exclude(person_record__person__isnull=True)
                     .values("person_record__person").distinct().count())
    last = involvements.aggregate(last=Max("incident__received_at"))["last"]
    return PersonHistory(
        victim_incidents=len({v.incident_id for v in victim_incidents}),
        victim_incidents_12m=repeat.incidents_in_window(victim_incidents, now=now),
        suspect_incidents=as_suspect.values("incident_id").distinct().count(),
        suspect_other_victims=other_victims,
        last_incident_at=last,
        is_repeat_victim=repeat.is_repeat_victim(victim_incidents, now),
    )


@dataclass(frozen=True)
class RecordLine:
    record: PersonRecord
    address: str


@dataclass(frozen=True)
class PersonSide:
    """One of the two persons a reviewer compares: every record, as the reviewer may see it."""

    person: Person
    records: list[RecordLine]
    history: PersonHistory
    markers: list[str]
    highlighted: PersonRecord  # the record the model scored


def _side(person: Person, highlighted: PersonRecord, *, viewer, on: date) -> PersonSide:
    records = [RecordLine(r, address_text(r.address, viewer=viewer))
               for r in person.records.select_related("address").order_by("recorded_at", "id")]
    markers = sorted({m.get_kind_display() for m in person.markers.all() if m.in_force_on(on)})
    return PersonSide(person=person, records=records, history=person_history(person), markers=markers,
                      highlighted=highlighted)


@dataclass(frozen=True)
class ReviewView:
    review: MatchReview
    left: PersonSide
    right: PersonSide
    decisions: list[LinkDecision]


def review_detail(*, review: MatchReview, viewer, request=None) -> ReviewView:
    if not viewer.has_perm("linkage.review_matches"):
        raise PermissionDenied
    a = PersonRecord.objects.select_related("person").get(pk=review.record_a_id)
    b = PersonRecord.objects.select_related("person").get(pk=review.record_b_id)
    on = timezone.localdate()
    left, right = _side(a.person, a, viewer=viewer, on=on), _side(b.person, b, viewer=viewer, on=on)
    decisions = list(LinkDecision.objects.filter(review=review).select_related("decided_by"))
    audit_record_each(action="consultation", actor=viewer, obj=review, request=request,
                      subject_person_ids=sorted({a.person.public_id, b.person.public_id}, key=str),
                      detail={"view": "match review"})
    return ReviewView(review=review, left=left, right=right, decisions=decisions)


@dataclass(frozen=True)
class QueueLine:
    review: MatchReview
    restricted: bool


def review_queue(*, viewer, status: str = MatchReview.Status.PENDING, limit: int = 100,
                 request=None) -> tuple[list[QueueLine], int]:
    """Pairs waiting for a reviewer, most likely matches first, and how many there are in all. The queue
    itself shows no names (opening a pair does), so reading it is not a consultation of anyone."""
    if not viewer.has_perm("linkage.review_matches"):
        raise PermissionDenied
    reviews = MatchReview.objects.filter(status=status)
    total = reviews.count()
    lines = [QueueLine(r, r.record_a.person.restricted or r.record_b.person.restricted)
             for r in reviews.select_related("record_a__person", "record_b__person")
             .order_by("-probability", "found_at")[:limit]]
    return lines, total


def queue_counts() -> dict[str, int]:
    return dict(MatchReview.objects.values_list("status").annotate(n=Count("id")))


def person_decisions(person: Person, *, limit: int = 20) -> list[LinkDecision]:
    """The identity decisions made about a person (as survivor, merged, split or kept apart)."""
    shown = Q(records_moved__gt=0) | Q(kind=LinkDecision.Kind.DIFFERENT)
    return list((LinkDecision.objects.filter(person=person) | LinkDecision.objects.filter(other_person=person))
                .filter(shown).select_related("decided_by").order_by("-decided_at")[:limit])


@dataclass(frozen=True)
class PossibleDuplicate:
    person: Person
    record: PersonRecord  # the most recent record of that person
    records: int


def possible_duplicates(*, person: Person, viewer, limit: int = 20, request=None) -> list[PossibleDuplicate]:
    """Other persons a reviewer might merge this one with: records that share a surname sound and birth
    year, a date of birth, swapped names, or an address. Audited as a consultation of each one listed."""
    if not viewer.has_perm("linkage.merge_persons"):
        raise PermissionDenied
    mine = list(person.records.values("given_name_key", "family_name_key", "family_name_phonetic",
                                      "date_of_birth", "address_id"))
    query = Q(pk__in=[])
    for r in mine:
        if r["family_name_phonetic"] and r["date_of_birth"]:
            query |= Q(family_name_phonetic=r["family_name_phonetic"], date_of_birth__year=r["date_of_birth"].year)
        if r["date_of_birth"]:
            query |= Q(date_of_birth=r["date_of_birth"])
        if r["given_name_key"] and r["family_name_key"]:
            query |= Q(given_name_key=r["family_name_key"], family_name_key=r["given_name_key"])
            query |= Q(given_name_key=r["given_name_key"], family_name_key=r["family_name_key"])
        if r["address_id"]:
            query |= Q(address_id=r["address_id"])
    person_ids = list(PersonRecord.objects.filter(query, person__isnull=False, person__merged_into__isnull=True)
                      .exclude(person=person).values_list("person_id", flat=True).distinct()[:limit])
    found = []
    for other in Person.objects.filter(pk__in=person_ids).annotate(n=Count("records")).order_by("pk"):
        latest = other.records.select_related("address").order_by("-recorded_at", "-id").first()
        found.append(PossibleDuplicate(person=other, record=latest, records=other.n))
    audit_record_each(action="consultation", actor=viewer, object_type="people.Person",
                      object_id=str(person.public_id), request=request,
                      subject_person_ids=[person.public_id] + [d.person.public_id for d in found],
                      detail={"view": "possible duplicates", "listed": len(found)})
    return found


@dataclass(frozen=True)
class CandidateShown:
    text: str  # "Elizabeth Smith, born 3 Dec 1985", or "Restricted record"
    probability: float


@dataclass(frozen=True)
class ArrivalShown:
    """What the call taker sees beside a person added to a call: how the record was linked and the other
    persons it might be."""

    basis: str
    label: str
    probability: float | None
    candidates: list[CandidateShown]


def _person_text(person: Person) -> str:
    if person.restricted:
        return "Restricted record"
    latest = person.records.order_by("-recorded_at", "-id").first()
    if latest is None:
        return "A person with no records"
    born = f", born {latest.date_of_birth:%-d %b %Y}" if latest.date_of_birth else ""
    return f"{latest.given_name} {latest.family_name}{born}".strip()


def arrival_matches(*, records: list[PersonRecord], viewer, request=None,
                    shown_from: float = 0.5, most: int = 3) -> dict[int, ArrivalShown]:
    """For each record added to a call, how the online match linked it, and the other candidate persons
    at or above `shown_from`. Showing a candidate's name is a consultation of that person (audited)."""
    matches = ArrivalMatch.objects.filter(record__in=records).select_related("record")
    shown: dict[int, ArrivalShown] = {}
    consulted: set = set()
    for match in matches:
        own = str(match.record.person.public_id) if match.record.person_id else ""
        listed = [c for c in match.candidates if c["probability"] >= shown_from and c["person"] != own][:most]
        persons = {str(p.public_id): p for p in Person.objects.filter(public_id__in=[c["person"] for c in listed])}
        candidates = []
        for c in listed:
            person = persons.get(c["person"])
            if person is None:
                continue
            person = current_person(person)
            candidates.append(CandidateShown(_person_text(person), c["probability"]))
            consulted.add(person.public_id)
        shown[match.record_id] = ArrivalShown(basis=match.basis, label=match.get_basis_display(),
                                              probability=match.probability, candidates=candidates)
    if consulted:
        audit_record_each(action="consultation", actor=viewer, object_type="people.Person", request=request,
                          subject_person_ids=sorted(consulted, key=str), detail={"view": "possible matches"})
    return shown


def current_person(person: Person) -> Person:
    """The person a merged person now lives on (following merges made since)."""
    seen = set()
    while person.merged_into_id and person.pk not in seen:
        seen.add(person.pk)
        person = Person.objects.get(pk=person.merged_into_id)
    return person
