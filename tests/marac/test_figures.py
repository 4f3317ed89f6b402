"""MARAC figures for a period (plain rules, no database). Answers worked out by hand in the comments."""

from datetime import date

import pytest

from vigil.marac.actions import Action, ActionStatus
from vigil.marac.agenda import Criterion, ReferralIn
from vigil.marac.figures import RECOMMENDED_CASES_A_YEAR_PER_10K_WOMEN, marac_figures

START, END = date(2025, 4, 1), date(2026, 3, 31)  # 365 days
POLICE = {"police"}


def referral(id, victim_key, received_on, heard_on, agency):
    return ReferralIn(id, victim_key, received_on, heard_on, {Criterion.PROFESSIONAL_JUDGEMENT}, agency)


def action(id, due_on, status=ActionStatus.OPEN, closed_on=None):
    return Action(id, "v1", "Housing", date(2025, 4, 1), due_on, status, closed_on)


REFERRALS = [
    referral("h0", "v1", date(2024, 12, 1), date(2024, 12, 10), "police"),  # before the period
    referral("r1", "v1", date(2025, 5, 1), date(2025, 5, 13), "police"),  # repeat: h0 five months before
    referral("r2", "v2", date(2025, 6, 2), date(2025, 6, 10), "idva"),  # r2 and r3 heard together: one case
    referral("r3", "v2", date(2025, 6, 3), date(2025, 6, 10), "housing"),
    referral("r4", "v3", date(2025, 9, 1), date(2025, 9, 9), "police"),
    # r5 is received in the period and heard after it; r6 received before the period and heard in it.
    referral("r5", "v3", date(2026, 3, 20), date(2026, 4, 7), "police"),
    referral("r6", "v4", date(2025, 3, 25), date(2025, 4, 8), "health"),
]
ACTIONS = [
    action("a1", date(2025, 5, 27), ActionStatus.DONE, date(2025, 5, 27)),  # on time (the due day)
    action("a2", date(2025, 6, 24), ActionStatus.DONE, date(2025, 6, 25)),  # a day late
    action("a3", date(2025, 9, 23)),  # still open: not on time
    # a4 was cancelled (circumstances changed): left out.
    action("a4", date(2025, 10, 1), ActionStatus.CANCELLED, date(2025, 9, 30)),
    action("a5", date(2026, 4, 21), ActionStatus.DONE, date(2026, 4, 1)),  # due after the period
]


def test_cases_heard_and_the_repeat_rate():
    figures = marac_figures(REFERRALS, ACTIONS, START, END, women_aged_16_plus=2_000, police_agencies=POLICE)
    # Cases: v4 on 8 April, v1 on 13 May (repeat), v2 on 10 June (two referrals), v3 on 9 September.
    assert figures.cases_heard == 4
    assert figures.repeat_cases == 1
    assert figures.repeat_rate.value == pytest.approx(0.25)


def test_referrals_by_agency_police_and_partners():
    figures = marac_figures(REFERRALS, ACTIONS, START, END, women_aged_16_plus=2_000, police_agencies=POLICE)
    # Received in the period: r1, r4, r5 (police), r2 (idva), r3 (housing).
    assert figures.referrals_received == 5
    assert [(a.agency, a.police, a.count, a.share.value) for a in figures.referrals_by_agency] == [
        ("police", True, 3, pytest.approx(0.6)),
        ("housing", False, 1, pytest.approx(0.2)),
        ("idva", False, 1, pytest.approx(0.2)),
    ]
    assert (figures.police_referrals, figures.partner_referrals) == (3, 2)
    assert figures.police_share.value == pytest.approx(0.6)
    assert figures.partner_share.value == pytest.approx(0.4)


def test_actions_completed_on_time():
    figures = marac_figures(REFERRALS, ACTIONS, START, END, women_aged_16_plus=2_000, police_agencies=POLICE)
    # Due in the period and not cancelled: a1 (on time), a2 (late), a3 (open).
    assert (figures.actions_due, figures.actions_on_time) == (3, 1)
    assert figures.actions_on_time_share.value == pytest.approx(1 / 3)


def test_volume_per_10000_women_against_the_recommended_level():
    assert RECOMMENDED_CASES_A_YEAR_PER_10K_WOMEN == 40
    figures = marac_figures(REFERRALS, ACTIONS, START, END, women_aged_16_plus=2_000, police_agencies=POLICE)
    # 4 cases for 2,000 women in a year: 20 per 10,000, half the recommended 40.
    assert figures.cases_a_year_per_10k_women.value == pytest.approx(20)
    assert figures.share_of_recommended_volume.value == pytest.approx(0.5)


def test_a_shorter_period_is_scaled_to_a_year():
    figures = marac_figures(
        REFERRALS, ACTIONS, START, date(2025, 9, 30), women_aged_16_plus=2_000, police_agencies=POLICE
    )
    # April to September is 183 days, with the same 4 cases: 20 per 10,000 for 183 days, 20 × 365 / 183 a year.
    assert figures.cases_heard == 4
    assert figures.cases_a_year_per_10k_women.value == pytest.approx(20 * 365 / 183)


def test_nothing_to_divide_by_gives_no_value_and_a_reason():
    quiet = date(2027, 1, 1), date(2027, 1, 31)
    figures = marac_figures(REFERRALS, ACTIONS, *quiet, women_aged_16_plus=None, police_agencies=POLICE)
    assert figures.cases_heard == 0 and figures.referrals_received == 0 and figures.actions_due == 0
    assert figures.repeat_rate.value is None and "no cases" in figures.repeat_rate.reason
    assert figures.police_share.value is None and "no referrals" in figures.police_share.reason
    assert figures.partner_share.value is None and figures.partner_share.reason
    assert (
        figures.actions_on_time_share.value is None and "no actions" in figures.actions_on_time_share.reason
    )
    assert figures.cases_a_year_per_10k_women.value is None
    assert "not known" in figures.cases_a_year_per_10k_women.reason
    assert figures.share_of_recommended_volume.value is None and figures.share_of_recommended_volume.reason
    no_women = marac_figures(REFERRALS, ACTIONS, START, END, women_aged_16_plus=0, police_agencies=POLICE)
    assert no_women.cases_a_year_per_10k_women.value is None
    assert "0" in no_women.cases_a_year_per_10k_women.reason


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        marac_figures([], [], END, START, women_aged_16_plus=1, police_agencies=POLICE)
