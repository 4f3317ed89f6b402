"""The re-link works inside people's decisions: it joins, never separates, and never joins what a reviewer
kept apart, however strong the model's score."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.linkage import clustering


def _components(group_of, pairs, upper):
    """Reference: connected components of the starting groups plus every pair at or above `upper`."""
    parent = {g: g for g in set(group_of.values())}

    def root(g):
        while parent[g] != g:
            g = parent[g]
        return g

    for a, b, p in pairs:
        if p >= upper:
            ra, rb = root(group_of[a]), root(group_of[b])
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return {g: root(g) for g in parent}


def _same_partition(x: dict, y: dict) -> bool:
    return all((x[a] == x[b]) == (y[a] == y[b]) for a in x for b in x)


def test_strong_pairs_join_persons_strongest_first():
    group_of = {1: "p1", 2: "p2", 3: "p3"}
    result = clustering.relink(group_of, [(1, 2, 0.99), (2, 3, 0.97), (1, 3, 0.4)], upper=0.95)
    assert len({result.groups[g] for g in ("p1", "p2", "p3")}) == 1
    assert [j.probability for j in result.joins] == [0.99, 0.97]


def test_kept_apart_pair_is_never_joined_even_through_a_third_record():
    group_of = {1: 10, 2: 20, 3: 30}
    # 1 and 2 were kept apart by a reviewer; 3 matches both strongly.
    result = clustering.relink(group_of, [(1, 3, 0.99), (2, 3, 0.98)], upper=0.95, kept_apart=[(1, 2)])
    assert result.groups[10] == result.groups[30]
    assert result.groups[20] != result.groups[10]
    assert result.blocked == [(2, 3, 0.98)]


def test_exclusive_groups_are_held_for_a_reviewer():
    result = clustering.relink({1: 1, 2: 2}, [(1, 2, 0.999)], upper=0.95, exclusive={1, 2})
    assert result.joins == [] and result.held == [(1, 2, 0.999)]
    assert clustering.relink({1: 1, 2: 2}, [(1, 2, 0.999)], upper=0.95, exclusive={1}).joins


def test_pairs_for_review_takes_the_strongest_middle_pair_per_two_persons():
    group_of = {1: 1, 2: 1, 3: 3, 4: 4}
    final = {1: 1, 3: 3, 4: 4}
    found = clustering.pairs_for_review(group_of, final, [(1, 3, 0.6), (2, 3, 0.8), (3, 4, 0.97), (1, 2, 0.7)],
                                        lower=0.5, upper=0.95)
    assert found == {(1, 3): (2, 3, 0.8)}  # 3-4 is above the band; 1-2 are already one person
    assert clustering.pairs_for_review(group_of, final, [(2, 3, 0.8)], lower=0.5, upper=0.95,
                                       kept_apart=[(1, 3)]) == {}


records = st.integers(min_value=0, max_value=14)
scored = st.lists(st.tuples(records, records, st.floats(min_value=0, max_value=1)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(starting=st.lists(st.integers(min_value=0, max_value=5), min_size=15, max_size=15),
       pairs=scored, apart=st.lists(st.tuples(records, records), max_size=6))
def test_a_human_decision_is_never_overridden(starting, pairs, apart):
    group_of = dict(enumerate(starting))  # record -> the person it starts in (people joined these)
    pairs = [(a, b, p) for a, b, p in pairs if a != b]
    apart = [(a, b) for a, b in apart if group_of[a] != group_of[b]]  # a reviewer kept their persons apart
    result = clustering.relink(group_of, pairs, upper=0.9, kept_apart=apart)
    final = {r: result.groups[g] for r, g in group_of.items()}
    # Never separated: records of one person stay together.
    for a in group_of:
        for b in group_of:
            if group_of[a] == group_of[b]:
                assert final[a] == final[b]
    # Never joined against a "different people" decision.
    for a, b in apart:
        assert final[a] != final[b]
    # With no decisions, the re-link is plain connected components over the strong pairs.
    if not apart:
        assert _same_partition(result.groups, _components(group_of, pairs, 0.9))
