"""Referrals from a case to another agency: the victim's consent or the override and its reason, and the
receiving agency's acknowledgement, chased to a deadline that depends on the kind of referral.

A referral shares personal data with another agency, so it is audited as a disclosure with its reason.
Overdue acknowledgement tasks are escalated like any other task (`services.task_escalate`).
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from vigil.audit.services import audit_record
from vigil.workdays import next_school_day_start

from . import deadlines
from .models import Referral, SafeguardingCase, Task
from .services import REASON_MIN_LENGTH, locked, subject_label, subject_of, task_create, timeline_add

Kind = Referral.Kind
Consent = Referral.Consent

# Policy: how long the receiving agency has to acknowledge, by kind of referral.
ACK_ONE_WORKING_DAY = frozenset({Kind.IDVA, Kind.CHILDRENS_SERVICES})  # high-harm work: by the next working day
ACK_BEFORE_NEXT_SCHOOL_DAY = frozenset({Kind.SCHOOL})  # Operation Encompass
ACK_OTHER_WORKING_DAYS = deadlines.STANDARD_WORKING_DAYS  # everything else: 5 working days
# The kind of partner agency a referral of each kind would go to (a choice offered, not a rule).
AGENCY_KIND_FOR = {Kind.IDVA: "idva", Kind.CHILDRENS_SERVICES: "childrens_services", Kind.SCHOOL: "education",
                   Kind.HOUSING: "housing", Kind.HEALTH: "health", Kind.PROBATION: "probation"}


def acknowledge_deadline(kind: str, sent_at: datetime) -> datetime:
    """When the agency must have acknowledged a referral of this kind sent at `sent_at`, in UTC: IDVA and
    children's services by the end of the next working day, a school before the start of the next school
    day, others by the end of the fifth working day."""
    if kind in ACK_ONE_WORKING_DAY:
        return deadlines.key_event_deadline(sent_at, enhanced=True)
    if kind in ACK_BEFORE_NEXT_SCHOOL_DAY:
        return next_school_day_start(sent_at)
    return deadlines.key_event_deadline(sent_at, enhanced=False)


def ack_key(referral: Referral) -> str:
    return f"referral-ack:{referral.public_id}"


def referral_send(*, case: SafeguardingCase, by, kind: str, consent: str, agency=None, recipient: str = "",
                  override_reason: str = "", detail: str = "", now: datetime | None = None,
                  request=None) -> Referral:
    """Record a referral sent, with the victim's consent or the override and its reason, and open the
    task to chase its acknowledgement by the policy's deadline."""
    now = now or timezone.now()
    errors = {}
    if kind not in Kind.values:
        errors["kind"] = "Choose the kind of referral"
    recipient = (recipient or "").strip()
    if agency is not None and agency.is_force:
        errors["agency"] = "Refer to a partner agency, not the force"
    if agency is None and not recipient:
        errors["recipient"] = "Choose the agency or enter the service or school referred to"
    override_reason = (override_reason or "").strip()
    if consent not in Consent.values:
        errors["consent"] = "Say whether the victim agreed to the referral"
    elif consent != Consent.GIVEN and len(override_reason) < REASON_MIN_LENGTH:
        errors["override_reason"] = f"Give the reason for referring without the victim's consent (at least " \
                                    f"{REASON_MIN_LENGTH} characters)"
    if errors:
        raise ValidationError(errors)
    if consent == Consent.GIVEN:
        override_reason = ""
    with transaction.atomic():
        case = locked(case)
        if case.closed_at is not None:
            raise ValidationError("The case is closed")
        referral = Referral.objects.create(
            case=case, kind=kind, agency=agency, recipient=(recipient or (agency.name if agency else ""))[:200],
            consent=consent, override_reason=override_reason[:500], detail=(detail or "").strip(), sent_at=now,
            sent_by=by, acknowledge_by=acknowledge_deadline(kind, now))
        task_create(case=case, kind=Task.Kind.REFERRAL_ACK, now=now, due_at=referral.acknowledge_by,
                    title=f"Chase the acknowledgement of the {referral.get_kind_display().lower()} referral "
                          f"({referral.recipient})",
                    subject=subject_label(referral), key=ack_key(referral))
        consent_text = referral.get_consent_display() + (f" ({override_reason})" if override_reason else "")
        timeline_add(case=case, kind="referral_sent", at=now, actor=by, subject=subject_label(referral),
                     summary=f"Referral to {referral.recipient} ({referral.get_kind_display()}): {consent_text}")
        audit_record(action="disclosure", actor=by, obj=referral, subject_person_id=subject_of(case), request=request,
                     reason=override_reason or f"{referral.get_kind_display()} referral with the victim's consent",
                     detail={"step": "referral sent", "kind": kind, "consent": consent,
                             "agency": agency.code if agency else None})
    return referral


def may_acknowledge(referral: Referral, user) -> bool:
    """Force users who may work on cases record acknowledgements for any referral; a partner agency's
    users only for referrals sent to their own agency."""
    if user.agency_id and user.agency.is_force:
        return user.has_perm("cases.work_on_case")
    return referral.agency_id is not None and referral.agency_id == user.agency_id


def referral_acknowledge(*, referral: Referral, by, acknowledged_by: str, now: datetime | None = None,
                         request=None) -> Referral:
    """The agency acknowledged the referral: who, and their reference. The chasing task is done."""
    now = now or timezone.now()
    acknowledged_by = (acknowledged_by or "").strip()
    if not acknowledged_by:
        raise ValidationError({"acknowledged_by": "Enter who acknowledged the referral and their reference"})
    if not may_acknowledge(referral, by):
        raise PermissionDenied("This referral was not sent to your agency")
    with transaction.atomic():
        case = locked(referral.case)
        referral = Referral.objects.select_for_update(of=("self",)).get(pk=referral.pk)
        if referral.acknowledged_at is not None:
            raise ValidationError("This referral is already acknowledged")
        referral.acknowledged_at = now
        referral.acknowledged_by = acknowledged_by[:200]
        referral.save(update_fields=["acknowledged_at", "acknowledged_by"])
        Task.objects.filter(key=ack_key(referral), status=Task.Status.OPEN).update(
            status=Task.Status.DONE, done_at=now, done_by=by, outcome="Acknowledged")
        late = " (after its deadline)" if now > referral.acknowledge_by else ""
        timeline_add(case=case, kind="referral_acknowledged", at=now, actor=by, subject=subject_label(referral),
                     summary=f"Referral to {referral.recipient} acknowledged{late}: {referral.acknowledged_by}")
        audit_record(action="alteration", actor=by, obj=referral, subject_person_id=subject_of(case), request=request,
                     detail={"step": "referral acknowledged", "late": bool(late)})
    return referral
