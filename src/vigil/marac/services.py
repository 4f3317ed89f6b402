"""MARAC's changes of state: referrals (criteria checked against `risk.scoring`, the consent rule),
meetings planned from the area's rhythm (`schedule`), the agenda (`agenda.build_agenda` over the rows),
each agency's research, the chair's record of the meeting, actions agreed, completed and escalated when
overdue (`actions`), and requests between agencies for information one holds about a person.

Each function that changes state runs in one transaction and writes its audit event through
`vigil.audit.services`, as `cases/services.py` does. Dates are the Europe/London calendar day.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from vigil.accounts.models import Agency, User
from vigil.audit.services import audit_record, audit_record_each
from vigil.cases.models import ProtectiveOrder, Task
from vigil.cases.services import REASON_MIN_LENGTH, task_create, team_supervisors
from vigil.events import payloads
from vigil.events.services import event_publish
from vigil.incidents.models import Incident
from vigil.linkage.selectors import current_person
from vigil.people.services import person_record_new
from vigil.risk import scoring

from . import actions as action_rules
from . import agenda as agenda_rules
from . import schedule
from .models import (
    MaracAction,
    MaracArea,
    MaracAttendance,
    MaracInformationRequest,
    MaracMeeting,
    MaracReferral,
    MaracResearch,
)
from .rules import MARAC_POLICE_ROLES

Criterion = agenda_rules.Criterion
CHILD_DESCRIPTION_LENGTH = 200
ESCALATION_RESPONSE = timedelta(days=1)  # the coordinator's task to chase an overdue action is due a day later
AGENDA_LOOK_BACK = timedelta(days=2 * 365)  # history read for the agenda: the repeat window and then some


# --- small shared pieces ---------------------------------------------------------------------------------

def _today(now: datetime | None) -> date:
    return timezone.localdate(now or timezone.now())


def subjects_of(referral: MaracReferral) -> list:
    ids = [referral.victim.public_id]
    if referral.perpetrator_id:
        ids.append(referral.perpetrator.public_id)
    return ids


def _text(value: str, field: str, what: str, errors: dict, *, minimum: int = 1) -> str:
    value = (value or "").strip()
    if len(value) < minimum:
        errors[field] = f"Give {what}" + (f" (at least {minimum} characters)" if minimum > 1 else "")
    return value


def sees_all_marac(user) -> bool:
    """Police roles that work MARAC see every referral and action."""
    return bool(user.is_authenticated and user.is_active and user.agency_id and user.agency.is_force
                and user.role in MARAC_POLICE_ROLES)


def is_coordinator(user) -> bool:
    return bool(user.is_active and user.role == "marac_coordinator" and user.agency_id and user.agency.is_force)


def may_run_meeting(user, meeting: MaracMeeting) -> bool:
    """The coordinator, or the meeting's chair."""
    return is_coordinator(user) or (meeting.chair_id is not None and meeting.chair_id == user.pk)


def referral_in(referral: MaracReferral) -> agenda_rules.ReferralIn:
    """The referral as the plain agenda rules see it."""
    heard = referral.status == MaracReferral.Status.HEARD
    return agenda_rules.ReferralIn(
        id=str(referral.public_id), victim_key=str(referral.victim.public_id), received_on=referral.received_on,
        heard_on=referral.meeting.held_on if heard else None, criteria=frozenset(referral.criteria),
        source_agency=referral.referring_agency.name,
        yes_count=referral.risk_assessment.yes_count if referral.risk_assessment_id else None)


def action_in(action: MaracAction) -> action_rules.Action:
    """The action as the plain action rules see it."""
    return action_rules.Action(
        id=str(action.public_id), victim_key=str(action.referral.victim.public_id), agency=action.agency.name,
        set_on=action.meeting.held_on, due_on=action.due_on, status=action_rules.ActionStatus(action.status),
        closed_on=action.completed_on)


def referral_rows():
    return MaracReferral.objects.select_related("victim", "perpetrator", "referring_agency", "risk_assessment",
                                                "meeting", "area")


def _actions():
    return MaracAction.objects.select_related("referral__victim", "referral__area", "meeting", "agency", "owner")


# --- referrals -------------------------------------------------------------------------------------------

def victim_incident_dates(victim, *, on: date) -> list[date]:
    """The days of the domestic abuse incidents in which `victim` (a Person) was the victim, up to `on`."""
    stamps = (Incident.objects.filter(is_domestic_abuse=True, involvements__role="victim",
                                      involvements__person_record__person=victim)
              .values_list("received_at", flat=True).distinct())
    days = [timezone.localdate(stamp) for stamp in stamps]
    return [d for d in days if d <= on]


def _recent_incidents(victim, *, on: date):
    start = on - scoring.ESCALATION_WINDOW
    return (Incident.objects.filter(is_domestic_abuse=True, involvements__role="victim",
                                    involvements__person_record__person=victim,
                                    received_at__date__gt=start, received_at__date__lte=on).distinct())


def _orders_in_force(victim):
    return ProtectiveOrder.objects.filter(status=ProtectiveOrder.Status.IN_FORCE,
                                          protected_persons__person=victim).distinct()


def _check_criteria(*, criteria, victim, received_on: date, risk_assessment, judgement_reason: str,
                    other_agency_incidents: int, history: Sequence[agenda_rules.ReferralIn],
                    errors: dict) -> tuple[list[str], int]:
    """The criteria ticked, each checked against the rule that makes it apply (risk.scoring)."""
    incidents = scoring.callouts_in_window(victim_incident_dates(victim, on=received_on), on=received_on) \
        + max(other_agency_incidents or 0, 0)
    try:
        ticked = sorted({Criterion(c) for c in criteria or ()})
    except ValueError:
        errors["criteria"] = ["Choose the criteria from the list"]
        return [], incidents
    problems = []
    if not ticked:
        problems.append("Choose at least one criterion that applies")
    if Criterion.VISIBLE_HIGH_RISK in ticked:
        count = risk_assessment.yes_count if risk_assessment is not None else None
        if count is None or not scoring.visible_high_risk(count):
            problems.append(f"Visible high risk needs a risk assessment with {scoring.VISIBLE_HIGH_RISK} or more "
                            f"\"yes\" answers" + (f" (this one has {count})" if count is not None else ""))
    if Criterion.PROFESSIONAL_JUDGEMENT in ticked and len((judgement_reason or "").strip()) < REASON_MIN_LENGTH:
        errors["judgement_reason"] = [f"Give the reasons for your professional judgement (at least "
                                      f"{REASON_MIN_LENGTH} characters)"]
    if Criterion.POTENTIAL_ESCALATION in ticked and not scoring.potential_escalation(incidents):
        problems.append(f"Potential escalation needs {scoring.ESCALATION_THRESHOLD} or more domestic abuse "
                        f"incidents in the 12 months to this referral; {incidents} are known")
    if Criterion.REPEAT_MARAC in ticked:
        earlier = max((h.received_on for h in history if h.received_on <= received_on), default=None)
        if not scoring.repeat_marac(earlier, on=received_on):
            problems.append("Repeat MARAC needs a MARAC referral of this victim in the 12 months before")
    if problems:
        errors["criteria"] = problems
    return [c.value for c in ticked], incidents


def _meeting_for(area: MaracArea, received_on: date) -> MaracMeeting | None:
    """The planned meeting whose cut-off a referral received on `received_on` meets, if it is planned yet."""
    held_on = schedule.meeting_for_referral(received_on, area.anchor_date, area.meets_every_days,
                                            working_days_before=area.cut_off_working_days)
    return MaracMeeting.objects.filter(area=area, held_on=held_on, status=MaracMeeting.Status.PLANNED).first()


def referral_create(*, area: MaracArea, victim, by, received_on: date, criteria: Iterable[str],
                    victim_aware: bool, victim_consents: bool, reason_without_consent: str = "",
                    judgement_reason: str = "", perpetrator=None, risk_assessment=None,
                    other_agency_incidents: int = 0, children: Iterable[str] = (), recent_incidents=None,
                    orders=None, idva_referral_made: bool = False, victim_lgbt: bool | None = None,
                    victim_disability: bool | None = None, now: datetime | None = None,
                    request=None) -> MaracReferral:
    """Record a referral to MARAC, from the force or a partner. At least one criterion must apply
    (checked against risk.scoring: 14+ "yes" answers, professional judgement with reasons, potential
    escalation, repeat within 12 months); a victim who does not consent needs the reason recorded.
    Recent incidents and orders in force default to what Vigil holds about the victim. Listed on the
    agenda of the first meeting whose cut-off it meets, when that meeting is planned."""
    now = now or timezone.now()
    if not by.has_perm("marac.refer") or not by.agency_id:
        raise PermissionDenied("You may not refer to MARAC")
    errors: dict = {}
    if received_on > _today(now):
        errors["received_on"] = "The referral cannot be received in the future"
    if perpetrator is not None and perpetrator.pk == victim.pk:
        errors["perpetrator"] = "The perpetrator cannot be the victim"
    if risk_assessment is not None and current_person(risk_assessment.victim.person) != current_person(victim):
        # Records of one person merged after the assessment was made are still the same victim.
        errors["risk_assessment"] = "The risk assessment is not about this victim"
    history = [referral_in(r) for r in referral_rows().filter(victim=victim)]
    codes, incidents = _check_criteria(
        criteria=criteria, victim=victim, received_on=received_on, risk_assessment=risk_assessment,
        judgement_reason=judgement_reason, other_agency_incidents=other_agency_incidents, history=history,
        errors=errors)
    reason_without_consent = (reason_without_consent or "").strip()
    if victim_consents and not victim_aware:
        errors["victim_consents"] = "The victim cannot consent to a referral they do not know about"
    if not victim_consents and len(reason_without_consent) < REASON_MIN_LENGTH:
        errors["reason_without_consent"] = (f"Give the reason for referring without the victim's consent (at least "
                                            f"{REASON_MIN_LENGTH} characters)")
    children = [str(c).strip() for c in children or ()]
    if any(not c or len(c) > CHILD_DESCRIPTION_LENGTH for c in children):
        errors["children"] = f"Describe each child in 1 to {CHILD_DESCRIPTION_LENGTH} characters, without names"
    if errors:
        raise ValidationError(errors)
    if victim_consents:
        reason_without_consent = ""
    with transaction.atomic():
        referral = MaracReferral(
            area=area, victim=victim, perpetrator=perpetrator, risk_assessment=risk_assessment,
            referring_agency=by.agency, referred_by=by, received_on=received_on, criteria=codes,
            judgement_reason=(judgement_reason or "").strip() if Criterion.PROFESSIONAL_JUDGEMENT in codes else "",
            incidents_12m=incidents, children=children, victim_aware=victim_aware, victim_consents=victim_consents,
            reason_without_consent=reason_without_consent, idva_referral_made=idva_referral_made,
            victim_lgbt=victim_lgbt, victim_disability=victim_disability, created_at=now)
        meeting = _meeting_for(area, received_on)
        if meeting is not None:
            referral.meeting, referral.status = meeting, MaracReferral.Status.LISTED
        referral.save()
        referral.is_repeat = agenda_rules.is_repeat([referral_in(referral)], history)
        referral.save(update_fields=["is_repeat"])
        referral.recent_incidents.set(_recent_incidents(victim, on=received_on) if recent_incidents is None
                                      else recent_incidents)
        referral.orders.set(_orders_in_force(victim) if orders is None else orders)
        event_publish(**payloads.marac_referral_made(referral=referral))  # events out (vigil.events)
        audit_record_each(action="collection", actor=by, obj=referral, subject_person_ids=subjects_of(referral),
                          request=request, detail={"step": "marac referral", "criteria": codes,
                                                   "repeat": referral.is_repeat, "listed": meeting is not None})
    return referral


def referral_create_for_new_victim(*, victim_given_name: str, victim_family_name: str,
                                   victim_date_of_birth: date | None = None, perpetrator_given_name: str = "",
                                   perpetrator_family_name: str = "", perpetrator_date_of_birth: date | None = None,
                                   by, now: datetime | None = None, request=None, **referral) -> MaracReferral:
    """A referral of a victim Vigil may hold nothing on yet (an IDVA, a GP or housing hears of the abuse
    first): the victim, and the perpetrator when named, are written as new person records, which linkage
    then matches to anyone the police already know (the referrer is never told whether it did). The
    records and the referral are saved together or not at all; `referral` is `referral_create`'s."""
    now = now or timezone.now()
    errors = {}
    if not (victim_family_name or "").strip():
        errors["victim_family_name"] = "Enter the victim's family name"
    if not (victim_given_name or "").strip():
        errors["victim_given_name"] = "Enter the victim's given name"
    if (perpetrator_given_name or "").strip() and not (perpetrator_family_name or "").strip():
        errors["perpetrator_family_name"] = "Enter the perpetrator's family name, or leave both names blank"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        victim = person_record_new(given_name=victim_given_name, family_name=victim_family_name,
                                   date_of_birth=victim_date_of_birth, now=now).person
        perpetrator = None
        if (perpetrator_family_name or "").strip():
            perpetrator = person_record_new(given_name=perpetrator_given_name,
                                            family_name=perpetrator_family_name,
                                            date_of_birth=perpetrator_date_of_birth, now=now).person
        return referral_create(victim=victim, perpetrator=perpetrator, by=by, now=now, request=request,
                               **referral)


# --- meetings and the agenda -----------------------------------------------------------------------------

def meetings_schedule(*, area: MaracArea, until: date, start: date | None = None, by=None,
                      now: datetime | None = None) -> list[MaracMeeting]:
    """Plan the area's meetings from `start` (today) to `until` from its rhythm (`schedule.meeting_dates`),
    inviting its member agencies, and list each waiting referral on the meeting whose cut-off it meets.
    Returns the meetings in the period (already planned ones too); running it again changes nothing."""
    start = start or _today(now)
    if by is not None and not is_coordinator(by):
        raise PermissionDenied("Only the MARAC coordinator plans meetings")
    dates = schedule.meeting_dates(area.anchor_date, area.meets_every_days, start, until)
    members = list(area.member_agencies.all())
    meetings = []
    with transaction.atomic():
        for held_on in dates:
            meeting, created = MaracMeeting.objects.get_or_create(area=area, held_on=held_on)
            if created:
                MaracAttendance.objects.bulk_create(
                    [MaracAttendance(meeting=meeting, agency=agency) for agency in members])
            meetings.append(meeting)
        placed = []
        for referral in referral_rows().select_for_update(of=("self",)).filter(area=area,
                                                                            status=MaracReferral.Status.RECEIVED):
            meeting = _meeting_for(area, referral.received_on)
            if meeting is not None:
                referral.meeting, referral.status = meeting, MaracReferral.Status.LISTED
                referral.save(update_fields=["meeting", "status"])
                placed.append(referral)
        if placed:
            audit_record_each(action="alteration", actor=by, object_type="marac.MaracArea", object_id=area.code,
                              subject_person_ids=sorted({r.victim.public_id for r in placed}, key=str),
                              detail={"step": "referrals listed", "referrals": len(placed)})
    return meetings


@dataclass(frozen=True)
class AgendaItem:
    """One case on the agenda: the plain rules' case and the rows behind it."""

    case: agenda_rules.AgendaCase
    referrals: tuple[MaracReferral, ...]
    actions: tuple[MaracAction, ...]

    @property
    def repeat(self) -> bool:
        return self.case.repeat


@dataclass(frozen=True)
class MeetingAgenda:
    meeting: MaracMeeting
    agenda: agenda_rules.Agenda
    items: tuple[AgendaItem, ...]
    waiting: tuple[MaracReferral, ...]


def may_see_meeting(user, meeting: MaracMeeting) -> bool:
    if sees_all_marac(user):
        return True
    return bool(user.is_active and user.has_perm("marac.view_marac") and user.agency_id
                and meeting.attendance.filter(agency_id=user.agency_id).exists())


def agenda_for(*, meeting: MaracMeeting, viewer, request=None) -> MeetingAgenda:
    """The meeting's agenda (`agenda.build_agenda` over the area's referrals and open actions): cases heard,
    repeats marked, open actions back from earlier meetings, referrals waiting for the next. For police
    who work MARAC and the agencies invited; a consultation of every victim on it (audited)."""
    if not may_see_meeting(viewer, meeting):
        raise PermissionDenied("Your agency is not invited to this meeting")
    held_on, look_back = meeting.held_on, meeting.held_on - AGENDA_LOOK_BACK
    rows = list(referral_rows().filter(area=meeting.area, received_on__lte=held_on)
                .filter(Q(received_on__gte=look_back) | ~Q(status=MaracReferral.Status.HEARD)))
    victims = {r.victim_id for r in rows}
    history = [referral_in(r) for r in referral_rows().filter(victim_id__in=victims, received_on__gte=look_back)]
    open_actions = list(_actions().filter(referral__area=meeting.area, status=MaracAction.Status.OPEN,
                                          meeting__held_on__lt=held_on))
    agenda = agenda_rules.build_agenda([referral_in(r) for r in rows], [action_in(a) for a in open_actions],
                                       held_on, meeting.cut_off, previous_referrals=history)
    by_referral = {str(r.public_id): r for r in rows}
    by_action = {str(a.public_id): a for a in open_actions}
    items = tuple(AgendaItem(case=case, referrals=tuple(by_referral[str(r.id)] for r in case.referrals),
                             actions=tuple(by_action[str(a.id)] for a in case.actions)) for case in agenda.cases)
    waiting = tuple(by_referral[str(r.id)] for r in agenda.waiting)
    # The victims on it, and the perpetrators the referrals name (the agenda shows them too).
    subjects = sorted({case.victim_key for case in agenda.cases}
                      | {str(r.perpetrator.public_id) for item in items for r in item.referrals if r.perpetrator_id},
                      key=str)
    audit_record_each(action="consultation", actor=viewer, obj=meeting, subject_person_ids=subjects,
                      request=request, detail={"view": "marac agenda", "cases": len(items)})
    return MeetingAgenda(meeting=meeting, agenda=agenda, items=items, waiting=waiting)


def research_add(*, referral: MaracReferral, by, text: str, now: datetime | None = None,
                 request=None) -> MaracResearch:
    """An agency's research on a case before its meeting: the police who work MARAC, or a partner agency
    invited to the meeting whose agenda the case is on."""
    now = now or timezone.now()
    errors: dict = {}
    text = _text(text, "text", "what your agency holds about the case", errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        referral = referral_rows().select_for_update(of=("self",)).get(pk=referral.pk)
        if referral.meeting_id is None:
            raise ValidationError("The case is not on a meeting's agenda yet")
        if referral.status == MaracReferral.Status.HEARD:
            raise ValidationError("The meeting has already heard this case")
        invited = by.agency_id and referral.meeting.attendance.filter(agency_id=by.agency_id).exists()
        if not (sees_all_marac(by) or (by.has_perm("marac.view_marac") and invited)):
            raise PermissionDenied("Your agency is not invited to the meeting that hears this case")
        research = MaracResearch.objects.create(referral=referral, agency=by.agency, author=by, text=text,
                                                added_at=now)
        audit_record_each(action="collection", actor=by, obj=research, subject_person_ids=subjects_of(referral),
                          request=request, detail={"step": "marac research", "referral": str(referral.public_id)})
    return research


def attendance_record(*, meeting: MaracMeeting, by, chair: User, present: Iterable[Agency] = (),
                      apologies: Iterable[Agency] = (), now: datetime | None = None,
                      request=None) -> MaracMeeting:
    """The chair's record of a meeting held: who chaired, which agencies were present or sent apologies
    (the others invited were absent), and the cases on its agenda now heard."""
    now = now or timezone.now()
    present, apologies = {a.pk: a for a in present}, {a.pk: a for a in apologies}
    errors: dict = {}
    if meeting.held_on > _today(now):
        errors["meeting"] = "The meeting has not happened yet"
    if present.keys() & apologies.keys():
        errors["apologies"] = "An agency cannot be both present and sending apologies"
    if not chair.is_active:
        errors["chair"] = "Choose an active user to chair the meeting"
    if errors:
        raise ValidationError(errors)
    if not (is_coordinator(by) or by.pk == chair.pk):
        raise PermissionDenied("Only the chair or the MARAC coordinator records the meeting")
    with transaction.atomic():
        meeting = MaracMeeting.objects.select_for_update().get(pk=meeting.pk)
        for agency in {**present, **apologies}.values():
            MaracAttendance.objects.get_or_create(meeting=meeting, agency=agency)
        for row in meeting.attendance.all():
            row.status = (MaracAttendance.Status.PRESENT if row.agency_id in present
                          else MaracAttendance.Status.APOLOGIES if row.agency_id in apologies
                          else MaracAttendance.Status.ABSENT)
            row.save(update_fields=["status"])
        meeting.chair, meeting.status, meeting.recorded_at = chair, MaracMeeting.Status.HELD, now
        meeting.save(update_fields=["chair", "status", "recorded_at"])
        heard = list(referral_rows().filter(meeting=meeting, status=MaracReferral.Status.LISTED))
        MaracReferral.objects.filter(pk__in=[r.pk for r in heard]).update(status=MaracReferral.Status.HEARD)
        audit_record_each(action="alteration", actor=by, obj=meeting, request=request,
                          subject_person_ids=sorted({r.victim.public_id for r in heard}, key=str),
                          detail={"step": "marac meeting held", "present": len(present),
                                  "apologies": len(apologies), "cases heard": len(heard)})
    return meeting


def discussion_record(*, referral: MaracReferral, by, text: str, request=None) -> MaracReferral:
    """The chair's note of what the meeting discussed about a case on its agenda."""
    errors: dict = {}
    text = _text(text, "discussion", "what the meeting discussed", errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        referral = referral_rows().select_for_update(of=("self",)).get(pk=referral.pk)
        if referral.meeting_id is None:
            raise ValidationError("The case is not on a meeting's agenda")
        if not may_run_meeting(by, referral.meeting):
            raise PermissionDenied("Only the chair or the MARAC coordinator records the discussion")
        referral.discussion = text
        referral.save(update_fields=["discussion"])
        audit_record_each(action="alteration", actor=by, obj=referral, subject_person_ids=subjects_of(referral),
                          request=request, detail={"step": "marac discussion", "fields": ["discussion"]})
    return referral


# --- actions ---------------------------------------------------------------------------------------------

def _on_agenda_for_review(referral: MaracReferral, meeting: MaracMeeting) -> bool:
    return referral.actions.filter(status=MaracAction.Status.OPEN, meeting__held_on__lt=meeting.held_on).exists()


def action_agree(*, meeting: MaracMeeting, referral: MaracReferral, by, description: str, agency: Agency,
                 due_on: date, owner: User | None = None, now: datetime | None = None,
                 request=None) -> MaracAction:
    """An action agreed at the meeting for a case on its agenda, owned by an agency (and, if named, one of
    its people), due on a day."""
    now = now or timezone.now()
    errors: dict = {}
    description = _text(description, "description", "what is to be done", errors)
    if referral.area_id != meeting.area_id or not (referral.meeting_id == meeting.pk
                                                   or _on_agenda_for_review(referral, meeting)):
        errors["referral"] = "The case is not on this meeting's agenda"
    if due_on < meeting.held_on:
        errors["due_on"] = "The action cannot be due before the meeting that agrees it"
    if owner is not None and owner.agency_id != agency.pk:
        errors["owner"] = f"The owner must work for {agency.name}, the agency responsible for the action"
    if errors:
        raise ValidationError(errors)
    if not may_run_meeting(by, meeting):
        raise PermissionDenied("Only the chair or the MARAC coordinator records actions")
    with transaction.atomic():
        action = MaracAction.objects.create(referral=referral, meeting=meeting, description=description,
                                            agency=agency, owner=owner, due_on=due_on, agreed_by=by, agreed_at=now)
        audit_record_each(action="collection", actor=by, obj=action, subject_person_ids=subjects_of(referral),
                          request=request, detail={"step": "marac action agreed", "agency": agency.code})
    return action


def action_complete(*, action: MaracAction, by, on: date | None = None, cancelled: bool = False,
                    outcome: str = "", now: datetime | None = None, request=None) -> MaracAction:
    """The owning agency (or the coordinator) closes an action: done, or cancelled because circumstances
    changed, with the reason."""
    now = now or timezone.now()
    on = on or _today(now)
    errors: dict = {}
    outcome = _text(outcome, "outcome", "the reason it is no longer needed", errors,
                    minimum=REASON_MIN_LENGTH if cancelled else 0)
    with transaction.atomic():
        action = _actions().select_for_update(of=("self",)).get(pk=action.pk)
        if not (is_coordinator(by) or (by.agency_id == action.agency_id and by.is_active)):
            raise PermissionDenied(f"Only {action.agency.name} or the MARAC coordinator closes this action")
        if action.status != MaracAction.Status.OPEN:
            raise ValidationError(f"This action is already {action.get_status_display().lower()}")
        if on < action.meeting.held_on:
            errors["on"] = "The action cannot be closed before the meeting that agreed it"
        if on > _today(now):
            errors["on"] = "The action cannot be closed in the future"
        if errors:
            raise ValidationError(errors)
        action.status = MaracAction.Status.CANCELLED if cancelled else MaracAction.Status.DONE
        action.completed_on, action.outcome = on, outcome
        action.save(update_fields=["status", "completed_on", "outcome"])
        audit_record_each(action="alteration", actor=by, obj=action, request=request,
                          subject_person_ids=subjects_of(action.referral),
                          detail={"step": f"marac action {action.status}"})
    return action


def marac_coordinator_for(area: MaracArea) -> tuple[User | None, object]:
    """Who an overdue action goes to: the area's coordination team's supervisor (else a coordinator in
    it), else any active MARAC coordinator in the force; and the team, if the area names one."""
    team = area.coordinating_team
    if team is not None:
        supervisors = team_supervisors(team)
        person = supervisors[0] if supervisors else \
            team.members.filter(role="marac_coordinator", is_active=True).order_by("pk").first()
        return person, team
    person = User.objects.filter(role="marac_coordinator", is_active=True, agency__kind=Agency.Kind.FORCE) \
        .order_by("pk").first()
    return person, None


def escalation_key(action: MaracAction) -> str:
    return f"escalate:marac-action:{action.public_id}"


MEETINGS_PLANNED_AHEAD = timedelta(weeks=8)


@dataclass(frozen=True)
class MaracSweepResult:
    meetings_planned: int
    actions_escalated: int


def marac_sweep(*, now: datetime | None = None) -> MaracSweepResult:
    """The worker's MARAC work: each area's meetings planned eight weeks ahead (waiting referrals listed
    on them) and overdue actions escalated to the coordinator. Both are idempotent."""
    today = _today(now)
    before = MaracMeeting.objects.count()
    for area in MaracArea.objects.all():
        meetings_schedule(area=area, start=today, until=today + MEETINGS_PLANNED_AHEAD, now=now)
    escalated = overdue_actions_escalate(on=today, now=now)
    return MaracSweepResult(meetings_planned=MaracMeeting.objects.count() - before, actions_escalated=len(escalated))


def overdue_actions_escalate(*, on: date, now: datetime | None = None) -> list[MaracAction]:
    """Open actions overdue on `on` (`actions.escalations`), each escalated once: `escalated_at` set and an
    urgent task for the MARAC coordinator (a cases Task with no case, keyed so it is never made twice),
    whose text names the action, its agency and dates, never the case's details. When the area has no
    coordinator or coordination team, `escalated_at` is still set and the action returned."""
    now = now or timezone.now()
    candidates = {str(a.public_id): a for a in _actions().filter(status=MaracAction.Status.OPEN,
                                                                 escalated_at__isnull=True, due_on__lt=on)}
    escalated = []
    for escalation in action_rules.escalations([action_in(a) for a in candidates.values()], on):
        with transaction.atomic():
            action = _actions().select_for_update(of=("self",)).get(pk=candidates[escalation.action.id].pk)
            if action.escalated_at is not None or action.status != MaracAction.Status.OPEN:
                continue
            coordinator, team = marac_coordinator_for(action.referral.area)
            if coordinator is not None or team is not None:
                task_create(case=None, kind=Task.Kind.ESCALATION, now=now, urgent=True, team=team,
                            assignee=coordinator, title="Overdue MARAC action", detail=escalation.reason,
                            subject=f"marac.MaracAction:{action.public_id}", due_at=now + ESCALATION_RESPONSE,
                            key=escalation_key(action))
            action.escalated_at = now
            action.save(update_fields=["escalated_at"])
            audit_record(action="alteration", obj=action, subject_person_id=action.referral.victim.public_id,
                         detail={"step": "marac action escalated", "days_overdue": escalation.days_overdue,
                                 "told": "coordinator" if coordinator or team else "nobody"})
            escalated.append(action)
    return escalated


# --- information held by another agency -------------------------------------------------------------------

def information_request_create(*, person, holding_agency: Agency, by, reason: str, referral=None,
                               now: datetime | None = None, request=None) -> MaracInformationRequest:
    """Ask an agency for what it holds about a person, having seen only that it holds something
    (`selectors.holders_of_information`). The person must be on a MARAC case shared with the asker."""
    from .selectors import person_shared_with  # selectors import this module

    now = now or timezone.now()
    errors: dict = {}
    reason = _text(reason, "reason", "the reason you need the information", errors, minimum=REASON_MIN_LENGTH)
    if not by.agency_id:
        raise PermissionDenied("You do not belong to an agency")
    if holding_agency.pk == by.agency_id:
        errors["holding_agency"] = "Your own agency holds this information: ask a colleague"
    if errors:
        raise ValidationError(errors)
    person_shared_with(person=person, viewer=by, request=request)  # NotFound (audited) when it is not shared
    with transaction.atomic():
        asked = MaracInformationRequest.objects.create(
            person=person, referral=referral, requesting_agency=by.agency, holding_agency=holding_agency,
            asked_by=by, asked_at=now, reason=reason)
        audit_record(action="collection", actor=by, obj=asked, subject_person_id=person.public_id, request=request,
                     detail={"step": "information requested", "from": holding_agency.code})
    return asked


def information_request_answer(*, info_request: MaracInformationRequest, by, answer: str, decline: bool = False,
                               now: datetime | None = None, request=None) -> MaracInformationRequest:
    """The holding agency answers (a disclosure, audited with the asker's reason) or declines, saying why
    (at least REASON_MIN_LENGTH characters, as for any refusal). Only an active user of the holding agency
    who works MARAC (`marac.view_marac`) answers."""
    now = now or timezone.now()
    errors: dict = {}
    answer = _text(answer, "answer", "the reason for declining" if decline else "the information", errors,
                   minimum=REASON_MIN_LENGTH if decline else 1)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        asked = MaracInformationRequest.objects.select_for_update(of=("self",)).select_related(
            "person", "requesting_agency", "holding_agency").get(pk=info_request.pk)
        if not (by.is_active and by.agency_id == asked.holding_agency_id and by.has_perm("marac.view_marac")):
            raise PermissionDenied(f"Only {asked.holding_agency.name} answers this request")
        if asked.status != MaracInformationRequest.Status.PENDING:
            raise ValidationError(f"This request is already {asked.get_status_display().lower()}")
        asked.status = MaracInformationRequest.Status.DECLINED if decline else MaracInformationRequest.Status.ANSWERED
        asked.answer, asked.answered_by, asked.answered_at = answer, by, now
        asked.save(update_fields=["status", "answer", "answered_by", "answered_at"])
        if decline:
            audit_record(action="alteration", actor=by, obj=asked, subject_person_id=asked.person.public_id,
                         request=request, detail={"step": "information request declined"})
        else:
            audit_record(action="disclosure", actor=by, obj=asked, subject_person_id=asked.person.public_id,
                         request=request, reason=asked.reason,
                         detail={"step": "information disclosed", "to": asked.requesting_agency.code})
    return asked
