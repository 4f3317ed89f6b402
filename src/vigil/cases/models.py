"""Safeguarding cases. This first version holds each case's victim, risk level and life span;
ownership, handovers, contact and custody build on it."""

import uuid

from django.db import models
from django.db.models import F, Q

from vigil.risk.models import RiskLevel


class SafeguardingCase(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    victim = models.ForeignKey("people.PersonRecord", on_delete=models.PROTECT, related_name="cases")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="cases")
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices)
    # The accountable owner (a named person) and their team. Issue 6 makes "exactly one owner" a
    # database rule with handovers; until then the control room shows an unowned case as unowned.
    owner = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="cases_owned")
    owning_team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="cases_owned")
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("opened_at")),
                                   name="case_closes_after_it_opens"),
        ]
        indexes = [models.Index(fields=["opened_at", "closed_at"])]

    def __str__(self) -> str:
        return f"Case {self.public_id}"
