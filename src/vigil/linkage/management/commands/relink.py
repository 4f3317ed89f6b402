"""`vigil relink`: re-link every person record in Vigil's database (train, score, join, queue for review)."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from vigil.linkage import matching
from vigil.linkage.relink import relink_run


class Command(BaseCommand):
    help = ("Re-link the force's person records: train on them, join persons at or above the upper threshold "
            "(never against a reviewer's decision) and send the uncertain pairs to the review queue.")

    def add_arguments(self, parser):
        parser.add_argument("--threshold-upper", type=float, default=matching.DEFAULT_UPPER)
        parser.add_argument("--threshold-lower", type=float, default=matching.DEFAULT_LOWER)

    def handle(self, *args, **options):
        upper, lower = options["threshold_upper"], options["threshold_lower"]
        if not (0 < lower <= upper < 1):
            raise CommandError("thresholds must satisfy 0 < --threshold-lower <= --threshold-upper < 1", returncode=2)
        started = time.monotonic()

        def progress(message: str) -> None:
            print(f"[{time.monotonic() - started:7.1f}s] {message}", file=sys.stderr, flush=True)

        outcome = relink_run(upper=upper, lower=lower, progress=progress)
        self.stdout.write(" ".join(f"{key}={value}" for key, value in outcome.items()))
