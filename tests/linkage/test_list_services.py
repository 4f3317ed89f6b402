"""Plans for repeat victims and serial perpetrators, the worker's "no repeat victim without a plan", and
the primary-victim decision on a counter-allegation: checks, idempotence, and an audit event per change."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.cases import sweeps
from vigil.linkage import list_selectors as selectors
from vigil.linkage import list_services as services
from vigil.linkage.list_policy import DEFAULTS, list_policy
from vigil.linkage.models import CounterAllegationReview, ListPolicy, PerpetratorPlan, RepeatVictimPlan

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
PLAN = "Visit weekly with the IDVA; target-harden the home"


def days_ago(*days):
    return [NOW - timedelta(days=d) for d in days]


def person(given: str, family: str):
    return factories.person_record_create(given_name=given, family_name=family)


@pytest.fixture
def world():
    city = factories.area_create(code="city", name="City")
    hood = factories.team_create(kind="neighbourhood", area=city)
    sergeant = factories.user_create(role="supervisor", teams=[hood])
    hood.supervisor = sergeant
    hood.save()
    officer = factories.user_create(role="neighbourhood_officer", teams=[hood])
    team = factories.team_create(kind="repeat_case")
    repeat_sergeant = factories.user_create(role="supervisor", teams=[team])
    team.supervisor = repeat_sergeant
    team.save()
    repeat_officer = factories.user_create(role="repeat_case_officer", teams=[team])
    two, three = person("Rita", "Twice"), person("Tess", "Thrice")
    factories.incidents_between_create(victim=two, at=days_ago(10, 100), area=city)
    factories.incidents_between_create(victim=three, at=days_ago(5, 50, 200), area=city)
    return dict(city=city, hood=hood, team=team, sergeant=sergeant, officer=officer, repeat_sergeant=repeat_sergeant,
                repeat_officer=repeat_officer, two=two.person, three=three.person)


def test_the_policy_defaults_come_from_the_plain_rules_and_a_new_row_takes_over():
    assert list_policy(NOW) == DEFAULTS
    assert (DEFAULTS.repeat_window_days, DEFAULTS.repeat_team_threshold, DEFAULTS.plan_review_days) == (365, 3, 28)
    ListPolicy.objects.create(effective_from=NOW - timedelta(days=1), repeat_team_threshold=4,
                              reason="Raised after the pilot")
    assert list_policy(NOW).repeat_team_threshold == 4
    assert list_policy(NOW - timedelta(days=2)) == DEFAULTS  # history: what was in force then


def test_ensure_gives_every_repeat_victim_a_named_owner_and_a_review_date_and_is_idempotent(world):
    result = services.repeat_plans_ensure(now=NOW)

    assert (result.plans_set, result.without_owner) == (2, 0)
    local = RepeatVictimPlan.objects.get(person=world["two"])
    team = RepeatVictimPlan.objects.get(person=world["three"])
    assert (local.tier, local.owner, local.team, local.review_due) == (
        "local", world["sergeant"], world["hood"], TODAY + timedelta(days=28))
    assert (team.tier, team.owner, team.team) == ("repeat_team", world["repeat_sergeant"], world["team"])
    listing = selectors.repeat_victims(viewer=world["sergeant"], area=None, now=NOW)
    assert listing.without_plan == 0 and all(r.plan is not None for r in listing.rows)
    events = AuditEvent.objects.filter(object_type="linkage.RepeatVictimPlan", action="collection")
    assert {e.subject_person_id for e in events} == {world["two"].public_id, world["three"].public_id}

    again = services.repeat_plans_ensure(now=NOW + timedelta(hours=1))
    assert (again.plans_set, again.moved_to_team) == (0, 0)
    assert RepeatVictimPlan.objects.count() == 2


def test_a_local_plan_moves_to_the_repeat_case_team_when_the_victim_reaches_its_threshold(world):
    services.repeat_plans_ensure(now=NOW)
    victim = world["two"].records.first()
    factories.incidents_between_create(victim=victim, at=[NOW + timedelta(hours=1)], area=world["city"])

    result = services.repeat_plans_ensure(now=NOW + timedelta(hours=2))

    assert result.moved_to_team == 1
    plan = RepeatVictimPlan.objects.get(person=world["two"], closed_at__isnull=True)
    assert (plan.tier, plan.owner, plan.team) == ("repeat_team", world["repeat_sergeant"], world["team"])


def test_a_victim_in_an_area_without_its_own_team_goes_to_the_forces_team_of_that_kind(world):
    county = factories.area_create(code="county", name="County", districts="LE9")
    factories.incidents_between_create(victim=person("Nell", "Nowhere"), at=days_ago(1, 2), area=county)
    # The only neighbourhood team is the city's, so the county's victim goes to it (the force's fallback).
    result = services.repeat_plans_ensure(now=NOW)
    assert result.plans_set == 3


def test_the_worker_sweep_sets_the_plans_at_most_every_quarter_hour(world):
    sweeps._lists_last_run.clear()  # a fresh worker process
    result = sweeps.deadlines_sweep(now=NOW)
    assert result.repeat_victim_plans == 2 and result.errors == 0
    assert RepeatVictimPlan.objects.filter(closed_at__isnull=True).count() == 2
    RepeatVictimPlan.objects.all().delete()
    assert sweeps.deadlines_sweep(now=NOW).repeat_victim_plans == 0  # the next sweep, a minute later
    sweeps._lists_last_run[:] = [sweeps._lists_last_run[0] - sweeps.LISTS_SWEEP_SECONDS]
    assert sweeps.deadlines_sweep(now=NOW).repeat_victim_plans == 2


def test_setting_a_plan_checks_the_owner_the_review_date_and_the_plan(world):
    call_taker = factories.user_create(role="call_taker")
    with pytest.raises(ValidationError) as error:
        services.repeat_plan_set(person=world["two"], by=world["officer"], owner=call_taker,
                                 review_due=TODAY - timedelta(days=1), plan="", now=NOW)
    assert set(error.value.message_dict) == {"owner", "review_due", "plan"}
    assert "cannot own a plan" in error.value.message_dict["owner"][0]
    assert "today or in the future" in error.value.message_dict["review_due"][0]

    leaver = factories.user_create(role="neighbourhood_officer")
    leaver.is_active = False
    leaver.save()
    with pytest.raises(ValidationError) as error:
        services.repeat_plan_set(person=world["two"], by=world["officer"], owner=leaver, review_due=TODAY,
                                 plan=PLAN, now=NOW)
    assert "not an active user" in error.value.message_dict["owner"][0]
    partner = factories.user_create(role="neighbourhood_officer",
                                    agency=factories.agency_create(code="idva", kind="idva"))
    with pytest.raises(ValidationError):
        services.repeat_plan_set(person=world["two"], by=world["officer"], owner=partner, review_due=TODAY,
                                 plan=PLAN, now=NOW)
    assert not RepeatVictimPlan.objects.exists()


def test_setting_then_changing_a_plan_keeps_one_open_plan_and_audits_each_change(world):
    first = services.repeat_plan_set(person=world["two"], by=world["officer"], owner=world["officer"],
                                     review_due=TODAY + timedelta(days=14), plan=PLAN, now=NOW)
    second = services.repeat_plan_set(person=world["two"], by=world["sergeant"], owner=world["sergeant"],
                                      review_due=TODAY + timedelta(days=7), plan=PLAN, now=NOW)
    assert first.pk == second.pk and RepeatVictimPlan.objects.count() == 1
    assert (second.owner, second.review_due, second.updated_by) == (world["sergeant"], TODAY + timedelta(days=7),
                                                                    world["sergeant"])
    events = list(AuditEvent.objects.filter(object_type="linkage.RepeatVictimPlan").order_by("sequence"))
    assert [e.action for e in events] == ["collection", "alteration"]
    assert events[1].detail["fields"] == ["owner", "review_due"]
    assert all(e.subject_person_id == world["two"].public_id for e in events)
    # The ensure leaves a plan someone set alone.
    assert services.repeat_plans_ensure(now=NOW).plans_set == 1  # only the other victim


def test_only_a_repeat_victim_gets_a_repeat_plan(world):
    once = person("Olga", "Once")
    factories.incidents_between_create(victim=once, at=days_ago(3), area=world["city"])
    with pytest.raises(ValidationError, match="no longer a repeat victim"):
        services.repeat_plan_set(person=once.person, by=world["sergeant"], owner=world["sergeant"],
                                 review_due=TODAY, plan=PLAN, now=NOW)


def test_a_serial_perpetrators_plan_is_set_and_audited(world):
    sam = person("Sam", "Serial")
    factories.incidents_between_create(victim=person("Ava", "One"), suspect=sam, at=days_ago(10), area=world["city"])
    factories.incidents_between_create(victim=person("Bea", "Two"), suspect=sam, at=days_ago(40), area=world["city"])

    plan = services.perpetrator_plan_set(person=sam.person, by=world["sergeant"], owner=world["officer"],
                                         review_due=TODAY + timedelta(days=28), plan=PLAN, now=NOW)

    assert (plan.owner, plan.area, plan.closed_at) == (world["officer"], world["city"], None)
    (row,) = selectors.serial_perpetrators(viewer=world["sergeant"], area=world["city"], now=NOW).rows
    assert row.plan == plan
    assert AuditEvent.objects.filter(object_type="linkage.PerpetratorPlan", action="collection",
                                     subject_person_id=sam.person.public_id).exists()
    with pytest.raises(ValidationError, match="no longer a serial perpetrator"):
        services.perpetrator_plan_set(person=world["two"], by=world["sergeant"], owner=world["officer"],
                                      review_due=TODAY, plan=PLAN, now=NOW)
    assert PerpetratorPlan.objects.count() == 1


@pytest.fixture
def pair(world):
    pat, quinn = person("Pat", "First"), person("Quinn", "Second")
    (first,) = factories.incidents_between_create(victim=pat, suspect=quinn, at=days_ago(100), area=world["city"])
    first.injuries = True
    first.save()
    factories.incidents_between_create(victim=quinn, suspect=pat, at=days_ago(50), area=world["city"])
    return pat.person, quinn.person


def test_the_sweep_flags_a_pair_for_review_but_never_decides_it(world, pair):
    assert services.counter_allegations_flag(now=NOW) == 1
    assert services.counter_allegations_flag(now=NOW) == 0
    review = CounterAllegationReview.objects.get()
    assert (review.status, review.primary_victim, review.decided_at) == ("pending", None, None)
    (row,) = selectors.counter_allegations_pending(viewer=world["repeat_officer"], now=NOW)
    assert row.pending_review == review and row.suggested is not None


def test_a_reviewer_decides_the_primary_victim_with_a_reason_against_the_suggestion(world, pair):
    pat, quinn = pair
    services.counter_allegations_flag(now=NOW)
    (row,) = selectors.counter_allegations_pending(viewer=world["repeat_officer"], now=NOW)
    assert row.suggested.public_id == pat.public_id  # injured, and the victim at the first incident

    with pytest.raises(ValidationError) as error:
        services.counter_allegation_decide(first=pat, second=quinn, primary_victim=None, reason="",
                                           by=world["repeat_officer"], now=NOW)
    assert set(error.value.message_dict) == {"primary_victim", "reason"}
    outsider = person("Out", "Sider").person
    with pytest.raises(ValidationError):
        services.counter_allegation_decide(first=pat, second=quinn, primary_victim=outsider,
                                           reason="Because of the statements", by=world["repeat_officer"], now=NOW)

    review = services.counter_allegation_decide(first=quinn, second=pat, primary_victim=quinn,
                                                reason="Witness statements show Pat started both incidents",
                                                by=world["repeat_officer"], now=NOW)

    assert (review.status, review.primary_victim, review.suggested) == ("decided", quinn, pat)
    assert CounterAllegationReview.objects.count() == 1  # the pending review was decided, not duplicated
    assert selectors.counter_allegations_pending(viewer=world["repeat_officer"], now=NOW) == []
    events = AuditEvent.objects.filter(object_type="linkage.CounterAllegationReview", action="alteration")
    assert {e.subject_person_id for e in events} == {pat.public_id, quinn.public_id}
    assert events.first().detail["suggestion"] == "not followed"
    # A new incident between them puts the pair back on the list, with the last decision shown.
    factories.incidents_between_create(victim=pat.records.first(), suspect=quinn.records.first(),
                                       at=[NOW + timedelta(hours=1)], area=world["city"])
    (again,) = selectors.counter_allegations_pending(viewer=world["repeat_officer"], now=NOW + timedelta(hours=2))
    assert again.last_decision == review


def test_with_no_team_to_take_them_repeat_victims_are_counted_and_the_list_flags_them():
    city = factories.area_create(code="city", name="City")
    factories.incidents_between_create(victim=person("Nell", "Noteam"), at=days_ago(1, 2), area=city)

    result = services.repeat_plans_ensure(now=NOW)

    assert (result.plans_set, result.without_owner) == (0, 1)
    sergeant = factories.user_create(role="supervisor")
    assert selectors.repeat_victims(viewer=sergeant, area=None, now=NOW).without_plan == 1


def test_every_serial_perpetrator_gets_a_named_owner_from_the_worker(world):
    sam = person("Sam", "Serial")
    factories.incidents_between_create(victim=person("Ava", "One"), suspect=sam, at=days_ago(10), area=world["city"])
    factories.incidents_between_create(victim=person("Bea", "Two"), suspect=sam, at=days_ago(60), area=world["city"])
    assert services.perpetrator_plans_ensure(now=NOW) == 1
    plan = PerpetratorPlan.objects.get(person=sam.person, closed_at__isnull=True)
    assert plan.owner == world["sergeant"] and plan.created_by is None and plan.plan == ""
    assert plan.review_due == TODAY + timedelta(days=list_policy(NOW).plan_review_days)
    assert services.perpetrator_plans_ensure(now=NOW) == 0  # idempotent
    # The owner then writes the plan.
    services.perpetrator_plan_set(person=sam.person, by=world["sergeant"], owner=world["officer"],
                                  review_due=TODAY + timedelta(days=14), plan=PLAN, now=NOW)
    plan.refresh_from_db()
    assert (plan.owner, plan.plan) == (world["officer"], PLAN)
