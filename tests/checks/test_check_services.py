"""Background checks with an owner, on the real database with the default policy (migration 0002)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import (
    address_create,
    incident_create,
    marker_create,
    person_record_create,
    risk_assessment_create,
    user_create,
)
from vigil.checks.models import BackgroundCheck, CheckRule
from vigil.checks.services import check_complete, check_take, checks_refresh

pytestmark = pytest.mark.django_db

NOW = datetime(2013, 8, 31, 21, 0, tzinfo=UTC)


def _open_call(grade=1, **kwargs):
    victim = kwargs.pop("victim", None) or person_record_create()
    return incident_create(received_at=NOW, status="open", grade=grade, victim=victim, **kwargs), victim


def test_the_default_policy_gives_every_check_one_owner_for_every_grade():
    for grade in (1, 2, 3, 4):
        owners = {}
        for rule in CheckRule.objects.filter(active=True, domestic_abuse_only__in=[True, False]):
            if grade in rule.grade_set:
                assert rule.kind not in owners, f"{rule.kind} has two owners at grade {grade}"
                owners[rule.kind] = rule.performed_by
        assert set(owners) == {"force_systems", "orders_and_bail", "previous_risk", "marac", "childrens_services",
                               "firearms"}


def test_vigil_makes_its_own_checks_and_records_them_done_with_what_it_found():
    address = address_create()
    incident, victim = _open_call(address=address)
    old = incident_create(received_at=NOW - timedelta(days=40), address=address,
                          victim=person_record_create(person=victim.person))
    risk_assessment_create(incident=old, victim=victim, grade="high")
    marker_create(kind="protective_order", person=victim.person, starts_on=date(2013, 8, 1), ends_on=date(2013, 9, 30))

    checks = {c.kind: c for c in checks_refresh(incident=incident, now=NOW)}

    for kind in ("force_systems", "orders_and_bail", "previous_risk", "marac"):
        assert checks[kind].status == "done" and checks[kind].done_by is None and checks[kind].made_by_vigil
    assert "1 previous incidents at the address (1 in the last 12 months)" in checks["force_systems"].result
    assert "Protective order in force" in checks["orders_and_bail"].result
    assert "high" in checks["previous_risk"].result
    assert "No MARAC case recorded" in checks["marac"].result


def test_a_check_vigil_makes_on_an_empty_history_never_says_there_is_no_history():
    incident, _ = _open_call()
    checks = {c.kind: c for c in checks_refresh(incident=incident, now=NOW)}
    assert "does not mean there is no history" in checks["force_systems"].result


def test_checks_vigil_cannot_make_become_tasks_for_the_policy_owner_with_a_deadline():
    incident, _ = _open_call(grade=1)
    checks = {c.kind: c for c in checks_refresh(incident=incident, now=NOW)}

    firearms, childrens = checks["firearms"], checks["childrens_services"]
    assert (firearms.status, firearms.performed_by, firearms.due_at) == ("open", "dispatcher",
                                                                       NOW + timedelta(minutes=5))
    assert (childrens.status, childrens.performed_by) == ("open", "intelligence_researcher")
    assert firearms.assigned_to is None


def test_the_owner_follows_the_grade():
    incident, _ = _open_call(grade=3)
    checks = {c.kind: c for c in checks_refresh(incident=incident, now=NOW)}
    assert checks["firearms"].performed_by == "intelligence_researcher"
    assert checks["firearms"].due_at == NOW + timedelta(minutes=60)


def test_refreshing_again_keeps_the_tasks_and_their_owner():
    incident, _ = _open_call()
    checks_refresh(incident=incident, now=NOW)
    dispatcher = user_create(role="dispatcher")
    firearms = BackgroundCheck.objects.get(incident=incident, kind="firearms")
    check_take(check=firearms, by=dispatcher, now=NOW)

    checks_refresh(incident=incident, now=NOW + timedelta(minutes=2))

    assert BackgroundCheck.objects.filter(incident=incident).count() == 6
    firearms.refresh_from_db()
    assert firearms.assigned_to == dispatcher and firearms.due_at == NOW + timedelta(minutes=5)


def test_only_the_owning_role_or_a_supervisor_may_take_or_complete_a_check():
    incident, _ = _open_call(grade=1)
    checks_refresh(incident=incident, now=NOW)
    firearms = BackgroundCheck.objects.get(incident=incident, kind="firearms")

    with pytest.raises(PermissionDenied):
        check_take(check=firearms, by=user_create(role="call_taker"), now=NOW)
    with pytest.raises(PermissionDenied):
        check_complete(check=firearms, by=user_create(role="intelligence_researcher"), result="x", now=NOW)

    supervisor = user_create(role="control_room_supervisor")
    check_complete(check=firearms, by=supervisor, result="No firearms licence held at the address", now=NOW)
    firearms.refresh_from_db()
    assert (firearms.status, firearms.done_by, firearms.assigned_to) == ("done", supervisor, supervisor)


def test_a_check_needs_a_result_and_cannot_be_done_twice():
    incident, _ = _open_call(grade=1)
    checks_refresh(incident=incident, now=NOW)
    firearms = BackgroundCheck.objects.get(incident=incident, kind="firearms")
    dispatcher = user_create(role="dispatcher")

    with pytest.raises(ValidationError):
        check_complete(check=firearms, by=dispatcher, result="   ", now=NOW)
    firearms.refresh_from_db()
    assert firearms.status == "open"
    check_complete(check=firearms, by=dispatcher, result="None held", now=NOW)
    with pytest.raises(ValidationError):
        check_complete(check=firearms, by=dispatcher, result="Again", now=NOW)


def test_a_check_made_by_vigil_cannot_be_overwritten_by_hand():
    incident, _ = _open_call()
    checks_refresh(incident=incident, now=NOW)
    marac = BackgroundCheck.objects.get(incident=incident, kind="marac")
    with pytest.raises(ValidationError):
        check_complete(check=marac, by=user_create(role="control_room_supervisor"), result="x", now=NOW)


def test_an_overlapping_rule_is_refused_so_no_check_has_two_owners():
    rule = CheckRule(kind="firearms", performed_by="call_taker", grades="2", deadline_minutes=5)
    with pytest.raises(ValidationError, match="exactly one owner"):
        rule.clean()
    CheckRule(kind="firearms", performed_by="call_taker", grades="2", deadline_minutes=5, active=False).clean()


def test_a_rule_with_grades_outside_1_to_4_is_refused():
    with pytest.raises(ValidationError):
        CheckRule(kind="firearms", performed_by="call_taker", grades="0,5", deadline_minutes=5).clean()
