"""A transparent history-based risk signal: penalised logistic regression on police-record history.

Turner, Brown and Medina-Ariza (2022) and Grogger and colleagues (2021) found that a penalised
logistic regression on history (previous incidents as victim and suspect, time since the last one,
criminal history) predicts later harm better than DASH gradings. This module fits such a model
without a machine-learning library, so every step can be read:

- each feature is standardised with the training mean and standard deviation, which the model keeps,
  so a new case is scored on the training scale (a feature that never varied keeps a scale of 1);
- the fit minimises the summed log-loss plus `penalty` / 2 times the sum of squared coefficients
  (L2, scikit-learn's C = 1 / penalty); the intercept is not penalised, so the mean predicted
  probability on the training data equals the observed rate whatever the penalty;
- it starts from the base rate and uses scipy's L-BFGS-B, so the same data always gives the same model;
- a score is explained as the intercept plus one contribution per feature (coefficient times
  standardised value), in log-odds.

A score is a signal shown beside an assessment, never a replacement for the human grading.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

from .metrics import _as_booleans, _require_both_outcomes

DOCUMENT_KIND = "vigil.evaluation.history_model"
DOCUMENT_VERSION = 1


@dataclass(frozen=True)
class Contribution:
    """What one feature adds to a case's log-odds of harm."""

    feature_name: str
    value: float  # the case's value, as recorded
    log_odds: float  # coefficient times the standardised value

    def __str__(self) -> str:
        return f"{self.feature_name.replace('_', ' ')}: {self.log_odds:+.2f}"


@dataclass(frozen=True)
class HistoryModel:
    """A fitted model: per feature, its coefficient (on the standardised scale) and the training mean
    and scale used to standardise it; the unpenalised intercept; the penalty it was fitted with."""

    feature_names: tuple[str, ...]
    coefficients: tuple[float, ...]
    intercept: float
    means: tuple[float, ...]
    scales: tuple[float, ...]
    penalty: float

    def __post_init__(self) -> None:
        names = _check_feature_names(self.feature_names)
        object.__setattr__(self, "feature_names", names)
        for field in ("coefficients", "means", "scales"):
            values = tuple(float(value) for value in getattr(self, field))
            if len(values) != len(names):
                raise ValueError(f"{len(values)} {field} for {len(names)} features")
            if not all(math.isfinite(value) for value in values):
                raise ValueError(f"{field} must be finite")
            object.__setattr__(self, field, values)
        if not all(scale > 0 for scale in self.scales):
            raise ValueError("scales must be positive")
        object.__setattr__(self, "intercept", float(self.intercept))
        object.__setattr__(self, "penalty", float(self.penalty))
        if not math.isfinite(self.intercept):
            raise ValueError("the intercept must be finite")
        _check_penalty(self.penalty)

    def log_odds(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        """Each row's log-odds of harm: the intercept plus the sum of its contributions."""
        standardised = self._standardise(_feature_matrix(rows, self.feature_names))
        return self.intercept + standardised @ np.array(self.coefficients)

    def predict_probability(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        """Each row's predicted probability of harm, using the training means and scales."""
        return expit(self.log_odds(rows))

    def contributions(self, row: Mapping[str, float]) -> list[Contribution]:
        """Each feature's contribution to this row's log-odds, largest effect first; with the intercept
        they add up to the log-odds of the prediction."""
        values = _feature_matrix([row], self.feature_names)
        contributions = self._standardise(values)[0] * np.array(self.coefficients)
        result = [
            Contribution(feature_name=name, value=float(value), log_odds=float(contribution))
            for name, value, contribution in zip(self.feature_names, values[0], contributions, strict=True)
        ]
        return sorted(result, key=lambda contribution: -abs(contribution.log_odds))

    def to_document(self) -> dict[str, Any]:
        """The model as a JSON-serialisable document with a kind and a format version."""
        return {
            "kind": DOCUMENT_KIND,
            "version": DOCUMENT_VERSION,
            "intercept": self.intercept,
            "penalty": self.penalty,
            "features": [
                {"name": name, "coefficient": coefficient, "mean": mean, "scale": scale}
                for name, coefficient, mean, scale in zip(
                    self.feature_names, self.coefficients, self.means, self.scales, strict=True
                )
            ],
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> "HistoryModel":
        """The model a document from `to_document` describes; refuses other kinds and versions."""
        if document.get("kind") != DOCUMENT_KIND:
            raise ValueError(f"not a history model document (kind {document.get('kind')!r})")
        if document.get("version") != DOCUMENT_VERSION:
            raise ValueError(
                f"unsupported history model version {document.get('version')!r} "
                f"(this code reads version {DOCUMENT_VERSION})"
            )
        try:
            features = document["features"]
            return cls(
                feature_names=tuple(feature["name"] for feature in features),
                coefficients=tuple(feature["coefficient"] for feature in features),
                intercept=document["intercept"],
                means=tuple(feature["mean"] for feature in features),
                scales=tuple(feature["scale"] for feature in features),
                penalty=document["penalty"],
            )
        except (KeyError, TypeError) as error:
            raise ValueError(f"incomplete history model document: {error!r}") from None

    def _standardise(self, values: np.ndarray) -> np.ndarray:
        return (values - np.array(self.means)) / np.array(self.scales)


@dataclass(frozen=True)
class TimeSplit:
    """Rows before the split date to train on, and rows on or after it to validate on."""

    training_rows: list[Mapping[str, float]]
    training_outcomes: list[bool | int]
    validation_rows: list[Mapping[str, float]]
    validation_outcomes: list[bool | int]


def fit(
    rows: Sequence[Mapping[str, float]],
    outcomes: Sequence[bool | int],
    feature_names: Sequence[str],
    penalty: float = 1.0,
) -> HistoryModel:
    """Fit an L2-penalised logistic regression of `outcomes` on the named features of `rows`.

    A penalty of zero is plain maximum likelihood; where the features separate the outcomes perfectly
    that has no finite answer and the coefficients grow very large, so keep the penalty positive.
    """
    names = _check_feature_names(feature_names)
    _check_penalty(penalty)
    if len(rows) == 0:
        raise ValueError("no rows to fit the model on")
    values = _feature_matrix(rows, names)
    harmed = _as_booleans(outcomes, "outcomes")
    if len(harmed) != len(values):
        raise ValueError(f"lengths differ: {len(values)} rows, {len(harmed)} outcomes")
    _require_both_outcomes(harmed)

    means = values.mean(axis=0)
    scales = values.std(axis=0)
    scales[scales == 0] = 1.0  # a feature that never varied contributes nothing, whatever its scale
    standardised = (values - means) / scales
    target = harmed.astype(float)

    def penalised_loss(parameters: np.ndarray) -> tuple[float, np.ndarray]:
        intercept, coefficients = parameters[0], parameters[1:]
        log_odds = intercept + standardised @ coefficients
        loss = (
            np.sum(np.logaddexp(0.0, log_odds) - target * log_odds)
            + penalty / 2 * coefficients @ coefficients
        )
        residuals = expit(log_odds) - target
        gradient = np.concatenate([[residuals.sum()], standardised.T @ residuals + penalty * coefficients])
        return float(loss), gradient

    base_rate = target.mean()
    start = np.zeros(len(names) + 1)
    start[0] = math.log(base_rate / (1 - base_rate))
    result = minimize(
        penalised_loss,
        start,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 10_000, "ftol": 1e-15, "gtol": 1e-9},
    )
    # Judged by the gradient itself (of a sum over rows, hence scaled by their number): L-BFGS-B can
    # report a failed line search at an optimum it cannot refine further in floating point.
    if not np.all(np.isfinite(result.x)) or np.max(np.abs(result.jac)) > 1e-4 * len(rows):
        raise RuntimeError(f"the fit did not converge ({result.message})")
    return HistoryModel(
        feature_names=names,
        coefficients=tuple(result.x[1:]),
        intercept=result.x[0],
        means=tuple(means),
        scales=tuple(scales),
        penalty=penalty,
    )


def time_split(
    rows: Sequence[Mapping[str, float]],
    dates: Sequence[date],
    outcomes: Sequence[bool | int],
    split_date: date,
) -> TimeSplit:
    """Rows dated before `split_date` for training, on or after it for validation, in their order."""
    if not len(rows) == len(dates) == len(outcomes):
        raise ValueError(f"lengths differ: {len(rows)} rows, {len(dates)} dates, {len(outcomes)} outcomes")
    before = [index for index, when in enumerate(dates) if when < split_date]
    after = [index for index, when in enumerate(dates) if not when < split_date]
    if not before:
        raise ValueError(f"no rows dated before {split_date} to train on")
    if not after:
        raise ValueError(f"no rows dated on or after {split_date} to validate on")
    return TimeSplit(
        training_rows=[rows[index] for index in before],
        training_outcomes=[outcomes[index] for index in before],
        validation_rows=[rows[index] for index in after],
        validation_outcomes=[outcomes[index] for index in after],
    )


def _check_feature_names(feature_names: Sequence[str]) -> tuple[str, ...]:
    if isinstance(feature_names, str):
        raise ValueError("feature_names must be a sequence of names, not one string")
    names = tuple(feature_names)
    if not names:
        raise ValueError("the model needs at least one feature")
    if not all(isinstance(name, str) and name for name in names):
        raise ValueError("feature names must be non-empty strings")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"feature names repeated: {duplicates}")
    return names


def _check_penalty(penalty: float) -> None:
    if not (isinstance(penalty, int | float) and math.isfinite(penalty) and penalty >= 0):
        raise ValueError(f"the penalty must be a finite number of at least zero (got {penalty!r})")


def _feature_matrix(rows: Sequence[Mapping[str, float]], names: tuple[str, ...]) -> np.ndarray:
    """The rows as a matrix, one column per named feature. A row must hold exactly the model's features:
    a missing one cannot be scored, and an unknown one is most often a misspelt name."""
    expected = set(names)
    values = np.empty((len(rows), len(names)))
    for index, row in enumerate(rows):
        missing = [name for name in names if name not in row]
        if missing:
            raise ValueError(f"row {index} is missing feature(s) {missing}")
        unknown = sorted(str(key) for key in row if key not in expected)
        if unknown:
            raise ValueError(f"row {index} has unknown feature(s) {unknown}; the model uses {list(names)}")
        for column, name in enumerate(names):
            value = row[name]
            if isinstance(value, str) or not isinstance(value, int | float | np.number):
                raise ValueError(f"row {index}, feature {name!r}: {value!r} is not a number")
            if not math.isfinite(value):
                raise ValueError(f"row {index}, feature {name!r}: {value!r} is not finite")
            values[index, column] = value
    return values
