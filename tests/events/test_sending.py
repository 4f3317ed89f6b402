"""How an event leaves: a batch signs and claims each delivery at its own time and stops after its time
budget; only checked, public addresses are connected to (unless VIGIL_EVENTS_ALLOW_PRIVATE_TARGETS), the
very address checked, with TLS verifying the host's name; and the delivery log keeps coarse error classes."""

import socket
import ssl
import subprocess
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.events.helpers import order_made_publish, subscription_make
from tests.events.receiver import Receiver
from vigil.events import policy, services
from vigil.events.models import Delivery, DeliveryAttempt
from vigil.events.services import deliveries_due_send, delivery_send
from vigil.events.tasks import deliveries_due_task

pytestmark = pytest.mark.django_db


class Clock:
    """A clock that moves on `step` each time it is read, as a slow batch's would."""

    def __init__(self, step: timedelta):
        self.step, self.at = step, timezone.now() + timedelta(seconds=1) - step

    def __call__(self):
        self.at += self.step
        return self.at


@pytest.fixture
def sends(monkeypatch):
    """For each request, as it is made: its Vigil-Timestamp and the delivery's claim (next_attempt_at)."""
    seen, post = [], services._post

    def watched(url, body, headers):
        delivery = Delivery.objects.get(event__event_id=headers["Vigil-Event-Id"])
        seen.append((int(headers["Vigil-Timestamp"]), delivery.next_attempt_at))
        return post(url, body, headers)

    monkeypatch.setattr(services, "_post", watched)
    return seen


def three_due(url: str) -> list[Delivery]:
    subscription_make(url)
    return [Delivery.objects.get(event=order_made_publish()) for _ in range(3)]


# --- a batch ---------------------------------------------------------------------------------------------

def test_each_delivery_in_a_batch_is_signed_claimed_and_logged_at_its_own_time(receiver, sends):
    deliveries = three_due(receiver.url)
    clock = Clock(timedelta(seconds=15))
    started = clock.at + clock.step

    assert deliveries_due_send(time_now=clock) == {"delivered": 3}

    times = [started + clock.step * n for n in (1, 2, 3)]
    assert sends == [(int(at.timestamp()), at + policy.CLAIM) for at in times]  # each claim ahead of its send
    attempts = [DeliveryAttempt.objects.get(delivery=d).attempted_at for d in deliveries]
    assert attempts == times
    assert [r.headers["Vigil-Timestamp"] for r in receiver.received] == [str(int(at.timestamp())) for at in times]


def test_a_batch_stops_after_its_time_budget_and_leaves_the_rest_to_another_task(receiver):
    deliveries = three_due(receiver.url)

    outcomes = deliveries_due_send(time_now=Clock(policy.DUE_BATCH_TIME * 0.4))  # the third would start at 1.2x

    assert outcomes == {"delivered": 2, "left for the next task": 1}
    assert len(receiver.received) == 2
    last = Delivery.objects.get(pk=deliveries[2].pk)
    assert (last.status, last.attempts) == ("pending", 0)
    assert DBTaskResult.objects.filter(task_path=deliveries_due_task.module_path, status="READY").count() == 1


# --- where an event may go -------------------------------------------------------------------------------

@pytest.mark.parametrize("address, problem", [
    ("93.184.216.34", None),
    ("2606:2800:220:1:248:1893:25c8:1946", None),
    ("127.0.0.1", "127.0.0.1 is a loopback address"),
    ("::1", "::1 is a loopback address"),
    ("::ffff:127.0.0.1", "127.0.0.1 is a loopback address"),
    ("10.0.0.1", "10.0.0.1 is a private address"),
    ("192.168.1.20", "192.168.1.20 is a private address"),
    ("169.254.169.254", "169.254.169.254 is a link-local address"),
    ("fe80::1", "fe80::1 is a link-local address"),
    ("224.0.0.1", "224.0.0.1 is a multicast address"),
    ("0.0.0.0", "0.0.0.0 is an unspecified address"),
    ("240.0.0.1", "240.0.0.1 is a private address"),
    ("100.64.0.1", "100.64.0.1 is not a public address"),
])
def test_only_public_addresses_may_receive_events(address, problem):
    assert policy.address_problem(address) == problem


def test_a_private_address_is_refused_without_a_request(settings, monkeypatch):
    settings.VIGIL_EVENTS_ALLOW_PRIVATE_TARGETS = False
    monkeypatch.setattr(socket, "socket", None)  # any connection would fail loudly
    subscription_make("https://10.0.0.1/x")
    delivery = Delivery.objects.get(event=order_made_publish())

    assert delivery_send(delivery_id=delivery.pk) == "failed"

    delivery.refresh_from_db()
    assert delivery.last_error == "not sent: 10.0.0.1 is a private address" and delivery.last_status_code is None
    [attempt] = DeliveryAttempt.objects.filter(delivery=delivery)
    assert not attempt.succeeded and attempt.error == delivery.last_error
    assert delivery.status == "failed"  # tried again later: the address may be corrected


def test_a_name_resolving_to_this_machine_is_refused_unless_the_setting_allows_it():
    with Receiver(allow_private=False) as receiver:
        subscription_make(receiver.url.replace("127.0.0.1", "localhost"))
        delivery = Delivery.objects.get(event=order_made_publish())

        assert delivery_send(delivery_id=delivery.pk) == "failed"
        delivery.refresh_from_db()
        assert "loopback address" in delivery.last_error and not receiver.received

        with override_settings(VIGIL_EVENTS_ALLOW_PRIVATE_TARGETS=True):
            assert delivery_send(delivery_id=delivery.pk, now=delivery.next_attempt_at) == "delivered"
        assert len(receiver.received) == 1


def test_one_private_address_among_public_ones_is_refused(settings, monkeypatch):
    settings.VIGIL_EVENTS_ALLOW_PRIVATE_TARGETS = False
    stream = (socket.AF_INET, socket.SOCK_STREAM, 6, "")
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, *a, **k: [
        (*stream, ("93.184.216.34", port)), (*stream, ("127.0.0.1", port))])
    subscription_make("https://receiver.example.org/events")
    delivery = Delivery.objects.get(event=order_made_publish())

    assert delivery_send(delivery_id=delivery.pk) == "failed"

    delivery.refresh_from_db()
    assert delivery.last_error == "not sent: 127.0.0.1 is a loopback address"


def test_the_address_connected_to_is_the_one_checked(monkeypatch):
    """A name that resolves to an allowed address when checked and to another a moment later (DNS
    rebinding) is sent to the one checked: the name is resolved once."""
    real_resolve, real_problem, looked_up = socket.getaddrinfo, policy.address_problem, []

    def rebinding(host, port, *args, **kwargs):
        if host == "localhost":
            looked_up.append(host)
            host = "127.0.0.1" if len(looked_up) == 1 else "10.0.0.1"
        return real_resolve(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    # In this test 127.0.0.1 stands for a public address.
    monkeypatch.setattr(policy, "address_problem", lambda a: None if a == "127.0.0.1" else real_problem(a))
    with Receiver(allow_private=False) as receiver:
        subscription_make(receiver.url.replace("127.0.0.1", "localhost"))
        delivery = Delivery.objects.get(event=order_made_publish())

        assert delivery_send(delivery_id=delivery.pk) == "delivered"

    assert looked_up == ["localhost"]
    assert receiver.received[0].headers["Host"] == f"localhost:{receiver.port}"


# --- TLS and the delivery log's errors -------------------------------------------------------------------

@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for the name localhost (not for 127.0.0.1), with its key."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    return server, ssl.create_default_context(cafile=str(cert))


def test_https_verifies_the_certificate_against_the_host_name(certificate, monkeypatch):
    server, trusting = certificate
    monkeypatch.setattr(services, "_opener", services.opener_make(trusting))
    with Receiver(tls=server) as receiver:
        subscription_make(receiver.url.replace("127.0.0.1", "localhost"), name="By name")
        subscription_make(receiver.url, name="By address")  # the certificate does not name 127.0.0.1
        event = order_made_publish()
        by_name, by_address = (Delivery.objects.get(event=event, subscription__name=n)
                               for n in ("By name", "By address"))

        assert delivery_send(delivery_id=by_name.pk) == "delivered"
        assert delivery_send(delivery_id=by_address.pk) == "failed"

    by_address.refresh_from_db()
    assert by_address.last_error == "TLS error" and len(receiver.received) == 1


def test_an_unverifiable_certificate_is_a_tls_error(certificate):
    server, _ = certificate
    with Receiver(tls=server) as receiver:
        subscription_make(receiver.url.replace("127.0.0.1", "localhost"))
        delivery = Delivery.objects.get(event=order_made_publish())
        assert delivery_send(delivery_id=delivery.pk) == "failed"

    delivery.refresh_from_db()
    assert delivery.last_error == "TLS error" and not receiver.received


def test_a_receiver_that_does_not_answer_is_timed_out(monkeypatch, settings):
    settings.VIGIL_EVENTS_ALLOW_PRIVATE_TARGETS = True
    monkeypatch.setattr(policy, "TIMEOUT_SECONDS", 0.5)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts connections, never answers
        subscription_make(f"http://127.0.0.1:{silent.getsockname()[1]}/events")
        delivery = Delivery.objects.get(event=order_made_publish())
        assert delivery_send(delivery_id=delivery.pk) == "failed"

    delivery.refresh_from_db()
    assert delivery.last_error == "timed out"


@pytest.mark.parametrize("error, logged", [
    (socket.gaierror(-2, "Name or service not known: internal.example"), "name not found"),
    (ConnectionResetError(104, "Connection reset by peer"), "connection lost"),
    (ssl.SSLCertVerificationError("hostname 'x' doesn't match"), "TLS error"),
    (OSError(113, "No route to host 10.1.2.3"), "connection failed"),
])
def test_the_delivery_log_keeps_a_class_of_error_not_its_text(error, logged):
    assert services._error_class(services.urllib.error.URLError(error)) == logged
    assert services._error_class(error) == logged
