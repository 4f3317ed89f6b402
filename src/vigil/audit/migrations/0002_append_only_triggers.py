"""Database triggers that refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE) of audit events."""

from django.db import migrations

from vigil.audit.append_only import install_triggers, remove_triggers


def forwards(apps, schema_editor):
    install_triggers(schema_editor)


def backwards(apps, schema_editor):
    remove_triggers(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
