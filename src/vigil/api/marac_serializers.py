"""What the MARAC API accepts and answers with.

Input serializers check the shape of a request; the MARAC services check the substance (a criterion that
applies, consent, a case on the meeting's agenda, who may close an action). Errors never repeat a submitted
value. Output serializers read plain dictionaries built by `marac_views` from rows the selectors already
scoped to the viewer, so they add no queries and document the answers in the OpenAPI schema. Statuses are
plain strings here (their codes listed in the help text), so that the MARAC choice sets do not collide with
the other apps' "status" enums in the schema.
"""

from rest_framework import serializers

from vigil.marac.agenda import Criterion
from vigil.marac.models import MaracAction, MaracAttendance, MaracMeeting, MaracReferral
from vigil.marac.services import CHILD_DESCRIPTION_LENGTH

from .serializers import StrictFieldsMixin

MAX_CHILDREN = 20
MAX_AGENCIES = 50
TEXT_LENGTH = 4000
CRITERIA = [(c.value, c.value.replace("_", " ").capitalize()) for c in Criterion]


def _codes(choices) -> str:
    return "One of: " + ", ".join(value for value, _ in choices)


def _status(choices, **kwargs) -> serializers.CharField:
    return serializers.CharField(help_text=_codes(choices), **kwargs)


# Input --------------------------------------------------------------------------------------------------

class MaracReferralListQuerySerializer(StrictFieldsMixin, serializers.Serializer):
    area = serializers.SlugField(max_length=40, required=False, help_text="A MARAC area's code; left out, all")
    status = serializers.CharField(required=False, help_text=_codes(MaracReferral.Status.choices)
                                   + "; left out, all")
    ignored_fields = frozenset({"limit", "offset"})

    def validate_status(self, value: str) -> str:
        if value not in MaracReferral.Status.values:
            raise serializers.ValidationError(_codes(MaracReferral.Status.choices) + ".")
        return value


class MaracReferralInSerializer(StrictFieldsMixin, serializers.Serializer):
    area = serializers.SlugField(max_length=40, help_text="The code of the MARAC area that will hear the case")
    victim = serializers.UUIDField(help_text="The victim (a person's id)")
    perpetrator = serializers.UUIDField(required=False, allow_null=True, default=None,
                                        help_text="The perpetrator (a person's id), if known")
    risk_assessment = serializers.UUIDField(required=False, allow_null=True, default=None,
                                            help_text="The risk assessment of the victim the referral rests on")
    received_on = serializers.DateField(help_text="The day the referral was received (not in the future)")
    criteria = serializers.ListField(
        child=serializers.ChoiceField(choices=CRITERIA, error_messages={
            "invalid_choice": "Choose one of: " + ", ".join(c for c, _ in CRITERIA) + "."}),
        allow_empty=False, max_length=len(CRITERIA), help_text="The referral criteria that apply")
    judgement_reason = serializers.CharField(max_length=TEXT_LENGTH, required=False, allow_blank=True, default="",
                                             help_text="With professional judgement: the referrer's reasons")
    other_agency_incidents = serializers.IntegerField(min_value=0, max_value=500, required=False, default=0,
                                                      help_text="Domestic abuse incidents in the last 12 months "
                                                                "known to other agencies, not to the police")
    children = serializers.ListField(child=serializers.CharField(max_length=CHILD_DESCRIPTION_LENGTH),
                                     required=False, default=list, max_length=MAX_CHILDREN,
                                     help_text="Children and dependants, each a short description without names")
    victim_aware = serializers.BooleanField(help_text="The victim knows about the referral")
    victim_consents = serializers.BooleanField(help_text="The victim agrees to the referral")
    reason_without_consent = serializers.CharField(max_length=TEXT_LENGTH, required=False, allow_blank=True,
                                                   default="", help_text="Without consent: why")
    idva_referral_made = serializers.BooleanField(required=False, default=False)
    victim_lgbt = serializers.BooleanField(required=False, allow_null=True, default=None,
                                           help_text="The victim identifies as LGBT+; null or left out: not known "
                                                     "(an equality field of the SafeLives data return)")
    victim_disability = serializers.BooleanField(required=False, allow_null=True, default=None,
                                                 help_text="The victim has a disability; null or left out: not known")


class MaracResearchInSerializer(StrictFieldsMixin, serializers.Serializer):
    text = serializers.CharField(max_length=TEXT_LENGTH, help_text="What your agency holds about the case")


class MaracMeetingListQuerySerializer(StrictFieldsMixin, serializers.Serializer):
    area = serializers.SlugField(max_length=40, required=False, help_text="A MARAC area's code; left out, all")
    ignored_fields = frozenset({"limit", "offset"})


class MaracAttendanceInSerializer(StrictFieldsMixin, serializers.Serializer):
    chair = serializers.UUIDField(required=False, allow_null=True, default=None,
                                  help_text="The user who chaired the meeting; left out, you")
    present = serializers.ListField(child=serializers.SlugField(max_length=40), required=False, default=list,
                                    max_length=MAX_AGENCIES, help_text="Codes of the agencies present")
    apologies = serializers.ListField(child=serializers.SlugField(max_length=40), required=False, default=list,
                                      max_length=MAX_AGENCIES, help_text="Codes of the agencies that sent "
                                                                         "apologies; the others invited were absent")


class MaracActionListQuerySerializer(StrictFieldsMixin, serializers.Serializer):
    status = serializers.CharField(required=False, help_text=_codes(MaracAction.Status.choices) + "; left out, all")
    ignored_fields = frozenset({"limit", "offset"})

    def validate_status(self, value: str) -> str:
        if value not in MaracAction.Status.values:
            raise serializers.ValidationError(_codes(MaracAction.Status.choices) + ".")
        return value


class MaracActionInSerializer(StrictFieldsMixin, serializers.Serializer):
    meeting = serializers.UUIDField(help_text="The meeting that agrees the action")
    referral = serializers.UUIDField(help_text="The referral (a case on the meeting's agenda)")
    agency = serializers.SlugField(max_length=40, help_text="The code of the agency responsible for the action")
    description = serializers.CharField(max_length=TEXT_LENGTH, help_text="What is to be done")
    due_on = serializers.DateField(help_text="When it is due (not before the meeting)")
    owner = serializers.UUIDField(required=False, allow_null=True, default=None,
                                  help_text="A user of the responsible agency who owns it (optional)")


class MaracActionCloseInSerializer(StrictFieldsMixin, serializers.Serializer):
    outcome = serializers.CharField(max_length=TEXT_LENGTH, required=False, allow_blank=True, default="",
                                    help_text="What was done; to cancel, why it is no longer needed (required)")
    on = serializers.DateField(required=False, allow_null=True, default=None,
                               help_text="The day it was done or cancelled; left out, today")


# Output -------------------------------------------------------------------------------------------------

class MaracAgencySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class MaracAreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class MaracUserSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    role = serializers.CharField()


class MaracMeetingRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    held_on = serializers.DateField()


class MaracRiskAssessmentRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    yes_count = serializers.IntegerField(allow_null=True)


class MaracIncidentRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()


class MaracOrderRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    ends_on = serializers.DateField(allow_null=True)


class MaracReferralOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.URLField()
    area = MaracAreaSerializer()
    victim = serializers.UUIDField(help_text="The victim (a person's id)")
    perpetrator = serializers.UUIDField(allow_null=True)
    referring_agency = MaracAgencySerializer()
    received_on = serializers.DateField()
    criteria = serializers.ListField(child=serializers.CharField())
    is_repeat = serializers.BooleanField(help_text="Referred before within 12 months")
    status = _status(MaracReferral.Status.choices)
    meeting = MaracMeetingRefSerializer(allow_null=True, help_text="The meeting whose agenda it is on, or that "
                                                                   "heard it")


class MaracActionOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    referral = serializers.UUIDField()
    victim = serializers.UUIDField(help_text="The victim of the case (a person's id)")
    meeting = MaracMeetingRefSerializer(help_text="The meeting that agreed it")
    description = serializers.CharField()
    agency = MaracAgencySerializer(help_text="The agency responsible for it")
    owner = MaracUserSerializer(allow_null=True)
    due_on = serializers.DateField()
    status = _status(MaracAction.Status.choices)
    completed_on = serializers.DateField(allow_null=True)
    outcome = serializers.CharField()
    escalated = serializers.BooleanField(help_text="Escalated to the MARAC coordinator as overdue")
    agreed_at = serializers.DateTimeField()


class MaracReferralDetailSerializer(MaracReferralOutSerializer):
    referred_by = MaracUserSerializer()
    risk_assessment = MaracRiskAssessmentRefSerializer(allow_null=True)
    judgement_reason = serializers.CharField()
    incidents_12m = serializers.IntegerField(allow_null=True)
    children = serializers.ListField(child=serializers.CharField())
    victim_aware = serializers.BooleanField()
    victim_consents = serializers.BooleanField()
    reason_without_consent = serializers.CharField()
    idva_referral_made = serializers.BooleanField()
    victim_lgbt = serializers.BooleanField(allow_null=True, help_text="null: not known")
    victim_disability = serializers.BooleanField(allow_null=True, help_text="null: not known")
    recent_incidents = MaracIncidentRefSerializer(many=True)
    orders = MaracOrderRefSerializer(many=True)
    discussion = serializers.CharField()
    actions = MaracActionOutSerializer(many=True, help_text="The actions on the case you may see")


class MaracReferralListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    referrals = MaracReferralOutSerializer(many=True)


class MaracResearchOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    agency = MaracAgencySerializer()
    author = MaracUserSerializer()
    text = serializers.CharField()
    added_at = serializers.DateTimeField()


class MaracResearchListSerializer(serializers.Serializer):
    referral = serializers.UUIDField()
    research = MaracResearchOutSerializer(many=True)


class MaracAttendanceOutSerializer(serializers.Serializer):
    agency = MaracAgencySerializer()
    status = _status(MaracAttendance.Status.choices)


class MaracMeetingOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.URLField()
    area = MaracAreaSerializer()
    held_on = serializers.DateField()
    cut_off = serializers.DateField(help_text="Referrals received by this day are heard at the meeting")
    status = _status(MaracMeeting.Status.choices)
    chair = MaracUserSerializer(allow_null=True)
    recorded_at = serializers.DateTimeField(allow_null=True)
    attendance = MaracAttendanceOutSerializer(many=True)


class MaracAgendaCaseSerializer(serializers.Serializer):
    victim = serializers.UUIDField(help_text="The victim (a person's id)")
    repeat = serializers.BooleanField(help_text="A repeat MARAC case")
    referrals = MaracReferralOutSerializer(many=True)
    actions = MaracActionOutSerializer(many=True, help_text="Open actions back for review that you may see")


class MaracMeetingDetailSerializer(MaracMeetingOutSerializer):
    cases = MaracAgendaCaseSerializer(many=True, help_text="The cases on the agenda shared with you")
    waiting = MaracReferralOutSerializer(many=True, help_text="Referrals after the cut-off, for the next meeting")


class MaracMeetingListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    meetings = MaracMeetingOutSerializer(many=True)


class MaracActionListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    actions = MaracActionOutSerializer(many=True)
