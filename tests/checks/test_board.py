"""The board's services and selectors on the real database: refresh, rows, acknowledgement."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import (
    address_create,
    area_create,
    incident_create,
    marker_create,
    person_record_create,
    phone_create,
    user_create,
)
from vigil.audit.models import AuditEvent
from vigil.checks import board_rules as br
from vigil.checks.board import board_acknowledge, board_refresh, board_refresh_stale, board_rows
from vigil.checks.models import BackgroundCheck, BoardAcknowledgement, BoardEntry
from vigil.checks.selectors import SYSTEM_VIEWER
from vigil.incidents.models import Incident
from vigil.people.models import WarningMarker
from vigil.risk.models import RiskAssessment

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 1, 14, 30, tzinfo=UTC)


def open_incident(*, status=Incident.Status.OPEN, received_at=None, **fields):
    """An incident the board shows: open (or being recorded) and domestic abuse."""
    facts = {k: fields.pop(k) for k in ("weapons", "injuries", "children_present", "suspect_present") if k in fields}
    incident = incident_create(received_at=received_at or NOW - timedelta(minutes=20), **fields)
    Incident.objects.filter(pk=incident.pk).update(status=status, **facts)
    incident.refresh_from_db()
    return incident


def codes(entry) -> set[str]:
    return {h["code"] for h in entry.highlights}


@pytest.fixture
def supervisor():
    return user_create(role="control_room_supervisor")


# board_refresh -----------------------------------------------------------------------------------------

def test_refresh_keeps_what_the_caller_said(supervisor):
    incident = open_incident(weapons=True, children_present=True, injuries=False, suspect_present=None)
    entry = board_refresh(incident=incident, now=NOW)
    assert codes(entry) == {br.WEAPONS, br.CHILDREN_PRESENT}
    assert entry.refreshed_at == NOW
    assert entry.priority == br.WEIGHTS[br.WEAPONS] + br.WEIGHTS[br.CHILDREN_PRESENT] + br.GRADE_FACTOR[2]
    assert {h["reason"] for h in entry.highlights} == {"Caller says weapons are involved", "Children present"}


def test_refresh_is_an_update_not_a_second_entry():
    incident = open_incident(weapons=True)
    board_refresh(incident=incident, now=NOW)
    Incident.objects.filter(pk=incident.pk).update(weapons=False, suspect_present=True)
    incident.refresh_from_db()
    entry = board_refresh(incident=incident, now=NOW + timedelta(minutes=1))
    assert BoardEntry.objects.filter(incident=incident).count() == 1
    assert codes(entry) == {br.SUSPECT_PRESENT}


def test_refresh_finds_a_high_risk_grade_from_an_earlier_assessment():
    victim = person_record_create()
    earlier = incident_create(received_at=NOW - timedelta(days=400), victim=victim)
    RiskAssessment.objects.create(incident=earlier, victim=victim, grade="high", assessed_at=NOW - timedelta(days=400))
    incident = open_incident(victim=person_record_create(given_name="Alex", person=victim.person))
    assert br.HIGH_RISK_VICTIM in codes(board_refresh(incident=incident, now=NOW))


def test_refresh_sees_markers_in_force_on_the_victim():
    victim = person_record_create()
    WarningMarker.objects.create(kind="protective_order", person=victim.person, starts_on=date(2025, 1, 1))
    WarningMarker.objects.create(kind="bail_conditions", person=victim.person, starts_on=date(2024, 1, 1),
                                 ends_on=date(2024, 6, 1))  # ended: not in force
    incident = open_incident(victim=victim)
    entry = board_refresh(incident=incident, now=NOW)
    assert codes(entry) == {br.PROTECTIVE_ORDER}


def test_refresh_sees_markers_on_the_address_and_the_number():
    address, phone = address_create(), phone_create()
    WarningMarker.objects.create(kind="violence", address=address, starts_on=date(2024, 1, 1))
    WarningMarker.objects.create(kind="weapons", phone=phone, starts_on=date(2024, 1, 1))
    incident = open_incident(address=address)
    Incident.objects.filter(pk=incident.pk).update(caller_phone=phone)
    incident.refresh_from_db()
    entry = board_refresh(incident=incident, now=NOW)
    assert entry.highlights == [{"code": br.VIOLENCE_MARKER, "reason": "Violence and weapons warning markers"}]


def test_refresh_counts_the_victims_earlier_calls():
    victim = person_record_create()
    for days in (30, 200, 500):  # the last is outside 12 months
        incident_create(received_at=NOW - timedelta(days=days),
                        victim=person_record_create(person=victim.person))
    incident = open_incident(victim=victim)
    entry = board_refresh(incident=incident, now=NOW)
    assert {"code": br.REPEAT_VICTIM, "reason": "Victim's 3rd call in 12 months (repeat victim)"} in entry.highlights


def test_refresh_a_first_call_is_not_a_repeat():
    incident = open_incident(victim=person_record_create())
    assert br.REPEAT_VICTIM not in codes(board_refresh(incident=incident, now=NOW))


def test_refresh_finds_a_serial_perpetrator():
    suspect = person_record_create(given_name="Sam")
    for _ in range(2):
        incident_create(received_at=NOW - timedelta(days=90), victim=person_record_create(),
                        suspect=person_record_create(given_name="Sam", person=suspect.person))
    incident = open_incident(victim=person_record_create(), suspect=suspect)
    entry = board_refresh(incident=incident, now=NOW)
    assert {"code": br.SERIAL_PERPETRATOR, "reason": "Suspect has abused 2 other victims"} in entry.highlights


def test_refresh_shows_open_checks_not_taken_and_overdue(supervisor):
    incident = open_incident()
    BackgroundCheck.objects.create(incident=incident, kind="firearms", performed_by="dispatcher",
                                   created_at=NOW - timedelta(minutes=20), due_at=NOW - timedelta(minutes=5))
    BackgroundCheck.objects.create(incident=incident, kind="childrens_services", performed_by="intelligence_researcher",
                                   created_at=NOW - timedelta(minutes=20), due_at=NOW + timedelta(minutes=30),
                                   assigned_to=supervisor)
    BackgroundCheck.objects.create(incident=incident, kind="marac", performed_by="call_taker", status="done",
                                   created_at=NOW - timedelta(minutes=20), due_at=NOW - timedelta(minutes=10),
                                   done_at=NOW - timedelta(minutes=19), result="No MARAC")
    entry = board_refresh(incident=incident, now=NOW)
    assert entry.highlights == [
        {"code": "check_overdue:firearms",
         "reason": "Check overdue: Firearms licensing (due 14:25), not taken by anyone"},
        {"code": br.CHECKS_UNTAKEN,
         "reason": "1 background check not yet taken by anyone: Firearms licensing (Dispatcher)"},
    ]


def test_refresh_removes_a_closed_incident():
    incident = open_incident(weapons=True)
    board_refresh(incident=incident, now=NOW)
    Incident.objects.filter(pk=incident.pk).update(status=Incident.Status.CLOSED)
    incident.refresh_from_db()
    assert board_refresh(incident=incident, now=NOW) is None
    assert not BoardEntry.objects.filter(incident=incident).exists()


def test_refresh_leaves_off_an_incident_that_is_not_domestic_abuse():
    incident = open_incident(domestic_abuse=False, weapons=True)
    assert board_refresh(incident=incident, now=NOW) is None
    assert not BoardEntry.objects.exists()


def test_refresh_includes_a_call_being_recorded():
    incident = open_incident(status=Incident.Status.RECORDING, suspect_present=True)
    assert codes(board_refresh(incident=incident, now=NOW)) == {br.SUSPECT_PRESENT}


def test_the_board_reads_history_without_any_permission():
    assert not SYSTEM_VIEWER.has_perm("people.view_refuge_address")


def test_refresh_writes_no_audit_event():
    incident = open_incident(victim=person_record_create(), weapons=True)
    before = AuditEvent.objects.count()
    board_refresh(incident=incident, now=NOW)
    assert AuditEvent.objects.count() == before


# board_rows --------------------------------------------------------------------------------------------

def test_rows_include_an_incident_the_board_has_not_assessed(supervisor):
    incident = open_incident()
    [row] = board_rows(viewer=supervisor, now=NOW)
    assert row.public_id == incident.public_id
    assert [(h.code, h.reason) for h in row.highlights] == [(br.NOT_ASSESSED, "Not yet assessed by the board")]
    assert row.needs_acknowledgement
    assert row.assessed_at is None


def test_rows_leave_off_closed_and_non_domestic_abuse_incidents(supervisor):
    open_incident(status=Incident.Status.CLOSED)
    open_incident(domestic_abuse=False)
    assert board_rows(viewer=supervisor, now=NOW) == []


def test_rows_show_no_names_or_addresses(supervisor):
    area = area_create(name="Northfield")
    incident = open_incident(victim=person_record_create(given_name="Zebedee", family_name="Quill"),
                             address=address_create(line1="99 Secret Lane"), area=area, grade=1)
    board_refresh(incident=incident, now=NOW)
    [row] = board_rows(viewer=supervisor, now=NOW)
    assert (row.reference, row.area, row.grade, row.status) == (incident.reference, "Northfield", 1, "open")
    assert "Zebedee" not in repr(row) and "Quill" not in repr(row) and "Secret" not in repr(row)


def test_rows_order_acknowledgement_then_priority_then_oldest(supervisor):
    quiet_old = open_incident(received_at=NOW - timedelta(hours=2), grade=3)
    quiet_new = open_incident(received_at=NOW - timedelta(hours=1), grade=3)
    weapons = open_incident(weapons=True, received_at=NOW - timedelta(minutes=5))
    children = open_incident(children_present=True, received_at=NOW - timedelta(minutes=50))
    seen = open_incident(weapons=True, suspect_present=True, received_at=NOW - timedelta(minutes=1))
    for incident in (quiet_old, quiet_new, weapons, children, seen):
        board_refresh(incident=incident, now=NOW)
    board_acknowledge(incident=seen, by=supervisor, now=NOW)
    order = [row.reference for row in board_rows(viewer=supervisor, now=NOW)]
    # Needing acknowledgement: weapons (60) above children (40). Then the rest by priority, then age:
    # the acknowledged incident (110) above the two with no highlights, the older of those first.
    assert order == [weapons.reference, children.reference, seen.reference, quiet_old.reference,
                     quiet_new.reference]


def test_rows_work_out_overdue_checks_for_now(supervisor):
    incident = open_incident()
    BackgroundCheck.objects.create(incident=incident, kind="firearms", performed_by="dispatcher",
                                   assigned_to=supervisor, created_at=NOW - timedelta(minutes=20),
                                   due_at=NOW + timedelta(minutes=5))
    board_refresh(incident=incident, now=NOW)
    [row] = board_rows(viewer=supervisor, now=NOW)
    assert row.highlights == [] and not row.needs_acknowledgement
    [later] = board_rows(viewer=supervisor, now=NOW + timedelta(minutes=6))
    assert [h.code for h in later.highlights] == ["check_overdue:firearms"]
    assert later.needs_acknowledgement


def test_rows_read_in_a_fixed_number_of_queries(supervisor, django_assert_max_num_queries):
    for n in range(12):
        incident = open_incident(weapons=bool(n % 2), received_at=NOW - timedelta(minutes=n))
        BackgroundCheck.objects.create(incident=incident, kind="firearms", performed_by="dispatcher",
                                       created_at=NOW - timedelta(hours=1), due_at=NOW - timedelta(minutes=1))
        if n % 3:
            board_refresh(incident=incident, now=NOW)
        if n % 4 == 0:
            board_acknowledge(incident=incident, by=supervisor, now=NOW)
    supervisor = type(supervisor).objects.get(pk=supervisor.pk)  # nothing cached
    with django_assert_max_num_queries(6):
        rows = board_rows(viewer=supervisor, now=NOW)
    assert len(rows) == 12
    assert all(row.acknowledged_by for row in rows if row.acknowledged_at)


def test_rows_refuse_a_user_who_may_not_see_the_board():
    with pytest.raises(PermissionDenied):
        board_rows(viewer=user_create(role="call_taker"), now=NOW)


# board_acknowledge -------------------------------------------------------------------------------------

def test_acknowledge_records_the_highlights_and_who(supervisor):
    incident = open_incident(weapons=True, children_present=True)
    board_refresh(incident=incident, now=NOW)
    ack = board_acknowledge(incident=incident, by=supervisor, note="  Units sent  ", now=NOW)
    assert sorted(ack.codes) == sorted([br.WEAPONS, br.CHILDREN_PRESENT])
    assert (ack.acknowledged_by, ack.acknowledged_at, ack.note) == (supervisor, NOW, "Units sent")
    [row] = board_rows(viewer=supervisor, now=NOW)
    assert not row.needs_acknowledgement
    assert row.acknowledged_at == NOW and row.acknowledged_by


def test_acknowledge_is_audited_without_personal_data(supervisor):
    incident = open_incident(victim=person_record_create(given_name="Zebedee"), weapons=True)
    board_refresh(incident=incident, now=NOW)
    board_acknowledge(incident=incident, by=supervisor, note="Zebedee safe", now=NOW)
    event = AuditEvent.objects.order_by("-sequence").first()
    assert (event.action, event.actor, event.object_type, event.object_id) == (
        "consultation", supervisor, "incidents.Incident", str(incident.public_id))
    assert event.detail["board_acknowledged"] == [br.WEAPONS]
    assert "Zebedee" not in str(event.detail)


def test_a_new_highlight_after_acknowledgement_needs_a_new_one(supervisor):
    incident = open_incident(weapons=True)
    board_refresh(incident=incident, now=NOW)
    board_acknowledge(incident=incident, by=supervisor, now=NOW)
    Incident.objects.filter(pk=incident.pk).update(suspect_present=True)
    incident.refresh_from_db()
    board_refresh(incident=incident, now=NOW + timedelta(minutes=1))
    [row] = board_rows(viewer=supervisor, now=NOW + timedelta(minutes=1))
    assert row.needs_acknowledgement
    assert {h.code: h.new for h in row.highlights} == {br.WEAPONS: False, br.SUSPECT_PRESENT: True}
    board_acknowledge(incident=incident, by=supervisor, now=NOW + timedelta(minutes=2))
    [row] = board_rows(viewer=supervisor, now=NOW + timedelta(minutes=2))
    assert not row.needs_acknowledgement


def test_acknowledge_only_what_was_on_screen(supervisor):
    incident = open_incident(weapons=True)
    board_refresh(incident=incident, now=NOW)
    shown = [br.WEAPONS]
    Incident.objects.filter(pk=incident.pk).update(children_present=True)  # arrives after the page was drawn
    incident.refresh_from_db()
    board_refresh(incident=incident, now=NOW)
    ack = board_acknowledge(incident=incident, by=supervisor, codes=shown, now=NOW)
    assert ack.codes == [br.WEAPONS]
    [row] = board_rows(viewer=supervisor, now=NOW)
    assert row.needs_acknowledgement
    assert [h.code for h in row.highlights if h.new] == [br.CHILDREN_PRESENT]


def test_acknowledge_an_incident_not_yet_assessed(supervisor):
    incident = open_incident()
    assert board_acknowledge(incident=incident, by=supervisor, now=NOW).codes == [br.NOT_ASSESSED]
    Incident.objects.filter(pk=incident.pk).update(weapons=True)
    incident.refresh_from_db()
    board_refresh(incident=incident, now=NOW)
    [row] = board_rows(viewer=supervisor, now=NOW)
    assert row.needs_acknowledgement, "the real highlights are new"


@pytest.mark.parametrize("change", [{"status": Incident.Status.CLOSED}, {"is_domestic_abuse": False}])
def test_acknowledge_refuses_an_incident_not_on_the_board(supervisor, change):
    incident = open_incident(weapons=True)
    Incident.objects.filter(pk=incident.pk).update(**change)
    incident.refresh_from_db()
    with pytest.raises(ValidationError):
        board_acknowledge(incident=incident, by=supervisor, now=NOW)
    assert not BoardAcknowledgement.objects.exists()


def test_acknowledge_refuses_an_incident_with_nothing_highlighted(supervisor):
    incident = open_incident()
    board_refresh(incident=incident, now=NOW)
    with pytest.raises(ValidationError):
        board_acknowledge(incident=incident, by=supervisor, now=NOW)


def test_acknowledge_refuses_someone_who_is_not_a_supervisor():
    incident = open_incident(weapons=True)
    board_refresh(incident=incident, now=NOW)
    with pytest.raises(PermissionDenied):
        board_acknowledge(incident=incident, by=user_create(role="call_taker"), now=NOW)


def test_a_marker_added_elsewhere_reaches_the_board_when_the_entry_is_stale():
    now = datetime(2026, 11, 26, 22, 0, tzinfo=UTC)
    victim = person_record_create()
    incident = incident_create(received_at=now, status="open", victim=victim)
    board_refresh(incident=incident, now=now)
    marker_create(kind="high_risk_victim", person=victim.person, starts_on=date(2026, 11, 1))

    assert board_refresh_stale(now=now + timedelta(seconds=30)) == 0  # fresh: left alone
    assert board_refresh_stale(now=now + timedelta(seconds=61)) == 1
    incident.board_entry.refresh_from_db()
    assert "high_risk_victim" in incident.board_entry.highlight_codes
