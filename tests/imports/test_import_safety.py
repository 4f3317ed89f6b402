"""Imports handle personal data safely: report cells cannot run as spreadsheet formulas, a run is read by
one process at a time, uploaded files and reports are readable by their owner only and go when no longer
needed, a stored task error quotes no data, and a resumed run ends as an uninterrupted one."""

import csv
import io
import stat

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.factories import user_create
from vigil.audit.models import AuditEvent
from vigil.csvsafe import csv_safe, csv_unescape
from vigil.imports import services
from vigil.imports.models import ImportRun
from vigil.imports.report import report_csv_lines, report_header, report_rows, template_csv
from vigil.imports.services import ImportInterrupted, import_create, import_run
from vigil.imports.tasks import import_run_task
from vigil.imports.writers import WRITERS
from vigil.imports.writers.people import persons_update
from vigil.imports.writing import Writer
from vigil.people.models import PersonRecord

from .helpers import NOW, csv_bytes, person, run_import

pytestmark = pytest.mark.django_db


def _create(content: bytes, system: str = "rms", name: str = "p.csv") -> ImportRun:
    return import_create(kind="persons", source_system=system, file=io.BytesIO(content), file_name=name,
                         link_after=False, now=NOW)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# 1. A stray quote in the middle of a CSV file

def test_a_stray_quote_does_not_drop_the_rest_of_the_file():
    content = csv_bytes("persons", [person(1), person(2), person(3), person(4)])
    content = content.replace(b"Given2", b'"Giv"en2')
    run = run_import("persons", content)
    assert (run.status, run.created, run.quarantined, run.rows_committed) == ("finished", 3, 1, 4)
    assert "cannot be read as CSV" in run.quarantine.get().reasons[0]


# 2. Formula injection

@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\",\"y\")", "  =1+1", "+44 7700", "-5", "@SUM(A1)", "\tx",
                                   "\rx", "'=x", "''-x", "plain", "'plain", "", "a=b"])
def test_csv_safe_is_undone_by_csv_unescape(value):
    safe = csv_safe(value)
    assert csv_unescape(safe) == value
    assert not safe.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r"))


def test_report_cells_cannot_run_as_formulas_and_the_fixed_report_imports_the_values_sent():
    formula = '=HYPERLINK("http://x.invalid","y")'
    run = run_import("persons", csv_bytes("persons", [person(1, ethnicity=formula, sex="X")]))
    text = "".join(report_csv_lines(run))
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert formula not in cells and "'" + formula in cells
    assert not any(cell.lstrip(" ").startswith(("=", "+", "-", "@")) for cell in cells)
    fixed = [dict(zip(report_header(run), row, strict=True)) for row in report_rows(run)]
    fixed[0]["sex"] = "F"
    again = run_import("persons", csv_bytes("persons", fixed, columns=report_header(run)))
    assert again.created == 1 and PersonRecord.objects.get(source_ref="NOM-0001").ethnicity == formula


def test_template_cells_are_safe():
    for row in csv.reader(io.StringIO(template_csv("phones"))):
        assert all(csv_unescape(cell) == cell or cell.startswith("'") for cell in row)
        assert not any(cell.lstrip(" ").startswith(("=", "+", "-", "@")) for cell in row)


# 3. One process at a time

def test_a_run_already_running_is_not_read_again_and_the_counts_stay_right(monkeypatch):
    monkeypatch.setattr(services, "BATCH_ROWS", 2)
    run = _create(csv_bytes("persons", [person(n) for n in range(1, 6)]))
    second = []

    def a_second_worker(progress_run):
        if not second:
            second.append(import_run(run=ImportRun.objects.get(pk=run.pk), now=NOW))

    run = import_run(run=run, progress=a_second_worker, now=NOW)
    assert second[0].status == "running" and second[0].rows_committed == 2  # it did nothing
    assert (run.status, run.created, run.rows_committed) == ("finished", 5, 5)
    assert PersonRecord.objects.filter(source_system="rms").count() == 5


def test_a_run_left_running_by_a_dead_process_can_be_resumed():
    run = _create(csv_bytes("persons", [person(1)]))
    ImportRun.objects.filter(pk=run.pk).update(status="running", heartbeat_at=timezone.now())
    assert import_run(run=run, now=NOW).status == "running"
    ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - services.STALE_AFTER * 1.1)
    assert import_run(run=run, now=NOW).status == "finished"


@pytest.fixture
def admin_client(client):
    client.force_login(user_create(role="administrator"))
    return client


def _upload(client, content: bytes):
    upload = io.BytesIO(content)
    upload.name = "people.csv"
    return client.post(reverse("imports:runs"), {"kind": "persons", "source_system": "rms", "file": upload})


def test_a_file_uploaded_again_or_a_double_resume_queues_the_run_once(admin_client,
                                                                     django_capture_on_commit_callbacks):
    content = csv_bytes("persons", [person(1)])
    with django_capture_on_commit_callbacks() as queued:
        _upload(admin_client, content)
        _upload(admin_client, content)  # its run is still waiting: not queued again
    assert len(queued) == 1 and ImportRun.objects.count() == 1
    run = ImportRun.objects.get()
    ImportRun.objects.filter(pk=run.pk).update(status="interrupted")
    url = reverse("imports:run-resume", args=[run.public_id])
    with django_capture_on_commit_callbacks() as queued:
        admin_client.post(url)
        admin_client.post(url)
        _upload(admin_client, content)
    assert len(queued) == 1
    assert ImportRun.objects.get().status == "queued"


# 4. Uploaded files

def test_the_upload_folder_and_file_are_readable_by_their_owner_only(settings):
    run = _create(csv_bytes("persons", [person(1)]))
    assert _mode(settings.VIGIL_IMPORTS_DIR) == 0o700
    assert _mode(__import__("pathlib").Path(run.stored_file)) == 0o600


def test_a_refused_file_is_deleted():
    run = _create(b"person_id,person_id\nA,B\n")
    path = __import__("pathlib").Path(run.stored_file)
    assert path.exists()
    run = import_run(run=run, now=NOW)
    assert run.status == "refused" and not path.exists()


# 5. Stored task errors

def test_an_interrupted_task_stores_no_personal_data(monkeypatch):
    def failing_insert(ctx, items):
        raise ValueError('duplicate key: Key (given_name)=(Alexandra Testperson) already exists '
                         'CONTEXT: COPY people_personrecord, line 1: "NOM-0001 Alexandra Testperson"')

    monkeypatch.setitem(WRITERS, "persons", Writer(failing_insert, persons_update))
    run = _create(csv_bytes("persons", [person(1, given_name="Alexandra")]))
    with pytest.raises(ImportInterrupted) as raised:
        import_run_task.call(run.pk)
    assert "Alexandra" not in str(raised.value) and "ValueError" in str(raised.value)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__

    run.refresh_from_db()
    ImportRun.objects.filter(pk=run.pk).update(status="queued")
    import_run_task.enqueue(run.pk)
    call_command("worker", "--once", verbosity=0)
    result = DBTaskResult.objects.get(task_path="vigil.imports.tasks.import_run_task")
    assert result.status == "FAILED" and "ImportInterrupted" in result.traceback
    assert "Alexandra" not in result.traceback and "CONTEXT" not in result.traceback
    assert "Alexandra" not in ImportRun.objects.get(pk=run.pk).problem


# 6. The command's report

def test_the_commands_report_is_audited_as_an_export_and_readable_by_its_owner_only(tmp_path):
    source = tmp_path / "people.csv"
    source.write_bytes(csv_bytes("persons", [person(1), person(2, sex="X")]))
    report = tmp_path / "report.csv"
    report.write_text("old")
    report.chmod(0o644)
    with pytest.raises(CommandError) as raised:
        call_command("import", "--kind", "persons", "--file", str(source), "--no-link", "--report", str(report),
                     stdout=io.StringIO(), stderr=io.StringIO())
    assert raised.value.returncode == 1
    assert _mode(report) == 0o600 and "NOM-0002" in report.read_text()
    run = ImportRun.objects.get()
    event = AuditEvent.objects.get(action="export", object_id=str(run.public_id))
    assert event.object_type == "imports.ImportRun" and event.reason == "Quarantine report, to fix and send again"
    assert event.detail == {"rows": 1, "kind": "persons", "via": "vigil import"}


# 7. A resumed run ends as an uninterrupted run would

def test_a_row_quarantined_before_an_interruption_does_not_make_a_later_row_a_duplicate(monkeypatch):
    rows = [person(n) for n in range(1, 5)] + [person(7, date_of_birth="1985-02-30")]
    rows += [person(n) for n in range(8, 17)] + [person(7)]  # row 15: a valid NOM-0007
    content = csv_bytes("persons", rows)
    monkeypatch.setattr(services, "BATCH_ROWS", 5)
    real_insert, calls = WRITERS["persons"].insert, {"n": 0}

    def crash_on_second_batch(ctx, items):
        calls["n"] += 1
        real_insert(ctx, items)
        if calls["n"] == 2:
            raise KeyboardInterrupt

    monkeypatch.setitem(WRITERS, "persons", Writer(crash_on_second_batch, persons_update))
    run = _create(content, system="stopped")
    with pytest.raises(KeyboardInterrupt):
        import_run(run=run, now=NOW)
    run.refresh_from_db()
    assert run.status == "interrupted" and run.rows_committed == 5
    resumed = import_run(run=run, now=NOW)

    monkeypatch.setitem(WRITERS, "persons", Writer(real_insert, persons_update))
    whole = run_import("persons", content, system="whole")
    assert (whole.created, whole.quarantined) == (14, 1)
    assert (resumed.status, resumed.created, resumed.quarantined) == ("finished", 14, 1)
    assert PersonRecord.objects.filter(source_system="stopped", source_ref="NOM-0007").exists()
