"""The history-based risk model: it finds planted effects, meets closed-form answers, explains itself."""

import json
import math
from datetime import date

import numpy as np
import pytest

from vigil.evaluation import history_model
from vigil.evaluation.history_model import HistoryModel

FEATURES = ["previous_incidents_as_victim", "days_since_last_incident", "unrelated_noise"]
PLANTED_INTERCEPT = -0.5
PLANTED_EFFECTS = {  # log-odds per unit of each feature, as recorded
    "previous_incidents_as_victim": 0.5,
    "days_since_last_incident": -0.005,
    "unrelated_noise": 0.0,
}


def synthetic_history(people: int = 2000, seed: int = 11) -> tuple[list[dict[str, float]], np.ndarray]:
    """People whose harm depends on their history as planted above, and not at all on the noise."""
    rng = np.random.default_rng(seed)
    columns = {
        "previous_incidents_as_victim": rng.poisson(2, people).astype(float),
        "days_since_last_incident": rng.exponential(180, people),
        "unrelated_noise": rng.normal(0, 1, people),
    }
    log_odds = PLANTED_INTERCEPT + sum(PLANTED_EFFECTS[name] * columns[name] for name in FEATURES)
    outcomes = rng.random(people) < 1 / (1 + np.exp(-log_odds))
    rows = [{name: float(columns[name][i]) for name in FEATURES} for i in range(people)]
    return rows, outcomes


@pytest.fixture(scope="module")
def history():
    return synthetic_history()


@pytest.fixture(scope="module")
def model(history):
    rows, outcomes = history
    return history_model.fit(rows, outcomes, FEATURES, penalty=1.0)


def effect_per_unit(model: HistoryModel, name: str) -> float:
    """A standardised coefficient back on the scale the feature was recorded in."""
    index = model.feature_names.index(name)
    return model.coefficients[index] / model.scales[index]


def test_the_model_recovers_the_sign_and_rough_size_of_planted_effects(model):
    victim = effect_per_unit(model, "previous_incidents_as_victim")
    days = effect_per_unit(model, "days_since_last_incident")
    assert victim == pytest.approx(0.5, rel=0.3)
    assert days == pytest.approx(-0.005, rel=0.3)
    assert abs(model.coefficients[FEATURES.index("unrelated_noise")]) < 0.15


def test_time_since_the_last_incident_is_the_strongest_signal_as_planted(model):
    # Standardised planted sizes: 0.5 * sd 1.41 = 0.71 for incidents, -0.005 * sd 180 = -0.9 for days.
    strongest = max(zip(model.coefficients, model.feature_names, strict=True), key=lambda pair: abs(pair[0]))
    assert strongest[1] == "days_since_last_incident"


def test_a_single_binary_feature_meets_the_closed_form_answer():
    # Without a penalty, logistic regression on one 0/1 feature reproduces each group's observed rate:
    # 20 of 100 harmed without the marker, 50 of 100 with it. The log odds ratio is
    # logit(0.5) - logit(0.2) = 0 - log(0.25) = log 4 = 1.386.
    rows = [{"marker": 0.0}] * 100 + [{"marker": 1.0}] * 100
    outcomes = [1] * 20 + [0] * 80 + [1] * 50 + [0] * 50
    fitted = history_model.fit(rows, outcomes, ["marker"], penalty=1e-9)
    assert fitted.predict_probability([{"marker": 0.0}, {"marker": 1.0}]) == pytest.approx(
        [0.2, 0.5], abs=1e-6
    )
    assert effect_per_unit(fitted, "marker") == pytest.approx(math.log(4), abs=1e-5)


@pytest.mark.parametrize("penalty", [1e-9, 1.0, 1e6])
def test_the_mean_prediction_equals_the_observed_rate_whatever_the_penalty(history, penalty):
    # The intercept is not penalised, so at the optimum the summed residuals are zero. A penalised
    # intercept would be pulled towards 0 (a probability of a half) under the largest penalty.
    rows, outcomes = history
    fitted = history_model.fit(rows, outcomes, FEATURES, penalty=penalty)
    assert fitted.predict_probability(rows).mean() == pytest.approx(outcomes.mean(), abs=1e-6)


def test_a_larger_penalty_shrinks_the_coefficients(history):
    rows, outcomes = history
    sizes = [
        np.linalg.norm(history_model.fit(rows, outcomes, FEATURES, penalty=penalty).coefficients)
        for penalty in (0.01, 100.0, 10_000.0)
    ]
    assert sizes[0] > sizes[1] > sizes[2]
    assert sizes[2] < 0.1 * sizes[0]


def test_the_penalty_does_not_depend_on_the_units_a_feature_is_recorded_in(history):
    # Standardising first means recording days as hours changes nothing the model says, even under a
    # penalty strong enough to matter. Unstandardised, the same penalty would bear 24 times harder on
    # the per-hour coefficient than on the per-day one.
    rows, outcomes = history
    in_hours = [{**row, "days_since_last_incident": row["days_since_last_incident"] * 24} for row in rows]
    in_days = history_model.fit(rows, outcomes, FEATURES, penalty=300.0)
    in_hours_model = history_model.fit(in_hours, outcomes, FEATURES, penalty=300.0)
    assert in_hours_model.predict_probability(in_hours) == pytest.approx(
        in_days.predict_probability(rows), abs=1e-6
    )


def test_new_cases_are_scored_on_the_training_scale(model, history):
    # One case alone has no spread of its own; its score must not depend on who it is scored with.
    rows, _ = history
    new_case = {"previous_incidents_as_victim": 6.0, "days_since_last_incident": 3.0, "unrelated_noise": 0.0}
    alone = model.predict_probability([new_case])[0]
    with_others = model.predict_probability([new_case, *rows[:50]])[0]
    assert alone == with_others
    assert alone > model.predict_probability(rows).mean()  # many incidents, very recent: higher risk


def test_fitting_is_deterministic(history, model):
    rows, outcomes = history
    assert history_model.fit(rows, outcomes, FEATURES, penalty=1.0) == model


def test_the_contributions_and_the_intercept_add_up_to_the_log_odds_of_the_prediction(model, history):
    rows, _ = history
    for row in rows[:20]:
        probability = model.predict_probability([row])[0]
        total = model.intercept + sum(contribution.log_odds for contribution in model.contributions(row))
        assert total == pytest.approx(math.log(probability / (1 - probability)))


def test_contributions_come_largest_effect_first_and_read_plainly(model):
    row = {"previous_incidents_as_victim": 2.0, "days_since_last_incident": 900.0, "unrelated_noise": 0.1}
    contributions = model.contributions(row)
    sizes = [abs(contribution.log_odds) for contribution in contributions]
    assert sizes == sorted(sizes, reverse=True)
    first = contributions[0]
    assert first.feature_name == "days_since_last_incident"  # 900 days: far above the mean of ~180
    assert first.value == 900.0
    assert first.log_odds < 0  # a long time since the last incident lowers the risk
    assert str(first) == f"days since last incident: {first.log_odds:+.2f}"
    assert str(first).startswith("days since last incident: -")


def test_a_case_at_the_training_means_is_scored_by_the_intercept_alone(model):
    row = dict(zip(model.feature_names, model.means, strict=True))
    assert all(contribution.log_odds == pytest.approx(0) for contribution in model.contributions(row))


def test_the_document_survives_a_json_round_trip(model, history):
    rows, _ = history
    document = json.loads(json.dumps(model.to_document()))
    assert document["kind"] == "vigil.evaluation.history_model" and document["version"] == 1
    restored = HistoryModel.from_document(document)
    assert restored == model
    assert list(restored.predict_probability(rows[:10])) == list(model.predict_probability(rows[:10]))


def test_a_document_of_another_kind_or_version_is_refused(model):
    with pytest.raises(ValueError, match="unsupported history model version 2"):
        HistoryModel.from_document({**model.to_document(), "version": 2})
    with pytest.raises(ValueError, match="not a history model"):
        HistoryModel.from_document({**model.to_document(), "kind": "something else"})
    with pytest.raises(ValueError, match="incomplete"):
        HistoryModel.from_document(
            {key: value for key, value in model.to_document().items() if key != "intercept"}
        )


def test_a_feature_that_never_varied_contributes_nothing():
    rows = [{"marker": float(i % 2), "constant": 5.0} for i in range(40)]
    outcomes = [1 if i % 4 == 0 else 0 for i in range(40)]
    fitted = history_model.fit(rows, outcomes, ["marker", "constant"])
    assert fitted.coefficients[1] == 0.0
    assert fitted.scales[1] == 1.0


ROW = {"previous_incidents_as_victim": 1.0, "days_since_last_incident": 30.0, "unrelated_noise": 0.0}


@pytest.mark.parametrize(
    ("rows", "outcomes", "feature_names", "penalty", "message"),
    [
        ([], [], FEATURES, 1.0, "no rows"),
        ([ROW, ROW], [1, 1], FEATURES, 1.0, "no negative"),
        ([ROW, ROW], [0, 0], FEATURES, 1.0, "no positive"),
        ([ROW, ROW], [0, 1, 1], FEATURES, 1.0, "lengths differ"),
        (
            [ROW, {"previous_incidents_as_victim": 1.0}],
            [0, 1],
            FEATURES,
            1.0,
            r"row 1 is missing .*days_since",
        ),
        (
            [ROW, {**ROW, "days_sinse_last": 4.0}],
            [0, 1],
            FEATURES,
            1.0,
            "row 1 has unknown .*days_sinse_last",
        ),
        ([ROW, {**ROW, "unrelated_noise": float("nan")}], [0, 1], FEATURES, 1.0, "not finite"),
        ([{**ROW, "unrelated_noise": math.inf}, ROW], [0, 1], FEATURES, 1.0, "row 0.*not finite"),
        ([ROW, {**ROW, "unrelated_noise": "3"}], [0, 1], FEATURES, 1.0, "not a number"),
        ([ROW, ROW], [0, 1], FEATURES, -1.0, "penalty"),
        ([ROW, ROW], [0, 1], FEATURES, math.nan, "penalty"),
        ([ROW, ROW], [0, 1], [], 1.0, "at least one feature"),
        ([ROW, ROW], [0, 1], [*FEATURES, FEATURES[0]], 1.0, "repeated"),
        ([ROW, ROW], [0, 2], FEATURES, 1.0, "0/1"),
    ],
)
def test_fitting_refuses_data_it_cannot_use(rows, outcomes, feature_names, penalty, message):
    with pytest.raises(ValueError, match=message):
        history_model.fit(rows, outcomes, feature_names, penalty=penalty)


def test_scoring_refuses_a_case_with_a_missing_or_unknown_feature(model):
    with pytest.raises(ValueError, match="missing"):
        model.predict_probability([{"previous_incidents_as_victim": 1.0}])
    with pytest.raises(ValueError, match="unknown"):
        model.contributions({**ROW, "postcode_area": 3.0})


def test_a_model_with_mismatched_parts_cannot_be_made():
    with pytest.raises(ValueError, match="2 coefficients for 1 features"):
        HistoryModel(("a",), (1.0, 2.0), 0.0, (0.0,), (1.0,), 1.0)
    with pytest.raises(ValueError, match="scales must be positive"):
        HistoryModel(("a",), (1.0,), 0.0, (0.0,), (0.0,), 1.0)


def test_the_time_split_trains_before_the_date_and_validates_on_and_after_it():
    rows = [{"x": float(i)} for i in range(5)]
    dates = [date(2024, 3, 1), date(2023, 12, 31), date(2024, 1, 1), date(2023, 6, 1), date(2024, 1, 2)]
    outcomes = [1, 0, 1, 0, 0]
    split = history_model.time_split(rows, dates, outcomes, split_date=date(2024, 1, 1))
    # Before 1 January 2024: rows 1 and 3. On or after it: rows 0, 2 (on the day itself) and 4.
    assert split.training_rows == [{"x": 1.0}, {"x": 3.0}]
    assert split.training_outcomes == [0, 0]
    assert split.validation_rows == [{"x": 0.0}, {"x": 2.0}, {"x": 4.0}]
    assert split.validation_outcomes == [1, 1, 0]


def test_the_time_split_refuses_an_empty_side_or_mismatched_lengths():
    rows, outcomes = [{"x": 1.0}, {"x": 2.0}], [0, 1]
    dates = [date(2024, 1, 1), date(2024, 2, 1)]
    with pytest.raises(ValueError, match="to train on"):
        history_model.time_split(rows, dates, outcomes, split_date=date(2023, 1, 1))
    with pytest.raises(ValueError, match="to validate on"):
        history_model.time_split(rows, dates, outcomes, split_date=date(2025, 1, 1))
    with pytest.raises(ValueError, match="lengths differ"):
        history_model.time_split(rows, dates[:1], outcomes, split_date=date(2024, 1, 15))


def test_a_model_fitted_before_the_split_predicts_after_it(history):
    # The whole workflow: split by time, fit on the earlier period, validate on the later one.
    from vigil.evaluation import metrics

    rows, outcomes = history
    dates = [date(2022, 1, 1) if i < 1500 else date(2023, 1, 1) for i in range(len(rows))]
    split = history_model.time_split(rows, dates, list(outcomes), split_date=date(2022, 6, 1))
    fitted = history_model.fit(split.training_rows, split.training_outcomes, FEATURES)
    validation_auc = metrics.auc(fitted.predict_probability(split.validation_rows), split.validation_outcomes)
    assert 0.65 < validation_auc < 0.95
