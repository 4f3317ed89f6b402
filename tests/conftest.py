import os

import pytest

# Each test run keeps its generated secret key and files away from the developer's var/.
os.environ.setdefault("VIGIL_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "test"))


@pytest.fixture
def make_user(db):
    from tests.factories import user_create

    return user_create
