"""Clare's Law: the open requests with the days left to decide them, receiving a request, moving it
through its stages, and the decision."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vigil.accounts.access import requires
from vigil.audit.services import audit_record
from vigil.formtools import error_messages

from . import disclosure_services
from .models import DisclosureRequest, SafeguardingCase
from .order_views import date_values, error_list, parse_date


@requires("cases.handle_disclosure")
@require_GET
def disclosure_list(request):
    rows = [{"dr": dr, "days": days, "overdue_by": -days if days < 0 else 0}
            for dr, days in disclosure_services.open_requests(now=timezone.now())]
    return render(request, "cases/disclosure_list.html", {"rows": rows})


@requires("cases.handle_disclosure")
@require_http_methods(["GET", "POST"])
def disclosure_receive(request):
    values = {"route": "", "third_party": "", "immediate_risk": "", "case": "",
              "victim_given_name": "", "victim_family_name": "", "victim_dob": {},
              "subject_given_name": "", "subject_family_name": "", "subject_dob": {}}
    errors: dict[str, str] = {}
    if request.method == "POST":
        post = request.POST
        values = {name: post.get(name, "").strip() for name in values}
        values["victim_dob"] = date_values(post, "victim_dob")
        values["subject_dob"] = date_values(post, "subject_dob")
        dobs = {}
        for name in ("victim_dob", "subject_dob"):
            try:
                dobs[name] = parse_date(values[name], name, "the date of birth", required=False)
            except ValidationError as error:
                errors.update(error_messages(error))
        case = None
        if values["case"]:
            case = SafeguardingCase.objects.filter(incident__reference__iexact=values["case"]).first()
            if case is None:
                errors["case"] = "There is no case for that incident reference"
        if not errors:
            try:
                dr = disclosure_services.disclosure_request_receive(
                    by=request.user, route=values["route"], applicant_is_third_party=values["third_party"] == "yes",
                    victim_given_name=values["victim_given_name"], victim_family_name=values["victim_family_name"],
                    victim_date_of_birth=dobs.get("victim_dob"), subject_given_name=values["subject_given_name"],
                    subject_family_name=values["subject_family_name"], subject_date_of_birth=dobs.get("subject_dob"),
                    immediate_risk=values["immediate_risk"] == "yes", case=case, request=request)
            except ValidationError as error:
                errors = error_messages(error)
            else:
                messages.success(request, f"Request {dr.reference} recorded; decide by "
                                          f"{timezone.localtime(dr.decide_by):%d %B %Y}.")
                return redirect("cases:disclosure", public_id=dr.public_id)
    return render(request, "cases/disclosure_receive.html", {
        "values": values, "errors": errors, "error_list": error_list(errors, "route"),
        "routes": DisclosureRequest.Route.choices,
    }, status=400 if errors else 200)


def _request(public_id) -> DisclosureRequest:
    return get_object_or_404(DisclosureRequest.objects.select_related("potential_victim", "subject", "case__incident",
                                                                      "handled_by"), public_id=public_id)


def _page(request, dr, *, values=None, errors=None, status=200):
    errors = errors or {}
    return render(request, "cases/disclosure_detail.html", {
        "dr": dr, "values": values or {}, "errors": errors, "error_list": error_list(errors, "decision"),
        "stages": DisclosureRequest.Stage.choices, "next_stage": dr.stage + 1 if dr.stage + 1 < 5 else None,
        "decisions": DisclosureRequest.Decision.choices,
    }, status=status)


@requires("cases.handle_disclosure")
@require_GET
def disclosure_detail(request, public_id):
    dr = _request(public_id)
    audit_record(action="consultation", actor=request.user, obj=dr, request=request,
                 subject_person_id=dr.potential_victim.person.public_id if dr.potential_victim.person_id else None,
                 detail={"view": "disclosure request"})
    return _page(request, dr)


@requires("cases.handle_disclosure")
@require_POST
def disclosure_stage(request, public_id):
    dr = _request(public_id)
    try:
        to_stage = int(request.POST.get("to_stage", ""))
    except ValueError:
        to_stage = 0
    try:
        disclosure_services.disclosure_stage_advance(disclosure=dr, by=request.user, to_stage=to_stage,
                                                     note=request.POST.get("note", ""), request=request)
    except ValidationError as error:
        return _page(request, dr, errors={"to_stage": " ".join(error_messages(error).values())},
                     values={"note": request.POST.get("note", "")}, status=400)
    messages.success(request, "Stage recorded.")
    return redirect("cases:disclosure", public_id=dr.public_id)


@requires("cases.handle_disclosure")
@require_POST
def disclosure_decide(request, public_id):
    dr = _request(public_id)
    values = {name: request.POST.get(name, "") for name in ("decision", "disclosed_to", "safety_plan", "reason")}
    try:
        disclosure_services.disclosure_decide(disclosure=dr, by=request.user, request=request, **values)
    except ValidationError as error:
        return _page(request, dr, values=values, errors=error_messages(error), status=400)
    messages.success(request, "Decision recorded.")
    return redirect("cases:disclosure", public_id=dr.public_id)
