"""Protective orders: the rules for each kind (ranks, DVPO length, SPO length, end after start), the DVPO
application deadline across weekends and bank holidays, warning markers, ending, revoking, varying,
breaches, and the expiry reminders the worker sends."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.cases import order_services
from vigil.cases.models import Breach, ProtectiveOrder, Task, TimelineEntry
from vigil.people.models import WarningMarker

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # a Monday
Kind = ProtectiveOrder.Kind


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
def case():
    home = factories.address_create()
    victim = factories.person_record_create(given_name="Vera", family_name="Protected", address=home)
    suspect = factories.person_record_create(given_name="Sam", family_name="Restricted")
    incident = factories.incident_create(victim=victim, suspect=suspect, received_at=T0 - timedelta(days=1))
    case = factories.case_create(victim=victim, incident=incident)
    case.suspect = suspect
    return case


def record(case, **fields):
    values = dict(case=case, by=case.owner, kind=Kind.RESTRAINING, restricted_person=case.suspect, starts_at=T0,
                  conditions=["No contact with Vera Protected", "Not to enter Example Road"], now=T0)
    values.update(fields)
    return order_services.order_record(**values)


def dvpn(case, served_at, **fields):
    values = dict(kind=Kind.DVPN, starts_at=served_at, served_at=served_at, authorised_rank="superintendent",
                  authorised_by="A Senior", now=served_at)
    values.update(fields)
    return record(case, **values)


def test_an_order_protects_the_victim_and_their_home_by_default_with_markers(case):
    order = record(case, ends_on=date(2027, 11, 1))
    assert list(order.protected_persons.all()) == [case.victim]
    assert order.protected_address == case.victim.address
    markers = WarningMarker.objects.filter(pk__in=order.markers.values("pk"))
    assert {(m.person_id, m.address_id) for m in markers} == {(case.victim.person_id, None),
                                                               (None, case.victim.address_id)}
    assert all(m.kind == "protective_order" and m.ends_on == date(2027, 11, 1) for m in markers)
    assert TimelineEntry.objects.filter(case=case, kind="order_recorded").exists()
    assert AuditEvent.objects.filter(action="collection", object_id=str(order.public_id)).exists()


def test_an_order_ends_after_it_starts(case):
    with pytest.raises(ValidationError) as error:
        record(case, ends_on=date(2026, 11, 1))
    assert "ends_on" in error.value.message_dict
    assert not ProtectiveOrder.objects.exists()


@pytest.mark.parametrize("rank, allowed", [("chief_inspector", False), ("superintendent", True),
                                           ("chief_constable", True)])
def test_a_dvpn_is_authorised_by_a_superintendent_or_above(case, rank, allowed):
    if allowed:
        notice = dvpn(case, T0, authorised_rank=rank)
        assert notice.authorised_by.endswith("A Senior")
    else:
        with pytest.raises(ValidationError) as error:
            dvpn(case, T0, authorised_rank=rank)
        assert "superintendent or above" in error.value.message_dict["authorised_rank"][0]


@pytest.mark.parametrize("rank, allowed", [("inspector", True), ("", False)])
def test_a_dapn_is_given_by_an_inspector_or_above(case, rank, allowed):
    fields = dict(kind=Kind.DAPN, authorised_rank=rank)
    if allowed:
        assert dvpn(case, T0, **fields).authorised_by == "Inspector A Senior"
    else:
        with pytest.raises(ValidationError):
            dvpn(case, T0, **fields)


@pytest.mark.parametrize("served, hearing_by", [
    (london(2026, 11, 2, 10, 0), london(2026, 11, 4, 10, 0)),   # Monday: two counted days
    (london(2026, 11, 28, 10, 0), london(2026, 12, 1, 10, 0)),  # Saturday: Sunday not counted -> Tuesday
    # Boxing Day (Saturday, a bank holiday), Sunday and the substitute Monday are not counted: the clock
    # starts on Tuesday 29 December at midnight and runs out at midnight after Wednesday 30th.
    (london(2026, 12, 26, 14, 0), london(2026, 12, 31, 0, 0)),
])
def test_a_dvpn_opens_the_dvpo_application_due_48_hours_not_counting_sundays_and_bank_holidays(
        case, served, hearing_by):
    notice = dvpn(case, served)
    task = Task.objects.get(key=order_services.dvpo_application_key(notice))
    assert task.kind == Task.Kind.DVPO_APPLICATION and task.urgent
    assert task.due_at == hearing_by
    assert notice.ends_on == hearing_by.astimezone(LONDON).date()


def test_a_dvpo_following_the_dvpn_completes_the_application_and_ends_the_notice(case):
    notice = dvpn(case, T0)
    made = T0 + timedelta(days=1)
    order = record(case, kind=Kind.DVPO, starts_at=made, ends_on=date(2026, 11, 3) + timedelta(days=27),
                   follows=notice, authorised_by="Leicester Magistrates' Court", now=made)
    task = Task.objects.get(key=order_services.dvpo_application_key(notice))
    assert task.status == Task.Status.DONE and task.done_by == case.owner
    notice.refresh_from_db()
    assert notice.status == ProtectiveOrder.Status.ENDED
    assert order.follows == notice


@pytest.mark.parametrize("last_day, ok", [(date(2026, 11, 14), False), (date(2026, 11, 15), True),
                                          (date(2026, 11, 29), True), (date(2026, 11, 30), False)])
def test_a_dvpo_lasts_14_to_28_days_beginning_with_the_day_it_is_made(case, last_day, ok):
    made = london(2026, 11, 2, 15, 0)
    if ok:
        assert record(case, kind=Kind.DVPO, starts_at=made, ends_on=last_day).ends_on == last_day
    else:
        with pytest.raises(ValidationError) as error:
            record(case, kind=Kind.DVPO, starts_at=made, ends_on=last_day)
        assert "14 to 28 days" in error.value.message_dict["ends_on"][0]


def test_a_dvpo_may_only_follow_a_dvpn(case):
    restraining = record(case)
    with pytest.raises(ValidationError) as error:
        record(case, kind=Kind.DVPO, ends_on=date(2026, 11, 20), follows=restraining)
    assert "follows" in error.value.message_dict


@pytest.mark.parametrize("ends_on, ok", [(date(2028, 11, 1), True), (date(2028, 10, 31), False), (None, True)])
def test_a_stalking_protection_order_lasts_at_least_two_years(case, ends_on, ok):
    if ok:
        order = record(case, kind=Kind.STALKING_PROTECTION, ends_on=ends_on, served_at=T0)
        task = Task.objects.get(key=f"spo-notification:{order.public_id}", kind=Task.Kind.SPO_NOTIFICATION)
        # 3 days beginning with the day of service: by the end of Wednesday 4 November.
        assert task.due_at == london(2026, 11, 4, 23, 59, 59)
    else:
        with pytest.raises(ValidationError):
            record(case, kind=Kind.STALKING_PROTECTION, ends_on=ends_on, served_at=T0)


def test_ending_and_revoking_end_the_markers_and_need_a_reason(case):
    order = record(case, ends_on=date(2027, 11, 1))
    with pytest.raises(ValidationError):
        order_services.order_revoke(order=order, by=case.owner, reason="short", now=T0)
    later = T0 + timedelta(days=3)
    order_services.order_revoke(order=order, by=case.owner, reason="Revoked by the Crown Court on appeal", now=later)
    order.refresh_from_db()
    assert order.status == ProtectiveOrder.Status.REVOKED
    assert set(order.markers.values_list("ends_on", flat=True)) == {date(2026, 11, 5)}
    with pytest.raises(ValidationError):
        order_services.order_end(order=order, by=case.owner, reason="Already revoked, cannot end", now=later)


def test_varying_an_order_refreshes_its_markers_and_the_victim_is_to_be_told(case):
    order = record(case, ends_on=date(2027, 11, 1))
    order_services.order_vary(order=order, by=case.owner, conditions=["No contact by any means"],
                              ends_on=date(2028, 5, 1), reason="Varied by the court on the victim's application",
                              now=T0 + timedelta(days=1))
    assert {m.ends_on for m in order.markers.all()} == {date(2028, 5, 1)}
    assert all("No contact by any means" in m.note for m in order.markers.all())
    assert Task.objects.filter(case=case, kind=Task.Kind.TELL_VICTIM).count() == 1


def test_a_breach_is_linked_to_its_incident_and_asks_for_a_risk_review(case):
    order = record(case, ends_on=date(2027, 11, 1))
    incident = factories.incident_create(received_at=T0 + timedelta(days=5))
    now = T0 + timedelta(days=5, hours=1)
    breach = order_services.breach_record(order=order, incident=incident, by=case.owner,
                                          description="Came to the house at night", now=now)
    assert breach.incident == incident and breach.occurred_at == incident.received_at
    tell = Task.objects.get(key=f"breach-tell:{breach.public_id}")
    review = Task.objects.get(key=f"breach-review:{breach.public_id}")
    assert tell.kind == Task.Kind.TELL_VICTIM and review.kind == Task.Kind.RISK_REVIEW
    assert review.urgent and review.assignee == case.owner and review.due_at == now + timedelta(hours=4)
    assert TimelineEntry.objects.filter(case=case, kind="order_breached").exists()
    with pytest.raises(ValidationError):
        order_services.breach_record(order=order, incident=incident, by=case.owner, description="again", now=now)
    assert Breach.objects.count() == 1


def test_a_breach_before_the_order_started_is_refused(case):
    order = record(case, ends_on=date(2027, 11, 1))
    incident = factories.incident_create(received_at=T0 - timedelta(days=3))
    with pytest.raises(ValidationError):
        order_services.breach_record(order=order, incident=incident, by=case.owner, description="Earlier", now=T0)


def test_expiry_reminders_are_sent_once_each_and_orders_past_their_end_are_ended(case):
    order = record(case, ends_on=date(2026, 12, 31))
    assert order_services.orders_expiring_remind(now=london(2026, 12, 16, 9, 0)) == 0  # 15 days before
    assert order_services.orders_expiring_remind(now=london(2026, 12, 17, 9, 0)) == 1  # 14 days before
    assert order_services.orders_expiring_remind(now=london(2026, 12, 17, 18, 0)) == 0  # run again: nothing new
    assert order_services.orders_expiring_remind(now=london(2026, 12, 24, 9, 0)) == 1  # 7 days
    assert order_services.orders_expiring_remind(now=london(2026, 12, 24, 9, 0)) == 0
    assert order_services.orders_expiring_remind(now=london(2026, 12, 30, 9, 0)) == 1  # 1 day
    keys = set(Task.objects.filter(kind=Task.Kind.ORDER_EXPIRY).values_list("key", flat=True))
    assert keys == {order_services.expiry_key(order, n) for n in (14, 7, 1)}
    assert order_services.orders_expiring_remind(now=london(2026, 12, 31, 23, 0)) == 0  # its last day
    assert order_services.orders_expiring_remind(now=london(2027, 1, 1, 0, 30)) == 1  # ended
    order.refresh_from_db()
    assert order.status == ProtectiveOrder.Status.ENDED
    assert set(order.markers.values_list("ends_on", flat=True)) == {date(2026, 12, 31)}
    assert order_services.orders_expiring_remind(now=london(2027, 1, 2, 0, 30)) == 0


def test_a_worker_down_for_days_sends_only_the_latest_reminder_due(case):
    order = record(case, ends_on=date(2026, 12, 31))
    assert order_services.orders_expiring_remind(now=london(2026, 12, 25, 9, 0)) == 1
    assert list(Task.objects.filter(kind=Task.Kind.ORDER_EXPIRY).values_list("key", flat=True)) == \
        [order_services.expiry_key(order, 7)]


def test_a_notice_is_only_given_to_someone_aged_18_or_over(case):
    young = factories.person_record_create(given_name="Young", family_name="Suspect", dob=date(2008, 11, 3))
    with pytest.raises(ValidationError) as error:
        dvpn(case, T0, restricted_person=young)  # 18 the day after service
    assert "18 or over" in error.value.message_dict["restricted_person"][0]
    assert dvpn(case, T0 + timedelta(days=1), restricted_person=young).kind == Kind.DVPN


def test_ending_bail_conditions_asks_the_owner_to_tell_the_victim(case):
    order = record(case, kind=Kind.BAIL_CONDITIONS, conditions=["Not to contact the victim"])
    order_services.order_end(order=order, by=case.owner, reason="Bail cancelled at the return date", now=T0)
    task = Task.objects.get(case=case, kind=Task.Kind.TELL_VICTIM, subject__endswith=str(order.public_id))
    assert task.assignee == case.owner and "bail cancelled" in task.title.lower()
