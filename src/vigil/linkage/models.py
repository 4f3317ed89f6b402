"""Linkage decisions: trained matching models, pairs waiting for a reviewer, and what people decided.

Linkage proposes; people decide. A reviewer's decision (same person, different people, a split) is kept
for ever and the automatic re-link works inside it: it never separates what a person joined and never
joins what a person kept apart (`linkage/clustering.py`).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from . import counter_allegations, repeat, serial


class MatchingModel(models.Model):
    """A trained Splink model with Vigil's version envelope (`matching.model_document`)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.CharField(max_length=60, help_text="The configuration's model version, e.g. vigil-linkage-uk-1")
    trained_at = models.DateTimeField()
    trained_on_records = models.PositiveIntegerField()
    upper = models.FloatField(help_text="Link automatically at or above this match probability")
    lower = models.FloatField(help_text="Below this, a new person; between the two, a reviewer decides")
    document = models.JSONField(help_text="The saved model: Splink settings inside Vigil's envelope")
    active = models.BooleanField(default=False)

    class Meta:
        ordering = ["-trained_at"]
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=Q(active=True), name="one_active_matching_model"),
            models.CheckConstraint(condition=Q(lower__gt=0) & Q(lower__lte=F("upper")) & Q(upper__lt=1),
                                   name="matching_thresholds_ordered"),
        ]

    def __str__(self) -> str:
        return f"Matching model {self.version} trained {self.trained_at:%Y-%m-%d %H:%M}"


class MatchReview(models.Model):
    """Two person records the model could not settle (between the thresholds), held by two different
    persons, waiting for a reviewer to say whether they are one individual."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a reviewer"
        MERGED = "merged", "Same person: merged"
        KEPT_APART = "kept_apart", "Different people: kept apart"
        SETTLED = "settled", "Settled by another decision"

    class Source(models.TextChoices):
        RELINK = "relink", "Full re-link"
        ONLINE = "online", "When the record arrived"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    record_a = models.ForeignKey("people.PersonRecord", on_delete=models.PROTECT, related_name="+")
    record_b = models.ForeignKey("people.PersonRecord", on_delete=models.PROTECT, related_name="+")
    probability = models.FloatField()
    source = models.CharField(max_length=10, choices=Source.choices)
    matching_model = models.ForeignKey(MatchingModel, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="reviews")
    found_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-probability", "found_at"]
        constraints = [
            models.CheckConstraint(condition=Q(record_a__lt=F("record_b")), name="match_review_pair_ordered"),
            models.UniqueConstraint(fields=["record_a", "record_b"], name="match_review_once_per_pair"),
        ]
        indexes = [models.Index(fields=["status", "-probability"])]

    def __str__(self) -> str:
        return f"Match review {self.public_id}"


class LinkDecision(models.Model):
    """What a person decided about who is who. Never edited or deleted; a later decision about the same
    records is a new row that revokes the earlier one."""

    class Kind(models.TextChoices):
        SAME = "same", "Same person (merged)"
        DIFFERENT = "different", "Different people (kept apart)"
        SPLIT = "split", "Split into two persons"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The persons the decision was about, as they were: the survivor and the merged or split-off person.
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="link_decisions")
    other_person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    # One record on each side. For "different" and "split" the pair is a cannot-link for re-links.
    record_a = models.ForeignKey("people.PersonRecord", on_delete=models.PROTECT, related_name="+")
    record_b = models.ForeignKey("people.PersonRecord", on_delete=models.PROTECT, related_name="+")
    records_moved = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=500)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    review = models.ForeignKey(MatchReview, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="decisions")
    revoked_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="revokes")

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(record_a=F("record_b")), name="link_decision_two_records"),
            models.CheckConstraint(condition=~Q(reason=""), name="link_decision_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id}"


# --- Repeat victims, serial perpetrators and counter-allegations (issue 7, items 3 to 5) ---------------
# The lists themselves are computed from incidents (`list_selectors.py`, with the plain rules of
# `repeat.py`, `serial.py` and `counter_allegations.py`); what is stored is the policy they use, the
# plans people own for the persons on them, and the reviewers' decisions on counter-allegations.


class ListPolicy(models.Model):
    """Policy: the values the repeat-victim, serial-perpetrator and counter-allegation lists use.

    Data with history: a change is a new row (added by an administrator, with a reason), never an edit,
    and the row in force is the latest one. With no row, the defaults of `list_policy.DEFAULTS` (domain.md,
    through the plain rules' constants) apply."""

    repeat_window_days = models.PositiveSmallIntegerField(
        default=repeat.REPEAT_WINDOW_DAYS, help_text="A repeat victim has incidents within this many days (12 months: 365)")
    repeat_min_incidents = models.PositiveSmallIntegerField(
        default=repeat.REPEAT_MIN_INCIDENTS, help_text="Incidents in the window that make a repeat victim (more than one: 2)")
    commander_threshold = models.PositiveSmallIntegerField(
        default=repeat.COMMANDER_THRESHOLD, help_text="Incidents in the window that flag the victim to the local commander")
    repeat_team_threshold = models.PositiveSmallIntegerField(
        default=repeat.REPEAT_TEAM_THRESHOLD, help_text="Incidents in the window that put the victim in the repeat-case team's queue")
    plan_review_days = models.PositiveSmallIntegerField(
        default=repeat.PLAN_REVIEW_DAYS, help_text="Days from a plan's setting to its review date (repeat victims and perpetrators)")
    serial_window_years = models.PositiveSmallIntegerField(
        default=serial.SERIAL_WINDOW_YEARS, help_text="A serial perpetrator has victims within this many years")
    serial_min_victims = models.PositiveSmallIntegerField(
        default=serial.SERIAL_MIN_VICTIMS, help_text="Different victims in the window that make a serial perpetrator")
    counter_allegation_window_years = models.PositiveSmallIntegerField(
        default=counter_allegations.COUNTER_ALLEGATION_WINDOW_YEARS, help_text="Counter-allegations are looked for within this many years")
    effective_from = models.DateTimeField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    reason = models.CharField(max_length=500)

    class Meta:
        ordering = ["-effective_from", "-id"]
        verbose_name_plural = "list policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(repeat_window_days__gte=1) & Q(repeat_min_incidents__gte=2)
                & Q(commander_threshold__gte=F("repeat_min_incidents"))
                & Q(repeat_team_threshold__gte=F("repeat_min_incidents")) & Q(plan_review_days__gte=1)
                & Q(serial_window_years__gte=1) & Q(serial_min_victims__gte=2)
                & Q(counter_allegation_window_years__gte=1),
                name="list_policy_values_sensible"),
            models.CheckConstraint(condition=~Q(reason=""), name="list_policy_has_reason"),
        ]

    def __str__(self) -> str:
        return f"List policy from {self.effective_from:%Y-%m-%d %H:%M}"


class RepeatVictimPlan(models.Model):
    """A repeat victim's plan: a named owner, a review date and what is being done. One open plan per
    person; a closed plan is kept."""

    class Tier(models.TextChoices):
        REPEAT_TEAM = "repeat_team", "Repeat-case team"
        LOCAL = "local", "Local (neighbourhood)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="repeat_victim_plans")
    tier = models.CharField(max_length=12, choices=Tier.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="repeat_victim_plans")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    area = models.ForeignKey("incidents.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             help_text="The area of the victim's latest incident when the plan was set")
    review_due = models.DateField()
    plan = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", help_text="Empty when the worker set the plan")
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["review_due", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(closed_at__isnull=True),
                                    name="one_open_repeat_victim_plan"),
        ]

    def __str__(self) -> str:
        return f"Repeat victim plan {self.public_id}"


class PerpetratorPlan(models.Model):
    """A serial perpetrator's plan (the MATAC tasking): a named owner, a review date and what is being
    done. One open plan per person."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="perpetrator_plans")
    area = models.ForeignKey("incidents.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="perpetrator_plans")
    plan = models.TextField(blank=True, help_text="Empty until the owner writes it (the worker names the owner)")
    review_due = models.DateField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", help_text="Empty when the worker set the plan")
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review_due", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(closed_at__isnull=True),
                                    name="one_open_perpetrator_plan"),
        ]

    def __str__(self) -> str:
        return f"Perpetrator plan {self.public_id}"


class CounterAllegationReview(models.Model):
    """Two persons each recorded as victim and as suspect against the other, for a reviewer to decide
    who is the primary victim. The pair is ordered (`person_a` has the smaller id). The rule's suggestion
    is shown to the reviewer and kept beside the decision, never applied by itself."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a reviewer"
        DECIDED = "decided", "Primary victim decided"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person_a = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    person_b = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    found_at = models.DateTimeField()
    latest_incident_on = models.DateField(help_text="The latest incident between them when it was found or decided")
    suggested = models.ForeignKey("people.Person", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", help_text="The rule's suggestion when decided (none: balanced)")
    primary_victim = models.ForeignKey("people.Person", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-latest_incident_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(person_a__lt=F("person_b")), name="counter_allegation_pair_ordered"),
            models.UniqueConstraint(fields=["person_a", "person_b"], condition=Q(status="pending"),
                                    name="one_pending_counter_allegation_review"),
            models.CheckConstraint(
                condition=Q(status="pending", primary_victim__isnull=True, decided_at__isnull=True)
                | (Q(status="decided", decided_at__isnull=False, decided_by__isnull=False) & ~Q(reason="")
                   & (Q(primary_victim=F("person_a")) | Q(primary_victim=F("person_b")))),
                name="counter_allegation_decision_complete"),
        ]

    def __str__(self) -> str:
        return f"Counter-allegation review {self.public_id}"


# --- The online match: what the call taker was shown when a record arrived -----------------------------


class ArrivalMatch(models.Model):
    """How an arriving person record was linked, and the candidate persons the model saw, with their
    match probabilities (person public ids only: names are read when shown, as the viewer may see them)."""

    class Basis(models.TextChoices):
        LINK = "link", "Known person"
        REVIEW = "review", "Possible match: sent for review"
        NEW = "new", "New person"
        RULES = "rules", "By name and date of birth (no matching model trained yet)"

    record = models.OneToOneField("people.PersonRecord", on_delete=models.CASCADE, related_name="arrival_match")
    basis = models.CharField(max_length=10, choices=Basis.choices)
    probability = models.FloatField(null=True, blank=True)
    candidates = models.JSONField(default=list, help_text='[{"person": public id, "probability": p, "band": b}]')
    matching_model = models.ForeignKey(MatchingModel, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+")
    matched_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Arrival match for record {self.record_id}"
