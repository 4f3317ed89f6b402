"""The evaluation of risk judgements: its policy (data with history) and the versions of the history-based
risk signal, each kept with its evaluation."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .policy import DEFAULTS


class Outcome(models.TextChoices):
    """What may follow an assessment within a horizon (outcomes.py)."""

    FURTHER_INCIDENT = "further_incident", "A further domestic abuse incident against the same victim"
    FURTHER_CRIME = "further_crime", "A further crime against the same victim"
    SERIOUS_HARM = "serious_harm", "A further crime involving injury or a serious offence"
    HOMICIDE_OR_NEAR_FATAL = "homicide_or_near_fatal", "A homicide or near-fatal incident (homicide or attempted murder)"


class EvaluationPolicy(models.Model):
    """Policy: the follow-up horizons and the fairness guard's margin (policy.py). Data with history: a
    change is a new row, never an edit; the row in force is the latest one."""

    short_horizon_months = models.PositiveSmallIntegerField(default=DEFAULTS.short_horizon_months)
    medium_horizon_months = models.PositiveSmallIntegerField(default=DEFAULTS.medium_horizon_months)
    long_horizon_months = models.PositiveSmallIntegerField(default=DEFAULTS.long_horizon_months)
    fairness_margin = models.FloatField(
        default=DEFAULTS.fairness_margin,
        help_text="The most a group's false negative or false positive rate may differ from everyone else's "
                  "(a share: 0.1 is ten points)")
    fairness_min_group_size = models.PositiveSmallIntegerField(
        default=DEFAULTS.fairness_min_group_size, help_text="Fewer people than this in a rate's denominator: "
                                                            "too few to judge")
    signal_flag_share = models.FloatField(
        default=DEFAULTS.signal_flag_share,
        help_text="For the fairness guard, the share of training assessments the history signal flags")
    days_since_cap = models.PositiveSmallIntegerField(
        default=DEFAULTS.days_since_cap, help_text="Days since the victim's last incident are capped at this")
    effective_from = models.DateTimeField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    reason = models.CharField(max_length=500)

    class Meta:
        ordering = ["-effective_from", "-id"]
        verbose_name_plural = "evaluation policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(short_horizon_months__gte=1) & Q(medium_horizon_months__gt=F("short_horizon_months"))
                & Q(long_horizon_months__gt=F("medium_horizon_months")) & Q(fairness_margin__gte=0)
                & Q(fairness_margin__lte=1) & Q(fairness_min_group_size__gte=1) & Q(signal_flag_share__gt=0)
                & Q(signal_flag_share__lt=1) & Q(days_since_cap__gte=1),
                name="evaluation_policy_values_sensible"),
            models.CheckConstraint(condition=~Q(reason=""), name="evaluation_policy_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Evaluation policy from {self.effective_from:%Y-%m-%d %H:%M}"


class HistoryModelVersion(models.Model):
    """One trained version of the history-based risk signal: what it was trained and validated on, the
    model (`history_model.HistoryModel.to_document`), its evaluation and its fairness guard. At most one is
    active; one that failed the fairness guard is never switched on (services.history_model_switch_on)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    number = models.PositiveIntegerField(unique=True)
    trained_at = models.DateTimeField()
    trained_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    training_start = models.DateField()
    training_end = models.DateField(help_text="Inclusive")
    validation_start = models.DateField()
    validation_end = models.DateField(help_text="Inclusive")
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    horizon_months = models.PositiveSmallIntegerField()
    document = models.JSONField(help_text="The model: history_model.HistoryModel.to_document()")
    evaluation = models.JSONField(help_text="On the validation period: AUCs with intervals, calibration, "
                                            "the comparison with the DASH yes-count and grading")
    fairness_passed = models.BooleanField()
    fairness = models.JSONField(help_text="The fairness guard's judgement of each subgroup")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    switched_on_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="+")
    switched_on_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=Q(status="active"),
                                    name="one_active_history_model"),
            models.CheckConstraint(condition=Q(training_end__lt=F("validation_start")),
                                   name="history_model_validated_after_training"),
            models.CheckConstraint(condition=~Q(status="active") | Q(fairness_passed=True),
                                   name="active_history_model_passed_fairness"),
        ]

    def __str__(self) -> str:
        return f"History signal version {self.number}"
