"""Importing in the browser (issue 10). An administrator uploads a persons file with good and bad rows, watches
the import's progress until the background worker has finished it, and downloads the quarantine report
listing the bad row with its reason. axe-core finds nothing on any page."""

import csv
import io

import pytest
from django.core.management import call_command

from tests import factories
from tests.imports.helpers import csv_bytes, person
from tests.journeys.pages import SignInPage, VigilPage
from vigil.audit.models import AuditEvent
from vigil.imports.models import ImportRun
from vigil.people.models import PersonRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_violations(page) -> None:
    assert VigilPage(page).accessibility_violations() == []
    assert page.csp_violations == []


def test_an_administrator_uploads_watches_progress_and_downloads_the_quarantine_report(page, tmp_path, settings):
    settings.VIGIL_IMPORTS_DIR = tmp_path / "imports"
    factories.user_create(role="administrator", username="admin-import")
    people = tmp_path / "people.csv"
    people.write_bytes(csv_bytes("persons", [person(1), person(2, date_of_birth="1985-02-30"), person(3)]))

    SignInPage(page).open().sign_in("admin-import", factories.TEST_PASSWORD)
    page.get_by_role("link", name="Import records").click()
    page.wait_for_load_state()
    no_violations(page)

    # Nothing chosen: the error summary says what is missing, and nothing starts.
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_load_state()
    assert "Choose what the file holds" in page.locator(".govuk-error-summary").inner_text()
    no_violations(page)
    assert not ImportRun.objects.exists()

    page.get_by_label("What the file holds").select_option("persons")
    page.get_by_label("Source system").fill("niche-rms")
    page.get_by_label("Upload a file").set_input_files(str(people))
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_load_state()
    assert page.locator("#import-status").inner_text() == "Waiting to start"
    no_violations(page)

    call_command("worker", "--once", verbosity=0)  # the background worker takes the import

    # The page follows the run by itself until it has finished.
    page.locator("#import-status", has_text="Finished").wait_for()
    assert page.locator("#import-bar").get_attribute("value") == "100"
    assert page.locator("#import-quarantined").inner_text() == "1"
    assert "date_of_birth is not a real date" in page.locator("table").inner_text()
    no_violations(page)

    with page.expect_download() as download:
        page.locator("#quarantine-download").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert [(r["person_id"], r["vigil_row"], r["vigil_errors"]) for r in rows] == [
        ("NOM-0002", "2", "date_of_birth is not a real date")]
    assert set(PersonRecord.objects.filter(source_system="niche-rms").values_list("source_ref", flat=True)) == {
        "NOM-0001", "NOM-0003"}
    run = ImportRun.objects.get()
    assert AuditEvent.objects.filter(action="export", object_id=str(run.public_id)).exists()
    assert AuditEvent.objects.filter(action="collection", object_id=str(run.public_id)).exists()
