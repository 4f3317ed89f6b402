"""Risk assessments. This first version holds the grading of each assessment; instruments, answers,
supervision and specialist review build on it."""

import uuid

from django.db import models


class RiskLevel(models.TextChoices):
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class RiskAssessment(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="risk_assessments")
    victim = models.ForeignKey("people.PersonRecord", on_delete=models.PROTECT, related_name="risk_assessments")
    instrument = models.CharField(max_length=40, default="dash-2009")
    yes_count = models.PositiveSmallIntegerField(null=True, blank=True)
    grade = models.CharField(max_length=10, choices=RiskLevel.choices)
    assessed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.get_grade_display()} risk assessment {self.public_id}"
