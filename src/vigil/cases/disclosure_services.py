"""Clare's Law (the Domestic Violence Disclosure Scheme): requests under the right to ask and the right to
know, taken through their stages in order and decided within the policy's 28 days; immediate risk is
acted on at once. A disclosure goes only to the person best placed to protect the potential victim, with
a safety plan, and is audited as a disclosure with its reason.
"""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from vigil.audit.services import audit_record
from vigil.people.models import PersonRecord
from vigil.people.services import person_record_new
from vigil.workdays import LONDON

from . import deadlines
from .models import DisclosureRequest, SafeguardingCase, Task
from .services import REASON_MIN_LENGTH, subject_label, task_create, timeline_add

Stage = DisclosureRequest.Stage
Decision = DisclosureRequest.Decision
IMMEDIATE_RISK_HOURS = 1  # policy: "acted on at once"; the urgent task is due within the hour
REFERENCE_PREFIX = "DVDS"


def _person_id(record: PersonRecord):
    return record.person.public_id if record.person_id else None


def person_record_for(*, record: PersonRecord | None, given_name: str = "", family_name: str = "",
                      date_of_birth: date | None = None, field: str, now: datetime) -> PersonRecord:
    """The record given, or a new one written from the names given (a new record is never merged here:
    linkage proposes who it is)."""
    if record is not None:
        return record
    given_name, family_name = (given_name or "").strip(), (family_name or "").strip()
    if not family_name:
        raise ValidationError({f"{field}_family_name": "Enter the family name"})
    return person_record_new(given_name=given_name, family_name=family_name, date_of_birth=date_of_birth,
                             now=now)


def _next_reference(year: int) -> str:
    prefix = f"{REFERENCE_PREFIX}-{year}-"
    used = DisclosureRequest.objects.filter(reference__startswith=prefix).values_list("reference", flat=True)
    highest = max((int(r.rsplit("-", 1)[1]) for r in used if r.rsplit("-", 1)[1].isdigit()), default=0)
    return f"{prefix}{highest + 1:04d}"


def decision_key(request_: DisclosureRequest) -> str:
    return f"disclosure:{request_.public_id}"


def immediate_key(request_: DisclosureRequest) -> str:
    return f"disclosure-immediate:{request_.public_id}"


def disclosure_request_receive(*, by, route: str, applicant_is_third_party: bool = False,
                               potential_victim: PersonRecord | None = None, victim_given_name: str = "",
                               victim_family_name: str = "", victim_date_of_birth: date | None = None,
                               subject: PersonRecord | None = None, subject_given_name: str = "",
                               subject_family_name: str = "", subject_date_of_birth: date | None = None,
                               immediate_risk: bool = False, case: SafeguardingCase | None = None,
                               now: datetime | None = None, request=None) -> DisclosureRequest:
    """A request received (right to ask) or raised (right to know): a reference, the decision deadline,
    the decision task for the handler's team and, on immediate risk, an urgent task due within the hour."""
    now = now or timezone.now()
    if route not in DisclosureRequest.Route.values:
        raise ValidationError({"route": "Choose right to ask or right to know"})
    errors = {}
    for field, record, family in (("victim", potential_victim, victim_family_name),
                                  ("subject", subject, subject_family_name)):
        if record is None and not (family or "").strip():
            errors[f"{field}_family_name"] = "Enter the family name"
    if errors:
        raise ValidationError(errors)
    team = by.teams.order_by("pk").first()
    with transaction.atomic():
        victim = person_record_for(record=potential_victim, given_name=victim_given_name, family_name=victim_family_name,
                                   date_of_birth=victim_date_of_birth, field="victim", now=now)
        subject_record = person_record_for(record=subject, given_name=subject_given_name,
                                           family_name=subject_family_name, date_of_birth=subject_date_of_birth,
                                           field="subject", now=now)
        year = now.astimezone(LONDON).year
        for _ in range(5):
            try:
                with transaction.atomic():
                    dr = DisclosureRequest.objects.create(
                        reference=_next_reference(year), route=route, applicant_is_third_party=applicant_is_third_party,
                        potential_victim=victim, subject=subject_record, case=case, received_at=now,
                        decide_by=deadlines.clares_law_decision_deadline(now), immediate_risk=immediate_risk,
                        handled_by=by)
                break
            except IntegrityError:
                continue
        else:
            raise ValidationError("Could not give the request a reference; try again")
        task_create(case=case, kind=Task.Kind.DISCLOSURE_DECISION, now=now, assignee=by, team=team,
                    title=f"Decide disclosure request {dr.reference} ({dr.get_route_display().lower()})",
                    due_at=dr.decide_by, subject=subject_label(dr), key=decision_key(dr))
        if immediate_risk:
            task_create(case=case, kind=Task.Kind.DISCLOSURE_DECISION, now=now, assignee=by, team=team, urgent=True,
                        title=f"Immediate risk on disclosure request {dr.reference}: act now to protect the "
                              "potential victim", due_at=now + timedelta(hours=IMMEDIATE_RISK_HOURS),
                        subject=subject_label(dr), key=immediate_key(dr))
        if case is not None:
            timeline_add(case=case, kind="disclosure_received", at=now, actor=by, subject=subject_label(dr),
                         summary=f"Disclosure request {dr.reference} received ({dr.get_route_display().lower()})"
                                 + ("; immediate risk" if immediate_risk else ""))
        audit_record(action="collection", actor=by, obj=dr, subject_person_id=_person_id(victim), request=request,
                     detail={"step": "disclosure request received", "route": route, "immediate_risk": immediate_risk,
                             "third_party": applicant_is_third_party})
    return dr


def _locked(dr: DisclosureRequest) -> DisclosureRequest:
    dr = DisclosureRequest.objects.select_for_update(of=("self",)).select_related("potential_victim").get(pk=dr.pk)
    if dr.decision:
        raise ValidationError(f"Request {dr.reference} is already decided")
    return dr


def disclosure_stage_advance(*, disclosure: DisclosureRequest, by, to_stage: int, note: str = "",
                             now: datetime | None = None, request=None) -> DisclosureRequest:
    """Move the request to its next stage (stages are taken in order, none skipped). The last stage is
    reached only by the decision."""
    now = now or timezone.now()
    with transaction.atomic():
        dr = _locked(disclosure)
        if to_stage != dr.stage + 1:
            raise ValidationError({"to_stage": f"The stages are taken in order: the next is stage {dr.stage + 1}, "
                                               f"{Stage(min(dr.stage + 1, Stage.DECIDED)).label.lower()}"})
        if to_stage >= Stage.DECIDED:
            raise ValidationError({"to_stage": "Record the decision to complete the last stage"})
        previous = dr.stage
        dr.stage = to_stage
        dr.save(update_fields=["stage"])
        note = (note or "").strip()
        if dr.case_id:
            timeline_add(case=dr.case, kind="disclosure_stage", at=now, actor=by, subject=subject_label(dr),
                         summary=f"Disclosure request {dr.reference}: stage {Stage(previous).label.lower()} complete; "
                                 f"now {Stage(to_stage).label.lower()}" + (f". {note}" if note else ""))
        audit_record(action="alteration", actor=by, obj=dr, subject_person_id=_person_id(dr.potential_victim),
                     request=request, detail={"step": "disclosure stage", "from": previous, "to": to_stage})
    return dr


def disclosure_decide(*, disclosure: DisclosureRequest, by, decision: str, safety_plan: str, disclosed_to: str = "",
                      reason: str = "", now: datetime | None = None, request=None) -> DisclosureRequest:
    """Decide after the multi-agency decision stage: disclose (to the person best placed to protect the
    potential victim, with the reason) or not; a safety plan either way."""
    now = now or timezone.now()
    errors = {}
    if decision not in Decision.values:
        errors["decision"] = "Choose whether to disclose"
    safety_plan = (safety_plan or "").strip()
    if not safety_plan:
        errors["safety_plan"] = "Enter the safety plan"
    disclosed_to, reason = (disclosed_to or "").strip(), (reason or "").strip()
    if decision == Decision.DISCLOSE:
        if not disclosed_to:
            errors["disclosed_to"] = "Enter the person best placed to protect the potential victim"
        if len(reason) < REASON_MIN_LENGTH:
            errors["reason"] = f"Give the reason for the disclosure (at least {REASON_MIN_LENGTH} characters)"
    else:
        disclosed_to = ""
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        dr = _locked(disclosure)
        if dr.stage < Stage.MULTI_AGENCY:
            raise ValidationError(f"Complete the stages first: the request is at stage {dr.stage}, "
                                  f"{dr.get_stage_display().lower()}")
        dr.stage = Stage.DECIDED
        dr.decision = decision
        dr.decided_at = now
        dr.disclosed_to = disclosed_to[:200]
        dr.safety_plan = safety_plan
        dr.save(update_fields=["stage", "decision", "decided_at", "disclosed_to", "safety_plan"])
        Task.objects.filter(key__in=[decision_key(dr), immediate_key(dr)], status=Task.Status.OPEN).update(
            status=Task.Status.DONE, done_at=now, done_by=by, outcome=dr.get_decision_display())
        if dr.case_id:
            timeline_add(case=dr.case, kind="disclosure_decided", at=now, actor=by, subject=subject_label(dr),
                         summary=f"Disclosure request {dr.reference}: {dr.get_decision_display().lower()}"
                                 + (f" to {dr.disclosed_to}" if dr.disclosed_to else "") + "; safety plan recorded")
        person_id = _person_id(dr.potential_victim)
        if decision == Decision.DISCLOSE:
            audit_record(action="disclosure", actor=by, obj=dr, subject_person_id=person_id, request=request,
                         reason=reason, detail={"step": "disclosure decided", "decision": decision})
        else:
            audit_record(action="alteration", actor=by, obj=dr, subject_person_id=person_id, request=request,
                         detail={"step": "disclosure decided", "decision": decision})
    return dr


def open_requests(*, now: datetime) -> list[tuple[DisclosureRequest, int]]:
    """Undecided requests with the days left to decide them (negative when overdue), overdue first."""
    rows = DisclosureRequest.objects.filter(decision="").select_related("potential_victim", "subject", "handled_by") \
        .order_by("decide_by", "pk")
    today = now.astimezone(LONDON).date()
    return [(dr, (dr.decide_by.astimezone(LONDON).date() - today).days) for dr in rows]
