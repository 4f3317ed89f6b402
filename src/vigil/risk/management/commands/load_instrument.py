"""`vigil load_instrument FILE [--default]`: load one risk instrument definition (a force's DARA, a local
variant, a new version of DASH). `vigil load_instrument --shipped`: load the definitions Vigil ships, DASH
2009 becoming the default when no default is chosen."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from vigil.risk.instrument_loading import FALLBACK_CODE, instrument_load, read_definition, shipped_definitions
from vigil.risk.models import Instrument


class Command(BaseCommand):
    help = "Load a risk instrument definition (JSON) as a new version, or the definitions Vigil ships."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the definition file (JSON)")
        parser.add_argument("--default", action="store_true", help="make it the force's default instrument")
        parser.add_argument("--shipped", action="store_true",
                            help="load DASH 2009 (with S-DASH) and the SafeLives checklist")

    def handle(self, *args, file=None, default=False, shipped=False, **options):
        if shipped and (file or default):
            raise CommandError("Give either a FILE (with --default if it is to be the default) or --shipped.")
        if not shipped and not file:
            raise CommandError("Give the definition FILE to load, or --shipped.")
        try:
            if shipped:
                for path in shipped_definitions():
                    definition = read_definition(path)
                    make_default = (isinstance(definition, dict) and definition.get("code") == FALLBACK_CODE
                                    and not Instrument.objects.filter(is_default=True).exists())
                    self._load(definition, make_default=make_default, source=path.name)
            else:
                self._load(read_definition(file), make_default=default, source=file)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    def _load(self, definition: dict, *, make_default: bool, source: str) -> None:
        existed = isinstance(definition, dict) and Instrument.objects.filter(
            code=str(definition.get("code", "")), version=str(definition.get("version", ""))).exists()
        instrument = instrument_load(definition=definition, make_default=make_default)
        state = "already loaded, unchanged" if existed else "loaded"
        default = ", the force's default" if instrument.is_default else ""
        self.stdout.write(f"{instrument.name}, version {instrument.version} ({instrument.code}): {state}{default}"
                          f" [{source}]")
