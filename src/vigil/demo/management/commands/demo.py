import sys
import time

from django.core.management.base import BaseCommand, CommandError

from vigil.demo.profiles import PROFILES, profile_get
from vigil.demo.services import force_generate
from vigil.incidents.models import Incident
from vigil.linkage.relink import relink_run

# Above this many person records the re-link is left to the operator (`vigil relink`, or the Spark backend
# for national scale): scale 1 has about 123,000 and links in about a minute.
LINK_AT_MOST = 300_000


class Command(BaseCommand):
    help = ("Generate a synthetic force: a calibrated force-year plus its history, with recording noise "
            "and the ground truth kept apart.")

    def add_arguments(self, parser):
        parser.add_argument("--profile", default="leicestershire-2013", choices=sorted(PROFILES))
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--scale", type=float, default=1.0,
                            help="1 is one force; 43 is national size, as 43 force partitions")
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing if the database already holds incidents")
        parser.add_argument("--inject-capacity-effect", action="store_true",
                            help="make specialist downgrades more likely when the unit holds more open "
                                 "high-risk cases (5 %% of reviews in the quietest weeks to 30 %% in the "
                                 "busiest; off: 12 %% whatever the caseload)")
        parser.add_argument("--plant-history-signal", action="store_true",
                            help="make a victim more likely to come back the more incidents they had in the "
                                 "last year, the shorter the gap between their last two and the more other "
                                 "victims their abuser has (off: repeat victims are drawn whatever their "
                                 "history); see docs/demo.md")
        parser.add_argument("--no-link", action="store_true",
                            help="leave the person records linked by the legacy rules (same name and date of "
                                 "birth) instead of training the matching model on them and re-linking, as "
                                 "`vigil relink` does")

    def handle(self, *args, **options):
        if options["scale"] <= 0:
            raise CommandError("--scale must be more than 0")
        if options["if_empty"] and Incident.objects.exists():
            self.stdout.write("Incidents already exist: nothing generated (--if-empty).")
            return
        summary = force_generate(profile=profile_get(options["profile"]), seed=options["seed"],
                                 scale=options["scale"], progress=options["verbosity"] > 0,
                                 parallel=True, capacity_effect=options["inject_capacity_effect"],
                                 history_signal=options["plant_history_signal"])
        self.stdout.write(
            f"Generated {options['profile']} (seed {options['seed']}, scale {options['scale']:g}, "
            f"{summary.partitions} partition{'s' if summary.partitions != 1 else ''}"
            f"{', capacity effect injected' if options['inject_capacity_effect'] else ''}"
            f"{', history signal planted' if options['plant_history_signal'] else ''}): "
            f"{summary.incidents:,} incidents, {summary.person_records:,} person records "
            f"in {summary.seconds:.1f} s.")
        if options["no_link"]:
            return
        if summary.person_records > LINK_AT_MOST:
            self.stdout.write(f"The person records are linked by the legacy rules only: with more than "
                              f"{LINK_AT_MOST:,} records, run `vigil relink` when the machine is free.")
            return
        started = time.monotonic()

        def progress(message: str) -> None:
            if options["verbosity"] > 0:
                print(f"[linking {time.monotonic() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

        outcome = relink_run(progress=progress)
        self.stdout.write(f"Linked the person records with the matching model in {time.monotonic() - started:.1f} s: "
                          f"{outcome['joins']:,} persons joined, {outcome['reviews_opened']:,} pairs for review.")
