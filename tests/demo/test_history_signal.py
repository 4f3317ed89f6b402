"""The history signal against the demo generator (issue 11's must-show): with the planted relationship
(`force_generate(history_signal=True)`, `vigil demo --plant-history-signal`) the history signal trained on
one year and validated on the next beats the DASH yes-count by a clear AUC margin; without it, neither the
signal nor the yes-count beats chance beyond its confidence interval. On SQLite, in process, rolled back."""

from datetime import date

import pytest
from django.db import transaction

from vigil.demo.profiles import profile_get
from vigil.demo.services import force_generate
from vigil.evaluation.models import Outcome
from vigil.evaluation.outcomes import Period
from vigil.evaluation.services import history_model_train

SCALE = 0.2  # about 2,700 DA assessments a year; 10,800 over the four generated years
SEED = 1  # the demo's default seed; seeds 1 to 4 are measured in docs/demo.md
TRAINING = Period(date(2010, 9, 1), date(2011, 8, 31))  # the second year: a year of history before it
VALIDATION = Period(date(2011, 9, 1), date(2012, 8, 31))  # the third: followed up for 12 months
MARGIN = 0.05  # the signal's validation AUC beats the yes-count's by at least this much...
P_VALUE = 0.01  # ...and DeLong's paired test of the difference has p below this


def trained(*, history_signal: bool, outcome: str = Outcome.FURTHER_INCIDENT, horizon_months: int = 12):
    with transaction.atomic():
        force_generate(profile=profile_get("leicestershire-2013"), seed=SEED, scale=SCALE,
                       history_signal=history_signal)
        version = history_model_train(training=TRAINING, validation=VALIDATION, outcome=outcome,
                                      horizon_months=horizon_months)
        evaluation = version.evaluation
        transaction.set_rollback(True)
    return evaluation


def _summary(evaluation) -> str:
    signal, yes, diff = evaluation["signal_auc"], evaluation["yes_count_auc"], evaluation["signal_minus_yes_count"]
    return (f"validation {evaluation['validation']}: signal AUC {signal['auc']:.3f} [{signal['low']:.3f}, "
            f"{signal['high']:.3f}], yes-count AUC {yes['auc']:.3f} [{yes['low']:.3f}, {yes['high']:.3f}], "
            f"difference {diff['difference']:+.3f} [{diff['low']:+.3f}, {diff['high']:+.3f}] p={diff['p_value']:.2g}")


@pytest.mark.slow
@pytest.mark.django_db
def test_a_planted_history_signal_is_recovered_and_beats_the_yes_count():
    evaluation = trained(history_signal=True)
    print(_summary(evaluation))
    signal, yes, diff = evaluation["signal_auc"], evaluation["yes_count_auc"], evaluation["signal_minus_yes_count"]
    assert signal["low"] > 0.5
    assert diff["difference"] >= MARGIN and diff["p_value"] < P_VALUE
    assert signal["auc"] - yes["auc"] >= MARGIN


@pytest.mark.slow
@pytest.mark.django_db
def test_without_the_planted_signal_neither_history_nor_the_yes_count_beats_chance():
    evaluation = trained(history_signal=False)
    print(_summary(evaluation))
    for name in ("signal_auc", "yes_count_auc"):
        # Beating chance beyond the interval means its lower bound above 0.5. (A model trained on noise
        # can also land below chance in the next year: seed 1's signal does, 0.453 [0.409, 0.497].)
        assert evaluation[name]["low"] <= 0.5, name
    assert evaluation["signal_minus_yes_count"]["p_value"] >= P_VALUE  # and the signal is no better than DASH
