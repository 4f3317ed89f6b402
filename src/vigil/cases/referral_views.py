"""Referrals: send one from a case; acknowledge one (force users for any referral, a partner agency's
users only for referrals sent to their agency: anything else is 404 to them, as if it did not exist)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from vigil.accounts.access import requires
from vigil.accounts.models import Agency
from vigil.formtools import error_messages

from . import referral_services, selectors
from .models import Referral
from .order_views import error_list


@requires("cases.work_on_case")
@require_http_methods(["GET", "POST"])
def referral_send(request, public_id):
    case = selectors.case_for_viewer(viewer=request.user, public_id=public_id, request=request)
    agencies = Agency.objects.exclude(kind=Agency.Kind.FORCE).order_by("name")
    values = {"kind": "", "agency": "", "recipient": "", "consent": "", "override_reason": "", "detail": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in values}
        agency = agencies.filter(code=values["agency"]).first() if values["agency"] else None
        if values["agency"] and agency is None:
            errors["agency"] = "Choose an agency from the list"
        else:
            try:
                referral = referral_services.referral_send(
                    case=case, by=request.user, kind=values["kind"], agency=agency, recipient=values["recipient"],
                    consent=values["consent"], override_reason=values["override_reason"], detail=values["detail"],
                    request=request)
            except ValidationError as error:
                errors = error_messages(error)
            else:
                messages.success(request, f"Referral to {referral.recipient} recorded; acknowledgement due by "
                                          f"{timezone.localtime(referral.acknowledge_by):%A %d %B %Y %H:%M}.")
                return redirect("cases:case", public_id=case.public_id)
    return render(request, "cases/referral_send.html", {
        "case": case, "values": values, "errors": errors, "error_list": error_list(errors, "kind"),
        "kinds": Referral.Kind.choices, "consents": Referral.Consent.choices, "agencies": agencies,
    }, status=400 if errors else 200)


@requires("cases.acknowledge_referral")
@require_GET
def referrals_received(request):
    """A partner agency's referrals, waiting ones first (for force users: all waiting referrals)."""
    referrals = selectors.referrals_for(request.user).filter(acknowledged_at__isnull=True).order_by("acknowledge_by", "pk")
    return render(request, "cases/referral_list.html", {"referrals": referrals, "now": timezone.now()})


@requires("cases.acknowledge_referral")
@require_http_methods(["GET", "POST"])
def referral_acknowledge(request, public_id):
    referral = selectors.referrals_for(request.user).filter(public_id=public_id).first()
    if referral is None:
        raise Http404("No such referral")
    values, errors = {"acknowledged_by": ""}, {}
    if request.method == "POST":
        values = {"acknowledged_by": request.POST.get("acknowledged_by", "")}
        try:
            referral_services.referral_acknowledge(referral=referral, by=request.user,
                                                   acknowledged_by=values["acknowledged_by"], request=request)
        except ValidationError as error:
            errors = error_messages(error)
        else:
            messages.success(request, "Acknowledgement recorded.")
            if request.user.has_perm("cases.view_case"):
                return redirect("cases:case", public_id=referral.case.public_id)
            return redirect("cases:referrals-received")
    return render(request, "cases/referral_acknowledge.html", {
        "referral": referral, "values": values, "errors": errors,
        "error_list": error_list(errors, "acknowledged_by"),
    }, status=400 if errors else 200)
