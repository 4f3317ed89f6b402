"""Victim contact: each attempt logged as it happened; the safe number, or a clear confirmation when it
was not used or none is recorded; a contact that told the victim completes the task; the next routine
update at the frequency agreed in the contact plan."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.cases import contact_services as contact_svc
from vigil.cases import custody_services as custody_svc
from vigil.cases.models import Contact, Task, TimelineEntry
from vigil.people.models import ContactBan, SafeContact

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 24, 16, 0, tzinfo=UTC)


class Case:
    def __init__(self, *, safe_number=True):
        self.team = factories.team_create(kind="neighbourhood")
        self.owner = factories.user_create(role="neighbourhood_officer", teams=[self.team])
        self.victim = factories.person_record_create(given_name="Vera", family_name="Contact",
                                                     address=factories.address_create())
        suspect = factories.person_record_create(given_name="Sam", family_name="Contact")
        incident = factories.incident_create(victim=self.victim, suspect=suspect,
                                             received_at=datetime(2026, 12, 20, 22, 0, tzinfo=UTC))
        self.case = factories.case_create(victim=self.victim, incident=incident, owner=self.owner,
                                          owning_team=self.team)
        if safe_number:
            SafeContact.objects.create(person=self.victim.person, phone=factories.phone_create(number="07700 900777"),
                                       updated_at=NOW)

    def court_bail_task(self):
        record = custody_svc.custody_arrest_record(case=self.case, by=self.owner,
                                                   arrested_at=datetime(2026, 12, 23, 20, 0, tzinfo=UTC), now=NOW)
        custody_svc.custody_disposal_record(custody=record, by=self.owner, disposal="charged_remanded",
                                            disposed_at=datetime(2026, 12, 24, 2, 0, tzinfo=UTC), court_name="Court",
                                            hearing_at=datetime(2026, 12, 24, 10, 0, tzinfo=UTC), now=NOW)
        custody_svc.custody_court_outcome_record(custody=record, by=self.owner, outcome="bailed",
                                                 decided_at=datetime(2026, 12, 24, 14, 0, tzinfo=UTC), now=NOW,
                                                 bail_conditions=["Not to enter LE1"])
        return Task.objects.get(case=self.case, kind=Task.Kind.COURT_BAIL_TELL_VICTIM)

    def log(self, **kw):
        fields = dict(case=self.case, by=self.owner, method="phone", outcome="spoke", safe_number_used=True,
                      made_at=NOW, now=NOW)
        fields.update(kw)
        return contact_svc.contact_log(**fields)


@pytest.fixture
def c():
    return Case()


def test_the_key_event_codes_are_the_victims_codes_list():
    assert [code for code, _ in contact_svc.KEY_EVENTS] == [
        "arrest", "interview", "released_nfa", "released_rui", "bail", "bail_conditions_changed", "charge",
        "bail_cancelled", "court_bail", "remanded", "release"]


def test_telling_the_victim_about_court_bail_completes_the_urgent_task(c):
    task = c.court_bail_task()
    assert contact_svc.task_key_events(task) == ["court_bail"]
    contact = c.log(task=task, told=["court_bail"], note="Told her the conditions; she has the safe word")
    task.refresh_from_db()
    assert task.status == "done" and task.done_by == c.owner and "court granted bail" in task.outcome
    assert (contact.method, contact.safe_number_used, contact.told, contact.task) == ("phone", True, ["court_bail"],
                                                                                      task)
    assert TimelineEntry.objects.filter(case=c.case, kind="contact").exists()
    event = AuditEvent.objects.get(object_id=str(contact.public_id))
    assert event.action == "collection" and event.detail["told"] == ["court_bail"]
    assert "Told her" not in str(event.detail)  # no free text in the audit log


@pytest.mark.parametrize("outcome", ["no_answer", "not_safe", "wrong_person"])
def test_other_outcomes_are_recorded_and_the_task_stays_open(c, outcome):
    task = c.court_bail_task()
    contact = c.log(task=task, outcome=outcome)
    task.refresh_from_db()
    assert task.status == "open" and contact.outcome == outcome and contact.task == task
    assert not Task.objects.filter(key__startswith="routine-contact:").exists()  # not a successful contact


def test_speaking_to_the_victim_without_telling_them_the_event_does_not_complete_the_task(c):
    task = c.court_bail_task()
    with pytest.raises(ValidationError) as error:
        c.log(task=task, told=[])
    assert "Tick what you told the victim" in str(error.value)
    task.refresh_from_db()
    assert task.status == "open" and not Contact.objects.exists()


def test_with_no_safe_number_recorded_a_phone_call_must_be_confirmed_as_safe():
    c = Case(safe_number=False)
    assert contact_svc.safe_number(c.case) is None
    with pytest.raises(ValidationError) as error:
        c.log(safe_number_used=True)
    assert "No safe number is recorded" in error.value.message_dict["safe_number_used"][0]
    with pytest.raises(ValidationError) as error:
        c.log(safe_number_used=False)
    assert "No safe number is recorded for the victim: confirm" in error.value.message_dict["confirmed_safe"][0]
    assert not Contact.objects.exists()
    contact = c.log(safe_number_used=False, confirmed_safe=True)
    assert not contact.safe_number_used and contact_svc.NO_SAFE_NUMBER_NOTE in contact.note
    assert AuditEvent.objects.get(object_id=str(contact.public_id)).detail["confirmed_safe"] is True


def test_a_banned_safe_number_is_never_offered_and_a_call_counts_as_without_a_safe_number(c):
    """A number on the victim's do-not-use list (e.g. brought onto the record by a merge) wins over the
    safe contact: no safe number, so a call must be to another number confirmed safe."""
    phone = c.victim.person.safe_contact.phone
    assert contact_svc.safe_number(c.case) == phone
    ContactBan.objects.create(person=c.victim.person, phone=phone, reason="The suspect pays this bill")
    assert contact_svc.safe_number(c.case) is None
    with pytest.raises(ValidationError) as error:
        c.log(safe_number_used=True)
    assert "No safe number is recorded" in error.value.message_dict["safe_number_used"][0]
    assert not Contact.objects.exists()
    assert contact_svc.NO_SAFE_NUMBER_NOTE in c.log(safe_number_used=False, confirmed_safe=True).note


def test_a_ban_on_another_number_leaves_the_safe_number(c):
    ContactBan.objects.create(person=c.victim.person, phone=factories.phone_create(number="07700 900111"),
                              reason="Old number")
    assert contact_svc.safe_number(c.case) == c.victim.person.safe_contact.phone


def test_another_number_than_the_safe_one_must_be_confirmed_too(c):
    with pytest.raises(ValidationError) as error:
        c.log(safe_number_used=False)
    assert "You did not use the victim's safe number" in str(error.value)
    assert contact_svc.OTHER_NUMBER_NOTE in c.log(safe_number_used=False, confirmed_safe=True).note


def test_a_visit_needs_no_number(c):
    contact = c.log(method="visit", safe_number_used=None)
    assert contact.safe_number_used is False


def test_what_was_told_is_only_recorded_for_a_conversation_or_a_message(c):
    with pytest.raises(ValidationError) as error:
        c.log(outcome="no_answer", told=["arrest"])
    assert "told" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        c.log(told=["made_up"])
    assert "told" in error.value.message_dict


def test_a_successful_contact_schedules_the_next_routine_update_at_the_agreed_frequency(c):
    first = Task.objects.create(case=c.case, kind=Task.Kind.CONTACT_VICTIM, title="Contact the victim",
                                assignee=c.owner, team=c.team, due_at=NOW, created_at=NOW,
                                key=f"first-contact:{c.case.public_id}")  # as case_open makes it
    review = Task.objects.create(case=c.case, kind=Task.Kind.CONTACT_VICTIM, title="Review the risk after a breach",
                                 assignee=c.owner, team=c.team, due_at=NOW, created_at=NOW, key="breach-review:x")
    contact_svc.contact_plan_set(case=c.case, by=c.owner, method="phone", update_every_days=14,
                                 note="Weekdays after 10:00 only", now=NOW)
    c.log()
    first.refresh_from_db()
    assert first.status == "done"
    review.refresh_from_db()
    assert review.status == "open"  # not a routine update: done on its own
    [routine] = Task.objects.filter(kind=Task.Kind.CONTACT_VICTIM, status="open", key__startswith="routine-contact:")
    assert routine.due_at == datetime(2027, 1, 7, 23, 59, 59, tzinfo=UTC)  # 14 days on, end of the London day
    assert routine.assignee == c.owner and "Weekdays after 10:00 only" in routine.detail
    c.log()  # a second call the same day: the same next update, not a second one
    assert Task.objects.filter(kind=Task.Kind.CONTACT_VICTIM, status="open").count() == 2  # routine and review


def test_changing_the_frequency_moves_the_next_update(c):
    c.log()
    contact_svc.contact_plan_set(case=c.case, by=c.owner, method="visit", update_every_days=7, now=NOW)
    c.case.refresh_from_db()
    assert (c.case.contact_method, c.case.update_every_days) == ("visit", 7)
    [routine] = Task.objects.filter(kind=Task.Kind.CONTACT_VICTIM, status="open")
    assert routine.due_at.date() == date(2026, 12, 31)
    assert AuditEvent.objects.filter(object_id=str(c.case.public_id), action="alteration").exists()


def test_a_contact_plan_needs_a_method_and_a_sensible_frequency(c):
    with pytest.raises(ValidationError) as error:
        contact_svc.contact_plan_set(case=c.case, by=c.owner, method="pigeon", update_every_days=0, now=NOW)
    assert set(error.value.message_dict) == {"method", "update_every_days"}
    c.case.refresh_from_db()
    assert c.case.update_every_days == 28
