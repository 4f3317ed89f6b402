import pytest
from django.urls import reverse
from tests.factories import TEST_PASSWORD


@pytest.fixture
def sign_in(client):
    """Post the sign-in form as a person would; returns the response (not following redirects)."""

    def post(username: str, password: str = TEST_PASSWORD, **extra):
        return client.post(reverse("accounts:sign-in"), {"username": username, "password": password}, **extra)

    return post
