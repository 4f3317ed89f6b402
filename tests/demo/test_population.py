"""The true world (plain Python): volumes, repeat and serial abuse, escalation, children."""

import random
from collections import defaultdict
from datetime import UTC, datetime

import pytest

from vigil.demo.population import (
    SERIAL_LOOKBACK,
    NamePools,
    da_history,
    quota_counts,
    volumes_for,
    year_bounds,
)

SCALE = 0.1


@pytest.fixture(scope="module")
def events(profile):
    events, _ = da_history(profile, volumes_for(profile, SCALE), random.Random(5), NamePools.build(5), 1)
    return events


def test_quota_counts_split_exactly():
    assert quota_counts(942, {"high": 0.07, "medium": 0.18, "standard": 0.75}) == {
        "high": 66, "medium": 170, "standard": 706}
    assert sum(quota_counts(101, {"a": 0.27, "b": 0.13}, rest="c").values()) == 101


def test_volumes_scale_linearly(profile):
    one, half = volumes_for(profile, 1.0), volumes_for(profile, 0.5)
    assert one.all_calls == 225_000
    assert sum(one.da_crime_offences.values()) == 5_429
    assert sum(one.da_crime_offences.values()) + sum(one.non_da_crime_offences.values()) == 60_300
    assert half.da_incidents == 6_750


def test_years_start_at_london_midnight(profile):
    bounds = year_bounds(profile)
    assert len(bounds) == 4
    assert bounds[-1][0] == 1346454000  # 2012-09-01 00:00 BST
    assert bounds[0][0] == 1251759600  # 2009-09-01 00:00 BST


def test_each_year_has_its_exact_repeat_quota(profile, events):
    volumes = volumes_for(profile, SCALE)
    for year in range(profile.years):
        in_year = [e for e in events if e.year == year]
        assert len(in_year) == volumes.da_incidents
    force_year = [e for e in events if e.year == profile.years - 1]
    assert sum(e.repeat for e in force_year) == volumes.repeat_incidents


def test_a_repeat_incident_follows_the_victims_previous_one_within_a_year(events):
    last_seen = {}
    for event in events:
        if event.repeat:
            assert 0 < event.at - last_seen[event.victim.id] <= 365 * 86_400
        last_seen[event.victim.id] = event.at


def test_some_victims_come_back_many_times_and_escalate(events):
    episodes = defaultdict(list)
    for event in events:
        episodes[event.victim.id].append(event)
    assert max(len(v) for v in episodes.values()) >= 4
    score = {"standard": 0, "medium": 1, "high": 2}
    first = [score[e.grade] for e in events if e.episode == 1]
    later = [score[e.grade] for e in events if e.episode >= 3]
    assert sum(later) / len(later) > sum(first) / len(first)


def test_serial_perpetrators_abuse_several_victims_within_three_years(events):
    victims_by_suspect = defaultdict(set)
    for event in events:
        victims_by_suspect[event.suspect.id].add(event.victim.id)
    serial = [s for s, victims in victims_by_suspect.items() if len(victims) >= 2]
    assert len(serial) > 20
    assert any(len(victims_by_suspect[s]) >= 3 for s in serial)
    first_seen = {}
    for event in events:
        first_seen.setdefault(event.suspect.id, event.at)
        assert event.at - first_seen[event.suspect.id] < 2 * SERIAL_LOOKBACK


def test_relationships_children_and_ages_are_plausible(events):
    kinds = {e.kind for e in events}
    assert kinds == {"current_partner", "former_partner", "family_member"}
    with_children = [e for e in events if e.children]
    assert 0.05 < len(with_children) / len(events) < 0.4
    for event in events[:2000]:
        day = event.at // 86_400
        for adult in (event.victim, event.suspect):
            assert (day * 86_400 - _epoch(adult.date_of_birth)) / 86_400 / 365.25 >= 15.9
        for child in event.children:
            assert (day * 86_400 - _epoch(child.date_of_birth)) / 86_400 / 365.25 < 18


def test_high_grades_are_mostly_visible_high_risk(events):
    high = [e.yes_count for e in events if e.grade == "high"]
    assert sum(count >= 14 for count in high) / len(high) > 0.75
    assert all(0 <= e.yes_count <= 27 for e in events)


def test_same_seed_same_world(profile):
    def world(seed):
        events, _ = da_history(profile, volumes_for(profile, 0.02), random.Random(seed), NamePools.build(seed), 1)
        return [(e.at, e.victim.given_name, e.suspect.family_name, e.grade, e.offence) for e in events]

    assert world(11) == world(11)
    assert world(11) != world(12)


def _epoch(day) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
