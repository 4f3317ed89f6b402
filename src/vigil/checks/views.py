"""The call taker's screen (intake, history, guidance), the attending officer's brief and the check queues."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from vigil.accounts.access import requires
from vigil.evaluation import advisory
from vigil.formtools import apply_errors
from vigil.incidents import services as intake
from vigil.incidents.forms import AddressLookupForm, IntakeForm, IntakePersonForm
from vigil.incidents.models import Incident, Involvement
from vigil.linkage import selectors as linkage_selectors
from vigil.people.selectors import AddressOption, address_text
from vigil.people.selectors import address_lookup as addresses_at

from . import selectors, services
from .check_policy import PERFORMER_ROLE
from .models import BackgroundCheck, GuidanceTopic

HISTORY_FIELDS = {"caller_phone", "address"}


def _own_call(request, public_id) -> Incident:
    """A call this user is recording (or any call, for a control-room supervisor)."""
    incident = get_object_or_404(Incident, public_id=public_id)
    if incident.recorded_by_id != request.user.pk and request.user.role != "control_room_supervisor":
        raise Http404  # not found, rather than confirming another user's call exists
    return incident


def _advised(history, incident: Incident):
    """The advisory history signal for the latest graded assessment of each victim on this call, beside the
    history. Only when a version of the signal is active (one query says whether one is): the history's
    own SQL is untouched."""
    victims = [person for person in history.people if "victim" in person.roles_now]
    found = advisory.latest_advisories([person.person_id for person in victims], exclude_incident_id=incident.pk)
    for person in victims:
        person.advisory = found.get(person.person_id)
    return history


def _guidance():
    topics = GuidanceTopic.objects.prefetch_related("revisions")
    return [(topic, topic.revisions.all()[0]) for topic in topics if topic.revisions.all()]


@requires("incidents.record_call")
def calls(request):
    mine = (Incident.objects.filter(recorded_by=request.user).exclude(status=Incident.Status.CLOSED)
            .order_by("-received_at")[:50])
    return render(request, "checks/calls.html", {"calls": mine})


@requires("incidents.record_call")
@require_POST
def call_start(request):
    channel = request.POST.get("channel", Incident.Channel.EMERGENCY)
    if channel not in Incident.Channel.values:
        channel = Incident.Channel.EMERGENCY
    incident = intake.incident_start(by=request.user, channel=channel, request=request)
    return redirect("control:call-intake", public_id=incident.public_id)


def _intake_page(request, incident, form, person_form=None, address_options=None, status=200):
    people = list(incident.involvements.select_related("person_record__person").order_by("id"))
    matches = linkage_selectors.arrival_matches(records=[i.person_record for i in people], viewer=request.user,
                                                request=request)
    for involvement in people:
        involvement.arrival = matches.get(involvement.person_record_id)
    chosen = str(incident.address.public_id) if incident.address_id else ""
    if address_options is None and incident.address_id:
        address_options = [AddressOption(chosen, address_text(incident.address, viewer=request.user), 0)]
    history = _advised(selectors.history_for_incident(incident=incident, viewer=request.user, request=request),
                       incident)
    return render(request, "checks/intake.html", {
        "incident": incident, "form": form, "person_form": person_form or IntakePersonForm(prefix="person"),
        "people": people, "guidance": _guidance(), "address_options": address_options, "chosen": chosen,
        "history": history,
    }, status=status)


@requires("incidents.record_call")
def call_intake(request, public_id):
    """The intake page. With JavaScript every change is saved as it is made (call-autosave); without it,
    the buttons post the whole form here, and nothing valid is lost when something else is wrong."""
    incident = _own_call(request, public_id)
    if request.method != "POST":
        return _intake_page(request, incident, IntakeForm(initial=IntakeForm.initial_for(incident)))
    form = IntakeForm(request.POST)
    form.is_valid()
    action = request.POST.get("action", "save")
    address_options = None
    try:
        intake.intake_save(incident=incident, by=request.user, changes=form.changes(), request=request)
    except ValidationError as error:
        apply_errors(form, error)
    incident.refresh_from_db()
    if action == "find-address" and "postcode" in form.cleaned_data and form.cleaned_data["postcode"]:
        address_options = addresses_at(viewer=request.user, postcode=form.cleaned_data["postcode"],
                                       house=form.cleaned_data.get("house", ""), request=request)
    elif action == "submit" and not form.errors:
        try:
            intake.intake_submit(incident=incident, by=request.user, request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Call {incident.reference} recorded and open for dispatch")
            return redirect("control:officer-brief", public_id=incident.public_id)
    if not form.errors and action == "save":
        messages.success(request, "Saved")
        return redirect("control:call-intake", public_id=incident.public_id)
    return _intake_page(request, incident, form, address_options=address_options,
                        status=400 if form.errors else 200)


@requires("incidents.record_call")
@require_POST
def call_autosave(request, public_id):
    """Save whatever has been entered (the page calls this on every pause and choice, and when it is
    closed). Answers which fields were saved and which need correcting."""
    incident = _own_call(request, public_id)
    form = IntakeForm(request.POST)
    form.is_valid()
    errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
    changed: list[str] = []
    try:
        changed = intake.intake_save(incident=incident, by=request.user, changes=form.changes(), request=request)
    except ValidationError as error:
        errors.update(error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages})
    saved_at = timezone.localtime()
    return JsonResponse({
        "saved": sorted(changed), "saved_at": saved_at.strftime("%H:%M:%S"), "errors": errors,
        "history_changed": bool(HISTORY_FIELDS & set(changed)),
    }, status=200 if not errors else 400)


@requires("incidents.record_call")
@require_POST
def call_person_add(request, public_id):
    incident = _own_call(request, public_id)
    remove = request.POST.get("remove")
    if remove:
        involvement = get_object_or_404(Involvement, pk=remove, incident=incident) if remove.isdigit() else None
        if involvement is None:
            raise Http404
        try:
            intake.intake_person_remove(involvement=involvement, by=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("control:call-intake", public_id=incident.public_id)
    person_form = IntakePersonForm(request.POST, prefix="person")
    if person_form.is_valid():
        data = person_form.cleaned_data
        try:
            intake.intake_person_add(incident=incident, by=request.user, role=data["role"],
                                     given_name=data["given_name"], family_name=data["family_name"],
                                     date_of_birth=data["date_of_birth"], phone=data["phone"], request=request)
        except ValidationError as error:
            apply_errors(person_form, error)
        else:
            return redirect(reverse("control:call-intake", kwargs={"public_id": incident.public_id}) + "#people")
    return _intake_page(request, incident, IntakeForm(initial=IntakeForm.initial_for(incident)),
                        person_form=person_form, status=400)


@requires("checks.view_history")
def call_history_panel(request, public_id):
    """The history beside the intake form (fetched again whenever the number, address or people change)."""
    incident = get_object_or_404(Incident, public_id=public_id)
    history = _advised(selectors.history_for_incident(incident=incident, viewer=request.user, request=request),
                       incident)
    return render(request, "checks/_history.html", {"history": history, "incident": incident})


@requires("incidents.record_call")
def address_lookup(request):
    """Addresses at a postcode and house, as choices for the intake form."""
    form = AddressLookupForm(request.GET)
    options = None
    if form.is_valid():
        options = addresses_at(viewer=request.user, postcode=form.cleaned_data["postcode"],
                               house=form.cleaned_data["house"], request=request)
    return render(request, "checks/_address_options.html", {"form": form, "address_options": options},
                  status=200 if form.is_valid() else 400)


def _brief_allowed(user, incident: Incident) -> bool:
    if user.role != "response_officer":
        return True
    # Response officers: any incident still open (they may be sent at any moment), and those they attended.
    return incident.status != Incident.Status.CLOSED or incident.attending_officer_id == user.pk


@requires("checks.view_officer_brief")
def officer_brief(request, public_id):
    """What the attending officer is sent: the incident, its history, the check results and markers."""
    incident = get_object_or_404(Incident.objects.select_related("address", "caller_phone", "area", "recorded_by"),
                                 public_id=public_id)
    if not _brief_allowed(request.user, incident):
        raise Http404
    history = _advised(selectors.history_for_incident(incident=incident, viewer=request.user, request=request),
                       incident)
    checks = incident.checks.select_related("assigned_to", "done_by").order_by("due_at")
    people = incident.involvements.select_related("person_record").order_by("role", "id")
    return render(request, "checks/officer_brief.html", {
        "incident": incident, "history": history, "checks": checks, "people": people, "now": timezone.now(),
    })


@requires("checks.work_checks")
def check_queue(request):
    """Background checks still to do for this user's role (all of them for a control-room supervisor)."""
    open_checks = BackgroundCheck.objects.filter(status=BackgroundCheck.Status.OPEN).select_related(
        "incident", "assigned_to").order_by("due_at")
    if request.user.role != "control_room_supervisor":
        performer = {v: k for k, v in PERFORMER_ROLE.items()}.get(request.user.role)
        open_checks = open_checks.filter(performed_by=performer)
    return render(request, "checks/check_queue.html", {"checks": open_checks[:200], "now": timezone.now()})


@requires("checks.work_checks")
def check_work(request, public_id):
    check = get_object_or_404(BackgroundCheck.objects.select_related("incident"), public_id=public_id)
    if not services.may_work(check, request.user):
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "take":
                services.check_take(check=check, by=request.user, request=request)
                messages.success(request, "The check is yours")
            else:
                services.check_complete(check=check, by=request.user, result=request.POST.get("result", ""),
                                        request=request)
                messages.success(request, f"Check recorded for {check.incident.reference}")
                return redirect("control:checks")
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except PermissionDenied:
            raise Http404 from None
        else:
            return redirect("control:check-work", public_id=check.public_id)
    return render(request, "checks/check_work.html", {"check": check, "error": error,
                                                      "result": request.POST.get("result", "")},
                  status=400 if error else 200)
