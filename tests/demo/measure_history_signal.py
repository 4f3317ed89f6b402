"""Not collected by default: measures the history signal over several seeds (run this file explicitly)."""
import os

import pytest
from django.db import transaction

from vigil.demo.profiles import profile_get
from vigil.demo.services import force_generate
from vigil.evaluation.models import Outcome
from vigil.evaluation.services import history_model_train

from .test_history_signal import SCALE, TRAINING, VALIDATION

SEEDS = [int(s) for s in os.environ.get("MEASURE_SEEDS", "2,3,4").split(",")]


@pytest.mark.django_db
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("planted", [False, True])
def test_measure(seed, planted):
    with transaction.atomic():
        force_generate(profile=profile_get("leicestershire-2013"), seed=seed, scale=SCALE, history_signal=planted)
        for outcome in (Outcome.FURTHER_INCIDENT, Outcome.FURTHER_CRIME, Outcome.SERIOUS_HARM):
            e = history_model_train(training=TRAINING, validation=VALIDATION, outcome=outcome, horizon_months=12).evaluation
            s, y, d = e["signal_auc"], e["yes_count_auc"], e["signal_minus_yes_count"]
            o = e["officer_grading_auc"]
            print(f"\nMEASURE seed={seed} planted={planted} outcome={outcome} n={e['validation']['assessments']} "
                  f"harmed={e['validation']['harmed']} signal={s['auc']:.3f} [{s['low']:.3f},{s['high']:.3f}] "
                  f"yes={y['auc']:.3f} [{y['low']:.3f},{y['high']:.3f}] officer={o['auc']:.3f} [{o['low']:.3f},{o['high']:.3f}] "
                  f"diff={d['difference']:+.3f} [{d['low']:+.3f},{d['high']:+.3f}] p={d['p_value']:.2g}")
        transaction.set_rollback(True)
