"""vigil marac_return --from YYYY-MM-DD --to YYYY-MM-DD [--area CODE] [--format csv|json] [--output FILE]

The SafeLives MARAC data return for the cases discussed at meetings held in a period (both days inclusive),
for one MARAC (a MARAC area's code) or, without --area, every MARAC (one row each, then the total). CSV in
the layout docs/marac.md gives ("The SafeLives data return"); JSON a list of objects with the same keys.
Each run is audited as an export of the return with no user (the command line). Counts only."""

import json

from django.core.management.base import BaseCommand, CommandError

from vigil.files import private_file_write
from vigil.formtools import MAX_ANALYSIS_PERIOD, command_day
from vigil.marac import data_return as rules
from vigil.marac.models import MaracArea
from vigil.marac.return_selectors import data_return_export, data_return_for


class Command(BaseCommand):
    help = "Print the SafeLives MARAC data return for a period as CSV or JSON (audited as an export)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="First day, YYYY-MM-DD (inclusive)")
        parser.add_argument("--to", dest="end", required=True, help="Last day, YYYY-MM-DD (inclusive)")
        parser.add_argument("--area", help="A MARAC's code; every MARAC when left out")
        parser.add_argument("--format", choices=("csv", "json"), default="csv")
        parser.add_argument("--output", help="Write to this file instead of stdout")

    def handle(self, *args, start, end, area, format, output, **options):
        start, end = command_day(start), command_day(end)
        if end < start:
            raise CommandError("--to must be the same day as --from or later")
        if end - start > MAX_ANALYSIS_PERIOD:
            raise CommandError("the period can be at most 10 years long")
        chosen = None
        if area:
            chosen = MaracArea.objects.filter(code=area).first()
            if chosen is None:
                codes = ", ".join(MaracArea.objects.order_by("code").values_list("code", flat=True)) or "none"
                raise CommandError(f"no MARAC with the code {area!r} (MARACs: {codes})")
        result = data_return_for(area=chosen, start=start, end=end)
        if format == "json":
            content = json.dumps([rules.json_data(row) for row in result.rows], indent=2) + "\n"
        else:
            content = rules.csv_text(result.rows)
        data_return_export(viewer=None, result=result, format=format, via="vigil marac_return")
        if output:
            private_file_write(output, content)
        else:
            self.stdout.write(content, ending="")
