"""The demo users' work in hand: signing in as the demo officers shows cases they own and a handover
offered to them, made through the ownership services and made once."""

import pytest
from django.core.management import call_command
from django.db import transaction

from vigil.accounts.demo_users import demo_username
from vigil.accounts.models import User
from vigil.cases.models import Handover, OwnershipPeriod, SafeguardingCase, TimelineEntry
from vigil.demo.services import force_generate


@pytest.mark.django_db
def test_demo_officers_get_open_cases_and_a_named_handover_once(profile, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    with transaction.atomic():
        force_generate(profile=profile, seed=5, scale=0.05)
        call_command("demo_users")
        officer = User.objects.get(username=demo_username("neighbourhood_officer"))
        specialist = User.objects.get(username=demo_username("specialist_investigator"))
        team = officer.teams.get()
        expected = min(3, SafeguardingCase.objects.filter(owning_team=team, closed_at__isnull=True).count())
        assert expected >= 1
        owned = SafeguardingCase.objects.filter(owner=officer)
        assert owned.count() == expected
        assert all(c.closed_at is None and c.owning_team == team for c in owned)
        assert OwnershipPeriod.objects.filter(case__in=owned, owner=officer, ended_at__isnull=True, via="handover") \
            .count() == expected
        offered = Handover.objects.get(to_user=specialist, status="pending")
        assert offered.case.risk_level == "high" and offered.case.owner != specialist
        assert TimelineEntry.objects.filter(case__in=owned, kind="handover_accepted").count() == expected

        call_command("demo_users")  # make run runs it every time: nothing more is handed over
        assert SafeguardingCase.objects.filter(owner=officer).count() == expected
        assert Handover.objects.filter(to_user=specialist).count() == 1
        transaction.set_rollback(True)
