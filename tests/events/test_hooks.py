"""Each kind of event is published by the service where it happens, in the same transaction,
with opaque ids only: no name, address, postcode or condition's text of anyone involved."""

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests import factories
from tests.events.helpers import subscription_make
from vigil.cases import custody_services, order_services
from vigil.cases import services as case_services
from vigil.cases.models import ProtectiveOrder
from vigil.events.models import Delivery, OutboundEvent
from vigil.events.services import event_body
from vigil.marac import services as marac_services

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # a Monday
PERSONAL = ["Vera", "Casework", "Sam", "Example Road", "LE1 6ZZ", "Leicester", "Not to contact", "Not to enter"]
CONDITIONS = ["Not to contact Vera Casework directly or indirectly", "Not to enter Example Road, LE1"]


@pytest.fixture
def case():
    team = factories.team_create(kind="neighbourhood", code="nhood-east")
    owner = factories.user_create(role="neighbourhood_officer", teams=[team])
    home = factories.address_create(line1="12 Example Road", postcode="LE1 6ZZ")
    victim = factories.person_record_create(given_name="Vera", family_name="Casework", address=home)
    suspect = factories.person_record_create(given_name="Sam", family_name="Casework")
    incident = factories.incident_create(victim=victim, suspect=suspect, received_at=T0 - timedelta(days=1),
                                         address=home)
    case = factories.case_create(victim=victim, incident=incident, owner=owner, owning_team=team)
    case.suspect = suspect
    return case


def events(kind: str) -> list[OutboundEvent]:
    return list(OutboundEvent.objects.filter(kind=kind).order_by("id"))


def assert_nothing_personal(event: OutboundEvent) -> None:
    sent = event_body(event).decode()
    found = [word for word in PERSONAL if word.lower() in sent.lower()]
    assert not found, f"{event.kind} would send {found}"
    assert str(event.payload) and json.loads(sent)["data"] == event.payload


def test_an_order_made_puts_markers_that_are_removed_when_it_ends(case):
    subscription = subscription_make("https://receiver.example.org/events")
    order = order_services.order_record(case=case, by=case.owner, kind="restraining", restricted_person=case.suspect,
                                        starts_at=T0, ends_on=date(2027, 11, 1), conditions=CONDITIONS, now=T0)

    [made] = events("order.made")
    assert made.payload == {"case": str(case.public_id), "order": str(order.public_id), "order_kind": "restraining",
                            "starts_at": "2026-11-02T10:00:00Z", "ends_on": "2027-11-01", "follows": None}
    assert made.subject_person_id == case.victim.person.public_id  # kept for the audit, never sent
    added = events("marker.added")
    assert sorted(e.payload["on"] for e in added) == ["address", "person"]
    assert {e.payload["marker"] for e in added} == {str(m.public_id) for m in order.markers.all()}
    assert Delivery.objects.filter(subscription=subscription).count() == 3

    order_services.order_end(order=order, by=case.owner, reason="Discharged by the court today", now=T0 + timedelta(days=3))

    removed = events("marker.removed")
    assert {e.payload["marker"] for e in removed} == {e.payload["marker"] for e in added}
    assert all(e.payload["ends_on"] == "2026-11-05" for e in removed)
    for event in [made, *added, *removed]:
        assert_nothing_personal(event)


def police_bail_with_conditions(case):
    """The suspect arrested an hour after T0 and bailed five hours later with CONDITIONS."""
    arrested = T0 + timedelta(hours=1)
    custody = custody_services.custody_arrest_record(case=case, by=case.owner, arrested_at=arrested, now=arrested)
    bailed = arrested + timedelta(hours=5)
    custody_services.custody_disposal_record(custody=custody, by=case.owner, disposal="pre_charge_bail",
                                             disposed_at=bailed, bail_conditions=CONDITIONS,
                                             bail_return_on=date(2026, 12, 1), now=bailed)
    return custody


def test_police_bail_with_conditions_is_published(case):
    custody = police_bail_with_conditions(case)

    [event] = events("bail.granted")
    order = ProtectiveOrder.objects.get(custody_record=custody)
    assert event.payload == {"case": str(case.public_id), "custody": str(custody.public_id), "granted_by": "police",
                             "decision": "pre_charge_bail", "granted_at": "2026-11-02T16:00:00Z",
                             "answer_bail_on": "2026-12-01", "conditions": 2, "order": str(order.public_id)}
    assert len(events("marker.added")) == 2  # the bail conditions' markers
    for published in OutboundEvent.objects.all():
        assert_nothing_personal(published)


def test_bail_conditions_are_an_order_made_and_varying_them_is_published(case):
    custody = police_bail_with_conditions(case)
    order = ProtectiveOrder.objects.get(custody_record=custody)

    [made] = events("order.made")
    assert made.payload == {"case": str(case.public_id), "order": str(order.public_id),
                            "order_kind": "bail_conditions", "starts_at": "2026-11-02T16:00:00Z", "ends_on": "2026-12-01",
                            "follows": None}
    changed = T0 + timedelta(hours=6, days=2)  # two days after the bail
    custody_services.custody_bail_conditions_change(order=order, by=case.owner, conditions=CONDITIONS[:1],
                                                    changed_at=changed, ends_on=date(2026, 12, 8),
                                                    now=changed + timedelta(hours=1))

    [varied] = events("order.varied")
    assert varied.payload == {"case": str(case.public_id), "order": str(order.public_id),
                              "order_kind": "bail_conditions", "ends_on": "2026-12-08",
                              "varied_at": "2026-11-04T16:00:00Z"}
    assert varied.occurred_at == changed and varied.subject_person_id == case.victim.person.public_id
    for event in (made, varied):
        assert_nothing_personal(event)


def test_an_order_varied_by_the_court_is_published(case):
    subscription = subscription_make("https://receiver.example.org/events", kinds=["order.varied"])
    order = order_services.order_record(case=case, by=case.owner, kind="restraining", restricted_person=case.suspect,
                                        starts_at=T0, ends_on=date(2027, 11, 1), conditions=CONDITIONS, now=T0)
    varied_at = T0 + timedelta(days=10)
    order_services.order_vary(order=order, by=case.owner, conditions=CONDITIONS, ends_on=date(2028, 5, 1),
                              reason="The court extended the order at the review hearing", now=varied_at)

    [event] = events("order.varied")
    assert event.payload == {"case": str(case.public_id), "order": str(order.public_id), "order_kind": "restraining",
                             "ends_on": "2028-05-01", "varied_at": "2026-11-12T10:00:00Z"}
    assert [d.event for d in Delivery.objects.filter(subscription=subscription)] == [event]
    assert_nothing_personal(event)


def test_an_order_varied_rolls_back_with_the_variation(case, monkeypatch):
    order = order_services.order_record(case=case, by=case.owner, kind="restraining", restricted_person=case.suspect,
                                        starts_at=T0, ends_on=date(2027, 11, 1), conditions=CONDITIONS, now=T0)

    def broken(**kwargs):
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(order_services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        order_services.order_vary(order=order, by=case.owner, conditions=CONDITIONS, ends_on=date(2028, 5, 1),
                                  reason="The court extended the order at the review hearing",
                                  now=T0 + timedelta(days=10))

    assert not events("order.varied")
    order.refresh_from_db()
    assert order.ends_on == date(2027, 11, 1)


def test_court_bail_is_published_and_a_remand_in_custody_is_not(case):
    arrested = T0 + timedelta(hours=1)
    custody = custody_services.custody_arrest_record(case=case, by=case.owner, arrested_at=arrested, now=arrested)
    charged = arrested + timedelta(hours=3)
    custody_services.custody_disposal_record(custody=custody, by=case.owner, disposal="charged_remanded",
                                             disposed_at=charged, court_name="Leicester Magistrates' Court",
                                             hearing_at=charged + timedelta(hours=18), now=charged)
    assert not events("bail.granted")
    decided = charged + timedelta(hours=20)
    custody_services.custody_court_outcome_record(custody=custody, by=case.owner, outcome="bailed",
                                                  decided_at=decided, now=decided)

    [event] = events("bail.granted")
    assert (event.payload["granted_by"], event.payload["decision"], event.payload["conditions"],
            event.payload["order"]) == ("court", "bailed", 0, None)
    assert_nothing_personal(event)


def test_an_order_expiring_is_published_with_each_reminder(case):
    order = order_services.order_record(case=case, by=case.owner, kind="restraining", restricted_person=case.suspect,
                                        starts_at=T0, ends_on=date(2026, 12, 31), conditions=CONDITIONS, now=T0)
    order_services.orders_expiring_remind(now=datetime(2026, 12, 17, 9, 0, tzinfo=LONDON))

    [event] = events("order.expiring")
    assert event.payload == {"case": str(case.public_id), "order": str(order.public_id), "order_kind": "restraining",
                             "ends_on": "2026-12-31", "days_left": 14}
    assert_nothing_personal(event)
    order_services.orders_expiring_remind(now=datetime(2026, 12, 17, 18, 0, tzinfo=LONDON))  # nothing new
    assert len(events("order.expiring")) == 1


def test_a_change_of_owner_is_published_with_the_team_code(case):
    sergeant = factories.user_create(role="supervisor", teams=[case.owning_team])
    case_services.case_take_back(case=case, by=sergeant, reason="The officer is on leave for weeks", now=T0)

    [event] = events("case.owner_changed")
    assert event.payload == {"case": str(case.public_id), "team": "nhood-east", "via": "take_back",
                             "changed_at": "2026-11-02T10:00:00Z"}
    assert_nothing_personal(event)
    assert sergeant.username not in event_body(event).decode()


def test_a_marac_referral_is_published(case):
    area = factories.marac_area_create(code="marac-city")
    coordinator = factories.user_create(role="marac_coordinator")
    referral = marac_services.referral_create(
        area=area, victim=case.victim.person, by=coordinator, received_on=date(2026, 1, 12),
        criteria=["professional_judgement"], judgement_reason="Escalating threats and control reported",
        victim_aware=True, victim_consents=True, now=datetime(2026, 3, 1, 9, tzinfo=UTC))

    [event] = events("marac.referral_made")
    assert event.payload == {"referral": str(referral.public_id), "area": "marac-city", "received_on": "2026-01-12",
                             "repeat": False, "listed": False}
    assert event.subject_person_id == case.victim.person.public_id
    assert_nothing_personal(event)
