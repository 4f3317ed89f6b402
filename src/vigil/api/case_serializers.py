"""What the cases API accepts and answers with.

Input serializers check the shape of a request; the case services check the substance (a closed case, a
safe number, a disposal after the arrest). Errors never repeat a submitted value. Output serializers read
plain dictionaries built by `case_views`, so they add no queries; they exist to document the answers in
the OpenAPI schema.
"""

from rest_framework import serializers

from vigil.cases.contact_services import KEY_EVENTS, NOTE_MAX_LENGTH
from vigil.cases.models import Contact, CustodyRecord, ProtectiveOrder, SafeguardingCase, Task
from vigil.risk.models import RiskLevel

from .serializers import StrictFieldsMixin

MAX_CONDITIONS = 30
CONDITION_LENGTH = 300


def _choice(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field whose error lists the choices and never echoes what was sent."""
    values = [value for value, _ in choices]
    return serializers.ChoiceField(choices=choices, error_messages={
        "invalid_choice": "Choose one of: " + ", ".join(values) + "."}, **kwargs)


def _conditions(**kwargs):
    return serializers.ListField(child=serializers.CharField(max_length=CONDITION_LENGTH), required=False,
                                 default=list, max_length=MAX_CONDITIONS, **kwargs)


# Input --------------------------------------------------------------------------------------------------

class CaseListQuerySerializer(StrictFieldsMixin, serializers.Serializer):
    status = _choice(SafeguardingCase.Status.choices, required=False,
                     help_text="open or closed; left out, both")
    ignored_fields = frozenset({"limit", "offset"})


class TaskCompleteSerializer(StrictFieldsMixin, serializers.Serializer):
    outcome = serializers.CharField(max_length=500, required=False, allow_blank=True, default="",
                                    help_text="What was done (optional)")


class ContactInSerializer(StrictFieldsMixin, serializers.Serializer):
    method = _choice(Contact.Method.choices)
    outcome = _choice(Contact.Outcome.choices)
    safe_number_used = serializers.BooleanField(required=False, allow_null=True, default=None,
                                                help_text="By telephone: whether the victim's recorded safe number "
                                                          "was called (required for phone)")
    confirmed_safe = serializers.BooleanField(required=False, default=False,
                                              help_text="By telephone without the safe number: the officer "
                                                        "confirms the number called was safe")
    told = serializers.ListField(child=_choice(KEY_EVENTS), required=False, default=list, max_length=len(KEY_EVENTS),
                                 help_text="Key events the victim was told of (codes)")
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")
    task = serializers.UUIDField(required=False, allow_null=True, default=None,
                                 help_text="The task this contact was for; spoken to and told, it is done")
    made_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                        help_text="When the contact was made; left out, now")


class ArrestInSerializer(StrictFieldsMixin, serializers.Serializer):
    arrested_at = serializers.DateTimeField(help_text="When the suspect was arrested")
    suspect = serializers.UUIDField(required=False, allow_null=True, default=None,
                                    help_text="The suspect's person record; left out, the incident's suspect")


class DisposalInSerializer(StrictFieldsMixin, serializers.Serializer):
    disposal = _choice(CustodyRecord.Disposal.choices)
    disposed_at = serializers.DateTimeField(help_text="When the decision was made")
    bail_conditions = _conditions(help_text="With bail: each condition as one line")
    bail_return_on = serializers.DateField(required=False, allow_null=True, default=None,
                                           help_text="With bail: the date the suspect must answer bail")
    court_name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="",
                                       help_text="Charged and remanded: the court that hears the application")
    hearing_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                           help_text="Charged and remanded: when the hearing is")


class CourtOutcomeInSerializer(StrictFieldsMixin, serializers.Serializer):
    outcome = _choice(CustodyRecord.CourtOutcome.choices)
    decided_at = serializers.DateTimeField(help_text="When the court decided")
    bail_conditions = _conditions(help_text="Court bail: each condition as one line")
    bail_return_on = serializers.DateField(required=False, allow_null=True, default=None,
                                           help_text="Court bail: the next court date")


class OrderInSerializer(StrictFieldsMixin, serializers.Serializer):
    kind = _choice(ProtectiveOrder.Kind.choices)
    restricted_person = serializers.UUIDField(help_text="The person record of the person the order restricts")
    protected_persons = serializers.ListField(child=serializers.UUIDField(), required=False, default=list,
                                              max_length=20,
                                              help_text="Person records protected; left out, the victim")
    starts_at = serializers.DateTimeField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None,
                                    help_text="Left out: until further order (a notice: the hearing deadline)")
    served_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                          help_text="When it was served (required for a DVPN or DAPN)")
    conditions = _conditions()
    authorised_rank = serializers.CharField(max_length=40, required=False, allow_blank=True, default="",
                                            help_text="A notice: the authorising officer's rank")
    authorised_by = serializers.CharField(max_length=120, required=False, allow_blank=True, default="",
                                          help_text="A notice: the authorising officer's name; else the court")
    follows = serializers.UUIDField(required=False, allow_null=True, default=None,
                                    help_text="The notice this order follows (a DVPO after a DVPN)")


# Output -------------------------------------------------------------------------------------------------

class CaseUserSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    role = serializers.CharField()


class CaseTeamSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CaseVictimSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The victim's person record on the incident")
    person = serializers.UUIDField(allow_null=True)
    name = serializers.CharField(allow_null=True, help_text="null while the record is restricted and not opened")
    restricted = serializers.BooleanField()


class CaseIncidentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()


class HandoverOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    to_team = CaseTeamSerializer()
    to_user = CaseUserSerializer(allow_null=True)
    from_user = CaseUserSerializer()
    reason = serializers.CharField()
    proposed_at = serializers.DateTimeField()
    accept_by = serializers.DateTimeField()
    escalated = serializers.BooleanField()


class CaseOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.URLField()
    incident = CaseIncidentSerializer()
    victim = CaseVictimSerializer()
    status = _choice(SafeguardingCase.Status.choices)
    risk_level = _choice(RiskLevel.choices)
    owner = CaseUserSerializer()
    team = CaseTeamSerializer()
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    pending_handover = HandoverOutSerializer(allow_null=True)


class ContactPlanSerializer(serializers.Serializer):
    method = serializers.CharField()
    update_every_days = serializers.IntegerField()
    note = serializers.CharField()


class TaskOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = _choice(Task.Kind.choices)
    title = serializers.CharField()
    detail = serializers.CharField()
    urgent = serializers.BooleanField()
    status = _choice(Task.Status.choices)
    due_at = serializers.DateTimeField()
    overdue = serializers.BooleanField()
    assignee = CaseUserSerializer(allow_null=True)
    team = CaseTeamSerializer(allow_null=True)
    case = CaseIncidentSerializer(allow_null=True, help_text="The case's id and its incident's reference")
    done_at = serializers.DateTimeField(allow_null=True)
    done_by = CaseUserSerializer(allow_null=True)
    outcome = serializers.CharField()


class CaseDetailSerializer(CaseOutSerializer):
    closed_reason = serializers.CharField()
    contact_plan = ContactPlanSerializer()
    open_tasks = TaskOutSerializer(many=True)


class CaseListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    cases = CaseOutSerializer(many=True)


class MyTaskSerializer(TaskOutSerializer):
    why = serializers.CharField(help_text="Why it is in your list: Yours, Your team's, or whose it is")


class TaskListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    overdue = serializers.IntegerField()
    tasks = MyTaskSerializer(many=True)


class ContactOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    made_at = serializers.DateTimeField()
    made_by = CaseUserSerializer()
    method = _choice(Contact.Method.choices)
    outcome = _choice(Contact.Outcome.choices)
    safe_number_used = serializers.BooleanField()
    told = serializers.ListField(child=serializers.CharField())
    note = serializers.CharField()
    task = serializers.UUIDField(allow_null=True)


class ContactListSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    contacts = ContactOutSerializer(many=True)


class CasePersonRecordSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    person = serializers.UUIDField(allow_null=True)


class CustodyOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    suspect = CasePersonRecordSerializer()
    arrested_at = serializers.DateTimeField()
    recorded_by = CaseUserSerializer()
    disposal = serializers.CharField(help_text="Empty until decided")
    disposal_at = serializers.DateTimeField(allow_null=True)
    bail_return_on = serializers.DateField(allow_null=True)
    court_name = serializers.CharField()
    hearing_at = serializers.DateTimeField(allow_null=True)
    court_outcome = serializers.CharField(help_text="Empty until the court decides")
    court_outcome_at = serializers.DateTimeField(allow_null=True)
    release_on = serializers.DateField(allow_null=True)


class CustodyListSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    custody_records = CustodyOutSerializer(many=True)


class OrderOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = _choice(ProtectiveOrder.Kind.choices)
    status = _choice(ProtectiveOrder.Status.choices)
    restricted_person = CasePersonRecordSerializer()
    protected_persons = CasePersonRecordSerializer(many=True)
    conditions = serializers.ListField(child=serializers.CharField())
    starts_at = serializers.DateTimeField()
    ends_on = serializers.DateField(allow_null=True)
    served_at = serializers.DateTimeField(allow_null=True)
    authorised_by = serializers.CharField()
    follows = serializers.UUIDField(allow_null=True)
    custody_record = serializers.UUIDField(allow_null=True)
    recorded_by = CaseUserSerializer()
    recorded_at = serializers.DateTimeField()
    breaches = serializers.IntegerField(help_text="How many breaches are recorded")


class OrderListSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    orders = OrderOutSerializer(many=True)
