"""The quarantine report: every row an import did not take, in the kind's own columns, with the reasons and
the row's number added as `vigil_` columns, so a person can fix the rows and send the file back (the
importer ignores `vigil_` columns)."""

import csv
import io
from collections.abc import Iterator

from . import schema
from .models import ImportRun

REPORT_COLUMNS = ("vigil_row", "vigil_errors", "vigil_original")


def report_header(run: ImportRun) -> list[str]:
    return [*schema.KINDS[run.kind].columns, *REPORT_COLUMNS]


def report_rows(run: ImportRun) -> Iterator[list[str]]:
    columns = schema.KINDS[run.kind].columns
    for row in run.quarantine.order_by("row_number").iterator(chunk_size=2000):
        values = row.values or {}
        yield [*("" if values.get(c) is None else str(values.get(c)) for c in columns),
               str(row.row_number), "; ".join(row.reasons), row.raw]


def report_csv_lines(run: ImportRun) -> Iterator[str]:
    """The report as CSV text, a line at a time (for a streaming download)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(report_header(run))
    for row in report_rows(run):
        writer.writerow(row)
        if buffer.tell() > 1 << 16:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def template_csv(kind: str) -> str:
    """The template file for a kind: its header and one example row (synthetic)."""
    spec = schema.KINDS[kind]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(spec.columns)
    writer.writerow([f.example for f in spec.fields])
    return out.getvalue()
