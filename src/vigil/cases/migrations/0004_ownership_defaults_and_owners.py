"""The ownership policy's defaults, and an owner for every case opened before ownership existed."""

from django.db import migrations


# Policy defaults (domain.md is silent on handover times; these are Vigil's, editable by an administrator).
OWNERSHIP_DEFAULTS = (("high", "specialist", 4), ("medium", "neighbourhood", 24), ("standard", "neighbourhood", 72))


def defaults_and_owners(apps, schema_editor):
    """Install the ownership policy, then give every case opened before ownership existed an owner: the
    supervisor (or else the longest-standing member) of the team the policy names for its area, and an
    opening ownership period. Refuses, with the count, when some case has nobody who could own it."""
    OwnershipRule = apps.get_model("cases", "OwnershipRule")
    Case = apps.get_model("cases", "SafeguardingCase")
    Team = apps.get_model("accounts", "Team")
    Period = apps.get_model("cases", "OwnershipPeriod")
    for risk_level, team_kind, hours in OWNERSHIP_DEFAULTS:
        OwnershipRule.objects.get_or_create(risk_level=risk_level,
                                            defaults={"team_kind": team_kind, "accept_within_hours": hours})
    ownerless = Case.objects.filter(owner__isnull=True)
    if not ownerless.exists():
        return
    kind_for = dict(OwnershipRule.objects.values_list("risk_level", "team_kind"))
    chosen = {}
    unowned = 0
    for case in ownerless.select_related("incident").iterator():
        key = (kind_for[case.risk_level], case.incident.area_id)
        if key not in chosen:
            teams = Team.objects.filter(kind=key[0]).order_by("pk")
            team = teams.filter(area_id=key[1]).first() or teams.first()
            owner = None
            if team is not None:
                owner = team.supervisor or team.members.order_by("date_joined", "pk").first()
            chosen[key] = (team, owner)
        team, owner = chosen[key]
        if owner is None:
            unowned += 1
            continue
        Case.objects.filter(pk=case.pk).update(owner=owner, owning_team=team)
        Period.objects.create(case=case, owner=owner, team=team, via="opened", started_at=case.opened_at)
    if unowned:
        raise RuntimeError(f"{unowned} safeguarding cases have no team member who could own them: add members "
                           "to the teams the ownership policy names, then migrate again")


class Migration(migrations.Migration):

    dependencies = [("cases", "0003_ownership_handovers_tasks")]

    operations = [migrations.RunPython(defaults_and_owners, migrations.RunPython.noop)]
