"""The performance pack's definitions as plain rules (vigil.insight.pack), on hand-made counts."""

from datetime import UTC, date, datetime, timedelta

import pytest

from vigil.insight import pack as rules

T0 = datetime(2013, 3, 1, 12, tzinfo=UTC)
YEAR = timedelta(days=365)


def appear(person, incident, days, counted=True):
    return rules.Appearance(person=person, incident=incident, at=T0 + timedelta(days=days), counted=counted)


def inputs(**overrides) -> rules.PackInputs:
    values = dict(
        start=date(2012, 9, 1), end=date(2013, 8, 31), area=None, active_at=datetime(2013, 8, 31, 23, tzinfo=UTC),
        now=datetime(2014, 1, 1, tzinfo=UTC), calls=0, da_calls=0,
        repeats=rules.RepeatCounts(frozenset(), 0, 0), crimes=[], da_arrests=0, active_cases={}, supervision=[],
        supervision_deadline=timedelta(hours=24), answers={}, assessments_answered=0, specialist=[],
        contact_tasks=[], marac=None, survey=None)
    return rules.PackInputs(**(values | overrides))


# --- repeat victims ---------------------------------------------------------------------------------------

def test_a_second_incident_within_the_window_makes_a_repeat_victim():
    counts = rules.repeat_victims([appear("a", 1, -100, counted=False), appear("a", 2, 0), appear("b", 3, 0)],
                                  window=YEAR, min_incidents=2)
    assert counts.repeat_incidents == {2}
    assert (counts.victims, counts.repeat_victims) == (2, 1)


def test_the_window_excludes_the_incident_exactly_a_window_before():
    exactly = rules.repeat_victims([appear("a", 1, -365, counted=False), appear("a", 2, 0)],
                                   window=YEAR, min_incidents=2)
    just_inside = rules.repeat_victims([appear("a", 1, -364.99, counted=False), appear("a", 2, 0)],
                                       window=YEAR, min_incidents=2)
    assert exactly.repeat_incidents == frozenset()
    assert just_inside.repeat_incidents == {2}


def test_the_first_incident_of_a_person_is_never_a_repeat_and_later_ones_are():
    counts = rules.repeat_victims([appear("a", 1, 0), appear("a", 2, 30), appear("a", 3, 60)],
                                  window=YEAR, min_incidents=2)
    assert counts.repeat_incidents == {2, 3}
    assert (counts.victims, counts.repeat_victims) == (1, 1)


def test_the_policy_count_is_the_number_of_incidents_including_this_one():
    three = [appear("a", 1, 0), appear("a", 2, 30), appear("a", 3, 60)]
    assert rules.repeat_victims(three, window=YEAR, min_incidents=3).repeat_incidents == {3}


def test_two_records_of_one_person_on_one_incident_count_once():
    counts = rules.repeat_victims([appear("a", 1, 0), appear("a", 1, 0)], window=YEAR, min_incidents=2)
    assert counts.repeat_incidents == frozenset()


def test_different_persons_are_different_victims_however_alike():
    """Records not linked to one person count as different people (the figure follows linkage)."""
    counts = rules.repeat_victims([appear("a", 1, 0), appear("a2", 2, 30)], window=YEAR, min_incidents=2)
    assert counts.repeat_incidents == frozenset()
    assert counts.victims == 2


def test_history_outside_the_period_or_area_counts_but_is_not_counted_itself():
    counts = rules.repeat_victims([appear("a", 1, 0, counted=False), appear("a", 2, 30, counted=False)],
                                  window=YEAR, min_incidents=2)
    assert counts.repeat_incidents == frozenset() and counts.victims == 0


def test_incidents_at_the_same_moment_are_ordered_by_their_key():
    counts = rules.repeat_victims([appear("a", 2, 0), appear("a", 1, 0)], window=YEAR, min_incidents=2)
    assert counts.repeat_incidents == {2}


# --- the pack ---------------------------------------------------------------------------------------------

def crime(group, da, outcome, n):
    return rules.CrimeCount(group=group, domestic_abuse=da, outcome=outcome, count=n)


def test_shares_of_calls_and_repeat_calls():
    pack = rules.performance_pack(inputs(calls=200, da_calls=12, repeats=rules.RepeatCounts(frozenset({1, 2, 3}), 10, 2)))
    f = pack.figures
    assert f["da_share_of_calls_pct"] == 6.0
    assert f["repeat_victim_share_of_da_calls_pct"] == 25.0
    assert f["repeat_victim_share_of_victims_pct"] == 20.0


def test_crime_figures_offence_groups_arrests_and_outcomes():
    crimes = [crime("assault_with_injury", True, "charge", 3), crime("assault_with_injury", True, "nfa", 1),
              crime("assault_with_injury", False, "charge", 2), crime("assault_with_injury", False, "", 4),
              crime("harassment", True, "caution", 2), crime("harassment", True, "out_of_court", 1),
              crime("harassment", True, "", 1), crime("sexual_offences", False, "caution", 5),
              crime("other", False, "nfa", 1)]
    f = rules.performance_pack(inputs(crimes=crimes, da_arrests=5)).figures
    assert (f["recorded_crimes"], f["da_crimes"]) == (20, 8)
    assert f["da_share_of_crime_pct"] == 40.0
    assert f["assault_with_injury"] == {"recorded": 10, "da_related": 4, "da_share_pct": 40.0}
    assert f["harassment"] == {"recorded": 4, "da_related": 4, "da_share_pct": 100.0}
    assert f["sexual_offences"] == {"recorded": 5, "da_related": 0, "da_share_pct": 0.0}
    assert f["assault_with_intent"] == {"recorded": 0, "da_related": 0, "da_share_pct": None}
    assert f["arrests_per_100_da_crimes"] == 62.5
    assert (f["outcome_charge_pct"], f["outcome_caution_pct"], f["outcome_ooc_disposal_pct"],
            f["outcome_nfa_pct"], f["outcome_pending_pct"]) == (37.5, 25.0, 12.5, 12.5, 12.5)
    rates = f["charge_and_caution_rates"]
    assert rates["domestic_abuse"] == {"crimes": 8, "charge_pct": 37.5, "caution_pct": 25.0}
    assert rates["all_victim_based"] == {"crimes": 20, "charge_pct": 25.0, "caution_pct": 35.0}
    assert rates["violence_against_the_person"] == {"crimes": 14, "charge_pct": 35.71, "caution_pct": 14.29}
    assert rates["sexual_offences"] == {"crimes": 5, "charge_pct": 0.0, "caution_pct": 100.0}


def test_active_cases_by_risk_level():
    f = rules.performance_pack(inputs(active_cases={"high": 7, "medium": 18, "standard": 75})).figures
    assert f["active_cases"] | {"at": None} == {"at": None, "total": 100, "high": 7, "medium": 18, "standard": 75,
                                                "high_pct": 7.0, "medium_pct": 18.0, "standard_pct": 75.0}


def test_time_to_supervisor_review_median_and_within_the_deadline():
    times = [rules.SupervisionTime(T0, T0 + timedelta(hours=h)) for h in (2, 10, 24, 30)]
    f = rules.performance_pack(inputs(supervision=times)).figures["supervisor_review"]
    assert f == {"reviews": 4, "median_hours": 17.0, "within_deadline_pct": 75.0, "deadline_hours": 24.0}


def test_dash_answers_asked_of_the_victim_at_the_scene():
    f = rules.performance_pack(inputs(answers={"asked_at_scene": 45, "victim_declined": 3, "without_victim": 12},
                                      assessments_answered=3)).figures["dash_answers"]
    assert f == {"answers": 60, "assessments": 3, "asked_at_scene_pct": 75.0, "victim_declined_pct": 5.0,
                 "without_victim_pct": 20.0}


def test_specialist_downgrades_overall_and_by_starting_grade():
    decisions = [rules.SpecialistDecision(p, g) for p, g in
                 (("high", "high"), ("high", "medium"), ("high", "standard"), ("high", "high"),
                  ("medium", "standard"), ("medium", "medium"), ("medium", "high"), ("medium", "medium"))]
    f = rules.performance_pack(inputs(specialist=decisions)).figures["specialist_review"]
    assert (f["reviews"], f["downgrades"], f["downgrade_pct"]) == (8, 3, 37.5)
    assert f["from_high"] == {"reviews": 4, "downgrades": 2, "downgrade_pct": 50.0}
    assert f["from_medium"] == {"reviews": 4, "downgrades": 1, "downgrade_pct": 25.0}


def test_victim_contact_on_time_counts_open_tasks_past_due_as_late_and_leaves_out_those_not_yet_due():
    now = T0 + timedelta(days=10)
    tasks = [rules.ContactTask(T0, T0 - timedelta(hours=1)), rules.ContactTask(T0, T0),
             rules.ContactTask(T0, T0 + timedelta(minutes=1)), rules.ContactTask(T0, None),
             rules.ContactTask(now + timedelta(days=1), None)]
    f = rules.performance_pack(inputs(contact_tasks=tasks, now=now)).figures["victim_contact"]
    assert f == {"due": 4, "on_time": 2, "on_time_pct": 50.0}


def test_marac_and_survey_figures_and_why_they_are_missing():
    pack = rules.performance_pack(inputs())
    assert pack.figures["marac"]["repeat_rate_pct"] is None
    assert pack.not_available["marac.repeat_rate_pct"] == "no MARAC covers the area"
    assert pack.not_available["survey.satisfied_pct"] == "Vigil holds no victim survey responses yet"
    assert pack.not_available["da_share_of_calls_pct"] == "no calls were received in the period"
    heard = rules.performance_pack(inputs(marac=rules.MaracCounts(20, 6, 25, 41.5, 1), survey=(10, 7))).figures
    assert heard["marac"] == {"maracs": 1, "cases_heard": 20, "repeat_cases": 6, "repeat_rate_pct": 30.0,
                              "referrals_received": 25, "cases_a_year_per_10k_women": 41.5}
    assert heard["survey"] == {"responses": 10, "satisfied_pct": 70.0}


def test_every_row_of_the_page_has_a_figure_and_every_figure_a_definition():
    pack = rules.performance_pack(inputs(calls=10, da_calls=1))
    rows = rules.pack_rows(pack)
    assert len({r.key for r in rows}) == len(rows)
    assert rules.value_text(next(r for r in rows if r.key == "da_share_of_calls_pct")) == "10.0 %"
    assert all(d.label and d.explanation for d in rules.DEFINITIONS.values())


@pytest.mark.parametrize(("part", "whole", "expected"), [(1, 3, 33.33), (0, 5, 0.0), (3, 0, None)])
def test_pct(part, whole, expected):
    assert rules.pct(part, whole) == expected
