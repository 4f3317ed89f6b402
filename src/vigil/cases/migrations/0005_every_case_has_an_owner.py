"""Every case has exactly one owner: the owner and the owning team become NOT NULL."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("cases", "0004_ownership_defaults_and_owners"), ("accounts", "0003_team_supervisor")]

    operations = [
        migrations.AlterField(
            model_name='safeguardingcase',
            name='owner',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cases_owned', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='safeguardingcase',
            name='owning_team',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cases_owned', to='accounts.team'),
        ),
    ]
