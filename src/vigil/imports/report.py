"""The quarantine report: every row an import did not take, in the kind's own columns, with the reasons and
the row's number added as `vigil_` columns, so a person can fix the rows and send the file back (the
importer ignores `vigil_` columns). Every cell is written safe for spreadsheets (`vigil.csvsafe`): the values
are as uploaded, and a cell such as `=HYPERLINK(...)` must not run on the administrator's machine; reading
the file back removes the `'` added."""

import csv
import io
from collections.abc import Iterator

from vigil.csvsafe import csv_safe

from . import schema
from .models import ImportRun

REPORT_COLUMNS = ("vigil_row", "vigil_errors", "vigil_original")


def report_header(run: ImportRun) -> list[str]:
    return [*schema.KINDS[run.kind].columns, *REPORT_COLUMNS]


def report_rows(run: ImportRun) -> Iterator[list[str]]:
    """The report's rows, each cell safe for spreadsheets."""
    columns = schema.KINDS[run.kind].columns
    for row in run.quarantine.order_by("row_number").iterator(chunk_size=2000):
        values = row.values or {}
        cells = [*("" if values.get(c) is None else str(values.get(c)) for c in columns),
                 str(row.row_number), "; ".join(row.reasons), row.raw]
        yield [csv_safe(cell) for cell in cells]


def report_csv_lines(run: ImportRun) -> Iterator[str]:
    """The report as CSV text, a line at a time (for a streaming download)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(map(csv_safe, report_header(run)))
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
    writer.writerow(map(csv_safe, spec.columns))
    writer.writerow([csv_safe(str(f.example or "")) for f in spec.fields])
    return out.getvalue()
