"""Lessons from reviews, the changes of state: a review registered, its lessons recorded and their
progress, a briefing issued to roles and teams (or withdrawn), a briefing acknowledged, the coverage
exported.

Each function that changes state runs in one transaction and writes its audit event through
`vigil.audit.services`, as `marac/services.py` does. Registering, recording and issuing need
`insight.manage_lessons` (analysts and administrators); acknowledging needs the briefing to be addressed
to the user. Reviews are published anonymised, so the events name no person as subject.
"""

import csv
import io
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from vigil.accounts.models import Team, User
from vigil.accounts.roles import ROLE_BY_CODE
from vigil.audit.services import audit_record
from vigil.csvsafe import csv_safe

from .lessons_selectors import briefing_is_addressed_to, coverage_report, lesson_owner_choices
from .models import (
    BRIEFING_TEXT_LENGTH,
    Briefing,
    BriefingAcknowledgement,
    BriefingRole,
    Lesson,
    LessonUpdate,
    Review,
)

MANAGE = "insight.manage_lessons"
NOTE_MIN_LENGTH = 10


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _require_manager(by) -> None:
    if not by.has_perm(MANAGE):
        raise PermissionDenied("Only analysts and administrators keep the register of reviews")


def _text(value: str, field: str, what: str, errors: dict, *, maximum: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = f"Enter {what}"
    elif maximum is not None and len(value) > maximum:
        errors[field] = f"{what[0].upper()}{what[1:]} must be {maximum} characters or fewer"
    return value


# --- the register ----------------------------------------------------------------------------------------

def review_register(*, kind: str, reference: str, title: str, published_on: date | None, summary: str,
                    by: User, area=None, now: datetime | None = None, request=None) -> Review:
    """Add a published review to the register."""
    _require_manager(by)
    now = _now(now)
    errors: dict[str, str] = {}
    if kind not in Review.Kind.values:
        errors["kind"] = "Choose the kind of review"
    reference = _text(reference, "reference", "the review's published reference", errors, maximum=60)
    if reference and Review.objects.filter(reference__iexact=reference).exists():
        errors["reference"] = "A review with this reference is already in the register"
    title = _text(title, "title", "the review's published title", errors, maximum=200)
    summary = _text(summary, "summary", "a summary of the review", errors)
    if published_on is None:
        errors["published_on"] = "Enter the date the review was published"
    elif published_on > timezone.localdate(now):
        errors["published_on"] = "The date the review was published must be today or in the past"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        review = Review.objects.create(kind=kind, reference=reference, title=title, published_on=published_on,
                                       area=area, summary=summary, registered_by=by, registered_at=now)
        audit_record(action="collection", actor=by, obj=review, request=request,
                     detail={"step": "review registered", "kind": kind})
    return review


def lesson_record(*, review: Review, text: str, action: str, owner: User | None, due_on: date | None,
                  by: User, now: datetime | None = None, request=None) -> Lesson:
    """Record a lesson a review teaches, the action to be taken, who owns it and by when."""
    _require_manager(by)
    now = _now(now)
    errors: dict[str, str] = {}
    text = _text(text, "text", "the lesson", errors)
    action = _text(action, "action", "the action to be taken", errors)
    if owner is None:
        errors["owner"] = "Choose who owns the action"
    elif not lesson_owner_choices().filter(pk=owner.pk).exists():
        errors["owner"] = "The owner must be an active member of the force"
    if due_on is None:
        errors["due_on"] = "Enter the date the action is due"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        lesson = Lesson.objects.create(review=review, text=text, action=action, owner=owner, due_on=due_on,
                                       recorded_by=by, recorded_at=now)
        audit_record(action="collection", actor=by, obj=lesson, request=request,
                     detail={"step": "lesson recorded", "review": str(review.public_id)})
    return lesson


def lesson_update(*, lesson: Lesson, status: str, note: str, by: User, now: datetime | None = None,
                  request=None) -> Lesson:
    """Record progress on a lesson's action: its status (the same or a new one) and a note. The note is
    kept in the lesson's history; "done" records the day it was done."""
    _require_manager(by)
    now = _now(now)
    errors: dict[str, str] = {}
    if status not in Lesson.Status.values:
        errors["status"] = "Choose the status of the action"
    note = (note or "").strip()
    if len(note) < NOTE_MIN_LENGTH:
        errors["note"] = f"Say what has been done (at least {NOTE_MIN_LENGTH} characters)"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
        before = lesson.status
        lesson.status = status
        if status != Lesson.Status.DONE:
            lesson.completed_on = None
        elif before != Lesson.Status.DONE:
            lesson.completed_on = timezone.localdate(now)
        lesson.save(update_fields=["status", "completed_on"])
        LessonUpdate.objects.create(lesson=lesson, status=status, note=note, by=by, at=now)
        audit_record(action="alteration", actor=by, obj=lesson, request=request,
                     detail={"step": "lesson progress", "from": before, "to": status})
    return lesson


# --- briefings -------------------------------------------------------------------------------------------

def briefing_issue(*, lesson: Lesson, title: str, text: str, roles=(), teams=(), by: User,
                   now: datetime | None = None, request=None) -> Briefing:
    """Issue a briefing on a lesson to the roles and/or teams it concerns. Everyone addressed sees it
    unread until they acknowledge it."""
    _require_manager(by)
    now = _now(now)
    errors: dict[str, str] = {}
    title = _text(title, "title", "a title for the briefing", errors, maximum=120)
    text = _text(text, "text", "the briefing", errors, maximum=BRIEFING_TEXT_LENGTH)
    roles = sorted(set(roles or ()))
    teams = list(teams or ())
    if any(code not in ROLE_BY_CODE for code in roles):
        errors["roles"] = "Choose the roles from the list"
    if not roles and not teams:
        errors["roles"] = "Choose at least one role or team the briefing is for"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        briefing = Briefing.objects.create(lesson=lesson, title=title, text=text, issued_by=by, issued_at=now)
        BriefingRole.objects.bulk_create([BriefingRole(briefing=briefing, role=code) for code in roles])
        briefing.target_teams.set(teams)
        audit_record(action="collection", actor=by, obj=briefing, request=request,
                     detail={"step": "briefing issued", "lesson": str(lesson.public_id), "roles": roles,
                             "teams": sorted(t.code for t in teams)})
    return briefing


def briefing_withdraw(*, briefing: Briefing, reason: str, by: User, now: datetime | None = None,
                      request=None) -> Briefing:
    """Withdraw a briefing (issued in error, or overtaken): nobody is asked to read it any more. It and
    its acknowledgements are kept."""
    _require_manager(by)
    now = _now(now)
    reason = (reason or "").strip()
    if len(reason) < NOTE_MIN_LENGTH:
        raise ValidationError({"reason": f"Give the reason for withdrawing the briefing (at least "
                                          f"{NOTE_MIN_LENGTH} characters)"})
    with transaction.atomic():
        briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
        if briefing.withdrawn_at is not None:
            raise ValidationError({"reason": "The briefing has already been withdrawn"})
        briefing.withdrawn_at, briefing.withdrawn_by, briefing.withdrawn_reason = now, by, reason
        briefing.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
        audit_record(action="alteration", actor=by, obj=briefing, request=request,
                     detail={"step": "briefing withdrawn"})
    return briefing


def briefing_acknowledge(*, briefing: Briefing, user: User, now: datetime | None = None,
                         request=None) -> tuple[BriefingAcknowledgement, bool]:
    """Record that `user` has read `briefing`: (the acknowledgement, whether it is new). Acknowledging
    again changes nothing and writes no event. Only a briefing addressed to the user, and not withdrawn,
    can be acknowledged."""
    if not briefing_is_addressed_to(briefing=briefing, user=user):
        raise PermissionDenied("This briefing is not addressed to you")
    existing = BriefingAcknowledgement.objects.filter(briefing=briefing, user=user).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            acknowledgement = BriefingAcknowledgement.objects.create(briefing=briefing, user=user,
                                                                     acknowledged_at=_now(now))
            audit_record(action="collection", actor=user, obj=briefing, request=request,
                         detail={"step": "briefing acknowledged"})
    except IntegrityError:  # the same user's second click, landing at the same moment
        return BriefingAcknowledgement.objects.get(briefing=briefing, user=user), False
    return acknowledgement, True


# --- coverage --------------------------------------------------------------------------------------------

CSV_COLUMNS = ["Review", "Briefing", "Briefing id", "Issued (Europe/London)", "Team", "Addressed", "Acknowledged",
               "Acknowledged (%)"]


def coverage_export(*, viewer: User, now: datetime | None = None, request=None) -> tuple[str, str]:
    """The coverage of every briefing in force, per team, as CSV: (filename, text). Audited as an export."""
    _require_manager(viewer)
    now = _now(now)
    report = coverage_report(viewer=viewer)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    rows = 0
    for item in report:
        briefing = item.briefing
        issued = f"{timezone.localtime(briefing.issued_at):%Y-%m-%d %H:%M}"
        for line in (*item.teams, item.total):
            name = "All addressed users" if line is item.total else (
                line.team.name if isinstance(line.team, Team) else "No team")
            writer.writerow([csv_safe(v) for v in (
                briefing.lesson.review.reference, briefing.title, briefing.public_id, issued, name, line.addressed,
                line.acknowledged, "" if line.percent is None else line.percent)])
            rows += 1
    audit_record(action="export", actor=viewer, object_type="insight.Briefing", object_id="coverage",
                 request=request, detail={"step": "briefing coverage", "briefings": len(report), "rows": rows})
    return f"vigil-briefing-coverage-{timezone.localtime(now):%Y%m%d-%H%M}.csv", out.getvalue()
