"""Reading MARAC: the referrals and actions a user may see, one referral (a refused look is audited too),
its research, and which other agencies hold information about a person (a pointer, never the content).

Police roles that work MARAC (`rules.MARAC_POLICE_ROLES`) see everything. A partner practitioner sees the
referrals on the agendas of meetings their agency is invited to (and those their agency made), and their
agency's actions. Anyone else sees none.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max, Min, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from vigil.accounts.models import Agency, User
from vigil.audit.services import audit_record, audit_record_each
from vigil.risk import scoring
from vigil.risk.models import RiskAssessment

from . import actions as action_rules
from . import agenda as agenda_rules
from . import figures as figure_rules
from .models import MaracAction, MaracArea, MaracAttendance, MaracMeeting, MaracReferral, MaracResearch
from .rules import MARAC_POLICE_ROLES
from .services import (  # noqa: F401  may_run_meeting: the pages ask the services' own rule
    action_in,
    is_coordinator,
    may_run_meeting,
    referral_in,
    referral_rows,
    sees_all_marac,
    subjects_of,
    victim_incident_dates,
)

NotFound = Http404  # what the cases app raises for a record the viewer may not see


def _is_partner(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.agency_id and not user.agency.is_force
                and user.has_perm("marac.view_marac"))


def referrals_visible_to(user) -> QuerySet[MaracReferral]:
    if sees_all_marac(user):
        return referral_rows()
    if _is_partner(user):
        shared = Q(meeting__attendance__agency_id=user.agency_id) | Q(referring_agency_id=user.agency_id)
        return referral_rows().filter(pk__in=MaracReferral.objects.filter(shared).values("pk"))
    return MaracReferral.objects.none()


def actions_visible_to(user) -> QuerySet[MaracAction]:
    actions = MaracAction.objects.select_related("referral__victim", "meeting", "agency", "owner")
    if sees_all_marac(user):
        return actions
    if _is_partner(user):
        return actions.filter(agency_id=user.agency_id)
    return MaracAction.objects.none()


def meetings_visible_to(user) -> QuerySet[MaracMeeting]:
    """The meetings a user may see (as `services.may_see_meeting` decides for one): every meeting for police
    who work MARAC, the meetings their agency is invited to for a partner, none for anyone else."""
    meetings = MaracMeeting.objects.select_related("area", "chair")
    if sees_all_marac(user):
        return meetings
    if _is_partner(user):
        invited = MaracAttendance.objects.filter(agency_id=user.agency_id).values("meeting_id")
        return meetings.filter(pk__in=invited)
    return MaracMeeting.objects.none()


def _refused(*, viewer, object_type: str, object_id: str, subject, request, view: str) -> None:
    """Audit a look that was refused, so an auditor sees the attempt, then answer as if there were nothing."""
    audit_record(action="consultation", actor=viewer, object_type=object_type, object_id=object_id,
                 subject_person_id=subject, request=request,
                 detail={"view": view, "refused": "not shared with the viewer's agency"})
    raise NotFound("No such MARAC referral")


def referral_for(*, viewer, public_id, request=None) -> MaracReferral:
    """One referral for a viewer it is shared with (audited as a consultation); NotFound otherwise, the
    refused attempt audited too."""
    referral = referrals_visible_to(viewer).filter(public_id=public_id).first()
    if referral is None:
        hidden = MaracReferral.objects.select_related("victim").filter(public_id=public_id).first()
        _refused(viewer=viewer, object_type="marac.MaracReferral", object_id=str(public_id),
                 subject=hidden.victim.public_id if hidden else None, request=request, view="marac referral")
    audit_record_each(action="consultation", actor=viewer, obj=referral, subject_person_ids=subjects_of(referral),
                      request=request, detail={"view": "marac referral"})
    return referral


def referral_research(*, viewer, referral: MaracReferral, request=None) -> list[MaracResearch]:
    """The research every agency added to a referral shared with the viewer (audited)."""
    referral = referral_for(viewer=viewer, public_id=referral.public_id, request=request)
    return list(referral.research.select_related("agency", "author"))


def person_shared_with(*, person, viewer, request=None) -> None:
    """NotFound (audited) unless the person is the victim or perpetrator of a referral shared with the viewer."""
    shared = referrals_visible_to(viewer).filter(Q(victim=person) | Q(perpetrator=person)).exists()
    if not shared:
        _refused(viewer=viewer, object_type="people.Person", object_id=str(person.public_id),
                 subject=person.public_id, request=request, view="marac information holders")


@dataclass(frozen=True)
class InformationHolder:
    """That an agency holds information about a person, and since when: never what it holds."""

    agency_name: str
    agency_code: str
    first_added_on: date
    last_added_on: date


def holders_of_information(*, person, viewer_agency, viewer, request=None) -> list[InformationHolder]:
    """Which other agencies hold MARAC research about the person (as victim or perpetrator), with dates
    only, for a viewer who shares a MARAC case about them. Audited as a consultation of the person."""
    person_shared_with(person=person, viewer=viewer, request=request)
    rows = (MaracResearch.objects.filter(Q(referral__victim=person) | Q(referral__perpetrator=person))
            .exclude(agency=viewer_agency).values("agency__name", "agency__code")
            .annotate(first=Min("added_at"), last=Max("added_at")).order_by("agency__name"))

    holders = [InformationHolder(agency_name=r["agency__name"], agency_code=r["agency__code"],
                                 first_added_on=timezone.localdate(r["first"]),
                                 last_added_on=timezone.localdate(r["last"])) for r in rows]
    audit_record(action="consultation", actor=viewer, obj=person, subject_person_id=person.public_id,
                 request=request, detail={"view": "marac information holders", "agencies": len(holders)})
    return holders


# --- for the pages ---------------------------------------------------------------------------------------

LIST_PAGE_SIZE = 50


def referrals_page(*, viewer, page=1, request=None):
    """One page (50) of the referrals visible to the viewer, newest first, each with `shown` (the victim's
    name as linkage lists show it: the latest record's name, hidden when restricted). Audited as a
    consultation of each victim listed."""
    from django.core.paginator import Paginator

    from vigil.linkage.list_selectors import persons_shown

    rows = referrals_visible_to(viewer).order_by("-received_on", "-id")
    listing = Paginator(rows, LIST_PAGE_SIZE).get_page(page)
    shown = persons_shown(r.victim_id for r in listing.object_list)
    for referral in listing.object_list:
        referral.shown = shown.get(referral.victim_id)
    subjects = sorted({r.victim.public_id for r in listing.object_list}, key=str)
    if subjects:
        audit_record_each(action="consultation", actor=viewer, subject_person_ids=subjects, request=request,
                          object_type="marac.MaracReferral", detail={"view": "marac referrals"})
    return listing


def person_shown(person):
    """The person's name as the lists show it (hidden when restricted)."""
    from vigil.linkage.list_selectors import persons_shown

    return persons_shown([person.pk]).get(person.pk)


def meeting_for(*, viewer, public_id, request=None) -> MaracMeeting:
    """One meeting the viewer may see; NotFound otherwise (a refused look at a real meeting is audited)."""
    meeting = meetings_visible_to(viewer).filter(public_id=public_id).first()
    if meeting is None:
        if MaracMeeting.objects.filter(public_id=public_id).exists():
            audit_record(action="consultation", actor=viewer, object_type="marac.MaracMeeting",
                         object_id=str(public_id), request=request,
                         detail={"view": "marac meeting", "refused": "not shared with the viewer's agency"})
        raise NotFound("No such MARAC meeting")
    return meeting


def action_for(*, viewer, public_id, request=None) -> MaracAction:
    """One action visible to the viewer (their agency's, or any for police who work MARAC), audited as a
    consultation of the victim it is for; NotFound otherwise."""
    action = actions_visible_to(viewer).select_related("referral__area").filter(public_id=public_id).first()
    if action is None:
        raise NotFound("No such MARAC action")
    audit_record(action="consultation", actor=viewer, obj=action, subject_person_id=action.referral.victim.public_id,
                 request=request, detail={"view": "marac action"})
    return action


def actions_page(*, viewer, page=1, request=None):
    """One page (50) of the open actions visible to the viewer, earliest due first, each with `shown` (the
    victim's name, hidden when restricted). Audited as a consultation of each victim listed."""
    from django.core.paginator import Paginator

    from vigil.linkage.list_selectors import persons_shown

    rows = actions_visible_to(viewer).filter(status=MaracAction.Status.OPEN).order_by("due_on", "id")
    listing = Paginator(rows, LIST_PAGE_SIZE).get_page(page)
    shown = persons_shown(a.referral.victim_id for a in listing.object_list)
    for action in listing.object_list:
        action.shown = shown.get(action.referral.victim_id)
    subjects = sorted({a.referral.victim.public_id for a in listing.object_list}, key=str)
    if subjects:
        audit_record_each(action="consultation", actor=viewer, subject_person_ids=subjects, request=request,
                          object_type="marac.MaracAction", detail={"view": "marac actions"})
    return listing


def may_close_action(user, action: MaracAction) -> bool:
    """Who `services.action_complete` lets close an open action: its agency or the coordinator."""
    return action.status == MaracAction.Status.OPEN and (
        is_coordinator(user) or (user.is_active and user.agency_id == action.agency_id))


def may_add_research(user, referral: MaracReferral) -> bool:
    """Who `services.research_add` lets add research: police who work MARAC, or an invited agency, while
    the case waits for its meeting."""
    if referral.meeting_id is None or referral.status == MaracReferral.Status.HEARD:
        return False
    return sees_all_marac(user) or bool(user.agency_id and user.has_perm("marac.view_marac")
                                        and referral.meeting.attendance.filter(agency_id=user.agency_id).exists())


def chair_candidates(meeting: MaracMeeting) -> list[User]:
    """Who may be named as the chair: active police users who work MARAC, and the current chair."""
    users = list(User.objects.filter(is_active=True, role__in=MARAC_POLICE_ROLES, agency__kind=Agency.Kind.FORCE)
                 .select_related("agency").order_by("last_name", "first_name", "username"))
    if meeting.chair_id and meeting.chair not in users:
        users.insert(0, meeting.chair)
    return users


def action_owner_candidates(agencies) -> list[User]:
    """Who may be named as an action's owner, by agency then name: the active users of the partner agencies
    given, and of the force those who work MARAC (not every officer, so the list stays short)."""
    agencies = list(agencies)
    partners = [a for a in agencies if not a.is_force]
    forces = [a for a in agencies if a.is_force]
    return list(User.objects.filter(is_active=True)
                .filter(Q(agency__in=partners) | Q(agency__in=forces, role__in=MARAC_POLICE_ROLES))
                .select_related("agency").order_by("agency__name", "last_name", "first_name", "username"))


@dataclass(frozen=True)
class ReferralPrompt:
    """Why Vigil suggests referring a victim to MARAC: the criteria met, in words."""

    reasons: tuple[str, ...]


def referral_prompt(*, victim, on: date | None = None, grade: str = "") -> ReferralPrompt | None:
    """Whether to prompt "Refer to MARAC" for a victim (a Person), and why: a criterion is met
    (`risk.scoring`: visible high risk on their latest risk assessment, potential escalation from their
    domestic abuse incidents in 12 months, or a case graded high risk, which is professional judgement)
    and they have had no MARAC referral in the 12 months to `on` (a referral then would be a repeat,
    already known to MARAC). None when there is nothing to prompt."""
    if victim is None:
        return None
    on = on or timezone.localdate()
    last = MaracReferral.objects.filter(victim=victim, received_on__lte=on).aggregate(last=Max("received_on"))["last"]
    incident_days = victim_incident_dates(victim, on=on)
    if scoring.repeat_marac(last, on=on):
        # Known to MARAC: only a further incident since that referral sends the case back (repeat MARAC).
        since = sorted(d for d in incident_days if d > last)
        if not since:
            return None
        return ReferralPrompt(reasons=(f"Repeat MARAC: a further domestic abuse incident on {since[-1]:%-d %B %Y}, "
                                       f"within 12 months of the last referral ({last:%-d %B %Y})",))
    reasons = []
    latest = (RiskAssessment.objects.filter(victim__person=victim, yes_count__isnull=False)
              .order_by("-assessed_at", "-pk").values_list("yes_count", flat=True).first())
    if latest is not None and scoring.visible_high_risk(latest):
        reasons.append(f"Visible high risk: the latest risk assessment has {latest} \"yes\" answers "
                       f"({scoring.VISIBLE_HIGH_RISK} or more meets the criterion)")
    incidents = scoring.callouts_in_window(incident_days, on=on)
    if scoring.potential_escalation(incidents):
        reasons.append(f"Potential escalation: {incidents} domestic abuse incidents in the last 12 months "
                       f"({scoring.ESCALATION_THRESHOLD} or more meets the criterion)")
    if grade == "high":
        reasons.append("The case is graded high risk: refer on professional judgement, giving your reasons")
    return ReferralPrompt(reasons=tuple(reasons)) if reasons else None


def referral_victim_for(*, viewer, public_id, request=None):
    """The person a referrer chose as the victim (?person=, followed through merges). Police referrers may
    choose anyone (they see person records); a partner only a person on a MARAC case shared with their
    agency (NotFound, audited, otherwise). Audited as a consultation of the person."""
    from vigil.people.models import Person

    person = Person.objects.filter(public_id=public_id).first()
    seen = set()
    while person is not None and person.merged_into_id and person.pk not in seen:
        seen.add(person.pk)
        person = person.merged_into
    if person is None:
        raise NotFound("No such person")
    if not (viewer.agency_id and viewer.agency.is_force):
        person_shared_with(person=person, viewer=viewer, request=request)
    audit_record(action="consultation", actor=viewer, obj=person, subject_person_id=person.public_id,
                 request=request, detail={"view": "marac referral form"})
    return person


def referral_assessments(victim) -> list[RiskAssessment]:
    """The victim's scored risk assessments, latest first, for the referral form."""
    return list(RiskAssessment.objects.filter(victim__person=victim, yes_count__isnull=False)
                .order_by("-assessed_at", "-pk")[:10])


def area_for_victim(victim):
    """The MARAC whose policing areas hold the victim's latest domestic abuse incident, if any."""
    from vigil.incidents.models import Incident

    area_id = (Incident.objects.filter(is_domestic_abuse=True, involvements__role="victim",
                                       involvements__person_record__person=victim, area__isnull=False)
               .order_by("-received_at").values_list("area_id", flat=True).first())
    if area_id is None:
        return None
    return MaracArea.objects.filter(areas__id=area_id).order_by("name").first()


def meeting_pack(*, viewer, meeting: MaracMeeting, referrals, request=None, as_pdf: bool = False) -> dict:
    """The research every agency added to the referrals on a meeting's agenda, by referral id, for the
    printable pack of a meeting the viewer may see: audited as a consultation of each victim, or as an
    export when the pack leaves Vigil as a PDF."""
    ids = [r.pk for r in referrals]
    by_referral: dict[int, list[MaracResearch]] = {pk: [] for pk in ids}
    for research in MaracResearch.objects.filter(referral_id__in=ids).select_related("agency", "author"):
        by_referral[research.referral_id].append(research)
    subjects = sorted({r.victim.public_id for r in referrals}, key=str)
    audit_record_each(action="export" if as_pdf else "consultation", actor=viewer, obj=meeting,
                      subject_person_ids=subjects, request=request,
                      detail={"view": "marac research pack", "referrals": len(ids),
                              "format": "pdf" if as_pdf else "html"})
    return by_referral


@dataclass(frozen=True)
class AreaFigures:
    """One MARAC area's figures for a period (`figures.marac_figures`), with the area they are for."""

    area: MaracArea
    figures: figure_rules.MaracFigures


# The repeat rule looks back 12 months before a case is heard, and a case is heard some weeks after it is
# received: the figures read the referrals received from this long before the period.
FIGURES_LOOK_BACK = timedelta(days=366 + 120)


def figures_for(*, area: MaracArea, start: date, end: date) -> AreaFigures:
    """The MARAC figures of `area` from `start` to `end`: counts and shares, no one named, so not audited.
    Reads plain values, only of the referrals that can count (from FIGURES_LOOK_BACK before the period)
    and the actions due in it, so a force's years of MARAC history cost no more than the period's."""
    heard = MaracReferral.Status.HEARD
    referrals = [
        agenda_rules.ReferralIn(id=pk, victim_key=str(victim), received_on=received_on,
                                heard_on=held_on if status == heard else None, criteria=frozenset(criteria),
                                source_agency=agency)
        for pk, victim, received_on, status, held_on, criteria, agency in MaracReferral.objects.filter(
            area=area, received_on__gte=start - FIGURES_LOOK_BACK, received_on__lte=end).values_list(
            "pk", "victim_id", "received_on", "status", "meeting__held_on", "criteria", "referring_agency__name")]
    actions = [
        action_rules.Action(id=pk, victim_key=str(victim), agency=agency, set_on=set_on, due_on=due_on,
                            status=action_rules.ActionStatus(status), closed_on=closed_on)
        for pk, victim, agency, set_on, due_on, status, closed_on in MaracAction.objects.filter(
            referral__area=area, due_on__gte=start, due_on__lte=end).values_list(
            "pk", "referral__victim_id", "agency__name", "meeting__held_on", "due_on", "status", "completed_on")]
    police = set(Agency.objects.filter(kind=Agency.Kind.FORCE).values_list("name", flat=True))
    return AreaFigures(area=area, figures=figure_rules.marac_figures(
        referrals, actions, start, end, women_aged_16_plus=area.women_aged_16_plus, police_agencies=police))


def figures_default_end(area: MaracArea, today: date) -> date:
    """The last day of the default period: today, or the last meeting held when none was in the last year
    (a demo force, or an area whose MARAC has stopped), so the page opens on figures, not on nothing."""
    last = (MaracMeeting.objects.filter(area=area, held_on__lte=today, status=MaracMeeting.Status.HELD)
            .order_by("-held_on").values_list("held_on", flat=True).first())
    return today if last is None or last > today - timedelta(days=365) else last


# --- the perpetrator on the referral form ----------------------------------------------------------------

@dataclass(frozen=True)
class PerpetratorChoice:
    """A person the referral form offers as the perpetrator, and why (no more than the referrer may see)."""

    person: object
    name: str
    date_of_birth: date | None
    why: str


def _live(person):
    """The person a (possibly merged) person now is."""
    seen = set()
    while person is not None and person.merged_into_id and person.pk not in seen:
        seen.add(person.pk)
        person = person.merged_into
    return person


def perpetrator_choices(*, viewer, victim, request=None) -> list[PerpetratorChoice]:
    """Who the referral form offers as the perpetrator of `victim`, never the victim. For police: the
    suspects on the domestic abuse incidents in which the victim was the victim (the case's incident is one
    of them), and the perpetrators named on the victim's earlier MARAC referrals. For a partner only the
    perpetrators named on the victim's MARAC referrals shared with their agency: the police's suspects are
    not shared with partners. Each person as they are now (merges followed), the latest linked first;
    audited as a consultation of each person offered."""
    from vigil.incidents.models import Incident, Involvement
    from vigil.people.models import Person

    suspected: list[tuple[int, date]] = []  # (person pk, day of the incident)
    if viewer.agency_id and viewer.agency.is_force:
        incidents = Incident.objects.filter(is_domestic_abuse=True, involvements__role="victim",
                                            involvements__person_record__person=victim).values("pk")
        suspected = [(person_id, timezone.localdate(at)) for person_id, at in
                     Involvement.objects.filter(incident__in=incidents, role="suspect",
                                                person_record__person__isnull=False)
                     .values_list("person_record__person_id", "incident__received_at").distinct()]
        earlier = MaracReferral.objects.filter(victim=victim, perpetrator__isnull=False)
    else:
        earlier = referrals_visible_to(viewer).filter(victim=victim, perpetrator__isnull=False)
    named = list(earlier.values_list("perpetrator_id", "received_on"))
    people = {p.pk: p for p in Person.objects.filter(pk__in={pk for pk, _ in suspected + named})
              .select_related("merged_into")}
    incidents_of: dict[int, list[date]] = {}
    referrals_of: dict[int, list[date]] = {}
    live = {}
    for rows, into in ((suspected, incidents_of), (named, referrals_of)):
        for person_id, day in rows:
            person = _live(people.get(person_id))
            if person is None or person.pk == victim.pk:  # never the victim (a counter-allegation)
                continue
            live[person.pk] = person
            into.setdefault(person.pk, []).append(day)
    shown = _shown(live)
    choices = []
    for pk, person in live.items():
        why = []
        if pk in incidents_of:
            days = incidents_of[pk]
            why.append(f"suspect on {len(days)} domestic abuse incident{'s' if len(days) != 1 else ''} with the "
                       f"victim, the latest on {max(days):%-d %B %Y}")
        if pk in referrals_of:
            why.append(f"named as the perpetrator on the MARAC referral of {max(referrals_of[pk]):%-d %B %Y}")
        seen = shown.get(pk)
        choices.append((max(incidents_of.get(pk, []) + referrals_of.get(pk, [])), PerpetratorChoice(
            person=person, name=seen.name if seen else "Name not known",
            date_of_birth=seen.date_of_birth if seen else None, why="; ".join(why))))
    choices = [choice for _, choice in sorted(choices, key=lambda c: (c[0], c[1].person.pk), reverse=True)]
    if choices:
        audit_record_each(action="consultation", actor=viewer, subject_person_ids=[c.person.public_id for c in choices],
                          object_type="people.Person", request=request,
                          detail={"view": "marac referral form perpetrator choices",
                                  "victim": str(victim.public_id)})
    return choices


def _shown(person_ids):
    from vigil.linkage.list_selectors import persons_shown

    return persons_shown(person_ids)


# --- information requests between agencies ----------------------------------------------------------------

RECENTLY_ANSWERED_DAYS = 30


def _information_requests():
    from .models import MaracInformationRequest

    return MaracInformationRequest.objects.select_related(
        "person", "referral", "requesting_agency", "holding_agency", "asked_by", "answered_by")


def information_requests_to(*, viewer, now=None, request=None) -> dict:
    """The requests addressed to the viewer's agency: every one waiting (oldest first) and those answered or
    declined in the last 30 days (newest first), each with `shown` (the person's name, hidden when
    restricted). Audited as a consultation of each person listed."""
    from .models import MaracInformationRequest

    if not viewer.agency_id:
        return {"waiting": [], "recent": []}
    now = now or timezone.now()
    rows = _information_requests().filter(holding_agency_id=viewer.agency_id)
    waiting = list(rows.filter(status=MaracInformationRequest.Status.PENDING).order_by("asked_at", "id"))
    recent = list(rows.exclude(status=MaracInformationRequest.Status.PENDING)
                  .filter(answered_at__gte=now - timedelta(days=RECENTLY_ANSWERED_DAYS))
                  .order_by("-answered_at", "-id"))
    shown = _shown(r.person_id for r in waiting + recent)
    for row in waiting + recent:
        row.shown = shown.get(row.person_id)
    subjects = sorted({r.person.public_id for r in waiting + recent}, key=str)
    if subjects:
        audit_record_each(action="consultation", actor=viewer, subject_person_ids=subjects, request=request,
                          object_type="marac.MaracInformationRequest",
                          detail={"view": "marac information requests to the agency"})
    return {"waiting": waiting, "recent": recent}


def information_request_for(*, viewer, public_id, request=None):
    """One request addressed to the viewer's agency, to read and answer (audited as a consultation of the
    person it is about). Anyone else, the asking agency included (it reads the answer on the referral),
    gets NotFound, the attempt audited."""
    asked = _information_requests().filter(public_id=public_id).first()
    if asked is None or not (viewer.agency_id and asked.holding_agency_id == viewer.agency_id):
        audit_record(action="consultation", actor=viewer, object_type="marac.MaracInformationRequest",
                     object_id=str(public_id), subject_person_id=asked.person.public_id if asked else None,
                     request=request, detail={"view": "marac information request",
                                              "refused": "not addressed to the viewer's agency"})
        raise NotFound("No such MARAC information request")
    audit_record(action="consultation", actor=viewer, obj=asked, subject_person_id=asked.person.public_id,
                 request=request, detail={"view": "marac information request"})
    return asked


def research_held_by(*, agency, person) -> list[MaracResearch]:
    """The MARAC research the agency itself added about a person (as victim or perpetrator): what it may
    choose to share when another agency asks. Read on the answer page, whose consultation is audited."""
    return list(MaracResearch.objects.filter(Q(referral__victim=person) | Q(referral__perpetrator=person),
                                             agency=agency).select_related("author", "referral")
                .order_by("added_at", "id"))


def may_answer_information_request(user, asked) -> bool:
    """Who `services.information_request_answer` lets answer: an active user of the holding agency who works
    MARAC, while the request waits."""
    return bool(asked.status == "pending" and user.is_active and user.agency_id == asked.holding_agency_id
                and user.has_perm("marac.view_marac"))
