"""MARAC: areas and their meeting rhythm, meetings and who attends them, referrals, each agency's
research before a meeting, the actions agreed at it, and requests between agencies for information one
holds about a person.

Nothing here is ever deleted: every foreign key is PROTECT, and a change of state is a service's work
(`services.py`), which writes the audit event. The plain rules these rows feed are `schedule.py`,
`agenda.py`, `actions.py` and `figures.py`.
"""

import uuid

from django.db import models
from django.db.models import F, Q

from . import schedule
from .actions import ActionStatus
from .agenda import Criterion


class MaracArea(models.Model):
    """One MARAC: the policing areas it covers, how often it meets (policy, per area) and its cut-off."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    areas = models.ManyToManyField("incidents.Area", related_name="marac_areas", blank=True,
                                   help_text="The policing areas whose victims this MARAC hears")
    meets_every_days = models.PositiveSmallIntegerField(default=schedule.MEETING_EVERY_DAYS)
    anchor_date = models.DateField(help_text="One meeting date: the others are every `meets_every_days` from it")
    cut_off_working_days = models.PositiveSmallIntegerField(default=schedule.REFERRAL_CUT_OFF_WORKING_DAYS,
                                                            help_text="Working days before a meeting that "
                                                                      "referrals must arrive to be heard at it")
    member_agencies = models.ManyToManyField("accounts.Agency", related_name="marac_areas", blank=True,
                                             help_text="The agencies invited to every meeting")
    coordinating_team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="marac_areas",
                                          help_text="The MARAC coordination team: overdue actions go to it")
    women_aged_16_plus = models.PositiveIntegerField(
        null=True, blank=True, help_text="Women aged 16 and over living in the area (ONS mid-year estimate): "
                                         "the figures give cases a year per 10,000 of them")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(meets_every_days__gte=schedule.SHORTEST_INTERVAL_DAYS),
                                   name="marac_area_meets_at_most_weekly"),
        ]

    def __str__(self) -> str:
        return self.name


class MaracMeeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        HELD = "held", "Held"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey(MaracArea, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    chair = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    agencies = models.ManyToManyField("accounts.Agency", through="MaracAttendance", related_name="marac_meetings")
    recorded_at = models.DateTimeField(null=True, blank=True, help_text="When the chair recorded the meeting")

    class Meta:
        ordering = ["held_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["area", "held_on"], name="marac_meeting_once_a_day_per_area"),
            models.CheckConstraint(condition=Q(status="planned") | Q(chair__isnull=False),
                                   name="marac_meeting_held_has_chair"),
        ]

    def __str__(self) -> str:
        return f"{self.area} MARAC on {self.held_on:%Y-%m-%d}"

    @property
    def cut_off(self):
        return schedule.referral_cut_off(self.held_on, working_days_before=self.area.cut_off_working_days)


class MaracAttendance(models.Model):
    """An agency invited to a meeting, and whether it was there."""

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        PRESENT = "present", "Present"
        APOLOGIES = "apologies", "Sent apologies"
        ABSENT = "absent", "Absent without apologies"

    meeting = models.ForeignKey(MaracMeeting, on_delete=models.PROTECT, related_name="attendance")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="marac_attendance")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    representative = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")

    class Meta:
        ordering = ["meeting", "agency__name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "agency"], name="marac_attendance_once")]

    def __str__(self) -> str:
        return f"{self.agency}: {self.get_status_display()}"


class MaracReferral(models.Model):
    """A referral of a victim to MARAC, as domain.md lists its content. `meeting` is the meeting whose
    agenda it is on (the first whose cut-off it met) until heard, then the meeting that heard it."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received, waiting for a meeting"
        LISTED = "listed", "On a meeting's agenda"
        HEARD = "heard", "Heard"

    CRITERIA = [(c.value, c.value.replace("_", " ").capitalize()) for c in Criterion]

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey(MaracArea, on_delete=models.PROTECT, related_name="referrals")
    victim = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="marac_referrals")
    perpetrator = models.ForeignKey("people.Person", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="marac_referrals_as_perpetrator")
    risk_assessment = models.ForeignKey("risk.RiskAssessment", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="marac_referrals")
    referring_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT,
                                         related_name="marac_referrals_made")
    referred_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="marac_referrals_made")
    received_on = models.DateField()
    criteria = models.JSONField(default=list, help_text="Codes of the criteria that apply (agenda.Criterion)")
    judgement_reason = models.TextField(blank=True, help_text="The referrer's reasons for professional judgement")
    incidents_12m = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Domestic abuse incidents known to any agency in the 12 months to referral")
    is_repeat = models.BooleanField(default=False, help_text="Referred before within 12 months (repeat MARAC)")
    children = models.JSONField(default=list, blank=True,
                                help_text="Children and dependants, each a short description without names")
    recent_incidents = models.ManyToManyField("incidents.Incident", related_name="marac_referrals", blank=True)
    orders = models.ManyToManyField("cases.ProtectiveOrder", related_name="marac_referrals", blank=True,
                                    help_text="Orders and bail conditions in force")
    victim_aware = models.BooleanField(help_text="The victim knows about the referral")
    victim_consents = models.BooleanField(help_text="The victim agrees to the referral")
    reason_without_consent = models.TextField(blank=True)
    idva_referral_made = models.BooleanField(default=False)
    # Equality monitoring (domain.md): True yes, False no, None not known. Ethnicity, sex and age are read
    # from the victim's person records (data_return.py).
    victim_lgbt = models.BooleanField("the victim is LGBT+", null=True, blank=True)
    victim_disability = models.BooleanField("the victim has a disability", null=True, blank=True)
    meeting = models.ForeignKey(MaracMeeting, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="referrals")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    discussion = models.TextField(blank=True, help_text="What the meeting discussed, recorded by the chair")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["received_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(victim_consents=True) | ~Q(reason_without_consent=""),
                                   name="marac_referral_reason_without_consent"),
            models.CheckConstraint(condition=Q(victim_consents=False) | Q(victim_aware=True),
                                   name="marac_referral_consent_needs_awareness"),
            models.CheckConstraint(condition=Q(status="received") | Q(meeting__isnull=False),
                                   name="marac_referral_listed_has_meeting"),
            models.CheckConstraint(condition=Q(perpetrator__isnull=True) | ~Q(perpetrator=F("victim")),
                                   name="marac_referral_two_people"),
        ]
        indexes = [models.Index(fields=["victim", "received_on"]), models.Index(fields=["status", "area"])]

    def __str__(self) -> str:
        return f"MARAC referral {self.public_id}"


class MaracResearch(models.Model):
    """What one agency found about a case before the meeting. Never edited: more research is a new row."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(MaracReferral, on_delete=models.PROTECT, related_name="research")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="marac_research")
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name_plural = "MARAC research"

    def __str__(self) -> str:
        return f"MARAC research {self.public_id}"


class MaracAction(models.Model):
    """An action agreed at a meeting: responsibility stays with its agency (domain.md)."""

    class Status(models.TextChoices):  # the same values as actions.ActionStatus
        OPEN = ActionStatus.OPEN.value, "Open"
        DONE = ActionStatus.DONE.value, "Done"
        CANCELLED = ActionStatus.CANCELLED.value, "Cancelled (circumstances changed)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(MaracReferral, on_delete=models.PROTECT, related_name="actions")
    meeting = models.ForeignKey(MaracMeeting, on_delete=models.PROTECT, related_name="actions",
                                help_text="The meeting that agreed it")
    description = models.TextField()
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="marac_actions")
    owner = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="marac_actions")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    completed_on = models.DateField(null=True, blank=True, help_text="The day it was done or cancelled")
    outcome = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    agreed_at = models.DateTimeField()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status="open", completed_on__isnull=True)
                                   | (~Q(status="open") & Q(completed_on__isnull=False)),
                                   name="marac_action_closed_with_day"),
        ]
        indexes = [models.Index(fields=["status", "due_on"]), models.Index(fields=["agency", "status"])]

    def __str__(self) -> str:
        return f"MARAC action {self.public_id}"


class MaracInformationRequest(models.Model):
    """One agency asking another for what it holds about a person (which it knew of only as a pointer)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ANSWERED = "answered", "Answered"
        DECLINED = "declined", "Declined"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="marac_information_requests")
    referral = models.ForeignKey(MaracReferral, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="information_requests")
    requesting_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT,
                                          related_name="marac_information_asked")
    holding_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT,
                                       related_name="marac_information_held")
    asked_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField()
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    answered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True)

    class Meta:
        ordering = ["-asked_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(requesting_agency=F("holding_agency")),
                                   name="marac_information_request_two_agencies"),
            models.CheckConstraint(condition=Q(status="pending") | Q(answered_at__isnull=False),
                                   name="marac_information_request_answered_with_time"),
        ]

    def __str__(self) -> str:
        return f"MARAC information request {self.public_id}"
