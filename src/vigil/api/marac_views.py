"""The MARAC API: referrals (list, make, read), each agency's research, meetings with their agenda and the
chair's record of attendance, and the actions agreed at them (list, agree, complete or cancel).

Thin views: parse and check the input, call one MARAC selector or service, answer. Reading needs
`marac.view_marac`; making a referral `marac.refer`; recording attendance `marac.coordinate`; the services
decide the rest (only the chair or coordinator agrees actions, only the responsible agency or the coordinator
closes one). Every row shown comes from a selector scoped to the caller: a partner agency sees only the
referrals shared with it (a referral that is not is 404, and the attempt is audited) and only its own
agency's actions. Errors have the shape {"detail": "...", "errors": {field: [messages]}} and never echo a
submitted value. Every read of personal data is audited as a consultation. A POST may carry an
`Idempotency-Key`, as in the cases API.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from vigil.accounts.models import Agency, User
from vigil.audit.services import audit_record_each
from vigil.marac import selectors, services
from vigil.marac.models import MaracAction, MaracArea, MaracMeeting, MaracReferral, MaracResearch
from vigil.people.models import Person
from vigil.risk.models import RiskAssessment

from .case_views import IDEMPOTENCY_NOTE, IDEMPOTENCY_PARAMETERS, NO_STORE, CasesApiView, _error, _invalid
from .marac_serializers import (
    MaracActionCloseInSerializer,
    MaracActionInSerializer,
    MaracActionListQuerySerializer,
    MaracActionListSerializer,
    MaracActionOutSerializer,
    MaracAttendanceInSerializer,
    MaracMeetingDetailSerializer,
    MaracMeetingListQuerySerializer,
    MaracMeetingListSerializer,
    MaracMeetingOutSerializer,
    MaracReferralDetailSerializer,
    MaracReferralInSerializer,
    MaracReferralListQuerySerializer,
    MaracReferralListSerializer,
    MaracResearchInSerializer,
    MaracResearchListSerializer,
    MaracResearchOutSerializer,
)
from .risk_views import ERROR_RESPONSES
from .serializers import ErrorSerializer

TAG = "MARAC"
NOT_LISTED = "Nothing was listed: correct the parameters named in errors."
NO_REFERRAL = "No MARAC referral with this id."
NO_MEETING = "No MARAC meeting with this id."
NO_ACTION = "No MARAC action with this id."
LIST_LIMIT = 200
VIEW, REFER, COORDINATE = "marac.view_marac", "marac.refer", "marac.coordinate"

POST_RESPONSES = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input, or a change the rules refuse; nothing was "
                                                      "saved"),
    **ERROR_RESPONSES,
    404: OpenApiResponse(ErrorSerializer, description="No such referral, meeting or action shared with you"),
    422: OpenApiResponse(ErrorSerializer, description="The Idempotency-Key was used before with another body"),
}


def _not_found(detail: str) -> dict:
    return {**ERROR_RESPONSES, 404: OpenApiResponse(ErrorSerializer, description=detail)}


# Shapes: plain dictionaries of rows the selectors scoped to the viewer -----------------------------------

def _agency(agency) -> dict:
    return {"code": agency.code, "name": agency.name}


def _user(user) -> dict | None:
    return {"id": user.public_id, "role": user.role} if user is not None else None


def _meeting_ref(meeting) -> dict | None:
    return {"id": meeting.public_id, "held_on": meeting.held_on} if meeting is not None else None


def _referral(referral: MaracReferral, request) -> dict:
    return {
        "id": referral.public_id,
        "url": request.build_absolute_uri(reverse("api:marac-referral", args=[referral.public_id])),
        "area": {"code": referral.area.code, "name": referral.area.name},
        "victim": referral.victim.public_id,
        "perpetrator": referral.perpetrator.public_id if referral.perpetrator_id else None,
        "referring_agency": _agency(referral.referring_agency),
        "received_on": referral.received_on,
        "criteria": list(referral.criteria or []),
        "is_repeat": referral.is_repeat,
        "status": referral.status,
        "meeting": _meeting_ref(referral.meeting),
    }


def _action(action: MaracAction) -> dict:
    return {
        "id": action.public_id, "referral": action.referral.public_id, "victim": action.referral.victim.public_id,
        "meeting": _meeting_ref(action.meeting), "description": action.description, "agency": _agency(action.agency),
        "owner": _user(action.owner), "due_on": action.due_on, "status": action.status,
        "completed_on": action.completed_on, "outcome": action.outcome,
        "escalated": action.escalated_at is not None, "agreed_at": action.agreed_at,
    }


def _referral_detail(referral: MaracReferral, request, actions) -> dict:
    assessment = referral.risk_assessment
    return {
        **_referral(referral, request),
        "referred_by": _user(referral.referred_by),
        "risk_assessment": None if assessment is None else {"id": assessment.public_id,
                                                            "yes_count": assessment.yes_count},
        "judgement_reason": referral.judgement_reason,
        "incidents_12m": referral.incidents_12m,
        "children": [str(c) for c in referral.children or []],
        "victim_aware": referral.victim_aware,
        "victim_consents": referral.victim_consents,
        "reason_without_consent": referral.reason_without_consent,
        "idva_referral_made": referral.idva_referral_made,
        "victim_lgbt": referral.victim_lgbt,
        "victim_disability": referral.victim_disability,
        "recent_incidents": [{"id": i.public_id, "reference": i.reference}
                             for i in referral.recent_incidents.order_by("received_at", "pk")],
        "orders": [{"id": o.public_id, "kind": o.kind, "ends_on": o.ends_on}
                   for o in referral.orders.order_by("starts_at", "pk")],
        "discussion": referral.discussion,
        "actions": [_action(a) for a in actions],
    }


def _research(research: MaracResearch) -> dict:
    return {"id": research.public_id, "agency": _agency(research.agency), "author": _user(research.author),
            "text": research.text, "added_at": research.added_at}


def _meeting(meeting: MaracMeeting, request) -> dict:
    return {
        "id": meeting.public_id,
        "url": request.build_absolute_uri(reverse("api:marac-meeting", args=[meeting.public_id])),
        "area": {"code": meeting.area.code, "name": meeting.area.name},
        "held_on": meeting.held_on,
        "cut_off": meeting.cut_off,
        "status": meeting.status,
        "chair": _user(meeting.chair),
        "recorded_at": meeting.recorded_at,
        "attendance": [{"agency": _agency(a.agency), "status": a.status}
                       for a in meeting.attendance.all()],
    }


def _referrals():
    return services.referral_rows().select_related("referred_by")


def _audit_read(request, what: str, subjects, *, object_type: str = "marac.MaracReferral", object_id: str = "list",
                **detail) -> None:
    audit_record_each(action="consultation", actor=request.user, request=request,
                      subject_person_ids=sorted({str(s) for s in subjects if s is not None}),
                      object_type=object_type, object_id=object_id, detail={"read": what, **detail})


def _bad_reference(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


# The base view -------------------------------------------------------------------------------------------

class MaracApiView(CasesApiView):
    """Reading needs `marac.view_marac`; each POST states its permission in `method_permissions`."""

    required_permission = VIEW
    method_permissions: dict = {}

    def visible_referral(self, request, public_id):
        """(referral, None) for a referral shared with the caller, with no read recorded yet; else (None, 404),
        the refused attempt audited (`selectors.referral_for`)."""
        referral = selectors.referrals_visible_to(request.user).filter(public_id=public_id).first()
        if referral is not None:
            return referral, None
        try:
            selectors.referral_for(viewer=request.user, public_id=public_id, request=request)
        except Http404:
            pass
        return None, _error(status.HTTP_404_NOT_FOUND, NO_REFERRAL)


# Referrals -----------------------------------------------------------------------------------------------

class MaracReferrals(MaracApiView):
    method_permissions = {"POST": REFER}

    @extend_schema(
        tags=[TAG], operation_id="marac_referrals_list", summary="List the MARAC referrals shared with you",
        description=(
            "Referrals, most recently received first (at most 200): every one for police roles that work MARAC; "
            "for a partner agency, those on the agenda of a meeting it is invited to and those it made. "
            "`area` (a MARAC area's code) and `status` filter. Recorded in the audit log as a consultation of "
            "each victim listed. Who may: `marac.view_marac`."),
        parameters=[MaracReferralListQuerySerializer],
        responses={200: MaracReferralListSerializer,
                   400: OpenApiResponse(ErrorSerializer, description="Invalid parameters"), **ERROR_RESPONSES},
    )
    def get(self, request):
        query = MaracReferralListQuerySerializer(data=request.query_params)
        if not query.is_valid():
            return _invalid(query.errors, NOT_LISTED)
        referrals = selectors.referrals_visible_to(request.user)
        if "area" in query.validated_data:
            referrals = referrals.filter(area__code=query.validated_data["area"])
        if "status" in query.validated_data:
            referrals = referrals.filter(status=query.validated_data["status"])
        referrals = list(referrals.order_by("-received_on", "-pk")[:LIST_LIMIT])
        _audit_read(request, "marac referrals", [r.victim.public_id for r in referrals],
                    referrals=[str(r.public_id) for r in referrals])
        body = {"count": len(referrals), "referrals": [_referral(r, request) for r in referrals]}
        return Response(MaracReferralListSerializer(body).data, headers=NO_STORE)

    @extend_schema(
        tags=[TAG], operation_id="marac_referrals_create", summary="Refer a victim to MARAC",
        description=(
            "Records a referral from your agency. At least one criterion must apply, each checked: "
            "`visible_high_risk` needs a `risk_assessment` with 14 or more \"yes\" answers; "
            "`professional_judgement` needs `judgement_reason`; `potential_escalation` needs enough domestic "
            "abuse incidents in the 12 months (Vigil's, plus `other_agency_incidents`); `repeat_marac` a "
            "referral of the victim in the 12 months before. Without `victim_consents`, give "
            "`reason_without_consent`. Listed on the agenda of the first planned meeting whose cut-off it meets."
            + IDEMPOTENCY_NOTE + " Who may: `marac.refer` (the force's case workers and the MARAC coordinator, "
            "and partner practitioners)."),
        request=MaracReferralInSerializer, parameters=IDEMPOTENCY_PARAMETERS,
        responses={201: OpenApiResponse(MaracReferralDetailSerializer, description="The referral made"),
                   **POST_RESPONSES},
    )
    def post(self, request):
        def act(data, now):
            errors = {}
            area = MaracArea.objects.filter(code=data["area"]).first()
            if area is None:
                errors["area"] = ["No MARAC area with this code."]
            people = {p.public_id: p for p in Person.objects.filter(
                public_id__in=[i for i in (data["victim"], data["perpetrator"]) if i is not None])}
            victim = people.get(data["victim"])
            if victim is None:
                errors["victim"] = ["No person with this id."]
            perpetrator = people.get(data["perpetrator"]) if data["perpetrator"] is not None else None
            if data["perpetrator"] is not None and perpetrator is None:
                errors["perpetrator"] = ["No person with this id."]
            assessment = None
            if data["risk_assessment"] is not None:
                assessment = RiskAssessment.objects.select_related("victim").filter(
                    public_id=data["risk_assessment"]).first()
                if assessment is None:
                    errors["risk_assessment"] = ["No risk assessment with this id."]
            if errors:
                raise ValidationError(errors)
            return services.referral_create(
                area=area, victim=victim, by=request.user, received_on=data["received_on"],
                criteria=data["criteria"], victim_aware=data["victim_aware"], victim_consents=data["victim_consents"],
                reason_without_consent=data["reason_without_consent"], judgement_reason=data["judgement_reason"],
                perpetrator=perpetrator, risk_assessment=assessment,
                other_agency_incidents=data["other_agency_incidents"], children=data["children"],
                idva_referral_made=data["idva_referral_made"], victim_lgbt=data["victim_lgbt"],
                victim_disability=data["victim_disability"], now=now, request=request)

        def show(referral):
            # The referrer's own referral; actions come later, at a meeting.
            return MaracReferralDetailSerializer(_referral_detail(referral, request, [])).data

        return self.keyed_post(
            request, endpoint="api:marac-referrals", serializer_class=MaracReferralInSerializer, act=act,
            find=lambda pk: _referrals().filter(public_id=pk, referring_agency_id=request.user.agency_id).first(),
            show=show,
            audit_replay=lambda r: _audit_read(request, "marac referral", services.subjects_of(r),
                                               object_id=str(r.public_id), replayed=True))


class MaracReferralDetail(MaracApiView):
    @extend_schema(
        tags=[TAG], operation_id="marac_referrals_retrieve", summary="Read a MARAC referral",
        description=(
            "The referral as domain.md lists it, with the actions on the case you may see (a partner agency: its "
            "own). A referral not shared with your agency is 404, and the attempt is recorded in the audit log. "
            "Recorded as a consultation of the victim and perpetrator. Who may: `marac.view_marac`."),
        responses={200: MaracReferralDetailSerializer, **_not_found("No referral with that id shared with you")},
    )
    def get(self, request, public_id):
        try:
            referral = selectors.referral_for(viewer=request.user, public_id=public_id, request=request)
        except Http404:
            return _error(status.HTTP_404_NOT_FOUND, NO_REFERRAL)
        actions = selectors.actions_visible_to(request.user).filter(referral=referral).order_by("due_on", "pk")
        return Response(MaracReferralDetailSerializer(_referral_detail(referral, request, actions)).data,
                        headers=NO_STORE)


class MaracReferralResearch(MaracApiView):
    method_permissions = {"POST": VIEW}

    @extend_schema(
        tags=[TAG], operation_id="marac_referrals_research_list", summary="The research agencies added to a case",
        description=("What each agency found about the case before its meeting, oldest first. A referral not "
                     "shared with your agency is 404 (audited). Recorded as a consultation. "
                     "Who may: `marac.view_marac`."),
        responses={200: MaracResearchListSerializer, **_not_found("No referral with that id shared with you")},
    )
    def get(self, request, public_id):
        referral, refused = self.visible_referral(request, public_id)
        if refused is not None:
            return refused
        research = selectors.referral_research(viewer=request.user, referral=referral, request=request)
        return Response(MaracResearchListSerializer({"referral": referral.public_id,
                                                     "research": [_research(r) for r in research]}).data,
                        headers=NO_STORE)

    @extend_schema(
        tags=[TAG], operation_id="marac_referrals_research_create", summary="Add your agency's research to a case",
        description=("What your agency holds about a case on a meeting's agenda, before the meeting hears it. The "
                     "police who work MARAC, or an agency invited to that meeting; once heard, 400."
                     + IDEMPOTENCY_NOTE + " Who may: `marac.view_marac`."),
        request=MaracResearchInSerializer, parameters=IDEMPOTENCY_PARAMETERS,
        responses={201: OpenApiResponse(MaracResearchOutSerializer, description="The research added"),
                   **POST_RESPONSES},
    )
    def post(self, request, public_id):
        referral, refused = self.visible_referral(request, public_id)
        if refused is not None:
            return refused
        return self.keyed_post(
            request, endpoint=f"api:marac-referral-research:{referral.public_id}",
            serializer_class=MaracResearchInSerializer,
            act=lambda data, now: services.research_add(referral=referral, by=request.user, text=data["text"],
                                                        now=now, request=request),
            find=lambda pk: MaracResearch.objects.select_related("agency", "author").filter(
                public_id=pk, referral=referral).first(),
            show=lambda r: MaracResearchOutSerializer(_research(r)).data,
            audit_replay=lambda r: _audit_read(request, "marac research", services.subjects_of(referral),
                                               object_type="marac.MaracResearch", object_id=str(r.public_id),
                                               replayed=True))


# Meetings ------------------------------------------------------------------------------------------------

class MaracMeetings(MaracApiView):
    @extend_schema(
        tags=[TAG], operation_id="marac_meetings_list", summary="List the MARAC meetings you may see",
        description=("Meetings, latest first (at most 200), with who is invited and who attended: every meeting "
                     "for police roles that work MARAC, the meetings your agency is invited to for a partner. "
                     "`area` (a MARAC area's code) filters. Who may: `marac.view_marac`."),
        parameters=[MaracMeetingListQuerySerializer],
        responses={200: MaracMeetingListSerializer,
                   400: OpenApiResponse(ErrorSerializer, description="Invalid parameters"), **ERROR_RESPONSES},
    )
    def get(self, request):
        query = MaracMeetingListQuerySerializer(data=request.query_params)
        if not query.is_valid():
            return _invalid(query.errors, NOT_LISTED)
        meetings = selectors.meetings_visible_to(request.user)
        if "area" in query.validated_data:
            meetings = meetings.filter(area__code=query.validated_data["area"])
        meetings = list(meetings.prefetch_related("attendance__agency").order_by("-held_on", "-pk")[:LIST_LIMIT])
        body = {"count": len(meetings), "meetings": [_meeting(m, request) for m in meetings]}
        return Response(MaracMeetingListSerializer(body).data, headers=NO_STORE)


def _agenda(agenda: services.MeetingAgenda, request) -> dict:
    """The agenda, cut to what the viewer may see: only the referrals shared with them and the actions
    `selectors.actions_visible_to` gives them; a case with nothing left to show is left out."""
    user = request.user
    referral_pks = {r.pk for item in agenda.items for r in item.referrals} | {r.pk for r in agenda.waiting}
    action_pks = {a.pk for item in agenda.items for a in item.actions}
    shared = set(selectors.referrals_visible_to(user).filter(pk__in=referral_pks).values_list("pk", flat=True))
    own = set(selectors.actions_visible_to(user).filter(pk__in=action_pks).values_list("pk", flat=True))
    cases = []
    for item in agenda.items:
        referrals = [r for r in item.referrals if r.pk in shared]
        actions = [a for a in item.actions if a.pk in own]
        if not referrals and not actions:
            continue
        victim = referrals[0].victim if referrals else actions[0].referral.victim
        cases.append({"victim": victim.public_id, "repeat": item.repeat,
                      "referrals": [_referral(r, request) for r in referrals],
                      "actions": [_action(a) for a in actions]})
    return {**_meeting(agenda.meeting, request), "cases": cases,
            "waiting": [_referral(r, request) for r in agenda.waiting if r.pk in shared]}


class MaracMeetingDetail(MaracApiView):
    @extend_schema(
        tags=[TAG], operation_id="marac_meetings_retrieve", summary="A MARAC meeting and its agenda",
        description=(
            "The meeting, who is invited and attended, and its agenda: the cases it hears (repeats marked) with "
            "the open actions back for review, and the referrals waiting for the next meeting. A partner agency "
            "sees only the referrals shared with it and its own actions. Recorded as a consultation of every "
            "victim on the agenda. A meeting your agency is not invited to is 404. Who may: `marac.view_marac`."),
        responses={200: MaracMeetingDetailSerializer, **_not_found("No meeting with that id that you may see")},
    )
    def get(self, request, public_id):
        meeting = selectors.meetings_visible_to(request.user).filter(public_id=public_id).first()
        if meeting is None:
            return _error(status.HTTP_404_NOT_FOUND, NO_MEETING)
        agenda = services.agenda_for(meeting=meeting, viewer=request.user, request=request)
        return Response(MaracMeetingDetailSerializer(_agenda(agenda, request)).data, headers=NO_STORE)


class MaracMeetingAttendance(MaracApiView):
    required_permission = COORDINATE

    @extend_schema(
        tags=[TAG], operation_id="marac_meetings_attendance", summary="Record a meeting held and who attended",
        description=(
            "The record of a meeting held (not in the future): its `chair` (left out, you), the agencies "
            "`present` and those that sent `apologies` (codes; the others invited were absent). The cases on "
            "its agenda become heard." + IDEMPOTENCY_NOTE + " Who may: `marac.coordinate`."),
        request=MaracAttendanceInSerializer, parameters=IDEMPOTENCY_PARAMETERS,
        responses={200: OpenApiResponse(MaracMeetingOutSerializer, description="The meeting, held"),
                   **POST_RESPONSES},
    )
    def post(self, request, public_id):
        meeting = selectors.meetings_visible_to(request.user).filter(public_id=public_id).first()
        if meeting is None:
            return _error(status.HTTP_404_NOT_FOUND, NO_MEETING)

        def act(data, now):
            errors = {}
            chair = request.user
            if data["chair"] is not None:
                chair = User.objects.filter(public_id=data["chair"]).first()
                if chair is None:
                    errors["chair"] = ["No user with this id."]
            agencies = {}
            for field in ("present", "apologies"):
                codes = set(data[field])
                found = list(Agency.objects.filter(code__in=codes))
                if len(found) != len(codes):
                    errors[field] = ["No agency with one of these codes."]
                agencies[field] = found
            if errors:
                raise ValidationError(errors)
            return services.attendance_record(meeting=meeting, by=request.user, chair=chair,
                                              present=agencies["present"], apologies=agencies["apologies"],
                                              now=now, request=request)

        return self.keyed_post(
            request, endpoint=f"api:marac-meeting-attendance:{meeting.public_id}",
            serializer_class=MaracAttendanceInSerializer, act=act, status_code=status.HTTP_200_OK,
            find=lambda pk: selectors.meetings_visible_to(request.user).filter(public_id=pk).first(),
            show=lambda m: MaracMeetingOutSerializer(_meeting(m, request)).data,
            audit_replay=lambda m: None)  # the meeting's record holds no personal data


# Actions -------------------------------------------------------------------------------------------------

def _actions(user):
    return selectors.actions_visible_to(user).select_related("referral__victim", "meeting", "agency", "owner")


class MaracActions(MaracApiView):
    method_permissions = {"POST": VIEW}

    @extend_schema(
        tags=[TAG], operation_id="marac_actions_list", summary="List the MARAC actions you may see",
        description=("Actions agreed at meetings, soonest due first (at most 200): every action for police roles "
                     "that work MARAC, your own agency's for a partner. `status` filters. Recorded in the audit "
                     "log as a consultation of each victim listed. Who may: `marac.view_marac`."),
        parameters=[MaracActionListQuerySerializer],
        responses={200: MaracActionListSerializer,
                   400: OpenApiResponse(ErrorSerializer, description="Invalid parameters"), **ERROR_RESPONSES},
    )
    def get(self, request):
        query = MaracActionListQuerySerializer(data=request.query_params)
        if not query.is_valid():
            return _invalid(query.errors, NOT_LISTED)
        actions = _actions(request.user)
        if "status" in query.validated_data:
            actions = actions.filter(status=query.validated_data["status"])
        actions = list(actions.order_by("due_on", "pk")[:LIST_LIMIT])
        _audit_read(request, "marac actions", [a.referral.victim.public_id for a in actions],
                    object_type="marac.MaracAction",
                    actions=[str(a.public_id) for a in actions])
        body = {"count": len(actions), "actions": [_action(a) for a in actions]}
        return Response(MaracActionListSerializer(body).data, headers=NO_STORE)

    @extend_schema(
        tags=[TAG], operation_id="marac_actions_create", summary="Record an action agreed at a meeting",
        description=(
            "An action agreed at `meeting` for a case on its agenda (`referral`), the responsibility of an "
            "`agency` (and, if named, its user `owner`), due on `due_on` (not before the meeting). Only the "
            "meeting's chair or the MARAC coordinator." + IDEMPOTENCY_NOTE + " Who may: `marac.view_marac`."),
        request=MaracActionInSerializer, parameters=IDEMPOTENCY_PARAMETERS,
        responses={201: OpenApiResponse(MaracActionOutSerializer, description="The action agreed"),
                   **POST_RESPONSES},
    )
    def post(self, request):
        def act(data, now):
            user, errors = request.user, {}
            meeting = selectors.meetings_visible_to(user).filter(public_id=data["meeting"]).first()
            if meeting is None:
                errors["meeting"] = ["No meeting with this id that you may see."]
            referral = selectors.referrals_visible_to(user).filter(public_id=data["referral"]).first()
            if referral is None:
                errors["referral"] = ["No referral with this id shared with you."]
            agency = Agency.objects.filter(code=data["agency"]).first()
            if agency is None:
                errors["agency"] = ["No agency with this code."]
            owner = None
            if data["owner"] is not None:
                owner = User.objects.filter(public_id=data["owner"]).first()
                if owner is None:
                    errors["owner"] = ["No user with this id."]
            if errors:
                raise ValidationError(errors)
            return services.action_agree(meeting=meeting, referral=referral, by=user,
                                         description=data["description"], agency=agency, due_on=data["due_on"],
                                         owner=owner, now=now, request=request)

        return self.keyed_post(
            request, endpoint="api:marac-actions", serializer_class=MaracActionInSerializer, act=act,
            find=lambda pk: _actions(request.user).filter(public_id=pk).first()
            or MaracAction.objects.filter(public_id=pk, agreed_by=request.user)
            .select_related("referral__victim", "meeting", "agency", "owner").first(),
            show=lambda a: MaracActionOutSerializer(_action(a)).data,
            audit_replay=lambda a: _audit_read(request, "marac action", services.subjects_of(a.referral),
                                               object_type="marac.MaracAction", object_id=str(a.public_id),
                                               replayed=True))


class _MaracActionClose(MaracApiView):
    """Close an action the caller may see: done, or cancelled because circumstances changed."""

    cancelled = False
    endpoint = ""

    def close(self, request, public_id):
        action = _actions(request.user).filter(public_id=public_id).first()
        if action is None:
            return _error(status.HTTP_404_NOT_FOUND, NO_ACTION)
        return self.keyed_post(
            request, endpoint=f"{self.endpoint}:{action.public_id}", serializer_class=MaracActionCloseInSerializer,
            act=lambda data, now: services.action_complete(action=action, by=request.user, on=data["on"],
                                                           cancelled=self.cancelled, outcome=data["outcome"],
                                                           now=now, request=request),
            status_code=status.HTTP_200_OK,
            find=lambda pk: _actions(request.user).filter(public_id=pk).first(),
            show=lambda a: MaracActionOutSerializer(_action(a)).data,
            audit_replay=lambda a: _audit_read(request, "marac action", services.subjects_of(a.referral),
                                               object_type="marac.MaracAction", object_id=str(a.public_id),
                                               replayed=True))


class MaracActionComplete(_MaracActionClose):
    endpoint = "api:marac-action-complete"

    @extend_schema(
        tags=[TAG], operation_id="marac_actions_complete", summary="Mark a MARAC action done",
        description=("Marks an open action done on `on` (left out, today), with what was done. Only the "
                     "responsible agency or the MARAC coordinator; an action already closed is 400."
                     + IDEMPOTENCY_NOTE + " Who may: `marac.view_marac`."),
        request=MaracActionCloseInSerializer, parameters=IDEMPOTENCY_PARAMETERS,
        responses={200: OpenApiResponse(MaracActionOutSerializer, description="The action, done"),
                   **POST_RESPONSES},
    )
    def post(self, request, public_id):
        return self.close(request, public_id)


class MaracActionCancel(_MaracActionClose):
    cancelled = True
    endpoint = "api:marac-action-cancel"

    @extend_schema(
        tags=[TAG], operation_id="marac_actions_cancel", summary="Cancel a MARAC action",
        description=("Cancels an open action because circumstances changed (not because it was not done), with "
                     "the reason as `outcome` (at least 10 characters). Only the responsible agency or the MARAC "
                     "coordinator; an action already closed is 400." + IDEMPOTENCY_NOTE
                     + " Who may: `marac.view_marac`."),
        request=MaracActionCloseInSerializer, parameters=IDEMPOTENCY_PARAMETERS,
        responses={200: OpenApiResponse(MaracActionOutSerializer, description="The action, cancelled"),
                   **POST_RESPONSES},
    )
    def post(self, request, public_id):
        return self.close(request, public_id)
