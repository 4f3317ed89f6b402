"""`vigil link --input persons.csv --output clusters.csv`: link any persons file into persons.

Uses the same matching code as the application (`vigil.linkage.matching`), trains without labels
on the file it is given, and writes one `record_id,person_id` row per input record. Runs on DuckDB
(default) or on a local Spark session (`--backend spark`, default from VIGIL_LINKAGE_BACKEND).
"""

from __future__ import annotations

import csv
import os
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from vigil.linkage import matching, prepare


class Command(BaseCommand):
    help = (
        "Link a persons CSV (record_id,given_name,family_name,date_of_birth,postcode,address,phone"
        "[,identifier]) into persons; writes record_id,person_id."
    )

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="persons CSV to link")
        parser.add_argument("--output", required=True, help="where to write record_id,person_id")
        parser.add_argument(
            "--threshold-upper",
            type=float,
            default=matching.DEFAULT_UPPER,
            help=f"link automatically at or above this match probability (default {matching.DEFAULT_UPPER})",
        )
        parser.add_argument(
            "--threshold-lower",
            type=float,
            default=matching.DEFAULT_LOWER,
            help=f"pairs between this and the upper threshold are counted for review (default {matching.DEFAULT_LOWER})",
        )
        parser.add_argument("--model-out", help="save the trained model (JSON, with its version) here")
        parser.add_argument(
            "--max-pairs",
            type=float,
            default=matching.DEFAULT_MAX_PAIRS,
            help=f"record pairs sampled to estimate u (default {matching.DEFAULT_MAX_PAIRS:g})",
        )
        parser.add_argument("--max-iterations", type=int, default=25, help="EM iterations per session")
        parser.add_argument(
            "--backend",
            choices=matching.BACKENDS,
            default=None,
            help="where Splink runs: duckdb (in process) or spark (local pyspark, needs Java 17+); "
            f"default from VIGIL_LINKAGE_BACKEND, else {matching.DEFAULT_BACKEND}",
        )

    def handle(self, *args, **options):
        upper, lower = options["threshold_upper"], options["threshold_lower"]
        if not (0 < lower <= upper < 1):
            raise CommandError(
                "thresholds must satisfy 0 < --threshold-lower <= --threshold-upper < 1", returncode=2
            )
        backend = (
            options.get("backend") or os.environ.get("VIGIL_LINKAGE_BACKEND") or matching.DEFAULT_BACKEND
        )
        try:
            backend = matching.check_backend(backend)
        except ValueError as exc:
            raise CommandError(f"{exc} (--backend or VIGIL_LINKAGE_BACKEND)", returncode=2) from None
        started = time.monotonic()

        def progress(message: str) -> None:
            print(f"[{time.monotonic() - started:7.1f}s] {message}", file=sys.stderr, flush=True)

        progress(f"reading {options['input']}")
        try:
            columns = prepare.load_persons_csv(options["input"])
        except prepare.InputError as exc:
            raise CommandError(str(exc), returncode=2) from None
        try:
            output = open(options["output"], "w", newline="", encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(
                f"cannot write {options['output']}: {exc.strerror or exc}", returncode=2
            ) from None

        with output:
            try:
                result = matching.link(
                    columns,
                    upper=upper,
                    lower=lower,
                    max_pairs=options["max_pairs"],
                    max_iterations=options["max_iterations"],
                    progress=progress,
                    backend=backend,
                )
            except matching.BackendUnavailable as exc:
                raise CommandError(str(exc), returncode=2) from None
            writer = csv.writer(output)
            writer.writerow(["record_id", "person_id"])
            writer.writerows(result.person_ids.items())
        progress(f"wrote {len(result.person_ids)} rows to {options['output']}")
        if options.get("model_out"):
            try:
                matching.save_model(result.model, options["model_out"])
            except OSError as exc:
                raise CommandError(
                    f"cannot write {options['model_out']}: {exc.strerror or exc}", returncode=2
                ) from None
            progress(f"saved model {result.model['model_version']} to {options['model_out']}")
