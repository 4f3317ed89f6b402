"""Call-review sampling: picking each month's sample, recording a supervisor's review, and coverage.

Services change state (one transaction, one audit event each); selectors read. The checklist and the
sampling rule are plain rules in `call_review`.
"""

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from vigil.accounts.models import User
from vigil.audit.services import audit_record, audit_record_each
from vigil.incidents.models import Incident, Involvement

from . import call_review
from .models import CallReview

LONDON = ZoneInfo("Europe/London")
NOTES_MAX_LENGTH = 5000


def current_month(now: datetime | None = None) -> date:
    """The first day of the Europe/London calendar month that `now` (default: now) falls in."""
    return timezone.localdate(now or timezone.now(), timezone=LONDON).replace(day=1)


def eligible_calls(*, month: date) -> QuerySet[Incident]:
    """Domestic abuse calls received in the month (Europe/London) whose recording is finished and whose
    call taker is known: the calls a sample may be drawn from."""
    start, end = call_review.month_bounds(month, LONDON)
    return (Incident.objects
            .filter(is_domestic_abuse=True, recorded_by__isnull=False, received_at__gte=start, received_at__lt=end)
            .exclude(status=Incident.Status.RECORDING))


# --- Services -----------------------------------------------------------------------------------------

@transaction.atomic
def call_reviews_sample(*, month: date, by: User | None = None, now: datetime | None = None,
                        seed: str | int | None = None, request=None) -> list[CallReview]:
    """Top up the month's sample so each call taker has at least MIN_PER_MONTH calls to review (all of
    them when they took fewer). Returns the reviews added: none when the sample is already complete, so
    running it again adds only for a call taker still short whose new calls have come in.

    Without a seed, a fresh random one is used and written to the audit event, so the choice can be
    reproduced but not predicted.
    """
    month = call_review.month_start(month)
    now = now or timezone.now()
    seed = str(seed) if seed is not None else secrets.token_hex(8)
    calls = eligible_calls(month=month)
    taker_ids = sorted(set(calls.values_list("recorded_by_id", flat=True)))
    # Two supervisors pressing the button at once take turns (PostgreSQL; SQLite writes one at a time).
    list(User.objects.select_for_update().filter(pk__in=taker_ids).order_by("pk").values_list("pk", flat=True))

    eligible: dict[int, list[int]] = {taker: [] for taker in taker_ids}
    recorded_by: dict[int, int] = {}
    for incident_id, taker in calls.filter(call_review__isnull=True).values_list("pk", "recorded_by_id"):
        eligible[taker].append(incident_id)
        recorded_by[incident_id] = taker
    already: dict[int, list[int]] = {}
    for taker, incident_id in CallReview.objects.filter(month=month).values_list("call_taker_id", "incident_id"):
        already.setdefault(taker, []).append(incident_id)

    chosen = call_review.sample_calls(eligible, already, seed=seed)
    created = [CallReview.objects.create(incident_id=incident_id, call_taker_id=taker, month=month, sampled_at=now)
               for taker, incident_ids in chosen.items() for incident_id in incident_ids]
    if created:
        audit_record(action="collection", actor=by, request=request, object_type="checks.CallReview",
                     object_id=f"{month:%Y-%m}",
                     detail={"month": f"{month:%Y-%m}", "seed": seed, "sampled": len(created),
                             "call_takers": len(chosen), "reviews": [str(r.public_id) for r in created]})
    return created


@transaction.atomic
def call_review_record(*, review: CallReview, by: User, answers: dict, notes: str = "",
                       now: datetime | None = None, request=None) -> CallReview:
    """Record a supervisor's review of a sampled call against the checklist. Every item needs an answer
    (met, not met or not applicable); nobody reviews a call they took; a review is recorded once."""
    review = CallReview.objects.select_for_update().select_related("incident").get(pk=review.pk)
    if review.reviewed_at is not None:
        raise ValidationError("This call has already been reviewed")
    if by is None or by.pk == review.call_taker_id:
        raise ValidationError("You took this call, so you cannot review it: ask another supervisor")
    answers = {str(code): (value.strip() if isinstance(value, str) else value)
               for code, value in (answers or {}).items()}
    notes = (notes or "").strip()
    problems = call_review.answers_problems(answers)
    if len(notes) > NOTES_MAX_LENGTH:
        problems["notes"] = f"Notes must be {NOTES_MAX_LENGTH} characters or fewer"
    if problems:
        raise ValidationError({code: [message] for code, message in problems.items()})

    review.answers = {code: answers[code] for code in call_review.CHECKLIST_CODES}
    review.notes = notes
    review.reviewer = by
    review.reviewed_at = now or timezone.now()
    review.save(update_fields=["answers", "notes", "reviewer", "reviewed_at"])
    audit_record(action="alteration", actor=by, obj=review, request=request,
                 detail={"incident": str(review.incident.public_id), "month": f"{review.month:%Y-%m}",
                         "not_met": call_review.not_met_count(review.answers), "fields": ["answers", "notes"]})
    return review


# --- Selectors ----------------------------------------------------------------------------------------

def call_reviews_for_month(*, month: date) -> QuerySet[CallReview]:
    """The month's sample, by call taker, then in the order the calls came in."""
    return (CallReview.objects.filter(month=call_review.month_start(month))
            .select_related("incident", "call_taker", "reviewer")
            .order_by("call_taker__last_name", "call_taker__first_name", "call_taker__username",
                      "incident__received_at"))


def call_review_open(*, review: CallReview, viewer: User, request=None) -> CallReview:
    """The review with its incident, for a supervisor to read: recorded as a consultation of the
    people involved in the call."""
    review = CallReview.objects.select_related("incident", "call_taker", "reviewer").get(pk=review.pk)
    person_ids = (Involvement.objects.filter(incident=review.incident, person_record__person__isnull=False)
                  .values_list("person_record__person__public_id", flat=True).distinct())
    audit_record_each(action="consultation", actor=viewer, request=request, object_type="checks.CallReview",
                      object_id=str(review.public_id), subject_person_ids=list(person_ids),
                      detail={"incident": str(review.incident.public_id), "purpose": "call review"})
    return review


@dataclass(frozen=True)
class CoverageRow(call_review.CoverageFigures):
    """One call taker's month: domestic abuse calls taken, sampled, reviewed (see CoverageFigures)."""

    call_taker: User

    @property
    def name(self) -> str:
        return display_name(self.call_taker)

    @property
    def below_minimum(self) -> bool:
        return not self.meets_minimum


def display_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def call_review_coverage(*, month: date) -> list[CoverageRow]:
    """Per call taker who took domestic abuse calls (or had calls sampled) in the month, by name."""
    month = call_review.month_start(month)
    calls = dict(eligible_calls(month=month).order_by().values("recorded_by_id").annotate(n=Count("pk"))
                 .values_list("recorded_by_id", "n"))
    sampled: dict[int, tuple[int, int]] = {
        row["call_taker_id"]: (row["sampled"], row["reviewed"])
        for row in CallReview.objects.filter(month=month).order_by().values("call_taker_id")
        .annotate(sampled=Count("pk"), reviewed=Count("pk", filter=Q(reviewed_at__isnull=False)))
    }
    users = User.objects.in_bulk(set(calls) | set(sampled))
    rows = [CoverageRow(calls=calls.get(pk, 0), sampled=sampled.get(pk, (0, 0))[0],
                        reviewed=sampled.get(pk, (0, 0))[1], call_taker=user)
            for pk, user in users.items()]
    return sorted(rows, key=lambda r: (r.name.casefold(), r.call_taker.pk))


def call_review_coverage_totals(rows: list[CoverageRow]) -> call_review.CoverageTotals:
    return call_review.coverage_totals(rows)
