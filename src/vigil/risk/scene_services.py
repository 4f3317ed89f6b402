"""At the scene: positive action, the immediate safety measures and the advice given; evidence with its
SHA-256 digest and chain of custody; children's services referrals and Operation Encompass notices.

Evidence files are never served as they are: `evidence_open` reads the stored file, checks its digest
against the one recorded when it was uploaded and writes a custody event either way. A file changed on
disk is refused, and the refusal stays in the custody log and the audit log.
"""

import hashlib
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from vigil import workdays
from vigil.audit.services import audit_record
from vigil.incidents.models import Involvement

from . import routing, scene
from .models import ChildNotification, CustodyEvent, Evidence, RiskAssessment

# Policy values (domain.md): defaults here until they become administered policy data.
MAX_PHOTO_BYTES = 25 * 1024 * 1024
CHILDRENS_SERVICES_REFERRAL_DUE = timedelta(hours=24)
ENCOMPASS_MIN_AGE = 4  # reception age; younger children get the children's services referral only
ADULT_AGE = 18
NO_ARREST_REASON_MIN_LENGTH = 10
BWV_REFERENCE_MAX_LENGTH = 100
DESCRIPTION_MAX_LENGTH = 300
RECIPIENT_MAX_LENGTH = 200
HASH_CHUNK_SIZE = 64 * 1024

# What a phone may upload, by the bytes at the start of the file (the browser's word is not enough).
PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/heic": "heic", "image/webp": "webp"}
# What browsers and phones call those types.
CLAIMED_TYPE_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/heif": "image/heic",
                        "image/heic-sequence": "image/heic", "image/heif-sequence": "image/heic"}
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


class EvidenceIntegrityError(Exception):
    """The stored file is missing or its digest differs from the one recorded at upload. Refused; the
    attempt is in the custody log."""


# --- at the scene ---------------------------------------------------------------------------------------

def _subject(assessment: RiskAssessment):
    person = assessment.victim.person
    return person.public_id if person is not None else None


def _codes(values: Iterable[str] | None, allowed: dict[str, str], field: str, errors: dict) -> list[str]:
    chosen = []
    for value in values or ():
        value = (value or "").strip()
        if value and value not in chosen:
            chosen.append(value)
    unknown = [c for c in chosen if c not in allowed]
    if unknown:
        errors[field] = "Choose from the options listed."
    return [c for c in allowed if c in chosen]  # in the checklist's order


def scene_record(*, assessment: RiskAssessment, by, positive_action: str, no_arrest_reason: str = "",
                 safety_measures: Iterable[str] = (), advice_and_support: Iterable[str] = (),
                 other_factors: Iterable[str] = (), now: datetime | None = None, request=None) -> RiskAssessment:
    """Record what the attending officer did at the scene. Positive action is required; a decision not
    to arrest where a power exists needs its reason. Only the assessment's officer, while it is being
    completed. Opens the children's notifications the incident calls for."""
    now = now or timezone.now()
    if assessment.officer_id is not None and assessment.officer_id != by.pk:
        raise PermissionDenied
    if assessment.status != RiskAssessment.Status.IN_PROGRESS:
        raise ValidationError("This assessment has been submitted: what was done at the scene can no longer "
                              "be changed.")
    errors: dict[str, str] = {}
    if positive_action not in RiskAssessment.PositiveAction.values:
        errors["positive_action"] = "Say what positive action was taken."
    reason = (no_arrest_reason or "").strip()
    if positive_action == RiskAssessment.PositiveAction.NOT_ARRESTED:
        if len(reason) < NO_ARREST_REASON_MIN_LENGTH:
            errors["no_arrest_reason"] = "Give the reason the suspect was not arrested."
    else:
        reason = ""  # a reason belongs only to a decision not to arrest
    measures = _codes(safety_measures, scene.SAFETY_MEASURES, "safety_measures", errors)
    advice = _codes(advice_and_support, scene.ADVICE, "advice_and_support", errors)
    factors = _codes(other_factors, routing.OTHER_FACTORS, "other_factors", errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        assessment.positive_action = positive_action
        assessment.no_arrest_reason = reason
        assessment.safety_measures = measures
        assessment.advice_and_support = advice
        assessment.other_factors = factors
        assessment.save(update_fields=["positive_action", "no_arrest_reason", "safety_measures",
                                       "advice_and_support", "other_factors"])
        child_notifications_create(assessment=assessment, now=now)
        audit_record(action="collection", actor=by, obj=assessment, subject_person_id=_subject(assessment),
                     request=request, detail={"step": "scene", "positive_action": positive_action,
                                              "safety_measures": len(measures), "advice": len(advice),
                                              "other_factors": factors})
    return assessment


# --- evidence --------------------------------------------------------------------------------------------

def photo_type_of(head: bytes) -> str | None:
    """The image type the first bytes of a file show, or None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "image/heic"
    return None


def _file_digest(chunks: Iterable[bytes], *, limit: int | None = None) -> tuple[str, int, bytes]:
    """SHA-256 (hex), size and first bytes of a stream read in chunks; stops once past `limit`."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    for chunk in chunks:
        if len(head) < 32:
            head += chunk[:32 - len(head)]
        digest.update(chunk)
        size += len(chunk)
        if limit is not None and size > limit:
            break
    return digest.hexdigest(), size, head


def _stored_digest(evidence: Evidence) -> tuple[str, int] | None:
    """The digest and size of the file as stored now, or None when it cannot be read."""
    try:
        with evidence.file.storage.open(evidence.file.name, "rb") as stored:
            sha256, size, _ = _file_digest(iter(lambda: stored.read(HASH_CHUNK_SIZE), b""))
    except (OSError, ValueError):
        return None
    return sha256, size


def _custody(evidence: Evidence, action: str, by, at: datetime, sha256: str = "", note: str = "") -> CustodyEvent:
    return CustodyEvent.objects.create(evidence=evidence, action=action, by=by, at=at, sha256=sha256,
                                       note=note[:300])


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


def _checked_photo(upload) -> tuple[str, int, str]:
    """Stream an uploaded photograph through SHA-256, refusing what is too big or not a photograph.
    Returns (sha256, size, content type shown by its bytes). Nothing is written."""
    if upload is None:
        raise ValidationError({"upload": "Choose a photograph to upload."})
    if upload.size is not None and upload.size > MAX_PHOTO_BYTES:
        raise ValidationError({"upload": f"The photograph must be smaller than {_mb(MAX_PHOTO_BYTES)}."})
    if upload.size == 0:
        raise ValidationError({"upload": "The chosen file is empty."})
    claimed = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    claimed = CLAIMED_TYPE_ALIASES.get(claimed, claimed)
    if claimed not in PHOTO_TYPES:
        raise ValidationError({"upload": "The photograph must be a JPG, PNG, HEIC or WebP image."})
    upload.seek(0)
    sha256, size, head = _file_digest(upload.chunks(HASH_CHUNK_SIZE), limit=MAX_PHOTO_BYTES)
    upload.seek(0)
    if size > MAX_PHOTO_BYTES:
        raise ValidationError({"upload": f"The photograph must be smaller than {_mb(MAX_PHOTO_BYTES)}."})
    if size == 0:
        raise ValidationError({"upload": "The chosen file is empty."})
    detected = photo_type_of(head)
    if detected is None:
        raise ValidationError({"upload": "The file is not a JPG, PNG, HEIC or WebP image (its contents do not "
                                         "match a photograph)."})
    return sha256, size, detected


def evidence_add(*, assessment: RiskAssessment, by, kind: str, reference: str = "", upload=None,
                 description: str = "", now: datetime | None = None, request=None) -> Evidence:
    """Record body-worn video by its reference, or upload a photograph: its SHA-256 digest is taken as it
    streams in, checked again once stored, and the first custody event records it."""
    now = now or timezone.now()
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise ValidationError({"description": f"Keep the description under {DESCRIPTION_MAX_LENGTH} characters."})
    if kind == Evidence.Kind.BODY_WORN_VIDEO:
        reference = (reference or "").strip()
        if upload is not None:
            raise ValidationError({"upload": "Record body-worn video by its reference; upload photographs as "
                                             "photographs."})
        if not reference:
            raise ValidationError({"reference": "Enter the body-worn video reference."})
        if len(reference) > BWV_REFERENCE_MAX_LENGTH:
            raise ValidationError({"reference": f"The reference must be {BWV_REFERENCE_MAX_LENGTH} characters "
                                                "or fewer."})
        with transaction.atomic():
            evidence = Evidence.objects.create(assessment=assessment, kind=kind, reference=reference,
                                               description=description, uploaded_by=by, uploaded_at=now)
            _custody(evidence, CustodyEvent.Action.RECORDED, by, now, note="Body-worn video reference recorded")
            audit_record(action="collection", actor=by, obj=evidence, subject_person_id=_subject(assessment),
                         request=request, detail={"assessment": str(assessment.public_id), "kind": kind})
        return evidence
    if kind != Evidence.Kind.PHOTOGRAPH:
        raise ValidationError({"kind": "Choose body-worn video or a photograph."})

    sha256, size, content_type = _checked_photo(upload)
    evidence = Evidence(public_id=uuid.uuid4(), assessment=assessment, kind=kind, content_type=content_type,
                        size=size, sha256=sha256, description=description, uploaded_by=by, uploaded_at=now)
    # The stored name is Vigil's own: the phone's file name may say who or where.
    evidence.file.save(f"{evidence.public_id}.{PHOTO_TYPES[content_type]}", upload, save=False)
    try:
        stored = _stored_digest(evidence)
        if stored != (sha256, size):
            raise ValidationError({"upload": "The photograph changed while it was being stored. Upload it again."})
        with transaction.atomic():
            evidence.save()
            _custody(evidence, CustodyEvent.Action.RECORDED, by, now, sha256=sha256,
                     note=f"Photograph uploaded ({content_type}, {size} bytes)")
            audit_record(action="collection", actor=by, obj=evidence, subject_person_id=_subject(assessment),
                         request=request, detail={"assessment": str(assessment.public_id), "kind": kind,
                                                  "size": size, "sha256": sha256})
    except BaseException:
        evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence


OPEN_ACTIONS = (CustodyEvent.Action.VIEWED, CustodyEvent.Action.DOWNLOADED, CustodyEvent.Action.VERIFIED)
AUDIT_ACTION_FOR = {CustodyEvent.Action.VIEWED: "consultation", CustodyEvent.Action.DOWNLOADED: "download",
                    CustodyEvent.Action.VERIFIED: "consultation"}


def evidence_open(*, evidence: Evidence, by, action: str = CustodyEvent.Action.DOWNLOADED,
                  now: datetime | None = None, request=None) -> CustodyEvent:
    """Check the stored photograph against its recorded digest before anyone sees it, and log the step.

    On a match: a custody event (viewed, downloaded or verified) with the digest seen. On a mismatch or a
    missing file: a custody event saying it was refused, a security note in the audit log, and
    `EvidenceIntegrityError`; the file is not to be served."""
    now = now or timezone.now()
    if action not in OPEN_ACTIONS:
        raise ValueError(f"unknown custody action {action!r}")
    if evidence.kind != Evidence.Kind.PHOTOGRAPH or not evidence.file:
        raise ValidationError("Body-worn video is held in the body-worn video system: use its reference.")
    stored = _stored_digest(evidence)
    seen = stored[0] if stored else ""
    subject = _subject(evidence.assessment)
    if seen != evidence.sha256:
        problem = "the file is missing" if stored is None else "the file's digest differs from the one recorded"
        with transaction.atomic():
            _custody(evidence, action, by, now, sha256=seen,
                     note=f"REFUSED: {problem} (recorded {evidence.sha256})")
            audit_record(action=AUDIT_ACTION_FOR[action], actor=by, obj=evidence, subject_person_id=subject,
                         request=request, detail={"custody": action, "refused": "digest_mismatch"
                                                  if stored else "file_missing", "sha256_seen": seen})
        # Committed before raising, so the refusal stays in the log.
        raise EvidenceIntegrityError(
            f"This photograph cannot be opened: {problem}. The attempt has been recorded in its chain of "
            "custody. Tell your supervisor and the digital evidence team.")
    with transaction.atomic():
        event = _custody(evidence, action, by, now, sha256=seen, note="Digest matches the one recorded")
        audit_record(action=AUDIT_ACTION_FOR[action], actor=by, obj=evidence, subject_person_id=subject,
                     request=request, detail={"custody": action, "sha256": seen})
    return event


def looked_at(*, obj, assessment: RiskAssessment, by, view: str, request=None) -> None:
    """Someone read a scene page (evidence details and custody log, the children's notifications)."""
    audit_record(action="consultation", actor=by, obj=obj, subject_person_id=_subject(assessment),
                 request=request, detail={"view": view})


# --- children --------------------------------------------------------------------------------------------

def age_on(date_of_birth: date, on: date) -> int:
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


def attended_at(assessment: RiskAssessment) -> datetime:
    """When the police attended: the assessment's start, else its time."""
    return assessment.started_at or assessment.assessed_at


def child_notifications_create(*, assessment: RiskAssessment, now: datetime | None = None,
                               term_breaks: Iterable[tuple[date, date]] = ()) -> list[ChildNotification]:
    """Open the notifications the incident's children call for; safe to call again (nothing is
    duplicated, and nothing already open is changed).

    - Each child present (an involvement in the role "child present") aged 4 to 17 at the incident, or
      whose date of birth is not recorded: an Operation Encompass notice to their school, due by the
      start of the next school day after attendance (`workdays.next_school_day_start`).
    - Any child present under 18, or the incident marked "children present": one children's services
      referral for the assessment, due `CHILDRENS_SERVICES_REFERRAL_DUE` after attendance.
    Returns the notifications created by this call."""
    attended = attended_at(assessment)
    on = timezone.localdate(attended)
    children = []
    involvements = (Involvement.objects.filter(incident_id=assessment.incident_id, role=Involvement.Role.CHILD_PRESENT)
                    .select_related("person_record").order_by("id"))
    for involvement in involvements:
        record = involvement.person_record
        age = age_on(record.date_of_birth, on) if record.date_of_birth else None
        if age is not None and (age < 0 or age >= ADULT_AGE):
            continue  # not a child at the incident: nothing for a school or children's services
        children.append((record, age))
    created = []
    with transaction.atomic():
        RiskAssessment.objects.select_for_update().filter(pk=assessment.pk).first()  # one caller at a time
        existing = set(ChildNotification.objects.filter(assessment=assessment).values_list("kind", "child_id"))
        if (children or assessment.incident.children_present) and \
                not any(kind == ChildNotification.Kind.CHILDRENS_SERVICES for kind, _ in existing):
            created.append(ChildNotification.objects.create(
                assessment=assessment, kind=ChildNotification.Kind.CHILDRENS_SERVICES,
                due_at=attended + CHILDRENS_SERVICES_REFERRAL_DUE))
        encompass_due = workdays.next_school_day_start(attended, term_breaks=term_breaks)
        for record, age in children:
            if age is not None and age < ENCOMPASS_MIN_AGE:
                continue
            if (ChildNotification.Kind.ENCOMPASS, record.pk) in existing:
                continue
            created.append(ChildNotification.objects.create(
                assessment=assessment, kind=ChildNotification.Kind.ENCOMPASS, child=record, due_at=encompass_due,
                detail="" if age is not None else "Date of birth not recorded: check the child is of school "
                                                  "age (reception to 17) before notifying a school."))
    return created


def child_notification_mark_sent(*, notification: ChildNotification, by, recipient: str, detail: str = "",
                                 now: datetime | None = None, request=None) -> ChildNotification:
    """Record that the school (or the local authority, for a child educated at home) or children's
    services has been told: who was told, when and what. Once only."""
    now = now or timezone.now()
    recipient = (recipient or "").strip()
    detail = (detail or "").strip()
    if notification.sent_at is not None:
        raise ValidationError("This notification has already been recorded as sent.")
    errors = {}
    if not recipient:
        errors["recipient"] = ("Enter the school (or the local authority, for a child educated at home)"
                               if notification.kind == ChildNotification.Kind.ENCOMPASS
                               else "Enter the children's services team told")
    elif len(recipient) > RECIPIENT_MAX_LENGTH:
        errors["recipient"] = f"Keep this under {RECIPIENT_MAX_LENGTH} characters."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = ChildNotification.objects.select_for_update().get(pk=notification.pk)
        if locked.sent_at is not None:
            raise ValidationError("This notification has already been recorded as sent.")
        notification.recipient = recipient
        notification.detail = "\n\n".join(p for p in (notification.detail, detail) if p)
        notification.sent_at = now
        notification.sent_by = by
        notification.save(update_fields=["recipient", "detail", "sent_at", "sent_by"])
        subject = notification.child.person.public_id if notification.child and notification.child.person_id \
            else _subject(notification.assessment)
        audit_record(action="disclosure", actor=by, obj=notification, subject_person_id=subject, request=request,
                     reason=f"{notification.get_kind_display()} (statutory safeguarding duty)",
                     detail={"kind": notification.kind, "late": now > notification.due_at})
    return notification
