"""Who sees which MARAC referrals and actions, refused looks in the audit log, and the pointer rule: an
agency learns that another holds information about a person, never what it holds."""

from datetime import UTC, date, datetime

import pytest
from django.http import Http404

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.marac import selectors, services
from vigil.people.models import Person

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)
JAN_20, FEB_3 = date(2026, 1, 20), date(2026, 2, 3)


@pytest.fixture
def idva():
    return factories.agency_create(code="idva", kind="idva", name="IDVA service")


@pytest.fixture
def health():
    return factories.agency_create(code="health", kind="health", name="Health")


@pytest.fixture
def coordinator():
    return factories.user_create(role="marac_coordinator")


def partner(agency):
    return factories.user_create(role="partner_practitioner", agency=agency)


def test_a_partner_gets_not_found_for_a_referral_not_shared_with_their_agency_and_the_attempt_is_audited(
        idva, health):
    marac = factories.marac_area_create(member_agencies=[health])
    meeting = services.meetings_schedule(area=marac, start=JAN_20, until=JAN_20, now=NOW)[0]
    referral = factories.marac_referral_create(area=marac, meeting=meeting)
    outsider = partner(idva)

    with pytest.raises(Http404):
        selectors.referral_for(viewer=outsider, public_id=referral.public_id)

    event = AuditEvent.objects.get(actor=outsider)
    assert (event.action, event.object_type, event.object_id) == ("consultation", "marac.MaracReferral",
                                                                  str(referral.public_id))
    assert event.subject_person_id == referral.victim.public_id
    assert event.detail["refused"] == "not shared with the viewer's agency"
    assert event.actor_agency == "idva"
    assert referral not in selectors.referrals_visible_to(outsider)


def test_a_partner_sees_a_referral_once_it_is_on_their_agencys_meeting_agenda(idva, coordinator):
    marac = factories.marac_area_create(member_agencies=[idva])
    referral = services.referral_create(
        area=marac, victim=Person.objects.create(), by=coordinator, received_on=date(2026, 1, 12),
        criteria=["professional_judgement"], judgement_reason="Threats to kill made last week",
        victim_aware=True, victim_consents=True, now=NOW)
    practitioner = partner(idva)

    assert not selectors.referrals_visible_to(practitioner).exists()  # not on any agenda yet
    with pytest.raises(Http404):
        selectors.referral_for(viewer=practitioner, public_id=referral.public_id)

    services.meetings_schedule(area=marac, start=JAN_20, until=FEB_3, now=NOW)

    assert list(selectors.referrals_visible_to(practitioner)) == [referral]
    seen = selectors.referral_for(viewer=practitioner, public_id=referral.public_id)
    assert seen == referral
    looks = AuditEvent.objects.filter(actor=practitioner, object_id=str(referral.public_id)).order_by("sequence")
    assert [("refused" in e.detail) for e in looks] == [True, False]


def test_a_referral_stays_visible_to_the_agencies_of_the_meeting_that_heard_it(idva, health, coordinator):
    marac = factories.marac_area_create(member_agencies=[idva])
    meeting = services.meetings_schedule(area=marac, start=JAN_20, until=JAN_20, now=NOW)[0]
    referral = factories.marac_referral_create(area=marac, meeting=meeting)
    services.attendance_record(meeting=meeting, by=coordinator, chair=coordinator, present=[health], now=NOW)

    assert list(selectors.referrals_visible_to(partner(idva))) == [referral]  # invited, absent
    assert list(selectors.referrals_visible_to(partner(health))) == [referral]  # came along on the day


def test_a_partner_agency_sees_the_referrals_it_made(health, coordinator):
    marac = factories.marac_area_create()
    referrer = partner(health)
    made = factories.marac_referral_create(area=marac, by=referrer)
    factories.marac_referral_create(area=marac, by=coordinator)

    assert list(selectors.referrals_visible_to(partner(health))) == [made]


def test_police_who_work_marac_see_everything_and_other_roles_nothing(idva, coordinator):
    marac = factories.marac_area_create()
    meeting = factories.marac_meeting_create(area=marac, held_on=JAN_20, status="held", chair=coordinator)
    referral = factories.marac_referral_create(area=marac, meeting=meeting, status="heard")
    action = factories.marac_action_create(referral=referral, meeting=meeting, agency=idva, due_on=FEB_3)

    for role in ("marac_coordinator", "specialist_investigator", "repeat_case_officer"):
        user = factories.user_create(role=role)
        assert list(selectors.referrals_visible_to(user)) == [referral]
        assert list(selectors.actions_visible_to(user)) == [action]
    for role in ("call_taker", "response_officer", "auditor"):
        user = factories.user_create(role=role)
        assert not selectors.referrals_visible_to(user).exists()
        assert not selectors.actions_visible_to(user).exists()
    # A partner role on a force account is not a partner.
    assert not selectors.referrals_visible_to(factories.user_create(role="partner_practitioner")).exists()


def test_partners_see_only_their_own_agencys_actions(idva, health, coordinator):
    marac = factories.marac_area_create(member_agencies=[idva, health])
    meeting = factories.marac_meeting_create(area=marac, held_on=JAN_20, agencies=[idva, health], status="held",
                                             chair=coordinator)
    referral = factories.marac_referral_create(area=marac, meeting=meeting, status="heard")
    ours = factories.marac_action_create(referral=referral, meeting=meeting, agency=idva, due_on=FEB_3)
    factories.marac_action_create(referral=referral, meeting=meeting, agency=health, due_on=FEB_3)

    assert list(selectors.actions_visible_to(partner(idva))) == [ours]


def test_an_agency_sees_that_another_holds_information_but_not_what(idva, health, coordinator):
    marac = factories.marac_area_create()
    victim = Person.objects.create()
    shared_meeting = factories.marac_meeting_create(area=marac, held_on=FEB_3, agencies=[idva, health])
    other_meeting = factories.marac_meeting_create(area=marac, held_on=JAN_20, agencies=[health])
    shared = factories.marac_referral_create(area=marac, victim=victim, meeting=shared_meeting,
                                             received_on=date(2026, 1, 26))
    hidden = factories.marac_referral_create(area=marac, victim=victim, meeting=other_meeting)
    health_worker, idva_worker = partner(health), partner(idva)
    services.research_add(referral=hidden, by=health_worker, text="Attended A&E twice with head injuries",
                          now=datetime(2026, 1, 15, 10, tzinfo=UTC))
    services.research_add(referral=shared, by=idva_worker, text="Engaged with the IDVA", now=NOW)

    holders = selectors.holders_of_information(person=victim, viewer_agency=idva, viewer=idva_worker)

    assert holders == [selectors.InformationHolder(agency_name="Health", agency_code="health",
                                                   first_added_on=date(2026, 1, 15),
                                                   last_added_on=date(2026, 1, 15))]
    assert "A&E" not in repr(holders)
    with pytest.raises(Http404):  # the content stays with the case it belongs to
        selectors.referral_research(viewer=idva_worker, referral=hidden)
    assert [r.text for r in selectors.referral_research(viewer=idva_worker, referral=shared)] == [
        "Engaged with the IDVA"]
    look = AuditEvent.objects.filter(actor=idva_worker, detail__view="marac information holders").get()
    assert (look.action, look.subject_person_id) == ("consultation", victim.public_id)

    # Knowing of it, the IDVA asks Health for it.
    asked = services.information_request_create(person=victim, holding_agency=health, by=idva_worker,
                                                reason="Safety planning for the victim", referral=shared, now=NOW)
    assert (asked.requesting_agency, asked.holding_agency, asked.status) == (idva, health, "pending")


def test_no_pointer_for_a_person_not_on_a_case_shared_with_the_viewer(idva, health):
    marac = factories.marac_area_create()
    meeting = factories.marac_meeting_create(area=marac, held_on=JAN_20, agencies=[health])
    referral = factories.marac_referral_create(area=marac, meeting=meeting)
    services.research_add(referral=referral, by=partner(health), text="Known to the GP", now=NOW)
    outsider = partner(idva)

    with pytest.raises(Http404):
        selectors.holders_of_information(person=referral.victim, viewer_agency=idva, viewer=outsider)
    with pytest.raises(Http404):
        services.information_request_create(person=referral.victim, holding_agency=health, by=outsider,
                                            reason="Just curious about this one", now=NOW)
    refused = AuditEvent.objects.filter(actor=outsider, detail__refused="not shared with the viewer's agency")
    assert refused.count() == 2
    assert set(refused.values_list("subject_person_id", flat=True)) == {referral.victim.public_id}
