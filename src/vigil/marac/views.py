"""The MARAC pages: referrals (list, refer a case, one referral with its research and pointers to what
other agencies hold), meetings (list, agenda, the chair's record, a printable pack) and actions.

Thin views: parse the form, call one selector or service, render. Every view names its permission
(`marac/rules.py`); the selectors scope what a partner sees (a referral or meeting not shared is 404,
the attempt audited). A service's ValidationError re-renders the page with the GOV.UK error summary and
everything typed (status 400); its PermissionDenied is a 403.
"""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vigil.accounts.access import requires
from vigil.accounts.models import Agency
from vigil.formtools import apply_errors, form_error_list, is_uuid
from vigil.linkage.list_selectors import persons_shown
from vigil.pdf import pdf_response

from . import actions as action_rules
from . import figures as figure_rules
from . import selectors, services
from .forms import (
    CRITERIA,
    CRITERION_LABELS,
    ActionCloseForm,
    ActionForm,
    AttendanceForm,
    DiscussionForm,
    FiguresForm,
    InformationAnswerForm,
    InformationRequestForm,
    NewVictimReferralForm,
    ReferralForm,
    ResearchForm,
)
from .models import MaracAction, MaracArea, MaracInformationRequest, MaracReferral


def _today():
    return timezone.localdate()


def _criteria_words(referral) -> list[str]:
    return [CRITERION_LABELS.get(code, code) for code in referral.criteria]


# --- referrals -------------------------------------------------------------------------------------------

@requires("marac.view_marac")
@require_GET
def referral_list(request):
    listing = selectors.referrals_page(viewer=request.user, page=request.GET.get("page", 1), request=request)
    rows = [{"referral": r, "shown": r.shown, "criteria": _criteria_words(r)} for r in listing.object_list]
    return render(request, "marac/referral_list.html", {
        "listing": listing, "rows": rows, "may_refer": request.user.has_perm("marac.refer")})


@requires("marac.refer")
@require_http_methods(["GET", "POST"])
def referral_new(request):
    key = (request.GET.get("person") or "").strip()
    if not key:
        return render(request, "marac/referral_start.html", {})
    if not is_uuid(key):
        raise Http404("No such person")
    victim = selectors.referral_victim_for(viewer=request.user, public_id=key, request=request)
    areas = list(MaracArea.objects.order_by("name"))
    default_area = selectors.area_for_victim(victim) or (areas[0] if len(areas) == 1 else None)
    assessments = selectors.referral_assessments(victim)
    perpetrators = selectors.perpetrator_choices(viewer=request.user, victim=victim, request=request)
    initial = {"received_on": _today(), "area": default_area.code if default_area else "",
               "risk_assessment": str(assessments[0].public_id) if assessments else ""}
    form = ReferralForm(request.POST if request.method == "POST" else None, areas=areas, assessments=assessments,
                        perpetrators=perpetrators, victim=victim, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_create(
                area=data["area"], victim=victim, perpetrator=data["perpetrator"], by=request.user,
                received_on=data["received_on"], criteria=data["criteria"], victim_aware=data["victim_aware"],
                victim_consents=data["victim_consents"], reason_without_consent=data["reason_without_consent"],
                judgement_reason=data["judgement_reason"], risk_assessment=data["risk_assessment"],
                other_agency_incidents=data["other_agency_incidents"], children=data["children"],
                idva_referral_made=data["idva_referral_made"], victim_lgbt=data["victim_lgbt"],
                victim_disability=data["victim_disability"], request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _referral_made(request, referral)
    return render(request, "marac/referral_new.html", {
        "form": form, "victim": victim, "shown": selectors.person_shown(victim), "criteria_hints": CRITERIA,
        "error_list": form_error_list(form) if form.errors else []}, status=400 if form.errors else 200)


@requires("marac.refer")
@require_http_methods(["GET", "POST"])
def referral_new_victim(request):
    """Refer a victim by name: for a partner agency that heard of the abuse first, or anyone referring a
    victim Vigil holds nothing on. Linkage later matches the new records to anyone already known."""
    areas = list(MaracArea.objects.order_by("name"))
    initial = {"received_on": _today(), "area": areas[0].code if len(areas) == 1 else ""}
    form = NewVictimReferralForm(request.POST if request.method == "POST" else None, areas=areas, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_create_for_new_victim(
                victim_given_name=data["victim_given_name"], victim_family_name=data["victim_family_name"],
                victim_date_of_birth=data["victim_date_of_birth"],
                perpetrator_given_name=data["perpetrator_given_name"],
                perpetrator_family_name=data["perpetrator_family_name"],
                perpetrator_date_of_birth=data["perpetrator_date_of_birth"], by=request.user,
                area=data["area"], received_on=data["received_on"], criteria=data["criteria"],
                victim_aware=data["victim_aware"], victim_consents=data["victim_consents"],
                reason_without_consent=data["reason_without_consent"], judgement_reason=data["judgement_reason"],
                other_agency_incidents=data["other_agency_incidents"], children=data["children"],
                idva_referral_made=data["idva_referral_made"], victim_lgbt=data["victim_lgbt"],
                victim_disability=data["victim_disability"], request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _referral_made(request, referral)
    return render(request, "marac/referral_new.html", {
        "form": form, "new_victim": True, "criteria_hints": CRITERIA,
        "error_list": form_error_list(form) if form.errors else []}, status=400 if form.errors else 200)


def _referral_made(request, referral: MaracReferral):
    where = (f"on the agenda of the meeting on {referral.meeting.held_on:%-d %B %Y}" if referral.meeting
             else "waiting for the next meeting to be planned")
    messages.success(request, f"Referral made{' (a repeat MARAC case)' if referral.is_repeat else ''}: {where}")
    return redirect("marac:referral", public_id=referral.public_id)


def _referral_page(request, referral: MaracReferral, *, research_form=None, ask_forms=None, ask_errors=(),
                   status: int = 200):
    user = request.user
    holders = selectors.holders_of_information(person=referral.victim, viewer_agency=user.agency, viewer=user,
                                               request=request) if user.agency_id else []
    asked = list(MaracInformationRequest.objects.filter(person=referral.victim, requesting_agency_id=user.agency_id)
                 .select_related("holding_agency", "answered_by"))
    people = [referral.victim_id] + ([referral.perpetrator_id] if referral.perpetrator_id else [])
    asked_of_us = list(MaracInformationRequest.objects.filter(
        person_id__in=people, holding_agency_id=user.agency_id, status=MaracInformationRequest.Status.PENDING)
        .select_related("requesting_agency")) if user.agency_id else []
    ask_forms = ask_forms or {}
    holder_rows = [{"holder": h, "form": ask_forms.get(h.agency_code)
                    or InformationRequestForm(prefix=f"ask-{h.agency_code}"),
                    "pending": any(a.holding_agency.code == h.agency_code and a.status == "pending" for a in asked)}
                   for h in holders]
    may_research = selectors.may_add_research(user, referral)
    if research_form is None and may_research:
        research_form = ResearchForm()
    error_list = list(ask_errors)
    if research_form is not None and research_form.errors:
        error_list += form_error_list(research_form)
    today = _today()
    actions = [{"action": a, "overdue": action_rules.days_overdue(services.action_in(a), today),
                "may_close": selectors.may_close_action(user, a)}
               for a in referral.actions.select_related("agency", "owner", "meeting", "referral__victim")]
    return render(request, "marac/referral_detail.html", {
        "referral": referral, "shown": selectors.person_shown(referral.victim), "criteria": _criteria_words(referral),
        "perpetrator_shown": selectors.person_shown(referral.perpetrator) if referral.perpetrator_id else None,
        "asked_of_us": asked_of_us,
        "research": list(referral.research.select_related("agency", "author")),
        "may_research": may_research, "research_form": research_form, "holders": holder_rows, "asked": asked,
        "actions": actions, "error_list": error_list, "may_refer": user.has_perm("marac.refer"),
    }, status=status)


@requires("marac.view_marac")
@require_GET
def referral_detail(request, public_id):
    referral = selectors.referral_for(viewer=request.user, public_id=public_id, request=request)
    return _referral_page(request, referral)


@requires("marac.view_marac")
@require_POST
def research_add(request, public_id):
    referral = selectors.referral_for(viewer=request.user, public_id=public_id, request=request)
    form = ResearchForm(request.POST)
    if form.is_valid():
        try:
            services.research_add(referral=referral, by=request.user, text=form.cleaned_data["text"],
                                  request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Research added: the meeting will see it in the research pack")
            return redirect("marac:referral", public_id=referral.public_id)
    return _referral_page(request, referral, research_form=form, status=400)


@requires("marac.view_marac")
@require_POST
def information_request(request, public_id, agency):
    referral = selectors.referral_for(viewer=request.user, public_id=public_id, request=request)
    holding = Agency.objects.filter(code=agency).first()
    if holding is None:
        raise Http404("No such agency")
    form = InformationRequestForm(request.POST, prefix=f"ask-{holding.code}")
    if form.is_valid():
        try:
            services.information_request_create(person=referral.victim, holding_agency=holding, by=request.user,
                                                reason=form.cleaned_data["reason"], referral=referral,
                                                request=request)
        except ValidationError as error:
            apply_errors(form, error, {"holding_agency": "reason"})
        else:
            messages.success(request, f"Request sent: {holding.name} will answer or say why not")
            return redirect("marac:referral", public_id=referral.public_id)
    return _referral_page(request, referral, ask_forms={holding.code: form},
                          ask_errors=form_error_list(form), status=400)


@requires("marac.view_marac")
@require_GET
def information_requests(request):
    """The requests for information addressed to the viewer's agency: those waiting, and those answered or
    declined in the last 30 days."""
    requests_to = selectors.information_requests_to(viewer=request.user, request=request)
    return render(request, "marac/information_requests.html", {
        **requests_to, "recent_days": selectors.RECENTLY_ANSWERED_DAYS})


@requires("marac.view_marac")
@require_http_methods(["GET", "POST"])
def information_request_answer(request, public_id):
    """One request addressed to the viewer's agency: read it, with the research the agency holds, and share
    the information or decline, saying why. Anyone else gets 404 (audited)."""
    asked = selectors.information_request_for(viewer=request.user, public_id=public_id, request=request)
    form = InformationAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.information_request_answer(info_request=asked, by=request.user, answer=data["answer"],
                                                decline=data["how"] == "decline", request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Answer sent: {asked.requesting_agency.name} sees it on the referral"
                             if data["how"] == "share" else
                             f"Request declined: {asked.requesting_agency.name} sees your reason on the referral")
            return redirect("marac:information-requests")
    return render(request, "marac/information_request_answer.html", {
        "asked": asked, "form": form, "shown": selectors.person_shown(asked.person),
        "research": selectors.research_held_by(agency=request.user.agency, person=asked.person),
        "may_answer": selectors.may_answer_information_request(request.user, asked),
        "error_list": form_error_list(form) if form.errors else []}, status=400 if form.errors else 200)


# --- meetings --------------------------------------------------------------------------------------------

@requires("marac.view_marac")
@require_GET
def meeting_list(request):
    meetings = selectors.meetings_visible_to(request.user).order_by("area__name", "-held_on", "-id")
    listing = Paginator(meetings, selectors.LIST_PAGE_SIZE).get_page(request.GET.get("page", 1))
    return render(request, "marac/meeting_list.html", {"listing": listing, "today": _today()})


def _agenda_rows(meeting, agenda, *, discussion_forms=None):
    """Each case on the agenda with the victim's name, its running number, and the actions agreed here."""
    discussion_forms = discussion_forms or {}
    victims = {}
    for item in agenda.items:
        victims[item.case.victim_key] = item.referrals[0].victim if item.referrals else item.actions[0].referral.victim
    perpetrator_ids = [r.perpetrator_id for item in agenda.items for r in item.referrals if r.perpetrator_id]
    shown = persons_shown([v.pk for v in victims.values()] + perpetrator_ids)
    agreed: dict[int, list] = {}
    for action in meeting.actions.select_related("agency", "owner", "referral__victim"):
        agreed.setdefault(action.referral.victim_id, []).append(action)
    today = _today()
    rows = []
    for number, item in enumerate(agenda.items, start=1):
        victim = victims[item.case.victim_key]
        latest = item.referrals[-1] if item.referrals else None
        rows.append({
            "number": number, "label": f"case {number}", "item": item, "victim": victim,
            "shown": shown.get(victim.pk), "latest": latest,
            "perpetrator": shown.get(latest.perpetrator_id) if latest and latest.perpetrator_id else None,
            "criteria": sorted({c for r in item.referrals for c in _criteria_words(r)}),
            "returning": [{"action": a, "overdue": action_rules.days_overdue(services.action_in(a), today)}
                          for a in item.actions],
            "agreed": agreed.get(victim.pk, []),
            "discussion_form": (discussion_forms.get(str(latest.public_id))
                                or DiscussionForm(prefix=f"case-{latest.public_id}",
                                                  initial={"discussion": latest.discussion})) if latest else None,
            "action_referral": latest or (item.actions[0].referral if item.actions else None),
        })
    return rows


def _meeting_page(request, meeting, *, attendance_form=None, discussion_forms=None, action_form=None,
                  error_list=(), status: int = 200):
    user = request.user
    agenda = services.agenda_for(meeting=meeting, viewer=user, request=request)
    rows = _agenda_rows(meeting, agenda, discussion_forms=discussion_forms)
    attendance = list(meeting.attendance.select_related("agency", "representative"))
    may_run = selectors.may_run_meeting(user, meeting)
    if may_run:
        if attendance_form is None:
            attendance_form = AttendanceForm(chairs=selectors.chair_candidates(meeting), attendance=attendance,
                                             initial={"chair": str(meeting.chair.public_id) if meeting.chair
                                                      else str(user.public_id)})
        if action_form is None:
            action_form = _action_form(meeting, rows, attendance)
    waiting_shown = persons_shown(r.victim_id for r in agenda.waiting)
    return render(request, "marac/meeting_detail.html", {
        "meeting": meeting, "agenda": agenda, "rows": rows, "attendance": attendance, "may_run": may_run,
        "attendance_form": attendance_form, "action_form": action_form, "error_list": list(error_list),
        "waiting": [{"referral": r, "shown": waiting_shown.get(r.victim_id)} for r in agenda.waiting],
        "held": meeting.held_on <= _today(),
    }, status=status)


def _action_form(meeting, rows, attendance, data=None):
    cases = [(row["action_referral"], f"Case {row['number']}: {row['shown'].name if row['shown'] else 'unknown'}")
             for row in rows if row["action_referral"] is not None]
    agencies = sorted({a.agency for a in attendance} | set(Agency.objects.filter(kind=Agency.Kind.FORCE)),
                      key=lambda a: a.name)
    return ActionForm(data, prefix="action", cases=cases, agencies=agencies,
                      owners=selectors.action_owner_candidates(agencies))


@requires("marac.view_marac")
@require_GET
def meeting_detail(request, public_id):
    meeting = selectors.meeting_for(viewer=request.user, public_id=public_id, request=request)
    return _meeting_page(request, meeting)


@requires("marac.view_marac")
@require_POST
def attendance_record(request, public_id):
    meeting = selectors.meeting_for(viewer=request.user, public_id=public_id, request=request)
    attendance = list(meeting.attendance.select_related("agency"))
    form = AttendanceForm(request.POST, chairs=selectors.chair_candidates(meeting), attendance=attendance)
    if form.is_valid():
        try:
            services.attendance_record(meeting=meeting, by=request.user, chair=form.cleaned_data["chair"],
                                       present=form.agencies_with("present"),
                                       apologies=form.agencies_with("apologies"), request=request)
        except ValidationError as error:
            apply_errors(form, error, {"meeting": "chair", "apologies": "chair"})
        else:
            messages.success(request, "Meeting recorded as held: attendance saved and its cases marked heard")
            return redirect("marac:meeting", public_id=meeting.public_id)
    return _meeting_page(request, meeting, attendance_form=form, error_list=form_error_list(form), status=400)


@requires("marac.view_marac")
@require_POST
def discussion_record(request, public_id):
    referral = selectors.referral_for(viewer=request.user, public_id=public_id, request=request)
    if referral.meeting is None:
        raise Http404("The case is not on a meeting's agenda")
    form = DiscussionForm(request.POST, prefix=f"case-{referral.public_id}")
    if form.is_valid():
        try:
            services.discussion_record(referral=referral, by=request.user, text=form.cleaned_data["discussion"],
                                       request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Discussion recorded")
            return redirect("marac:meeting", public_id=referral.meeting.public_id)
    return _meeting_page(request, referral.meeting, discussion_forms={str(referral.public_id): form},
                         error_list=form_error_list(form), status=400)


@requires("marac.view_marac")
@require_POST
def action_agree(request, public_id):
    meeting = selectors.meeting_for(viewer=request.user, public_id=public_id, request=request)
    agenda = services.agenda_for(meeting=meeting, viewer=request.user, request=request)
    attendance = list(meeting.attendance.select_related("agency"))
    form = _action_form(meeting, _agenda_rows(meeting, agenda), attendance, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.action_agree(meeting=meeting, referral=data["referral"], by=request.user,
                                  description=data["description"], agency=data["agency"], due_on=data["due_on"],
                                  owner=data["owner"], request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Action agreed for {data['agency'].name}")
            return redirect("marac:meeting", public_id=meeting.public_id)
    return _meeting_page(request, meeting, action_form=form, error_list=form_error_list(form), status=400)


@requires("marac.view_marac")
@require_GET
def meeting_print(request, public_id):
    return render(request, "marac/meeting_print.html", _meeting_pack_context(request, public_id, as_pdf=False))


@requires("marac.view_marac")
@require_GET
def meeting_pdf(request, public_id):
    """The agenda, research pack and minutes as a PDF: the printable page's content, audited as an export."""
    context = _meeting_pack_context(request, public_id, as_pdf=True)
    filename = f"marac-{context['meeting'].held_on:%Y-%m-%d}-{context['meeting'].public_id.hex[:8]}.pdf"
    return pdf_response(request, "marac/meeting_print.html", context, filename=filename)


def _meeting_pack_context(request, public_id, *, as_pdf: bool) -> dict:
    meeting = selectors.meeting_for(viewer=request.user, public_id=public_id, request=request)
    agenda = services.agenda_for(meeting=meeting, viewer=request.user, request=request)
    rows = _agenda_rows(meeting, agenda)
    research = selectors.meeting_pack(viewer=request.user, meeting=meeting, as_pdf=as_pdf, request=request,
                                      referrals=[r for item in agenda.items for r in item.referrals])
    for row in rows:
        row["research"] = [x for r in row["item"].referrals for x in research.get(r.pk, [])]
    return {"meeting": meeting, "rows": rows, "attendance": list(meeting.attendance.select_related("agency")),
            "printed_at": timezone.now()}


# --- actions ---------------------------------------------------------------------------------------------

@requires("marac.view_marac")
@require_GET
def action_list(request):
    user = request.user
    today = _today()
    listing = selectors.actions_page(viewer=user, page=request.GET.get("page", 1), request=request)
    rows = [{"action": a, "shown": a.shown, "overdue": action_rules.days_overdue(services.action_in(a), today),
             "may_close": selectors.may_close_action(user, a)} for a in listing.object_list]
    # Recently closed: agency, description and dates only, no one named.
    closed = list(selectors.actions_visible_to(user).exclude(status=MaracAction.Status.OPEN)
                  .order_by("-completed_on", "-id")[:20])
    return render(request, "marac/action_list.html", {
        "listing": listing, "rows": rows, "closed": closed, "today": today,
        "sees_all": services.sees_all_marac(user)})


@requires("marac.view_marac")
@require_http_methods(["GET", "POST"])
def action_close(request, public_id):
    action = selectors.action_for(viewer=request.user, public_id=public_id, request=request)
    form = ActionCloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.action_complete(action=action, by=request.user, on=data["on"],
                                     cancelled=data["how"] == "cancelled", outcome=data["outcome"], request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Action closed" if data["how"] == "done"
                             else "Action closed as no longer needed")
            return redirect("marac:actions")
    return render(request, "marac/action_close.html", {
        "action": action, "form": form, "shown": selectors.person_shown(action.referral.victim),
        "overdue": action_rules.days_overdue(services.action_in(action), _today()),
        "may_close": selectors.may_close_action(request.user, action),
        "error_list": form_error_list(form) if form.errors else []}, status=400 if form.errors else 200)


# --- figures ---------------------------------------------------------------------------------------------

@requires("marac.view_figures")
@require_GET
def figures(request):
    """A MARAC's figures for a period: cases heard, repeat rate, referrals by agency, actions on time and
    volume per 10,000 women against the recommended level. Counts only: no one is named."""
    areas = list(MaracArea.objects.order_by("name"))
    form = FiguresForm(request.GET or None, areas=areas)
    today = _today()
    result, status = None, 200
    if areas and (not request.GET or form.is_valid()):
        data = form.cleaned_data if request.GET else {}
        area = form.areas.get(data.get("area") or "") or areas[0]
        end = data.get("end") or selectors.figures_default_end(area, today)
        start = data.get("start") or end - timedelta(days=364)  # the 365 days to `end`
        result = selectors.figures_for(area=area, start=start, end=end)
    elif request.GET and not form.is_valid():
        status = 400
    return render(request, "marac/figures.html", {
        "form": form, "result": result, "areas": areas, "error_list": form_error_list(form) if status == 400 else [],
        "rows": _figure_rows(result.figures) if result else [],
    }, status=status)


def _percent(figure: figure_rules.Figure) -> str:
    return f"{figure.value:.0%}" if figure.value is not None else f"Not known: {figure.reason}"


def _figure_rows(f: figure_rules.MaracFigures) -> list[tuple[str, str, str]]:
    """(figure, value, what to compare it with) for the figures table."""
    national = ", ".join(f"{share:.0%} in {year}" for year, share in figure_rules.NATIONAL_REPEAT_RATE.items())
    volumes = ", ".join(f"{n} in {year}" for year, n in figure_rules.NATIONAL_CASES_A_YEAR_PER_10K_WOMEN.items())
    volume = f.cases_a_year_per_10k_women
    return [
        ("Cases heard", str(f.cases_heard), "One case is one victim at one meeting"),
        ("Repeat cases", f"{f.repeat_cases} ({_percent(f.repeat_rate)})", f"National repeat rate: {national}"),
        ("Referrals received", str(f.referrals_received), ""),
        ("From the police", f"{f.police_referrals} ({_percent(f.police_share)})", ""),
        ("From partner agencies", f"{f.partner_referrals} ({_percent(f.partner_share)})",
         f"National: {figure_rules.NATIONAL_PARTNER_REFERRAL_SHARE['2023-24']:.0%} in 2023-24"),
        ("Actions due in the period done on time", f"{f.actions_on_time} of {f.actions_due} "
         f"({_percent(f.actions_on_time_share)})", "Cancelled actions are not counted"),
        ("Cases a year per 10,000 women aged 16 and over",
         f"{volume.value:.1f}" if volume.value is not None else f"Not known: {volume.reason}",
         f"Recommended: {figure_rules.RECOMMENDED_CASES_A_YEAR_PER_10K_WOMEN}; national: {volumes}"),
    ]


# --- the SafeLives data return ---------------------------------------------------------------------------

def last_complete_quarter(today) -> tuple:
    """(first day, last day) of the last calendar quarter that has ended by `today`."""
    from datetime import date

    first_of_this = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first_of_this - timedelta(days=1)
    return date(end.year, end.month - 2, 1), end


def _data_return_query(request):
    """(form, result): the return for the query's MARAC and period (the last complete quarter by default), or
    (form, None) when the query is not valid."""
    from .forms import DataReturnForm
    from .return_selectors import data_return_for

    areas = list(MaracArea.objects.order_by("name"))
    form = DataReturnForm(request.GET or None, areas=areas)
    if request.GET and not form.is_valid():
        return form, None
    data = form.cleaned_data if request.GET else {}
    start, end = data.get("start"), data.get("end")
    if not (start and end):
        start, end = last_complete_quarter(_today())
        if not request.GET:
            form = DataReturnForm(areas=areas, initial={"start": start, "end": end})
    return form, data_return_for(area=data.get("area"), start=start, end=end)


def _data_return_rows(r) -> list[tuple[str, str, str, str]]:
    """(figure, count, share of the cases, not known) for the return's table."""
    def percent(figure):
        return f"{figure.value:.0%}" if figure.value is not None else ""

    volume = r.cases_a_year_per_10k_women
    rows = [("Cases discussed", str(r.cases), "", ""),
            ("Repeat cases", str(r.repeat_cases), percent(r.repeat_rate), ""),
            ("Children in the households", str(r.children), "", "")]
    rows += [(f"Referred by: {a.label}", str(a.count), percent(a.share), "") for a in r.referrals_by_agency]
    rows += [(e.label, str(e.count), percent(e.share), str(e.not_known)) for e in r.equality]
    rows.append(("Cases a year per 10,000 women aged 16 and over",
                 f"{volume.value:.1f}" if volume.value is not None else f"Not known: {volume.reason}",
                 f"Recommended: {r.recommended_cases_a_year_per_10k_women}", ""))
    return rows


@requires("marac.data_return")
@require_GET
def data_return(request):
    """The SafeLives MARAC data return for a period: counts only, no one named (not audited; the download is)."""
    from urllib.parse import urlencode

    form, result = _data_return_query(request)
    context = {"form": form, "result": result, "error_list": form_error_list(form) if result is None else []}
    if result is not None:
        query = {"start": result.start.isoformat(), "end": result.end.isoformat(),
                 **({"area": result.area.code} if result.area else {})}
        context |= {"rows": _data_return_rows(result.total), "download_query": urlencode(query),
                    "by_marac": result.rows[:-1] if result.area is None else ()}
    return render(request, "marac/data_return.html", context, status=200 if result is not None else 400)


@requires("marac.data_return")
@require_GET
def data_return_csv(request):
    """The return as CSV (docs/marac.md gives the columns), audited as an export."""
    from django.http import HttpResponse

    from . import data_return as return_rules
    from .return_selectors import data_return_export

    form, result = _data_return_query(request)
    if result is None:
        return render(request, "marac/data_return.html", {"form": form, "result": None,
                                                          "error_list": form_error_list(form)}, status=400)
    data_return_export(viewer=request.user, result=result, format="csv", request=request)
    response = HttpResponse(return_rules.csv_text(result.rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (f'attachment; filename="marac-data-return-{result.total.area_code}-'
                                       f'{result.start:%Y%m%d}-{result.end:%Y%m%d}.csv"')
    response["Cache-Control"] = "no-store"
    return response
