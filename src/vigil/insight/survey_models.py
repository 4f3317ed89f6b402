"""Victim surveys, the tables: one `Survey` per call made to a victim for the survey (whatever happened:
completed, not safe to talk, no answer, declined, or the line went dead), and its `SurveyAnswer` rows
(one per question answered; only a completed survey has answers).

The survey keeps, as they were when it was made, the case's risk level, owning team and area, so the
analysis by risk level, team and area does not move when the case later changes. A survey is changed
only by `survey_services.py` (which writes the audit event): started when the victim says it is safe to
talk, finished once with its outcome. Loaded through `models.py` (its last line imports this module).
"""

import uuid

from django.db import models
from django.db.models import Q

from . import surveys as rules

__all__ = ["Survey", "SurveyAnswer"]


class Survey(models.Model):
    class Outcome(models.TextChoices):
        IN_PROGRESS = rules.IN_PROGRESS, rules.OUTCOME_LABELS[rules.IN_PROGRESS]
        COMPLETED = rules.COMPLETED, rules.OUTCOME_LABELS[rules.COMPLETED]
        NOT_SAFE = rules.NOT_SAFE, rules.OUTCOME_LABELS[rules.NOT_SAFE]
        NO_ANSWER = rules.NO_ANSWER, rules.OUTCOME_LABELS[rules.NO_ANSWER]
        DECLINED = rules.DECLINED, rules.OUTCOME_LABELS[rules.DECLINED]
        LINE_DROPPED = rules.LINE_DROPPED, rules.OUTCOME_LABELS[rules.LINE_DROPPED]

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.SafeguardingCase", on_delete=models.PROTECT, related_name="surveys")
    questionnaire = models.CharField(max_length=40, default=rules.QUESTIONNAIRE_CODE)
    made_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=15, choices=Outcome.choices, default=Outcome.IN_PROGRESS)
    safe_number_used = models.BooleanField(help_text="The number called was the victim's recorded safe number")
    confirmed_safe = models.BooleanField(default=False, help_text="Another number was called and confirmed safe")
    # As they were when the survey was made (for the analysis).
    risk_level = models.CharField(max_length=10)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("incidents.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The task the outcome raised: the urgent welfare check (line went dead) or the call back (not safe).
    task = models.ForeignKey("cases.Task", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome=rules.IN_PROGRESS, finished_at__isnull=True)
                                   | (~Q(outcome=rules.IN_PROGRESS) & Q(finished_at__isnull=False)),
                                   name="insight_survey_finished_has_time"),
        ]
        indexes = [models.Index(fields=["finished_at", "outcome"])]

    def __str__(self) -> str:
        return f"Survey {self.public_id}"

    @property
    def is_finished(self) -> bool:
        return self.outcome != self.Outcome.IN_PROGRESS


class SurveyAnswer(models.Model):
    """One answer: a choice from the question's scale, or the victim's comment (free text: may hold
    personal data; shown only to permitted users, never logged)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    stage = models.CharField(max_length=20)
    question = models.CharField(max_length=30)
    value = models.TextField()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["survey", "stage", "question"],
                                               name="insight_survey_answer_once")]

    def __str__(self) -> str:
        return f"{self.survey}: {self.stage} {self.question}"
