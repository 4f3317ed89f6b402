"""Load the instruments Vigil ships (DASH 2009 with S-DASH, the SafeLives checklist), DASH as the
default. A force loads others (DARA, a local variant) with `vigil load_instrument FILE`."""

import json
from pathlib import Path

from django.db import migrations
from django.utils import timezone

DEFINITIONS = Path(__file__).resolve().parent.parent / "definitions"


def shipped_install(apps, schema_editor=None):
    from vigil.risk import instruments

    Instrument = apps.get_model("risk", "Instrument")
    for path in sorted(DEFINITIONS.glob("*.json")):
        definition = json.loads(path.read_text(encoding="utf-8"))
        instruments.validate(definition)
        Instrument.objects.get_or_create(
            code=definition["code"], version=str(definition["version"]),
            defaults={"name": definition["name"], "definition": definition, "loaded_at": timezone.now()})
    if not Instrument.objects.filter(is_default=True).exists():
        Instrument.objects.filter(code="dash-2009").update(is_default=True)


def remove(apps, schema_editor):
    apps.get_model("risk", "Instrument").objects.filter(assessments__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("risk", "0002_instruments_answers_decisions_evidence")]
    operations = [migrations.RunPython(shipped_install, remove)]
