"""Clare's Law: references, the 28-day decision deadline, immediate risk, stages in order, and a decision
that names the person best placed to protect, with a safety plan, audited as a disclosure."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.cases import disclosure_services
from vigil.cases.models import DisclosureRequest, Task, TimelineEntry

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=LONDON)
Stage = DisclosureRequest.Stage


@pytest.fixture
def handler():
    unit = factories.team_create(kind="specialist")
    return factories.user_create(role="specialist_investigator", teams=[unit])


def receive(handler, **fields):
    values = dict(by=handler, route="ask", victim_given_name="Vera", victim_family_name="Asking",
                  victim_date_of_birth=date(1990, 1, 2), subject_given_name="Sam", subject_family_name="Partner",
                  now=NOW)
    values.update(fields)
    return disclosure_services.disclosure_request_receive(**values)


def to_stage(dr, handler, stage):
    for n in range(dr.stage + 1, stage + 1):
        dr = disclosure_services.disclosure_stage_advance(disclosure=dr, by=handler, to_stage=n, now=NOW)
    return dr


def test_a_request_gets_a_reference_records_and_a_deadline_of_28_days(handler):
    first = receive(handler)
    second = receive(handler, route="know", applicant_is_third_party=True)
    assert (first.reference, second.reference) == ("DVDS-2026-0001", "DVDS-2026-0002")
    assert first.decide_by == datetime(2026, 6, 29, 23, 59, 59, tzinfo=LONDON)
    assert first.potential_victim.family_name == "Asking" and first.potential_victim.date_of_birth == date(1990, 1, 2)
    assert first.subject.family_name == "Partner"
    task = Task.objects.get(key=disclosure_services.decision_key(first))
    assert task.kind == Task.Kind.DISCLOSURE_DECISION and task.due_at == first.decide_by
    assert task.assignee == handler and task.team == handler.teams.first() and task.case is None
    assert not Task.objects.filter(key=disclosure_services.immediate_key(first)).exists()


def test_an_existing_record_is_used_when_given(handler):
    victim = factories.person_record_create(given_name="Known", family_name="Victim")
    dr = receive(handler, potential_victim=victim, victim_family_name="")
    assert dr.potential_victim == victim


def test_names_are_needed_when_no_record_is_given(handler):
    with pytest.raises(ValidationError) as error:
        receive(handler, subject_family_name="")
    assert "subject_family_name" in error.value.message_dict
    assert not DisclosureRequest.objects.exists()


def test_immediate_risk_is_an_urgent_task_due_within_the_hour(handler):
    dr = receive(handler, immediate_risk=True)
    task = Task.objects.get(key=disclosure_services.immediate_key(dr))
    assert task.urgent and task.due_at == NOW + timedelta(hours=1)


def test_stages_are_taken_in_order_and_recorded_on_the_case(handler):
    victim = factories.person_record_create()
    case = factories.case_create(victim=victim, incident=factories.incident_create(victim=victim))
    dr = receive(handler, case=case)
    with pytest.raises(ValidationError):
        disclosure_services.disclosure_stage_advance(disclosure=dr, by=handler, to_stage=3, now=NOW)
    dr = to_stage(dr, handler, 4)
    assert dr.stage == Stage.MULTI_AGENCY
    with pytest.raises(ValidationError):
        disclosure_services.disclosure_stage_advance(disclosure=dr, by=handler, to_stage=5, now=NOW)
    assert TimelineEntry.objects.filter(case=case, kind="disclosure_stage").count() == 3
    assert AuditEvent.objects.filter(object_id=str(dr.public_id), action="alteration").count() == 3


def test_the_decision_waits_for_the_multi_agency_stage(handler):
    dr = to_stage(receive(handler), handler, 3)
    with pytest.raises(ValidationError):
        disclosure_services.disclosure_decide(disclosure=dr, by=handler, decision="not_disclose",
                                              safety_plan="Refer to the IDVA", now=NOW)


def test_a_disclosure_names_the_person_best_placed_to_protect_and_needs_a_safety_plan(handler):
    dr = to_stage(receive(handler, immediate_risk=True), handler, 4)
    with pytest.raises(ValidationError) as error:
        disclosure_services.disclosure_decide(disclosure=dr, by=handler, decision="disclose", safety_plan="",
                                              disclosed_to="", reason="", now=NOW)
    assert set(error.value.message_dict) == {"safety_plan", "disclosed_to", "reason"}
    dr.refresh_from_db()
    assert dr.decision == ""
    dr = disclosure_services.disclosure_decide(
        disclosure=dr, by=handler, decision="disclose", disclosed_to="Vera Asking (the potential victim)",
        safety_plan="IDVA referral; safe number; panic alarm", reason="Previous convictions for violence against "
        "partners; the multi-agency meeting agreed disclosure is necessary", now=NOW + timedelta(days=10))
    assert dr.stage == Stage.DECIDED and dr.decided_at == NOW + timedelta(days=10)
    event = AuditEvent.objects.get(action="disclosure", object_id=str(dr.public_id))
    assert "multi-agency" in event.reason
    assert not Task.objects.filter(status=Task.Status.OPEN, kind=Task.Kind.DISCLOSURE_DECISION).exists()
    with pytest.raises(ValidationError):
        disclosure_services.disclosure_decide(disclosure=dr, by=handler, decision="not_disclose", safety_plan="x")


def test_not_disclosing_still_needs_a_safety_plan_and_is_not_a_disclosure(handler):
    dr = to_stage(receive(handler), handler, 4)
    with pytest.raises(ValidationError):
        disclosure_services.disclosure_decide(disclosure=dr, by=handler, decision="not_disclose", safety_plan="")
    disclosure_services.disclosure_decide(disclosure=dr, by=handler, decision="not_disclose",
                                          safety_plan="Signposted to the helpline", disclosed_to="ignored", now=NOW)
    dr.refresh_from_db()
    assert dr.decision == "not_disclose" and dr.disclosed_to == ""
    assert not AuditEvent.objects.filter(action="disclosure", object_id=str(dr.public_id)).exists()


def test_open_requests_show_days_left_overdue_first(handler):
    late = receive(handler, now=NOW - timedelta(days=30))
    fresh = receive(handler)
    rows = disclosure_services.open_requests(now=NOW)
    assert [(dr.pk, days) for dr, days in rows] == [(late.pk, -2), (fresh.pk, 28)]
