"""Custody, court and bail: every key event gives the owner a task to tell the victim within the Victims'
Code deadline; a court's bail is urgent and its conditions reach the control room as markers; a remand
makes the owner watch the hearing; a release date schedules a risk review and the victim's notification.
Deadlines are checked across weekends and England and Wales bank holidays (Christmas 2026: Friday 25th,
the Boxing Day substitute on Monday 28th; the spring bank holiday on Monday 25 May 2026)."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.cases import custody_services as custody_svc
from vigil.cases.models import CustodyRecord, ProtectiveOrder, Task, TimelineEntry
from vigil.checks.selectors import call_history
from vigil.incidents.models import Arrest
from vigil.people.models import WarningMarker

pytestmark = pytest.mark.django_db

# Thursday 24 December 2026, before a four-day Christmas break (Fri 25, Sat, Sun, Mon 28 substitute).
CHRISTMAS_EVE = datetime(2026, 12, 24, 10, 0, tzinfo=UTC)
END_OF_TUESDAY_29_DEC = datetime(2026, 12, 29, 23, 59, 59, tzinfo=UTC)  # GMT
CONDITIONS = ["Not to contact Vera Casework directly or indirectly", "Not to enter Example Road, LE1"]


class Case:
    def __init__(self, received_at=datetime(2026, 5, 1, 22, 0, tzinfo=UTC)):
        self.team = factories.team_create(kind="neighbourhood")
        self.owner = factories.user_create(role="neighbourhood_officer", teams=[self.team])
        self.custody_officer = factories.user_create(role="response_officer", teams=[factories.team_create()])
        self.address = factories.address_create(line1="12 Example Road", postcode="LE1 6ZZ")
        self.victim = factories.person_record_create(given_name="Vera", family_name="Casework", address=self.address)
        self.suspect = factories.person_record_create(given_name="Sam", family_name="Casework")
        self.incident = factories.incident_create(victim=self.victim, suspect=self.suspect, received_at=received_at,
                                                  address=self.address)
        self.case = factories.case_create(victim=self.victim, incident=self.incident, owner=self.owner,
                                          owning_team=self.team)

    def arrest(self, at, **kw):
        return custody_svc.custody_arrest_record(case=self.case, by=self.owner, arrested_at=at, now=at, **kw)

    def tasks(self, kind):
        return list(Task.objects.filter(case=self.case, kind=kind).order_by("created_at", "id"))


@pytest.fixture
def c():
    return Case()


def test_an_arrest_defaults_to_the_incidents_suspect_and_the_victim_must_be_told_within_a_working_day(c):
    friday = datetime(2026, 5, 22, 14, 0, tzinfo=UTC)  # Monday 25 May is the spring bank holiday
    record = c.arrest(friday)
    assert record.suspect == c.suspect
    [task] = c.tasks(Task.Kind.TELL_VICTIM)
    assert task.assignee == c.owner and task.title == "Tell the victim: arrest"
    assert task.due_at == datetime(2026, 5, 26, 22, 59, 59, tzinfo=UTC)  # end of Tuesday, London (BST)
    assert TimelineEntry.objects.filter(case=c.case, kind="arrest").exists()
    assert AuditEvent.objects.filter(object_id=str(record.public_id), action="collection").exists()


def test_an_arrest_links_the_incidents_arrest_record_and_is_recorded_once(c):
    arrest = Arrest.objects.create(incident=c.incident, person_record=c.suspect,
                                   arrested_at=datetime(2026, 5, 2, 1, 0, tzinfo=UTC))
    record = custody_svc.custody_arrest_record(case=c.case, by=c.owner, arrest=arrest,
                                               now=datetime(2026, 5, 2, 3, 0, tzinfo=UTC))
    assert record.arrest == arrest and record.arrested_at == arrest.arrested_at
    with pytest.raises(ValidationError, match="already recorded"):
        custody_svc.custody_arrest_record(case=c.case, by=c.owner, arrest=arrest,
                                          now=datetime(2026, 5, 2, 3, 0, tzinfo=UTC))
    assert CustodyRecord.objects.count() == 1


def test_an_arrest_needs_a_suspect_and_a_time_that_has_happened():
    c = Case()
    c.incident.involvements.filter(role="suspect").delete()
    with pytest.raises(ValidationError) as error:
        c.arrest(datetime(2026, 5, 2, 1, 0, tzinfo=UTC))
    assert "No suspect is named" in str(error.value)
    c2 = Case()
    with pytest.raises(ValidationError, match="future"):
        custody_svc.custody_arrest_record(case=c2.case, by=c2.owner, arrested_at=datetime(2026, 5, 3, tzinfo=UTC),
                                          now=datetime(2026, 5, 2, tzinfo=UTC))
    assert CustodyRecord.objects.count() == 0 and Task.objects.count() == 0


@pytest.mark.parametrize("disposal, title", [
    ("rui", "Tell the victim: released under investigation"),
    ("nfa", "Tell the victim: released with no further action"),
])
def test_a_release_without_charge_is_a_key_event(c, disposal, title):
    record = c.arrest(datetime(2026, 5, 2, 1, 0, tzinfo=UTC))
    at = datetime(2026, 5, 2, 16, 0, tzinfo=UTC)  # Saturday; Monday 4 May is the early May bank holiday
    custody_svc.custody_disposal_record(custody=record, by=c.owner, disposal=disposal, disposed_at=at, now=at)
    task = Task.objects.get(case=c.case, title=title)
    assert task.due_at == datetime(2026, 5, 6, 22, 59, 59, tzinfo=UTC)  # counted from Tue 5: end of Wed 6
    assert not ProtectiveOrder.objects.exists()


def test_pre_charge_bail_with_conditions_protects_the_victim_and_their_address(c):
    record = c.arrest(datetime(2026, 5, 2, 1, 0, tzinfo=UTC))
    at = datetime(2026, 5, 2, 18, 0, tzinfo=UTC)
    custody_svc.custody_disposal_record(custody=record, by=c.custody_officer, disposal="pre_charge_bail",
                                        disposed_at=at, bail_conditions="\n".join(CONDITIONS) + "\n\n",
                                        bail_return_on=date(2026, 5, 30), now=at)
    order = ProtectiveOrder.objects.get()
    assert (order.kind, order.restricted_person, order.protected_address) == ("bail_conditions", c.suspect, c.address)
    assert list(order.protected_persons.all()) == [c.victim]
    assert order.conditions == CONDITIONS and order.ends_on == date(2026, 5, 30) and order.custody_record == record
    markers = WarningMarker.objects.filter(kind="bail_conditions")
    assert {(m.person_id, m.address_id) for m in markers} == {(c.victim.person_id, None), (None, c.address.pk)}
    task = Task.objects.get(case=c.case, kind=Task.Kind.TELL_VICTIM, title__contains="bail")
    assert task.assignee == c.owner  # the owner tells the victim, whoever recorded the bail
    assert "bail conditions" in task.detail


def test_pre_charge_bail_needs_conditions_and_a_return_date_and_nothing_is_saved_without_them(c):
    record = c.arrest(datetime(2026, 5, 2, 1, 0, tzinfo=UTC))
    at = datetime(2026, 5, 2, 18, 0, tzinfo=UTC)
    with pytest.raises(ValidationError) as error:
        custody_svc.custody_disposal_record(custody=record, by=c.owner, disposal="pre_charge_bail", disposed_at=at,
                                            bail_conditions=" \n ", bail_return_on=date(2026, 5, 30), now=at)
    assert "bail_conditions" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        custody_svc.custody_disposal_record(custody=record, by=c.owner, disposal="pre_charge_bail", disposed_at=at,
                                            bail_conditions=CONDITIONS, now=at)
    assert "bail_return_on" in error.value.message_dict
    record.refresh_from_db()
    assert record.disposal == "" and not ProtectiveOrder.objects.exists()


def test_charge_and_remand_makes_the_owner_watch_the_hearing(c):
    record = c.arrest(datetime(2026, 12, 23, 20, 0, tzinfo=UTC))
    charged = datetime(2026, 12, 24, 2, 0, tzinfo=UTC)
    hearing = datetime(2026, 12, 24, 10, 0, tzinfo=UTC)
    custody_svc.custody_disposal_record(custody=record, by=c.custody_officer, disposal="charged_remanded",
                                        disposed_at=charged, court_name="Leicester Magistrates' Court",
                                        hearing_at=hearing, now=charged)
    [watch] = c.tasks(Task.Kind.COURT_OUTCOME)
    assert watch.assignee == c.owner and watch.due_at == hearing and watch.status == "open"
    tell = Task.objects.get(case=c.case, title="Tell the victim: charged")
    assert tell.due_at == END_OF_TUESDAY_29_DEC
    assert "remand hearing" in tell.detail


def test_a_remand_needs_the_court_and_the_hearing_time(c):
    record = c.arrest(datetime(2026, 12, 23, 20, 0, tzinfo=UTC))
    at = datetime(2026, 12, 24, 2, 0, tzinfo=UTC)
    with pytest.raises(ValidationError) as error:
        custody_svc.custody_disposal_record(custody=record, by=c.owner, disposal="charged_remanded", disposed_at=at,
                                            court_name="", now=at)
    assert "court_name" in error.value.message_dict
    assert not Task.objects.filter(kind=Task.Kind.COURT_OUTCOME).exists()


def remanded(c):
    record = c.arrest(datetime(2026, 12, 23, 20, 0, tzinfo=UTC))
    charged = datetime(2026, 12, 24, 2, 0, tzinfo=UTC)
    return custody_svc.custody_disposal_record(
        custody=record, by=c.owner, disposal="charged_remanded", disposed_at=charged,
        court_name="Leicester Magistrates' Court", hearing_at=datetime(2026, 12, 24, 10, 0, tzinfo=UTC), now=charged)


def test_court_bail_on_christmas_eve_is_urgent_and_due_by_the_end_of_the_next_working_day(c):
    record = remanded(c)
    decided = datetime(2026, 12, 24, 14, 30, tzinfo=UTC)
    custody_svc.custody_court_outcome_record(custody=record, by=c.owner, outcome="bailed", decided_at=decided,
                                             bail_conditions=CONDITIONS, bail_return_on=date(2027, 1, 14),
                                             now=decided)
    [task] = c.tasks(Task.Kind.COURT_BAIL_TELL_VICTIM)
    assert task.urgent and task.assignee == c.owner
    assert task.due_at == END_OF_TUESDAY_29_DEC  # Christmas, the weekend and the Boxing Day substitute skipped
    assert "24 Dec 2026 23:59" in task.detail  # the target: the same working day
    [watch] = c.tasks(Task.Kind.COURT_OUTCOME)
    assert watch.status == "done" and watch.done_by == c.owner
    order = ProtectiveOrder.objects.get(custody_record=record)
    assert order.conditions == CONDITIONS and order.ends_on == date(2027, 1, 14)
    assert order.authorised_by == "Leicester Magistrates' Court"


def test_court_bail_on_a_saturday_targets_monday_and_is_due_by_tuesday(c):
    record = c.arrest(datetime(2026, 6, 5, 20, 0, tzinfo=UTC))
    custody_svc.custody_disposal_record(custody=record, by=c.owner, disposal="charged_remanded",
                                        disposed_at=datetime(2026, 6, 5, 23, 0, tzinfo=UTC), court_name="Court",
                                        hearing_at=datetime(2026, 6, 6, 10, 0, tzinfo=UTC),
                                        now=datetime(2026, 6, 5, 23, 0, tzinfo=UTC))
    saturday = datetime(2026, 6, 6, 12, 0, tzinfo=UTC)
    custody_svc.custody_court_outcome_record(custody=record, by=c.owner, outcome="bailed", decided_at=saturday,
                                             now=saturday)
    [task] = c.tasks(Task.Kind.COURT_BAIL_TELL_VICTIM)
    assert task.due_at == datetime(2026, 6, 9, 22, 59, 59, tzinfo=UTC)  # end of Tuesday (BST)
    assert task.title == "Tell the victim the court granted bail"  # no conditions, no order
    assert not ProtectiveOrder.objects.exists()


def test_the_court_bail_conditions_show_in_the_control_rooms_history_for_the_victims_address(c):
    record = remanded(c)
    decided = datetime(2026, 12, 24, 14, 30, tzinfo=UTC)
    custody_svc.custody_court_outcome_record(custody=record, by=c.owner, outcome="bailed", decided_at=decided,
                                             bail_conditions=CONDITIONS, bail_return_on=date(2027, 1, 14),
                                             now=decided)
    call_taker = factories.user_create(role="call_taker")
    history = call_history(viewer=call_taker, line1="12 Example Road", postcode="le1 6zz",
                           now=datetime(2026, 12, 30, 20, 0, tzinfo=UTC))
    [marker] = [m for m in history.place_markers if m.kind == "bail_conditions"]
    assert marker.on == "address" and "Not to enter Example Road" in marker.note
    after = call_history(viewer=call_taker, line1="12 Example Road", postcode="LE1 6ZZ",
                         now=datetime(2027, 1, 20, 20, 0, tzinfo=UTC))
    assert not [m for m in after.place_markers if m.kind == "bail_conditions"]  # ended with the bail


def test_remanded_in_custody_is_a_key_event_and_ends_the_watch(c):
    record = remanded(c)
    decided = datetime(2026, 12, 24, 12, 0, tzinfo=UTC)
    custody_svc.custody_court_outcome_record(custody=record, by=c.custody_officer, outcome="remanded",
                                             decided_at=decided, now=decided)
    task = Task.objects.get(case=c.case, title="Tell the victim: remanded in custody by the court")
    assert task.due_at == END_OF_TUESDAY_29_DEC and not task.urgent
    [watch] = c.tasks(Task.Kind.COURT_OUTCOME)
    assert watch.status == "done" and "recorded by" in watch.outcome  # closed for the owner by the recorder


def test_a_court_outcome_needs_a_remand_and_is_recorded_once(c):
    record = c.arrest(datetime(2026, 12, 23, 20, 0, tzinfo=UTC))
    at = datetime(2026, 12, 24, 12, 0, tzinfo=UTC)
    with pytest.raises(ValidationError, match="only after a charge and remand"):
        custody_svc.custody_court_outcome_record(custody=record, by=c.owner, outcome="bailed", decided_at=at, now=at)
    record.delete()
    record = remanded(c)
    custody_svc.custody_court_outcome_record(custody=record, by=c.owner, outcome="remanded", decided_at=at, now=at)
    with pytest.raises(ValidationError, match="already recorded"):
        custody_svc.custody_court_outcome_record(custody=record, by=c.owner, outcome="bailed", decided_at=at, now=at)


def test_recording_the_same_event_twice_never_makes_a_second_task(c):
    record = c.arrest(datetime(2026, 5, 2, 1, 0, tzinfo=UTC))
    at = datetime(2026, 5, 2, 18, 0, tzinfo=UTC)
    custody_svc.custody_disposal_record(custody=record, by=c.owner, disposal="rui", disposed_at=at, now=at)
    with pytest.raises(ValidationError, match="already recorded"):
        custody_svc.custody_disposal_record(custody=record, by=c.owner, disposal="nfa", disposed_at=at, now=at)
    assert Task.objects.filter(kind=Task.Kind.TELL_VICTIM).count() == 2  # arrest, released under investigation


def bailed(c):
    record = c.arrest(datetime(2026, 5, 2, 1, 0, tzinfo=UTC))
    at = datetime(2026, 5, 2, 18, 0, tzinfo=UTC)
    custody_svc.custody_disposal_record(custody=record, by=c.owner, disposal="pre_charge_bail", disposed_at=at,
                                        bail_conditions=CONDITIONS, bail_return_on=date(2026, 5, 30), now=at)
    return ProtectiveOrder.objects.get(custody_record=record)


def test_changed_bail_conditions_update_the_markers_and_the_victim_is_told(c):
    order = bailed(c)
    changed = datetime(2026, 5, 8, 11, 0, tzinfo=UTC)  # a Friday
    custody_svc.custody_bail_conditions_change(order=order, by=c.owner, conditions=["Not to enter LE1"],
                                               ends_on=date(2026, 6, 13), changed_at=changed, now=changed)
    notes = set(WarningMarker.objects.filter(kind="bail_conditions").values_list("note", "ends_on"))
    assert notes == {("Bail conditions: Not to enter LE1 (until 13 Jun 2026)", date(2026, 6, 13))}
    task = Task.objects.get(case=c.case, title="Tell the victim: bail conditions changed")
    assert task.due_at == datetime(2026, 5, 11, 22, 59, 59, tzinfo=UTC)  # end of Monday


def test_cancelled_bail_ends_the_markers_and_the_victim_is_told(c):
    order = bailed(c)
    cancelled = datetime(2026, 5, 12, 9, 0, tzinfo=UTC)
    custody_svc.custody_bail_cancel(order=order, by=c.owner, cancelled_at=cancelled, now=cancelled)
    order.refresh_from_db()
    assert order.status == "revoked"
    assert set(WarningMarker.objects.filter(kind="bail_conditions").values_list("ends_on", flat=True)) == \
        {date(2026, 5, 12)}
    assert Task.objects.filter(case=c.case, title="Tell the victim: bail cancelled").exists()
    with pytest.raises(ValidationError, match="no longer in force"):
        custody_svc.custody_bail_cancel(order=order, by=c.owner, cancelled_at=cancelled, now=cancelled)


def test_a_release_date_schedules_a_risk_review_and_the_victims_notification_before_release(c):
    record = c.arrest(datetime(2026, 5, 2, 1, 0, tzinfo=UTC))
    now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    custody_svc.custody_release_date_set(custody=record, by=c.owner, release_on=date(2026, 12, 31), now=now)
    [review] = c.tasks(Task.Kind.RELEASE_REVIEW)
    [notify] = c.tasks(Task.Kind.RELEASE_NOTIFY)
    # 10 working days before Thursday 31 Dec (Christmas and the Boxing Day substitute skipped): Tue 15 Dec.
    assert review.due_at == datetime(2026, 12, 15, 23, 59, 59, tzinfo=UTC)
    # 2 working days before: Tuesday 29 Dec.
    assert notify.due_at == END_OF_TUESDAY_29_DEC
    assert not review.urgent and not notify.urgent


def test_a_release_date_learnt_late_makes_urgent_tasks_due_at_once_and_a_new_date_replaces_them(c):
    record = c.arrest(datetime(2026, 5, 2, 1, 0, tzinfo=UTC))
    now = datetime(2026, 12, 22, 9, 0, tzinfo=UTC)
    custody_svc.custody_release_date_set(custody=record, by=c.owner, release_on=date(2026, 12, 31), now=now)
    [review] = c.tasks(Task.Kind.RELEASE_REVIEW)
    assert review.urgent and review.due_at == now
    custody_svc.custody_release_date_set(custody=record, by=c.owner, release_on=date(2027, 3, 1), now=now)
    review.refresh_from_db()
    assert review.status == "cancelled" and "changed" in review.outcome
    assert Task.objects.filter(kind=Task.Kind.RELEASE_REVIEW, status="open").count() == 1
    with pytest.raises(ValidationError, match="has passed"):
        custody_svc.custody_release_date_set(custody=record, by=c.owner, release_on=date(2026, 12, 1), now=now)


def test_nothing_is_recorded_on_a_closed_case(c):
    c.case.closed_at = datetime(2026, 5, 2, 0, 0, tzinfo=UTC)
    c.case.save()
    with pytest.raises(ValidationError, match="closed"):
        c.arrest(datetime(2026, 5, 2, 1, 0, tzinfo=UTC))
    assert not CustodyRecord.objects.exists()


def test_each_step_is_on_the_timeline_and_audited_without_personal_data(c):
    record = remanded(c)
    decided = datetime(2026, 12, 24, 14, 30, tzinfo=UTC)
    custody_svc.custody_court_outcome_record(custody=record, by=c.owner, outcome="bailed", decided_at=decided,
                                             bail_conditions=CONDITIONS, now=decided)
    kinds = list(TimelineEntry.objects.filter(case=c.case).values_list("kind", flat=True))
    for kind in ("arrest", "custody_disposal", "court_outcome", "bail_conditions", "task_done"):
        assert kind in kinds
    steps = [e.detail.get("step") for e in AuditEvent.objects.filter(object_id=str(record.public_id))]
    assert steps == ["arrest recorded", "disposal recorded", "court outcome recorded"]
    details = str([e.detail for e in AuditEvent.objects.filter(object_id=str(record.public_id))])
    assert "Casework" not in details and "Not to contact" not in details
