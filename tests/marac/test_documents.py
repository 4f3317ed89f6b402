"""The meeting's agenda, research pack and minutes as a PDF: the same content as the printable page, for
the agencies at the meeting only (a partner not invited gets 404, the attempt audited), every download
audited as an export of each victim's data, and a tagged PDF in English with the meeting as its title."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.marac import services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pdf_renderer")]


@pytest.fixture
def meeting_with_a_case():
    today = timezone.localdate()
    last_week = factories.working_day_a_week_ago(today)
    idva = factories.agency_create(code="idva", kind="idva", name="IDVA service")
    health = factories.agency_create(code="health", kind="health", name="Health")
    area = factories.marac_area_create(anchor_date=last_week, member_agencies=[idva])
    coordinator = factories.user_create(role="marac_coordinator")
    meeting = next(m for m in services.meetings_schedule(area=area, start=today - timedelta(days=21),
                                                         until=today + timedelta(days=30), by=coordinator)
                   if m.held_on == last_week)
    victim = factories.person_record_create(given_name="Petra", family_name="Pdfcase").person
    referral = factories.marac_referral_create(area=area, victim=victim, meeting=meeting,
                                               received_on=today - timedelta(days=20), by=coordinator)
    partner = factories.user_create(role="partner_practitioner", agency=idva)
    services.research_add(referral=referral, by=partner, text="Known to the IDVA service since March")
    return dict(meeting=meeting, referral=referral, coordinator=coordinator, partner=partner,
                outsider=factories.user_create(role="partner_practitioner", agency=health))


def pdf_text(response) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(response.content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_the_pack_downloads_as_a_tagged_pdf_with_the_agenda_research_and_minutes(client, meeting_with_a_case):
    world = meeting_with_a_case
    client.force_login(world["partner"])

    response = client.get(reverse("marac:meeting-pdf", args=[world["meeting"].public_id]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="marac-')
    assert "Pdfcase" not in response["Content-Disposition"]  # no personal data in the file name
    assert response["Cache-Control"] == "no-store"
    reader, content = pdf_text(response)
    assert "Petra Pdfcase" in content and "Known to the IDVA service since March" in content
    assert "OFFICIAL-SENSITIVE" in content and "Download this pack" not in content
    assert reader.metadata.title.startswith("MARAC ")
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en-GB" and "/StructTreeRoot" in catalog  # tagged, so a screen reader follows it


def test_each_download_is_audited_as_an_export_of_each_victim(client, meeting_with_a_case):
    world = meeting_with_a_case
    client.force_login(world["coordinator"])

    client.get(reverse("marac:meeting-pdf", args=[world["meeting"].public_id]))

    event = AuditEvent.objects.get(actor=world["coordinator"], action="export",
                                   subject_person_id=world["referral"].victim.public_id)
    assert event.detail == {"view": "marac research pack", "referrals": 1, "format": "pdf"}
    assert event.object_id == str(world["meeting"].public_id)


def test_a_partner_not_at_the_meeting_gets_not_found_and_the_attempt_is_audited(client, meeting_with_a_case):
    world = meeting_with_a_case
    client.force_login(world["outsider"])

    response = client.get(reverse("marac:meeting-pdf", args=[world["meeting"].public_id]))

    assert response.status_code == 404
    assert AuditEvent.objects.filter(actor=world["outsider"], object_id=str(world["meeting"].public_id),
                                     detail__refused="not shared with the viewer's agency").exists()
    assert not AuditEvent.objects.filter(actor=world["outsider"], action="export").exists()


def test_the_printable_page_links_to_the_pdf(client, meeting_with_a_case):
    world = meeting_with_a_case
    client.force_login(world["partner"])
    page = client.get(reverse("marac:meeting-print", args=[world["meeting"].public_id])).content.decode()
    assert reverse("marac:meeting-pdf", args=[world["meeting"].public_id]) in page
