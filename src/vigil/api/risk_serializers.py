"""What the risk assessment API accepts and answers with.

Input serializers check the shape of a request; the risk services check the substance (the victim on
the incident, the answers against the instrument, the grading rules). Error messages never repeat a
submitted value: answers and comments are in the victim's words.
Output serializers read plain dictionaries built by `risk_views`, so they add no queries.
"""

from collections.abc import Mapping

from rest_framework import serializers

from vigil.risk import instruments
from vigil.risk.models import Answer, GradingDecision, RiskLevel

from .serializers import StrictFieldsMixin

MAX_ANSWERS = 200
MAX_OPTIONS = 20
TEXT_LIMIT = 10_000
GRADE_ERROR = "Choose standard, medium or high."
REVIEW_STAGES = (GradingDecision.Stage.SUPERVISOR, GradingDecision.Stage.SPECIALIST)


def _choice(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field whose error lists the choices and never echoes what was sent (DRF's default does)."""
    values = [value for value, _ in choices]
    return serializers.ChoiceField(choices=choices, error_messages={
        "invalid_choice": "Choose one of: " + ", ".join(values) + "."}, **kwargs)


# Input --------------------------------------------------------------------------------------------

class InstrumentRefSerializer(StrictFieldsMixin, serializers.Serializer):
    code = serializers.SlugField(max_length=60, help_text="The instrument's code, e.g. dash-2009")
    version = serializers.CharField(max_length=20, help_text="The instrument's version, e.g. 2009")


class AnswerInSerializer(StrictFieldsMixin, serializers.Serializer):
    question = serializers.CharField(max_length=40, help_text="The question's id in the instrument, e.g. q1")
    value = _choice(Answer.Value.choices, help_text="\"not_known\" is an answer, and is never scored as \"no\"")
    obtained = _choice(Answer.Obtained.choices, help_text="How the answer was obtained")
    options = serializers.ListField(child=serializers.CharField(max_length=60), required=False, default=list,
                                    max_length=MAX_OPTIONS, help_text="Sub-options ticked, where the question "
                                                                      "has them (their ids)")
    comment = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True, default="",
                                    trim_whitespace=False, help_text="In the victim's words")


class AssessmentSubmitSerializer(StrictFieldsMixin, serializers.Serializer):
    """A whole assessment in one request: all or nothing."""

    incident = serializers.UUIDField(help_text="The incident's id")
    victim = serializers.UUIDField(help_text="The id of the victim's person record on this incident")
    instrument = InstrumentRefSerializer(required=False, allow_null=True, default=None,
                                         help_text="Which loaded instrument; left out, the force's default")
    answers = AnswerInSerializer(many=True, required=False, default=list, max_length=MAX_ANSWERS)
    victim_view = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True,
                                        trim_whitespace=False,
                                        help_text="The victim's view of the danger, in their words")
    grade = _choice(RiskLevel.choices, required=False, allow_blank=True, default="",
                    help_text="The officer's grading; required when submitting")
    rationale = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True, default="",
                                      help_text="Why: required when the grade differs from what the answers "
                                                "indicate, or when no rule indicates one (20 characters or more)")
    submit = serializers.BooleanField(required=False, default=True,
                                      help_text="false: save the answers and keep the assessment in progress")

    def validate(self, attrs):
        errors = {}
        if attrs["submit"] and not attrs["grade"]:
            errors["grade"] = GRADE_ERROR
        if not attrs["submit"]:
            for name in ("grade", "rationale"):
                if attrs[name]:
                    errors[name] = "Give the grading only when submitting (submit: true)."
        seen: dict[str, int] = {}
        answer_errors = {}
        for index, answer in enumerate(attrs["answers"]):
            if answer["question"] in seen:
                answer_errors[str(index)] = {"question": [
                    f"This question is answered already (answer {seen[answer['question']]}): answer it once."]}
            seen.setdefault(answer["question"], index)
        if answer_errors:
            errors["answers"] = answer_errors
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def answer_problems(definition: Mapping, answers: list[Mapping]) -> dict[str, dict[str, list[str]]]:
    """Every answer the instrument cannot take, by position in the list (as the service would refuse
    them one at a time), so that all are reported at once."""
    known = instruments.questions(definition)
    problems = {}
    for index, answer in enumerate(answers):
        question = known.get(answer["question"])
        if question is None:
            problems[str(index)] = {"question": ["That question is not part of this instrument."]}
            continue
        allowed = {option_id for option_id, _ in question.options}
        if set(o for o in answer["options"] if o) - allowed:
            problems[str(index)] = {"options": ["Choose from the options this question lists."]}
    return problems


class AssessmentListQuerySerializer(StrictFieldsMixin, serializers.Serializer):
    ignored_fields = frozenset({"format"})  # DRF's own ?format= override
    incident = serializers.UUIDField(help_text="The incident's id: its assessments")


class GradingInSerializer(StrictFieldsMixin, serializers.Serializer):
    stage = _choice([(s.value, s.label) for s in REVIEW_STAGES],
                    help_text="supervisor (risk.supervise) or specialist (risk.review_as_specialist)")
    grade = serializers.CharField(max_length=10, required=False, allow_blank=True, default="",
                                  help_text="standard, medium or high: the current grade to agree, another to amend")
    rationale = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True, default="",
                                      help_text="Why you agree or why the grading should change (20 characters "
                                                "or more)")
    victim_contacted = serializers.BooleanField(required=False, allow_null=True, default=None,
                                                help_text="Specialist review only, and required there: whether "
                                                          "the victim was spoken to")

    def validate(self, attrs):
        if attrs["stage"] == GradingDecision.Stage.SUPERVISOR and attrs["victim_contacted"] is not None:
            raise serializers.ValidationError(
                {"victim_contacted": "Only a specialist review records whether the victim was contacted."})
        return attrs


# Output -------------------------------------------------------------------------------------------

class UserRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The user's id (never their name)")
    role = serializers.CharField()


class IncidentRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()


class VictimRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The victim's person record on the incident")
    person = serializers.UUIDField(allow_null=True, help_text="The resolved person, when linked")


class InstrumentOutSerializer(serializers.Serializer):
    code = serializers.CharField()
    version = serializers.CharField(allow_blank=True, help_text="Empty for assessments imported without one")


class AnswerOutSerializer(serializers.Serializer):
    question = serializers.CharField(help_text="The question's id in the instrument")
    number = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_blank=True, help_text="The question as asked")
    value = serializers.ChoiceField(choices=Answer.Value.choices)
    obtained = serializers.ChoiceField(choices=Answer.Obtained.choices)
    options = serializers.ListField(child=serializers.CharField())
    comment = serializers.CharField(allow_blank=True, help_text="In the victim's words")
    answered_at = serializers.DateTimeField()


class DecisionOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    stage = serializers.ChoiceField(choices=GradingDecision.Stage.choices)
    grade = serializers.ChoiceField(choices=RiskLevel.choices)
    previous_grade = serializers.CharField(allow_blank=True, help_text="The grade before this decision")
    indicated_grade = serializers.CharField(allow_blank=True, help_text="What the answers indicated")
    rationale = serializers.CharField(allow_blank=True)
    decided_by = UserRefSerializer()
    decided_at = serializers.DateTimeField()
    opened_at = serializers.DateTimeField(allow_null=True, help_text="Review: when the reviewer first opened "
                                                                     "the whole assessment")
    victim_contacted = serializers.BooleanField(allow_null=True, help_text="Specialist review only")
    flagged_to_manager = serializers.BooleanField(help_text="A specialist downgrade without contact with "
                                                            "the victim")


class AssessmentSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.URLField(help_text="GET this for the whole assessment")
    incident = IncidentRefSerializer()
    victim = VictimRefSerializer()
    instrument = InstrumentOutSerializer()
    status = serializers.ChoiceField(choices=["in_progress", "submitted"])
    officer = UserRefSerializer(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    yes_count = serializers.IntegerField(allow_null=True)
    indicated_grade = serializers.CharField(allow_blank=True, help_text="standard, medium, high, or empty "
                                                                        "(professional judgement)")
    grade = serializers.CharField(allow_blank=True, help_text="The current grading (the latest decision); "
                                                              "empty while in progress")
    specialist_reasons = serializers.ListField(child=serializers.CharField(),
                                               help_text="Why the specialist unit must review; empty: it need not")
    supervision_due_at = serializers.DateTimeField(allow_null=True)


class AssessmentOutSerializer(AssessmentSummarySerializer):
    victim_view = serializers.CharField(allow_blank=True, help_text="In the victim's words")
    answers = AnswerOutSerializer(many=True)
    decisions = DecisionOutSerializer(many=True, help_text="The grading's history, oldest first")


class AssessmentListSerializer(serializers.Serializer):
    incident = serializers.UUIDField()
    assessments = AssessmentSummarySerializer(many=True)
