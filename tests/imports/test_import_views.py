"""The import pages: an administrator uploads, the worker imports, the page shows the counts and offers the
quarantine report (audited); everyone else is refused."""

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import user_create
from vigil.audit.models import AuditEvent
from vigil.imports.models import ImportRun
from vigil.people.models import PersonRecord

from .helpers import csv_bytes, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(user_create(role="administrator"))
    return client


def _upload(client, content: bytes, **fields):
    upload = io.BytesIO(content)
    upload.name = "people.csv"
    data = {"kind": "persons", "source_system": "rms", "file": upload, **fields}
    return client.post(reverse("imports:runs"), data)


def test_upload_runs_in_the_background_and_the_report_lists_the_bad_rows(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(admin_client, csv_bytes("persons", [person(1), person(2, sex="X")]))
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:run", args=[run.public_id])
    assert run.status == ImportRun.Status.QUEUED
    page = admin_client.get(response["Location"]).content.decode()
    assert "Waiting to start" in page and 'hx-trigger="every 2s"' in page

    call_command("worker", "--once", verbosity=0)

    run.refresh_from_db()
    assert (run.status, run.created, run.quarantined) == (ImportRun.Status.FINISHED, 1, 1)
    assert PersonRecord.objects.filter(source_ref="NOM-0001").exists()
    page = admin_client.get(reverse("imports:run", args=[run.public_id])).content.decode()
    assert "sex must be one of: F, M, U" in page and "hx-trigger" not in page
    report = admin_client.get(reverse("imports:quarantine-report", args=[run.public_id]))
    rows = list(csv.DictReader(io.StringIO(b"".join(report.streaming_content).decode())))
    assert [(r["person_id"], r["vigil_row"], r["vigil_errors"]) for r in rows] == [
        ("NOM-0002", "2", "sex must be one of: F, M, U")]
    assert AuditEvent.objects.filter(action="export", object_id=str(run.public_id)).count() == 1


def test_a_missing_file_or_kind_is_explained_and_nothing_starts(admin_client):
    response = admin_client.post(reverse("imports:runs"), {"kind": "", "source_system": "rms"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose what the file holds" in page and "Choose a file to upload" in page
    assert not ImportRun.objects.exists()


def test_templates_have_the_documented_header(admin_client):
    response = admin_client.get(reverse("imports:template", args=["incidents"]))
    header = response.content.decode().splitlines()[0].split(",")
    assert header[:3] == ["incident_id", "reference", "received_at"]
    assert admin_client.get(reverse("imports:template", args=["nothing"])).status_code == 404


def test_only_administrators_may_import(client):
    client.force_login(user_create(role="analyst"))
    assert _upload(client, csv_bytes("persons", [person(1)])).status_code == 403
    assert not ImportRun.objects.exists()
