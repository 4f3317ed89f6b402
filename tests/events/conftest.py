import pytest

from tests.events.receiver import Receiver


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running
