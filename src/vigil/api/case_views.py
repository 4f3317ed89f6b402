"""The safeguarding cases API: cases, my tasks, victim contacts, custody events and orders.

Thin views: parse and check the input, call the case services, answer. Reading needs `cases.view_case`,
changing `cases.work_on_case`. Errors have the shape {"detail": "...", "errors": {field: [messages]}}
and never echo a submitted value. Every read of personal data is audited as a consultation. A POST may
carry an `Idempotency-Key`: a retry with the same key and body creates nothing and gets the first answer
again (`Idempotent-Replayed: true`); the same key with another body is refused (422).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from vigil.audit.services import audit_record, audit_record_each
from vigil.cases import contact_services, custody_services, order_services, selectors
from vigil.cases.models import Contact, CustodyRecord, Handover, ProtectiveOrder, SafeguardingCase, Task
from vigil.cases.services import display, subject_of, task_complete
from vigil.people.models import PersonRecord
from vigil.people.services import restricted_access_granted

from . import idempotency
from .case_serializers import (
    ArrestInSerializer,
    CaseDetailSerializer,
    CaseListQuerySerializer,
    CaseListSerializer,
    ContactInSerializer,
    ContactListSerializer,
    ContactOutSerializer,
    CourtOutcomeInSerializer,
    CustodyListSerializer,
    CustodyOutSerializer,
    DisposalInSerializer,
    OrderInSerializer,
    OrderListSerializer,
    OrderOutSerializer,
    TaskCompleteSerializer,
    TaskListSerializer,
    TaskOutSerializer,
)
from .risk_views import ERROR_RESPONSES, RiskApiView
from .serializers import ErrorSerializer

TAG = "Safeguarding cases"
NOT_SAVED = "Nothing was saved: correct the fields named in errors and send it again."
NOT_LISTED = "The cases were not listed: correct the parameters named in errors."
NO_CASE = "No case with this id."
NO_TASK = "No task with this id."
NO_CUSTODY = "No custody record with this id."
RESTRICTED = ("This victim's record is restricted: open it in Vigil, giving your reason, before reading or "
              "changing the case's contacts, custody events or orders.")
LIST_LIMIT = 200
NO_STORE = {"Cache-Control": "no-store"}

IDEMPOTENCY_PARAMETERS = [
    OpenApiParameter(idempotency.HEADER, str, OpenApiParameter.HEADER, required=False,
                     description="Optional. 1 to 100 printable ASCII characters, unique per request (a UUID); "
                                 "send the same one when retrying"),
    OpenApiParameter(idempotency.REPLAYED_HEADER, str, OpenApiParameter.HEADER, response=[200, 201],
                     description="`true` when this answer replays an earlier request with the same key"),
]
POST_RESPONSES = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input, or a change the rules refuse; nothing was "
                                                      "saved"),
    **ERROR_RESPONSES,
    404: OpenApiResponse(ErrorSerializer, description="No such case, task or custody record"),
    422: OpenApiResponse(ErrorSerializer, description="The Idempotency-Key was used before with another body"),
}
IDEMPOTENCY_NOTE = (" Send an `Idempotency-Key` header to make a retry safe: the same key and body again "
                    "creates nothing and gets the first answer (`Idempotent-Replayed: true`); the same key with "
                    "another body is refused (422). Invalid input (400) is not remembered against the key.")


def _error(status_code: int, detail: str, errors=None) -> Response:
    body = {"detail": detail, **({"errors": errors} if errors is not None else {})}
    return Response(body, status=status_code, headers=NO_STORE)


def _invalid(errors, default_detail: str = NOT_SAVED) -> Response:
    general = errors.get("non_field_errors") if isinstance(errors, dict) else None
    return _error(status.HTTP_400_BAD_REQUEST, str(general[0]) if general else default_detail, errors)


def _messages(error: ValidationError) -> dict:
    return error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}


# Shapes ------------------------------------------------------------------------------------------------

def _user(user) -> dict | None:
    return {"id": user.public_id, "name": display(user), "role": user.role} if user is not None else None


def _team(team) -> dict | None:
    return {"code": team.code, "name": team.name} if team is not None else None


def _record(record) -> dict:
    return {"id": record.public_id, "person": record.person.public_id if record.person_id else None}


def _restricted(request, case: SafeguardingCase) -> bool:
    person = case.victim.person
    return bool(person is not None and person.restricted
                and not restricted_access_granted(person=person, session=getattr(request, "session", {})))


def _case(case: SafeguardingCase, request, pending: Handover | None) -> dict:
    hidden = _restricted(request, case)
    return {
        "id": case.public_id,
        "url": request.build_absolute_uri(reverse("api:case", args=[case.public_id])),
        "incident": {"id": case.incident.public_id, "reference": case.incident.reference},
        "victim": {**_record(case.victim), "restricted": hidden,
                   "name": None if hidden else f"{case.victim.given_name} {case.victim.family_name}".strip()},
        "status": SafeguardingCase.Status.OPEN if case.closed_at is None else SafeguardingCase.Status.CLOSED,
        "risk_level": case.risk_level,
        "owner": _user(case.owner),
        "team": _team(case.owning_team),
        "opened_at": case.opened_at,
        "closed_at": case.closed_at,
        "pending_handover": None if pending is None else {
            "id": pending.public_id, "to_team": _team(pending.to_team), "to_user": _user(pending.to_user),
            "from_user": _user(pending.from_user), "reason": pending.reason, "proposed_at": pending.proposed_at,
            "accept_by": pending.accept_by, "escalated": pending.escalated_at is not None},
    }


def _task(task: Task, now) -> dict:
    return {
        "id": task.public_id, "kind": task.kind, "title": task.title, "detail": task.detail, "urgent": task.urgent,
        "status": task.status, "due_at": task.due_at, "overdue": task.status == Task.Status.OPEN and task.due_at < now,
        "assignee": _user(task.assignee), "team": _team(task.team),
        "case": {"id": task.case.public_id, "reference": task.case.incident.reference} if task.case_id else None,
        "done_at": task.done_at, "done_by": _user(task.done_by), "outcome": task.outcome,
    }


def _contact(contact: Contact) -> dict:
    return {"id": contact.public_id, "made_at": contact.made_at, "made_by": _user(contact.made_by),
            "method": contact.method, "outcome": contact.outcome, "safe_number_used": contact.safe_number_used,
            "told": list(contact.told or []), "note": contact.note,
            "task": contact.task.public_id if contact.task_id else None}


def _custody(record: CustodyRecord) -> dict:
    return {"id": record.public_id, "suspect": _record(record.suspect), "arrested_at": record.arrested_at,
            "recorded_by": _user(record.recorded_by), "disposal": record.disposal, "disposal_at": record.disposal_at,
            "bail_return_on": record.bail_return_on, "court_name": record.court_name, "hearing_at": record.hearing_at,
            "court_outcome": record.court_outcome, "court_outcome_at": record.court_outcome_at,
            "release_on": record.release_on}


def _order(order: ProtectiveOrder) -> dict:
    return {"id": order.public_id, "kind": order.kind, "status": order.status,
            "restricted_person": _record(order.restricted_person),
            "protected_persons": [_record(p) for p in order.protected_persons.all()],
            "conditions": [str(c) for c in order.conditions or []], "starts_at": order.starts_at,
            "ends_on": order.ends_on, "served_at": order.served_at, "authorised_by": order.authorised_by,
            "follows": order.follows.public_id if order.follows_id else None,
            "custody_record": order.custody_record.public_id if order.custody_record_id else None,
            "recorded_by": _user(order.recorded_by), "recorded_at": order.recorded_at,
            "breaches": order.breaches.count()}


def _cases():
    return SafeguardingCase.objects.select_related("victim", "victim__person", "incident", "owner", "owning_team")


def _pending(cases) -> dict[int, Handover]:
    return {h.case_id: h for h in Handover.objects.filter(case__in=cases, status=Handover.Status.PENDING)
            .select_related("to_team", "to_user", "from_user")}


def _tasks():
    return Task.objects.select_related("case", "case__incident", "assignee", "team", "done_by")


# The base view and the idempotent POST -------------------------------------------------------------------

class CasesApiView(RiskApiView):
    """Reading needs `cases.view_case`; a POST needs `cases.work_on_case`."""

    required_permission = "cases.view_case"
    method_permissions = {"POST": "cases.work_on_case"}
    parser_classes = [JSONParser]

    def case_or_error(self, request, public_id, *, restricted_refused: bool = True):
        """(case, None) or (None, the error answer)."""
        case = _cases().filter(public_id=public_id).first()
        if case is None:
            return None, _error(status.HTTP_404_NOT_FOUND, NO_CASE)
        if restricted_refused and _restricted(request, case):
            return None, _error(status.HTTP_403_FORBIDDEN, RESTRICTED)
        return case, None

    def keyed_post(self, request, *, endpoint: str, serializer_class, act, find, show, audit_replay,
                   status_code: int = status.HTTP_201_CREATED) -> Response:
        """Parse and check the body, then `act(data, now)` in one transaction with the key's claim.
        `find(id)` finds the object again for a replay, `show(obj)` shapes it, `audit_replay(obj)` records the
        replay's read."""
        key = None
        if idempotency.HEADER in request.headers:
            try:
                key = idempotency.key_from(request.headers)
            except idempotency.InvalidKey:
                return _error(status.HTTP_400_BAD_REQUEST, idempotency.INVALID_KEY)
        try:
            body = request.data
        except ParseError as error:
            return _error(status.HTTP_400_BAD_REQUEST, f"The body must be a JSON object ({error.detail}).")
        if not isinstance(body, dict):
            return _error(status.HTTP_400_BAD_REQUEST, "The body must be a JSON object.")
        scope = None
        if key is not None:
            scope = dict(client=request.user, endpoint=endpoint, key=key, body_hash=idempotency.request_hash(body))
            replayed = self._replayed(scope, find, show, audit_replay)
            if replayed is not None:
                return replayed
        serializer = serializer_class(data=body)
        if not serializer.is_valid():
            return _invalid(serializer.errors)
        now = timezone.now()
        try:
            with transaction.atomic():
                claim = idempotency.key_claim(**scope, now=now) if scope is not None else None
                obj = act(serializer.validated_data, now)
                if claim is not None:
                    idempotency.answer_store(claim=claim, status_code=status_code, body={"id": str(obj.public_id)})
        except IntegrityError:
            replayed = self._replayed(scope, find, show, audit_replay) if scope is not None else None
            if replayed is None:
                raise
            return replayed
        except ValidationError as error:
            return _invalid(_messages(error))
        except PermissionDenied as error:
            return _error(status.HTTP_403_FORBIDDEN, str(error) or "You may not make this change.")
        return Response(show(find(str(obj.public_id))), status=status_code, headers=NO_STORE)

    @staticmethod
    def _replayed(scope, find, show, audit_replay) -> Response | None:
        try:
            answer = idempotency.stored_answer(**scope)
        except idempotency.KeyReused:
            return _error(status.HTTP_422_UNPROCESSABLE_ENTITY, idempotency.KEY_REUSED)
        if answer is None:
            return None
        obj = find(answer.body.get("id"))
        if obj is None:
            return _error(status.HTTP_404_NOT_FOUND, "What the first request saved is no longer there.")
        audit_replay(obj)
        return Response(show(obj), status=answer.status_code,
                        headers={idempotency.REPLAYED_HEADER: "true", **NO_STORE})


def _bad_reference(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


# Cases -------------------------------------------------------------------------------------------------

class Cases(CasesApiView):
    """The cases you own or your teams own."""

    @extend_schema(
        tags=[TAG], operation_id="cases_list", summary="List the cases you or your teams own",
        description=(
            "Cases owned by you or by a team you are in, most recently opened first (at most 200), with the "
            "owner, team, risk level and any handover waiting for acceptance. `status=open` or `status=closed` "
            "filters; left out, both. A restricted victim's name is `null` until you open the record in Vigil. "
            "Each listing is recorded in the audit log as a consultation, once for each victim shown. "
            "Who may: `cases.view_case`."),
        parameters=[CaseListQuerySerializer],
        responses={200: CaseListSerializer, 400: OpenApiResponse(ErrorSerializer, description="Invalid status"),
                   **ERROR_RESPONSES},
    )
    def get(self, request):
        query = CaseListQuerySerializer(data=request.query_params)
        if not query.is_valid():
            return _invalid(query.errors, NOT_LISTED)
        user = request.user
        cases = _cases().filter(owner=user) | _cases().filter(owning_team__in=user.teams.all())
        wanted = query.validated_data.get("status")
        if wanted == SafeguardingCase.Status.OPEN:
            cases = cases.filter(closed_at__isnull=True)
        elif wanted == SafeguardingCase.Status.CLOSED:
            cases = cases.filter(closed_at__isnull=False)
        cases = list(cases.distinct().order_by("-opened_at", "-pk")[:LIST_LIMIT])
        pending = _pending(cases)
        subjects = sorted({str(s) for s in (subject_of(c) for c in cases) if s is not None})
        audit_record_each(action="consultation", actor=user, subject_person_ids=subjects, request=request,
                          object_type="cases.SafeguardingCase", object_id="list",
                          detail={"read": "cases", "cases": [str(c.public_id) for c in cases]})
        body = CaseListSerializer({"count": len(cases),
                                   "cases": [_case(c, request, pending.get(c.pk)) for c in cases]}).data
        return Response(body, headers=NO_STORE)


class CaseDetail(CasesApiView):
    @extend_schema(
        tags=[TAG], operation_id="cases_retrieve", summary="Read a case",
        description=(
            "The case: incident, victim, risk level, accountable owner and team, any handover waiting for "
            "acceptance, the contact plan and the open tasks. Recorded in the audit log as a consultation of "
            "the victim's data. Who may: `cases.view_case`."),
        responses={200: CaseDetailSerializer, **ERROR_RESPONSES,
                   404: OpenApiResponse(ErrorSerializer, description="No case with that id")},
    )
    def get(self, request, public_id):
        case, refused = self.case_or_error(request, public_id, restricted_refused=False)
        if refused is not None:
            return refused
        now = timezone.now()
        audit_record(action="consultation", actor=request.user, obj=case, subject_person_id=subject_of(case),
                     request=request, detail={"read": "case"})
        body = {**_case(case, request, _pending([case]).get(case.pk)), "closed_reason": case.closed_reason,
                "contact_plan": {"method": case.contact_method, "update_every_days": case.update_every_days,
                                 "note": case.contact_note},
                "open_tasks": [_task(t, now) for t in _tasks().filter(case=case, status=Task.Status.OPEN)
                               .order_by("due_at", "pk")]}
        return Response(CaseDetailSerializer(body).data, headers=NO_STORE)


# Tasks -------------------------------------------------------------------------------------------------

class Tasks(CasesApiView):

    @extend_schema(
        tags=[TAG], operation_id="tasks_list", summary="My tasks, overdue first",
        description=(
            "Your open tasks and your teams' unassigned ones (for a supervisor, also the escalations and the "
            "overdue work of the teams you manage), overdue first, then by deadline: the tasks of \"My work\" "
            "in Vigil. Recorded in the audit log as a consultation of each victim whose case is listed. "
            "Who may: `cases.view_case`."),
        responses={200: TaskListSerializer, **ERROR_RESPONSES},
    )
    def get(self, request):
        now = timezone.now()
        work = selectors.my_work(viewer=request.user, now=now, request=request)
        rows = [r for r in work.rows if r.task is not None]
        tasks = {t.pk: t for t in _tasks().filter(pk__in=[r.task.pk for r in rows])}
        listed = [{**_task(tasks[r.task.pk], now), "why": r.why} for r in rows if r.task.pk in tasks]
        body = {"count": len(listed), "overdue": sum(1 for t in listed if t["overdue"]), "tasks": listed}
        return Response(TaskListSerializer(body).data, headers=NO_STORE)


class TaskComplete(CasesApiView):
    required_permission = "cases.work_on_case"

    @extend_schema(
        tags=[TAG], operation_id="tasks_complete", summary="Mark a task done",
        description=(
            "Marks an open task done, with what was done (optional), on the case's timeline. Only the task's "
            "assignee, a member of its team, or the case's owner may. A task already done or cancelled: 400."
            + IDEMPOTENCY_NOTE + " Who may: `cases.work_on_case`."),
        request=TaskCompleteSerializer, parameters=IDEMPOTENCY_PARAMETERS,
        responses={200: OpenApiResponse(TaskOutSerializer, description="The task, done"), **POST_RESPONSES},
    )
    def post(self, request, public_id):
        task = _tasks().filter(public_id=public_id).first()
        if task is None:
            return _error(status.HTTP_404_NOT_FOUND, NO_TASK)

        def act(data, now):
            return task_complete(task=task, by=request.user, outcome=data["outcome"], now=now, request=request)

        def audit_replay(obj):
            if obj.case_id:
                audit_record(action="consultation", actor=request.user, obj=obj.case,
                             subject_person_id=subject_of(obj.case), request=request,
                             detail={"read": "task", "task": str(obj.public_id), "replayed": True})

        return self.keyed_post(request, endpoint=f"api:task-complete:{task.public_id}",
                               serializer_class=TaskCompleteSerializer, act=act, status_code=status.HTTP_200_OK,
                               find=lambda pk: _tasks().filter(public_id=pk).first(),
                               show=lambda t: TaskOutSerializer(_task(t, timezone.now())).data,
                               audit_replay=audit_replay)


# Contacts ----------------------------------------------------------------------------------------------

def _audit_case_read(request, case, what: str, **detail):
    audit_record(action="consultation", actor=request.user, obj=case, subject_person_id=subject_of(case),
                 request=request, detail={"read": what, **detail})


class CaseContacts(CasesApiView):
    @extend_schema(
        tags=[TAG], operation_id="cases_contacts_list", summary="The victim contacts on a case",
        description=("Every attempt to contact the victim, most recent first. Recorded as a consultation. A "
                     "restricted victim's record must first be opened in Vigil (403). Who may: `cases.view_case`."),
        responses={200: ContactListSerializer, **ERROR_RESPONSES,
                   404: OpenApiResponse(ErrorSerializer, description="No case with that id")},
    )
    def get(self, request, public_id):
        case, refused = self.case_or_error(request, public_id)
        if refused is not None:
            return refused
        contacts = list(case.contacts.select_related("made_by", "task").order_by("-made_at", "-pk"))
        _audit_case_read(request, case, "contacts", count=len(contacts))
        return Response(ContactListSerializer({"case": case.public_id,
                                               "contacts": [_contact(c) for c in contacts]}).data, headers=NO_STORE)

    @extend_schema(
        tags=[TAG], operation_id="cases_contacts_create", summary="Log a contact with the victim",
        description=(
            "Logs one attempt to contact the victim as it happened: `method`, `outcome`; by telephone, whether "
            "the recorded safe number was used (`safe_number_used`) or, if not, `confirmed_safe`; `told`, the "
            "key events the victim was told of (only when spoken to or messaged); an optional `task` the contact "
            "was for (done when the victim was spoken to and told) and `made_at` (not in the future)."
            + IDEMPOTENCY_NOTE + " Who may: `cases.work_on_case`."),
        request=ContactInSerializer, parameters=IDEMPOTENCY_PARAMETERS,
        responses={201: OpenApiResponse(ContactOutSerializer, description="The contact logged"), **POST_RESPONSES},
    )
    def post(self, request, public_id):
        case, refused = self.case_or_error(request, public_id)
        if refused is not None:
            return refused

        def act(data, now):
            task = None
            if data["task"] is not None:
                task = Task.objects.filter(public_id=data["task"]).first()
                if task is None:
                    raise _bad_reference("task", NO_TASK)
            return contact_services.contact_log(
                case=case, by=request.user, method=data["method"], outcome=data["outcome"],
                safe_number_used=data["safe_number_used"], told=data["told"], note=data["note"], task=task,
                confirmed_safe=data["confirmed_safe"], made_at=data["made_at"], now=now, request=request)

        return self.keyed_post(
            request, endpoint=f"api:case-contacts:{case.public_id}", serializer_class=ContactInSerializer, act=act,
            find=lambda pk: Contact.objects.select_related("made_by", "task").filter(public_id=pk).first(),
            show=lambda c: ContactOutSerializer(_contact(c)).data,
            audit_replay=lambda c: _audit_case_read(request, case, "contact", contact=str(c.public_id), replayed=True))


# Custody events ----------------------------------------------------------------------------------------

def _custody_queryset():
    return CustodyRecord.objects.select_related("suspect", "suspect__person", "recorded_by", "case",
                                                "case__victim__person")


class CaseCustody(CasesApiView):
    @extend_schema(
        tags=[TAG], operation_id="cases_custody_list", summary="The custody records on a case",
        description=("Each arrest of the suspect and what followed (disposal, court outcome, release date), most "
                     "recent first. Recorded as a consultation. Who may: `cases.view_case`."),
        responses={200: CustodyListSerializer, **ERROR_RESPONSES,
                   404: OpenApiResponse(ErrorSerializer, description="No case with that id")},
    )
    def get(self, request, public_id):
        case, refused = self.case_or_error(request, public_id)
        if refused is not None:
            return refused
        records = list(_custody_queryset().filter(case=case).order_by("-arrested_at", "-pk"))
        _audit_case_read(request, case, "custody", count=len(records))
        return Response(CustodyListSerializer({"case": case.public_id,
                                               "custody_records": [_custody(r) for r in records]}).data,
                        headers=NO_STORE)

    @extend_schema(
        tags=[TAG], operation_id="cases_custody_create", summary="Record the suspect's arrest",
        description=("Records the arrest (`arrested_at`, not in the future nor before the incident) of the "
                     "incident's suspect, or of the person record given as `suspect`, and opens the task to tell "
                     "the victim." + IDEMPOTENCY_NOTE + " Who may: `cases.work_on_case`."),
        request=ArrestInSerializer, parameters=IDEMPOTENCY_PARAMETERS,
        responses={201: OpenApiResponse(CustodyOutSerializer, description="The custody record"), **POST_RESPONSES},
    )
    def post(self, request, public_id):
        case, refused = self.case_or_error(request, public_id)
        if refused is not None:
            return refused

        def act(data, now):
            suspect = None
            if data["suspect"] is not None:
                suspect = PersonRecord.objects.filter(public_id=data["suspect"]).first()
                if suspect is None:
                    raise _bad_reference("suspect", "No person record with this id.")
            return custody_services.custody_arrest_record(case=case, by=request.user, arrested_at=data["arrested_at"],
                                                          suspect=suspect, now=now, request=request)

        return self.keyed_post(
            request, endpoint=f"api:case-custody:{case.public_id}", serializer_class=ArrestInSerializer, act=act,
            find=lambda pk: _custody_queryset().filter(public_id=pk).first(),
            show=lambda r: CustodyOutSerializer(_custody(r)).data,
            audit_replay=lambda r: _audit_case_read(request, case, "custody", custody=str(r.public_id), replayed=True))


class _CustodyEvent(CasesApiView):
    """A POST about one custody record."""

    required_permission = "cases.work_on_case"
    serializer_class = None
    endpoint = ""

    def record(self, data, custody, request, now):  # pragma: no cover - each subclass says
        raise NotImplementedError

    def post(self, request, public_id):
        custody = _custody_queryset().filter(public_id=public_id).first()
        if custody is None:
            return _error(status.HTTP_404_NOT_FOUND, NO_CUSTODY)
        if _restricted(request, custody.case):
            return _error(status.HTTP_403_FORBIDDEN, RESTRICTED)
        case = custody.case
        return self.keyed_post(
            request, endpoint=f"{self.endpoint}:{custody.public_id}", serializer_class=self.serializer_class,
            act=lambda data, now: self.record(data, custody, request, now), status_code=status.HTTP_200_OK,
            find=lambda pk: _custody_queryset().filter(public_id=pk).first(),
            show=lambda r: CustodyOutSerializer(_custody(r)).data,
            audit_replay=lambda r: _audit_case_read(request, case, "custody", custody=str(r.public_id), replayed=True))


class CustodyDisposal(_CustodyEvent):
    serializer_class = DisposalInSerializer
    endpoint = "api:custody-disposal"

    @extend_schema(
        tags=[TAG], operation_id="custody_disposal_create", summary="Record what followed the arrest",
        description=(
            "The decision after the arrest, once: `rui`, `nfa`, `pre_charge_bail` (with `bail_conditions` and "
            "`bail_return_on`), `charged_bailed` (conditions optional) or `charged_remanded` (with `court_name` "
            "and `hearing_at`: the case owner gets the task to find out the court's decision). Bail conditions "
            "become an order and warning markers on the victim and their address; the victim is to be told."
            + IDEMPOTENCY_NOTE + " Who may: `cases.work_on_case`."),
        request=DisposalInSerializer, parameters=IDEMPOTENCY_PARAMETERS,
        responses={200: OpenApiResponse(CustodyOutSerializer, description="The custody record"), **POST_RESPONSES},
    )
    def post(self, request, public_id):
        return super().post(request, public_id)

    def record(self, data, custody, request, now):
        return custody_services.custody_disposal_record(
            custody=custody, by=request.user, disposal=data["disposal"], disposed_at=data["disposed_at"],
            bail_conditions=data["bail_conditions"], bail_return_on=data["bail_return_on"],
            court_name=data["court_name"], hearing_at=data["hearing_at"], now=now, request=request)


class CustodyCourtOutcome(_CustodyEvent):
    serializer_class = CourtOutcomeInSerializer
    endpoint = "api:custody-court-outcome"

    @extend_schema(
        tags=[TAG], operation_id="custody_court_outcome_create", summary="Record the court's decision on remand",
        description=(
            "After a charge and remand for court, the court's decision, once: `remanded`, or `bailed` (with any "
            "`bail_conditions` and the next court date `bail_return_on`): an urgent task to tell the victim the "
            "same working day, and the conditions as an order with markers." + IDEMPOTENCY_NOTE
            + " Who may: `cases.work_on_case`."),
        request=CourtOutcomeInSerializer, parameters=IDEMPOTENCY_PARAMETERS,
        responses={200: OpenApiResponse(CustodyOutSerializer, description="The custody record"), **POST_RESPONSES},
    )
    def post(self, request, public_id):
        return super().post(request, public_id)

    def record(self, data, custody, request, now):
        return custody_services.custody_court_outcome_record(
            custody=custody, by=request.user, outcome=data["outcome"], decided_at=data["decided_at"],
            bail_conditions=data["bail_conditions"], bail_return_on=data["bail_return_on"], now=now, request=request)


# Orders ------------------------------------------------------------------------------------------------

def _orders():
    return (ProtectiveOrder.objects.select_related("restricted_person__person", "recorded_by", "follows",
                                                   "custody_record")
            .prefetch_related("protected_persons__person"))


class CaseOrders(CasesApiView):
    @extend_schema(
        tags=[TAG], operation_id="cases_orders_list", summary="The orders on a case",
        description=("Orders, notices and bail conditions on the case, most recent first, with who they restrict "
                     "and protect. Recorded as a consultation. Who may: `cases.view_case`."),
        responses={200: OrderListSerializer, **ERROR_RESPONSES,
                   404: OpenApiResponse(ErrorSerializer, description="No case with that id")},
    )
    def get(self, request, public_id):
        case, refused = self.case_or_error(request, public_id)
        if refused is not None:
            return refused
        orders = list(_orders().filter(case=case).order_by("-starts_at", "-pk"))
        _audit_case_read(request, case, "orders", count=len(orders))
        return Response(OrderListSerializer({"case": case.public_id, "orders": [_order(o) for o in orders]}).data,
                        headers=NO_STORE)

    @extend_schema(
        tags=[TAG], operation_id="cases_orders_create", summary="Record an order, notice or bail conditions",
        description=(
            "Records an order on the case and places its warning markers. `protected_persons` default to the "
            "victim. A DVPN or DAPN needs `served_at` and the authorising officer (`authorised_rank`, "
            "`authorised_by`) and opens the task to apply for the order; a DVPO or DAPO may name the notice it "
            "`follows`." + IDEMPOTENCY_NOTE + " Who may: `cases.work_on_case`."),
        request=OrderInSerializer, parameters=IDEMPOTENCY_PARAMETERS,
        responses={201: OpenApiResponse(OrderOutSerializer, description="The order recorded"), **POST_RESPONSES},
    )
    def post(self, request, public_id):
        case, refused = self.case_or_error(request, public_id)
        if refused is not None:
            return refused

        def act(data, now):
            errors = {}
            restricted = PersonRecord.objects.filter(public_id=data["restricted_person"]).first()
            if restricted is None:
                errors["restricted_person"] = ["No person record with this id."]
            protected = list(PersonRecord.objects.filter(public_id__in=data["protected_persons"]))
            if len(protected) != len(set(data["protected_persons"])):
                errors["protected_persons"] = ["No person record with one of these ids."]
            follows = None
            if data["follows"] is not None:
                follows = ProtectiveOrder.objects.filter(public_id=data["follows"]).first()
                if follows is None:
                    errors["follows"] = ["No order with this id."]
            if errors:
                raise ValidationError(errors)
            return order_services.order_record(
                case=case, by=request.user, kind=data["kind"], restricted_person=restricted,
                protected_persons=protected or None, starts_at=data["starts_at"], ends_on=data["ends_on"],
                served_at=data["served_at"], conditions=data["conditions"], authorised_rank=data["authorised_rank"],
                authorised_by=data["authorised_by"], follows=follows, now=now, request=request)

        return self.keyed_post(
            request, endpoint=f"api:case-orders:{case.public_id}", serializer_class=OrderInSerializer, act=act,
            find=lambda pk: _orders().filter(public_id=pk).first(), show=lambda o: OrderOutSerializer(_order(o)).data,
            audit_replay=lambda o: _audit_case_read(request, case, "order", order=str(o.public_id), replayed=True))
