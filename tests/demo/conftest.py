import pytest
from django.db import transaction

from vigil.demo.profiles import profile_get
from vigil.demo.services import force_generate


@pytest.fixture(scope="session")
def profile():
    return profile_get("leicestershire-2013")


def generated_then_rolled_back(profile, *, seed: int, scale: float, read, parallel: bool = False):
    """Generate a force, return `read()` of it, and roll the generation back."""
    with transaction.atomic():
        force_generate(profile=profile, seed=seed, scale=scale, parallel=parallel)
        result = read()
        transaction.set_rollback(True)
    return result


@pytest.fixture(scope="module")
def small_force(django_db_setup, django_db_blocker, profile):
    """A small force (scale 0.05) kept for the whole module; its tests must only read."""
    with django_db_blocker.unblock(), transaction.atomic():
        force_generate(profile=profile, seed=3, scale=0.05)
        yield
        transaction.set_rollback(True)
