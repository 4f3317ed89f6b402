"""Online scoring is the full re-link's scoring: same model, same probability for the same pair."""

from __future__ import annotations

import functools
from collections import Counter

import pytest

from tests.linkage.test_matching import synthetic_rows
from vigil.linkage import matching, online, prepare


@functools.cache
def trained_model():
    """A model trained once per test run on the small synthetic file (test_candidates uses it too),
    with every blocked pair that predict() scores, the prepared records and the surname frequencies."""
    rows, _truth = synthetic_rows()
    columns = prepare.prepare_rows(rows)
    linker = matching.trained_linker(columns, max_iterations=10, max_pairs=2e5)
    predictions = linker.inference.predict(warning_mode="never").as_record_list()
    document = matching.model_document(
        linker, matching.UK, records=len(rows), upper=matching.DEFAULT_UPPER, lower=matching.DEFAULT_LOWER
    )
    prepared = {
        record_id: {name: columns[name][i] for name in prepare.PREPARED_COLUMNS}
        for i, record_id in enumerate(columns["unique_id"])
    }
    # Splink's term frequency: a surname's share of the records that have a surname.
    surnames = Counter(name for name in columns["family_name"] if name)
    total = sum(surnames.values())
    tf = {name: count / total for name, count in surnames.items()}
    return document, predictions, prepared, tf


@pytest.fixture(scope="module")
def trained():
    return trained_model()


def test_a_pair_scores_online_as_predict_scores_it(trained):
    document, predictions, prepared, tf = trained
    assert len(predictions) > 50
    scorer = online.scorer_for(document["splink_settings"])
    by_left: dict[str, list[dict]] = {}
    for row in predictions:
        by_left.setdefault(str(row["unique_id_l"]), []).append(row)
    compared = 0
    for left_id, rows in by_left.items():
        candidates = [prepared[str(row["unique_id_r"])] for row in rows]
        scores = scorer.score(prepared[left_id], candidates, family_name_tf=tf)
        for row, scored in zip(rows, scores, strict=True):
            assert scored.unique_id == str(row["unique_id_r"])
            assert scored.match_probability == pytest.approx(row["match_probability"], abs=1e-9)
            assert scored.match_weight == pytest.approx(row["match_weight"], abs=1e-9)
            compared += 1
    assert compared == len(predictions)


def test_a_common_surname_says_less_than_a_rare_one(trained):
    """Surname frequencies are part of the model's scoring: the same pair agreeing on a common
    surname scores lower than agreeing on a rare one."""
    document, _predictions, _prepared, _tf = trained
    scorer = online.scorer_for(document["splink_settings"])
    left = prepare.prepare_row({"record_id": "a", "given_name": "Anne", "family_name": "Smith",
                                "date_of_birth": "1970-01-20", "postcode": "LE1 6ZZ", "address": "1 Oak Road"})
    right = prepare.prepare_row({"record_id": "b", "given_name": "Zoe", "family_name": "Smith",
                                 "date_of_birth": "1991-07-02", "postcode": "NG7 2RD", "address": "9 Elm Way"})
    (common,) = scorer.score(left, [right], family_name_tf={"smith": 0.2})
    (rare,) = scorer.score(left, [right], family_name_tf={"smith": 0.0001})
    assert rare.match_weight > common.match_weight


def test_the_scorer_is_kept_per_model(trained):
    document, *_ = trained
    assert online.scorer_for(document["splink_settings"]) is online.scorer_for(dict(document["splink_settings"]))


def test_no_candidates_scores_nothing(trained):
    document, _predictions, prepared, _tf = trained
    assert online.score(next(iter(prepared.values())), [], document["splink_settings"]) == []


def test_an_untrained_model_is_refused():
    with pytest.raises(ValueError):
        online.OnlineScorer(None)


@pytest.mark.parametrize(
    ("probability", "expected"),
    [(0.99, "link"), (0.95, "link"), (0.9499, "review"), (0.5, "review"), (0.4999, "new"), (0.0, "new")],
)
def test_band(probability, expected):
    assert online.band(probability, 0.95, 0.5) == expected


def test_band_with_equal_thresholds_has_no_review():
    assert online.band(0.8, 0.8, 0.8) == "link"
    assert online.band(0.79, 0.8, 0.8) == "new"


@pytest.mark.parametrize(("upper", "lower"), [(0.5, 0.9), (1.0, 0.5), (0.9, 0.0)])
def test_band_refuses_bad_thresholds(upper, lower):
    with pytest.raises(ValueError):
        online.band(0.7, upper, lower)
