"""Events out: other systems subscribe to kinds of event; each event is delivered to each subscription
wanting it, with every attempt logged.

An event's payload leaves the force, so it holds opaque ids only (public UUIDs, references, codes, dates,
kinds), never names, addresses or other personal data. The person an event is about is kept here
(`subject_person_id`, never sent) so that the audit log can say whose data was disclosed.
"""

import secrets
import uuid

from django.db import models


def secret_new() -> str:
    return secrets.token_urlsafe(32)


class EventKind(models.TextChoices):
    MARKER_ADDED = "marker.added", "Warning marker added"
    MARKER_REMOVED = "marker.removed", "Warning marker removed"
    BAIL_GRANTED = "bail.granted", "Bail granted"
    ORDER_MADE = "order.made", "Order made"
    ORDER_VARIED = "order.varied", "Order varied"
    ORDER_EXPIRING = "order.expiring", "Order expiring"
    CASE_OWNER_CHANGED = "case.owner_changed", "Case owner changed"
    MARAC_REFERRAL = "marac.referral_made", "MARAC referral made"


class Subscription(models.Model):
    """Another system that receives events of the kinds it names, signed with its secret."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=80, unique=True)
    target_url = models.URLField(max_length=500)
    kinds = models.JSONField(default=list, help_text="EventKind values")
    secret = models.CharField(max_length=64, default=secret_new, editable=False)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:  # never the secret
        return self.name

    def __repr__(self) -> str:
        return f"<Subscription {self.public_id}>"

    def wants(self, kind: str) -> bool:
        return self.active and kind in self.kinds

    def kind_labels(self) -> list[str]:
        return [EventKind(k).label for k in self.kinds if k in EventKind.values]


class OutboundEvent(models.Model):
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    occurred_at = models.DateTimeField()
    payload = models.JSONField(default=dict, help_text="Opaque ids, codes and dates only: it leaves the force")
    subject_person_id = models.UUIDField(null=True, blank=True, help_text="Never sent: for the audit log")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["occurred_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id}"


class Delivery(models.Model):
    """One event to one subscription. Due while pending or failed and `next_attempt_at` has come."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed, will try again"
        GIVEN_UP = "given_up", "Given up"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(OutboundEvent, on_delete=models.PROTECT, related_name="deliveries")
    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Attempts since queued or last replayed")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True, help_text="Never the payload")
    delivered_at = models.DateTimeField(null=True, blank=True)
    replayed = models.BooleanField(default=False, help_text="This round of attempts was asked for by a replay")

    class Meta:
        ordering = ["-event__occurred_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["event", "subscription"], name="one_delivery_per_subscription")]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"Delivery {self.public_id}"


class DeliveryAttempt(models.Model):
    """One try, as the delivery log shows it."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField()
    replay = models.BooleanField(default=False, help_text="Sent because an administrator replayed it")
    succeeded = models.BooleanField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-attempted_at", "-id"]

    def __str__(self) -> str:
        return f"Attempt at {self.attempted_at:%Y-%m-%d %H:%M:%S}"
