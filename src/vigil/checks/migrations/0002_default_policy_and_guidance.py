"""The default background-check policy and the first edition of the call takers' guidance
(vigil.checks.defaults). Both are data an administrator edits afterwards."""

from django.db import migrations

from vigil.checks.defaults import defaults_install


def forwards(apps, schema_editor):
    defaults_install(apps)


def backwards(apps, schema_editor):
    apps.get_model("checks", "CheckRule").objects.all().delete()
    apps.get_model("checks", "GuidanceTopic").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("checks", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
