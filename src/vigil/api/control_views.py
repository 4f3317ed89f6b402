"""The control-room API: a command-and-control system pushes incidents and reads history.

Thin views: parse and check the input, call one service or selector, answer. Errors always have the
shape {"detail": "...", "errors": {field: [messages]}} ("errors" only for invalid input), and never
echo a submitted value. Personal data in query strings stays out of the logs: the access log format
names only the path, and nothing here logs the request.
"""

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from vigil.accounts.access import ApiPermission
from vigil.checks.selectors import call_history, history_for_incident
from vigil.incidents.models import Incident
from vigil.people.models import Person

from . import idempotency
from .serializers import (
    CallHistoryOutSerializer,
    ConflictSerializer,
    ErrorSerializer,
    HistoryQuerySerializer,
    IncidentCreatedSerializer,
    IncidentPushSerializer,
)

TAG = "Control room"
NOT_SAVED = "The incident was not saved: correct the fields named in errors and send it again."
NOT_LOOKED_UP = "The look-up was not made: correct the parameters named in errors."
SOURCE_REF_TAKEN = "An incident with this source_ref was already received from your system."
SOURCE_SYSTEM_LENGTH = 40  # Incident.source_system


def _error(status_code: int, detail: str, errors=None, **extra) -> Response:
    body = {"detail": detail, **({"errors": errors} if errors is not None else {}), **extra}
    return Response(body, status=status_code, headers={"Cache-Control": "no-store"})


def _invalid(errors, default_detail: str) -> Response:
    general = errors.get("non_field_errors") if isinstance(errors, dict) else None
    return _error(status.HTTP_400_BAD_REQUEST, str(general[0]) if general else default_detail, errors)


def _replay(answer: idempotency.StoredAnswer) -> Response:
    return Response(answer.body, status=answer.status_code,
                    headers={idempotency.REPLAYED_HEADER: "true", "Cache-Control": "no-store"})


def _source_system(user) -> str:
    return user.username[:SOURCE_SYSTEM_LENGTH]


class ControlApiView(APIView):
    # Token first, so an anonymous caller is told (401, WWW-Authenticate: Token) how to authenticate.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [ApiPermission]


ERROR_RESPONSES = {
    401: OpenApiResponse(ErrorSerializer, description="No valid token"),
    403: OpenApiResponse(ErrorSerializer, description="The account's role may not use this endpoint"),
}

EXAMPLE_INCIDENT = {
    "source_ref": "CAD-20250301-0042",
    "received_at": "2025-03-01T22:15:00+00:00",
    "channel": "999",
    "caller_phone": "07700 900123",
    "address": {"line1": "12 Example Road", "line2": "", "town": "Leicester", "postcode": "LE1 6ZZ"},
    "location_text": "",
    "summary": "Caller reports her partner shouting and throwing things. Synthetic example.",
    "is_domestic_abuse": True,
    "weapons": False,
    "injuries": None,
    "children_present": True,
    "suspect_present": True,
    "response_grade": 1,
    "people": [
        {"role": "victim", "given_name": "Alex", "family_name": "Example", "date_of_birth": "1990-04-01",
         "phone": "07700 900123"},
        {"role": "suspect", "given_name": "Sam", "family_name": "Sample", "date_of_birth": None, "phone": ""},
    ],
}


class IncidentPush(ControlApiView):
    """A command-and-control system pushes a whole incident. Only the `control_system` role."""

    required_permission = "incidents.push_incident"
    parser_classes = [JSONParser]
    endpoint = "api:incidents"

    @extend_schema(
        tags=[TAG],
        summary="Push an incident",
        description=(
            "Creates one open incident with its address, caller's number and people, all or nothing. "
            "Send an `Idempotency-Key` header with every push: a retry with the same key and the same body "
            "gets the first answer again (with `Idempotent-Replayed: true`) and creates nothing; the same "
            "key with a different body is refused with 422. Invalid input (400) is not remembered against "
            "the key. `source_ref` is your own incident number: one incident per number, whatever the key."),
        request=IncidentPushSerializer,
        parameters=[
            OpenApiParameter(idempotency.HEADER, str, OpenApiParameter.HEADER, required=True,
                             description="1 to 100 printable ASCII characters, unique per request (a UUID)"),
            OpenApiParameter(idempotency.REPLAYED_HEADER, str, OpenApiParameter.HEADER, response=[201],
                             description="`true` when this answer is the stored answer to an earlier request"),
        ],
        responses={
            201: OpenApiResponse(IncidentCreatedSerializer, description="Created (or replayed)"),
            400: OpenApiResponse(ErrorSerializer, description="Missing or invalid Idempotency-Key, a body "
                                                              "that is not JSON, or invalid fields"),
            **ERROR_RESPONSES,
            409: OpenApiResponse(ConflictSerializer, description="This source_ref was already received"),
            415: OpenApiResponse(ErrorSerializer, description="The body must be application/json"),
            422: OpenApiResponse(ErrorSerializer, description="The key was used before with another body"),
        },
        examples=[OpenApiExample("A domestic abuse 999 call", value=EXAMPLE_INCIDENT, request_only=True)],
    )
    def post(self, request):
        try:
            key = idempotency.key_from(request.headers)
        except idempotency.InvalidKey as error:
            return _error(status.HTTP_400_BAD_REQUEST, error.message)
        try:
            body = request.data
        except ParseError as error:
            return _error(status.HTTP_400_BAD_REQUEST, f"The body must be a JSON object ({error.detail}).")
        body_hash = idempotency.request_hash(body)
        scope = dict(client=request.user, endpoint=self.endpoint, key=key, body_hash=body_hash)
        try:
            answer = idempotency.stored_answer(**scope)
        except idempotency.KeyReused:
            return _error(status.HTTP_422_UNPROCESSABLE_ENTITY, idempotency.KEY_REUSED)
        if answer is not None:
            return _replay(answer)

        serializer = IncidentPushSerializer(data=body)
        if not serializer.is_valid():
            return _invalid(serializer.errors, NOT_SAVED)
        source_ref = serializer.validated_data["source_ref"]
        from vigil.incidents.services import incident_record

        try:
            with transaction.atomic():
                claim = idempotency.key_claim(**scope)
                incident = incident_record(by=request.user, data=serializer.service_data(),
                                           source_system=_source_system(request.user), source_ref=source_ref,
                                           request=request)
                created = IncidentCreatedSerializer(self._created(incident, request)).data
                idempotency.answer_store(claim=claim, status_code=status.HTTP_201_CREATED, body=created)
        except IntegrityError:
            # Another request with this key got there first and has committed: answer as it did.
            replayed = self._answer_after_race(scope)
            if replayed is None:
                raise
            return replayed
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
            if "source_ref" in errors:
                return self._source_ref_taken(request, source_ref, errors)
            return _invalid(errors, NOT_SAVED)
        return Response(created, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})

    @staticmethod
    def _created(incident: Incident, request) -> dict:
        query = urlencode({"incident": str(incident.public_id)})
        return {
            "public_id": incident.public_id, "reference": incident.reference, "source_ref": incident.source_ref,
            "status": incident.status,
            "checks": list(incident.checks.order_by("due_at", "kind").values("kind", "status", "performed_by",
                                                                             "due_at")),
            "history_url": request.build_absolute_uri(f"{reverse('api:history')}?{query}"),
        }

    @staticmethod
    def _answer_after_race(scope: dict) -> Response | None:
        """The stored answer of the request that claimed the key first; None if no request holds the key
        (the integrity error was something else)."""
        try:
            answer = idempotency.stored_answer(**scope)
        except idempotency.KeyReused:
            return _error(status.HTTP_422_UNPROCESSABLE_ENTITY, idempotency.KEY_REUSED)
        return _replay(answer) if answer is not None else None

    @staticmethod
    def _source_ref_taken(request, source_ref: str, errors) -> Response:
        existing = (Incident.objects.filter(source_system=_source_system(request.user), source_ref=source_ref)
                    .values("public_id", "reference").first())
        extra = {"id": str(existing["public_id"]), "reference": existing["reference"]} if existing else {}
        return _error(status.HTTP_409_CONFLICT, SOURCE_REF_TAKEN, {"source_ref": [SOURCE_REF_TAKEN]}, **extra)


class HistoryLookup(ControlApiView):
    """The history of a number, an address, a person or an incident. Every look-up is audited."""

    required_permission = "checks.view_history"

    @extend_schema(
        tags=[TAG],
        summary="Read history by number, address, person or incident",
        description=(
            "Give at least one of `phone`; `line1` with `postcode`; `person` (a person id from an earlier "
            "answer); or `incident` (an incident id, as in `history_url`, on its own). Several of phone, "
            "address and person may be combined, as a call taker would. Each look-up is recorded in the "
            "audit log against every person shown. When nothing is found, `records_found` is false and "
            "`message` says why that does not mean there is no history."),
        parameters=[HistoryQuerySerializer],
        responses={
            200: CallHistoryOutSerializer,
            400: OpenApiResponse(ErrorSerializer, description="No search given, or an invalid one"),
            **ERROR_RESPONSES,
            404: OpenApiResponse(ErrorSerializer, description="No person or incident with that id"),
        },
    )
    def get(self, request):
        query = HistoryQuerySerializer(data=request.query_params)
        if not query.is_valid():
            return _invalid(query.errors, NOT_LOOKED_UP)
        q = query.validated_data
        if q["incident"] is not None:
            if q["phone"] or q["postcode"] or q["person"]:
                return _invalid({"incident": ["Give incident on its own: its history already covers its "
                                              "number, address and people."]}, NOT_LOOKED_UP)
            incident = Incident.objects.select_related("caller_phone", "address").filter(
                public_id=q["incident"]).first()
            if incident is None:
                return _error(status.HTTP_404_NOT_FOUND, "No incident with this id.")
            history = history_for_incident(incident=incident, viewer=request.user, request=request)
        else:
            persons = None
            if q["person"] is not None:
                person_id = Person.objects.filter(public_id=q["person"]).values_list("id", flat=True).first()
                if person_id is None:
                    return _error(status.HTTP_404_NOT_FOUND, "No person with this id.")
                persons = {person_id: set()}
            history = call_history(viewer=request.user, phone=q["phone"], line1=q["line1"].strip(),
                                   postcode=q["postcode"], persons=persons, request=request)
        return Response(CallHistoryOutSerializer(history).data, headers={"Cache-Control": "no-store"})
