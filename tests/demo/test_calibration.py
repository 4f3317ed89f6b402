"""The generated force-year reproduces every seed figure, for more than one seed, on either database."""

import pytest

from vigil.demo.profiles import LEICESTERSHIRE_2013, seed_figures

# django_db: so that pytest-django sets up the test database even when only this module runs.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

SHARE_TOLERANCE = 0.015  # percentage points, as a fraction
COUNT_TOLERANCE = 0.05  # relative


@pytest.fixture(scope="module", params=[1, 7], ids=["seed-1", "seed-7"])
def measured(request, force_year):
    """Generated once per seed in the session (tests/conftest.py `force_year`), shared with the performance
    pack's check (tests/insight/test_pack_demo.py)."""
    return force_year(request.param)["calibration"]


@pytest.mark.parametrize("figure", sorted(seed_figures(LEICESTERSHIRE_2013)))
def test_every_seed_figure_is_reproduced(measured, profile, figure):
    target = seed_figures(profile)[figure]
    value = measured[figure]
    if target < 1:
        assert abs(value - target) <= SHARE_TOLERANCE, f"{figure}: {value:.4f} against {target:.4f}"
    else:
        assert abs(value - target) <= COUNT_TOLERANCE * target, f"{figure}: {value} against {target}"
