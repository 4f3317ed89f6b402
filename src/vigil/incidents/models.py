"""Calls for service, crimes, arrests and outcomes."""

import uuid

from django.db import models
from django.db.models import Q


class Area(models.Model):
    """A policing area (local policing unit) that reports, teams and MARACs are organised by."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    postcode_districts = models.CharField(max_length=400, blank=True,
                                          help_text="Space-separated outward codes, e.g. LE1 LE2")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Incident(models.Model):
    class Channel(models.TextChoices):
        EMERGENCY = "999", "999 emergency call"
        NON_EMERGENCY = "101", "101 non-emergency call"
        ONLINE = "online", "Online report"
        OFFICER = "officer", "Officer-generated"

    class Grade(models.IntegerChoices):
        EMERGENCY = 1, "Grade 1: emergency"
        PRIORITY = 2, "Grade 2: priority"
        SCHEDULED = 3, "Grade 3: scheduled"
        NO_DEPLOYMENT = 4, "Grade 4: resolved without deployment"

    class Status(models.TextChoices):
        RECORDING = "recording", "Being recorded"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=30, unique=True)
    received_at = models.DateTimeField(db_index=True)
    # Historical and imported incidents are closed; intake opens new ones (db_default serves bulk loads).
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CLOSED,
                              db_default=Status.CLOSED)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="incidents_recorded")
    attending_officer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="incidents_attending")
    updated_at = models.DateTimeField(null=True, blank=True)
    # Immediate risk as told by the caller: True yes, False no, None not known.
    weapons = models.BooleanField("weapons mentioned", null=True, blank=True)
    injuries = models.BooleanField("anyone injured", null=True, blank=True)
    children_present = models.BooleanField("children present", null=True, blank=True)
    suspect_present = models.BooleanField("suspect still there", null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents")
    address = models.ForeignKey("people.Address", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="incidents")
    location_text = models.CharField(max_length=200, blank=True)
    caller_phone = models.ForeignKey("people.Phone", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="incidents")
    summary = models.TextField(blank=True)
    is_domestic_abuse = models.BooleanField(default=False)
    response_grade = models.PositiveSmallIntegerField(choices=Grade.choices)
    source_system = models.CharField(max_length=40, default="vigil")
    source_ref = models.CharField(max_length=80, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["is_domestic_abuse", "received_at"]),
            models.Index(fields=["status"], condition=~Q(status="closed"), name="incident_not_closed"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(response_grade__gte=1, response_grade__lte=4),
                                   name="incident_grade_1_to_4"),
            models.UniqueConstraint(fields=["source_system", "source_ref"], condition=~Q(source_ref=""),
                                    name="incident_source_unique"),
        ]

    def __str__(self) -> str:
        return self.reference


class Involvement(models.Model):
    class Role(models.TextChoices):
        VICTIM = "victim", "Victim"
        SUSPECT = "suspect", "Suspect"
        CALLER = "caller", "Caller"
        WITNESS = "witness", "Witness"
        CHILD_PRESENT = "child_present", "Child present"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="involvements")
    person_record = models.ForeignKey("people.PersonRecord", on_delete=models.PROTECT,
                                      related_name="involvements")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "person_record", "role"], name="involvement_once"),
        ]
        indexes = [models.Index(fields=["role", "person_record"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()} on {self.incident_id}"


class OffenceGroup(models.TextChoices):
    """Home Office offence groups (the subset Vigil reports on)."""

    ASSAULT_WITH_INTENT = "assault_with_intent", "Assault with intent to cause serious harm"
    ASSAULT_WITH_INJURY = "assault_with_injury", "Assault with injury"
    ASSAULT_WITHOUT_INJURY = "assault_without_injury", "Assault without injury"
    HARASSMENT = "harassment", "Harassment and stalking"
    SEXUAL_OFFENCES = "sexual_offences", "Sexual offences"
    CRIMINAL_DAMAGE = "criminal_damage", "Criminal damage"
    HOMICIDE = "homicide", "Homicide"
    ATTEMPTED_MURDER = "attempted_murder", "Attempted murder"
    OTHER = "other", "Other offences"


class Crime(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=30, unique=True)
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="crimes")
    recorded_at = models.DateTimeField(db_index=True)
    offence_group = models.CharField(max_length=30, choices=OffenceGroup.choices)
    offence_description = models.CharField(max_length=200, blank=True)
    is_domestic_abuse = models.BooleanField("domestic abuse marker", default=False)
    victim = models.ForeignKey("people.PersonRecord", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="crimes_as_victim")
    suspect = models.ForeignKey("people.PersonRecord", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="crimes_as_suspect")
    source_system = models.CharField(max_length=40, default="vigil")
    source_ref = models.CharField(max_length=80, blank=True)

    class Meta:
        indexes = [models.Index(fields=["is_domestic_abuse", "recorded_at"])]
        constraints = [
            models.UniqueConstraint(fields=["source_system", "source_ref"], condition=~Q(source_ref=""),
                                    name="crime_source_unique"),
        ]

    def __str__(self) -> str:
        return self.reference


class Arrest(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="arrests")
    crime = models.ForeignKey(Crime, on_delete=models.PROTECT, null=True, blank=True, related_name="arrests")
    person_record = models.ForeignKey("people.PersonRecord", on_delete=models.PROTECT, related_name="arrests")
    arrested_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(incident__isnull=False) | Q(crime__isnull=False),
                                   name="arrest_for_incident_or_crime"),
        ]

    def __str__(self) -> str:
        return f"Arrest {self.public_id}"


class Outcome(models.Model):
    """How a crime was finally resolved (Home Office outcome types, grouped)."""

    class Type(models.TextChoices):
        CHARGE = "charge", "Charge or summons"
        CAUTION = "caution", "Caution"
        OUT_OF_COURT = "out_of_court", "Out-of-court disposal"
        NO_FURTHER_ACTION = "nfa", "No further action"

    class NfaReason(models.TextChoices):
        EVIDENTIAL_DIFFICULTIES_VICTIM = "victim_does_not_support", "Victim does not support action"
        EVIDENTIAL_DIFFICULTIES = "evidential_difficulties", "Evidential difficulties"
        SUSPECT_NOT_IDENTIFIED = "suspect_not_identified", "Suspect not identified"
        NOT_IN_PUBLIC_INTEREST = "not_in_public_interest", "Not in the public interest"
        CPS_DECISION = "cps_decision", "CPS decided not to prosecute"

    crime = models.OneToOneField(Crime, on_delete=models.PROTECT, related_name="outcome")
    type = models.CharField(max_length=20, choices=Type.choices)
    nfa_reason = models.CharField("reason for no further action", max_length=40, choices=NfaReason.choices,
                                  blank=True)
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(type="nfa") & ~Q(nfa_reason="")) | (~Q(type="nfa") & Q(nfa_reason="")),
                name="outcome_nfa_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.get_type_display()
