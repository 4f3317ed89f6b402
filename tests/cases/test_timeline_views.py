"""The timeline pages: a case's and a person's, a restricted person's refused until opened with a reason,
and the export form (reason required; CSV or a page to print; audited)."""

import uuid

import pytest
from django.urls import reverse

from tests import factories
from tests.cases.test_timeline import REASON, Story
from vigil.audit.models import AuditEvent
from vigil.people.services import restricted_access_open, restriction_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    return Story()


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_case_timeline_page_lists_everything_with_who_did_it(client, story):
    response = signed_in(client, story.owner).get(reverse("cases:timeline", args=[story.case.public_id]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Case timeline" in page and "Incident received" in page and "Handover proposed" in page
    assert "Vera Timeline" in page
    assert "Export for court or review" not in page  # a neighbourhood officer may not export
    assert AuditEvent.objects.filter(actor=story.owner, action="consultation", detail__view="case timeline").exists()


def test_the_case_page_links_to_the_timeline(client, story):
    page = signed_in(client, story.sergeant).get(reverse("cases:case", args=[story.case.public_id])).content.decode()

    assert reverse("cases:timeline", args=[story.case.public_id]) in page
    assert reverse("cases:timeline-export", args=[story.case.public_id]) in page


def test_roles_that_do_not_read_cases_are_refused_and_unknown_ids_are_404(client, story):
    signed_in(client, story.call_taker)
    assert client.get(reverse("cases:timeline", args=[story.case.public_id])).status_code == 403
    assert client.get(reverse("cases:person-timeline", args=[story.victim.person.public_id])).status_code == 403
    signed_in(client, story.sergeant)
    assert client.get(reverse("cases:timeline", args=[uuid.uuid4()])).status_code == 404
    assert client.get(reverse("cases:person-timeline", args=[uuid.uuid4()])).status_code == 404


def test_the_person_timeline_page(client, story):
    response = signed_in(client, story.sergeant).get(
        reverse("cases:person-timeline", args=[story.victim.person.public_id]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Person timeline" in page and "Witness" in page.title() and "Bail conditions" in page
    assert reverse("cases:case", args=[story.case.public_id]) in page


def test_a_restricted_persons_timeline_needs_the_record_opened_with_a_reason(client, story):
    person = story.victim.person
    restriction_create(person=person, by=factories.user_create(role="administrator"),
                       reason="Witness protection arrangement")
    url = reverse("cases:person-timeline", args=[person.public_id])
    signed_in(client, story.sergeant)

    refused = client.get(url)

    assert refused.status_code == 403
    page = refused.content.decode()
    assert reverse("people:open-restricted", args=[person.public_id]) in page and "Vera" not in page
    assert not AuditEvent.objects.filter(detail__view="person timeline").exists()

    session = client.session
    restricted_access_open(person=person, by=story.sergeant, reason="Preparing the MARAC referral",
                           session=session)
    session.save()
    assert client.get(url).status_code == 200


def test_a_restricted_victims_case_timeline_hides_the_name_and_its_export_needs_the_record_opened(client, story):
    restriction_create(person=story.victim.person, by=factories.user_create(role="administrator"),
                       reason="Witness protection arrangement")
    signed_in(client, story.sergeant)

    page = client.get(reverse("cases:timeline", args=[story.case.public_id])).content.decode()
    assert "Vera" not in page and "restricted" in page
    export = client.post(reverse("cases:timeline-export", args=[story.case.public_id]),
                         {"reason": REASON, "format": "csv"})
    assert export.status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_export_needs_a_reason_and_a_format(client, story):
    signed_in(client, story.specialist)
    url = reverse("cases:timeline-export", args=[story.case.public_id])
    assert client.get(url).status_code == 200

    response = client.post(url, {"reason": "court", "format": ""})

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "at least 10 characters" in page and "Choose a spreadsheet" in page
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_csv_export_is_downloaded_and_audited(client, story):
    signed_in(client, story.specialist)

    response = client.post(reverse("cases:timeline-export", args=[story.case.public_id]),
                           {"reason": REASON, "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="vigil-timeline-case-')
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    assert text.startswith("\ufeff")  # a spreadsheet opens it as UTF-8
    assert text.lstrip("\ufeff").splitlines()[0].startswith("Vigil timeline export,Case timeline")
    assert f"Exported by (user id),{story.specialist.public_id}" in text and REASON in text
    event = AuditEvent.objects.get(action="export")
    assert event.actor == story.specialist and event.reason == REASON and event.detail["format"] == "csv"


def test_the_print_export_of_a_person_timeline(client, story):
    signed_in(client, story.sergeant)

    response = client.post(reverse("cases:person-timeline-export", args=[story.suspect.person.public_id]),
                           {"reason": REASON, "format": "print"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Person timeline" in page and REASON in page and str(story.sergeant.public_id) in page
    assert "Arrested" in page
    event = AuditEvent.objects.get(action="export")
    assert event.subject_person_id == story.suspect.person.public_id and event.detail["export"] == "person timeline"


def test_an_auditor_may_export_but_not_read_and_an_officer_may_not_export(client, story):
    auditor = factories.user_create(role="auditor")
    signed_in(client, auditor)
    assert client.get(reverse("cases:timeline", args=[story.case.public_id])).status_code == 403
    assert client.post(reverse("cases:timeline-export", args=[story.case.public_id]),
                       {"reason": REASON, "format": "csv"}).status_code == 200
    signed_in(client, story.owner)
    assert client.post(reverse("cases:timeline-export", args=[story.case.public_id]),
                       {"reason": REASON, "format": "csv"}).status_code == 403
