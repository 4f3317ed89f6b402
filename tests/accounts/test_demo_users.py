import pytest
from django.core.management import call_command

from vigil.accounts.demo_users import demo_password
from vigil.accounts.models import User
from vigil.accounts.roles import ROLES

pytestmark = pytest.mark.django_db


def test_one_demo_user_per_role_who_can_sign_in(settings, tmp_path, capsys):
    settings.VAR_DIR = tmp_path
    call_command("demo_users")
    out = capsys.readouterr().out
    assert set(User.objects.values_list("role", flat=True)) == {r.code for r in ROLES}
    password = demo_password()
    assert password in out
    for role in ROLES:
        user = User.objects.get(role=role.code)
        assert user.username in out
        assert user.check_password(password)


def test_partner_practitioner_belongs_to_a_partner_agency(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("demo_users")
    partner = User.objects.get(role="partner_practitioner")
    assert not partner.agency.is_force
    assert User.objects.get(role="call_taker").agency.is_force


def test_running_twice_keeps_one_user_per_role(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("demo_users")
    call_command("demo_users")
    assert User.objects.count() == len(ROLES)


def test_demo_users_are_refused_outside_demo_mode(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.DEMO_MODE = False
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("demo_users")
    assert not User.objects.exists()


def test_the_demo_administrator_is_not_a_superuser_and_cannot_open_people(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("demo_users")
    admin = User.objects.get(role="administrator")
    assert admin.is_staff and not admin.is_superuser
    assert admin.has_perm("accounts.change_user")
    assert not admin.has_perm("people.view_person")
