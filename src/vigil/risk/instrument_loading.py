"""Loading risk instruments (DASH 2009, the SafeLives checklist, a force's DARA or any future tool) as
versioned definitions, and choosing the force's default.

A loaded version never changes: assessments keep the version they were made with, so a changed definition
is loaded as a new version. Loading the identical definition again changes nothing.
"""

import json
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_record

from . import instruments
from .models import Instrument

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
FALLBACK_CODE = "dash-2009"
# The model's column sizes, checked here so that a long value is a clear error on every database.
CODE_LENGTH = Instrument._meta.get_field("code").max_length
VERSION_LENGTH = Instrument._meta.get_field("version").max_length
NAME_LENGTH = Instrument._meta.get_field("name").max_length
AUDIT_ID_LENGTH = AuditEvent._meta.get_field("object_id").max_length  # "code:version" names it in the log


class NoInstrumentLoaded(Instrument.DoesNotExist):
    """No instrument can be used: nothing is loaded, or nothing is the default and DASH 2009 is not loaded."""


def shipped_definitions() -> list[Path]:
    """The definition files Vigil ships (DASH 2009 with S-DASH, the SafeLives checklist)."""
    return sorted(DEFINITIONS_DIR.glob("*.json"))


def read_definition(path: Path | str) -> dict:
    """A definition file's JSON, or a ValidationError that says what is wrong with the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError(f"There is no file {path}.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationError(f"{path} cannot be read as UTF-8 text: {error}") from None
    return parse_definition(text, source=str(path))


def parse_definition(text: str, *, source: str = "the file") -> dict:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError(f"{source} is not valid JSON: {error.msg} at line {error.lineno}, "
                              f"column {error.colno}.") from None


def instrument_check(definition: Mapping) -> tuple[dict, Instrument | None]:
    """The definition as it will be stored, and the instrument already loaded with it (None if it is new).
    Raises ValidationError when the definition is not usable or would change a loaded version."""
    try:
        instruments.validate(definition)
    except instruments.InvalidInstrument as error:
        raise ValidationError(f"This is not a usable instrument definition: {error}.") from None
    except (AttributeError, KeyError, TypeError) as error:  # a shape validate does not expect, e.g. a list for an object
        raise ValidationError(f"This is not a usable instrument definition: a part of it has the wrong shape "
                              f"({type(error).__name__}: {error}).") from None
    stored = json.loads(json.dumps(definition))  # as the database gives it back, to compare like with like
    code, version, name = str(stored["code"]), str(stored["version"]), str(stored["name"])
    for label, value, limit in (("code", code, CODE_LENGTH), ("version", version, VERSION_LENGTH),
                                ("name", name, NAME_LENGTH)):
        if len(value) > limit:
            raise ValidationError(f"The instrument's \"{label}\" is longer than {limit} characters.")
    if len(code) + 1 + len(version) > AUDIT_ID_LENGTH:
        raise ValidationError(f"The instrument's \"code\" and \"version\" together are longer than "
                              f"{AUDIT_ID_LENGTH - 1} characters.")
    existing = Instrument.objects.filter(code=code, version=version).first()
    if existing is not None and existing.definition != stored:
        raise ValidationError(
            f"Version \"{version}\" of \"{code}\" is already loaded with a different definition. A loaded "
            f"version never changes, because assessments made with it keep it: give the changed definition "
            f"a new \"version\" and load that.")
    return stored, existing


def instrument_load(*, definition: Mapping, by=None, make_default: bool = False, now=None) -> Instrument:
    """Load one version of an instrument, or return it unchanged if this identical definition is loaded
    already; with `make_default`, it becomes the force's default (and the previous default stops being)."""
    now = now or timezone.now()
    with transaction.atomic():
        stored, instrument = instrument_check(definition)
        created = instrument is None
        if created:
            instrument = Instrument.objects.create(
                code=str(stored["code"]), version=str(stored["version"]), name=str(stored["name"]),
                definition=stored, is_default=False, loaded_at=now, loaded_by=by)
        previous = _make_default(instrument) if make_default else None
        if created or previous is not None:
            _audit(instrument, by=by, loaded=created, previous_default=previous)
    return instrument


def instrument_make_default(*, instrument: Instrument, by=None) -> Instrument:
    """Make this loaded version the force's default; the previous default stops being it."""
    with transaction.atomic():
        previous = _make_default(instrument)
        if previous is not None:
            _audit(instrument, by=by, loaded=False, previous_default=previous)
    return instrument


def instrument_default() -> Instrument:
    """The force's default instrument; when none is chosen, the latest DASH 2009 loaded."""
    default = Instrument.objects.filter(is_default=True).first()
    if default is not None:
        return default
    fallback = Instrument.objects.filter(code=FALLBACK_CODE).order_by("-loaded_at", "-pk").first()
    if fallback is not None:
        return fallback
    if Instrument.objects.exists():
        raise NoInstrumentLoaded(
            "No risk instrument is the force's default and DASH 2009 is not loaded: an administrator must "
            "choose a default instrument.")
    raise NoInstrumentLoaded(
        "No risk instrument is loaded: run `vigil load_instrument --shipped` to load DASH 2009 and the "
        "SafeLives checklist.")


def _make_default(instrument: Instrument) -> str | None:
    """Inside the caller's transaction: unset the previous default, then set this one. Returns the previous
    default's "code:version" ("" if there was none), or None when this one already was the default."""
    current = list(Instrument.objects.select_for_update().filter(is_default=True))
    if any(other.pk == instrument.pk for other in current):
        instrument.is_default = True
        return None
    Instrument.objects.filter(pk__in=[other.pk for other in current]).update(is_default=False)
    Instrument.objects.filter(pk=instrument.pk).update(is_default=True)
    instrument.is_default = True
    return ",".join(f"{other.code}:{other.version}" for other in current)


def _audit(instrument: Instrument, *, by, loaded: bool, previous_default: str | None) -> None:
    detail = {"code": instrument.code, "version": instrument.version, "loaded": loaded,
              "made_default": previous_default is not None}
    if previous_default:
        detail["previous_default"] = previous_default
    audit_record(action="alteration", actor=by, object_type="risk.Instrument",
                 object_id=f"{instrument.code}:{instrument.version}", detail=detail)
