"""Insight's tables.

Lessons from reviews: the register of domestic homicide reviews and other serious case reviews
(`Review`), the lessons each one teaches with the action to be taken (`Lesson`, its changes of status kept
as `LessonUpdate` rows), the short briefings that carry a lesson to the roles and teams it concerns
(`Briefing`, addressed through `BriefingRole` rows and `target_teams`), and each user's acknowledgement
that they have read one (`BriefingAcknowledgement`).

Nothing here is deleted: every foreign key is PROTECT, a briefing once issued never changes (it can be
withdrawn, which is recorded), and a change of state is a service's work (`lessons_services.py`), which
writes the audit event. Reviews are published anonymised: no field here holds personal data.
"""

import uuid

from django.db import models
from django.db.models import Q

from vigil.accounts.roles import ROLE_CHOICES

BRIEFING_TEXT_LENGTH = 1200  # a few sentences for staff, read in a minute


class Review(models.Model):
    """A published review: a domestic homicide review, a child safeguarding practice review, a
    safeguarding adults review or another serious case review, as published (anonymised)."""

    class Kind(models.TextChoices):
        DOMESTIC_HOMICIDE = "dhr", "Domestic homicide review"
        CHILD_SAFEGUARDING = "cspr", "Child safeguarding practice review"
        SAFEGUARDING_ADULTS = "sar", "Safeguarding adults review"
        OTHER = "other", "Other serious case review"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reference = models.CharField(max_length=60, unique=True,
                                 help_text="The published reference, for example DHR 2025/03")
    title = models.CharField(max_length=200, help_text="The published, anonymised title: no names")
    published_on = models.DateField()
    area = models.ForeignKey("incidents.Area", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="reviews", help_text="The policing area it concerns; empty for force-wide")
    summary = models.TextField(help_text="What happened and what the review found, as published: no names")
    registered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField()

    class Meta:
        ordering = ["-published_on", "reference"]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"


class Lesson(models.Model):
    """One lesson a review teaches, and the action the force takes on it."""

    class Status(models.TextChoices):
        OPEN = "open", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="lessons")
    text = models.TextField(help_text="The lesson: what the review found should change")
    action = models.TextField(help_text="The action to be taken")
    owner = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="review_lessons_owned",
                              help_text="Who answers for the action")
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["review", "recorded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status="done", completed_on__isnull=False)
                                   | (~Q(status="done") & Q(completed_on__isnull=True)),
                                   name="insight_lesson_done_has_date"),
        ]

    def __str__(self) -> str:
        return f"Lesson from {self.review.reference}"


class LessonUpdate(models.Model):
    """A change of a lesson's status, with a note of progress: the lesson's history, never edited."""

    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="updates")
    status = models.CharField(max_length=12, choices=Lesson.Status.choices)
    note = models.TextField()
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.lesson}: {self.get_status_display()}"


class Briefing(models.Model):
    """A short briefing carrying a lesson to the roles and teams it concerns. A user is addressed when
    their role is one of the briefing's roles or they belong to one of its teams. Never changed once
    issued; withdrawing one keeps it, with who withdrew it, when and why."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="briefings")
    title = models.CharField(max_length=120)
    text = models.TextField(help_text=f"A few sentences for staff (up to {BRIEFING_TEXT_LENGTH} characters)")
    target_teams = models.ManyToManyField("accounts.Team", related_name="briefings", blank=True)
    issued_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    withdrawn_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["withdrawn_at", "issued_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def role_codes(self) -> list[str]:
        return sorted(r.role for r in self.audience_roles.all())


class BriefingRole(models.Model):
    """One role a briefing is addressed to (a row each, so "briefings for my role" is an index look-up
    on either database)."""

    briefing = models.ForeignKey(Briefing, on_delete=models.PROTECT, related_name="audience_roles")
    role = models.CharField(max_length=40, choices=ROLE_CHOICES)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["briefing", "role"], name="insight_briefing_role_once")]
        indexes = [models.Index(fields=["role"])]

    def __str__(self) -> str:
        return f"{self.briefing}: {self.get_role_display()}"


class BriefingAcknowledgement(models.Model):
    """A user's statement that they have read a briefing: once each."""

    briefing = models.ForeignKey(Briefing, on_delete=models.PROTECT, related_name="acknowledgements")
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="briefing_acknowledgements")
    acknowledged_at = models.DateTimeField()

    class Meta:
        ordering = ["acknowledged_at", "id"]
        constraints = [models.UniqueConstraint(fields=["briefing", "user"], name="insight_briefing_read_once")]

    def __str__(self) -> str:
        return f"{self.briefing} read"


from .partner_models import *  # noqa: E402,F401,F403
from .survey_models import *  # noqa: E402,F401,F403
