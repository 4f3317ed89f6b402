"""The control-room history: one test per rule in the College of Policing's call-handling guidance and
issue 4's list, on the real database."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.factories import (
    address_create,
    case_create,
    incident_create,
    marker_create,
    person_record_create,
    phone_create,
    risk_assessment_create,
    user_create,
)
from vigil.audit.models import AuditEvent
from vigil.checks.history import NO_RECORD_FOUND
from vigil.checks.selectors import RESTRICTED_NAME, call_history
from vigil.people.models import Person, SafeContact

pytestmark = pytest.mark.django_db

NOW = datetime(2013, 8, 31, 21, 0, tzinfo=UTC)
LAST_YEAR = NOW - timedelta(days=100)
LONG_AGO = NOW - timedelta(days=900)


@pytest.fixture
def call_taker():
    return user_create(role="call_taker")


def test_an_empty_history_says_no_record_was_found_not_that_there_is_no_history(call_taker):
    history = call_history(viewer=call_taker, phone="07700 900999", line1="1 Nowhere Lane", postcode="LE1 6ZZ",
                           now=NOW)
    assert not history.records_found
    assert history.empty_message == NO_RECORD_FOUND
    assert "does not mean there is no history" in history.empty_message


def test_incidents_at_the_address_are_counted_for_the_last_12_months_and_all_time(call_taker):
    address = address_create(line1="12 Example Road", postcode="LE1 6ZZ")
    variant = address_create(line1="12 EXAMPLE ROAD", postcode="LE16ZZ")  # written differently, same key
    incident_create(address=address, received_at=LAST_YEAR)
    incident_create(address=variant, received_at=LAST_YEAR - timedelta(days=30))
    incident_create(address=address, received_at=LONG_AGO)
    incident_create(address=address_create(line1="14 Example Road"), received_at=LAST_YEAR)  # next door

    history = call_history(viewer=call_taker, address=address, now=NOW)

    assert (history.address_all, history.address_12m) == (3, 2)
    assert [i.matched_on for i in history.incidents] == [("address",)] * 3
    assert history.records_found


def test_incidents_from_the_number_are_counted_whatever_the_format_it_is_given_in(call_taker):
    phone = phone_create(number="07700 900123")
    incident_create(caller_phone=phone, received_at=LAST_YEAR)
    incident_create(caller_phone=phone, received_at=LONG_AGO)

    history = call_history(viewer=call_taker, phone="+44 7700 900123", now=NOW)

    assert (history.phone_all, history.phone_12m) == (2, 1)
    assert history.searched_phone == "+447700900123"


def test_the_incident_being_recorded_is_not_its_own_history(call_taker):
    address = address_create()
    current = incident_create(address=address, received_at=NOW, status="recording")
    history = call_history(viewer=call_taker, address=address, incident=current, now=NOW)
    assert history.address_all == 0 and not history.records_found


def test_people_linked_to_previous_incidents_at_the_address_are_shown_with_their_roles(call_taker):
    address = address_create()
    victim, suspect = person_record_create(given_name="Vera"), person_record_create(given_name="Sam")
    incident_create(address=address, received_at=LAST_YEAR, victim=victim, suspect=suspect)

    history = call_history(viewer=call_taker, address=address, now=NOW)

    roles = {p.name: p.roles for p in history.people}
    assert roles == {"Vera Example": {"victim"}, "Sam Example": {"suspect"}}


@pytest.mark.parametrize("kind", ["violence", "weapons", "vulnerable", "high_risk_victim", "bail_conditions",
                                  "protective_order"])
def test_markers_in_force_on_a_person_are_shown(call_taker, kind):
    victim = person_record_create()
    marker_create(kind=kind, person=victim.person, starts_on=date(2013, 1, 1))
    marker_create(kind="weapons", person=victim.person, starts_on=date(2012, 1, 1), ends_on=date(2012, 12, 31))

    history = call_history(viewer=call_taker, persons={victim.person_id: {"victim"}}, now=NOW)

    assert [m.kind for m in history.people[0].markers] == [kind]  # the expired one is not in force


def test_markers_on_the_address_and_number_are_shown(call_taker):
    address, phone = address_create(), phone_create()
    marker_create(kind="violence", address=address)
    marker_create(kind="vulnerable", phone=phone)
    history = call_history(viewer=call_taker, address=address, phone=phone.e164, now=NOW)
    assert {(m.kind, m.on) for m in history.place_markers} == {("violence", "address"), ("vulnerable", "number")}


def test_refuge_markers_are_shown_only_to_those_allowed_to_know_a_refuge(call_taker):
    victim = person_record_create()
    marker_create(kind="refuge", person=victim.person)
    specialist = user_create(role="specialist_investigator")
    persons = {victim.person_id: {"victim"}}

    assert call_history(viewer=call_taker, persons=persons, now=NOW).people[0].markers == []
    assert [m.kind for m in call_history(viewer=specialist, persons=persons, now=NOW).people[0].markers] == ["refuge"]


def test_the_latest_risk_grading_of_each_person_is_shown(call_taker):
    victim = person_record_create()
    other_record = person_record_create(person=victim.person)  # the same person, recorded again
    older = incident_create(received_at=LONG_AGO, victim=victim)
    newer = incident_create(received_at=LAST_YEAR, victim=other_record)
    risk_assessment_create(incident=older, victim=victim, grade="high")
    risk_assessment_create(incident=newer, victim=other_record, grade="medium")

    person = call_history(viewer=call_taker, persons={victim.person_id: {"victim"}}, now=NOW).people[0]

    assert (person.latest_grade, person.latest_grade_at) == ("medium", LAST_YEAR)


def test_calls_by_the_victim_in_the_last_12_months_are_counted(call_taker):
    victim = person_record_create()
    for days in (10, 200, 364):
        incident_create(received_at=NOW - timedelta(days=days), victim=person_record_create(person=victim.person))
    incident_create(received_at=NOW - timedelta(days=400), victim=person_record_create(person=victim.person))

    person = call_history(viewer=call_taker, persons={victim.person_id: {"victim"}}, now=NOW).people[0]

    assert person.victim_calls_12m == 3
    assert person.is_repeat_victim


def test_a_suspect_who_has_abused_other_victims_is_shown(call_taker):
    suspect, victim = person_record_create(given_name="Sam"), person_record_create(given_name="Vera")
    incident_create(received_at=LONG_AGO, victim=person_record_create(given_name="Other"),
                    suspect=person_record_create(person=suspect.person))
    incident_create(received_at=LAST_YEAR, victim=person_record_create(person=victim.person),
                    suspect=person_record_create(person=suspect.person))

    history = call_history(viewer=call_taker, persons={suspect.person_id: {"suspect"}, victim.person_id: {"victim"}},
                           now=NOW)

    sam = next(p for p in history.people if p.person_id == suspect.person_id)
    assert (sam.victims_abused, sam.other_victims) == (2, 1)
    assert history.facts().suspect_other_victims == 1


def test_a_suspect_with_only_this_victim_has_no_other_victims(call_taker):
    suspect, victim = person_record_create(), person_record_create()
    incident_create(received_at=LAST_YEAR, victim=person_record_create(person=victim.person),
                    suspect=person_record_create(person=suspect.person))
    history = call_history(viewer=call_taker, persons={suspect.person_id: {"suspect"}, victim.person_id: {"victim"}},
                           now=NOW)
    assert history.facts().suspect_other_victims == 0


def test_a_marac_in_the_last_12_months_is_shown_and_an_older_one_is_not(call_taker):
    recent, old = person_record_create(), person_record_create()
    marker_create(kind="marac", person=recent.person, starts_on=date(2013, 2, 1), ends_on=date(2013, 5, 1))
    marker_create(kind="marac", person=old.person, starts_on=date(2011, 2, 1), ends_on=date(2011, 5, 1))

    history = call_history(viewer=call_taker, persons={recent.person_id: {"victim"}, old.person_id: {"victim"}},
                           now=NOW)

    by_id = {p.person_id: p for p in history.people}
    assert by_id[recent.person_id].marac_12m == date(2013, 2, 1)
    assert by_id[old.person_id].marac_12m is None


def test_an_agreed_code_word_is_shown(call_taker):
    victim = person_record_create()
    SafeContact.objects.create(person=victim.person, code_word="bluebell", updated_at=NOW)
    person = call_history(viewer=call_taker, persons={victim.person_id: {"victim"}}, now=NOW).people[0]
    assert person.code_word == "bluebell"


def test_an_open_case_and_its_owner_are_shown_and_a_case_whose_owner_has_left_is_flagged(call_taker):
    owned, unowned = person_record_create(), person_record_create()
    owner = user_create(role="specialist_investigator")
    owner.first_name, owner.last_name = "Dana", "Owner"
    owner.save()
    case_create(victim=owned, incident=incident_create(received_at=LAST_YEAR, victim=owned), owner=owner)
    departed = user_create(role="neighbourhood_officer")
    case_create(victim=unowned, incident=incident_create(received_at=LAST_YEAR, victim=unowned), owner=departed)
    departed.is_active = False  # the owner's account was closed: nobody is accountable any more
    departed.save()
    closed = person_record_create()
    case_create(victim=closed, incident=incident_create(received_at=LAST_YEAR, victim=closed), owner=owner,
                closed_at=LAST_YEAR + timedelta(days=5))

    history = call_history(viewer=call_taker, persons={p.person_id: {"victim"} for p in (owned, unowned, closed)},
                           now=NOW)

    by_id = {p.person_id: p for p in history.people}
    assert [c.owner for c in by_id[owned.person_id].open_cases] == ["Dana Owner"]
    assert [c.owner for c in by_id[unowned.person_id].open_cases] == [""]
    assert by_id[closed.person_id].open_cases == []
    assert history.facts().open_case_unowned


def test_a_restricted_person_is_shown_without_name_but_with_their_markers(call_taker):
    victim = person_record_create(given_name="Hidden")
    Person.objects.filter(pk=victim.person_id).update(restricted=True)
    marker_create(kind="high_risk_victim", person=victim.person)

    person = call_history(viewer=call_taker, persons={victim.person_id: {"victim"}}, now=NOW).people[0]

    assert person.name == RESTRICTED_NAME and person.date_of_birth is None
    assert [m.kind for m in person.markers] == ["high_risk_victim"]


def test_every_look_up_is_audited_once_per_person_shown(call_taker):
    address = address_create()
    victim, suspect = person_record_create(), person_record_create()
    incident_create(address=address, received_at=LAST_YEAR, victim=victim, suspect=suspect)
    before = AuditEvent.objects.count()

    call_history(viewer=call_taker, address=address, now=NOW)

    events = AuditEvent.objects.order_by("sequence")[before:]
    assert {e.subject_person_id for e in events} == {victim.person.public_id, suspect.person.public_id}
    assert {(e.action, e.actor_id, e.object_type) for e in events} == {
        ("consultation", call_taker.pk, "checks.CallHistory")}


def test_a_look_up_that_finds_nothing_is_still_audited(call_taker):
    before = AuditEvent.objects.count()
    call_history(viewer=call_taker, phone="07700 900555", now=NOW)
    event = AuditEvent.objects.order_by("-sequence").first()
    assert AuditEvent.objects.count() == before + 1
    assert event.subject_person_id is None and event.detail["by_number"] is True


def test_a_look_up_by_the_policy_is_not_audited(call_taker):
    before = AuditEvent.objects.count()
    call_history(viewer=call_taker, phone="07700 900555", now=NOW, audit=False)
    assert AuditEvent.objects.count() == before


def test_an_assessment_still_being_completed_does_not_hide_the_last_grading(call_taker):
    victim = person_record_create()
    graded = incident_create(received_at=LAST_YEAR, victim=victim)
    risk_assessment_create(incident=graded, victim=victim, grade="high")
    current = incident_create(received_at=NOW - timedelta(hours=1), victim=person_record_create(person=victim.person))
    risk_assessment_create(incident=current, victim=victim, grade="", status="in_progress", assessed_at=NOW)

    person = call_history(viewer=call_taker, persons={victim.person_id: {"victim"}}, now=NOW).people[0]

    assert (person.latest_grade, person.latest_grade_at) == ("high", LAST_YEAR)
