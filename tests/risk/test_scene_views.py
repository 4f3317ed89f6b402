"""The scene pages on the officer's phone: positive action, evidence upload and download, children.

Until the lead re-enables the risk URLs in vigil/urls.py, these tests use their own URL configuration
(this module's `urlpatterns`): the site's URLs plus the scene views under the "risk" namespace."""

import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.urls import include, path, reverse

from tests.factories import (
    agency_create,
    incident_create,
    person_record_create,
    risk_assessment_create,
    user_create,
)
from vigil import urls as site_urls
from vigil.audit.models import AuditEvent
from vigil.incidents.models import Involvement
from vigil.risk import scene_views
from vigil.risk.models import ChildNotification, CustodyEvent, Evidence

_scene_patterns = [
    path("<uuid:public_id>/", lambda request, public_id: HttpResponse(), name="assessment"),
    path("<uuid:public_id>/scene/", scene_views.scene, name="scene"),
    path("<uuid:public_id>/evidence/", scene_views.evidence_add, name="evidence-add"),
    path("evidence/<uuid:public_id>/", scene_views.evidence_detail, name="evidence"),
    path("evidence/<uuid:public_id>/file/", scene_views.evidence_file, name="evidence-file"),
    path("<uuid:public_id>/children/", scene_views.child_notifications, name="children"),
    path("child-notifications/<uuid:public_id>/sent/", scene_views.child_notification_sent,
         name="child-notification-sent"),
]
urlpatterns = [p for p in site_urls.urlpatterns if getattr(p, "namespace", None) != "risk"] + [
    path("risk/", include((_scene_patterns, "risk"))),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 8


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def officer(client):
    user = user_create(role="response_officer")
    client.force_login(user)
    return user


@pytest.fixture
def assessment(officer):
    victim = person_record_create(given_name="Vera", family_name="Victim")
    incident = incident_create(victim=victim, received_at=datetime(2026, 6, 5, 20, 0, tzinfo=UTC))
    return risk_assessment_create(incident=incident, victim=victim, status="in_progress", grade="", officer=officer,
                                  started_at=incident.received_at)


def url(name, obj):
    return reverse(f"risk:{name}", args=[obj.public_id])


def photo(data=PNG, content_type="image/png"):
    return SimpleUploadedFile("IMG_0001.png", data, content_type=content_type)


def test_the_scene_page_has_conditional_reason_and_checklists(client, assessment):
    page = client.get(url("scene", assessment)).content.decode()
    assert 'data-aria-controls="conditional-no-arrest-reason"' in page
    assert 'id="conditional-no-arrest-reason"' in page and "govuk-radios__conditional--hidden" in page
    assert 'name="safety_measures" type="checkbox" value="suspect_removed"' in page
    assert 'name="advice_and_support"' in page and 'name="other_factors"' in page
    assert "csrfmiddlewaretoken" in page


def test_posting_the_scene_saves_it_and_moves_on_to_evidence(client, assessment):
    response = client.post(url("scene", assessment), {
        "positive_action": "not_arrested", "no_arrest_reason": "Suspect had left; circulated as wanted",
        "safety_measures": ["suspect_removed", "code_word_agreed"], "advice_and_support": ["helpline"]})
    assert response.status_code == 302 and response["Location"] == url("evidence-add", assessment)
    assessment.refresh_from_db()
    assert assessment.positive_action == "not_arrested"
    assert assessment.safety_measures == ["suspect_removed", "code_word_agreed"]


def test_a_missing_reason_is_shown_with_the_reason_revealed(client, assessment):
    response = client.post(url("scene", assessment), {"positive_action": "not_arrested"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give the reason the suspect was not arrested" in page and 'href="#no_arrest_reason"' in page
    assert "govuk-radios__conditional--hidden" not in page  # the reason box stays open
    assessment.refresh_from_db()
    assert assessment.positive_action == ""


def test_the_evidence_page_offers_the_phone_camera(client, assessment):
    page = client.get(url("evidence-add", assessment)).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file" accept="image/*" capture="environment"' in page


def test_a_photograph_uploaded_through_the_page_keeps_its_digest(client, assessment, officer):
    response = client.post(url("evidence-add", assessment), {"kind": "photo", "photo": photo(),
                                                             "description": "Damage to the door"})
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.sha256 == hashlib.sha256(PNG).hexdigest() and evidence.uploaded_by == officer
    page = client.get(url("evidence-add", assessment)).content.decode()
    assert evidence.sha256[:32] in page and evidence.sha256[32:] in page


def test_a_file_that_is_not_a_photograph_is_refused_on_the_page(client, assessment, media):
    response = client.post(url("evidence-add", assessment),
                           {"kind": "photo", "photo": photo(b"<svg onload=alert(1)>", "image/png")})
    assert response.status_code == 400
    assert "not a JPG, PNG, HEIC or WebP image" in response.content.decode()
    assert not Evidence.objects.exists() and not any(Path(media).rglob("*.*"))


def test_body_worn_video_through_the_page(client, assessment):
    assert client.post(url("evidence-add", assessment), {"kind": "bwv", "reference": ""}).status_code == 400
    assert client.post(url("evidence-add", assessment), {"kind": "bwv", "reference": "BWV-1"}).status_code == 302
    assert Evidence.objects.get().reference == "BWV-1"


def test_download_is_an_attachment_after_the_digest_check(client, assessment):
    client.post(url("evidence-add", assessment), {"kind": "photo", "photo": photo()})
    evidence = Evidence.objects.get()
    response = client.get(url("evidence-file", evidence))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'attachment; filename="evidence-{evidence.public_id}.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert list(evidence.custody.values_list("action", flat=True)) == ["recorded", "downloaded"]


def test_a_tampered_file_is_not_served_and_the_page_says_why(client, assessment):
    client.post(url("evidence-add", assessment), {"kind": "photo", "photo": photo()})
    evidence = Evidence.objects.get()
    Path(evidence.file.path).write_bytes(b"\x89PNG\r\n\x1a\n tampered")
    response = client.get(url("evidence-file", evidence))
    assert response.status_code == 409
    page = response.content.decode()
    assert "cannot be opened" in page and "Refused" in page
    assert evidence.custody.last().note.startswith("REFUSED")


def test_the_detail_page_shows_the_custody_log_and_checks_the_digest(client, assessment):
    client.post(url("evidence-add", assessment), {"kind": "photo", "photo": photo()})
    evidence = Evidence.objects.get()
    page = client.get(url("evidence", evidence)).content.decode()
    assert "Chain of custody" in page and "Recorded" in page
    assert client.post(url("evidence", evidence)).status_code == 302
    assert evidence.custody.last().action == CustodyEvent.Action.VERIFIED
    assert AuditEvent.objects.filter(object_id=str(evidence.public_id), action="consultation").exists()


def test_children_page_shows_due_times_overdue_and_marks_sent(client, assessment, officer):
    child = person_record_create(given_name="Pip", family_name="Example", dob=date(2016, 3, 1))
    Involvement.objects.create(incident=assessment.incident, person_record=child, role="child_present")
    assert client.post(url("children", assessment)).status_code == 302
    encompass = ChildNotification.objects.get(kind="encompass")
    page = client.get(url("children", assessment)).content.decode()
    assert "Monday 8 Jun 2026 08:30" in page
    assert "Overdue" in page  # the June 2026 deadlines are in the test's past
    response = client.post(url("child-notification-sent", encompass), {"recipient": ""})
    assert response.status_code == 400 and "Enter the school" in response.content.decode()
    response = client.post(url("child-notification-sent", encompass), {"recipient": "Example Primary"})
    assert response.status_code == 302
    encompass.refresh_from_db()
    assert encompass.sent_by == officer and encompass.recipient == "Example Primary"


@pytest.mark.parametrize("role", ["call_taker", "analyst", "auditor", "administrator", "neighbourhood_officer"])
def test_roles_that_may_not_assess_get_403(client, assessment, role):
    client.force_login(user_create(role=role))
    notification = ChildNotification.objects.create(assessment=assessment, kind="childrens_services",
                                                    due_at=assessment.started_at + timedelta(hours=24))
    assert client.get(url("scene", assessment)).status_code == 403
    assert client.post(url("evidence-add", assessment), {"kind": "photo", "photo": photo()}).status_code == 403
    assert client.post(url("child-notification-sent", notification), {"recipient": "x"}).status_code == 403
    assert not Evidence.objects.exists()


def test_readers_see_evidence_and_children_but_do_not_change_them(client, assessment):
    client.post(url("evidence-add", assessment), {"kind": "bwv", "reference": "BWV-9"})
    evidence = Evidence.objects.get()
    client.force_login(user_create(role="neighbourhood_officer"))
    assert client.get(url("evidence", evidence)).status_code == 200
    page = client.get(url("children", assessment)).content.decode()
    assert "Check the incident's children again" not in page
    assert client.post(url("children", assessment)).status_code == 403


@pytest.mark.parametrize("role", ["call_taker", "analyst", "auditor"])
def test_roles_without_view_permission_get_403_on_evidence_and_children(client, assessment, role):
    client.post(url("evidence-add", assessment), {"kind": "photo", "photo": photo()})
    evidence = Evidence.objects.get()
    client.force_login(user_create(role=role))
    for name, obj in (("evidence", evidence), ("evidence-file", evidence), ("children", assessment)):
        assert client.get(url(name, obj)).status_code == 403, name
    assert list(evidence.custody.values_list("action", flat=True)) == ["recorded"]


def test_partner_agencies_are_refused(client, assessment):
    client.force_login(user_create(role="partner_practitioner", agency=agency_create(code="idva", kind="idva")))
    assert client.get(url("children", assessment)).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, assessment):
    client.logout()
    response = client.get(url("scene", assessment))
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
