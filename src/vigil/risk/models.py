"""Risk assessment: instruments as versioned definitions, assessments with honest answers, the grading as a
sequence of decisions (officer, supervisor, specialist), what was done at the scene, and the evidence."""

import uuid

from django.db import models
from django.db.models import Q


class RiskLevel(models.TextChoices):
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Instrument(models.Model):
    """One version of a risk instrument (DASH 2009, the SafeLives checklist, a force's DARA). The
    definition (sections, questions, answers, follow-ups, scoring and grading rules) is data, validated
    by `risk.instruments`; an assessment keeps the version it was made with."""

    code = models.SlugField(max_length=60)
    version = models.CharField(max_length=20)
    name = models.CharField(max_length=120)
    definition = models.JSONField()
    is_default = models.BooleanField("the force's default instrument", default=False)
    loaded_at = models.DateTimeField()
    loaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["code", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="instrument_version_once"),
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                    name="one_default_instrument"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class RiskAssessment(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "Being completed"
        SUBMITTED = "submitted", "Submitted for supervision"

    class PositiveAction(models.TextChoices):
        ARRESTED = "arrested", "Suspect arrested"
        NOT_ARRESTED = "not_arrested", "Power of arrest, suspect not arrested (reason recorded)"
        NO_POWER = "no_power", "No power of arrest"
        SUSPECT_ABSENT = "suspect_absent", "Suspect not found at the scene"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="risk_assessments")
    victim = models.ForeignKey("people.PersonRecord", on_delete=models.PROTECT, related_name="risk_assessments")
    instrument = models.CharField(max_length=60, default="dash-2009", help_text="The instrument's code")
    instrument_version = models.ForeignKey(Instrument, on_delete=models.PROTECT, null=True, blank=True,
                                           related_name="assessments",
                                           help_text="Empty for assessments imported or generated without one")
    yes_count = models.PositiveSmallIntegerField(null=True, blank=True)
    # The current grading: the latest decision (officer, then supervisor, then specialist).
    grade = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    assessed_at = models.DateTimeField()
    # Bulk loads write only the columns above; db_default keeps them valid.
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS,
                              db_default=Status.SUBMITTED)
    officer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="risk_assessments")
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    victim_view = models.TextField("the victim's view of the danger, in their words", blank=True, db_default="")
    indicated_grade = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True, db_default="",
                                       help_text="What the answers and history indicate (risk.scoring)")
    callouts_12m = models.PositiveSmallIntegerField("police call-outs in the 12 months to this incident",
                                                    null=True, blank=True)
    positive_action = models.CharField(max_length=20, choices=PositiveAction.choices, blank=True, db_default="")
    no_arrest_reason = models.TextField(blank=True, db_default="")
    safety_measures = models.JSONField(null=True, blank=True, help_text="Codes from risk.scene.SAFETY_MEASURES")
    advice_and_support = models.JSONField(null=True, blank=True, help_text="Codes from risk.scene.ADVICE")
    supervision_due_at = models.DateTimeField(null=True, blank=True)
    other_factors = models.JSONField(null=True, blank=True,
                                     help_text="Codes from risk.routing.OTHER_FACTORS (honour-based abuse, forced "
                                               "marriage, FGM, disability, substance misuse...)")
    specialist_reasons = models.JSONField(null=True, blank=True,
                                          help_text="Why the specialist unit must review (risk.routing); empty: it need not")

    class Meta:
        indexes = [models.Index(fields=["status", "supervision_due_at"], name="assessment_supervision_queue")]

    def __str__(self) -> str:
        return f"Risk assessment {self.public_id}"


class Answer(models.Model):
    """One answer, saved the moment it is given. "Not known" is never scored as "no"."""

    class Value(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_KNOWN = "not_known", "Not known"

    class Obtained(models.TextChoices):
        ASKED_AT_SCENE = "asked_at_scene", "Asked of the victim at the scene"
        VICTIM_DECLINED = "victim_declined", "The victim declined to answer"
        WITHOUT_VICTIM = "without_victim", "Completed later without the victim"

    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(max_length=40, help_text="The question's id in the instrument definition")
    value = models.CharField(max_length=10, choices=Value.choices)
    obtained = models.CharField(max_length=20, choices=Obtained.choices)
    options = models.JSONField(null=True, blank=True, help_text="Sub-options ticked, where the question has them")
    comment = models.TextField("in the victim's words", blank=True)
    answered_at = models.DateTimeField()
    answered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "question"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"Answer to {self.question}"


class GradingDecision(models.Model):
    """One decision on the grading. A supervisor's or specialist's decision never overwrites the one
    before it: the history is the sequence of decisions."""

    class Stage(models.TextChoices):
        OFFICER = "officer", "Attending officer"
        SUPERVISOR = "supervisor", "Supervisor"
        SPECIALIST = "specialist", "Specialist review"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="decisions")
    stage = models.CharField(max_length=12, choices=Stage.choices)
    grade = models.CharField(max_length=10, choices=RiskLevel.choices)
    previous_grade = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    indicated_grade = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    rationale = models.TextField(blank=True)
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="grading_decisions")
    decided_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True,
                                     help_text="When the reviewer opened the whole assessment (time spent)")
    victim_contacted = models.BooleanField(null=True, blank=True,
                                           help_text="Specialist review: whether the victim was spoken to")
    flagged_to_manager = models.BooleanField(default=False)

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(stage="officer") | ~Q(rationale=""),
                                   name="review_decision_has_rationale"),
            models.CheckConstraint(condition=~Q(stage="specialist") | Q(victim_contacted__isnull=False),
                                   name="specialist_says_if_victim_contacted"),
            models.CheckConstraint(condition=~Q(stage="supervisor") | Q(opened_at__isnull=False),
                                   name="supervisor_opened_the_assessment"),
        ]
        indexes = [models.Index(fields=["stage", "decided_at"])]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} grading {self.public_id}"

    @property
    def is_amendment(self) -> bool:
        return bool(self.previous_grade) and self.grade != self.previous_grade


class ReviewOpening(models.Model):
    """A reviewer opened the whole assessment (every answer, the history, the scene). A supervisor's or
    specialist's decision needs one first; the time from it to the decision is the time spent."""

    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="openings")
    stage = models.CharField(max_length=12, choices=GradingDecision.Stage.choices)
    opened_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()

    class Meta:
        ordering = ["opened_at", "id"]

    def __str__(self) -> str:
        return f"Opened for {self.get_stage_display().lower()} at {self.opened_at:%Y-%m-%d %H:%M}"


class Evidence(models.Model):
    """Body-worn video (a reference) or a photograph (the file), with its SHA-256 digest."""

    class Kind(models.TextChoices):
        BODY_WORN_VIDEO = "bwv", "Body-worn video"
        PHOTOGRAPH = "photo", "Photograph"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assessment = models.ForeignKey(RiskAssessment, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reference = models.CharField("body-worn video reference", max_length=100, blank=True)
    file = models.FileField(upload_to="evidence/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    description = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="bwv") & ~Q(reference="")) | (Q(kind="photo") & ~Q(sha256="") & ~Q(file="")),
                name="evidence_has_reference_or_file"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id}"


class CustodyEvent(models.Model):
    """The chain of custody of one item of evidence: who handled it, when and how. Never changed."""

    class Action(models.TextChoices):
        RECORDED = "recorded", "Recorded"
        VIEWED = "viewed", "Viewed"
        DOWNLOADED = "downloaded", "Downloaded"
        VERIFIED = "verified", "Digest verified"

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="custody")
    action = models.CharField(max_length=12, choices=Action.choices)
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    sha256 = models.CharField(max_length=64, blank=True, help_text="The digest seen at this step")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} at {self.at:%Y-%m-%d %H:%M}"


class ChildNotification(models.Model):
    """A children's services referral or an Operation Encompass notice to a child's school, with its
    deadline (the start of the next school day for Encompass)."""

    class Kind(models.TextChoices):
        CHILDRENS_SERVICES = "childrens_services", "Children's services referral"
        ENCOMPASS = "encompass", "Operation Encompass school notification"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="child_notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    child = models.ForeignKey("people.PersonRecord", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    recipient = models.CharField("school or service", max_length=200, blank=True)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.CheckConstraint(condition=Q(sent_at__isnull=True) | Q(sent_by__isnull=False),
                                   name="child_notification_sent_by_someone"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id}"
