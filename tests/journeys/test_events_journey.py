"""Events out in the browser (issue 10). An administrator subscribes a receiving system, sees its signing secret
once, and follows a MARAC referral event through the delivery log: refused by the receiver, retried by the
worker, delivered, then replayed. axe-core finds nothing on any page."""

import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests import factories
from tests.events.receiver import Receiver
from tests.journeys.pages import SignInPage, VigilPage
from vigil.events.models import Delivery, Subscription
from vigil.events.services import deliveries_due_send, event_publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_violations(page) -> None:
    assert VigilPage(page).accessibility_violations() == []
    assert page.csp_violations == []


def _referral_event() -> None:
    event_publish(kind="marac.referral_made", payload={
        "referral": str(uuid.uuid4()), "area": "city-marac", "received_on": "2026-11-20", "repeat": False,
        "listed": True})


def test_an_administrator_subscribes_a_system_and_follows_a_delivery_through_retry_and_replay(page):
    factories.user_create(role="administrator", username="admin-events")
    SignInPage(page).open().sign_in("admin-events", factories.TEST_PASSWORD)
    page.get_by_role("link", name="Events out").click()
    page.wait_for_load_state()
    no_violations(page)

    page.get_by_role("link", name="Add a subscription").click()
    page.get_by_role("button", name="Add the subscription").click()
    page.wait_for_load_state()
    assert "Enter a name for the receiving system" in page.locator(".govuk-error-summary").inner_text()
    no_violations(page)

    with Receiver(statuses=[503]) as receiver:
        page.get_by_label("Name of the receiving system").fill("Partner case system")
        page.get_by_label("Address events are sent to").fill(receiver.url)
        page.get_by_label("MARAC referral made").check()
        page.get_by_role("button", name="Add the subscription").click()
        page.wait_for_load_state()
        subscription = Subscription.objects.get()
        assert subscription.secret in page.locator("main").inner_text()  # shown this once
        no_violations(page)

        _referral_event()
        call_command("worker", "--once", verbosity=0)  # the receiver answers 503: a retry is scheduled
        delivery = Delivery.objects.get()
        assert delivery.status == "failed" and delivery.attempts == 1 and delivery.last_status_code == 503
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=5))
        deliveries_due_send()  # the retry falls due (as the worker would run it)
        delivery.refresh_from_db()
        assert delivery.status == "delivered" and len(receiver.received) == 2

        page.get_by_role("link", name="Go to the subscription's delivery log").click()
        page.wait_for_load_state()
        assert subscription.secret not in page.content()  # never again
        no_violations(page)
        page.get_by_role("link", name="MARAC referral made").first.click()
        page.wait_for_load_state()
        assert "503" in page.locator("main").inner_text()
        no_violations(page)
        page.get_by_role("button", name="Send this event again").click()
        page.wait_for_load_state()
        no_violations(page)
        call_command("worker", "--once", verbosity=0)
        assert len(receiver.received) == 3
        ids = {r.headers["Vigil-Event-Id"] for r in receiver.received}
        assert len(ids) == 1  # the same event each time: the receiver can tell a replay
