"""At the scene, on the officer's phone: positive action, safety measures and advice; evidence (body-worn
video references, photographs with their digests and custody log); the children's notifications."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from vigil.accounts.access import requires
from vigil.formtools import error_messages

from . import routing, scene, scene_services
from .models import ChildNotification, CustodyEvent, Evidence, RiskAssessment


def _assessment(public_id) -> RiskAssessment:
    return get_object_or_404(RiskAssessment.objects.select_related("incident", "victim"), public_id=public_id)


CHECKLISTS = (
    ("safety_measures", "Immediate safety measures", "Tick each one taken.", scene.SAFETY_MEASURES),
    ("advice_and_support", "Advice and support offered", "Tick each one offered to the victim.", scene.ADVICE),
    ("other_factors", "Other risk factors", "Tick any that apply. So-called honour-based abuse, forced marriage "
     "and FGM send the assessment to the specialist unit.", routing.OTHER_FACTORS),
)


def _scene_editable(assessment: RiskAssessment, user) -> bool:
    return assessment.status == RiskAssessment.Status.IN_PROGRESS and \
        (assessment.officer_id is None or assessment.officer_id == user.pk)


@requires("risk.assess")
@require_http_methods(["GET", "POST"])
def scene(request, public_id):
    assessment = _assessment(public_id)
    editable = _scene_editable(assessment, request.user)
    values = {
        "positive_action": assessment.positive_action,
        "no_arrest_reason": assessment.no_arrest_reason,
        "safety_measures": assessment.safety_measures or [],
        "advice_and_support": assessment.advice_and_support or [],
        "other_factors": assessment.other_factors or [],
    }
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {
            "positive_action": request.POST.get("positive_action", ""),
            "no_arrest_reason": request.POST.get("no_arrest_reason", ""),
            "safety_measures": request.POST.getlist("safety_measures"),
            "advice_and_support": request.POST.getlist("advice_and_support"),
            "other_factors": request.POST.getlist("other_factors"),
        }
        try:
            scene_services.scene_record(assessment=assessment, by=request.user, request=request, **values)
        except ValidationError as error:
            errors = error_messages(error)
        else:
            messages.success(request, "What was done at the scene is saved.")
            return redirect("risk:evidence-add", public_id=assessment.public_id)
    return render(request, "risk/scene.html", {
        "assessment": assessment, "editable": editable, "values": values, "errors": errors,
        "positive_actions": RiskAssessment.PositiveAction.choices,
        "not_arrested": RiskAssessment.PositiveAction.NOT_ARRESTED,
        "groups": [
            {"name": name, "legend": legend, "hint": hint, "options": list(options.items()),
             "chosen": values[name], "error": errors.get(name, "")}
            for name, legend, hint, options in CHECKLISTS
        ],
    }, status=400 if errors else 200)


@requires("risk.assess")
@require_http_methods(["GET", "POST"])
def evidence_add(request, public_id):
    assessment = _assessment(public_id)
    errors: dict[str, str] = {}
    values = {"kind": "", "reference": "", "description": ""}
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        values = {"kind": kind, "reference": request.POST.get("reference", ""),
                  "description": request.POST.get("description", "")}
        try:
            evidence = scene_services.evidence_add(
                assessment=assessment, by=request.user, kind=kind, reference=values["reference"],
                upload=request.FILES.get("photo") if kind == Evidence.Kind.PHOTOGRAPH else None,
                description=values["description"], request=request)
        except ValidationError as error:
            prefix = "photo" if kind == Evidence.Kind.PHOTOGRAPH else "bwv"
            errors = {f"{prefix}-{field or 'kind'}": message for field, message in error_messages(error).items()}
        else:
            messages.success(request, f"{evidence.get_kind_display()} recorded"
                                      + (f": SHA-256 {evidence.sha256[:12]}…" if evidence.sha256 else "."))
            return redirect("risk:evidence-add", public_id=assessment.public_id)
    items = assessment.evidence.select_related("uploaded_by").order_by("-uploaded_at", "-id")
    return render(request, "risk/evidence.html", {
        "assessment": assessment, "items": items, "errors": errors, "values": values,
        "max_mb": scene_services.MAX_PHOTO_BYTES // (1024 * 1024),
        "accept": ",".join(scene_services.PHOTO_TYPES),
    }, status=400 if errors else 200)


def _evidence(public_id) -> Evidence:
    return get_object_or_404(Evidence.objects.select_related("assessment__incident", "assessment__victim",
                                                             "uploaded_by"), public_id=public_id)


def _evidence_page(request, evidence, *, error: str = "", status: int = 200):
    custody = evidence.custody.select_related("by").order_by("at", "id")
    return render(request, "risk/evidence_detail.html", {
        "evidence": evidence, "assessment": evidence.assessment, "custody": custody, "error": error,
    }, status=status)


@requires("risk.view_assessment")
@require_http_methods(["GET", "POST"])
def evidence_detail(request, public_id):
    """An item's details and chain of custody. POST checks the stored file's digest (custody: verified)."""
    evidence = _evidence(public_id)
    if request.method == "POST":
        try:
            scene_services.evidence_open(evidence=evidence, by=request.user, action=CustodyEvent.Action.VERIFIED,
                                         request=request)
        except scene_services.EvidenceIntegrityError as problem:
            return _evidence_page(request, evidence, error=str(problem), status=409)
        except ValidationError as error:
            return _evidence_page(request, evidence, error=" ".join(error.messages), status=400)
        messages.success(request, "The stored file matches the digest recorded when it was uploaded.")
        return redirect("risk:evidence", public_id=evidence.public_id)
    scene_services.looked_at(obj=evidence, assessment=evidence.assessment, by=request.user, view="evidence_detail",
                             request=request)
    return _evidence_page(request, evidence)


@requires("risk.view_assessment")
def evidence_file(request, public_id):
    """The photograph, as a download, only after its digest has been checked (custody: downloaded)."""
    evidence = _evidence(public_id)
    try:
        scene_services.evidence_open(evidence=evidence, by=request.user, action=CustodyEvent.Action.DOWNLOADED,
                                     request=request)
    except scene_services.EvidenceIntegrityError as problem:
        return _evidence_page(request, evidence, error=str(problem), status=409)
    except ValidationError as error:
        return _evidence_page(request, evidence, error=" ".join(error.messages), status=404)
    extension = scene_services.PHOTO_TYPES.get(evidence.content_type, "bin")
    response = FileResponse(evidence.file.open("rb"), as_attachment=True,
                            filename=f"evidence-{evidence.public_id}.{extension}",
                            content_type=evidence.content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    response["X-SHA256"] = evidence.sha256
    return response


def _children_page(request, assessment, *, errors=None, failed=None, values=None, status=200):
    notifications = list(assessment.child_notifications.select_related("child", "sent_by").order_by("due_at", "id"))
    now = timezone.now()
    return render(request, "risk/children.html", {
        "assessment": assessment, "now": now, "errors": errors or {}, "failed": failed, "values": values or {},
        "rows": [(n, n.sent_at is None and n.due_at < now) for n in notifications],
        "may_act": request.user.has_perm("risk.assess"),
        "encompass": ChildNotification.Kind.ENCOMPASS,
    }, status=status)


@requires("risk.view_assessment")
@require_http_methods(["GET", "POST"])
def child_notifications(request, public_id):
    """The children's notifications and their deadlines. POST (an assessor) opens any the incident's
    children now call for."""
    assessment = _assessment(public_id)
    if request.method == "POST":
        if not request.user.has_perm("risk.assess"):
            raise PermissionDenied
        created = scene_services.child_notifications_create(assessment=assessment)
        messages.success(request, f"{len(created)} new notification{'s' if len(created) != 1 else ''} opened."
                         if created else "No new notification is needed.")
        return redirect("risk:children", public_id=assessment.public_id)
    scene_services.looked_at(obj=assessment, assessment=assessment, by=request.user, view="child_notifications",
                             request=request)
    return _children_page(request, assessment)


@requires("risk.assess")
@require_POST
def child_notification_sent(request, public_id):
    notification = get_object_or_404(ChildNotification.objects.select_related("assessment__incident",
                                                                              "assessment__victim", "child"),
                                     public_id=public_id)
    values = {"recipient": request.POST.get("recipient", ""), "detail": request.POST.get("detail", "")}
    try:
        scene_services.child_notification_mark_sent(notification=notification, by=request.user, request=request,
                                                    **values)
    except ValidationError as error:
        return _children_page(request, notification.assessment, errors=error_messages(error), failed=notification,
                              values=values, status=400)
    messages.success(request, f"{notification.get_kind_display()} recorded as sent.")
    return redirect("risk:children", public_id=notification.assessment.public_id)
