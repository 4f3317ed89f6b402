"""Changing the plans behind the repeat-victim and serial-perpetrator lists, and deciding counter-allegations.

- `repeat_plan_set` / `perpetrator_plan_set`: a person sets or updates the open plan of someone on a list:
  a named owner (an active force user who may own one, `PLAN_OWNER_ROLES`), a review date (today or
  later) and what is being done.
- `repeat_plans_ensure`: no repeat victim without a plan. Every repeat victim with no open plan is given
  one by the worker's sweep: below the repeat-case team's threshold, owned by the supervisor (else the
  longest-standing member) of the neighbourhood team of the victim's area; at or above it, by the
  repeat-case team's. The review date is `plan_review_days` after today. A local plan whose victim has
  reached the team's threshold moves to the repeat-case team. Running it again changes nothing.
- `counter_allegations_flag`: a pending review for each counter-allegation pair with no decision since
  its latest incident (what the reviewers' list shows, kept as a record).
- `counter_allegation_decide`: a reviewer names the primary victim, with a reason. The rule's suggestion
  is kept beside the decision for the record; it is never applied by itself.

Each function changes state in one transaction and writes its audit event (collection for a new plan or
flag, alteration for a change or a decision), naming the persons concerned.
"""

import logging
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from vigil.accounts.models import Team, User
from vigil.audit.services import audit_record, audit_record_each
from vigil.cases.services import display, team_supervisors
from vigil.people.models import Person

from .list_policy import list_policy
from .list_selectors import counter_allegation_rows, lists_now, repeat_victim_rows, serial_rows, viewer_areas
from .models import CounterAllegationReview, PerpetratorPlan, RepeatVictimPlan

logger = logging.getLogger(__name__)

PLAN_OWNER_ROLES = ("neighbourhood_officer", "repeat_case_officer", "specialist_investigator", "supervisor")
PLAN_MIN_LENGTH = 10
REASON_MIN_LENGTH = 10
REVIEW_AT_MOST_DAYS = 366  # a review date more than a year away is a typing slip


# --- checks ----------------------------------------------------------------------------------------------

def may_own_plan(user: User | None) -> bool:
    return bool(user is not None and user.is_active and user.agency_id and user.agency.is_force
                and user.role in PLAN_OWNER_ROLES)


def _owner_checked(owner: User | None) -> User:
    if owner is None:
        raise ValidationError({"owner": "Choose who will own the plan"})
    if not owner.is_active or not owner.agency_id or not owner.agency.is_force:
        raise ValidationError({"owner": f"{display(owner)} is not an active user in the force: choose someone who is"})
    if owner.role not in PLAN_OWNER_ROLES:
        raise ValidationError({"owner": f"{display(owner)} is a {owner.role_name.lower()} and cannot own a plan: "
                                        "choose a neighbourhood officer, repeat-case officer, specialist "
                                        "investigator or supervisor"})
    return owner


def _review_checked(review_due: date | None, today: date) -> date:
    if review_due is None:
        raise ValidationError({"review_due": "Enter the date the plan will be reviewed"})
    if review_due < today:
        raise ValidationError({"review_due": "The review date must be today or in the future"})
    if review_due > today + timedelta(days=REVIEW_AT_MOST_DAYS):
        raise ValidationError({"review_due": "The review date must be within a year"})
    return review_due


def _text_checked(value: str, field: str, what: str, minimum: int) -> str:
    value = (value or "").strip()
    if len(value) < minimum:
        raise ValidationError({field: f"{what} (at least {minimum} characters)"})
    return value


def _in_scope(by: User, area_id: int | None) -> None:
    allowed = viewer_areas(by)
    if allowed is not None and area_id not in allowed:
        raise PermissionDenied("Neighbourhood officers plan for the people of their own teams' areas")


# --- owners ----------------------------------------------------------------------------------------------

def plan_team(*, kind: str, area_id: int | None) -> Team | None:
    """The force's team of `kind` for an area: the area's own, else a force-wide one, else any."""
    teams = Team.objects.filter(kind=kind, agency__kind="force").order_by("pk")
    return (teams.filter(area_id=area_id).first() if area_id else None) or teams.filter(area__isnull=True).first() \
        or teams.first()


def duty_owner(team: Team | None) -> User | None:
    """Who owns a plan the worker sets for `team`: its supervisor, else its longest-standing member who
    may own a plan."""
    if team is None:
        return None
    for user in team_supervisors(team):
        if may_own_plan(user):
            return user
    for user in team.members.filter(is_active=True, role__in=PLAN_OWNER_ROLES).order_by("date_joined", "pk"):
        if may_own_plan(user):
            return user
    return None


def _team_kind(tier: str) -> str:
    return Team.Kind.REPEAT_CASE if tier == RepeatVictimPlan.Tier.REPEAT_TEAM else Team.Kind.NEIGHBOURHOOD


def _owner_team(owner: User, *, kind: str, area_id: int | None) -> Team | None:
    """The team a plan is held for: the owner's team of the tier's kind (their area's first), else the
    policy team."""
    mine = list(owner.teams.filter(kind=kind).order_by("pk"))
    return next((t for t in mine if t.area_id == area_id), None) or (mine[0] if mine else None) \
        or plan_team(kind=kind, area_id=area_id)


def _plan_checked(*, owner: User | None, review_due: date | None, plan: str, today: date) -> None:
    """A plan's owner, review date and text, every problem reported at once."""
    errors = {}
    for check in (lambda: _owner_checked(owner), lambda: _review_checked(review_due, today),
                  lambda: _text_checked(plan, "plan", "Describe the plan", PLAN_MIN_LENGTH)):
        try:
            check()
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


def _plan_save(model, *, person: Person, by: User, owner: User, review_due: date, plan: str, now: datetime,
               placed: dict, step: str, request=None):
    """Create or update a person's open plan (`model`: RepeatVictimPlan or PerpetratorPlan) with its owner,
    review date and text, and where it sits (`placed`: tier, team, area). Audited as collection or alteration."""
    with transaction.atomic():
        existing = model.objects.select_for_update().filter(person=person, closed_at__isnull=True).first()
        if existing is None:
            try:
                with transaction.atomic():
                    saved = model.objects.create(person=person, owner=owner, review_due=review_due, plan=plan,
                                                 created_at=now, created_by=by, updated_at=now, updated_by=by, **placed)
            except IntegrityError:
                raise ValidationError("Someone else set this person's plan at the same moment: check it and try "
                                      "again") from None
            changed = ["owner", "review_due", "plan"]
        else:
            saved = existing
            changed = [name for name, value in (("owner", owner.pk), ("review_due", review_due), ("plan", plan))
                       if getattr(saved, "owner_id" if name == "owner" else name) != value]
            saved.owner, saved.review_due, saved.plan = owner, review_due, plan
            for field, value in placed.items():
                setattr(saved, field, value)
            saved.updated_at, saved.updated_by = now, by
            saved.save()
        detail = {"step": step, "fields": changed}
        if "tier" in placed:
            detail["tier"] = placed["tier"]
        audit_record(action="collection" if existing is None else "alteration", actor=by, obj=saved,
                     subject_person_id=person.public_id, request=request, detail=detail)
    return saved


# --- repeat victims --------------------------------------------------------------------------------------

def repeat_plan_set(*, person: Person, by: User, owner: User | None, review_due: date | None, plan: str,
                    now: datetime | None = None, request=None) -> RepeatVictimPlan:
    """Set or update a repeat victim's open plan: owner, review date and what is being done."""
    now = now or timezone.now()
    at = lists_now(now)
    _plan_checked(owner=owner, review_due=review_due, plan=plan, today=timezone.localdate(at))
    plan = plan.strip()
    rows = repeat_victim_rows(now=at, person_ids=[person.pk])
    if not rows:
        raise ValidationError("This person is no longer a repeat victim, so their plan cannot be set here")
    row = rows[0]
    _in_scope(by, row.area_id)
    team = _owner_team(owner, kind=_team_kind(row.tier), area_id=row.area_id)
    return _plan_save(RepeatVictimPlan, person=person, by=by, owner=owner, review_due=review_due, plan=plan, now=now,
                      placed={"tier": row.tier, "team": team, "area_id": row.area_id}, step="repeat victim plan set",
                      request=request)


@dataclass
class EnsureResult:
    plans_set: int = 0
    moved_to_team: int = 0
    without_owner: int = 0  # repeat victims no team could take: the list flags them "No plan"
    counter_allegations_flagged: int = 0
    perpetrator_plans_set: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def repeat_plans_ensure(*, now: datetime | None = None) -> EnsureResult:
    """Give every repeat victim without an open plan a named owner and a review date, and move a local
    plan to the repeat-case team when its victim reaches the team's threshold. Idempotent; each person
    in their own transaction."""
    now = now or timezone.now()
    at = lists_now(now)
    policy = list_policy(at)
    review_due = timezone.localdate(at) + timedelta(days=policy.plan_review_days)
    result = EnsureResult()
    rows = repeat_victim_rows(now=at, policy=policy)
    open_plans = {p.person_id: p for p in RepeatVictimPlan.objects.filter(
        closed_at__isnull=True, person_id__in=[r.person_id for r in rows])} if rows else {}
    for row in rows:
        plan = open_plans.get(row.person_id)
        if plan is not None and not (plan.tier == RepeatVictimPlan.Tier.LOCAL and row.team_queue):
            continue
        team = plan_team(kind=_team_kind(row.tier), area_id=row.area_id)
        owner = duty_owner(team)
        if owner is None:
            result.without_owner += 1
            logger.warning("Repeat victim plans: no %s team with an owner for area id=%s",
                           _team_kind(row.tier), row.area_id)
            continue
        try:
            with transaction.atomic():
                person = Person.objects.only("pk", "public_id").get(pk=row.person_id)
                if plan is None:
                    saved = RepeatVictimPlan.objects.create(
                        person=person, tier=row.tier, owner=owner, team=team, area_id=row.area_id,
                        review_due=review_due, created_at=now, updated_at=now)
                    audit_record(action="collection", obj=saved, subject_person_id=person.public_id,
                                 detail={"step": "repeat victim plan set by the worker", "tier": row.tier,
                                         "incidents": row.incidents})
                    result.plans_set += 1
                else:
                    plan = RepeatVictimPlan.objects.select_for_update().get(pk=plan.pk)
                    if plan.closed_at is not None or plan.tier != RepeatVictimPlan.Tier.LOCAL:
                        continue
                    plan.tier, plan.owner, plan.team, plan.updated_at, plan.updated_by = \
                        row.tier, owner, team, now, None
                    plan.review_due = min(plan.review_due, review_due) if plan.review_due >= timezone.localdate(at) \
                        else review_due
                    plan.save()
                    audit_record(action="alteration", obj=plan, subject_person_id=person.public_id,
                                 detail={"step": "repeat victim plan moved to the repeat-case team",
                                         "incidents": row.incidents})
                    result.moved_to_team += 1
        except IntegrityError:
            pass  # a person set the plan at the same moment: theirs stands
    return result


# --- serial perpetrators ---------------------------------------------------------------------------------

def perpetrator_plan_set(*, person: Person, by: User, owner: User | None, review_due: date | None, plan: str,
                         now: datetime | None = None, request=None) -> PerpetratorPlan:
    """Set or update a serial perpetrator's open plan: owner, review date and what is being done."""
    now = now or timezone.now()
    at = lists_now(now)
    _plan_checked(owner=owner, review_due=review_due, plan=plan, today=timezone.localdate(at))
    plan = plan.strip()
    rows = serial_rows(now=at, person_ids=[person.pk])
    if not rows:
        raise ValidationError("This person is no longer a serial perpetrator, so their plan cannot be set here")
    row = rows[0]
    _in_scope(by, row.area_id)
    return _plan_save(PerpetratorPlan, person=person, by=by, owner=owner, review_due=review_due, plan=plan, now=now,
                      placed={"area_id": row.area_id}, step="perpetrator plan set", request=request)


# --- counter-allegations ---------------------------------------------------------------------------------

def _ordered(one: Person, other: Person) -> tuple[Person, Person]:
    return (one, other) if one.pk < other.pk else (other, one)


def counter_allegations_flag(*, now: datetime | None = None) -> int:
    """A pending review for each counter-allegation pair with none waiting and no decision since its
    latest incident. Returns how many were flagged; running it again flags nothing more."""
    now = now or timezone.now()
    flagged = 0
    for row in counter_allegation_rows(now=lists_now(now)):
        if row.pending_review is not None:
            continue
        a, b = sorted((row.first.person_id, row.second.person_id))
        try:
            with transaction.atomic():
                review = CounterAllegationReview.objects.create(person_a_id=a, person_b_id=b, found_at=now,
                                                                latest_incident_on=row.pair.latest)
                audit_record_each(action="collection", obj=review, request=None,
                                  subject_person_ids=[row.first.public_id, row.second.public_id],
                                  detail={"step": "counter-allegation flagged for review"})
            flagged += 1
        except IntegrityError:
            pass  # flagged by another sweep at the same moment
    return flagged


def counter_allegation_decide(*, first: Person, second: Person, primary_victim: Person | None, reason: str,
                              by: User, now: datetime | None = None, request=None) -> CounterAllegationReview:
    """A reviewer decides which of the pair is the primary victim, with a reason. The suggestion is
    recorded beside the decision; it is not the decision."""
    now = now or timezone.now()
    errors = {}
    if primary_victim is None or primary_victim.pk not in (first.pk, second.pk):
        errors["primary_victim"] = ["Choose which of the two is the primary victim"]
    try:
        reason = _text_checked(reason, "reason", "Give the reason for your decision", REASON_MIN_LENGTH)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    if first.pk == second.pk:
        raise ValidationError("A counter-allegation is between two different people")
    rows = counter_allegation_rows(now=lists_now(now), person_ids=[first.pk, second.pk], pending_only=False)
    if not rows:
        raise ValidationError("These two people are not a counter-allegation pair in the policy's window")
    row = rows[0]
    a, b = _ordered(first, second)
    suggested = row.suggested
    with transaction.atomic():
        review = (CounterAllegationReview.objects.select_for_update()
                  .filter(person_a=a, person_b=b, status=CounterAllegationReview.Status.PENDING).first())
        if review is None:
            review = CounterAllegationReview(person_a=a, person_b=b, found_at=now)
        review.status = CounterAllegationReview.Status.DECIDED
        review.primary_victim = primary_victim
        review.reason = reason
        review.decided_by, review.decided_at = by, now
        review.latest_incident_on = row.pair.latest
        review.suggested_id = suggested.person_id if suggested is not None else None
        review.save()
        audit_record_each(action="alteration", actor=by, obj=review, request=request,
                          subject_person_ids=[a.public_id, b.public_id],
                          detail={"step": "primary victim decided",
                                  "suggestion": "none" if suggested is None else (
                                      "followed" if suggested.person_id == primary_victim.pk else "not followed")})
    return review


# --- the worker's sweep ----------------------------------------------------------------------------------

def perpetrator_plans_ensure(*, now: datetime | None = None) -> int:
    """Give every serial perpetrator without an open plan a named owner (the duty owner of the area's
    neighbourhood team) and a review date; the owner writes the plan. Idempotent. Returns plans set."""
    now = now or timezone.now()
    at = lists_now(now)
    policy = list_policy(at)
    review_due = timezone.localdate(at) + timedelta(days=policy.plan_review_days)
    rows = serial_rows(now=at, policy=policy, all_areas=True)
    planned = set(PerpetratorPlan.objects.filter(closed_at__isnull=True, person_id__in=[r.person_id for r in rows])
                  .values_list("person_id", flat=True)) if rows else set()
    made = 0
    for row in rows:
        if row.person_id in planned:
            continue
        owner = duty_owner(plan_team(kind=Team.Kind.NEIGHBOURHOOD, area_id=row.area_id))
        if owner is None:
            logger.warning("Perpetrator plans: no neighbourhood team with an owner for area id=%s", row.area_id)
            continue
        try:
            with transaction.atomic():
                person = Person.objects.only("pk", "public_id").get(pk=row.person_id)
                saved = PerpetratorPlan.objects.create(person=person, area_id=row.area_id, owner=owner,
                                                       review_due=review_due, created_at=now, updated_at=now)
                audit_record(action="collection", obj=saved, subject_person_id=person.public_id,
                             detail={"step": "perpetrator plan owner named by the worker", "rank": row.rank})
                made += 1
        except IntegrityError:
            pass  # a person set the plan at the same moment: theirs stands
    return made


def lists_sweep(*, now: datetime | None = None) -> EnsureResult:
    """What the worker does for the lists: plans for repeat victims and serial perpetrators without one,
    and counter-allegation pairs flagged for review."""
    now = now or timezone.now()
    result = repeat_plans_ensure(now=now)
    result.perpetrator_plans_set = perpetrator_plans_ensure(now=now)
    result.counter_allegations_flagged = counter_allegations_flag(now=now)
    return result
