"""Briefing coverage per team, the plain rule: counts and percentages on hand-made data."""

from vigil.insight.lessons_coverage import NO_TEAM, coverage_by_team, percent


def test_percent_rounds_halves_up_and_is_none_with_nobody_to_count():
    assert percent(0, 3) == 0
    assert percent(1, 3) == 33
    assert percent(2, 3) == 67
    assert percent(1, 8) == 13  # 12.5 rounds up
    assert percent(3, 3) == 100
    assert percent(0, 0) is None


def test_each_team_counts_its_addressed_members_and_a_user_in_two_teams_counts_once_in_the_total():
    memberships = [("ann", "a"), ("bob", "a"), ("cat", "a"), ("bob", "b"), ("dan", "b"), ("eve", NO_TEAM)]
    result = coverage_by_team(memberships, {"bob", "eve", "zed"})  # zed read it but is not addressed
    rows = {row.team: (row.addressed, row.acknowledged, row.percent) for row in result.teams}
    assert rows == {"a": (3, 1, 33), "b": (2, 1, 50), NO_TEAM: (1, 1, 100)}
    assert (result.total.addressed, result.total.acknowledged, result.total.percent) == (5, 2, 40)
    assert [row.team for row in result.teams][-1] is NO_TEAM  # the no-team row comes last


def test_a_no_team_pair_for_a_user_with_a_team_is_ignored_and_order_follows_the_given_order():
    memberships = [("ann", NO_TEAM), ("ann", "b"), ("bob", NO_TEAM), ("bob", "a")]
    result = coverage_by_team(memberships, set(), team_order={"a": 0, "b": 1})
    assert [(row.team, row.addressed, row.outstanding) for row in result.teams] == [("a", 1, 1), ("b", 1, 1)]


def test_nobody_addressed_gives_no_rows_and_no_percentage():
    result = coverage_by_team([], {"ann"})
    assert result.teams == ()
    assert result.total.addressed == 0 and result.total.percent is None
