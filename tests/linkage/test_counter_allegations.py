"""Counter-allegations (plain rules, no database).

Today is Monday 15 June 2026: the last 3 years start on 16 June 2023.
"""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.linkage.counter_allegations import (
    COUNTER_ALLEGATION_WINDOW_YEARS,
    CounterAllegation,
    Involvement,
    PartySignals,
    find_counter_allegations,
    is_counter_allegation,
    suggest_primary_victim,
)
from vigil.linkage.serial import months_before

TODAY = date(2026, 6, 15)


def inv(incident_id: str, on: date, victim: str, suspect: str) -> Involvement:
    return Involvement(incident_id=incident_id, on=on, victim_id=victim, suspect_id=suspect)


def test_policy_default():
    assert COUNTER_ALLEGATION_WINDOW_YEARS == 3


def test_a_pair_each_victim_and_suspect_of_the_other():
    a_victim = inv("I1", date(2025, 3, 1), "A", "B")
    b_victim = inv("I2", date(2026, 1, 10), "B", "A")
    (pair,) = find_counter_allegations([a_victim, b_victim, inv("I3", date(2026, 2, 1), "C", "A")], today=TODAY)
    assert pair.people == ("A", "B")
    assert pair.first_as_victim == (a_victim,)
    assert pair.second_as_victim == (b_victim,)
    assert pair.as_victim("B") == (b_victim,)
    assert pair.latest == date(2026, 1, 10)
    with pytest.raises(ValueError):
        pair.as_victim("C")


def test_one_direction_only_is_not_a_counter_allegation():
    involvements = [inv("I1", date(2025, 3, 1), "A", "B"), inv("I2", date(2026, 1, 10), "A", "B")]
    assert find_counter_allegations(involvements, today=TODAY) == []


def test_first_is_the_smaller_id_whichever_way_round():
    (pair,) = find_counter_allegations([inv("I1", date(2025, 3, 1), "Z", "M"),
                                        inv("I2", date(2026, 1, 1), "M", "Z")], today=TODAY)
    assert (pair.first, pair.second) == ("M", "Z")
    assert pair.first_as_victim[0].incident_id == "I2"


@pytest.mark.parametrize(("older", "found"), [
    (date(2023, 6, 15), False),  # exactly 3 years ago: out
    (date(2023, 6, 16), True),   # a day later: in
])
def test_three_year_window_edge(older, found):
    involvements = [inv("I1", older, "A", "B"), inv("I2", date(2026, 1, 1), "B", "A")]
    assert bool(find_counter_allegations(involvements, today=TODAY)) is found
    assert is_counter_allegation(involvements, "A", "B", today=TODAY) is found


def test_window_is_a_parameter_and_future_incidents_are_ignored():
    involvements = [inv("I1", date(2022, 1, 1), "A", "B"), inv("I2", date(2026, 1, 1), "B", "A")]
    assert not find_counter_allegations(involvements, today=TODAY)
    assert find_counter_allegations(involvements, today=TODAY, window_years=5)
    assert not find_counter_allegations([inv("I1", TODAY + timedelta(days=1), "A", "B"),
                                         inv("I2", TODAY, "B", "A")], today=TODAY)


def test_one_incident_can_give_both_sides():
    both = [inv("I1", date(2026, 5, 1), "A", "B"), inv("I1", date(2026, 5, 1), "B", "A")]
    (pair,) = find_counter_allegations(both, today=TODAY)
    assert pair.first_as_victim[0].incident_id == pair.second_as_victim[0].incident_id == "I1"


def test_someone_recorded_against_themselves_is_ignored():
    assert find_counter_allegations([inv("I1", date(2026, 5, 1), "A", "A")], today=TODAY) == []


def test_incidents_most_recent_first_and_pairs_most_recent_first():
    involvements = [
        inv("I1", date(2024, 1, 1), "A", "B"),
        inv("I3", date(2025, 6, 1), "A", "B"),
        inv("I2", date(2025, 6, 1), "A", "B"),
        inv("I4", date(2024, 5, 1), "B", "A"),
        inv("I4", date(2024, 5, 1), "B", "A"),  # given twice: listed once
        inv("J1", date(2026, 2, 1), "C", "D"),
        inv("J2", date(2023, 9, 1), "D", "C"),
        inv("K1", date(2025, 6, 1), "E", "F"),
        inv("K2", date(2025, 6, 1), "F", "E"),
    ]
    pairs = find_counter_allegations(involvements, today=TODAY)
    assert [p.people for p in pairs] == [("C", "D"), ("A", "B"), ("E", "F")]  # A-B and E-F tie: by id
    ab = pairs[1]
    assert [i.incident_id for i in ab.first_as_victim] == ["I2", "I3", "I1"]
    assert [i.incident_id for i in ab.second_as_victim] == ["I4"]


# --- The suggestion --------------------------------------------------------------------------------


def pair_ab(first_victim_at_first_incident: str = "A") -> CounterAllegation:
    other = "B" if first_victim_at_first_incident == "A" else "A"
    (pair,) = find_counter_allegations([inv("I1", date(2024, 1, 1), first_victim_at_first_incident, other),
                                        inv("I2", date(2026, 1, 1), other, first_victim_at_first_incident)],
                                       today=TODAY)
    return pair


def test_suggestion_with_its_reasons_is_only_a_suggestion():
    s = suggest_primary_victim(pair_ab(), {
        "A": PartySignals(incidents_as_victim=5, incidents_as_suspect=1, injuries_as_victim=2,
                          highest_risk_grade="high", other_victims=0),
        "B": PartySignals(incidents_as_victim=1, incidents_as_suspect=6, injuries_as_victim=0,
                          highest_risk_grade=None, other_victims=2),
    })
    assert s.suggested == "A"
    assert s.first_reasons == (
        "More incidents as victim (5, against 1).",
        "Fewer incidents as suspect (1, against 6).",
        "More incidents with injuries as victim (2, against 0).",
        "Higher risk grading as victim (high, against none).",
        "Recorded as suspect against fewer other people (0, against 2).",
        "The victim at the first incident between them (2024-01-01).",
    )
    assert s.second_reasons == ()
    assert s.human_decision_required is True
    assert "reviewer decides" in s.note


def test_balanced_signals_give_no_suggestion():
    s = suggest_primary_victim(pair_ab("A"), {
        "A": PartySignals(incidents_as_victim=1),
        "B": PartySignals(incidents_as_victim=3),
    })
    assert s.suggested is None
    assert len(s.first_reasons) == len(s.second_reasons) == 1
    assert s.human_decision_required


def test_no_signals_only_the_first_incident():
    s = suggest_primary_victim(pair_ab("B"), {})
    assert s.suggested == "B"
    assert s.second_reasons == ("The victim at the first incident between them (2024-01-01).",)


def test_first_incident_with_both_sides_gives_no_reason():
    (pair,) = find_counter_allegations([inv("I1", date(2024, 1, 1), "A", "B"),
                                        inv("I1", date(2024, 1, 1), "B", "A")], today=TODAY)
    s = suggest_primary_victim(pair, {})
    assert s.suggested is None and s.first_reasons == s.second_reasons == ()


def test_unknown_grade_is_an_error():
    with pytest.raises(ValueError, match="unknown risk grade"):
        suggest_primary_victim(pair_ab(), {"A": PartySignals(highest_risk_grade="severe")})


# --- Properties ------------------------------------------------------------------------------------

people = st.sampled_from(["P1", "P2", "P3", "P4"])
involvement_st = st.builds(
    inv,
    incident_id=st.sampled_from([f"I{n}" for n in range(10)]),
    on=st.integers(min_value=-5, max_value=4 * 366).map(lambda n: TODAY - timedelta(days=n)),
    victim=people,
    suspect=people,
)
involvements_st = st.lists(involvement_st, max_size=12)


def swap(i: Involvement) -> Involvement:
    return replace(i, victim_id=i.suspect_id, suspect_id=i.victim_id)


def rename(i: Involvement, mapping: dict[str, str]) -> Involvement:
    return replace(i, victim_id=mapping.get(i.victim_id, i.victim_id),
                   suspect_id=mapping.get(i.suspect_id, i.suspect_id))


@settings(max_examples=100)
@given(involvements=involvements_st, a=people, b=people)
def test_detection_is_symmetric_in_the_pairs_order(involvements, a, b):
    assert is_counter_allegation(involvements, a, b, today=TODAY) == is_counter_allegation(
        involvements, b, a, today=TODAY)
    found = {p.people for p in find_counter_allegations(involvements, today=TODAY)}
    assert (tuple(sorted((a, b))) in found) == is_counter_allegation(involvements, a, b, today=TODAY)


@settings(max_examples=100)
@given(involvements=involvements_st)
def test_reversing_every_role_finds_the_same_pairs_with_sides_swapped(involvements):
    pairs = find_counter_allegations(involvements, today=TODAY)
    reversed_pairs = find_counter_allegations([swap(i) for i in involvements], today=TODAY)
    assert [p.people for p in reversed_pairs] == [p.people for p in pairs]
    for p, r in zip(pairs, reversed_pairs, strict=True):
        assert [swap(i) for i in p.first_as_victim] == list(r.second_as_victim)


@settings(max_examples=100)
@given(involvements=involvements_st, data=st.data())
def test_result_does_not_depend_on_input_order_or_names(involvements, data):
    shuffled = data.draw(st.permutations(involvements))
    pairs = find_counter_allegations(involvements, today=TODAY)
    assert find_counter_allegations(shuffled, today=TODAY) == pairs
    # Renaming P1 <-> P2 renames the pairs, nothing more.
    mapping = {"P1": "P2", "P2": "P1"}
    renamed = {p.people for p in find_counter_allegations([rename(i, mapping) for i in involvements], today=TODAY)}
    assert renamed == {tuple(sorted(mapping.get(x, x) for x in p.people)) for p in pairs}


@settings(max_examples=100)
@given(involvements=involvements_st, old=involvement_st, older_by=st.integers(min_value=0, max_value=3000))
def test_an_involvement_older_than_the_window_changes_nothing(involvements, old, older_by):
    old = replace(old, on=months_before(TODAY, 36) - timedelta(days=older_by))
    assert find_counter_allegations([*involvements, old], today=TODAY) == find_counter_allegations(
        involvements, today=TODAY)


signals_st = st.builds(
    PartySignals,
    incidents_as_victim=st.integers(0, 5), incidents_as_suspect=st.integers(0, 5),
    injuries_as_victim=st.integers(0, 3), highest_risk_grade=st.sampled_from([None, "standard", "medium", "high"]),
    other_victims=st.integers(0, 3),
)


@settings(max_examples=100)
@given(sa=signals_st, sb=signals_st)
def test_the_suggestion_follows_the_signals_not_the_names(sa, sb):
    # The same history with the two people's roles and signals swapped gives the mirror suggestion.
    pair = pair_ab("A")
    mirror = pair_ab("B")
    s = suggest_primary_victim(pair, {"A": sa, "B": sb})
    m = suggest_primary_victim(mirror, {"A": sb, "B": sa})
    assert (s.first_reasons, s.second_reasons) == (m.second_reasons, m.first_reasons)
    assert s.suggested == {"A": "B", "B": "A", None: None}[m.suggested]
    assert s.human_decision_required and m.human_decision_required
    if s.suggested is not None:
        ours, theirs = (s.first_reasons, s.second_reasons) if s.suggested == "A" else (s.second_reasons,
                                                                                          s.first_reasons)
        assert len(ours) > len(theirs)
