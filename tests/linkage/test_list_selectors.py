"""The repeat-victim, repeat-case queue, serial-perpetrator and counter-allegation lists read from incidents
made by hand: who is on each list and why, names from the latest record, scope by area, and the audit."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.incidents.models import Involvement
from vigil.linkage import list_selectors as selectors
from vigil.linkage import repeat
from vigil.people.models import Person, PersonRecord

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def days_ago(*days):
    return [NOW - timedelta(days=d) for d in days]


def person(given: str, family: str, **kw) -> PersonRecord:
    return factories.person_record_create(given_name=given, family_name=family, **kw)


@pytest.fixture
def world():
    city = factories.area_create(code="city", name="City")
    county = factories.area_create(code="county", name="County", districts="LE9")
    hood = factories.team_create(kind="neighbourhood", area=city)
    officer = factories.user_create(role="neighbourhood_officer", teams=[hood])
    sergeant = factories.user_create(role="supervisor", teams=[hood])
    repeat_officer = factories.user_create(role="repeat_case_officer")
    return dict(city=city, county=county, officer=officer, sergeant=sergeant, repeat_officer=repeat_officer)


def names(rows):
    return [r.person.name for r in rows]


def test_repeat_victims_below_and_at_the_teams_threshold_and_nobody_else(world):
    city = world["city"]
    two = person("Rita", "Twice")
    three = person("Tess", "Thrice")
    once = person("Olga", "Once")
    old = person("Olive", "Longago")
    other = person("Nora", "Notdomestic")
    factories.incidents_between_create(victim=two, at=days_ago(10, 100), area=city)
    factories.incidents_between_create(victim=three, at=days_ago(5, 50, 200), area=city)
    factories.incidents_between_create(victim=once, at=days_ago(3), area=city)
    factories.incidents_between_create(victim=old, at=days_ago(3, 400), area=city)
    factories.incident_create(victim=other, received_at=NOW - timedelta(days=3), area=city)
    factories.incident_create(victim=factories.person_record_create(person=other.person), area=city,
                              received_at=NOW - timedelta(days=30), domestic_abuse=False)

    listing = selectors.repeat_victims(viewer=world["sergeant"], area=city, now=NOW)

    assert names(listing.rows) == ["Tess Thrice", "Rita Twice"]
    tess, rita = listing.rows
    assert (tess.incidents, tess.commander_flag, tess.team_queue, tess.tier) == (3, True, True, "repeat_team")
    assert (rita.incidents, rita.commander_flag, rita.team_queue, rita.tier) == (2, False, False, "local")
    assert rita.without_plan and listing.without_plan == 2
    assert rita.review_by == NOW.date() + timedelta(days=repeat.PLAN_REVIEW_DAYS)

    queue = selectors.repeat_queue(viewer=world["repeat_officer"], now=NOW)
    assert names(queue.rows) == ["Tess Thrice"]


def test_escalation_reasons_are_given_with_the_row(world):
    city = world["city"]
    victim = person("Esme", "Rising")
    first, latest = factories.incidents_between_create(victim=victim, at=days_ago(150, 2), area=city)
    factories.crime_create(incident=latest, group="assault_with_injury", recorded_at=latest.received_at)
    factories.risk_assessment_create(incident=first, victim=first.involvements.get().person_record, grade="standard")
    factories.risk_assessment_create(incident=latest, victim=latest.involvements.get().person_record, grade="high")

    (row,) = selectors.repeat_victims(viewer=world["sergeant"], area=None, now=NOW).rows

    kinds = {reason.kind for reason in row.escalation}
    assert kinds == {repeat.MORE_SERIOUS, repeat.HIGHER_RISK_GRADE}
    assert any("assault with injury" in reason.text for reason in row.escalation)


def test_a_person_is_named_by_their_latest_record_and_merged_persons_are_not_listed(world):
    city = world["city"]
    victim = person("Anne", "Oldname")
    factories.incidents_between_create(victim=victim, at=days_ago(10, 20), area=city)
    PersonRecord.objects.create(given_name="Anne", family_name="Newname", person=victim.person,
                                recorded_at=NOW - timedelta(days=1))
    gone = person("Gina", "Merged")
    factories.incidents_between_create(victim=gone, at=days_ago(10, 20), area=city)
    Person.objects.filter(pk=gone.person.pk).update(merged_into=victim.person)

    listing = selectors.repeat_victims(viewer=world["sergeant"], area=None, now=NOW)

    assert names(listing.rows) == ["Anne Newname"]


def test_the_list_is_by_the_area_of_the_latest_incident_and_a_neighbourhood_officer_sees_only_theirs(world):
    city, county = world["city"], world["county"]
    moved = person("Mona", "Moved")
    factories.incidents_between_create(victim=moved, at=days_ago(100), area=city)
    factories.incidents_between_create(victim=moved, at=days_ago(5), area=county)
    stayed = person("Stella", "Stayed")
    factories.incidents_between_create(victim=stayed, at=days_ago(10, 20), area=city)

    assert names(selectors.repeat_victims(viewer=world["officer"], area=city, now=NOW).rows) == ["Stella Stayed"]
    assert names(selectors.repeat_victims(viewer=world["sergeant"], area=county, now=NOW).rows) == ["Mona Moved"]
    with pytest.raises(PermissionDenied):
        selectors.repeat_victims(viewer=world["officer"], area=county, now=NOW)
    with pytest.raises(PermissionDenied):
        selectors.repeat_victims(viewer=world["officer"], area=None, now=NOW)
    with pytest.raises(PermissionDenied):
        selectors.serial_perpetrators(viewer=world["officer"], area=county, now=NOW)
    with pytest.raises(PermissionDenied):
        selectors.repeat_queue(viewer=world["officer"], now=NOW)


def test_serial_perpetrators_are_ranked_by_rfg_with_the_parts(world):
    city = world["city"]
    sam = person("Sam", "Serial")
    factories.incidents_between_create(victim=person("Ava", "One"), suspect=sam, at=days_ago(10), area=city)
    factories.incidents_between_create(victim=person("Bea", "Two"), suspect=sam, at=days_ago(40), area=city)
    tom = person("Tom", "Worse")
    for victim in (person("Cara", "Three"), person("Dina", "Four")):
        factories.incidents_between_create(victim=victim, suspect=tom, at=days_ago(3), area=city)
    (graver,) = factories.incidents_between_create(victim=person("Ella", "Five"), suspect=tom, at=days_ago(8),
                                                   area=city)
    factories.crime_create(incident=graver, group="assault_with_injury", recorded_at=graver.received_at)
    one_victim = person("Una", "Single")
    factories.incidents_between_create(victim=person("Fay", "Six"), suspect=one_victim, at=days_ago(1, 2, 3),
                                       area=city)

    listing = selectors.serial_perpetrators(viewer=world["sergeant"], area=city, now=NOW)

    assert names(listing.rows) == ["Tom Worse", "Sam Serial"]
    tom_row, sam_row = listing.rows
    assert [tom_row.rank, sam_row.rank] == [1, 2]
    assert dict(tom_row.score.parts) == {"recency": 20, "frequency": 15, "gravity": 20, "victims": 20}
    assert tom_row.most_serious_label == "assault with injury" and tom_row.victims == 3
    assert dict(sam_row.score.parts) == {"recency": 20, "frequency": 10, "gravity": 0, "victims": 10}
    assert sam_row.score.total == 40


def test_counter_allegation_pairs_come_with_a_suggestion_that_is_not_a_decision(world):
    city = world["city"]
    pat, quinn = person("Pat", "First"), person("Quinn", "Second")
    (first,) = factories.incidents_between_create(victim=pat, suspect=quinn, at=days_ago(100), area=city)
    first.injuries = True
    first.save()
    factories.risk_assessment_create(incident=first, victim=first.involvements.get(role="victim").person_record,
                                     grade="high")
    factories.incidents_between_create(victim=quinn, suspect=pat, at=days_ago(50), area=city)
    factories.incidents_between_create(victim=person("Ray", "Alone"), suspect=pat, at=days_ago(40), area=city)

    (row,) = selectors.counter_allegations_pending(viewer=world["repeat_officer"], now=NOW)

    assert {row.first.name, row.second.name} == {"Pat First", "Quinn Second"}
    # Pat: injured, graded high and the victim at the first incident; Quinn: fewer incidents as suspect and
    # no other victims. Three reasons to two: Pat is suggested.
    assert row.suggested.name == "Pat First"
    pat_reasons = row.suggestion.first_reasons if row.first.name == "Pat First" else row.suggestion.second_reasons
    assert len(pat_reasons) == 3 and any("first incident" in reason for reason in pat_reasons)
    assert row.suggestion.human_decision_required
    assert row.pending_review is None and row.last_decision is None


def test_every_list_read_is_audited_as_a_consultation_of_each_person_shown(world):
    city = world["city"]
    victim = person("Vera", "Audited")
    factories.incidents_between_create(victim=victim, at=days_ago(10, 20), area=city)
    sam = person("Sid", "Audited")
    factories.incidents_between_create(victim=person("Ann", "A"), suspect=sam, at=days_ago(10), area=city)
    factories.incidents_between_create(victim=person("Bel", "B"), suspect=sam, at=days_ago(11), area=city)
    before = AuditEvent.objects.count()

    selectors.repeat_victims(viewer=world["officer"], area=city, now=NOW)
    selectors.serial_perpetrators(viewer=world["officer"], area=city, now=NOW)

    events = AuditEvent.objects.order_by("sequence")[before:]
    assert {(e.action, e.object_type, e.subject_person_id) for e in events} == {
        ("consultation", "linkage.RepeatVictimList", victim.person.public_id),
        ("consultation", "linkage.SerialPerpetratorList", sam.person.public_id),
    }
    assert all(e.actor_id == world["officer"].pk for e in events)


def test_the_lists_are_read_in_a_few_queries_whatever_the_number_of_people(world, django_assert_max_num_queries):
    city = world["city"]
    for n in range(12):
        victim = person(f"Vic{n}", "Many")
        suspect = person(f"Sus{n}", "Many")
        factories.incidents_between_create(victim=victim, suspect=suspect, at=days_ago(n + 1, n + 30), area=city)
        factories.incidents_between_create(victim=person(f"Oth{n}", "Many"), suspect=suspect, at=days_ago(n + 2),
                                           area=city)
    assert Involvement.objects.count() > 60
    with django_assert_max_num_queries(20):
        assert len(selectors.repeat_victims(viewer=world["sergeant"], area=None, now=NOW).rows) == 12
    with django_assert_max_num_queries(20):
        assert len(selectors.serial_perpetrators(viewer=world["sergeant"], area=None, now=NOW).rows) == 12


def test_in_demo_mode_the_lists_are_drawn_up_at_the_end_of_the_synthetic_forces_data(world, settings):
    city = world["city"]
    end_of_data = datetime(2013, 8, 31, 20, 0, tzinfo=UTC)
    factories.incidents_between_create(victim=person("Dora", "Demo"), at=[end_of_data, end_of_data - timedelta(days=9)],
                                       area=city)
    settings.DEMO_MODE = True
    assert selectors.lists_now(NOW) == end_of_data
    listing = selectors.repeat_victims(viewer=world["sergeant"], area=None, now=selectors.lists_now(NOW))
    assert names(listing.rows) == ["Dora Demo"] and listing.today.isoformat() == "2013-08-31"
    settings.DEMO_MODE = False
    assert selectors.lists_now(NOW) == NOW  # a live force's lists are always drawn up for today
