"""Ownership rules: one accountable owner, handovers the receiver must accept, rejections with reasons,
one pending handover at a time, take-backs by managers, escalation of handovers left waiting, tasks
that move with the case, and the grading decisions that propose the policy's handover."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.cases import services
from vigil.cases.models import Handover, OwnershipPeriod, Task, TimelineEntry

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REASON = "The specialist unit holds the suspect's other case"


class Force:
    """Two teams: a neighbourhood team (supervisor, two officers) and the specialist unit (supervisor,
    two investigators); a case owned by the first neighbourhood officer."""

    def __init__(self):
        self.hood = factories.team_create(kind="neighbourhood")
        self.unit = factories.team_create(kind="specialist")
        self.sergeant = factories.user_create(role="supervisor", teams=[self.hood])
        self.hood.supervisor = self.sergeant
        self.hood.save()
        self.officer = factories.user_create(role="neighbourhood_officer", teams=[self.hood])
        self.colleague = factories.user_create(role="neighbourhood_officer", teams=[self.hood])
        self.unit_sergeant = factories.user_create(role="supervisor", teams=[self.unit])
        self.unit.supervisor = self.unit_sergeant
        self.unit.save()
        self.specialist = factories.user_create(role="specialist_investigator", teams=[self.unit])
        self.specialist2 = factories.user_create(role="specialist_investigator", teams=[self.unit])
        self.outsider = factories.user_create(role="response_officer", teams=[factories.team_create()])
        victim = factories.person_record_create(given_name="Vera", family_name="Casework")
        self.incident = factories.incident_create(victim=victim, received_at=T0)
        self.case = factories.case_create(victim=victim, incident=self.incident, owner=self.officer,
                                          owning_team=self.hood, risk_level="medium")


@pytest.fixture
def force():
    return Force()


def propose(force, *, to_user=None, to_team=None, by=None, now=T0):
    return services.handover_propose(case=force.case, by=by or force.officer, to_team=to_team or force.unit,
                                     to_user=to_user, reason=REASON, now=now)


def owner_of(case):
    case.refresh_from_db()
    open_periods = list(OwnershipPeriod.objects.filter(case=case, ended_at__isnull=True))
    assert len(open_periods) == 1
    assert (open_periods[0].owner_id, open_periods[0].team_id) == (case.owner_id, case.owning_team_id)
    return case.owner


def test_the_sender_stays_the_owner_until_the_receiver_accepts(force):
    handover = propose(force, to_user=force.specialist)
    assert owner_of(force.case) == force.officer
    assert handover.status == "pending"
    assert handover.accept_by == T0 + timedelta(hours=services.ownership_rule("medium")[1])
    services.handover_accept(handover=handover, by=force.specialist, now=T0 + timedelta(hours=1))
    assert owner_of(force.case) == force.specialist
    force.case.refresh_from_db()
    assert force.case.owning_team == force.unit
    periods = list(force.case.ownership.order_by("started_at", "id"))
    assert [(p.owner, p.via) for p in periods] == [(force.officer, "opened"), (force.specialist, "handover")]
    assert periods[0].ended_at == periods[1].started_at == T0 + timedelta(hours=1)
    kinds = list(TimelineEntry.objects.filter(case=force.case).values_list("kind", flat=True))
    assert kinds == ["handover_proposed", "handover_accepted"]
    steps = [e.detail.get("step") for e in AuditEvent.objects.filter(object_id=str(force.case.public_id))]
    assert "handover proposed" in steps and "handover accepted" in steps


def test_only_the_named_receiver_or_the_receiving_manager_may_accept_a_named_handover(force):
    handover = propose(force, to_user=force.specialist)
    for user in (force.specialist2, force.officer, force.sergeant, force.outsider):
        with pytest.raises(PermissionDenied):
            services.handover_accept(handover=handover, by=user, now=T0)
    assert owner_of(force.case) == force.officer
    services.handover_accept(handover=handover, by=force.unit_sergeant, owner=force.specialist, now=T0)
    assert owner_of(force.case) == force.specialist


def test_any_member_of_the_team_may_accept_from_the_queue(force):
    handover = propose(force)
    with pytest.raises(PermissionDenied):
        services.handover_accept(handover=handover, by=force.colleague, now=T0)
    services.handover_accept(handover=handover, by=force.specialist2, now=T0)
    assert owner_of(force.case) == force.specialist2


def test_a_receiving_manager_may_name_the_member_who_will_own_it_and_nobody_else_may(force):
    handover = propose(force)
    with pytest.raises(PermissionDenied):
        services.handover_accept(handover=handover, by=force.specialist, owner=force.specialist2, now=T0)
    with pytest.raises(ValidationError):
        services.handover_accept(handover=handover, by=force.unit_sergeant, owner=force.colleague, now=T0)
    assert Handover.objects.get(pk=handover.pk).status == "pending"
    services.handover_accept(handover=handover, by=force.unit_sergeant, owner=force.specialist2, now=T0)
    assert owner_of(force.case) == force.specialist2


def test_a_rejection_needs_a_reason_and_leaves_the_owner_who_is_told(force):
    handover = propose(force)
    with pytest.raises(ValidationError) as error:
        services.handover_reject(handover=handover, by=force.specialist, reason="  no ", now=T0)
    assert "rejection_reason" in error.value.message_dict
    assert Handover.objects.get(pk=handover.pk).status == "pending"
    with pytest.raises(PermissionDenied):
        services.handover_reject(handover=handover, by=force.colleague, reason="Not ours to take on", now=T0)
    services.handover_reject(handover=handover, by=force.specialist, reason="Standard risk: stays local", now=T0)
    handover.refresh_from_db()
    assert (handover.status, handover.rejection_reason, handover.decided_by) == (
        "rejected", "Standard risk: stays local", force.specialist)
    assert owner_of(force.case) == force.officer
    told = Task.objects.get(case=force.case, kind=Task.Kind.ALLOCATE)
    assert told.assignee == force.officer and "Standard risk: stays local" in told.detail
    summary = TimelineEntry.objects.get(case=force.case, kind="handover_rejected").summary
    assert "Standard risk: stays local" in summary


def test_one_pending_handover_at_a_time(force):
    first = propose(force)
    with pytest.raises(ValidationError):
        propose(force, to_user=force.specialist)
    assert Handover.objects.filter(case=force.case, status="pending").count() == 1
    services.handover_withdraw(handover=first, by=force.officer, now=T0)
    second = propose(force, to_user=force.specialist)
    assert Handover.objects.get(case=force.case, status="pending") == second


def test_only_the_owner_or_their_manager_may_propose_or_withdraw(force):
    with pytest.raises(PermissionDenied):
        propose(force, by=force.colleague)
    handover = propose(force, by=force.sergeant)
    assert handover.from_user == force.officer  # the owner is the sender, whoever proposed it
    with pytest.raises(PermissionDenied):
        services.handover_withdraw(handover=handover, by=force.specialist, now=T0)
    services.handover_withdraw(handover=handover, by=force.officer, now=T0)
    with pytest.raises(ValidationError):
        services.handover_accept(handover=handover, by=force.specialist, now=T0)
    assert owner_of(force.case) == force.officer


def test_a_named_receiver_must_be_in_the_team_chosen(force):
    with pytest.raises(ValidationError) as error:
        propose(force, to_user=force.colleague, to_team=force.unit)
    assert "to_user" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.handover_propose(case=force.case, by=force.officer, to_team=force.unit, reason="short", now=T0)
    assert not Handover.objects.exists()


def test_a_manager_of_the_owning_team_takes_the_case_back_and_a_pending_handover_is_withdrawn(force):
    handover = propose(force)
    with pytest.raises(PermissionDenied):
        services.case_take_back(case=force.case, by=force.unit_sergeant, reason="Needs a specialist now", now=T0)
    with pytest.raises(PermissionDenied):
        services.case_take_back(case=force.case, by=force.colleague, reason="I know the family well", now=T0)
    with pytest.raises(ValidationError):
        services.case_take_back(case=force.case, by=force.sergeant, reason="", now=T0)
    services.case_take_back(case=force.case, by=force.sergeant, reason="The officer is on leave for weeks", now=T0)
    assert owner_of(force.case) == force.sergeant
    assert Handover.objects.get(pk=handover.pk).status == "withdrawn"
    assert force.case.ownership.order_by("-started_at", "-id").first().via == "take_back"


def test_a_manager_of_a_team_that_handed_the_case_on_may_take_it_back(force):
    handover = propose(force, to_user=force.specialist)
    services.handover_accept(handover=handover, by=force.specialist, now=T0)
    later = T0 + timedelta(days=2)
    services.case_take_back(case=force.case, by=force.sergeant, reason="The unit cannot reach the victim", now=later)
    force.case.refresh_from_db()
    assert (owner_of(force.case), force.case.owning_team) == (force.sergeant, force.hood)
    with pytest.raises(ValidationError):
        services.case_take_back(case=force.case, by=force.sergeant, reason="Taking it back once more", now=later)


def test_a_handover_left_waiting_escalates_once_to_both_supervisors(force):
    handover = propose(force)
    assert services.handover_escalate(handover=handover, now=handover.accept_by - timedelta(minutes=1)) == []
    late = handover.accept_by + timedelta(minutes=5)
    created = services.handover_escalate(handover=handover, now=late)
    assert sorted(t.assignee.pk for t in created) == sorted([force.sergeant.pk, force.unit_sergeant.pk])
    assert all(t.urgent and t.kind == "escalation" for t in created)
    assert services.handover_escalate(handover=handover, now=late + timedelta(hours=1)) == []
    handover.escalated_at = None  # a repeated run after a crash before the mark was saved
    handover.save(update_fields=["escalated_at"])
    services.handover_escalate(handover=handover, now=late + timedelta(hours=2))
    assert Task.objects.filter(kind="escalation", case=force.case).count() == 2
    assert owner_of(force.case) == force.officer
    assert TimelineEntry.objects.filter(case=force.case, kind="handover_escalated").exists()


def test_open_tasks_move_with_ownership_and_done_ones_stay(force):
    open_task = services.task_create(case=force.case, kind=Task.Kind.CONTACT_VICTIM, title="Call the victim",
                                     due_at=T0 + timedelta(days=1), now=T0, assignee=force.officer)
    done = services.task_create(case=force.case, kind=Task.Kind.TELL_VICTIM, title="Tell her about bail",
                                due_at=T0 + timedelta(days=1), now=T0, assignee=force.officer)
    services.task_complete(task=done, by=force.officer, now=T0)
    handover = propose(force, to_user=force.specialist)
    open_task.refresh_from_db()
    assert open_task.assignee == force.officer  # still the sender's while the handover waits
    services.handover_accept(handover=handover, by=force.specialist, now=T0 + timedelta(hours=1))
    open_task.refresh_from_db()
    done.refresh_from_db()
    assert (open_task.assignee, open_task.team) == (force.specialist, force.unit)
    assert done.assignee == force.officer and done.done_by == force.officer


def test_closing_cancels_open_tasks_and_withdraws_the_pending_handover(force):
    task = services.task_create(case=force.case, kind=Task.Kind.CONTACT_VICTIM, title="Call the victim",
                                due_at=T0 + timedelta(days=1), now=T0, assignee=force.officer)
    handover = propose(force)
    with pytest.raises(PermissionDenied):
        services.case_close(case=force.case, by=force.colleague, reason="Victim moved out of the area", now=T0)
    services.case_close(case=force.case, by=force.officer, reason="Victim moved out of the area", now=T0)
    task.refresh_from_db()
    assert (task.status, task.outcome) == ("cancelled", "Case closed")
    assert Handover.objects.get(pk=handover.pk).status == "withdrawn"
    assert owner_of(force.case) == force.officer  # a closed case keeps its last owner
    with pytest.raises(ValidationError):
        propose(force)


def test_a_task_is_marked_done_only_by_whoever_it_belongs_to(force):
    task = services.task_create(case=force.case, kind=Task.Kind.CONTACT_VICTIM, title="Call the victim",
                                due_at=T0 + timedelta(days=1), now=T0, assignee=force.officer)
    with pytest.raises(PermissionDenied):
        services.task_complete(task=task, by=force.specialist, now=T0)
    services.task_complete(task=task, by=force.officer, outcome="Spoke to her", now=T0)
    with pytest.raises(ValidationError):
        services.task_complete(task=task, by=force.officer, now=T0)
    assert TimelineEntry.objects.filter(case=force.case, kind="task_done").count() == 1


# --- grading decisions propose the policy's handover -----------------------------------------------------

def _submitted(force, *, grade: str):
    from tests.journeys.test_risk_journeys import instruments_loaded
    from vigil.risk import services as risk_services

    instruments_loaded()
    officer = factories.user_create(role="response_officer")
    assessment = risk_services.assessment_start(incident=force.incident, victim=force.case.victim, by=officer)
    for n in range(1, 28):
        risk_services.answer_save(assessment=assessment, by=officer, question=f"q{n}",
                                  value="yes" if n <= 6 else "no", obtained="asked_at_scene")
    risk_services.assessment_submit(assessment=assessment, by=officer, grade=grade,
                                    rationale="Officer's judgement after speaking to the victim at the scene.")
    return assessment


def test_the_officers_grading_sets_the_cases_risk_level(force):
    _submitted(force, grade="standard")
    force.case.refresh_from_db()
    assert force.case.risk_level == "standard"
    assert TimelineEntry.objects.filter(case=force.case, kind="risk_changed").exists()
    assert not Handover.objects.exists()  # standard risk stays with the neighbourhood team


def test_a_supervisor_raising_the_grading_to_high_proposes_the_handover_to_the_specialist_unit(force):
    from vigil.risk import review

    assessment = _submitted(force, grade="medium")
    assert not Handover.objects.exists()
    review.review_open(assessment=assessment, by=force.sergeant, stage="supervisor")
    review.supervision_decide(assessment=assessment, by=force.sergeant, grade="high",
                              rationale="He has threatened to kill her and has access to a shotgun.")
    force.case.refresh_from_db()
    assert force.case.risk_level == "high"
    handover = Handover.objects.get(case=force.case, status="pending")
    assert (handover.to_team, handover.to_user, handover.from_user) == (force.unit, None, force.officer)
    assert owner_of(force.case) == force.officer  # still the owner until the unit accepts
