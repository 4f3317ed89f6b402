"""The agenda of a MARAC meeting (plain rules, no database)."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.marac.actions import Action, ActionStatus
from vigil.marac.agenda import Criterion, ReferralIn, build_agenda, is_repeat
from vigil.marac.schedule import meeting_dates, meeting_for_referral, referral_cut_off

MEETING = date(2026, 1, 20)  # a Tuesday
CUT_OFF = date(2026, 1, 13)  # five working days before


def referral(id, victim_key, received_on, heard_on=None, *, yes_count=None, agency="police"):
    return ReferralIn(
        id=id,
        victim_key=victim_key,
        received_on=received_on,
        heard_on=heard_on,
        criteria={Criterion.VISIBLE_HIGH_RISK},
        source_agency=agency,
        yes_count=yes_count,
    )


def action(id, victim_key, due_on, status=ActionStatus.OPEN, closed_on=None, set_on=date(2026, 1, 6)):
    return Action(
        id=id,
        victim_key=victim_key,
        agency="Housing",
        set_on=set_on,
        due_on=due_on,
        status=status,
        closed_on=closed_on,
    )


def case_for(agenda, victim_key):
    (case,) = [c for c in agenda.cases if c.victim_key == victim_key]
    return case


def test_a_referral_on_the_cut_off_day_is_heard_and_one_the_day_after_waits():
    on_time = referral("r1", "v1", CUT_OFF)
    late = referral("r2", "v2", CUT_OFF + timedelta(days=1))
    agenda = build_agenda([on_time, late], [], MEETING, CUT_OFF)
    assert [c.victim_key for c in agenda.cases] == ["v1"]
    assert agenda.cases[0].referrals == (on_time,)
    assert agenda.waiting == (late,)


def test_referrals_heard_at_an_earlier_meeting_are_left_out():
    agenda = build_agenda(
        [referral("r1", "v1", date(2025, 12, 22), heard_on=date(2026, 1, 6))], [], MEETING, CUT_OFF
    )
    assert agenda.cases == () and agenda.waiting == ()


def test_an_agenda_rebuilt_later_keeps_late_additions_and_deferred_cases():
    late_addition = referral("r1", "v1", date(2026, 1, 15), heard_on=MEETING)
    deferred = referral("r2", "v2", date(2026, 1, 10), heard_on=date(2026, 2, 3))
    waited = referral("r3", "v3", date(2026, 1, 15), heard_on=date(2026, 2, 3))
    agenda = build_agenda([late_addition, deferred, waited], [], MEETING, CUT_OFF)
    assert sorted(c.victim_key for c in agenda.cases) == ["v1", "v2"]
    assert agenda.waiting == (waited,)


def test_a_repeat_is_a_referral_within_twelve_months_of_the_last_exactly_twelve_months_counts():
    previous = referral("p1", "v1", date(2025, 1, 13), heard_on=date(2025, 1, 20))
    current = referral("r1", "v1", date(2026, 1, 13))  # 365 days later
    agenda = build_agenda([current], [], MEETING, CUT_OFF, [previous])
    assert agenda.cases[0].repeat is True


def test_one_day_over_twelve_months_is_a_new_referral():
    previous = referral("p1", "v1", date(2025, 1, 12), heard_on=date(2025, 1, 20))
    current = referral("r1", "v1", date(2026, 1, 13))  # 366 days later
    agenda = build_agenda([current], [], MEETING, CUT_OFF, [previous])
    assert agenda.cases[0].repeat is False


def test_the_repeat_rule_looks_at_the_same_victim_and_the_latest_earlier_referral():
    history = [
        referral("p1", "v2", date(2025, 6, 1)),  # another victim
        referral("p2", "v1", date(2024, 6, 1)),  # too long ago
        referral("p3", "v1", date(2026, 2, 1)),  # after this one
    ]
    assert not is_repeat([referral("r1", "v1", date(2026, 1, 13))], history)
    history.append(referral("p4", "v1", date(2025, 2, 1)))
    assert is_repeat([referral("r1", "v1", date(2026, 1, 13))], history)
    # Another referral the same day, heard apart from this one (at a meeting that day), is an earlier one.
    same_day = [referral("p5", "v1", date(2026, 1, 13), heard_on=date(2026, 1, 13))]
    assert is_repeat([referral("r1", "v1", date(2026, 1, 13))], same_day)


def test_referrals_for_one_victim_on_one_agenda_are_one_case_and_not_repeats_of_each_other():
    first = referral("r1", "v1", date(2026, 1, 5), agency="police")
    second = referral("r2", "v1", date(2026, 1, 12), agency="IDVA service")
    agenda = build_agenda([second, first], [], MEETING, CUT_OFF, [first, second])
    assert len(agenda.cases) == 1
    assert agenda.cases[0].referrals == (first, second)
    assert agenda.cases[0].repeat is False


def test_open_actions_from_earlier_meetings_come_back_with_their_case():
    overdue = action("a1", "v1", date(2026, 1, 13))
    not_yet_due = action("a2", "v1", date(2026, 2, 1))
    done = action("a3", "v1", date(2026, 1, 13), ActionStatus.DONE, date(2026, 1, 12))
    set_at_this_meeting = action("a4", "v1", date(2026, 2, 3), set_on=MEETING)
    review_only = action("a5", "v9", date(2026, 1, 16))
    agenda = build_agenda(
        [referral("r1", "v1", date(2026, 1, 12))],
        [not_yet_due, overdue, done, set_at_this_meeting, review_only],
        MEETING,
        CUT_OFF,
    )
    assert case_for(agenda, "v1").actions == (overdue, not_yet_due)
    back_for_actions = case_for(agenda, "v9")
    assert back_for_actions.referrals == () and back_for_actions.actions == (review_only,)
    assert back_for_actions.repeat is False


def test_the_running_order_repeats_then_highest_count_then_longest_waiting_then_action_reviews():
    history = [referral("p1", "repeat", date(2025, 9, 1), heard_on=date(2025, 9, 9))]
    referrals = [
        referral("r1", "repeat", date(2026, 1, 12), yes_count=10),
        referral("r2", "high later", date(2026, 1, 9), yes_count=20),
        referral("r3", "unknown count", date(2026, 1, 2)),
        referral("r4", "high earlier", date(2026, 1, 7), yes_count=20),
        referral("r5", "lower", date(2026, 1, 2), yes_count=14),
    ]
    actions = [
        action("a1", "review later", date(2026, 1, 30)),
        action("a2", "review sooner", date(2026, 1, 16)),
    ]
    agenda = build_agenda(referrals, actions, MEETING, CUT_OFF, history)
    assert [c.victim_key for c in agenda.cases] == [
        "repeat",
        "high earlier",
        "high later",
        "lower",
        "unknown count",
        "review sooner",
        "review later",
    ]


def test_a_cut_off_after_the_meeting_is_refused():
    with pytest.raises(ValueError):
        build_agenda([], [], MEETING, MEETING + timedelta(days=1))


def test_a_referral_names_known_criteria():
    r = ReferralIn("r1", "v1", date(2026, 1, 1), None, ["professional_judgement"], "police")
    assert r.criteria == frozenset({Criterion.PROFESSIONAL_JUDGEMENT})
    with pytest.raises(ValueError):
        ReferralIn("r1", "v1", date(2026, 1, 1), None, ["a hunch"], "police")
    with pytest.raises(ValueError):
        ReferralIn("r1", "v1", date(2026, 1, 1), None, [], "police")
    with pytest.raises(ValueError):
        ReferralIn("r1", "v1", date(2026, 1, 10), date(2026, 1, 6), ["repeat_marac"], "police")


ANCHOR = date(2026, 1, 6)
FIRST_DAY = date(2025, 12, 1)


@settings(max_examples=75, deadline=None)
@given(
    every_days=st.sampled_from([14, 28]),
    working_days_before=st.integers(min_value=0, max_value=8),
    received=st.lists(
        st.tuples(st.integers(min_value=0, max_value=150), st.sampled_from(["v1", "v2", "v3", "v4"])),
        max_size=25,
    ),
)
def test_every_referral_lands_on_exactly_one_agenda_the_first_whose_cut_off_it_meets(
    every_days, working_days_before, received
):
    pending = [
        referral(f"r{i}", victim, FIRST_DAY + timedelta(days=day)) for i, (day, victim) in enumerate(received)
    ]
    heard_at: dict[str, list[date]] = {}
    history: list[ReferralIn] = []
    last_cut_off = FIRST_DAY
    for meeting in meeting_dates(ANCHOR, every_days, FIRST_DAY, FIRST_DAY + timedelta(days=200)):
        cut_off = referral_cut_off(meeting, working_days_before=working_days_before)
        agenda = build_agenda(pending, [], meeting, cut_off, history)
        heard = [r for case in agenda.cases for r in case.referrals]
        for r in heard:
            heard_at.setdefault(r.id, []).append(meeting)
        heard_ids = {r.id for r in heard}
        assert {r.id for r in agenda.waiting} == {r.id for r in pending} - heard_ids
        history += [replace(r, heard_on=meeting) for r in heard]
        pending = [r for r in pending if r.id not in heard_ids]
        last_cut_off = cut_off
    for r in history + pending:
        if r.received_on <= last_cut_off:
            assert heard_at[r.id] == [
                meeting_for_referral(
                    r.received_on, ANCHOR, every_days, working_days_before=working_days_before
                )
            ]
        else:
            assert r.id not in heard_at
