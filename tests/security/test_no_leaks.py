"""No personal data in application logs, error pages or URLs, even when a request fails."""

import logging
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from vigil.people.models import Person

pytestmark = pytest.mark.django_db

# Synthetic personal details sent in failing requests; none may reach a log line or an error page.
SECRETS = ["Jezebel", "Quillfeather", "LE7 9QZ", "07700 900987", "+447700900987", "14/02/1979"]


class _Captured:
    def __init__(self, stream):
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def clear(self):
        self.stream.seek(0)
        self.stream.truncate()


@pytest.fixture
def all_logs():
    """What Vigil's configured log handler would write, through its own filters and formatter."""
    import io

    root = logging.getLogger()
    configured = next(h for h in root.handlers if h.get_name() == "console")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configured.formatter)
    for log_filter in configured.filters:
        handler.addFilter(log_filter)
    root.addHandler(handler)
    yield _Captured(stream)
    root.removeHandler(handler)


def _assert_clean(text: str):
    for secret in SECRETS:
        assert secret not in text, f"personal data {secret!r} leaked"


def test_failed_sign_in_logs_no_username_or_password(client, all_logs):
    client.post(reverse("accounts:sign-in"), {"username": "Jezebel Quillfeather", "password": "LE7 9QZ"})
    _assert_clean(all_logs.text)


def test_invalid_search_logs_nothing_personal_and_keeps_it_out_of_the_url(client, all_logs):
    client.force_login(factories.user_create(role="call_taker"))
    response = client.post(reverse("people:search"), {
        "family_name": "Quillfeather", "given_name": "Jezebel", "date_of_birth": "14/02/1979x",
        "postcode": "LE7 9QZ 99"})
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == reverse("people:search")
    assert "Quillfeather" not in response.request.get("QUERY_STRING", "")
    _assert_clean(all_logs.text)


def test_bad_safe_contact_input_logs_nothing_personal(client, all_logs):
    person = Person.objects.create()
    factories.person_record_create(given_name="Jezebel", family_name="Quillfeather", dob=date(1979, 2, 14),
                                   person=person)
    client.force_login(factories.user_create(role="neighbourhood_officer"))
    all_logs.clear()
    client.post(reverse("people:safe-contact", args=[person.public_id]),
                {"phone": "07700 900987 ext Quillfeather", "safe_times": "", "code_word": ""})
    _assert_clean(all_logs.text)


def test_a_server_error_shows_and_logs_no_personal_data(all_logs, monkeypatch, settings):
    settings.DEBUG = False
    from vigil.people import selectors

    def explode(**kwargs):
        raise ValueError(f"could not search for {kwargs.get('family_name')}")

    monkeypatch.setattr(selectors, "person_search", explode)
    client = Client(raise_request_exception=False)
    client.force_login(factories.user_create(role="call_taker"))
    response = client.post(reverse("people:search"), {"family_name": "Quillfeather"})
    assert response.status_code == 500
    _assert_clean(response.content.decode())
    _assert_clean(all_logs.text)


def test_person_pages_are_addressed_by_opaque_identifiers_only():
    person = Person.objects.create()
    factories.person_record_create(given_name="Jezebel", family_name="Quillfeather", person=person)
    url = reverse("people:detail", args=[person.public_id])
    _assert_clean(url)
    assert str(person.public_id) in url and str(person.pk) != url.strip("/").split("/")[-1]
