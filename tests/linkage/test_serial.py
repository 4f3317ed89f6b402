"""Serial perpetrators and the RFG score (plain rules, no database).

Unless a test says otherwise, today is Monday 15 June 2026: the last 3 years start on 16 June 2023, the
last 24 months on 16 June 2024, and the recency bands on 16 May (1 month), 16 March (3 months),
16 December 2025 (6 months) and 16 June 2025 (12 months).
"""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.linkage.serial import (
    FREQUENCY_CAP,
    HARM_SCALE,
    RECENCY_BANDS,
    SERIAL_MIN_VICTIMS,
    SERIAL_WINDOW_YEARS,
    VICTIM_POINTS,
    RFGScore,
    SuspectIncident,
    age_on,
    gravity_of,
    is_serial_perpetrator,
    months_before,
    rank_perpetrators,
    recency_points,
    rfg_score,
    serial_perpetrator,
    serial_perpetrator_list,
)

TODAY = date(2026, 6, 15)


def inc(incident_id: str, on: date, victim_id: str = "V1", offence: str = "no_crime", **kw) -> SuspectIncident:
    return SuspectIncident(incident_id=incident_id, on=on, victim_id=victim_id, offence=offence, **kw)


# --- Dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("d", "months", "expected"), [
    (date(2026, 6, 15), 0, date(2026, 6, 15)),
    (date(2026, 6, 15), 1, date(2026, 5, 15)),
    (date(2026, 6, 15), 36, date(2023, 6, 15)),
    (date(2026, 5, 31), 3, date(2026, 2, 28)),   # no 31 February: the month's last day
    (date(2028, 5, 31), 3, date(2028, 2, 29)),   # leap year
    (date(2026, 3, 31), 1, date(2026, 2, 28)),
    (date(2026, 1, 10), 1, date(2025, 12, 10)),  # across a year
    (date(2028, 2, 29), 12, date(2027, 2, 28)),
])
def test_months_before(d, months, expected):
    assert months_before(d, months) == expected


def test_months_before_refuses_negative_months():
    with pytest.raises(ValueError):
        months_before(TODAY, -1)


@pytest.mark.parametrize(("born", "on", "age"), [
    (date(2010, 6, 15), date(2026, 6, 14), 15),  # the day before the 16th birthday
    (date(2010, 6, 15), date(2026, 6, 15), 16),  # the 16th birthday itself
    (date(2008, 2, 29), date(2025, 2, 28), 16),  # 29 February: still 16 on 28 February
    (date(2008, 2, 29), date(2025, 3, 1), 17),   # and 17 on 1 March of a common year
    (date(2008, 2, 29), date(2024, 2, 29), 16),  # leap year: on the day
])
def test_age_on(born, on, age):
    assert age_on(born, on) == age


# --- Serial perpetrator ----------------------------------------------------------------------------


def test_policy_defaults():
    assert (SERIAL_WINDOW_YEARS, SERIAL_MIN_VICTIMS, FREQUENCY_CAP, VICTIM_POINTS) == (3, 2, 25, 10)
    assert RECENCY_BANDS == ((1, 20), (3, 15), (6, 10), (12, 5))


def test_two_different_victims_make_a_serial_perpetrator():
    finding = serial_perpetrator([inc("I1", date(2026, 1, 5), "V1"), inc("I2", date(2025, 2, 1), "V2")],
                                 today=TODAY)
    assert finding.is_serial
    assert finding.victim_ids == ("V1", "V2")
    assert finding.incident_ids == ("I1", "I2")


def test_many_incidents_against_one_victim_are_not_serial():
    incidents = [inc(f"I{n}", date(2026, 1, 1) + timedelta(days=n), "V1") for n in range(10)]
    assert not is_serial_perpetrator(incidents, today=TODAY)


def test_one_incident_with_two_victims_is_serial():
    assert is_serial_perpetrator([inc("I1", date(2026, 1, 5), "V1"), inc("I1", date(2026, 1, 5), "V2")],
                                 today=TODAY)


@pytest.mark.parametrize(("older", "serial"), [
    (date(2023, 6, 15), False),  # exactly 3 years ago: out
    (date(2023, 6, 16), True),   # a day later: in
])
def test_three_year_window_edge(older, serial):
    incidents = [inc("I1", date(2026, 6, 1), "V1"), inc("I2", older, "V2")]
    assert is_serial_perpetrator(incidents, today=TODAY) is serial


def test_incidents_on_today_count_and_after_today_do_not():
    assert is_serial_perpetrator([inc("I1", TODAY, "V1"), inc("I2", TODAY, "V2")], today=TODAY)
    assert not is_serial_perpetrator([inc("I1", TODAY, "V1"), inc("I2", TODAY + timedelta(days=1), "V2")],
                                     today=TODAY)


@pytest.mark.parametrize(("on", "serial"), [
    (date(2024, 3, 9), False),   # the suspect is 15
    (date(2024, 3, 10), True),   # the suspect's 16th birthday
])
def test_suspect_16th_birthday(on, serial):
    incidents = [inc("I1", on, "V1"), inc("I2", date(2026, 1, 1), "V2")]
    assert is_serial_perpetrator(incidents, today=TODAY, suspect_born=date(2008, 3, 10)) is serial


@pytest.mark.parametrize(("victim_born", "serial"), [
    (date(2009, 1, 2), False),  # the victim turns 16 the day after the incident
    (date(2009, 1, 1), True),   # the victim's 16th birthday
    (None, True),               # unknown: not excluded
])
def test_victim_16th_birthday(victim_born, serial):
    incidents = [inc("I1", date(2025, 1, 1), "V1", victim_born=victim_born), inc("I2", date(2026, 1, 1), "V2")]
    assert is_serial_perpetrator(incidents, today=TODAY) is serial


def test_incidents_without_the_domestic_abuse_marker_do_not_count():
    incidents = [inc("I1", date(2026, 1, 1), "V1"), inc("I2", date(2026, 2, 1), "V2", domestic_abuse=False)]
    assert not is_serial_perpetrator(incidents, today=TODAY)


def test_serial_policy_values_are_parameters():
    incidents = [inc("I1", date(2026, 1, 1), "V1"), inc("I2", date(2022, 1, 1), "V2")]
    assert not is_serial_perpetrator(incidents, today=TODAY)
    assert is_serial_perpetrator(incidents, today=TODAY, window_years=5)
    assert not is_serial_perpetrator(incidents, today=TODAY, window_years=5, min_victims=3)


# --- RFG score -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("latest", "points"), [
    (date(2026, 6, 15), 20),   # today
    (date(2026, 5, 16), 20),   # within 1 month
    (date(2026, 5, 15), 15),   # exactly 1 month ago: the 3-month band
    (date(2026, 3, 16), 15),
    (date(2026, 3, 15), 10),   # exactly 3 months ago
    (date(2025, 12, 16), 10),
    (date(2025, 12, 15), 5),   # exactly 6 months ago
    (date(2025, 6, 16), 5),
    (date(2025, 6, 15), 0),    # exactly 12 months ago
    (date(2020, 1, 1), 0),
    (None, 0),
    (date(2026, 6, 16), 0),    # after today: not history
])
def test_recency_band_edges(latest, points):
    assert recency_points(latest, today=TODAY) == points


def test_recency_uses_the_latest_incident():
    score = rfg_score([inc("I1", date(2025, 1, 1)), inc("I2", date(2026, 6, 1))], today=TODAY)
    assert score.recency == 20
    assert score.latest == date(2026, 6, 1)


@pytest.mark.parametrize(("count", "points"), [(0, 0), (1, 5), (4, 20), (5, 25), (6, 25), (12, 25)])
def test_frequency_five_points_each_capped_at_25(count, points):
    incidents = [inc(f"I{n}", date(2025, 1, 1) + timedelta(days=n)) for n in range(count)]
    assert rfg_score(incidents, today=TODAY).frequency == points


def test_frequency_counts_an_incident_with_two_victims_once():
    score = rfg_score([inc("I1", date(2026, 1, 1), "V1"), inc("I1", date(2026, 1, 1), "V2")], today=TODAY)
    assert score.frequency == 5
    assert score.incidents_24m == 1


@pytest.mark.parametrize(("on", "frequency"), [
    (date(2024, 6, 15), 0),  # exactly 24 months ago: out
    (date(2024, 6, 16), 5),  # a day later: in
])
def test_frequency_window_edge(on, frequency):
    assert rfg_score([inc("I1", on)], today=TODAY).frequency == frequency


@pytest.mark.parametrize(("offence", "points"), sorted(HARM_SCALE.items()))
def test_gravity_harm_scale(offence, points):
    assert rfg_score([inc("I1", date(2026, 1, 1), offence=offence)], today=TODAY).gravity == points


def test_harm_scale_is_domain_md():
    assert HARM_SCALE["no_crime"] == 0
    assert HARM_SCALE["harassment"] == HARM_SCALE["criminal_damage"] == 5
    assert HARM_SCALE["assault_without_injury"] == 10
    assert HARM_SCALE["assault_with_injury"] == HARM_SCALE["stalking"] == HARM_SCALE["coercive_control"] == 20
    assert (HARM_SCALE["assault_with_intent"] == HARM_SCALE["non_fatal_strangulation"]
            == HARM_SCALE["sexual_offences"] == 30)
    assert HARM_SCALE["attempted_murder"] == HARM_SCALE["rape"] == 40


def test_gravity_is_the_most_serious_offence_in_24_months():
    score = rfg_score([
        inc("I1", date(2024, 6, 15), offence="rape"),  # exactly 24 months ago: out
        inc("I2", date(2025, 1, 1), offence="harassment"),
        inc("I3", date(2026, 1, 1), offence="assault_with_intent"),
        inc("I4", date(2026, 6, 1), offence="assault_without_injury"),
    ], today=TODAY)
    assert score.gravity == 30
    assert score.most_serious == "assault_with_intent"


def test_unknown_offence_is_an_error_not_zero():
    with pytest.raises(ValueError, match="no gravity weight for offence 'arson'"):
        rfg_score([inc("I1", date(2026, 1, 1), offence="arson")], today=TODAY)


def test_cambridge_crime_harm_index_weights_replace_the_scale():
    cchi = {"no_crime": 0, "assault_with_injury": 365, "harassment": 90}
    score = rfg_score([inc("I1", date(2026, 1, 1), offence="harassment"),
                       inc("I2", date(2026, 2, 1), offence="assault_with_injury")],
                      today=TODAY, gravity_weights=cchi)
    assert score.gravity == 365
    assert score.total == 10 + 10 + 365 + 0  # latest 1 February: the 6-month band
    assert gravity_of("harassment", cchi) == 90
    with pytest.raises(ValueError):
        gravity_of("rape", cchi)
    with pytest.raises(ValueError):
        gravity_of("harassment", {"harassment": -1})


@pytest.mark.parametrize(("victims", "points"), [(1, 0), (2, 10), (3, 20), (5, 40)])
def test_victims_ten_points_after_the_first(victims, points):
    incidents = [inc(f"I{n}", date(2026, 1, 1), f"V{n}") for n in range(victims)]
    assert rfg_score(incidents, today=TODAY).victims == points


def test_victims_outside_24_months_do_not_score():
    score = rfg_score([inc("I1", date(2026, 1, 1), "V1"), inc("I2", date(2024, 6, 15), "V2")], today=TODAY)
    assert score.victims == 0
    assert score.victims_24m == 1


def test_worked_example_total_and_parts():
    score = rfg_score([
        inc("I1", date(2026, 6, 1), "V1", "assault_with_injury"),
        inc("I2", date(2025, 11, 20), "V2", "harassment"),
        inc("I3", date(2024, 1, 1), "V3", "rape"),  # older than 24 months: scores nothing
    ], today=TODAY)
    assert score.parts == (("recency", 20), ("frequency", 10), ("gravity", 20), ("victims", 10))
    assert score.total == 60


def test_no_incidents_scores_zero():
    score = rfg_score([], today=TODAY)
    assert score.total == 0
    assert score.latest is None and score.most_serious is None


def test_incidents_when_the_suspect_was_under_16_do_not_score():
    score = rfg_score([inc("I1", date(2026, 6, 1), offence="rape")], today=TODAY, suspect_born=date(2010, 6, 2))
    assert score.total == 0


# --- Ranking ---------------------------------------------------------------------------------------


def score(recency=0, frequency=0, gravity=0, victims=0, latest=date(2026, 1, 1)) -> RFGScore:
    return RFGScore(recency=recency, frequency=frequency, gravity=gravity, victims=victims, latest=latest,
                    incidents_24m=0, victims_24m=0, most_serious=None)


def test_rank_by_total():
    ranked = rank_perpetrators({"a": score(recency=5), "b": score(recency=20), "c": score(gravity=10)})
    assert [(r.rank, r.suspect_id) for r in ranked] == [(1, "b"), (2, "c"), (3, "a")]


def test_ties_broken_by_gravity_then_recency_then_victims_then_frequency():
    ranked = rank_perpetrators({
        "freq": score(frequency=30),
        "vict": score(victims=10, frequency=20),
        "rec": score(recency=20, frequency=10),
        "grav": score(gravity=20, frequency=10),
    })
    assert [r.suspect_id for r in ranked] == ["grav", "rec", "vict", "freq"]
    assert {r.score.total for r in ranked} == {30}


def test_ties_in_every_part_broken_by_latest_then_id():
    ranked = rank_perpetrators({
        "b": score(recency=5, latest=date(2025, 7, 1)),
        "c": score(recency=5, latest=date(2025, 8, 1)),
        "a": score(recency=5, latest=date(2025, 7, 1)),
    })
    assert [r.suspect_id for r in ranked] == ["c", "a", "b"]
    assert [r.rank for r in ranked] == [1, 2, 3]


def test_serial_perpetrator_list_ranks_serial_perpetrators_only():
    ranked = serial_perpetrator_list({
        "S1": [inc("A", date(2026, 6, 1), "V1", "harassment"), inc("B", date(2026, 1, 1), "V2")],
        "S2": [inc("C", date(2026, 6, 10), "V3", "rape")],  # one victim: not serial
        "S3": [inc("D", date(2026, 6, 1), "V4", "assault_with_injury"), inc("E", date(2025, 1, 1), "V5")],
        "S4": [inc("F", date(2026, 6, 1), "V6"), inc("G", date(2026, 6, 2), "V7")],  # under 16 at both
    }, today=TODAY, born={"S4": date(2011, 1, 1)})
    assert [r.suspect_id for r in ranked] == ["S3", "S1"]
    assert ranked[0].score.total == 20 + 10 + 20 + 10


# --- Properties ------------------------------------------------------------------------------------

days_back = st.integers(min_value=0, max_value=5 * 366)
incidents_st = st.lists(
    st.builds(
        SuspectIncident,
        incident_id=st.sampled_from([f"I{n}" for n in range(8)]),
        on=days_back.map(lambda n: TODAY - timedelta(days=n)),
        victim_id=st.sampled_from(["V1", "V2", "V3", "V4"]),
        offence=st.sampled_from(sorted(HARM_SCALE)),
    ),
    max_size=10,
)


@settings(max_examples=100)
@given(incidents=incidents_st)
def test_total_is_the_sum_of_the_parts(incidents):
    s = rfg_score(incidents, today=TODAY)
    assert s.total == sum(points for _, points in s.parts)
    assert 0 <= s.frequency <= FREQUENCY_CAP
    assert s.recency in {0, 5, 10, 15, 20}


@settings(max_examples=100)
@given(incidents=incidents_st, extra=st.builds(
    SuspectIncident,
    incident_id=st.sampled_from(["X1", "I1"]),
    on=st.integers(min_value=0, max_value=2 * 366).map(lambda n: TODAY - timedelta(days=n)),
    victim_id=st.sampled_from(["V1", "V9"]),
    offence=st.sampled_from(sorted(HARM_SCALE)),
))
def test_adding_an_incident_never_lowers_the_score(incidents, extra):
    before = rfg_score(incidents, today=TODAY)
    after = rfg_score([*incidents, extra], today=TODAY)
    assert after.total >= before.total
    for (_, b), (_, a) in zip(before.parts, after.parts, strict=True):
        assert a >= b
    if before.latest is None or extra.on > before.latest:
        assert after.recency >= before.recency


@settings(max_examples=100)
@given(incidents=incidents_st, extra_days=st.integers(min_value=0, max_value=2000),
       victim=st.sampled_from(["V1", "V9"]), offence=st.sampled_from(sorted(HARM_SCALE)))
def test_an_incident_older_than_the_windows_changes_nothing(incidents, extra_days, victim, offence):
    old_rfg = SuspectIncident("OLD", months_before(TODAY, 24) - timedelta(days=extra_days), victim, offence)
    s = rfg_score(incidents, today=TODAY)
    s_old = rfg_score([*incidents, old_rfg], today=TODAY)
    assert (s_old.parts, s_old.incidents_24m, s_old.victims_24m, s_old.most_serious) == (
        s.parts, s.incidents_24m, s.victims_24m, s.most_serious)
    old_serial = SuspectIncident("OLD", months_before(TODAY, 36) - timedelta(days=extra_days), victim, offence)
    assert serial_perpetrator([*incidents, old_serial], today=TODAY) == serial_perpetrator(incidents, today=TODAY)


@settings(max_examples=100)
@given(incidents=incidents_st, data=st.data())
def test_results_do_not_depend_on_input_order(incidents, data):
    shuffled = data.draw(st.permutations(incidents))
    assert rfg_score(shuffled, today=TODAY) == rfg_score(incidents, today=TODAY)
    assert serial_perpetrator(shuffled, today=TODAY) == serial_perpetrator(incidents, today=TODAY)


parts_st = st.builds(
    score,
    recency=st.sampled_from([0, 5, 10, 15, 20]),
    frequency=st.sampled_from([0, 5, 10, 25]),
    gravity=st.sampled_from([0, 5, 20, 40]),
    victims=st.sampled_from([0, 10, 20]),
    latest=st.sampled_from([date(2026, 1, 1), date(2026, 6, 1)]),
)


@settings(max_examples=100)
@given(scores=st.dictionaries(st.sampled_from([f"S{n}" for n in range(12)]), parts_st, max_size=12),
       data=st.data())
def test_ranking_is_a_total_order_independent_of_input_order(scores, data):
    ranked = rank_perpetrators(scores)
    assert [r.rank for r in ranked] == list(range(1, len(scores) + 1))
    totals = [r.score.total for r in ranked]
    assert totals == sorted(totals, reverse=True)
    keys = data.draw(st.permutations(list(scores)))
    assert rank_perpetrators({k: scores[k] for k in keys}) == ranked
