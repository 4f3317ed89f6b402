"""Safeguarding cases: one accountable owner at every moment, handovers that keep the sender accountable
until the receiver accepts, tasks with deadlines, victim contact, custody, court and bail, orders,
referrals, disclosure-scheme requests, and the case timeline.

"Exactly one owner" is the database's rule, not only the code's: `SafeguardingCase.owner` is NOT NULL
(at least one) and a single column (at most one); `OwnershipPeriod` keeps the history with at most one
open period per case; a case has at most one pending handover.
"""

import uuid

from django.db import models
from django.db.models import F, Q

from vigil.risk.models import RiskLevel


class OwnershipRule(models.Model):
    """Policy: which kind of team owns a case at each risk level, and how long a handover to it may
    wait for acceptance before both supervisors are told. Edited by an administrator (audited)."""

    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, unique=True)
    team_kind = models.CharField(max_length=30, help_text="The kind of team that owns cases at this risk level")
    accept_within_hours = models.PositiveSmallIntegerField(
        default=24, help_text="A handover not accepted within this many hours escalates to both supervisors")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["risk_level"]

    def __str__(self) -> str:
        return f"{self.get_risk_level_display()} risk: {self.team_kind}"


class SafeguardingCase(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class ContactMethod(models.TextChoices):
        PHONE = "phone", "Telephone (safe number)"
        VISIT = "visit", "Visit in person"
        EMAIL = "email", "Email (safe address)"
        THROUGH_IDVA = "idva", "Through the IDVA"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    victim = models.ForeignKey("people.PersonRecord", on_delete=models.PROTECT, related_name="cases")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="cases")
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices)
    # The accountable owner (a named person) and the team they own it for. NOT NULL: a case never has no
    # owner; one column: it never has two. Changed only by the ownership services.
    owner = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="cases_owned")
    owning_team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="cases_owned")
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=300, blank=True)
    # The contact plan agreed with the victim (Victims' Code: updates at the frequency and by the method
    # agreed). The safe number itself is the person's SafeContact.
    contact_method = models.CharField(max_length=10, choices=ContactMethod.choices, default=ContactMethod.PHONE)
    update_every_days = models.PositiveSmallIntegerField(default=28)
    contact_note = models.CharField("when and how it is safe to make contact", max_length=300, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("opened_at")),
                                   name="case_closes_after_it_opens"),
            models.CheckConstraint(condition=Q(update_every_days__gte=1), name="case_update_interval_positive"),
        ]
        indexes = [models.Index(fields=["opened_at", "closed_at"]), models.Index(fields=["owner", "closed_at"])]

    def __str__(self) -> str:
        return f"Case {self.public_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class OwnershipPeriod(models.Model):
    """Who owned a case, from when to when, and how they came to own it. Never edited except to close
    the period when ownership passes on."""

    class Via(models.TextChoices):
        OPENED = "opened", "Case opened"
        HANDOVER = "handover", "Handover accepted"
        TAKE_BACK = "take_back", "Taken back by a manager"

    case = models.ForeignKey(SafeguardingCase, on_delete=models.CASCADE, related_name="ownership")
    owner = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    via = models.CharField(max_length=10, choices=Via.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(ended_at__isnull=True),
                                    name="one_current_owner_per_case"),
            models.CheckConstraint(condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                                   name="ownership_ends_after_it_starts"),
        ]

    def __str__(self) -> str:
        return f"Owned {self.started_at:%Y-%m-%d %H:%M} to {self.ended_at or 'now'}"


class Handover(models.Model):
    """A proposal to pass a case to a named person or a team's queue. The sender stays the owner until
    the receiver accepts."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for acceptance"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(SafeguardingCase, on_delete=models.CASCADE, related_name="handovers")
    from_user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="handovers_sent")
    from_team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="handovers_sent")
    to_user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="handovers_received", help_text="Empty: the team's queue")
    to_team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="handovers_received")
    reason = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    proposed_at = models.DateTimeField()
    accept_by = models.DateTimeField(help_text="After this the handover escalates to both supervisors")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    rejection_reason = models.CharField(max_length=500, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status="pending"),
                                    name="one_pending_handover_per_case"),
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                                   name="handover_rejection_has_reason"),
            models.CheckConstraint(condition=Q(status="pending") | Q(decided_at__isnull=False),
                                   name="handover_decided_when_not_pending"),
        ]
        indexes = [models.Index(fields=["status", "accept_by"])]

    def __str__(self) -> str:
        return f"Handover {self.public_id} ({self.get_status_display()})"


class Task(models.Model):
    """A piece of work with a deadline on a case: tell the victim, watch a court, review risk, chase an
    acknowledgement, or an escalation of one of those. Shown in "My work" to its assignee, or to its
    team when it has no assignee. `key` makes each automatic task exist at most once (for example
    "escalate:handover:<id>"), so a background run repeated after a crash never makes it twice."""

    class Kind(models.TextChoices):
        CONTACT_VICTIM = "contact_victim", "Contact the victim"
        TELL_VICTIM = "tell_victim", "Tell the victim about a key event"
        COURT_BAIL_TELL_VICTIM = "court_bail", "Tell the victim the court granted bail"
        COURT_OUTCOME = "court_outcome", "Find out the outcome of the remand hearing"
        RELEASE_REVIEW = "release_review", "Review risk before the prisoner's release"
        RELEASE_NOTIFY = "release_notify", "Tell the victim before the prisoner's release"
        DVPO_APPLICATION = "dvpo_application", "Apply for the DVPO"
        ORDER_EXPIRY = "order_expiry", "An order is about to end"
        SPO_NOTIFICATION = "spo_notification", "Check the SPO subject's notification"
        RISK_REVIEW = "risk_review", "Review the risk"
        REFERRAL_ACK = "referral_ack", "Chase the referral's acknowledgement"
        DISCLOSURE_DECISION = "disclosure_decision", "Decide the disclosure request"
        ALLOCATE = "allocate", "Allocate the case to a named officer"
        WELFARE_CHECK = "welfare_check", "Immediate response: check the victim is safe"
        SURVEY_CALL_BACK = "survey_call_back", "Call the victim back for the survey"
        ESCALATION = "escalation", "Escalation"

    class Status(models.TextChoices):
        OPEN = "open", "To do"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(SafeguardingCase, on_delete=models.CASCADE, related_name="tasks", null=True,
                             blank=True, help_text="Empty for work not yet on a case (a disclosure request)")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    urgent = models.BooleanField(default=False)
    assignee = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="tasks")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="tasks")
    due_at = models.DateTimeField()
    created_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    outcome = models.CharField(max_length=500, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_of = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True,
                                      related_name="escalations")
    # What the task is about, when it is not the case itself: "cases.Handover:<uuid>" and so on.
    subject = models.CharField(max_length=80, blank=True)
    key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(assignee__isnull=False) | Q(team__isnull=False),
                                   name="task_has_assignee_or_team"),
            models.CheckConstraint(condition=Q(status="open") | Q(done_at__isnull=False),
                                   name="task_closed_with_time"),
        ]
        indexes = [models.Index(fields=["status", "due_at"]), models.Index(fields=["assignee", "status"]),
                   models.Index(fields=["team", "status"])]

    def __str__(self) -> str:
        return self.title


class Contact(models.Model):
    """One attempt to contact the victim, as it happened. Never edited."""

    class Method(models.TextChoices):
        PHONE = "phone", "Telephone"
        VISIT = "visit", "Visit in person"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        THROUGH_IDVA = "idva", "Through the IDVA"

    class Outcome(models.TextChoices):
        SPOKE = "spoke", "Spoke to the victim"
        NO_ANSWER = "no_answer", "No answer, no message left"
        NOT_SAFE = "not_safe", "Victim said it was not safe to talk"
        WRONG_PERSON = "wrong_person", "Someone else answered; nothing said"
        VISITED_NO_ONE = "no_one_in", "Visited, no one in"
        MESSAGE_SENT = "message_sent", "Written message sent to a safe address"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(SafeguardingCase, on_delete=models.CASCADE, related_name="contacts")
    task = models.ForeignKey(Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts")
    made_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField()
    method = models.CharField(max_length=10, choices=Method.choices)
    safe_number_used = models.BooleanField(help_text="The number called was the victim's recorded safe number")
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    told = models.JSONField(default=list, blank=True, help_text="Codes of the key events the victim was told")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-made_at", "-id"]

    def __str__(self) -> str:
        return f"Contact {self.public_id}"


class CustodyRecord(models.Model):
    """A suspect's arrest and what followed: released under investigation, pre-charge bail with
    conditions, charged and bailed, or charged and remanded for court; then the court's decision and, for
    a prisoner, the release date."""

    class Disposal(models.TextChoices):
        RELEASED_UNDER_INVESTIGATION = "rui", "Released under investigation"
        PRE_CHARGE_BAIL = "pre_charge_bail", "Pre-charge bail with conditions"
        CHARGED_BAILED = "charged_bailed", "Charged and bailed"
        CHARGED_REMANDED = "charged_remanded", "Charged and remanded for court"
        NO_FURTHER_ACTION = "nfa", "Released, no further action"

    class CourtOutcome(models.TextChoices):
        BAILED = "bailed", "Court granted bail"
        REMANDED = "remanded", "Remanded in custody"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(SafeguardingCase, on_delete=models.CASCADE, related_name="custody_records")
    suspect = models.ForeignKey("people.PersonRecord", on_delete=models.PROTECT, related_name="custody_records")
    arrest = models.OneToOneField("incidents.Arrest", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="custody_record")
    arrested_at = models.DateTimeField()
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    disposal = models.CharField(max_length=20, choices=Disposal.choices, blank=True)
    disposal_at = models.DateTimeField(null=True, blank=True)
    bail_return_on = models.DateField(null=True, blank=True)
    court_name = models.CharField(max_length=120, blank=True)
    hearing_at = models.DateTimeField(null=True, blank=True)
    court_outcome = models.CharField(max_length=10, choices=CourtOutcome.choices, blank=True)
    court_outcome_at = models.DateTimeField(null=True, blank=True)
    release_on = models.DateField("prisoner's release date", null=True, blank=True)

    class Meta:
        ordering = ["-arrested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(disposal="") | Q(disposal_at__isnull=False),
                                   name="custody_disposal_has_time"),
            models.CheckConstraint(condition=Q(court_outcome="") | Q(disposal="charged_remanded"),
                                   name="custody_court_outcome_after_remand"),
        ]

    def __str__(self) -> str:
        return f"Custody record {self.public_id}"


class ProtectiveOrder(models.Model):
    """An order, notice or set of bail conditions protecting someone: who it restricts, who it protects,
    its conditions, from when and until when. Bail conditions and orders in force become warning
    markers on the protected person and their address, so the control room sees them."""

    class Kind(models.TextChoices):
        BAIL_CONDITIONS = "bail_conditions", "Bail conditions"
        DVPN = "dvpn", "Domestic violence protection notice (DVPN)"
        DVPO = "dvpo", "Domestic violence protection order (DVPO)"
        DAPN = "dapn", "Domestic abuse protection notice (DAPN)"
        DAPO = "dapo", "Domestic abuse protection order (DAPO)"
        RESTRAINING = "restraining", "Restraining order"
        NON_MOLESTATION = "non_molestation", "Non-molestation order"
        OCCUPATION = "occupation", "Occupation order"
        STALKING_PROTECTION = "spo", "Stalking protection order"
        FORCED_MARRIAGE = "fmpo", "Forced marriage protection order"
        FGM = "fgmpo", "FGM protection order"

    class Status(models.TextChoices):
        IN_FORCE = "in_force", "In force"
        ENDED = "ended", "Ended"
        REVOKED = "revoked", "Revoked or cancelled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(SafeguardingCase, on_delete=models.CASCADE, related_name="orders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    restricted_person = models.ForeignKey("people.PersonRecord", on_delete=models.PROTECT,
                                          related_name="orders_restricting")
    protected_persons = models.ManyToManyField("people.PersonRecord", related_name="orders_protecting")
    protected_address = models.ForeignKey("people.Address", on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+")
    conditions = models.JSONField(default=list, help_text="Each condition as one line of text")
    starts_at = models.DateTimeField()
    ends_on = models.DateField(null=True, blank=True, help_text="Empty: until further order")
    served_at = models.DateTimeField(null=True, blank=True)
    authorised_by = models.CharField(max_length=120, blank=True, help_text="Rank and name, or the court")
    custody_record = models.ForeignKey(CustodyRecord, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="orders")
    follows = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="followed_by",
                                help_text="The notice this order follows (a DVPO after a DVPN)")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.IN_FORCE)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    markers = models.ManyToManyField("people.WarningMarker", blank=True, related_name="+")
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["status", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id}"


class Breach(models.Model):
    """A breach of an order, linked to the incident that reported it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey(ProtectiveOrder, on_delete=models.PROTECT, related_name="breaches")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="breaches")
    occurred_at = models.DateTimeField()
    description = models.CharField(max_length=500)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name_plural = "breaches"
        constraints = [models.UniqueConstraint(fields=["order", "incident"], name="breach_once_per_incident")]

    def __str__(self) -> str:
        return f"Breach {self.public_id}"


class Referral(models.Model):
    """A referral to another agency, with the victim's consent or the override and its reason, and the
    receiving agency's acknowledgement tracked to a deadline."""

    class Kind(models.TextChoices):
        IDVA = "idva", "IDVA service"
        CHILDRENS_SERVICES = "childrens_services", "Children's services"
        SCHOOL = "school", "School (Operation Encompass)"
        HOUSING = "housing", "Housing"
        HEALTH = "health", "Health"
        PROBATION = "probation", "Probation"
        OTHER = "other", "Other support service"

    class Consent(models.TextChoices):
        GIVEN = "given", "The victim agreed"
        REFUSED_OVERRIDDEN = "overridden", "The victim did not agree; referred without consent"
        NOT_ASKED_OVERRIDDEN = "not_asked", "Not asked; referred without consent"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(SafeguardingCase, on_delete=models.CASCADE, related_name="referrals")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="referrals_received")
    recipient = models.CharField(max_length=200, blank=True, help_text="Service or school, when not an agency here")
    consent = models.CharField(max_length=12, choices=Consent.choices)
    override_reason = models.CharField(max_length=500, blank=True)
    detail = models.TextField(blank=True)
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    acknowledge_by = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=200, blank=True, help_text="Who acknowledged it, and their reference")

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(consent="given") | ~Q(override_reason=""),
                                   name="referral_override_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} referral {self.public_id}"


class DisclosureRequest(models.Model):
    """A Clare's Law request: right to ask (the person or a third party asks about a partner) or right to
    know (the police decide to disclose). Decided within the policy's days of the application."""

    class Route(models.TextChoices):
        RIGHT_TO_ASK = "ask", "Right to ask"
        RIGHT_TO_KNOW = "know", "Right to know"

    class Stage(models.IntegerChoices):
        INITIAL_CHECKS = 1, "Application and initial checks"
        FACE_TO_FACE = 2, "Face-to-face meeting"
        RISK_ASSESSMENT = 3, "Full risk assessment"
        MULTI_AGENCY = 4, "Multi-agency decision"
        DECIDED = 5, "Disclosure or not, with a safety plan"

    class Decision(models.TextChoices):
        DISCLOSE = "disclose", "Disclose"
        NOT_DISCLOSE = "not_disclose", "Do not disclose"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=30, unique=True)
    route = models.CharField(max_length=5, choices=Route.choices)
    applicant_is_third_party = models.BooleanField(default=False)
    potential_victim = models.ForeignKey("people.PersonRecord", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("people.PersonRecord", on_delete=models.PROTECT, related_name="+",
                                help_text="The partner or ex-partner asked about")
    case = models.ForeignKey(SafeguardingCase, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="disclosures")
    received_at = models.DateTimeField()
    decide_by = models.DateTimeField()
    immediate_risk = models.BooleanField(default=False)
    stage = models.PositiveSmallIntegerField(choices=Stage.choices, default=Stage.INITIAL_CHECKS)
    decision = models.CharField(max_length=12, choices=Decision.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    disclosed_to = models.CharField(max_length=200, blank=True,
                                    help_text="The person best placed to protect the potential victim")
    safety_plan = models.TextField(blank=True)
    handled_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["decide_by"]
        constraints = [
            models.CheckConstraint(condition=Q(decision="") | Q(decided_at__isnull=False, stage=5),
                                   name="disclosure_decided_at_last_stage"),
        ]

    def __str__(self) -> str:
        return f"Disclosure request {self.reference}"


class TimelineEntry(models.Model):
    """One thing that happened on a case, with who did it: written by every case service in the same
    transaction as the change. A person's timeline gathers these over the person's cases with their
    incidents and assessments."""

    case = models.ForeignKey(SafeguardingCase, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField()
    actor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              help_text="Empty for Vigil's own background work")
    kind = models.CharField(max_length=40)
    summary = models.CharField(max_length=500)
    subject = models.CharField(max_length=80, blank=True, help_text="The object concerned: 'app.Model:<uuid>'")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]
        verbose_name_plural = "timeline entries"

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """Each background worker writes here as it runs, so anyone can see that it is alive."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=120)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()
    sweeps = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Worker {self.worker_id}"
