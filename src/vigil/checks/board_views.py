"""The control-room supervisors' live board: the page, the rows it polls for, and acknowledgement."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from vigil.accounts.access import requires
from vigil.audit.services import audit_record
from vigil.incidents.models import Incident

from .board import board_acknowledge as acknowledge
from .board import board_refresh_stale, needing_acknowledgement
from .board import board_rows as rows_for

POLL_SECONDS = 10


def _context(request, *, oob: bool) -> dict:
    now = timezone.now()
    board_refresh_stale(now=now)
    rows = rows_for(viewer=request.user, now=now)
    return {"rows": rows, "need_acknowledgement": needing_acknowledgement(rows), "now": now, "oob": oob,
            "poll_seconds": POLL_SECONDS}


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@requires("checks.view_board")
@require_GET
def board(request):
    context = _context(request, oob=False)
    audit_record(action="consultation", request=request, object_type="checks.Board",
                 detail={"incidents": len(context["rows"]), "need_acknowledgement": context["need_acknowledgement"]})
    return render(request, "checks/board.html", context)


@requires("checks.view_board")
@require_GET
def board_rows(request):
    """The rows alone, for the page to poll; the count above the table is updated out of band."""
    return render(request, "checks/_board_rows.html", _context(request, oob=True))


# The permission is checked before the method, so a GET from someone not allowed is refused (403) and
# only an allowed supervisor learns that the address answers POST alone (405).
@requires("checks.acknowledge_board")
@require_POST
def board_acknowledge(request, public_id):
    incident = get_object_or_404(Incident, public_id=public_id)
    codes = request.POST.getlist("codes")
    error = ""
    try:
        acknowledge(incident=incident, by=request.user, note=request.POST.get("note", ""),
                    codes=codes or None, request=request)
    except ValidationError as problem:
        error = " ".join(problem.messages)
    if _is_htmx(request):
        context = _context(request, oob=True)
        context["error"] = error and f"{incident.reference}: {error}"
        return render(request, "checks/_board_rows.html", context)
    if error:
        messages.error(request, f"{incident.reference}: {error}")
    else:
        messages.success(request, f"{incident.reference} acknowledged")
    return redirect("control:board")
