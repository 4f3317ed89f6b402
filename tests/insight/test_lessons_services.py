"""Lessons from reviews on the real database: who keeps the register, who a briefing is addressed to (by
role, by team), acknowledging once, coverage per team, withdrawal, and the audit events written."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import agency_create, team_create, user_create
from tests.insight.lessons_factories import analyst_create, briefing_create, lesson_create, review_create
from vigil.audit.models import AuditEvent
from vigil.insight import lessons_selectors as selectors
from vigil.insight import lessons_services as services
from vigil.insight.models import BriefingAcknowledgement, Lesson, LessonUpdate, Review

pytestmark = pytest.mark.django_db


def events(step: str):
    return AuditEvent.objects.filter(detail__step=step)


# --- the register ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["analyst", "administrator"])
def test_analysts_and_administrators_register_a_review_audited(role):
    by = user_create(role=role)
    review = review_create(by=by)
    assert Review.objects.get() == review and review.registered_by == by
    event = events("review registered").get()
    assert (event.action, event.actor, event.object_id) == ("collection", by, str(review.public_id))
    assert event.subject_person_id is None  # reviews are anonymised: no person is the subject


@pytest.mark.parametrize("role", ["response_officer", "supervisor", "auditor"])
def test_other_roles_cannot_keep_the_register(role):
    with pytest.raises(PermissionDenied):
        review_create(by=user_create(role=role))


def test_a_partner_analyst_cannot_keep_the_register():
    partner = user_create(role="analyst", agency=agency_create(code="idva", kind="idva"))
    with pytest.raises(PermissionDenied):
        review_create(by=partner)


def test_a_review_needs_its_details_and_a_unique_reference():
    by = analyst_create()
    with pytest.raises(ValidationError) as caught:
        services.review_register(kind="", reference=" ", title="", published_on=None, summary="", by=by)
    assert set(caught.value.message_dict) == {"kind", "reference", "title", "published_on", "summary"}
    first = review_create(by=by)
    with pytest.raises(ValidationError) as caught:
        services.review_register(kind="sar", reference=first.reference.lower(), title="Another",
                                 published_on=date(2025, 1, 1), summary="Summary", by=by)
    assert "reference" in caught.value.message_dict


def test_a_lesson_is_recorded_and_its_progress_kept_as_history():
    by = analyst_create()
    lesson = lesson_create(by=by)
    assert lesson.status == Lesson.Status.OPEN
    services.lesson_update(lesson=lesson, status="in_progress", note="Training booked for March", by=by)
    lesson = services.lesson_update(lesson=lesson, status="done", note="All teams trained by 30 March", by=by)
    assert lesson.status == "done" and lesson.completed_on is not None
    assert list(LessonUpdate.objects.filter(lesson=lesson).values_list("status", flat=True)) == ["in_progress", "done"]
    assert [e.detail["to"] for e in events("lesson progress")] == ["in_progress", "done"]
    with pytest.raises(ValidationError):
        services.lesson_update(lesson=lesson, status="done", note="short", by=by)


def test_a_lesson_owner_must_be_an_active_force_user():
    by = analyst_create()
    partner = user_create(role="partner_practitioner", agency=agency_create(code="idva", kind="idva"))
    with pytest.raises(ValidationError) as caught:
        lesson_create(by=by, owner=partner)
    assert "owner" in caught.value.message_dict


# --- addressing --------------------------------------------------------------------------------------------

def test_a_briefing_reaches_its_roles_and_the_members_of_its_teams_and_nobody_else():
    team = team_create()
    officer = user_create(role="response_officer")
    member = user_create(role="call_taker", teams=[team])
    other = user_create(role="call_taker")
    briefing = briefing_create(roles=["response_officer"], teams=[team])
    assert list(selectors.addressed_briefings(user=officer)) == [briefing]
    assert list(selectors.addressed_briefings(user=member)) == [briefing]
    assert list(selectors.addressed_briefings(user=other)) == []
    assert selectors.unread_briefing_count(user=officer) == 1
    assert set(selectors.addressed_users(briefing)) == {officer, member}


def test_a_user_addressed_by_both_role_and_team_sees_the_briefing_once():
    team = team_create()
    both = user_create(role="response_officer", teams=[team])
    briefing_create(roles=["response_officer"], teams=[team])
    assert selectors.unread_briefing_count(user=both) == 1
    assert len(selectors.briefings_for(user=both).unread) == 1


def test_a_briefing_needs_a_role_or_a_team_and_known_roles():
    lesson = lesson_create()
    with pytest.raises(ValidationError) as caught:
        services.briefing_issue(lesson=lesson, title="T", text="Text", by=lesson.recorded_by)
    assert "roles" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.briefing_issue(lesson=lesson, title="T", text="Text", roles=["chief_constable"], by=lesson.recorded_by)
    with pytest.raises(ValidationError) as caught:
        services.briefing_issue(lesson=lesson, title="T", text="x" * 1201, roles=["analyst"], by=lesson.recorded_by)
    assert "text" in caught.value.message_dict


def test_issuing_is_audited_with_its_audience():
    team = team_create(code="response-north")
    briefing = briefing_create(roles=["supervisor", "call_taker"], teams=[team])
    event = events("briefing issued").get()
    assert event.object_id == str(briefing.public_id)
    assert event.detail["roles"] == ["call_taker", "supervisor"] and event.detail["teams"] == ["response-north"]


# --- acknowledging ---------------------------------------------------------------------------------------

def test_acknowledging_is_recorded_once_and_audited_once():
    officer = user_create(role="response_officer")
    briefing = briefing_create(roles=["response_officer"])
    first, new = services.briefing_acknowledge(briefing=briefing, user=officer)
    again, new_again = services.briefing_acknowledge(briefing=briefing, user=officer)
    assert new and not new_again and first == again
    assert BriefingAcknowledgement.objects.count() == 1
    event = events("briefing acknowledged").get()
    assert (event.actor, event.object_id) == (officer, str(briefing.public_id))
    assert selectors.unread_briefing_count(user=officer) == 0
    found = selectors.briefings_for(user=officer)
    assert found.unread == [] and found.read == [briefing] and found.read[0].acknowledged_at == first.acknowledged_at


def test_a_briefing_not_addressed_to_the_user_cannot_be_acknowledged():
    briefing = briefing_create(roles=["response_officer"])
    with pytest.raises(PermissionDenied):
        services.briefing_acknowledge(briefing=briefing, user=user_create(role="call_taker"))
    assert not BriefingAcknowledgement.objects.exists()


def test_a_withdrawn_briefing_is_no_longer_asked_for_and_is_kept():
    officer = user_create(role="response_officer")
    briefing = briefing_create(roles=["response_officer"])
    with pytest.raises(ValidationError):
        services.briefing_withdraw(briefing=briefing, reason="no", by=briefing.issued_by)
    services.briefing_withdraw(briefing=briefing, reason="Issued to the wrong roles", by=briefing.issued_by)
    assert selectors.unread_briefing_count(user=officer) == 0
    with pytest.raises(PermissionDenied):
        services.briefing_acknowledge(briefing=briefing, user=officer)
    briefing.refresh_from_db()
    assert briefing.withdrawn_at is not None and events("briefing withdrawn").count() == 1


# --- coverage --------------------------------------------------------------------------------------------

def test_coverage_per_team_on_hand_made_data():
    north, south = team_create(code="north"), team_create(code="south")
    n1, n2, n3 = (user_create(role="response_officer", teams=[north]) for _ in range(3))
    s1 = user_create(role="response_officer", teams=[south])
    both = user_create(role="response_officer", teams=[north, south])
    loner = user_create(role="response_officer")
    user_create(role="call_taker", teams=[north])  # in a team, but not addressed (another role)
    gone = user_create(role="response_officer", teams=[north])
    gone.is_active = False
    gone.save()
    briefing = briefing_create(roles=["response_officer"])
    for user in (n1, both, loner):
        services.briefing_acknowledge(briefing=briefing, user=user)

    coverage = selectors.briefing_coverage(briefing)
    rows = {(row.team.code if row.team else None): (row.addressed, row.acknowledged, row.percent)
            for row in coverage.teams}
    assert rows == {"north": (4, 2, 50), "south": (2, 1, 50), None: (1, 1, 100)}
    assert (coverage.total.addressed, coverage.total.acknowledged, coverage.total.percent) == (6, 3, 50)
    assert n2 and n3 and s1  # addressed and unread


def test_coverage_of_a_team_briefing_counts_every_member_whatever_their_role():
    team = team_create(code="marac-team")
    members = [user_create(role=role, teams=[team]) for role in ("marac_coordinator", "call_taker", "analyst")]
    briefing = briefing_create(teams=[team])
    services.briefing_acknowledge(briefing=briefing, user=members[0])
    coverage = selectors.briefing_coverage(briefing)
    assert [(r.team.code, r.addressed, r.acknowledged, r.percent) for r in coverage.teams] == \
        [("marac-team", 3, 1, 33)]


def test_the_coverage_export_is_csv_and_audited():
    team = team_create(code="north")
    officer = user_create(role="response_officer", teams=[team])
    briefing = briefing_create(roles=["response_officer"], title="=Stalking")
    services.briefing_acknowledge(briefing=briefing, user=officer)
    viewer = analyst_create()
    filename, text = services.coverage_export(viewer=viewer)
    assert filename.startswith("vigil-briefing-coverage-") and filename.endswith(".csv")
    lines = text.splitlines()
    assert lines[0].startswith("Review,Briefing,Briefing id")
    assert any(line.endswith(f",{team.name},1,1,100") for line in lines)
    assert "'=Stalking" in text  # never run as a formula
    event = AuditEvent.objects.get(action="export", detail__step="briefing coverage")
    assert event.actor == viewer and event.detail["briefings"] == 1
    with pytest.raises(PermissionDenied):
        services.coverage_export(viewer=officer)
