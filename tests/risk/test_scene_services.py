"""At the scene: positive action, checklists, evidence with its digest and chain of custody, children."""

import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import incident_create, person_record_create, risk_assessment_create, user_create
from vigil.audit.models import AuditEvent
from vigil.incidents.models import Involvement
from vigil.risk import scene_services
from vigil.risk.models import ChildNotification, CustodyEvent, Evidence
from vigil.workdays import LONDON

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 5000
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x02" * 3000
NOW = datetime(2026, 6, 5, 20, 40, tzinfo=UTC)  # a Friday evening (21:40 in London)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def officer():
    return user_create(role="response_officer")


@pytest.fixture
def assessment(officer):
    victim = person_record_create(given_name="Vera", family_name="Victim", dob=date(1990, 1, 1))
    incident = incident_create(victim=victim, received_at=NOW - timedelta(minutes=30))
    return risk_assessment_create(incident=incident, victim=victim, status="in_progress", grade="",
                                  officer=officer, started_at=NOW, assessed_at=NOW)


def upload(data: bytes = PNG, name: str = "IMG_0001.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files(root: Path) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()] if Path(root).exists() else []


# --- positive action and checklists ---------------------------------------------------------------------

def test_the_scene_is_recorded_in_checklist_order_and_audited(assessment, officer):
    before = AuditEvent.objects.count()
    scene_services.scene_record(
        assessment=assessment, by=officer, positive_action="arrested", no_arrest_reason="ignored",
        safety_measures=["code_word_agreed", "suspect_removed", "suspect_removed"], advice_and_support=["helpline"],
        other_factors=["substance_misuse"], now=NOW)
    assessment.refresh_from_db()
    assert assessment.positive_action == "arrested"
    assert assessment.no_arrest_reason == ""  # a reason belongs only to a decision not to arrest
    assert assessment.safety_measures == ["suspect_removed", "code_word_agreed"]
    assert assessment.advice_and_support == ["helpline"]
    assert assessment.other_factors == ["substance_misuse"]
    event = AuditEvent.objects.order_by("-sequence").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.object_id, event.detail["step"]) == ("collection", str(assessment.public_id), "scene")


def test_a_reason_is_required_when_the_suspect_is_not_arrested(assessment, officer):
    with pytest.raises(ValidationError) as raised:
        scene_services.scene_record(assessment=assessment, by=officer, positive_action="not_arrested",
                                    no_arrest_reason="  ", now=NOW)
    assert "no_arrest_reason" in raised.value.message_dict
    scene_services.scene_record(assessment=assessment, by=officer, positive_action="not_arrested",
                                no_arrest_reason="Victim's account unclear; suspect left before arrival", now=NOW)
    assessment.refresh_from_db()
    assert assessment.no_arrest_reason.startswith("Victim's account")


def test_positive_action_must_be_one_of_the_choices(assessment, officer):
    for value in ("", "cautioned"):
        with pytest.raises(ValidationError) as raised:
            scene_services.scene_record(assessment=assessment, by=officer, positive_action=value, now=NOW)
        assert "positive_action" in raised.value.message_dict


def test_unknown_codes_are_refused_and_nothing_is_saved(assessment, officer):
    with pytest.raises(ValidationError) as raised:
        scene_services.scene_record(assessment=assessment, by=officer, positive_action="no_power",
                                    safety_measures=["suspect_removed", "drone_cover"],
                                    advice_and_support=["made_up"], other_factors=["astrology"], now=NOW)
    assert set(raised.value.message_dict) == {"safety_measures", "advice_and_support", "other_factors"}
    assessment.refresh_from_db()
    assert assessment.positive_action == "" and assessment.safety_measures is None


def test_only_the_officer_may_record_the_scene_and_only_before_submission(assessment):
    with pytest.raises(PermissionDenied):
        scene_services.scene_record(assessment=assessment, by=user_create(role="response_officer"),
                                    positive_action="arrested", now=NOW)
    assessment.status = "submitted"
    assessment.save()
    with pytest.raises(ValidationError):
        scene_services.scene_record(assessment=assessment, by=assessment.officer, positive_action="arrested",
                                    now=NOW)


# --- evidence --------------------------------------------------------------------------------------------

def test_the_digest_stored_is_the_sha256_of_the_bytes(assessment, officer, media):
    evidence = scene_services.evidence_add(assessment=assessment, by=officer, kind="photo", upload=upload(),
                                           description="Bruising to left forearm", now=NOW)
    evidence.refresh_from_db()
    assert evidence.sha256 == hashlib.sha256(PNG).hexdigest()
    assert (evidence.size, evidence.content_type) == (len(PNG), "image/png")
    on_disk = Path(evidence.file.path)
    assert on_disk.read_bytes() == PNG
    assert on_disk.name == f"{evidence.public_id}.png" and "IMG_0001" not in evidence.file.name
    assert str(on_disk).startswith(str(media))
    [event] = evidence.custody.all()
    assert (event.action, event.by, event.at, event.sha256) == ("recorded", officer, NOW, evidence.sha256)


def test_the_type_comes_from_the_bytes_and_phone_names_for_heic_are_accepted(assessment, officer):
    heic = scene_services.evidence_add(assessment=assessment, by=officer, kind="photo",
                                       upload=upload(HEIC, "IMG_0002.HEIC", "image/heif"), now=NOW)
    assert heic.content_type == "image/heic" and heic.file.name.endswith(".heic")
    jpeg = scene_services.evidence_add(assessment=assessment, by=officer, kind="photo",
                                       upload=upload(JPEG, "x.jpg", "image/jpg"), now=NOW)
    assert jpeg.content_type == "image/jpeg"


@pytest.mark.parametrize(("data", "content_type"), [
    (b"<html><script>alert(1)</script></html>", "image/png"),  # the browser's word is not enough
    (b"%PDF-1.7\n" + b"x" * 100, "application/pdf"),
    (PNG, "text/html"),
    (b"", "image/png"),
])
def test_what_is_not_a_photograph_is_refused_and_nothing_is_saved(assessment, officer, media, data, content_type):
    with pytest.raises(ValidationError) as raised:
        scene_services.evidence_add(assessment=assessment, by=officer, kind="photo",
                                    upload=upload(data, "x.png", content_type), now=NOW)
    assert "upload" in raised.value.message_dict
    assert not Evidence.objects.exists() and not CustodyEvent.objects.exists()
    assert stored_files(media) == []


def test_an_oversize_photograph_is_refused_and_nothing_is_saved(assessment, officer, media, monkeypatch):
    monkeypatch.setattr(scene_services, "MAX_PHOTO_BYTES", 1000)
    with pytest.raises(ValidationError) as raised:
        scene_services.evidence_add(assessment=assessment, by=officer, kind="photo", upload=upload(PNG), now=NOW)
    assert "smaller than" in raised.value.message_dict["upload"][0]
    assert not Evidence.objects.exists() and stored_files(media) == []


def test_the_size_is_counted_as_it_streams_not_taken_from_the_upload(assessment, officer, media, monkeypatch):
    monkeypatch.setattr(scene_services, "MAX_PHOTO_BYTES", 1000)
    lying = upload(PNG)
    lying.size = 10  # a size that understates the bytes
    with pytest.raises(ValidationError):
        scene_services.evidence_add(assessment=assessment, by=officer, kind="photo", upload=lying, now=NOW)
    assert not Evidence.objects.exists() and stored_files(media) == []


def test_body_worn_video_is_recorded_by_its_reference(assessment, officer):
    with pytest.raises(ValidationError) as raised:
        scene_services.evidence_add(assessment=assessment, by=officer, kind="bwv", reference=" ", now=NOW)
    assert "reference" in raised.value.message_dict
    evidence = scene_services.evidence_add(assessment=assessment, by=officer, kind="bwv", reference=" BWV-4471-A ",
                                           now=NOW)
    assert (evidence.reference, evidence.sha256, evidence.file.name) == ("BWV-4471-A", "", "")
    assert list(evidence.custody.values_list("action", flat=True)) == ["recorded"]
    with pytest.raises(ValidationError):
        scene_services.evidence_open(evidence=evidence, by=officer)


def test_custody_events_are_in_order_with_the_digest_seen(assessment, officer):
    supervisor = user_create(role="supervisor")
    evidence = scene_services.evidence_add(assessment=assessment, by=officer, kind="photo", upload=upload(), now=NOW)
    scene_services.evidence_open(evidence=evidence, by=supervisor, action="viewed", now=NOW + timedelta(hours=1))
    scene_services.evidence_open(evidence=evidence, by=supervisor, action="downloaded",
                                 now=NOW + timedelta(hours=2))
    scene_services.evidence_open(evidence=evidence, by=officer, action="verified", now=NOW + timedelta(hours=3))
    events = list(evidence.custody.all())
    assert [(e.action, e.by) for e in events] == [("recorded", officer), ("viewed", supervisor),
                                                  ("downloaded", supervisor), ("verified", officer)]
    assert {e.sha256 for e in events} == {evidence.sha256}
    assert [e.at for e in events] == sorted(e.at for e in events)
    download = AuditEvent.objects.filter(action="download", object_id=str(evidence.public_id)).get()
    assert download.actor == supervisor


def test_a_tampered_file_is_refused_and_the_refusal_recorded(assessment, officer):
    evidence = scene_services.evidence_add(assessment=assessment, by=officer, kind="photo", upload=upload(), now=NOW)
    Path(evidence.file.path).write_bytes(PNG[:-1] + b"\x00")  # one byte changed on disk
    reader = user_create(role="supervisor")
    with pytest.raises(scene_services.EvidenceIntegrityError, match="digest differs"):
        scene_services.evidence_open(evidence=evidence, by=reader, action="downloaded", now=NOW + timedelta(hours=1))
    refused = evidence.custody.last()
    assert refused.action == "downloaded" and refused.by == reader
    assert refused.note.startswith("REFUSED")
    assert refused.sha256 == hashlib.sha256(PNG[:-1] + b"\x00").hexdigest() != evidence.sha256
    audit = AuditEvent.objects.filter(object_id=str(evidence.public_id), action="download").get()
    assert audit.detail["refused"] == "digest_mismatch"


def test_a_missing_file_is_refused_and_recorded(assessment, officer):
    evidence = scene_services.evidence_add(assessment=assessment, by=officer, kind="photo", upload=upload(), now=NOW)
    Path(evidence.file.path).unlink()
    with pytest.raises(scene_services.EvidenceIntegrityError, match="missing"):
        scene_services.evidence_open(evidence=evidence, by=officer, action="verified")
    assert evidence.custody.last().note.startswith("REFUSED") and evidence.custody.last().sha256 == ""


# --- children --------------------------------------------------------------------------------------------

def add_child(assessment, *, dob: date | None, name: str = "Child"):
    record = person_record_create(given_name=name, family_name="Example", dob=dob)
    Involvement.objects.create(incident=assessment.incident, person_record=record, role="child_present")
    return record


def test_encompass_for_school_age_children_and_one_referral(assessment):
    pupil = add_child(assessment, dob=date(2016, 3, 1), name="Pupil")  # 10
    toddler = add_child(assessment, dob=date(2024, 1, 1), name="Toddler")  # 2: referral only
    add_child(assessment, dob=date(2007, 1, 1), name="Adult")  # 19 at the incident: neither
    created = scene_services.child_notifications_create(assessment=assessment, now=NOW)
    encompass = [n for n in created if n.kind == "encompass"]
    referrals = [n for n in created if n.kind == "childrens_services"]
    assert [n.child for n in encompass] == [pupil]
    assert toddler not in [n.child for n in created]
    assert len(referrals) == 1 and referrals[0].due_at == NOW + timedelta(hours=24)
    # Attended on Friday evening: the school must know by 08:30 on Monday.
    assert encompass[0].due_at == datetime(2026, 6, 8, 8, 30, tzinfo=LONDON)


def test_a_seventeen_year_old_is_notified_and_an_unknown_age_is_flagged(assessment):
    seventeen = add_child(assessment, dob=date(2008, 6, 6))  # 18 tomorrow: still 17 at the incident
    unknown = add_child(assessment, dob=None)
    created = scene_services.child_notifications_create(assessment=assessment, now=NOW)
    by_child = {n.child: n for n in created if n.kind == "encompass"}
    assert set(by_child) == {seventeen, unknown}
    assert "Date of birth not recorded" in by_child[unknown].detail


def test_notifications_are_not_duplicated(assessment):
    add_child(assessment, dob=date(2016, 3, 1))
    first = scene_services.child_notifications_create(assessment=assessment, now=NOW)
    assert len(first) == 2
    assert scene_services.child_notifications_create(assessment=assessment, now=NOW) == []
    later = add_child(assessment, dob=date(2014, 3, 1))
    again = scene_services.child_notifications_create(assessment=assessment, now=NOW)
    assert [(n.kind, n.child) for n in again] == [("encompass", later)]
    assert ChildNotification.objects.filter(assessment=assessment).count() == 3


def test_recording_the_scene_opens_the_notifications(assessment, officer):
    add_child(assessment, dob=date(2016, 3, 1))
    for _ in range(2):
        scene_services.scene_record(assessment=assessment, by=officer, positive_action="suspect_absent", now=NOW)
    assert ChildNotification.objects.filter(assessment=assessment).count() == 2


def test_children_present_without_records_still_gets_a_referral(assessment):
    assessment.incident.children_present = True
    assessment.incident.save()
    created = scene_services.child_notifications_create(assessment=assessment, now=NOW)
    assert [n.kind for n in created] == ["childrens_services"]


def test_no_children_no_notifications(assessment):
    assert scene_services.child_notifications_create(assessment=assessment, now=NOW) == []


def test_marking_sent_records_who_when_and_to_whom_once(assessment, officer):
    add_child(assessment, dob=date(2016, 3, 1))
    notification = next(n for n in scene_services.child_notifications_create(assessment=assessment, now=NOW)
                        if n.kind == "encompass")
    with pytest.raises(ValidationError) as raised:
        scene_services.child_notification_mark_sent(notification=notification, by=officer, recipient=" ", now=NOW)
    assert "recipient" in raised.value.message_dict
    sent_at = datetime(2026, 6, 8, 7, 0, tzinfo=UTC)
    scene_services.child_notification_mark_sent(notification=notification, by=officer,
                                                recipient="Example Primary School DSL",
                                                detail="Child present in the lounge", now=sent_at)
    notification.refresh_from_db()
    assert (notification.sent_at, notification.sent_by, notification.recipient) == \
        (sent_at, officer, "Example Primary School DSL")
    event = AuditEvent.objects.order_by("-sequence").first()
    assert (event.action, event.detail["late"]) == ("disclosure", False)
    with pytest.raises(ValidationError):
        scene_services.child_notification_mark_sent(notification=notification, by=officer, recipient="Again",
                                                    now=sent_at)
