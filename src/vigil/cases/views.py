"""Cases, ownership and handovers; "My work".

Thin views: parse the form, call one service, render. A service's PermissionDenied is a 403; its
ValidationError re-renders the page with the GOV.UK error summary and everything entered (status 400).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vigil.accounts.access import requires
from vigil.accounts.models import Team, User
from vigil.formtools import apply_errors, form_error_list
from vigil.marac import selectors as marac_selectors

from . import selectors, services
from .models import Handover, SafeguardingCase, Task

REASON_HINT = f"At least {services.REASON_MIN_LENGTH} characters."


# --- My work ---------------------------------------------------------------------------------------------

@requires("cases.view_my_work")
@require_GET
def my_work(request):
    work = selectors.my_work(viewer=request.user, now=timezone.now(), request=request)
    return render(request, "cases/my_work.html", {"work": work})


# --- The case page ---------------------------------------------------------------------------------------

class AcceptForm(forms.Form):
    owner = forms.ChoiceField(label="Who will own the case?", required=False)

    def __init__(self, *args, members=(), default: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [(str(u.public_id), services.display(u)) for u in members]
        self.fields["owner"].initial = default
        self.fields["owner"].help_text = "As a manager of the receiving team you may name the member who will own it."


class TaskDoneForm(forms.Form):
    outcome = forms.CharField(label="What was done (optional)", required=False, max_length=500)


def _case_page(request, case: SafeguardingCase, *, accept_form=None, task_forms=None, form_errors=(),
               status: int = 200):
    overview = selectors.case_overview(case=case, viewer=request.user)
    if accept_form is None and overview.may_name_owner:
        pending = overview.pending
        default = pending.to_user or (request.user if pending.to_team.members.filter(pk=request.user.pk).exists()
                                      else None)
        accept_form = AcceptForm(members=overview.receiving_members,
                                 default=str(default.public_id) if default else "")
    error_list = list(form_errors)
    task_forms = task_forms or {}
    now = timezone.now()
    task_rows = [{"task": task, "may_do": may_do, "overdue": task.due_at < now,
                  "form": task_forms.get(task.pk) or TaskDoneForm(prefix=f"task-{task.public_id}")}
                 for task, may_do in overview.open_tasks]
    return render(request, "cases/case_detail.html", {
        "case": case, "overview": overview, "victim_restricted": selectors.victim_locked(request, case),
        "accept_form": accept_form, "task_rows": task_rows, "error_list": error_list,
        "reference": selectors.case_reference(case),
        "custody": selectors.custody_section(case=case, user=request.user),
        "contact": selectors.contact_section(case=case, user=request.user),
        "marac_prompt": marac_selectors.referral_prompt(victim=case.victim.person, grade=case.risk_level)
        if case.is_open and request.user.has_perm("marac.refer") else None,
    }, status=status)


@requires("cases.view_case")
@require_GET
def case_detail(request, public_id):
    case = selectors.case_for_viewer(viewer=request.user, public_id=public_id, request=request)
    return _case_page(request, case)


def _handover(public_id) -> Handover:
    return get_object_or_404(Handover.objects.select_related("case", "to_team", "to_user", "from_user"),
                             public_id=public_id)


def _user(public_id: str) -> User | None:
    try:
        return User.objects.filter(public_id=public_id).first() if public_id else None
    except ValidationError:
        return None


@requires("cases.work_on_case")
@require_POST
def handover_accept(request, public_id):
    handover = _handover(public_id)
    case = handover.case
    form = AcceptForm(request.POST, members=handover.to_team.members.filter(is_active=True))
    if form.is_valid():
        owner = _user(form.cleaned_data["owner"])
        try:
            case = services.handover_accept(handover=handover, by=request.user, owner=owner, request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Handover accepted: {services.display(case.owner)} now owns the case")
            return redirect("cases:case", public_id=case.public_id)
    case = selectors.case_for_viewer(viewer=request.user, public_id=case.public_id, request=request)
    named = "owner" in request.POST
    anchor = form["owner"].auto_id if named else "ownership"
    errors = [(anchor, m) for e in form.errors.values() for m in e]
    return _case_page(request, case, accept_form=form if named else None, form_errors=errors, status=400)


@requires("cases.work_on_case")
@require_http_methods(["GET", "POST"])
def handover_reject(request, public_id):
    handover = _handover(public_id)
    form = ReasonForm(request.POST if request.method == "POST" else None,
                      label="Why are you rejecting the handover?",
                      hint="The sender reads this and decides who should own the case. " + REASON_HINT)
    if request.method == "POST" and form.is_valid():
        try:
            services.handover_reject(handover=handover, by=request.user, reason=form.cleaned_data["reason"],
                                     request=request)
        except ValidationError as error:
            apply_errors(form, error, {"rejection_reason": "reason"})
        else:
            messages.success(request, f"Handover rejected: {services.display(handover.case.owner)} still owns "
                                      "the case and has been told why")
            return redirect("cases:case", public_id=handover.case.public_id)
    elif request.method == "GET" and not services.may_decide(handover, request.user):
        raise PermissionDenied
    return _reason_page(request, form, case=handover.case, handover=handover, title="Reject the handover",
                        button="Reject the handover", template="cases/handover_reject.html")


@requires("cases.work_on_case")
@require_POST
def handover_withdraw(request, public_id):
    handover = _handover(public_id)
    try:
        services.handover_withdraw(handover=handover, by=request.user, request=request)
    except ValidationError as error:
        case = selectors.case_for_viewer(viewer=request.user, public_id=handover.case.public_id, request=request)
        return _case_page(request, case, form_errors=[("ownership", m) for m in error.messages], status=400)
    messages.success(request, "Handover withdrawn: you still own the case")
    return redirect("cases:case", public_id=handover.case.public_id)


@requires("cases.view_my_work")
@require_POST
def task_done(request, public_id):
    task = get_object_or_404(Task.objects.select_related("case"), public_id=public_id)
    form = TaskDoneForm(request.POST, prefix=f"task-{task.public_id}")
    if form.is_valid():
        try:
            services.task_complete(task=task, by=request.user, outcome=form.cleaned_data["outcome"],
                                   request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Marked done: {task.title}")
            if task.case_id and request.POST.get("next") != "my-work":
                return redirect("cases:case", public_id=task.case.public_id)
            return redirect("cases:my-work")
    if task.case_id is None:
        messages.error(request, " ".join(m for e in form.errors.values() for m in e))
        return redirect("cases:my-work")
    case = selectors.case_for_viewer(viewer=request.user, public_id=task.case.public_id, request=request)
    errors = [(form["outcome"].auto_id, m) for e in form.errors.values() for m in e]
    return _case_page(request, case, task_forms={task.pk: form}, form_errors=errors, status=400)


# --- Forms with a reason: propose, reject, take back, close ------------------------------------------------

class ReasonForm(forms.Form):
    reason = forms.CharField(required=False, widget=forms.Textarea, max_length=500)

    def __init__(self, *args, label: str, hint: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].help_text = hint


class HandoverForm(forms.Form):
    to_team = forms.ChoiceField(label="Which team should own the case?", required=False, widget=forms.RadioSelect)
    to_user = forms.ChoiceField(label="Offer it to a named member of that team (optional)", required=False,
                                help_text="Leave as the team's queue for anyone in the team to accept.")
    reason = forms.CharField(label="Why are you handing the case over?", required=False, widget=forms.Textarea,
                             max_length=500, help_text="The receiver reads this. " + REASON_HINT)

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = list(teams)
        self.fields["to_team"].choices = [(t.code, f"{t.name} ({t.get_kind_display()})") for t in self.teams]
        self.fields["to_user"].choices = [("", "Nobody: the team's queue")] + [
            (t.name, [(str(u.public_id), services.display(u)) for u in t.members.all() if u.is_active])
            for t in self.teams]

    def clean_to_team(self):
        code = self.cleaned_data["to_team"]
        if not code:
            raise forms.ValidationError("Choose the team that should own the case")
        return next(t for t in self.teams if t.code == code)


def _reason_page(request, form, *, case, title: str, button: str, handover=None, template="cases/reason_form.html",
                 extra=None):
    errors = form_error_list(form) if form.errors else []
    return render(request, template, {
        "case": case, "form": form, "title": title, "button": button, "handover": handover,
        "error_list": errors, "reference": selectors.case_reference(case),
        "victim_restricted": selectors.victim_locked(request, case), **(extra or {}),
    }, status=400 if errors else 200)


@requires("cases.work_on_case")
@require_http_methods(["GET", "POST"])
def handover_propose(request, public_id):
    case = selectors.case_for_viewer(viewer=request.user, public_id=public_id, request=request)
    form = HandoverForm(request.POST if request.method == "POST" else None, teams=selectors.handover_teams())
    if request.method == "POST" and form.is_valid():
        to_team: Team = form.cleaned_data["to_team"]
        try:
            handover = services.handover_propose(case=case, by=request.user, to_team=to_team,
                                                 to_user=_user(form.cleaned_data["to_user"]),
                                                 reason=form.cleaned_data["reason"], request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            to = services.display(handover.to_user) if handover.to_user else f"the {to_team.name} queue"
            messages.success(request, f"Handover offered to {to}. You stay the owner until it is accepted")
            return redirect("cases:case", public_id=case.public_id)
    return _reason_page(request, form, case=case, title="Hand the case over", button="Offer the handover",
                        template="cases/handover_propose.html")


@requires("cases.take_back")
@require_http_methods(["GET", "POST"])
def take_back(request, public_id):
    case = selectors.case_for_viewer(viewer=request.user, public_id=public_id, request=request)
    form = ReasonForm(request.POST if request.method == "POST" else None,
                      label="Why are you taking the case back?",
                      hint="You will own the case at once; any waiting handover is withdrawn. " + REASON_HINT)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_take_back(case=case, by=request.user, reason=form.cleaned_data["reason"], request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "You have taken the case back and now own it")
            return redirect("cases:case", public_id=case.public_id)
    elif request.method == "GET" and not services.take_back_teams(case, request.user):
        raise PermissionDenied
    return _reason_page(request, form, case=case, title="Take the case back", button="Take the case back",
                        template="cases/take_back.html")


@requires("cases.work_on_case")
@require_http_methods(["GET", "POST"])
def case_close(request, public_id):
    case = selectors.case_for_viewer(viewer=request.user, public_id=public_id, request=request)
    form = ReasonForm(request.POST if request.method == "POST" else None,
                      label="Why are you closing the case?",
                      hint="Open tasks on the case are cancelled and any waiting handover withdrawn. " + REASON_HINT)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_close(case=case, by=request.user, reason=form.cleaned_data["reason"], request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Case closed")
            return redirect("cases:case", public_id=case.public_id)
    return _reason_page(request, form, case=case, title="Close the case", button="Close the case",
                        template="cases/case_close.html")
