"""Timelines: a case's and a person's history in time order with who did it, audited when read, and the
export (CSV with a header saying what, when, by whom and why) audited as an export with its reason."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.cases import services, timeline
from vigil.cases.models import Breach, Contact, CustodyRecord, ProtectiveOrder
from vigil.csvsafe import csv_safe
from vigil.incidents.models import Involvement
from vigil.risk.models import GradingDecision

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 21, 30, tzinfo=UTC)
REASON = "Crown Court hearing R v Example on 14 April"


class Story:
    """A victim's incident and case with an assessment, a supervisor's amendment, a handover, a contact,
    an order restricting the suspect and its breach, the suspect's arrest; and an older incident on which
    the victim was a witness."""

    def __init__(self):
        self.call_taker = factories.user_create(role="call_taker")
        self.officer = factories.user_create(role="response_officer")
        self.sergeant = factories.user_create(role="supervisor")
        self.specialist = factories.user_create(role="specialist_investigator")
        self.victim = factories.person_record_create(given_name="Vera", family_name="Timeline")
        self.suspect = factories.person_record_create(given_name="Sid", family_name="Suspect")
        self.incident = factories.incident_create(victim=self.victim, suspect=self.suspect, received_at=T0,
                                                  recorded_by=self.call_taker)
        self.earlier = factories.incident_create(received_at=T0 - timedelta(days=30))
        Involvement.objects.create(incident=self.earlier, person_record=self.victim, role="witness")
        self.hood = factories.team_create(kind="neighbourhood")
        self.owner = factories.user_create(role="neighbourhood_officer", teams=[self.hood])
        self.unit = factories.team_create(kind="specialist")
        self.case = factories.case_create(victim=self.victim, incident=self.incident, owner=self.owner,
                                          owning_team=self.hood)
        services.timeline_add(case=self.case, kind="opened", at=T0 + timedelta(minutes=50), actor=self.officer,
                              summary="Case opened at standard risk")
        self.assessment = factories.risk_assessment_create(
            incident=self.incident, victim=self.victim, grade="high", officer=self.officer, yes_count=9,
            indicated_grade="medium", submitted_at=T0 + timedelta(minutes=40))
        GradingDecision.objects.create(assessment=self.assessment, stage="officer", grade="medium",
                                       decided_by=self.officer, decided_at=T0 + timedelta(minutes=40))
        GradingDecision.objects.create(assessment=self.assessment, stage="supervisor", grade="high",
                                       previous_grade="medium", rationale="Threats to kill made this week",
                                       decided_by=self.sergeant, decided_at=T0 + timedelta(hours=3),
                                       opened_at=T0 + timedelta(hours=2))
        # Someone else's assessment in progress on the same incident is not part of the victim's history.
        factories.risk_assessment_create(incident=self.incident, victim=self.victim, grade="", status="in_progress",
                                         officer=self.officer, assessed_at=T0 + timedelta(minutes=45))
        self.handover = services.handover_propose(case=self.case, by=self.owner, to_team=self.unit,
                                                  reason="Graded high: the specialist unit owns it",
                                                  now=T0 + timedelta(hours=4))
        self.contact = Contact.objects.create(
            case=self.case, made_by=self.owner, made_at=T0 + timedelta(hours=5), method="phone",
            safe_number_used=True, outcome="spoke", told=["arrest"], note="=HYPERLINK(\"x\")")
        self.custody = CustodyRecord.objects.create(
            case=self.case, suspect=self.suspect, arrested_at=T0 + timedelta(hours=1), recorded_by=self.officer,
            disposal="pre_charge_bail", disposal_at=T0 + timedelta(hours=20), bail_return_on=date(2026, 3, 30))
        self.order = ProtectiveOrder.objects.create(
            case=self.case, kind="bail_conditions", restricted_person=self.suspect,
            conditions=["Not to contact the victim"], starts_at=T0 + timedelta(hours=20), recorded_by=self.officer,
            recorded_at=T0 + timedelta(hours=20))
        self.order.protected_persons.add(self.victim)
        self.breach_incident = factories.incident_create(victim=self.victim, suspect=self.suspect,
                                                         received_at=T0 + timedelta(days=3))
        Breach.objects.create(order=self.order, incident=self.breach_incident, occurred_at=T0 + timedelta(days=3),
                              description="Came to the house", recorded_by=self.owner,
                              recorded_at=T0 + timedelta(days=3, hours=1))


@pytest.fixture
def story():
    return Story()


def kinds(items):
    return [i.kind for i in items]


def test_a_case_timeline_is_everything_on_the_case_in_order_with_who_did_it(story):
    got = timeline.case_timeline(viewer=story.sergeant, case=story.case)

    assert kinds(got.items) == ["incident_received", "assessment", "grading", "opened", "grading",
                                "handover_proposed", "contact"]
    received, assessment, officer_grade, opened, supervisor_grade, handover, contact = got.items
    assert received.at == T0 and received.actor == story.call_taker and story.incident.reference in received.summary
    assert assessment.actor == story.officer and "9 'yes' answers" in assessment.summary
    assert "medium risk" in officer_grade.summary
    assert supervisor_grade.actor == story.sergeant
    assert "amended the grading from medium risk to high risk" in supervisor_grade.summary
    assert "Threats to kill" in supervisor_grade.summary
    assert handover.actor == story.owner and handover.label == "Handover proposed"
    assert contact.actor == story.owner and "safe number was used" in contact.summary
    assert got.subject_name == "Vera Timeline"
    assert [i.at for i in got.items] == sorted(i.at for i in got.items)


def test_reading_a_case_timeline_is_an_audited_consultation(story):
    timeline.case_timeline(viewer=story.sergeant, case=story.case)

    event = AuditEvent.objects.get(actor=story.sergeant, action="consultation", object_type="cases.SafeguardingCase")
    assert event.subject_person_id == story.victim.person.public_id
    assert event.detail["view"] == "case timeline"


def test_only_case_readers_may_read_a_timeline(story):
    with pytest.raises(PermissionDenied):
        timeline.case_timeline(viewer=story.call_taker, case=story.case)
    assert not AuditEvent.objects.filter(actor=story.call_taker).exists()


def test_background_work_is_shown_as_vigils_and_a_contact_an_entry_records_is_not_shown_twice(story):
    services.timeline_add(case=story.case, kind="contact_logged", at=story.contact.made_at, actor=story.owner,
                          summary="Contact logged", subject=services.subject_label(story.contact))
    services.timeline_add(case=story.case, kind="task_escalated", at=T0 + timedelta(days=2),
                          summary="Deadline missed, escalated to the supervisor")

    items = timeline.case_timeline_read(story.case).items

    assert kinds(items).count("contact") == 0 and kinds(items).count("contact_logged") == 1
    [escalated] = [i for i in items if i.kind == "task_escalated"]
    assert escalated.actor is None and escalated.actor_label == "Vigil (background work)"


def test_a_victims_person_timeline_gathers_incidents_in_any_role_assessments_cases_and_orders(story):
    got = timeline.person_timeline(viewer=story.sergeant, person=story.victim.person)

    assert got.items[0].kind == "incident_received" and "witness" in got.items[0].summary
    assert kinds(got.items).count("incident_received") == 3
    assert {"assessment", "grading", "opened", "handover_proposed", "contact", "order", "breach"} <= set(kinds(got.items))
    [order] = [i for i in got.items if i.kind == "order"]
    assert "protecting this person" in order.summary and "Not to contact the victim" in order.summary
    assert "arrest" not in kinds(got.items)  # the suspect's arrest is the suspect's
    assert got.cases == [story.case]
    assert [i.at for i in got.items] == sorted(i.at for i in got.items)
    assert AuditEvent.objects.filter(actor=story.sergeant, action="consultation", object_type="people.Person",
                                     subject_person_id=story.victim.person.public_id,
                                     detail__view="person timeline").exists()


def test_a_suspects_person_timeline_shows_orders_restricting_them_and_their_arrests(story):
    items = timeline.person_timeline_read(story.suspect.person).items

    assert {"incident_received", "arrest", "custody_disposal", "order", "breach"} <= set(kinds(items))
    [order] = [i for i in items if i.kind == "order"]
    assert "restricting this person" in order.summary
    assert "handover_proposed" not in kinds(items)  # the victim's case is not the suspect's
    [received] = [i for i in items if i.kind == "incident_received" and story.incident.reference in i.summary]
    assert "suspect" in received.summary


def test_an_export_is_audited_with_its_reason_and_the_csv_says_what_when_who_and_why(story):
    now = datetime(2026, 4, 1, 8, 15, tzinfo=UTC)
    export = timeline.timeline_export(viewer=story.specialist, timeline=timeline.case_timeline_read(story.case),
                                      reason=REASON, format="csv", now=now)

    event = AuditEvent.objects.get(action="export")
    assert (event.actor, event.reason) == (story.specialist, REASON)
    assert event.subject_person_id == story.victim.person.public_id
    assert event.detail == {"export": "case timeline", "format": "csv", "items": 7}
    rows = list(csv.reader(io.StringIO(timeline.timeline_csv(export))))
    header = dict(r for r in rows[:7])
    assert header["Vigil timeline export"].startswith(f"Case timeline: incident {story.incident.reference}")
    assert header["Exported at (Europe/London)"] == "2026-04-01 09:15:00 BST"
    assert header["Exported by (user id)"] == str(story.specialist.public_id)
    assert header["Reason"] == REASON
    assert rows[8][0] == "When (Europe/London)"
    body = rows[9:]
    assert len(body) == 7
    assert body[0][:3] == ["2026-03-02 21:30", "2026-03-02T21:30:00+00:00", "Incident received"]
    assert body[0][5] == str(story.call_taker.public_id)
    [contact] = [r for r in body if r[2] == "Victim contact"]
    assert contact[3].startswith("Telephone") and '=HYPERLINK' in contact[3]
    assert all(not cell.startswith("=") for row in body for cell in row)


def test_only_some_roles_may_export_and_a_reason_is_needed(story):
    read = timeline.case_timeline_read(story.case)
    with pytest.raises(PermissionDenied):
        timeline.timeline_export(viewer=story.owner, timeline=read, reason=REASON, format="csv")
    with pytest.raises(ValueError):
        timeline.timeline_export(viewer=story.sergeant, timeline=read, reason="court", format="csv")
    assert not AuditEvent.objects.filter(action="export").exists()


def test_a_formula_in_a_cell_is_written_as_text():
    assert csv_safe("=1+1") == "'=1+1"
    assert csv_safe("-2") == "'-2"
    assert csv_safe("Spoke") == "Spoke"
    assert csv_safe("-2.5", keep_numbers=True) == "-2.5" and csv_safe("-2+3", keep_numbers=True) == "'-2+3"


def test_what_the_case_services_write_appears_once_with_its_label(story):
    from vigil.cases import contact_services, custody_services

    now = T0 + timedelta(days=1)
    contact = contact_services.contact_log(case=story.case, by=story.owner, method="visit", outcome="spoke",
                                           safe_number_used=None, told=["arrest"], made_at=now, now=now)
    custody = custody_services.custody_arrest_record(case=story.case, by=story.officer, now=now,
                                                     arrested_at=T0 + timedelta(hours=2))

    items = timeline.case_timeline_read(story.case).items

    about_contact = [i for i in items if i.subject == services.subject_label(contact)]
    assert [i.label for i in about_contact] == ["Victim contact"]  # the entry, not the contact row again
    [arrest] = [i for i in items if i.subject == services.subject_label(custody)]
    assert arrest.label == "Suspect arrested" and arrest.actor == story.officer
