"""Combining a re-link's scores with what people decided. Plain rules, no Django import.

The automatic re-link starts from the persons as they are (every record with the others of its
person: those groups hold every "same person" decision a reviewer made) and only joins groups:

- pairs at or above the upper threshold are taken strongest first, and join their two groups unless a
  reviewer said that any record of one group and any record of the other are different people;
- nothing is ever separated: splitting a person is a reviewer's decision alone.

So a human decision is never overridden: a merge stays merged, and a "different people" or a split
stays apart, however the model scores the pair.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

Record = Hashable
Group = Hashable


@dataclass(frozen=True)
class Join:
    """Two groups the re-link joined, on the strength of one pair."""

    group: Group  # the surviving group's key
    other: Group
    probability: float


@dataclass(frozen=True)
class Relink:
    joins: list[Join]  # in the order made
    blocked: list[tuple[Record, Record, float]]  # pairs over the threshold a human decision kept apart
    held: list[tuple[Record, Record, float]]  # pairs over the threshold left for a reviewer (see `exclusive`)
    groups: dict[Group, Group]  # every starting group -> the group it ends in


class _Groups:
    """Union-find over groups, each root carrying the set of roots it must never join."""

    def __init__(self, groups: Iterable[Group], sizes: Mapping[Group, int], exclusive: Iterable[Group] = ()):
        self.parent = {g: g for g in groups}
        self.size = {g: sizes.get(g, 1) for g in self.parent}
        self.apart: dict[Group, set[Group]] = {g: set() for g in self.parent}
        self.exclusive = {g for g in exclusive if g in self.parent}

    def root(self, group: Group) -> Group:
        parent = self.parent
        while parent[group] != group:
            parent[group] = parent[parent[group]]
            group = parent[group]
        return group

    def keep_apart(self, a: Group, b: Group) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra != rb:
            self.apart[ra].add(rb)
            self.apart[rb].add(ra)

    def may_join(self, ra: Group, rb: Group) -> bool:
        return rb not in self.apart[ra]

    def both_exclusive(self, ra: Group, rb: Group) -> bool:
        return ra in self.exclusive and rb in self.exclusive

    def join(self, ra: Group, rb: Group) -> tuple[Group, Group]:
        """Join two roots; the larger (then the smaller key) survives. Returns (survivor, joined)."""
        if self.size[rb] > self.size[ra] or (self.size[rb] == self.size[ra] and _order(rb) < _order(ra)):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        if rb in self.exclusive:
            self.exclusive.add(ra)
        for other in self.apart.pop(rb):
            self.apart[other].discard(rb)
            if other != ra:
                self.apart[other].add(ra)
                self.apart[ra].add(other)
        return ra, rb


def _order(group: Group):
    return (0, group) if isinstance(group, int) else (1, str(group))


def relink(
    group_of: Mapping[Record, Group],
    scored_pairs: Iterable[tuple[Record, Record, float]],
    *,
    upper: float,
    kept_apart: Iterable[tuple[Record, Record]] = (),
    exclusive: Iterable[Group] = (),
) -> Relink:
    """Join the starting groups (`group_of`: record -> its current person) along pairs scored at or above
    `upper`, strongest first, never across a `kept_apart` pair of records. Two groups both marked
    `exclusive` (say, each with its own safe-contact arrangement) are never joined automatically: the pair
    is `held` for a reviewer."""
    sizes: dict[Group, int] = {}
    for group in group_of.values():
        sizes[group] = sizes.get(group, 0) + 1
    groups = _Groups(sizes, sizes, exclusive)
    for a, b in kept_apart:
        if a in group_of and b in group_of:
            groups.keep_apart(group_of[a], group_of[b])
    strong = sorted(
        ((p, a, b) for a, b, p in scored_pairs if p >= upper and a in group_of and b in group_of),
        key=lambda item: (-item[0], _order(item[1]), _order(item[2])),
    )
    joins: list[Join] = []
    blocked: list[tuple[Record, Record, float]] = []
    held: list[tuple[Record, Record, float]] = []
    for probability, a, b in strong:
        ra, rb = groups.root(group_of[a]), groups.root(group_of[b])
        if ra == rb:
            continue
        if not groups.may_join(ra, rb):
            blocked.append((a, b, probability))
            continue
        if groups.both_exclusive(ra, rb):
            held.append((a, b, probability))
            continue
        survivor, joined = groups.join(ra, rb)
        joins.append(Join(survivor, joined, probability))
    return Relink(joins=joins, blocked=blocked, held=held, groups={g: groups.root(g) for g in sizes})


def pairs_for_review(
    group_of: Mapping[Record, Group],
    final_group: Mapping[Group, Group],
    scored_pairs: Iterable[tuple[Record, Record, float]],
    *,
    lower: float,
    upper: float,
    kept_apart: Iterable[tuple[Record, Record]] = (),
) -> dict[tuple[Group, Group], tuple[Record, Record, float]]:
    """The strongest pair between the lower and upper thresholds for each two persons that still differ
    after the re-link and that no reviewer has already kept apart. Keyed by the two final groups."""
    apart = {frozenset((group_of[a], group_of[b])) for a, b in kept_apart if a in group_of and b in group_of}
    apart_final = {frozenset(final_group[g] for g in pair) for pair in apart}
    best: dict[tuple[Group, Group], tuple[Record, Record, float]] = {}
    for a, b, p in scored_pairs:
        if not (lower <= p < upper) or a not in group_of or b not in group_of:
            continue
        ga, gb = final_group[group_of[a]], final_group[group_of[b]]
        if ga == gb or frozenset((ga, gb)) in apart_final:
            continue
        key = (ga, gb) if _order(ga) <= _order(gb) else (gb, ga)
        if key not in best or p > best[key][2]:
            best[key] = (a, b, p)
    return best
