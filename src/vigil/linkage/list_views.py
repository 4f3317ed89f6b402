"""Repeat victims, the repeat-case queue, serial perpetrators and counter-allegations: the lists, their plans
and the primary-victim decision.

Thin views: parse the filter or the form, call one selector or service, render. Every view names its
permission (`linkage/rules.py`); the selectors scope the lists to the viewer's areas (403 for another
area, 404 for one that does not exist) and audit each read. A service's ValidationError re-renders the
form with the GOV.UK error summary (status 400).
"""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from vigil.accounts.access import requires
from vigil.accounts.models import Team, User
from vigil.cases.services import display
from vigil.formtools import apply_errors, form_error_list
from vigil.incidents.models import Area
from vigil.people.models import Person

from . import list_selectors as selectors
from . import list_services as services
from .list_policy import list_policy
from .models import RepeatVictimPlan

DATE_HINT = "For example, 2026-12-24"


# --- the area filter -------------------------------------------------------------------------------------

def _area_chosen(request) -> tuple[Area | None, bool]:
    """The area asked for (?area=code), or the viewer's default: every area for those who may see all, the
    first of their teams' areas for a neighbourhood officer. 404 for an area that does not exist; the
    selector refuses one outside the viewer's scope. The flag says whether the viewer has any area."""
    code = (request.GET.get("area") or "").strip()
    if code:
        area = Area.objects.filter(code=code).first()
        if area is None:
            raise Http404("No such area")
        return area, True
    if selectors.viewer_areas(request.user) is None:
        return None, True
    areas = selectors.areas_for(request.user)
    return (areas[0], True) if areas else (None, False)


def _no_area_page(request, *, title: str):
    return render(request, "linkage/no_area.html", {"title": title})


# --- repeat victims --------------------------------------------------------------------------------------

@requires("linkage.view_repeat_victims")
@require_GET
def repeat_victims(request):
    area, has_area = _area_chosen(request)
    if not has_area:
        return _no_area_page(request, title="Repeat victims")
    listing = selectors.repeat_victims(viewer=request.user, area=area, now=selectors.lists_now(),
                                       page=request.GET.get("page", 1), request=request)
    return render(request, "linkage/repeat_victims.html", {
        "listing": listing, "all_areas": selectors.viewer_areas(request.user) is None,
        "may_plan": request.user.has_perm("linkage.plan_repeat_victim")})


@requires("linkage.view_repeat_queue")
@require_GET
def repeat_queue(request):
    listing = selectors.repeat_queue(viewer=request.user, now=selectors.lists_now(), page=request.GET.get("page", 1),
                                     request=request)
    return render(request, "linkage/repeat_queue.html", {
        "listing": listing, "may_plan": request.user.has_perm("linkage.plan_repeat_victim")})


class PlanForm(forms.Form):
    owner = forms.ChoiceField(label="Who owns the plan?", required=False,
                              help_text="The named person accountable for the plan and its review.")
    review_due = forms.DateField(label="Review date", required=False, input_formats=["%Y-%m-%d"],
                                 help_text=f"Today or later, within a year. {DATE_HINT}",
                                 error_messages={"invalid": "Enter the review date as a real date in the form "
                                                            "YYYY-MM-DD, for example 2026-12-24"})
    plan = forms.CharField(label="What is being done", required=False, widget=forms.Textarea, max_length=4000,
                           help_text="The actions, who else is involved, and what will be checked at the review. "
                                     f"At least {services.PLAN_MIN_LENGTH} characters.")

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(u.public_id): u for u in candidates}
        self.fields["owner"].choices = [("", "Choose a person")] + [
            (key, f"{display(u)}, {u.role_name.lower()}") for key, u in self.candidates.items()]

    def clean_owner(self) -> User | None:
        key = self.cleaned_data["owner"]
        return self.candidates.get(key) if key else None


def _plan_page(request, *, form, row, title: str, kind: str, back: str, current, status: int = 200):
    now = selectors.lists_now()
    return render(request, "linkage/plan_form.html", {
        "form": form, "row": row, "title": title, "kind": kind, "back": back, "current": current,
        "error_list": form_error_list(form) if form.errors else [], "today": timezone.localdate(now),
        "policy": list_policy(now)}, status=status)


def _initial(plan, row, viewer) -> dict:
    if plan is not None:
        return {"owner": str(plan.owner.public_id), "review_due": plan.review_due, "plan": plan.plan}
    return {"owner": str(viewer.public_id) if services.may_own_plan(viewer) else "", "review_due": row.review_by}


@requires("linkage.plan_repeat_victim")
@require_http_methods(["GET", "POST"])
def repeat_plan(request, public_id):
    row = selectors.repeat_victim_for_plan(viewer=request.user, public_id=public_id, now=selectors.lists_now(),
                                           request=request)
    kind = Team.Kind.REPEAT_CASE if row.tier == RepeatVictimPlan.Tier.REPEAT_TEAM else Team.Kind.NEIGHBOURHOOD
    candidates = selectors.plan_owner_candidates(
        team_kind=kind, area_id=row.area_id, roles=services.PLAN_OWNER_ROLES,
        include=[request.user, row.plan.owner if row.plan else None])
    form = PlanForm(request.POST if request.method == "POST" else None, candidates=candidates,
                    initial=_initial(row.plan, row, request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.repeat_plan_set(person=Person.objects.get(pk=row.person_id), by=request.user,
                                     owner=form.cleaned_data["owner"], review_due=form.cleaned_data["review_due"],
                                     plan=form.cleaned_data["plan"], request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Plan saved: the owner and review date are on the repeat-victim list")
            return redirect("linkage:repeat-queue" if row.team_queue and request.user.has_perm(
                "linkage.view_repeat_queue") else "linkage:repeat-victims")
    return _plan_page(request, form=form, row=row, title="Repeat victim's plan", kind="repeat",
                      back="linkage:repeat-victims", current=row.plan, status=400 if form.errors else 200)


# --- serial perpetrators ---------------------------------------------------------------------------------

@requires("linkage.view_serial_perpetrators")
@require_GET
def serial_perpetrators(request):
    area, has_area = _area_chosen(request)
    if not has_area:
        return _no_area_page(request, title="Serial perpetrators")
    listing = selectors.serial_perpetrators(viewer=request.user, area=area, now=selectors.lists_now(),
                                            page=request.GET.get("page", 1), request=request)
    return render(request, "linkage/serial_perpetrators.html", {
        "listing": listing, "all_areas": selectors.viewer_areas(request.user) is None,
        "may_plan": request.user.has_perm("linkage.plan_perpetrator")})


@requires("linkage.plan_perpetrator")
@require_http_methods(["GET", "POST"])
def perpetrator_plan(request, public_id):
    now = selectors.lists_now()
    row = selectors.perpetrator_for_plan(viewer=request.user, public_id=public_id, now=now, request=request)
    candidates = selectors.plan_owner_candidates(
        team_kind=Team.Kind.NEIGHBOURHOOD, area_id=row.area_id, roles=services.PLAN_OWNER_ROLES,
        include=[request.user, row.plan.owner if row.plan else None])
    review_by = timezone.localdate(now) + timedelta(days=list_policy(now).plan_review_days)
    initial = ({"owner": str(row.plan.owner.public_id), "review_due": row.plan.review_due, "plan": row.plan.plan}
               if row.plan else {"owner": str(request.user.public_id) if services.may_own_plan(request.user) else "",
                                 "review_due": review_by})
    form = PlanForm(request.POST if request.method == "POST" else None, candidates=candidates, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.perpetrator_plan_set(person=Person.objects.get(pk=row.person_id), by=request.user,
                                          owner=form.cleaned_data["owner"],
                                          review_due=form.cleaned_data["review_due"],
                                          plan=form.cleaned_data["plan"], request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Plan saved: the owner and review date are on the serial-perpetrator list")
            return redirect("linkage:serial-perpetrators")
    return _plan_page(request, form=form, row=row, title="Serial perpetrator's plan", kind="perpetrator",
                      back="linkage:serial-perpetrators", current=row.plan, status=400 if form.errors else 200)


# --- counter-allegations ---------------------------------------------------------------------------------

@requires("linkage.review_counter_allegations")
@require_GET
def counter_allegations(request):
    rows = selectors.counter_allegations_pending(viewer=request.user, now=selectors.lists_now(), request=request)
    return render(request, "linkage/counter_allegations.html", {"rows": rows})


class DecisionForm(forms.Form):
    primary_victim = forms.ChoiceField(label="Who is the primary victim?", required=False,
                                       widget=forms.RadioSelect)
    reason = forms.CharField(label="Why?", required=False, widget=forms.Textarea, max_length=2000,
                             help_text="What you weighed: the incidents, injuries, the history and what the people "
                                       f"involved said. At least {services.REASON_MIN_LENGTH} characters.")

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(p.public_id): p for p in people}
        self.fields["primary_victim"].choices = [(key, p.name) for key, p in self.people.items()]

    def clean_primary_victim(self):
        key = self.cleaned_data["primary_victim"]
        return self.people.get(key) if key else None


@requires("linkage.review_counter_allegations")
@require_http_methods(["GET", "POST"])
def counter_allegation_decide(request, first, second):
    row = selectors.counter_allegation_for_review(viewer=request.user, first=first, second=second,
                                                  now=selectors.lists_now(), request=request)
    form = DecisionForm(request.POST if request.method == "POST" else None, people=[row.first, row.second])
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["primary_victim"]
        persons = Person.objects.in_bulk([row.first.person_id, row.second.person_id])
        try:
            services.counter_allegation_decide(
                first=persons[row.first.person_id], second=persons[row.second.person_id],
                primary_victim=persons.get(chosen.person_id) if chosen else None,
                reason=form.cleaned_data["reason"], by=request.user, request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Decision recorded: {chosen.name} is the primary victim")
            return redirect("linkage:counter-allegations")
    return render(request, "linkage/counter_allegation_decide.html", {
        "row": row, "form": form, "error_list": form_error_list(form) if form.errors else []},
        status=400 if form.errors else 200)
