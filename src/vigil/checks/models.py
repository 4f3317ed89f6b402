"""Control-room history, background checks with an owner, the live board, call reviews and the
domestic abuse guidance call takers keep at hand."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from .check_policy import AUTOMATIC_CHECKS, CHECK_CHOICES, PERFORMER_CHOICES, rules_overlap
from .guidance import guidance_blocks


class GuidanceTopic(models.Model):
    """One panel of domestic abuse guidance for call takers. Its text lives in revisions, so every edit
    is kept: the current text is the latest revision."""

    slug = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def current(self) -> "GuidanceRevision | None":
        return self.revisions.order_by("-revised_at", "-id").first()


class GuidanceRevision(models.Model):
    topic = models.ForeignKey(GuidanceTopic, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField(help_text="One point per line. A line starting with '- ' is a bullet.")
    revised_at = models.DateTimeField()
    revised_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    note = models.CharField("what changed and why", max_length=200, blank=True)

    class Meta:
        ordering = ["-revised_at", "-id"]

    def __str__(self) -> str:
        return f"{self.topic} at {self.revised_at:%Y-%m-%d %H:%M}"

    @property
    def blocks(self):
        return guidance_blocks(self.body)


class CheckRule(models.Model):
    """Policy: who makes which background check, for which incidents, and how soon."""

    kind = models.CharField(max_length=30, choices=CHECK_CHOICES)
    performed_by = models.CharField(max_length=30, choices=PERFORMER_CHOICES)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             help_text="Optional: the team whose queue the check goes to")
    domestic_abuse_only = models.BooleanField(default=True)
    grades = models.CharField(max_length=10, default="1,2,3,4",
                              help_text="Response grades the rule applies to, comma-separated (1 to 4)")
    deadline_minutes = models.PositiveIntegerField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "grades"]
        constraints = [
            models.CheckConstraint(condition=Q(deadline_minutes__gte=1), name="check_rule_deadline_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.get_performed_by_display()} (grades {self.grades})"

    @property
    def grade_set(self) -> frozenset[int]:
        return frozenset(int(g) for g in self.grades.split(",") if g.strip())

    def clean(self) -> None:
        try:
            grades = self.grade_set
        except ValueError:
            raise ValidationError({"grades": "Enter grades as numbers 1 to 4 separated by commas, like 1,2"}) from None
        if not grades or not grades <= {1, 2, 3, 4}:
            raise ValidationError({"grades": "Enter grades as numbers 1 to 4 separated by commas, like 1,2"})
        self.grades = ",".join(str(g) for g in sorted(grades))
        if not self.active:
            return
        others = CheckRule.objects.filter(kind=self.kind, active=True).exclude(pk=self.pk)
        for other in others:
            if rules_overlap(other.grade_set, grades):
                raise ValidationError(
                    f"Another active rule already gives the {self.get_kind_display().lower()} check for "
                    f"grades {other.grades}: each check needs exactly one owner per grade")


class BackgroundCheck(models.Model):
    """One background check for one incident: made by Vigil itself, or a task with an owner and a
    deadline that stays on the board until it is done."""

    class Status(models.TextChoices):
        OPEN = "open", "To do"
        DONE = "done", "Done"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=30, choices=CHECK_CHOICES)
    rule = models.ForeignKey(CheckRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    performed_by = models.CharField("owner role", max_length=30, choices=PERFORMER_CHOICES)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    assigned_to = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="checks_assigned", help_text="The named person who took it")
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                help_text="Empty when Vigil made the check itself")
    result = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "kind"], name="one_check_of_each_kind_per_incident"),
            models.CheckConstraint(
                condition=(Q(status="open", done_at__isnull=True)
                           | Q(status="done", done_at__isnull=False) & ~Q(result="")),
                name="done_check_has_time_and_result"),
            models.CheckConstraint(condition=Q(due_at__gte=F("created_at")), name="check_due_after_created"),
        ]
        indexes = [models.Index(fields=["status", "due_at"], condition=Q(status="open"), name="open_checks_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} check {self.public_id}"

    @property
    def made_by_vigil(self) -> bool:
        return self.status == self.Status.DONE and self.done_by_id is None and self.kind in AUTOMATIC_CHECKS


class BoardEntry(models.Model):
    """An open domestic abuse incident as the supervisors' board shows it: its highlights (each with its
    reason) and its place in the order. Refreshed whenever the incident, its history or its checks change."""

    incident = models.OneToOneField("incidents.Incident", on_delete=models.CASCADE, related_name="board_entry")
    priority = models.PositiveIntegerField(default=0, help_text="Higher first")
    highlights = models.JSONField(default=list, help_text="[{code, reason}] from board_rules")
    refreshed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "board entries"
        indexes = [models.Index(fields=["-priority", "refreshed_at"])]

    def __str__(self) -> str:
        return f"Board entry for {self.incident_id}"

    @property
    def highlight_codes(self) -> frozenset[str]:
        return frozenset(h["code"] for h in self.highlights)


class BoardAcknowledgement(models.Model):
    """A supervisor saw an incident's highlights. A highlight that appears later needs a new one."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="acknowledgements")
    codes = models.JSONField(help_text="The highlight codes acknowledged")
    acknowledged_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-acknowledged_at", "-id"]

    def __str__(self) -> str:
        return f"Acknowledgement of {self.incident_id}"


class CallReview(models.Model):
    """A domestic abuse call picked for a supervisor to review against the checklist."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    incident = models.OneToOneField("incidents.Incident", on_delete=models.PROTECT, related_name="call_review")
    call_taker = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="calls_sampled")
    month = models.DateField(help_text="First day of the month sampled")
    sampled_at = models.DateTimeField()
    reviewer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="call_reviews_done")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, help_text="{checklist item code: 'met' | 'not_met' | 'not_applicable'}")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["month", "sampled_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reviewed_at__isnull=True, reviewer__isnull=True)
                | Q(reviewed_at__isnull=False, reviewer__isnull=False),
                name="call_review_done_has_reviewer"),
            models.CheckConstraint(condition=~Q(reviewer=F("call_taker")), name="call_review_not_own_call"),
        ]
        indexes = [models.Index(fields=["month", "call_taker"])]

    def __str__(self) -> str:
        return f"Call review {self.public_id}"
