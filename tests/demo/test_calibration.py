"""The generated force-year reproduces every seed figure, for more than one seed, on either database."""

import pytest

from tests.demo.conftest import generated_then_rolled_back
from vigil.demo.calibration import Period, seed_figures_measure
from vigil.demo.profiles import LEICESTERSHIRE_2013, seed_figures

pytestmark = pytest.mark.slow

SHARE_TOLERANCE = 0.015  # percentage points, as a fraction
COUNT_TOLERANCE = 0.05  # relative


@pytest.fixture(scope="module", params=[1, 7], ids=["seed-1", "seed-7"])
def measured(request, django_db_setup, django_db_blocker, profile):
    with django_db_blocker.unblock():
        return generated_then_rolled_back(
            profile, seed=request.param, scale=1.0,
            read=lambda: seed_figures_measure(Period.force_year(profile)))


@pytest.mark.parametrize("figure", sorted(seed_figures(LEICESTERSHIRE_2013)))
def test_every_seed_figure_is_reproduced(measured, profile, figure):
    target = seed_figures(profile)[figure]
    value = measured[figure]
    if target < 1:
        assert abs(value - target) <= SHARE_TOLERANCE, f"{figure}: {value:.4f} against {target:.4f}"
    else:
        assert abs(value - target) <= COUNT_TOLERANCE * target, f"{figure}: {value} against {target}"
