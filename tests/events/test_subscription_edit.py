"""Changing a subscription on its page (name, address, kinds) and giving it a new signing secret: for force
administrators only, audited, and the secret shown once and never logged or audited."""

import json
import re

import pytest
from django.urls import reverse

from tests.events.helpers import administrator, order_made_publish, subscription_make
from tests.events.receiver import Receiver
from tests.events.test_delivery import documented_verify
from tests.factories import agency_create, user_create
from vigil.audit.models import AuditEvent
from vigil.events.models import Delivery, Subscription
from vigil.events.services import delivery_send

pytestmark = pytest.mark.django_db


def checked_kinds(page: str) -> set[str]:
    return set(re.findall(r'value="([a-z_.]+)" checked', page))


def test_the_subscription_page_links_to_changing_it_and_warns_before_a_new_secret(client):
    subscription = subscription_make("https://receiver.example.org/events")
    client.force_login(administrator())
    page = client.get(reverse("events:subscription", args=[subscription.public_id])).content.decode()
    assert reverse("events:subscription-edit", args=[subscription.public_id]) in page
    assert reverse("events:subscription-secret", args=[subscription.public_id]) in page
    assert "must be given the new secret" in page and subscription.secret not in page


def test_the_change_page_shows_the_subscription_as_it_is(client):
    subscription = subscription_make("https://receiver.example.org/events", kinds=["bail.granted", "order.made"])
    client.force_login(administrator())
    response = client.get(reverse("events:subscription-edit", args=[subscription.public_id]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Partner hub"' in page and 'value="https://receiver.example.org/events"' in page
    assert checked_kinds(page) == {"bail.granted", "order.made"}


def test_a_change_with_errors_keeps_what_was_typed_and_shows_the_error_summary(client):
    subscription = subscription_make("https://receiver.example.org/events", kinds=["order.made"])
    subscription_make("https://other.example.org/events", name="County hub")
    client.force_login(administrator())

    response = client.post(reverse("events:subscription-edit", args=[subscription.public_id]), {
        "name": "county HUB", "target_url": "http://receiver.example.org/new", "kinds": ["bail.granted"]})

    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page and page.count("govuk-error-message") == 2
    assert "A subscription with that name already exists" in page and "must start with https://" in page
    assert 'value="county HUB"' in page and 'value="http://receiver.example.org/new"' in page
    assert checked_kinds(page) == {"bail.granted"}
    response = client.post(reverse("events:subscription-edit", args=[subscription.public_id]), {
        "name": "Partner hub", "target_url": "https://receiver.example.org/events"})
    assert response.status_code == 400 and "Choose the kinds of event to send" in response.content.decode()
    unchanged = Subscription.objects.get(pk=subscription.pk)
    assert (unchanged.name, unchanged.target_url, unchanged.kinds) == (
        "Partner hub", "https://receiver.example.org/events", ["order.made"])
    assert not AuditEvent.objects.filter(action="alteration").exists()


def test_a_change_of_kinds_and_address_is_saved_audited_and_used_for_the_next_event(
        client, django_capture_on_commit_callbacks):
    with Receiver() as old, Receiver() as new:
        subscription = subscription_make(old.url, kinds=["marker.added"])
        admin = administrator()
        client.force_login(admin)

        response = client.post(reverse("events:subscription-edit", args=[subscription.public_id]), {
            "name": "Partner  hub (county)", "target_url": new.url, "kinds": ["order.made", "bail.granted"]})

        assert response.status_code == 302
        assert response["Location"] == reverse("events:subscription", args=[subscription.public_id])
        changed = Subscription.objects.get(pk=subscription.pk)
        assert (changed.name, changed.target_url, changed.kinds) == (
            "Partner hub (county)", new.url, ["bail.granted", "order.made"])
        assert changed.secret == subscription.secret
        audit = AuditEvent.objects.get(action="alteration", object_id=str(subscription.public_id))
        assert audit.actor == admin and audit.detail["step"] == "event subscription changed"
        assert sorted(audit.detail["fields"]) == ["kinds", "name", "target_url"]

        delivery = Delivery.objects.get(event=order_made_publish())  # a kind it did not want before
        assert delivery_send(delivery_id=delivery.pk) == "delivered"
    assert len(new.received) == 1 and old.received == []


def test_only_force_administrators_change_a_subscription_or_its_secret(client):
    subscription = subscription_make("https://receiver.example.org/events", kinds=["order.made"])
    edit = reverse("events:subscription-edit", args=[subscription.public_id])
    secret = reverse("events:subscription-secret", args=[subscription.public_id])
    partner_admin = user_create(role="administrator", agency=agency_create(code="idva", kind="idva"))
    for user in (user_create(role="supervisor"), user_create(role="auditor"), partner_admin):
        client.force_login(user)
        assert client.get(edit).status_code == 403, user.role
        assert client.post(edit, {"name": "Taken over", "target_url": "https://evil.example.org/",
                                  "kinds": ["marker.added"]}).status_code == 403, user.role
        assert client.post(secret).status_code == 403, user.role
    after = Subscription.objects.get(pk=subscription.pk)
    assert (after.name, after.target_url, after.kinds, after.secret) == (
        "Partner hub", "https://receiver.example.org/events", ["order.made"], subscription.secret)
    assert not AuditEvent.objects.filter(action="alteration").exists()


def test_a_new_secret_is_shown_once_and_signs_every_delivery_from_then_on(
        client, receiver, caplog, django_capture_on_commit_callbacks):
    subscription = subscription_make(receiver.url)
    old_secret = subscription.secret
    client.force_login(administrator())
    secret_url = reverse("events:subscription-secret", args=[subscription.public_id])
    assert client.get(secret_url).status_code == 405

    with caplog.at_level("DEBUG"):
        response = client.post(secret_url)
        delivery = Delivery.objects.get(event=order_made_publish())
        assert delivery_send(delivery_id=delivery.pk) == "delivered"

    new_secret = Subscription.objects.get(pk=subscription.pk).secret
    page = response.content.decode()
    assert response.status_code == 200 and new_secret != old_secret
    assert new_secret in page and old_secret not in page and "New signing secret" in page
    assert "no-store" in response["Cache-Control"]
    assert new_secret not in client.get(reverse("events:subscription", args=[subscription.public_id])).content.decode()

    [got] = receiver.received
    verify = documented_verify()
    assert verify(new_secret, got.headers, got.body)
    assert not verify(old_secret, got.headers, got.body)

    assert AuditEvent.objects.filter(action="alteration", object_id=str(subscription.public_id),
                                     detail__step="event subscription secret rotated").count() == 1
    for audit in AuditEvent.objects.all():
        recorded = json.dumps(audit.detail) + audit.reason + audit.object_id
        assert new_secret not in recorded and old_secret not in recorded
    assert new_secret not in caplog.text and old_secret not in caplog.text
