"""`vigil import --kind K --file F`: import a file of one kind of record (see docs/imports.md)."""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from vigil.audit.models import Action
from vigil.audit.services import audit_record
from vigil.files import private_file_open
from vigil.imports import schema
from vigil.imports.models import ImportRun
from vigil.imports.report import report_csv_lines
from vigil.imports.services import ImportRefused, import_create, import_link, import_run


class Command(BaseCommand):
    help = ("Import a CSV, JSON Lines or JSON file of one kind of record. Good rows are saved in batches; bad rows "
            "go to the quarantine report. Importing the same file again changes nothing; an interrupted import "
            "resumes when run again. Exit status: 0 every row imported, 1 some rows quarantined, 2 refused.")

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=list(schema.KINDS))
        parser.add_argument("--file", required=True, type=Path)
        parser.add_argument("--source-system", default="legacy",
                            help="The system the records come from; identifiers are unique within it (default legacy)")
        parser.add_argument("--dry-run", action="store_true", help="Check every row and count; save nothing")
        parser.add_argument("--no-link", action="store_true", help="Do not re-link person records afterwards")
        parser.add_argument("--report", type=Path, help="Write the quarantine report (CSV) to this file")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}", returncode=2)
        started = time.monotonic()
        try:
            with path.open("rb") as stream:
                run = import_create(kind=options["kind"], source_system=options["source_system"], file=stream,
                                    file_name=path.name, dry_run=options["dry_run"], link_after=not options["no_link"])
        except ImportRefused as error:
            raise CommandError(str(error), returncode=2) from None
        if run.rows_committed:
            self.stderr.write(f"Resuming the import stopped after row {run.rows_committed}")
        run = import_run(run=run, progress=lambda r: self._progress(r, started))
        sys.stderr.write("\n")
        if run.status in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING):
            raise CommandError(f"import {run.public_id} of this file is being run by another process (the worker?): "
                               f"see /imports/", returncode=2)
        if run.status == ImportRun.Status.REFUSED:
            raise CommandError(f"The file was refused: {run.problem}", returncode=2)
        if run.status == ImportRun.Status.LINKING:
            run = import_link(run=run, progress=lambda m: self.stderr.write(f"[linking] {m}"))
        seconds = time.monotonic() - started
        self.stdout.write(f"import {run.public_id}: kind={run.kind} rows={run.rows_done} created={run.created} "
                          f"updated={run.updated} unchanged={run.unchanged} quarantined={run.quarantined} "
                          f"dry_run={run.dry_run} seconds={seconds:.1f}")
        if options["report"] and run.quarantined:
            self._report_write(run, options["report"])
            self.stdout.write(f"quarantine report: {options['report']}")
        if run.quarantined:
            raise CommandError(f"{run.quarantined} row(s) were not imported: see the quarantine report", returncode=1)

    def _report_write(self, run: ImportRun, path: Path) -> None:
        """The quarantine report holds rows as sent (personal data): readable by this account only, and
        audited as an export, as its download is."""
        audit_record(action=Action.EXPORT, object_type="imports.ImportRun", object_id=str(run.public_id),
                     reason="Quarantine report, to fix and send again",
                     detail={"rows": run.quarantined, "kind": run.kind, "via": "vigil import"})
        with private_file_open(path) as out:
            for text in report_csv_lines(run):
                out.write(text)

    def _progress(self, run: ImportRun, started: float) -> None:
        width = 30
        filled = width * run.percent_done // 100
        rate = run.rows_done / max(time.monotonic() - started, 1e-9)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {run.percent_done:3d}%  {run.rows_done:,} rows "
                         f" {rate:,.0f} rows/s")
        sys.stderr.flush()
