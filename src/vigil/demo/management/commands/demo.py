from django.core.management.base import BaseCommand, CommandError

from vigil.demo.profiles import PROFILES, profile_get
from vigil.demo.services import force_generate
from vigil.incidents.models import Incident


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

    def handle(self, *args, **options):
        if options["scale"] <= 0:
            raise CommandError("--scale must be more than 0")
        if options["if_empty"] and Incident.objects.exists():
            self.stdout.write("Incidents already exist: nothing generated (--if-empty).")
            return
        summary = force_generate(profile=profile_get(options["profile"]), seed=options["seed"],
                                 scale=options["scale"], progress=options["verbosity"] > 0,
                                 parallel=True, capacity_effect=options["inject_capacity_effect"])
        self.stdout.write(
            f"Generated {options['profile']} (seed {options['seed']}, scale {options['scale']:g}, "
            f"{summary.partitions} partition{'s' if summary.partitions != 1 else ''}"
            f"{', capacity effect injected' if options['inject_capacity_effect'] else ''}): "
            f"{summary.incidents:,} incidents, {summary.person_records:,} person records "
            f"in {summary.seconds:.1f} s.")
