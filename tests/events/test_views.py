"""The pages, for force administrators only: add a subscription (its secret shown once), the delivery log,
each delivery's attempts, replay and the on/off switch, all by POST with CSRF."""

import pytest
from django.urls import reverse

from tests.events.helpers import administrator, order_made_publish, subscription_make
from tests.factories import agency_create, user_create
from vigil.audit.models import AuditEvent
from vigil.events.models import Delivery, Subscription
from vigil.events.services import delivery_send

pytestmark = pytest.mark.django_db


def test_only_force_administrators_reach_the_pages(client):
    subscription = subscription_make("https://receiver.example.org/events")
    delivery = Delivery.objects.get(event=order_made_publish())
    pages = [reverse("events:subscriptions"), reverse("events:subscription-new"),
             reverse("events:subscription", args=[subscription.public_id]),
             reverse("events:delivery", args=[delivery.public_id])]
    posts = [reverse("events:subscription-replay", args=[subscription.public_id]),
             reverse("events:subscription-active", args=[subscription.public_id]),
             reverse("events:delivery-replay", args=[delivery.public_id])]
    partner_admin = user_create(role="administrator", agency=agency_create(code="idva", kind="idva"))
    for user in (user_create(role="supervisor"), user_create(role="auditor"), partner_admin):
        client.force_login(user)
        for url in pages + posts:
            assert client.get(url).status_code == 403, (user.role, url)
        for url in posts:
            assert client.post(url, {"since": "2026-01-01"}).status_code == 403, (user.role, url)
    assert Delivery.objects.get(pk=delivery.pk).attempts == 0 and Subscription.objects.get().active
    client.force_login(administrator())
    for url in pages:
        assert client.get(url).status_code == 200, url


def test_an_administrator_adds_a_subscription_and_sees_its_secret_once(client):
    admin = administrator()
    client.force_login(admin)
    response = client.post(reverse("events:subscription-new"), {
        "name": "Partner hub", "target_url": "https://receiver.example.org/events",
        "kinds": ["marker.added", "bail.granted"]})

    subscription = Subscription.objects.get()
    assert response.status_code == 200 and subscription.secret in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    assert subscription.kinds == ["bail.granted", "marker.added"] and subscription.created_by == admin
    for url in (reverse("events:subscriptions"), reverse("events:subscription", args=[subscription.public_id])):
        page = client.get(url).content.decode()
        assert "Partner hub" in page and subscription.secret not in page
    audit = AuditEvent.objects.get(action="collection", object_id=str(subscription.public_id))
    assert subscription.secret not in str(audit.detail)


def test_a_plain_http_address_is_refused_with_the_error_summary(client):
    client.force_login(administrator())
    response = client.post(reverse("events:subscription-new"), {
        "name": "Partner hub", "target_url": "http://receiver.example.org/events", "kinds": ["order.made"]})
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page and "must start with https://" in page
    assert not Subscription.objects.exists()


def test_the_delivery_log_shows_each_event_and_replay_queues_it_again(client, receiver,
                                                                      django_capture_on_commit_callbacks):
    subscription = subscription_make(receiver.url)
    delivery = Delivery.objects.get(event=order_made_publish())
    receiver.statuses = [502]
    delivery_send(delivery_id=delivery.pk)
    client.force_login(administrator())

    page = client.get(reverse("events:subscription", args=[subscription.public_id])).content.decode()
    assert "Delivery log" in page and "Order made" in page and "HTTP 502" in page
    assert "Failed, will try again" in page
    detail = client.get(reverse("events:delivery", args=[delivery.public_id])).content.decode()
    assert "Every attempt" in detail and "502" in detail

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:delivery-replay", args=[delivery.public_id]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.replayed) == ("pending", 0, True)
    assert delivery_send(delivery_id=delivery.pk) == "delivered"

    response = client.post(reverse("events:subscription-replay", args=[subscription.public_id]), {"since": "soon"})
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    response = client.post(reverse("events:subscription-replay", args=[subscription.public_id]),
                           {"since": "2026-01-01"})
    assert response.status_code == 302
    assert Delivery.objects.get(pk=delivery.pk).status == "pending"


def test_switching_a_subscription_off_and_on_is_audited(client):
    subscription = subscription_make("https://receiver.example.org/events")
    client.force_login(administrator())
    client.post(reverse("events:subscription-active", args=[subscription.public_id]))
    assert not Subscription.objects.get().active
    client.post(reverse("events:subscription-active", args=[subscription.public_id]), {"active": "on"})
    assert Subscription.objects.get().active
    assert AuditEvent.objects.filter(action="alteration", object_id=str(subscription.public_id)).count() == 2


def test_the_navigation_links_administrators_to_events_out(client):
    client.force_login(administrator())
    assert reverse("events:subscriptions") in client.get(reverse("accounts:home")).content.decode()
    client.force_login(user_create(role="supervisor"))
    assert reverse("events:subscriptions") not in client.get(reverse("accounts:home")).content.decode()
