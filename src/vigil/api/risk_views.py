"""The risk assessment API: submit an assessment in one request, read assessments, and record the
supervisor's and specialist's gradings.

Thin views: parse and check the input, call the risk services, answer. Errors have the shape
{"detail": "...", "errors": {field: [messages]}} and never echo a submitted value. Every read is audited
as a consultation of the victim's data; a reviewer's read of the whole assessment is a review opening.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from vigil.accounts.access import ApiPermission
from vigil.audit.services import audit_record, audit_record_each
from vigil.incidents.models import Incident
from vigil.people.models import PersonRecord
from vigil.people.services import restricted_access_granted
from vigil.risk import instrument_loading, instruments, review, services
from vigil.risk.models import GradingDecision, Instrument, RiskAssessment

from . import idempotency
from .risk_serializers import (
    AssessmentListQuerySerializer,
    AssessmentListSerializer,
    AssessmentOutSerializer,
    AssessmentSubmitSerializer,
    DecisionOutSerializer,
    GradingInSerializer,
    answer_problems,
)
from .serializers import ErrorSerializer

TAG = "Risk assessments"
NOT_SAVED = "The assessment was not saved: correct the fields named in errors and send it again."
DECISION_NOT_SAVED = "The decision was not saved: correct the fields named in errors."
NOT_LISTED = "The assessments were not listed: correct the parameters named in errors."
NO_ASSESSMENT = "No assessment with this id."
RESTRICTED = ("This victim's record is restricted: open it in Vigil, giving your reason, before reading the "
              "assessment.")
REPLAY_RESTRICTED = ("The assessment was saved by the first request with this Idempotency-Key, but this victim's "
                     "record is restricted: open it in Vigil, giving your reason, before reading the assessment.")
Stage = GradingDecision.Stage
STAGE_PERMISSION = {Stage.SUPERVISOR: "risk.supervise", Stage.SPECIALIST: "risk.review_as_specialist"}

# Who may record a review decision at some stage; the stage's own permission is checked on the request.


def _error(status_code: int, detail: str, errors=None) -> Response:
    body = {"detail": detail, **({"errors": errors} if errors is not None else {})}
    return Response(body, status=status_code, headers={"Cache-Control": "no-store"})


def _invalid(errors, default_detail: str) -> Response:
    general = errors.get("non_field_errors") if isinstance(errors, dict) else None
    return _error(status.HTTP_400_BAD_REQUEST, str(general[0]) if general else default_detail, errors)


def _messages(error: ValidationError) -> dict:
    return error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}


class Refused(Exception):
    """Inside the transaction: the request is refused with these errors (nested as the API shows them),
    and everything done so far is rolled back."""

    def __init__(self, errors: dict):
        super().__init__("refused")
        self.errors = errors


class MethodPermission(ApiPermission):
    """`required_permission`, or the one `method_permissions` names for this request's method."""

    def has_permission(self, request, view):
        permission = getattr(view, "method_permissions", {}).get(request.method) or \
            getattr(view, "required_permission", None)
        return bool(permission) and request.user.is_authenticated and request.user.has_perm(permission)


class RiskApiView(APIView):
    # Token first, so an anonymous caller is told (401, WWW-Authenticate: Token) how to authenticate.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [MethodPermission]


ERROR_RESPONSES = {
    401: OpenApiResponse(ErrorSerializer, description="Not signed in and no valid token"),
    403: OpenApiResponse(ErrorSerializer, description="The account's role may not use this endpoint"),
}


# Reading -----------------------------------------------------------------------------------------------

def _queryset():
    return (RiskAssessment.objects
            .select_related("incident", "victim", "victim__person", "instrument_version", "officer")
            .prefetch_related("answers", Prefetch("decisions", queryset=GradingDecision.objects.select_related(
                "decided_by").order_by("decided_at", "pk"))))


def _visible(assessment: RiskAssessment, user) -> bool:
    """An assessment being completed is its officer's until submitted."""
    return assessment.status != RiskAssessment.Status.IN_PROGRESS or assessment.officer_id == user.pk


def _user(user) -> dict | None:
    return {"id": user.public_id, "role": user.role} if user is not None else None


def _subject(assessment: RiskAssessment):
    person = assessment.victim.person
    return person.public_id if person is not None else None


def _summary(assessment: RiskAssessment, request) -> dict:
    version = assessment.instrument_version
    return {
        "id": assessment.public_id,
        "url": request.build_absolute_uri(reverse("api:assessment", args=[assessment.public_id])),
        "incident": {"id": assessment.incident.public_id, "reference": assessment.incident.reference},
        "victim": {"id": assessment.victim.public_id, "person": _subject(assessment)},
        "instrument": {"code": version.code if version else assessment.instrument,
                       "version": version.version if version else ""},
        "status": assessment.status,
        "officer": _user(assessment.officer),
        "started_at": assessment.started_at,
        "submitted_at": assessment.submitted_at,
        "yes_count": assessment.yes_count,
        "indicated_grade": assessment.indicated_grade,
        "grade": assessment.grade,
        "specialist_reasons": list(assessment.specialist_reasons or []),
        "supervision_due_at": review.due_at(assessment) if assessment.status == RiskAssessment.Status.SUBMITTED
        else None,
    }


def _decision(decision: GradingDecision) -> dict:
    return {
        "id": decision.public_id, "stage": decision.stage, "grade": decision.grade,
        "previous_grade": decision.previous_grade, "indicated_grade": decision.indicated_grade,
        "rationale": decision.rationale, "decided_by": _user(decision.decided_by),
        "decided_at": decision.decided_at, "opened_at": decision.opened_at,
        "victim_contacted": decision.victim_contacted, "flagged_to_manager": decision.flagged_to_manager,
    }


def _whole(assessment: RiskAssessment, request) -> dict:
    definition = assessment.instrument_version.definition if assessment.instrument_version_id else {}
    known = instruments.questions(definition) if definition else {}
    order = {question_id: position for position, question_id in enumerate(known)}
    answers = sorted(assessment.answers.all(), key=lambda a: (order.get(a.question, len(order)), a.question))
    return {
        **_summary(assessment, request),
        "victim_view": assessment.victim_view,
        "answers": [{
            "question": a.question, "number": known[a.question].number if a.question in known else "",
            "text": known[a.question].text if a.question in known else "", "value": a.value,
            "obtained": a.obtained, "options": list(a.options or []), "comment": a.comment,
            "answered_at": a.answered_at,
        } for a in answers],
        "decisions": [_decision(d) for d in assessment.decisions.all()],
    }


def _restricted(request, assessment: RiskAssessment) -> bool:
    person = assessment.victim.person
    return bool(person is not None and person.restricted
                and not restricted_access_granted(person=person, session=request.session))


def _open_for_review(assessment: RiskAssessment, user, request, now) -> bool:
    """Reading the whole assessment is opening it for the review the reader may make (recorded, and
    audited as a consultation). Returns whether an opening was recorded."""
    if assessment.status != RiskAssessment.Status.SUBMITTED or assessment.officer_id == user.pk:
        return False
    stages = {d.stage for d in assessment.decisions.all()}
    opened = False
    if user.has_perm("risk.supervise") and Stage.SUPERVISOR not in stages:
        review.review_open(assessment=assessment, by=user, stage=Stage.SUPERVISOR, now=now, request=request)
        opened = True
    if user.has_perm("risk.review_as_specialist") and assessment.specialist_reasons \
            and Stage.SPECIALIST not in stages:
        review.review_open(assessment=assessment, by=user, stage=Stage.SPECIALIST, now=now, request=request)
        opened = True
    return opened


EXAMPLE_SUBMISSION = {
    "incident": "f45368a4-e317-46b8-bcac-c1e59dd4f2a8",
    "victim": "0d6b8a8e-8b0e-4a53-a7a2-0b7a2f1e6c11",
    "instrument": {"code": "dash-2009", "version": "2009"},
    "answers": [
        {"question": "q1", "value": "yes", "obtained": "asked_at_scene", "options": ["first_injury"],
         "comment": "Synthetic example: bruising to the arm."},
        {"question": "q2", "value": "not_known", "obtained": "victim_declined", "options": [], "comment": ""},
    ],
    "victim_view": "Synthetic example: she thinks he will come back tonight.",
    "grade": "medium",
    "rationale": "Synthetic example: recent escalation and fear of further injury.",
    "submit": True,
}


class Assessments(RiskApiView):
    """Submit a whole assessment (risk.assess); list an incident's assessments (risk.view_assessment)."""

    required_permission = "risk.view_assessment"
    method_permissions = {"POST": "risk.assess"}
    parser_classes = [JSONParser]
    endpoint = "api:assessments"

    @extend_schema(
        tags=[TAG],
        operation_id="assessments_list",
        summary="List an incident's risk assessments",
        description=(
            "The incident's assessments, oldest first, as summaries (`url` gives the whole assessment). An "
            "assessment still being completed is listed only to its officer. Each listing is recorded in the "
            "audit log as a consultation, once for each victim shown. Who may: `risk.view_assessment`."),
        parameters=[AssessmentListQuerySerializer],
        responses={
            200: AssessmentListSerializer,
            400: OpenApiResponse(ErrorSerializer, description="No incident given, or an invalid id"),
            **ERROR_RESPONSES,
            404: OpenApiResponse(ErrorSerializer, description="No incident with that id"),
        },
    )
    def get(self, request):
        query = AssessmentListQuerySerializer(data=request.query_params)
        if not query.is_valid():
            return _invalid(query.errors, NOT_LISTED)
        incident = Incident.objects.filter(public_id=query.validated_data["incident"]).first()
        if incident is None:
            return _error(status.HTTP_404_NOT_FOUND, "No incident with this id.")
        assessments = [a for a in (RiskAssessment.objects.filter(incident=incident)
                                   .select_related("incident", "victim", "victim__person", "instrument_version",
                                                   "officer").order_by("started_at", "assessed_at", "pk"))
                       if _visible(a, request.user)]
        subjects = sorted({str(s) for s in (_subject(a) for a in assessments) if s is not None})
        audit_record_each(action="consultation", actor=request.user, subject_person_ids=subjects, request=request,
                          object_type="risk.RiskAssessment", object_id="list",
                          detail={"incident": str(incident.public_id),
                                  "assessments": [str(a.public_id) for a in assessments]})
        body = AssessmentListSerializer({"incident": incident.public_id,
                                         "assessments": [_summary(a, request) for a in assessments]}).data
        return Response(body, headers={"Cache-Control": "no-store"})

    @extend_schema(
        tags=[TAG],
        operation_id="assessments_create",
        summary="Submit a risk assessment",
        description=(
            "Starts an assessment of the victim on the incident, saves every answer and the victim's view, "
            "and submits the officer's grading for supervision: all or nothing, in one transaction. With "
            "`\"submit\": false` the answers are saved and the assessment stays in progress (no grading). "
            "If you already have an assessment of this victim on this incident in progress, it is continued "
            "(answers given again replace the earlier ones) and the answer is 200. Every question must have "
            "an answer to submit (`not_known` is an answer). A grade that differs from what the answers "
            "indicate, or that no rule indicates, needs a `rationale`; with 14 or more yes answers the grade "
            "cannot be below high. "
            "To make a retry safe (a device that lost its signal), send an `Idempotency-Key` header, a new "
            "one for each new submission: a retry with the same key and the same body creates nothing and "
            "gets the first answer's status again, with the assessment as it is now and "
            "`Idempotent-Replayed: true`; the same key with a different body is refused with 422. Invalid "
            "input (400) is not remembered against the key. Without the header the request is not "
            "deduplicated. Who may: `risk.assess`."),
        request=AssessmentSubmitSerializer,
        parameters=[
            OpenApiParameter(idempotency.HEADER, str, OpenApiParameter.HEADER, required=False,
                             description="Optional. 1 to 100 printable ASCII characters, unique per submission "
                                         "(a UUID); send the same one when retrying"),
            OpenApiParameter(idempotency.REPLAYED_HEADER, str, OpenApiParameter.HEADER, response=[200, 201],
                             description="`true` when this answer replays an earlier request with the same key"),
        ],
        responses={
            201: OpenApiResponse(AssessmentOutSerializer, description="Started (and submitted, unless "
                                                                      "submit is false), or replayed"),
            200: OpenApiResponse(AssessmentOutSerializer, description="Your assessment in progress, continued "
                                                                      "(or replayed)"),
            400: OpenApiResponse(ErrorSerializer, description="Invalid input or an invalid Idempotency-Key; "
                                                              "nothing was saved"),
            **ERROR_RESPONSES,
            422: OpenApiResponse(ErrorSerializer, description="The Idempotency-Key was used before with "
                                                              "another body"),
        },
        examples=[OpenApiExample("A DASH assessment submitted at the scene (two answers shown: send one for "
                                 "every question)", value=EXAMPLE_SUBMISSION, request_only=True)],
    )
    def post(self, request):
        key = None
        if idempotency.HEADER in request.headers:  # optional here: a browser session may not send one
            try:
                key = idempotency.key_from(request.headers)
            except idempotency.InvalidKey:
                return _error(status.HTTP_400_BAD_REQUEST, idempotency.INVALID_KEY)
        try:
            body = request.data
        except ParseError as error:
            return _error(status.HTTP_400_BAD_REQUEST, f"The body must be a JSON object ({error.detail}).")
        scope = None
        if key is not None:
            scope = dict(client=request.user, endpoint=self.endpoint, key=key,
                         body_hash=idempotency.request_hash(body))
            try:
                answer = idempotency.stored_answer(**scope)
            except idempotency.KeyReused:
                return _error(status.HTTP_422_UNPROCESSABLE_ENTITY, idempotency.KEY_REUSED)
            if answer is not None:
                return self._replay(answer, request)
        serializer = AssessmentSubmitSerializer(data=body)
        if not serializer.is_valid():
            return _invalid(serializer.errors, NOT_SAVED)
        data = serializer.validated_data
        incident, victim, instrument, errors = self._references(data)
        if errors:
            return _invalid(errors, NOT_SAVED)
        now = timezone.now()
        try:
            with transaction.atomic():
                # The key is claimed first, in the same transaction as the work: a refusal below rolls the
                # claim back too, and a concurrent request with the same key waits here, then fails.
                claim = idempotency.key_claim(**scope, now=now) if scope is not None else None
                assessment, created = self._start(data, incident=incident, victim=victim, instrument=instrument,
                                                  user=request.user, now=now, request=request)
                self._fill(assessment, data, user=request.user, now=now, request=request)
                if claim is not None:
                    # Only the opaque id is kept: the assessment itself holds the victim's words.
                    idempotency.answer_store(claim=claim, body={"id": str(assessment.public_id)},
                                             status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
        except IntegrityError:
            # Another request with this key got there first and has committed: answer as it did.
            replayed = self._answer_after_race(scope, request) if scope is not None else None
            if replayed is None:
                raise
            return replayed
        except Refused as refused:
            return _invalid(refused.errors, NOT_SAVED)
        except ValidationError as error:
            return _invalid(_messages(error), NOT_SAVED)
        except PermissionDenied:
            return _error(status.HTTP_403_FORBIDDEN, "You may not change this assessment.")
        assessment = _queryset().get(pk=assessment.pk)
        return Response(AssessmentOutSerializer(_whole(assessment, request)).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
                        headers={"Cache-Control": "no-store"})

    @staticmethod
    def _replay(answer: idempotency.StoredAnswer, request) -> Response:
        """The first answer's status, with the assessment as it is now (only its id was kept). Showing it
        again is a read: audited as a consultation, and refused for a restricted record not opened."""
        assessment = _queryset().filter(public_id=answer.body.get("id")).first()
        if assessment is None or not _visible(assessment, request.user):
            return _error(status.HTTP_404_NOT_FOUND, NO_ASSESSMENT)
        if _restricted(request, assessment):
            return _error(status.HTTP_403_FORBIDDEN, REPLAY_RESTRICTED)
        audit_record(action="consultation", actor=request.user, obj=assessment,
                     subject_person_id=_subject(assessment), request=request,
                     detail={"read": "assessment", "replayed": True})
        return Response(AssessmentOutSerializer(_whole(assessment, request)).data, status=answer.status_code,
                        headers={idempotency.REPLAYED_HEADER: "true", "Cache-Control": "no-store"})

    @classmethod
    def _answer_after_race(cls, scope: dict, request) -> Response | None:
        """The answer of the request that claimed the key first; None if no request holds the key (the
        integrity error was something else)."""
        try:
            answer = idempotency.stored_answer(**scope)
        except idempotency.KeyReused:
            return _error(status.HTTP_422_UNPROCESSABLE_ENTITY, idempotency.KEY_REUSED)
        return cls._replay(answer, request) if answer is not None else None

    @staticmethod
    def _references(data):
        errors = {}
        incident = Incident.objects.filter(public_id=data["incident"]).first()
        if incident is None:
            errors["incident"] = ["No incident with this id."]
        victim = PersonRecord.objects.filter(public_id=data["victim"]).first()
        if victim is None:
            errors["victim"] = ["No person record with this id."]
        instrument = None
        if data["instrument"] is not None:
            instrument = Instrument.objects.filter(**data["instrument"]).first()
            if instrument is None:
                errors["instrument"] = ["No instrument with this code and version is loaded."]
        return incident, victim, instrument, errors

    @staticmethod
    def _start(data, *, incident, victim, instrument, user, now, request) -> tuple[RiskAssessment, bool]:
        existing = RiskAssessment.objects.filter(incident=incident, victim=victim, officer=user,
                                                 status=RiskAssessment.Status.IN_PROGRESS).first()
        if existing is not None and instrument is not None and existing.instrument_version_id != instrument.pk:
            raise ValidationError({"instrument": "Your assessment of this victim on this incident in progress "
                                                 "uses another instrument: continue it with that one."})
        if existing is None and instrument is None:
            try:
                instrument = instrument_loading.instrument_default()
            except instrument_loading.NoInstrumentLoaded as error:
                raise ValidationError({"instrument": str(error)}) from None
        try:
            assessment = services.assessment_start(incident=incident, victim=victim, by=user, instrument=instrument,
                                                   now=now, request=request)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                raise
            raise ValidationError({"victim": error.messages}) from None
        if assessment.instrument_version is None:
            raise ValidationError({"instrument": "This assessment has no instrument recorded: it cannot be "
                                                 "continued through the API."})
        return assessment, existing is None

    @staticmethod
    def _fill(assessment: RiskAssessment, data, *, user, now, request) -> None:
        problems = answer_problems(assessment.instrument_version.definition, data["answers"])
        if problems:
            raise Refused({"answers": problems})
        for index, answer in enumerate(data["answers"]):
            try:
                services.answer_save(assessment=assessment, by=user, question=answer["question"],
                                     value=answer["value"], obtained=answer["obtained"], options=answer["options"],
                                     comment=answer["comment"], now=now, request=request)
            except ValidationError as error:
                raise Refused({"answers": {str(index): _messages(error)}}) from None
        if "victim_view" in data:
            services.victim_view_save(assessment=assessment, by=user, victim_view=data["victim_view"], now=now,
                                      request=request)
        if data["submit"]:
            assessment.refresh_from_db()
            services.assessment_submit(assessment=assessment, by=user, grade=data["grade"],
                                       rationale=data["rationale"], now=now, request=request)


class AssessmentDetail(RiskApiView):
    """The whole assessment: answers, the victim's view, the grading's history."""

    required_permission = "risk.view_assessment"

    @extend_schema(
        tags=[TAG],
        operation_id="assessments_retrieve",
        summary="Read a risk assessment",
        description=(
            "The whole assessment: the instrument, every answer (how it was obtained, the victim's words), "
            "the victim's view, the yes count and indicated grade, the grading's history and the specialist "
            "routing. An assessment still being completed is shown only to its officer (404 to anyone else). "
            "Each read is recorded in the audit log as a consultation of the victim's data. A supervisor's "
            "read of a submitted assessment not yet supervised is the opening of their review (the time spent "
            "on a review runs from the first opening to the decision); likewise a specialist's read of one "
            "routed to the unit and not yet reviewed by it. A restricted victim's record must first be opened "
            "in Vigil with a reason (403 until then). Who may: `risk.view_assessment`."),
        responses={
            200: AssessmentOutSerializer,
            **ERROR_RESPONSES,
            404: OpenApiResponse(ErrorSerializer, description="No assessment with that id that you may see"),
        },
    )
    def get(self, request, public_id):
        assessment = _queryset().filter(public_id=public_id).first()
        if assessment is None or not _visible(assessment, request.user):
            return _error(status.HTTP_404_NOT_FOUND, NO_ASSESSMENT)
        if _restricted(request, assessment):
            return _error(status.HTTP_403_FORBIDDEN, RESTRICTED)
        now = timezone.now()
        if not _open_for_review(assessment, request.user, request, now):
            audit_record(action="consultation", actor=request.user, obj=assessment,
                         subject_person_id=_subject(assessment), request=request, detail={"read": "assessment"})
        return Response(AssessmentOutSerializer(_whole(assessment, request)).data,
                        headers={"Cache-Control": "no-store"})


class AssessmentGradings(RiskApiView):
    """A supervisor's or specialist's decision on the grading."""

    required_permission = "risk.review_grading"
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        operation_id="assessments_gradings_create",
        summary="Agree or amend the grading (supervisor or specialist review)",
        description=(
            "Records the supervisor's (`risk.supervise`) or the specialist unit's (`risk.review_as_specialist`) "
            "decision: the current grade to agree with it, another to amend it, with a rationale either way "
            "(20 characters or more). Read the whole assessment first (`GET` the assessment): that read is "
            "the opening of your review, and a decision without one is refused. Nobody reviews an assessment "
            "they made. The specialist unit reviews only assessments routed to it (`specialist_reasons`), "
            "after the supervisor, and says whether the victim was contacted; a downgrade without contact is "
            "flagged to the unit's manager (`flagged_to_manager`). Each decision is kept: the history is the "
            "assessment's `decisions`."),
        request=GradingInSerializer,
        responses={
            201: OpenApiResponse(DecisionOutSerializer, description="The decision recorded"),
            400: OpenApiResponse(ErrorSerializer, description="Invalid input or a decision the rules refuse; "
                                                              "nothing was saved"),
            **ERROR_RESPONSES,
            404: OpenApiResponse(ErrorSerializer, description="No assessment with that id that you may see"),
        },
        examples=[OpenApiExample("A supervisor amends the grading", request_only=True, value={
            "stage": "supervisor", "grade": "high",
            "rationale": "Synthetic example: threats to kill and recent separation raise the risk."})],
    )
    def post(self, request, public_id):
        try:
            body = request.data
        except ParseError as error:
            return _error(status.HTTP_400_BAD_REQUEST, f"The body must be a JSON object ({error.detail}).")
        serializer = GradingInSerializer(data=body)
        if not serializer.is_valid():
            return _invalid(serializer.errors, DECISION_NOT_SAVED)
        data = serializer.validated_data
        stage = data["stage"]
        if not request.user.has_perm(STAGE_PERMISSION[stage]):
            return _error(status.HTTP_403_FORBIDDEN, f"Your role may not make the {stage} decision.")
        assessment = RiskAssessment.objects.select_related("victim__person").filter(public_id=public_id).first()
        if assessment is None or not _visible(assessment, request.user):
            return _error(status.HTTP_404_NOT_FOUND, NO_ASSESSMENT)
        if _restricted(request, assessment):
            return _error(status.HTTP_403_FORBIDDEN, RESTRICTED)
        try:
            if stage == Stage.SUPERVISOR:
                decision = review.supervision_decide(assessment=assessment, by=request.user, grade=data["grade"],
                                                     rationale=data["rationale"], request=request)
            else:
                decision = review.specialist_decide(assessment=assessment, by=request.user, grade=data["grade"],
                                                    rationale=data["rationale"],
                                                    victim_contacted=data["victim_contacted"], request=request)
        except ValidationError as error:
            return _invalid(_messages(error), DECISION_NOT_SAVED)
        except PermissionDenied:
            return _error(status.HTTP_403_FORBIDDEN, f"Your role may not make the {stage} decision.")
        return Response(DecisionOutSerializer(_decision(decision)).data, status=status.HTTP_201_CREATED,
                        headers={"Cache-Control": "no-store"})
