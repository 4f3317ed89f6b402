"""Repeat victims, their lists and escalation (plain rules, no database).

Unless a test says otherwise, now is 12:00 UTC on Monday 15 June 2026 (13:00 in London): the last 365
days start just after 12:00 UTC on 15 June 2025, and the escalation periods are (17 March 2026, now]
and (17 December 2025, 17 March 2026] (90 days each, to the second).
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.linkage.repeat import (
    COMMANDER_THRESHOLD,
    ESCALATION_LOOKBACK_DAYS,
    ESCALATION_MIN_RECENT,
    ESCALATION_PERIOD_DAYS,
    HIGHER_RISK_GRADE,
    MORE_FREQUENT,
    MORE_SERIOUS,
    NEW_RISK_FACTORS,
    PLAN_REVIEW_DAYS,
    REPEAT_MIN_INCIDENTS,
    REPEAT_TEAM_THRESHOLD,
    REPEAT_WINDOW_DAYS,
    VictimIncident,
    commander_flag,
    detect_escalation,
    incidents_in_window,
    is_repeat_victim,
    needs_named_owner,
    repeat_team_threshold,
    repeat_victim_status,
)
from vigil.linkage.serial import HARM_SCALE

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def ago(days: float = 0, **kw) -> datetime:
    return NOW - timedelta(days=days, **kw)


def inc(incident_id: str, at: datetime, offence: str = "no_crime", grade: str | None = None,
        factors: set[str] | None = None) -> VictimIncident:
    return VictimIncident(incident_id=incident_id, at=at, offence=offence, risk_grade=grade,
                          risk_factors=None if factors is None else frozenset(factors))


def kinds(escalation) -> list[str]:
    return [r.kind for r in escalation.reasons]


def test_policy_defaults():
    assert (REPEAT_WINDOW_DAYS, REPEAT_MIN_INCIDENTS, COMMANDER_THRESHOLD, REPEAT_TEAM_THRESHOLD) == (365, 2, 3, 3)
    assert PLAN_REVIEW_DAYS == 28
    assert (ESCALATION_LOOKBACK_DAYS, ESCALATION_PERIOD_DAYS, ESCALATION_MIN_RECENT) == (365, 90, 2)


# --- The window ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("at", "counted"), [
    (ago(365), False),                # exactly 12 months (365 days) ago: out
    (ago(365) + timedelta(seconds=1), True),
    (ago(364), True),
    (NOW, True),                      # now itself: in
    (NOW + timedelta(seconds=1), False),  # after now: not yet history
])
def test_window_boundaries(at, counted):
    assert incidents_in_window([inc("I1", at)], now=NOW) == (1 if counted else 0)


def test_window_compares_instants_not_wall_clocks():
    from zoneinfo import ZoneInfo
    london = ZoneInfo("Europe/London")
    # 13:00 BST on 15 June 2025 is 12:00 UTC: exactly 365 days before now, so out; 13:01 BST is in.
    assert incidents_in_window([inc("I1", datetime(2025, 6, 15, 13, 0, tzinfo=london))], now=NOW) == 0
    assert incidents_in_window([inc("I1", datetime(2025, 6, 15, 13, 1, tzinfo=london))], now=NOW) == 1


def test_the_same_incident_twice_counts_once():
    assert incidents_in_window([inc("I1", ago(10)), inc("I1", ago(10))], now=NOW) == 1
    assert not is_repeat_victim([inc("I1", ago(10)), inc("I1", ago(10))], NOW)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        is_repeat_victim([inc("I1", ago(1))], datetime(2026, 6, 15, 12, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        is_repeat_victim([inc("I1", datetime(2026, 6, 1))], NOW)


@pytest.mark.parametrize("days", [0, -1, 1.5, True])
def test_window_days_must_be_whole_positive_days(days):
    with pytest.raises(ValueError, match="window_days"):
        is_repeat_victim([], NOW, window_days=days)


# --- Repeat victim, commander, team ----------------------------------------------------------------


@pytest.mark.parametrize(("incidents", "repeat"), [
    ([], False),
    ([inc("I1", ago(1))], False),
    ([inc("I1", ago(1)), inc("I2", ago(300))], True),       # more than one in 12 months
    ([inc("I1", ago(1)), inc("I2", ago(365))], False),      # the second exactly 12 months ago
    ([inc("I1", ago(1)), inc("I2", ago(364, hours=23))], True),
])
def test_is_repeat_victim(incidents, repeat):
    assert is_repeat_victim(incidents, NOW) is repeat


def test_is_repeat_victim_with_other_policy_values():
    incidents = [inc("I1", ago(1)), inc("I2", ago(200))]
    assert not is_repeat_victim(incidents, NOW, window_days=182)
    assert not is_repeat_victim(incidents, NOW, min_incidents=3)


@pytest.mark.parametrize(("count", "flagged"), [(2, False), (3, True), (4, True)])
def test_commander_flag_and_team_threshold_default_to_3_in_12_months(count, flagged):
    incidents = [inc(f"I{n}", ago(10 * n + 1)) for n in range(count)]
    assert commander_flag(incidents, NOW) is flagged
    assert repeat_team_threshold(incidents, NOW) is flagged


def test_team_threshold_is_a_parameter_the_reports_7():
    incidents = [inc(f"I{n}", ago(30 * n + 1)) for n in range(6)]
    assert not repeat_team_threshold(incidents, NOW, threshold=7)
    assert repeat_team_threshold([*incidents, inc("I7", ago(200))], NOW, threshold=7)
    assert commander_flag(incidents, NOW, threshold=7) is False


def test_repeat_victim_below_the_team_threshold_needs_a_named_owner_and_review_date():
    plan = needs_named_owner([inc("I1", ago(5)), inc("I2", ago(100))], NOW)
    assert plan is not None
    assert plan.owner_required
    assert plan.review_by == date(2026, 7, 13)  # 15 June + 28 days
    assert plan.incidents_in_window == 2
    assert "named owner" in plan.reason and "threshold of 3" in plan.reason


def test_no_plan_requirement_for_non_repeat_victims_or_the_teams_queue():
    assert needs_named_owner([inc("I1", ago(5))], NOW) is None
    assert needs_named_owner([inc(f"I{n}", ago(n + 1)) for n in range(3)], NOW) is None
    # With the report's threshold of 7, everyone from 2 to 6 needs an owner outside the team.
    six = [inc(f"I{n}", ago(n + 1)) for n in range(6)]
    assert needs_named_owner(six, NOW, team_threshold=7).incidents_in_window == 6


def test_review_date_is_counted_from_the_london_date():
    # 23:30 UTC on 14 June is 00:30 BST on 15 June.
    now = datetime(2026, 6, 14, 23, 30, tzinfo=UTC)
    plan = needs_named_owner([inc("I1", now - timedelta(days=1)), inc("I2", now)], now, review_days=14)
    assert plan.review_by == date(2026, 6, 29)


def test_repeat_victim_status_gathers_everything():
    status = repeat_victim_status([inc("I1", ago(5)), inc("I2", ago(20)), inc("I3", ago(400))], now=NOW)
    assert status.incidents_in_window == 2
    assert (status.is_repeat, status.commander_flag, status.team_queue) == (True, False, False)
    assert status.plan is not None
    assert status.escalation.escalating  # 2 in the last 90 days, none before
    assert kinds(status.escalation) == [MORE_FREQUENT]


# --- Escalation ------------------------------------------------------------------------------------


def test_no_history_no_escalation():
    assert not detect_escalation([], now=NOW).escalating
    assert kinds(detect_escalation([inc("I1", ago(1), "rape", "high", {"a"})], now=NOW)) == []


@pytest.mark.parametrize(("recent", "before", "escalating"), [
    (2, 0, True),
    (2, 1, True),
    (3, 2, True),
    (2, 2, False),  # as frequent as before
    (1, 0, False),  # one incident is not a pattern
    (0, 0, False),
])
def test_more_frequent(recent, before, escalating):
    incidents = ([inc(f"R{n}", ago(n + 1)) for n in range(recent)]
                 + [inc(f"B{n}", ago(100 + n)) for n in range(before)])
    e = detect_escalation(incidents, now=NOW)
    assert (MORE_FREQUENT in kinds(e)) is escalating
    if escalating:
        assert e.reasons[0].text == (f"{recent} incidents in the last 90 days, up from {before} in the "
                                     "90 days before.")


def test_an_incident_exactly_90_days_ago_belongs_to_the_earlier_period():
    base = [inc("R1", ago(1)), inc("R2", ago(2))]
    assert MORE_FREQUENT in kinds(detect_escalation([*base, inc("E", ago(90))], now=NOW))
    assert MORE_FREQUENT not in kinds(detect_escalation([*base, inc("E", ago(90)), inc("F", ago(91))], now=NOW))
    # Just inside the last 90 days it is recent: 3 against 1.
    assert MORE_FREQUENT in kinds(detect_escalation(
        [*base, inc("E", ago(90) + timedelta(seconds=1)), inc("F", ago(91))], now=NOW))


def test_more_frequent_periods_are_parameters():
    incidents = [inc("R1", ago(1)), inc("R2", ago(20)), inc("B1", ago(40))]
    assert MORE_FREQUENT in kinds(detect_escalation(incidents, now=NOW, period_days=30))
    assert MORE_FREQUENT not in kinds(detect_escalation(incidents, now=NOW, period_days=30, min_recent=3))


def test_more_serious():
    e = detect_escalation([inc("I1", ago(200), "harassment"), inc("I2", ago(100), "assault_without_injury"),
                           inc("I3", ago(1), "assault_with_injury")], now=NOW)
    assert kinds(e) == [MORE_SERIOUS]
    assert e.reasons[0].text == ("The latest incident (assault with injury) is more serious than any other in "
                                 "the last 12 months (at most assault without injury).")


@pytest.mark.parametrize(("earlier", "latest", "escalating"), [
    ("harassment", "criminal_damage", False),        # same harm level
    ("assault_with_injury", "harassment", False),    # less serious
    ("no_crime", "harassment", True),
    ("stalking", "non_fatal_strangulation", True),
])
def test_more_serious_compares_harm_levels(earlier, latest, escalating):
    e = detect_escalation([inc("I1", ago(200), earlier), inc("I2", ago(1), latest)], now=NOW)
    assert (MORE_SERIOUS in kinds(e)) is escalating


def test_more_serious_ignores_incidents_before_the_lookback():
    incidents = [inc("I0", ago(365), "rape"), inc("I1", ago(200), "harassment"), inc("I2", ago(1), "stalking")]
    assert MORE_SERIOUS in kinds(detect_escalation(incidents, now=NOW))
    assert MORE_SERIOUS not in kinds(detect_escalation(incidents, now=NOW, lookback_days=366))


def test_more_serious_with_force_weights():
    weights = {"no_crime": 0, "harassment": 100, "stalking": 50}
    incidents = [inc("I1", ago(200), "harassment"), inc("I2", ago(1), "stalking")]
    assert MORE_SERIOUS in kinds(detect_escalation(incidents, now=NOW))
    assert MORE_SERIOUS not in kinds(detect_escalation(incidents, now=NOW, gravity_weights=weights))


@pytest.mark.parametrize(("grades", "escalating"), [
    (["standard", "medium"], True),
    (["medium", "high"], True),
    (["high", "medium", "high"], False),   # high was already reached
    (["medium", "medium"], False),
    (["high", "standard"], False),
    (["medium"], False),                   # nothing to compare with
])
def test_higher_risk_grade(grades, escalating):
    incidents = [inc(f"I{n}", ago(300 - 100 * n), grade=g) for n, g in enumerate(grades)]
    e = detect_escalation(incidents, now=NOW)
    assert (HIGHER_RISK_GRADE in kinds(e)) is escalating


def test_higher_risk_grade_uses_the_latest_grading_not_the_latest_incident():
    incidents = [inc("I1", ago(300), grade="standard"), inc("I2", ago(200), grade="high"), inc("I3", ago(5))]
    e = detect_escalation(incidents, now=NOW)
    assert [r.text for r in e.reasons if r.kind == HIGHER_RISK_GRADE] == [
        "Graded high risk at the latest assessment, up from standard at most in the last 12 months."]


def test_unknown_risk_grade_is_an_error():
    with pytest.raises(ValueError, match="unknown risk grade"):
        detect_escalation([inc("I1", ago(5), grade="severe")], now=NOW)


def test_new_risk_factors():
    incidents = [inc("I1", ago(200), factors={"separation"}),
                 inc("I2", ago(100), factors={"separation", "pregnancy"}),
                 inc("I3", ago(1), factors={"strangulation", "pregnancy", "threats_to_kill"})]
    e = detect_escalation(incidents, now=NOW, factor_labels={"strangulation": "choking or strangling"})
    assert kinds(e) == [NEW_RISK_FACTORS]
    assert e.reasons[0].text == ("New risk factors at the latest assessment, not recorded in the last 12 months: "
                                 "choking or strangling, threats_to_kill.")


def test_no_new_risk_factors():
    incidents = [inc("I1", ago(200), factors={"a", "b"}), inc("I2", ago(1), factors={"a"})]
    assert NEW_RISK_FACTORS not in kinds(detect_escalation(incidents, now=NOW))
    # A first assessment is not an escalation, however many factors it records.
    assert kinds(detect_escalation([inc("I1", ago(200)), inc("I2", ago(1), factors={"a"})], now=NOW)) == []
    # An incident without an assessment (None) is not an assessment with no factors (empty).
    assert NEW_RISK_FACTORS in kinds(detect_escalation(
        [inc("I1", ago(200), factors=set()), inc("I2", ago(1), factors={"a"})], now=NOW))


def test_a_factor_last_seen_before_the_lookback_is_new_again():
    incidents = [inc("I0", ago(400), factors={"a"}), inc("I1", ago(200), factors=set()),
                 inc("I2", ago(1), factors={"a"})]
    assert NEW_RISK_FACTORS in kinds(detect_escalation(incidents, now=NOW))


def test_every_sign_at_once_in_a_fixed_order():
    incidents = [inc("I1", ago(200), "harassment", "standard", {"a"}),
                 inc("I2", ago(10), "no_crime", "standard", {"a"}),
                 inc("I3", ago(1), "assault_with_intent", "high", {"a", "b"})]
    assert kinds(detect_escalation(incidents, now=NOW)) == [MORE_FREQUENT, MORE_SERIOUS, HIGHER_RISK_GRADE,
                                                              NEW_RISK_FACTORS]


# --- Properties ------------------------------------------------------------------------------------

incident_st = st.builds(
    inc,
    incident_id=st.sampled_from([f"I{n}" for n in range(8)]),
    at=st.integers(min_value=-60, max_value=800 * 24).map(lambda h: ago(hours=h)),
    offence=st.sampled_from(sorted(HARM_SCALE)),
    grade=st.sampled_from([None, "standard", "medium", "high"]),
    factors=st.one_of(st.none(), st.sets(st.sampled_from(["a", "b", "c", "d"]))),
)
incidents_st = st.lists(incident_st, max_size=8)


@settings(max_examples=100)
@given(incidents=incidents_st, extra=incident_st, older_by=st.integers(min_value=0, max_value=5000))
def test_an_incident_older_than_every_window_changes_nothing(incidents, extra, older_by):
    old = VictimIncident("OLD", ago(365, hours=older_by), extra.offence, extra.risk_grade, extra.risk_factors)
    assert repeat_victim_status([*incidents, old], now=NOW) == repeat_victim_status(incidents, now=NOW)


@settings(max_examples=100)
@given(incidents=incidents_st, data=st.data())
def test_results_do_not_depend_on_input_order(incidents, data):
    shuffled = data.draw(st.permutations(incidents))
    assert repeat_victim_status(shuffled, now=NOW) == repeat_victim_status(incidents, now=NOW)


@settings(max_examples=100)
@given(incidents=incidents_st, extra=incident_st)
def test_more_incidents_never_undo_the_lists(incidents, extra):
    before = repeat_victim_status(incidents, now=NOW)
    after = repeat_victim_status([*incidents, extra], now=NOW)
    assert after.incidents_in_window >= before.incidents_in_window
    assert after.is_repeat >= before.is_repeat
    assert after.commander_flag >= before.commander_flag
    assert after.team_queue >= before.team_queue


@settings(max_examples=100)
@given(incidents=incidents_st)
def test_every_repeat_victim_has_a_plan_or_the_team(incidents):
    status = repeat_victim_status(incidents, now=NOW)
    if status.is_repeat:
        assert status.team_queue != (status.plan is not None)
    else:
        assert status.plan is None and not status.team_queue
    assert all(r.text.endswith(".") for r in status.escalation.reasons)


def test_the_same_incident_twice_is_merged_for_escalation():
    # Two records of one victim on incident I2 (before a merge): nothing recorded on either is lost.
    incidents = [inc("I1", ago(200), "harassment", "standard", {"a"}),
                 inc("I2", ago(1), "no_crime", "high", None),
                 inc("I2", ago(1, hours=1), "assault_with_injury", None, {"a", "b"})]
    e = detect_escalation(incidents, now=NOW)
    assert kinds(e) == [MORE_SERIOUS, HIGHER_RISK_GRADE, NEW_RISK_FACTORS]
    # Offences outside the default scale are fine with the force's own weights, duplicates included.
    weights = {"x": 1, "y": 2}
    custom = [inc("I1", ago(200), "x"), inc("I2", ago(1), "x"), inc("I2", ago(1), "y")]
    assert kinds(detect_escalation(custom, now=NOW, gravity_weights=weights)) == [MORE_SERIOUS]
