"""The Python scorer gives Splink's own scores: every pair of the test file, every comparison level."""

from __future__ import annotations

import itertools
import random

import pytest

from tests.linkage.test_online import trained_model
from vigil.linkage import online, pair_scoring, prepare


@pytest.fixture(scope="module")
def trained():
    return trained_model()


def _slipped(rng: random.Random, row: dict) -> dict:
    """A copy with the slips that reach the rarer levels: swaps, nicknames, day and month swapped."""
    copy = dict(row)
    kind = rng.randrange(7)
    if kind == 5:
        copy["given_name"] = copy["family_name"] = None
    elif kind == 6 and row["given_name"] and row["family_name"]:  # two slips in each name
        copy["given_name"] = row["given_name"][:-2] + "xy"
        copy["family_name"] = row["family_name"][:2] + "q" + row["family_name"][3:-1] + "z"
    elif kind == 0 and row["given_name"] and row["family_name"]:
        copy["given_name"], copy["family_name"] = row["family_name"], row["given_name"]
    elif kind == 1 and row["date_of_birth"]:
        year, month, day = row["date_of_birth"].split("-")
        if int(day) <= 12:
            copy["date_of_birth"] = f"{year}-{day}-{month}"
    elif kind == 2:
        copy["given_name"] = {"elizabeth": "liz", "william": "bill", "margaret": "maggie"}.get(
            (row["given_name"] or "").lower(), (row["given_name"] or "") + "e")
    elif kind == 3:
        copy["postcode"] = None
        copy["address"] = None
    else:
        copy["phone"] = None
    return copy


def _with_slips(prepared: dict) -> list[dict]:
    rng = random.Random(5)
    records = list(prepared.values())
    records += [{**_slipped(rng, row), "unique_id": f"slip-{i}"} for i, row in enumerate(records)]
    # Both names alike (Jaro-Winkler 0.886 and 0.858) without sounding alike: the "0.85" level.
    for record_id, given, family in (("alike-1", "Rebecca", "Clarke"), ("alike-2", "Rebekah", "Clerk")):
        records.append(prepare.prepare_row({"record_id": record_id, "given_name": given, "family_name": family,
                                            "date_of_birth": "1980-02-03", "postcode": "LE1 6ZZ"}))
    return records


def test_every_pair_scores_in_python_as_in_splinks_sql(trained):
    document, _predictions, prepared, tf = trained
    scorer = online.OnlineScorer(document["splink_settings"])
    assert scorer._pairs is not None  # the Python scorer reads Vigil's model
    records = _with_slips(prepared)
    compared = 0
    for left in records[::3]:
        candidates = [right for right in records if right["unique_id"] != left["unique_id"]]
        in_python = scorer.score(left, candidates, family_name_tf=tf)
        in_sql = scorer.score(left, candidates, family_name_tf=tf, use_sql=True)
        for python, sql in zip(in_python, in_sql, strict=True):
            assert python.unique_id == sql.unique_id
            assert python.match_weight == pytest.approx(sql.match_weight, abs=1e-9)
            assert python.match_probability == pytest.approx(sql.match_probability, abs=1e-9)
            compared += 1
    assert compared > 5_000


def test_the_pairs_compared_reach_every_trained_level(trained):
    """So the test above is not passing on the commonest levels alone."""
    document, _predictions, prepared, tf = trained
    scorer = online.OnlineScorer(document["splink_settings"])
    records = _with_slips(prepared)
    reached: set[tuple[int, int]] = set()
    rows = [online._scored_row(record, tf) for record in records]
    for left, right in itertools.combinations(rows, 2):
        for c, levels in enumerate(scorer._pairs._comparisons):
            for index, level in enumerate(levels):
                if level.matches(left, right):
                    reached.add((c, index))
                    break
    names, dob, location, phone, _identifier = (len(levels) for levels in scorer._pairs._comparisons)
    wanted = {(0, i) for i in range(names)} | {(1, i) for i in range(dob)} | {(2, i) for i in range(location)}
    wanted |= {(3, i) for i in range(phone)}
    wanted -= {(2, 3)}  # same address with a postcode slip: the test file has no such pair
    assert wanted <= reached


@pytest.mark.parametrize(
    ("sql", "left", "right", "expected"),
    [
        ('"a_l" = "a_r"', {"a": "x"}, {"a": "x"}, True),
        ('"a_l" = "a_r"', {"a": "x"}, {"a": None}, None),  # NULL, so the level does not apply
        ('"a_l" IS NULL OR "a_r" IS NULL', {"a": "x"}, {"a": None}, True),
        ('("a_l" = "a_r") OR ("b_l" = "b_r")', {"a": None, "b": "y"}, {"a": "x", "b": "y"}, True),
        ('("a_l" = "a_r") OR ("b_l" = "b_r")', {"a": None, "b": "y"}, {"a": "x", "b": "z"}, None),
        ('("a_l" = "a_r") AND ("b_l" = "b_r")', {"a": None, "b": "y"}, {"a": "x", "b": "z"}, False),
        ("jaro_winkler_similarity(a_l, a_r) >= 0.92", {"a": "smith"}, {"a": "smyth"}, False),
        ("jaro_winkler_similarity(a_l, a_r) >= 0.85", {"a": "smith"}, {"a": "smyth"}, True),
        ("damerau_levenshtein(a_l, a_r) <= 1", {"a": "1985-03-12"}, {"a": "1985-03-21"}, True),
        ("substr(a_l, 6, 2) = substr(a_r, 9, 2)", {"a": "1985-03-12"}, {"a": "1985-12-03"}, True),
        ("array_length(list_intersect(a_l, a_r)) >= 1", {"a": ["elizabeth"]}, {"a": ["eliza", "elizabeth"]}, True),
        ("array_length(list_intersect(a_l, a_r)) >= 1", {"a": ["elizabeth"]}, {"a": None}, None),
    ],
)
def test_conditions_follow_sqls_rules(sql, left, right, expected):
    assert pair_scoring.compile_condition(sql)(left, right) is expected


def test_a_condition_it_cannot_read_is_refused_not_guessed():
    with pytest.raises(pair_scoring.Unsupported):
        pair_scoring.compile_condition("levenshtein(a_l, a_r) <= 1")
    with pytest.raises(pair_scoring.Unsupported):
        pair_scoring.compile_condition('"a_l" = "a"')  # neither side's column


def test_two_empty_strings_are_as_unlike_as_duckdb_says():
    assert pair_scoring.compile_condition("jaro_winkler_similarity(a_l, a_r) >= 0.5")({"a": ""}, {"a": ""}) is False


def test_the_scorer_falls_back_to_splinks_sql_for_a_model_it_cannot_read(trained, monkeypatch):
    document, *_ = trained

    def refuse(sql):
        raise pair_scoring.Unsupported("not this one")

    monkeypatch.setattr(pair_scoring, "compile_condition", refuse)
    scorer = online.OnlineScorer(document["splink_settings"])
    assert scorer._pairs is None
    left = prepare.prepare_row({"record_id": "a", "given_name": "Anne", "family_name": "Okafor",
                                "date_of_birth": "1970-01-20", "postcode": "LE1 6ZZ", "address": "1 Oak Road"})
    right = prepare.prepare_row({"record_id": "b", "given_name": "Ann", "family_name": "Okafor",
                                 "date_of_birth": "1970-01-20", "postcode": "LE1 6ZZ", "address": "1 Oak Rd"})
    (scored,) = scorer.score(left, [right])
    assert scored.match_probability > 0.9
