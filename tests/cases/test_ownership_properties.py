"""No sequence of handovers, acceptances, rejections, withdrawals, escalations and take-backs, by anyone
(allowed or not), leaves a case with no owner or two owners.

A hypothesis state machine plays random steps with a moving clock against the real services and
database. After every step: the case has an owner; exactly one open ownership period, naming the case's
owner and team; at most one pending handover; and the periods form a chain with no gap or overlap from
the opening. A refused step (PermissionDenied or ValidationError) changes nothing at all. The database
itself refuses a case without an owner and a second open period.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests import factories
from vigil.cases import services
from vigil.cases.models import Handover, OwnershipPeriod, SafeguardingCase, Task

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TEAMS = ("hood", "unit", "repeat")
PEOPLE = ("hood_sgt", "hood_a", "hood_b", "unit_sgt", "unit_a", "unit_b", "repeat_sgt", "repeat_a", "outsider")
REASONS = st.sampled_from(["Needs the specialist unit's attention", "Victim has moved areas now",
                           "The officer is away for a month", "", "too short"])
HOURS = st.integers(min_value=0, max_value=30)
ALLOWED, MEMBER = "someone allowed", "a member of the team"
ACTOR = st.sampled_from((ALLOWED, ALLOWED, ALLOWED, *PEOPLE))
PICK = st.integers(min_value=0, max_value=7)
REFUSED = (PermissionDenied, ValidationError)


def force_create():
    """Three teams, each with a supervisor (its manager) and members, and an officer in none of them.
    Made once per test: hashing passwords is slow, and the people never change."""
    teams = {
        "hood": factories.team_create(kind="neighbourhood"),
        "unit": factories.team_create(kind="specialist"),
        "repeat": factories.team_create(kind="repeat_case"),
    }
    people = {}
    for team_name, roles in (("hood", ("supervisor", "neighbourhood_officer", "neighbourhood_officer")),
                             ("unit", ("supervisor", "specialist_investigator", "specialist_investigator")),
                             ("repeat", ("supervisor", "repeat_case_officer"))):
        team = teams[team_name]
        for n, role in enumerate(roles):
            people[f"{team_name}_{'sgt' if n == 0 else 'ab'[n - 1]}"] = factories.user_create(role=role, teams=[team])
        team.supervisor = people[f"{team_name}_sgt"]
        team.save()
    people["outsider"] = factories.user_create(role="response_officer", teams=[factories.team_create()])
    return teams, people


class OwnershipMachine(RuleBasedStateMachine):
    force = None  # (teams, people), set by the test

    def __init__(self):
        super().__init__()
        # Each run is rolled back at teardown, so runs never see each other's cases.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.now = T0
        self.teams, self.people = self.force
        victim = factories.person_record_create()
        incident = factories.incident_create(victim=victim, received_at=T0)
        self.case = factories.case_create(victim=victim, incident=incident, owner=self.people["hood_a"],
                                          owning_team=self.teams["hood"], risk_level="medium")

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers ---------------------------------------------------------------------------------------

    def tick(self, hours: int) -> datetime:
        self.now += timedelta(hours=hours, minutes=1)
        return self.now

    def pending(self) -> Handover | None:
        return Handover.objects.filter(case=self.case, status=Handover.Status.PENDING).first()

    def snapshot(self):
        case = SafeguardingCase.objects.values("owner_id", "owning_team_id", "closed_at", "risk_level").get(
            pk=self.case.pk)
        return (case,
                list(OwnershipPeriod.objects.filter(case=self.case).order_by("id").values_list(
                    "id", "owner_id", "team_id", "ended_at")),
                list(Handover.objects.filter(case=self.case).order_by("id").values_list(
                    "id", "status", "decided_at", "escalated_at")),
                list(Task.objects.filter(case=self.case).order_by("id").values_list("id", "status", "assignee_id")),
                self.case.timeline.count())

    def attempt(self, action, **kwargs):
        """Run a service; a refusal must leave everything as it was."""
        before = self.snapshot()
        try:
            action(**kwargs)
        except REFUSED:
            event(f"{action.__name__}: refused")
            assert self.snapshot() == before, f"{action.__name__} was refused but changed something"
        else:
            event(f"{action.__name__}: done")

    # --- steps -----------------------------------------------------------------------------------------
    # `who` is a person by name, or ALLOWED: someone the rules allow, so that sequences go somewhere
    # rather than being refused at every step; `pick` chooses among several.

    def someone(self, who, pick: int, allowed) -> object:
        if who != ALLOWED:
            return self.people[who]
        candidates = [user for name, user in sorted(self.people.items()) if allowed(user)]
        return candidates[pick % len(candidates)] if candidates else self.people["outsider"]

    @rule(who=ACTOR, team=st.sampled_from(TEAMS), to=st.sampled_from((None, MEMBER, MEMBER, *PEOPLE)),
          reason=REASONS, hours=HOURS, pick=PICK)
    def propose(self, who, team, to, reason, hours, pick):
        case = SafeguardingCase.objects.select_related("owning_team").get(pk=self.case.pk)
        by = self.someone(who, pick, lambda u: u.pk == case.owner_id or services.is_manager_of(u, case.owning_team))
        to_team = self.teams[team]
        if to == MEMBER:
            members = list(to_team.members.order_by("pk"))
            to_user = members[pick % len(members)]
        else:
            to_user = self.people[to] if to else None
        self.attempt(services.handover_propose, case=self.case, by=by, to_team=to_team, to_user=to_user,
                     reason=reason, now=self.tick(hours))

    @precondition(lambda self: self.pending() is not None)
    @rule(who=ACTOR, owner=st.one_of(st.none(), st.sampled_from(PEOPLE)), hours=HOURS, pick=PICK)
    def accept(self, who, owner, hours, pick):
        handover = self.pending()
        if handover is not None:
            by = self.someone(who, pick, lambda u: services.may_decide(handover, u))
            self.attempt(services.handover_accept, handover=handover, by=by,
                         owner=self.people[owner] if owner else None, now=self.tick(hours))

    @precondition(lambda self: self.pending() is not None)
    @rule(who=ACTOR, reason=REASONS, hours=HOURS, pick=PICK)
    def reject(self, who, reason, hours, pick):
        handover = self.pending()
        if handover is not None:
            by = self.someone(who, pick, lambda u: services.may_decide(handover, u))
            self.attempt(services.handover_reject, handover=handover, by=by, reason=reason, now=self.tick(hours))

    @precondition(lambda self: self.pending() is not None)
    @rule(who=ACTOR, hours=HOURS, pick=PICK)
    def withdraw(self, who, hours, pick):
        handover = self.pending()
        if handover is not None:
            case = SafeguardingCase.objects.select_related("owning_team").get(pk=self.case.pk)
            by = self.someone(who, pick,
                              lambda u: u.pk == case.owner_id or services.is_manager_of(u, case.owning_team))
            self.attempt(services.handover_withdraw, handover=handover, by=by, now=self.tick(hours))

    @precondition(lambda self: self.pending() is not None)
    @rule(hours=HOURS)
    def escalate(self, hours):
        handover = self.pending()
        if handover is not None:
            before = self.snapshot()[0]
            escalated = services.handover_escalate(handover=handover, now=self.tick(hours))
            event(f"handover_escalate: {'done' if escalated else 'not yet due or already done'}")
            assert self.snapshot()[0] == before  # escalation never changes the owner
            if self.now >= handover.accept_by:  # one task per team: two, or one for a move within a team
                teams = {handover.from_team_id, handover.to_team_id}
                assert set(Task.objects.filter(key__startswith=f"escalate:handover:{handover.public_id}:")
                           .values_list("team_id", flat=True)) == teams
                assert Task.objects.filter(key__startswith=f"escalate:handover:{handover.public_id}:").count() \
                    == len(teams)

    @rule(who=ACTOR, reason=REASONS, hours=HOURS, pick=PICK)
    def take_back(self, who, reason, hours, pick):
        case = SafeguardingCase.objects.select_related("owning_team").get(pk=self.case.pk)
        by = self.someone(who, pick, lambda u: bool(services.take_back_teams(case, u)))
        self.attempt(services.case_take_back, case=self.case, by=by, reason=reason, now=self.tick(hours))

    # --- what must always hold -------------------------------------------------------------------------

    @invariant()
    def exactly_one_owner(self):
        case = SafeguardingCase.objects.get(pk=self.case.pk)
        assert case.owner_id is not None and case.owning_team_id is not None
        current = list(OwnershipPeriod.objects.filter(case=case, ended_at__isnull=True))
        assert len(current) == 1
        assert (current[0].owner_id, current[0].team_id) == (case.owner_id, case.owning_team_id)

    @invariant()
    def at_most_one_pending_handover(self):
        assert Handover.objects.filter(case=self.case, status=Handover.Status.PENDING).count() <= 1

    @invariant()
    def periods_form_a_gapless_chain(self):
        periods = list(OwnershipPeriod.objects.filter(case=self.case).order_by("started_at", "id"))
        assert periods[0].started_at == self.case.opened_at
        for earlier, later in zip(periods, periods[1:], strict=False):
            assert earlier.ended_at is not None and earlier.ended_at == later.started_at
        assert periods[-1].ended_at is None

    @invariant()
    def owner_is_a_member_or_manager_of_the_owning_team(self):
        case = SafeguardingCase.objects.select_related("owning_team").get(pk=self.case.pk)
        team = case.owning_team
        assert team.supervisor_id == case.owner_id or team.members.filter(pk=case.owner_id).exists()


@pytest.mark.django_db
def test_no_sequence_of_steps_leaves_a_case_without_exactly_one_owner():
    OwnershipMachine.force = force_create()
    run_state_machine_as_test(OwnershipMachine, settings=settings(
        max_examples=40, stateful_step_count=25, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]))


# --- the database's own rules ----------------------------------------------------------------------------

@pytest.fixture
def case():
    victim = factories.person_record_create()
    return factories.case_create(victim=victim, incident=factories.incident_create(victim=victim, received_at=T0))


@pytest.mark.django_db
def test_the_database_refuses_a_case_without_an_owner(case):
    case.owner = None
    with pytest.raises(IntegrityError), transaction.atomic():
        case.save()
    assert SafeguardingCase.objects.get(pk=case.pk).owner_id is not None


@pytest.mark.django_db
def test_the_database_refuses_a_second_open_ownership_period(case):
    other = factories.user_create(role="neighbourhood_officer", teams=[case.owning_team])
    with pytest.raises(IntegrityError), transaction.atomic():
        OwnershipPeriod.objects.create(case=case, owner=other, team=case.owning_team, via="handover",
                                       started_at=T0 + timedelta(hours=1))
    assert OwnershipPeriod.objects.filter(case=case, ended_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_pending_handover(case):
    first = dict(case=case, from_user=case.owner, from_team=case.owning_team, to_team=case.owning_team,
                 reason="A reason long enough", proposed_at=T0, accept_by=T0 + timedelta(hours=4))
    Handover.objects.create(**first)
    with pytest.raises(IntegrityError), transaction.atomic():
        Handover.objects.create(**first)
