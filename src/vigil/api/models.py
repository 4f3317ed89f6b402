"""What the API must remember: the answer to each idempotent request, so a retry never repeats it."""

from django.db import models


class IdempotentRequest(models.Model):
    """A POST made with an Idempotency-Key. A retry with the same key and the same body gets the same
    answer and changes nothing; the same key with a different body is refused."""

    client = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    endpoint = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64, help_text="SHA-256 of the canonical request body")
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "endpoint", "key"], name="idempotency_key_once")]

    def __str__(self) -> str:
        return f"Idempotent request {self.pk}"
