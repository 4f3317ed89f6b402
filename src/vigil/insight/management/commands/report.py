"""vigil report --from YYYY-MM-DD --to YYYY-MM-DD [--area CODE] --format json|csv|html|pdf [--output FILE]

The performance pack for a period (both days inclusive, Europe/London) and an area (an incidents.Area code;
the whole force without one), to stdout or to FILE. JSON, CSV and HTML are UTF-8 text; a PDF is written as
bytes (to stdout only when stdout is not a terminal). Each run is audited as an export of the pack with no
user (the command line). docs/insight.md, "Performance pack", documents every JSON key."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from vigil.files import private_file_write
from vigil.formtools import MAX_ANALYSIS_PERIOD, command_day
from vigil.incidents.models import Area
from vigil.insight.pack import pack_json
from vigil.insight.pack_selectors import PackPeriod, pack_compute, pack_export
from vigil.insight.pack_views import pack_csv_text, pack_document_html, pack_extras

FORMATS = ("json", "csv", "html", "pdf")


class Command(BaseCommand):
    help = "Print the performance pack for a period and area as JSON, CSV, HTML or PDF (audited as an export)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="First day, YYYY-MM-DD (inclusive)")
        parser.add_argument("--to", dest="end", required=True, help="Last day, YYYY-MM-DD (inclusive)")
        parser.add_argument("--area", help="An area's code (incidents.Area); the whole force when left out")
        parser.add_argument("--format", choices=FORMATS, default="json")
        parser.add_argument("--output", help="Write to this file instead of stdout")

    def handle(self, *args, start, end, area, format, output, **options):
        period = PackPeriod(command_day(start), command_day(end))
        if period.end < period.start:
            raise CommandError("--to must be the same day as --from or later")
        if period.end - period.start > MAX_ANALYSIS_PERIOD:
            raise CommandError("the period can be at most 10 years long")
        chosen = None
        if area:
            chosen = Area.objects.filter(code=area).first()
            if chosen is None:
                codes = ", ".join(Area.objects.order_by("code").values_list("code", flat=True)) or "none"
                raise CommandError(f"no area with the code {area!r} (areas: {codes})")
        pack = pack_compute(period=period, area=chosen)
        extras = pack_extras(viewer=None, period=period, area=chosen) if format in ("html", "pdf") else None
        if format == "json":
            content: str | bytes = json.dumps(pack_json(pack), indent=2) + "\n"
        elif format == "csv":
            content = pack_csv_text(pack)
        elif format == "html":
            content = pack_document_html(pack, extras=extras)
        else:
            from vigil.pdf import PdfUnavailable, render_pdf

            try:
                content = render_pdf(pack_document_html(pack, pdf=True, extras=extras))
            except PdfUnavailable as error:
                raise CommandError(str(error)) from None
        pack_export(viewer=None, pack=pack, format=format, via="vigil report")
        self._write(content, output)

    def _write(self, content: str | bytes, output: str | None) -> None:
        if output:
            private_file_write(output, content)
            return
        if isinstance(content, bytes):
            stream = getattr(self.stdout._out, "buffer", None)
            if stream is None or (self.stdout._out is sys.stdout and sys.stdout.isatty()):
                raise CommandError("a PDF is bytes: give --output FILE, or redirect stdout to a file")
            stream.write(content)
            stream.flush()
            return
        self.stdout.write(content, ending="")
