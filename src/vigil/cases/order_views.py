"""Orders on a case: record one, end or revoke it, vary it, record a breach. Thin views: parse the form,
call one service, render; a ValidationError re-renders the form with everything entered (status 400)."""

from datetime import date, datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from vigil.accounts.access import requires
from vigil.formtools import error_messages
from vigil.incidents.models import Incident
from vigil.workdays import LONDON

from . import order_services, selectors
from .models import ProtectiveOrder

NOTICE_KINDS = [k.value for k in order_services.NOTICES]


# --- small form helpers, shared with the referral and disclosure views ------------------------------------

def error_list(errors: dict[str, str], first: str) -> list[tuple[str, str]]:
    """(anchor, message) pairs for the GOV.UK error summary."""
    return [(field or first, message) for field, message in errors.items()]


def date_values(post, name: str) -> dict[str, str]:
    return {part: post.get(f"{name}-{part}", "").strip() for part in ("day", "month", "year", "time")}


def parse_date(values: dict[str, str], name: str, label: str, *, required: bool = True) -> date | None:
    if not any(values.get(p) for p in ("day", "month", "year")):
        if required:
            raise ValidationError({name: f"Enter {label}"})
        return None
    try:
        return date(int(values["year"]), int(values["month"]), int(values["day"]))
    except (TypeError, ValueError):
        raise ValidationError({name: f"{label[0].upper()}{label[1:]} must be a real date"}) from None


def parse_datetime(values: dict[str, str], name: str, label: str, *, required: bool = True) -> datetime | None:
    """A London date and a 24-hour time (HH:MM) as an aware datetime."""
    day = parse_date(values, name, label, required=required)
    if day is None:
        return None
    try:
        hours, minutes = (int(x) for x in (values.get("time") or "").split(":"))
        return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=LONDON)
    except ValueError:
        raise ValidationError({name: f"Enter the time of {label} as hours and minutes, like 14:30"}) from None


def _gather(fn, errors: dict[str, str]):
    try:
        return fn()
    except ValidationError as error:
        errors.update(error_messages(error))
        return None


# --- recording an order ---------------------------------------------------------------------------------

def _people(case):
    """The people on the case's incident, for choosing who an order restricts and protects."""
    return [(inv.person_record, inv.get_role_display())
            for inv in case.incident.involvements.select_related("person_record").order_by("role", "pk")]


def _blank_order_values():
    return {"kind": "", "restricted_person": "", "protected": [], "conditions": "", "follows": "",
            "authorised_rank": "", "authorised_by": "", "starts_at": {}, "ends_on": {}, "served_at": {}}


@requires("cases.work_on_case")
@require_http_methods(["GET", "POST"])
def order_record(request, public_id):
    case = selectors.case_for_viewer(viewer=request.user, public_id=public_id, request=request)
    people = _people(case)
    by_id = {str(record.public_id): record for record, _ in people}
    notices = case.orders.filter(kind__in=NOTICE_KINDS, status=ProtectiveOrder.Status.IN_FORCE)
    values, errors = _blank_order_values(), {}
    values["protected"] = [str(case.victim.public_id)]
    if request.method == "POST":
        post = request.POST
        values = {"kind": post.get("kind", ""), "restricted_person": post.get("restricted_person", ""),
                  "protected": post.getlist("protected"), "conditions": post.get("conditions", ""),
                  "follows": post.get("follows", ""), "authorised_rank": post.get("authorised_rank", ""),
                  "authorised_by": post.get("authorised_by", ""), "starts_at": date_values(post, "starts_at"),
                  "ends_on": date_values(post, "ends_on"), "served_at": date_values(post, "served_at")}
        starts_at = _gather(lambda: parse_datetime(values["starts_at"], "starts_at", "when the order starts"), errors)
        ends_on = _gather(lambda: parse_date(values["ends_on"], "ends_on", "the end date", required=False), errors)
        served_at = _gather(lambda: parse_datetime(values["served_at"], "served_at", "service", required=False),
                            errors)
        restricted = by_id.get(values["restricted_person"])
        if restricted is None:
            errors["restricted_person"] = "Choose the person the order restricts"
        follows = notices.filter(public_id=values["follows"]).first() if values["follows"] else None
        if not errors:
            try:
                order = order_services.order_record(
                    case=case, by=request.user, kind=values["kind"], restricted_person=restricted,
                    protected_persons=[by_id[p] for p in values["protected"] if p in by_id] or None,
                    conditions=values["conditions"], starts_at=starts_at, ends_on=ends_on, served_at=served_at,
                    authorised_rank=values["authorised_rank"], authorised_by=values["authorised_by"], follows=follows,
                    request=request)
            except ValidationError as error:
                errors = error_messages(error)
            else:
                messages.success(request, f"{order.get_kind_display()} recorded; warning markers placed.")
                return redirect("cases:case", public_id=case.public_id)
    return render(request, "cases/order_record.html", {
        "case": case, "values": values, "errors": errors, "error_list": error_list(errors, "kind"),
        "kinds": ProtectiveOrder.Kind.choices, "people": people, "notices": notices, "ranks": order_services.RANKS,
        "notice_kinds": NOTICE_KINDS,
    }, status=400 if errors else 200)


def _order(request, public_id) -> ProtectiveOrder:
    order = get_object_or_404(ProtectiveOrder.objects.select_related("case"), public_id=public_id)
    selectors.case_for_viewer(viewer=request.user, public_id=order.case.public_id, request=request)
    return order


@requires("cases.work_on_case")
@require_http_methods(["GET", "POST"])
def order_end(request, public_id):
    """End or revoke an order, with the reason."""
    order = _order(request, public_id)
    values, errors = {"outcome": "", "reason": ""}, {}
    if request.method == "POST":
        values = {"outcome": request.POST.get("outcome", ""), "reason": request.POST.get("reason", "")}
        service = {"ended": order_services.order_end, "revoked": order_services.order_revoke}.get(values["outcome"])
        if service is None:
            errors["outcome"] = "Choose whether the order ended or was revoked"
        else:
            try:
                service(order=order, by=request.user, reason=values["reason"], request=request)
            except ValidationError as error:
                errors = error_messages(error)
            else:
                messages.success(request, f"{order.get_kind_display()} {values['outcome']}; its markers end today.")
                return redirect("cases:case", public_id=order.case.public_id)
    return render(request, "cases/order_end.html", {
        "order": order, "case": order.case, "values": values, "errors": errors,
        "error_list": error_list(errors, "outcome"),
    }, status=400 if errors else 200)


@requires("cases.work_on_case")
@require_http_methods(["GET", "POST"])
def order_vary(request, public_id):
    order = _order(request, public_id)
    ends = order.ends_on
    values = {"conditions": "\n".join(order.conditions or []), "reason": "",
              "ends_on": {"day": str(ends.day), "month": str(ends.month), "year": str(ends.year)} if ends else {}}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {"conditions": request.POST.get("conditions", ""), "reason": request.POST.get("reason", ""),
                  "ends_on": date_values(request.POST, "ends_on")}
        ends_on = _gather(lambda: parse_date(values["ends_on"], "ends_on", "the end date", required=False), errors)
        if not errors:
            try:
                order_services.order_vary(order=order, by=request.user, conditions=values["conditions"],
                                          ends_on=ends_on, reason=values["reason"], request=request)
            except ValidationError as error:
                errors = error_messages(error)
            else:
                messages.success(request, f"{order.get_kind_display()} varied; tell the victim.")
                return redirect("cases:case", public_id=order.case.public_id)
    return render(request, "cases/order_vary.html", {
        "order": order, "case": order.case, "values": values, "errors": errors,
        "error_list": error_list(errors, "conditions"),
    }, status=400 if errors else 200)


@requires("cases.work_on_case")
@require_http_methods(["GET", "POST"])
def breach_record(request, public_id):
    order = _order(request, public_id)
    values, errors = {"incident": "", "description": ""}, {}
    if request.method == "POST":
        values = {"incident": request.POST.get("incident", "").strip(),
                  "description": request.POST.get("description", "")}
        incident = Incident.objects.filter(reference__iexact=values["incident"]).first() if values["incident"] else None
        if incident is None:
            errors["incident"] = "Enter the reference of the incident that reported the breach" if not values[
                "incident"] else "There is no incident with that reference"
        else:
            try:
                order_services.breach_record(order=order, incident=incident, by=request.user,
                                             description=values["description"], request=request)
            except ValidationError as error:
                errors = error_messages(error)
            else:
                messages.success(request, "Breach recorded: tell the victim and review the risk.")
                return redirect("cases:case", public_id=order.case.public_id)
    return render(request, "cases/order_breach.html", {
        "order": order, "case": order.case, "values": values, "errors": errors,
        "error_list": error_list(errors, "incident"),
    }, status=400 if errors else 200)
