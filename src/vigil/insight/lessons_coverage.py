"""Briefing coverage: of the users a briefing is addressed to, how many in each team have read it.
Plain rules, no Django import.

A team's row counts its members the briefing is addressed to (by role or by team) and how many of them
have acknowledged it. A user in two teams counts in both rows and once in the total; addressed users
in no team have a row of their own.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

NO_TEAM = None  # the key of the row for addressed users who belong to no team


def percent(part: int, whole: int) -> int | None:
    """`part` as a whole percentage of `whole`, halves rounded up; None when `whole` is 0 (nobody to count)."""
    if whole <= 0:
        return None
    return (200 * part + whole) // (2 * whole)


@dataclass(frozen=True)
class Coverage:
    team: object  # a team key (an id, or NO_TEAM) or a team, as the caller gave it
    addressed: int
    acknowledged: int

    @property
    def percent(self) -> int | None:
        return percent(self.acknowledged, self.addressed)

    @property
    def outstanding(self) -> int:
        return self.addressed - self.acknowledged


@dataclass(frozen=True)
class BriefingCoverage:
    teams: tuple[Coverage, ...]
    total: Coverage


def coverage_by_team(memberships: Iterable[tuple[object, object]], acknowledged: Iterable[object],
                     *, team_order: Mapping[object, int] | None = None) -> BriefingCoverage:
    """Coverage from (user key, team key or NO_TEAM) pairs for every addressed user (one pair per team
    they are in; NO_TEAM for a user in none) and the keys of the users who acknowledged.

    Rows are in `team_order` (team key to position) when given, else in order of first appearance; the
    no-team row comes last. Acknowledgements by users not addressed are not counted."""
    read = set(acknowledged)
    by_team: dict[object, set] = {}
    everyone: set = set()
    for user, team in memberships:
        everyone.add(user)
        by_team.setdefault(team, set()).add(user)
    # A user with a team and also a NO_TEAM pair (an outer join's artefact) belongs to their teams only.
    in_a_team = set().union(*(users for team, users in by_team.items() if team is not NO_TEAM)) if by_team else set()
    if NO_TEAM in by_team:
        by_team[NO_TEAM] -= in_a_team
        if not by_team[NO_TEAM]:
            del by_team[NO_TEAM]
    order = dict(team_order or {})
    appearance = {team: position for position, team in enumerate(by_team)}
    keys = sorted((t for t in by_team if t is not NO_TEAM),
                  key=lambda t: (order.get(t, len(order) + appearance[t]),))
    if NO_TEAM in by_team:
        keys.append(NO_TEAM)
    rows = tuple(Coverage(team=t, addressed=len(by_team[t]), acknowledged=len(by_team[t] & read)) for t in keys)
    return BriefingCoverage(teams=rows, total=Coverage(team="all", addressed=len(everyone),
                                                       acknowledged=len(everyone & read)))
