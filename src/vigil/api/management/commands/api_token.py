"""Issue the API token a command-and-control system signs in with: `vigil api_token --username U`.

Only for accounts with the `control_system` role (people sign in with a password and a second factor,
never a token). The token is printed once; Vigil cannot show it again, only replace it (`--rotate`,
which stops the old token at once). Each issue is recorded in the audit log, without the token.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from vigil.accounts.models import User
from vigil.audit.services import audit_record

SYSTEM_ROLE = "control_system"


class Command(BaseCommand):
    help = "Create (or with --rotate replace) the API token of a command-and-control system account."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True, help="The system account (role control_system)")
        parser.add_argument("--rotate", action="store_true",
                            help="Replace the account's existing token; the old one stops working at once")

    def handle(self, *args, username: str, rotate: bool, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}.")
        if user.role != SYSTEM_ROLE:
            raise CommandError(
                f"{username!r} has the role {user.role!r}: API tokens are only for system accounts with the "
                f"role {SYSTEM_ROLE!r}. People sign in with a password and a second factor.")
        if not user.is_active:
            raise CommandError(f"{username!r} is not active: activate the account before issuing a token.")
        with transaction.atomic():
            existing = Token.objects.select_for_update().filter(user=user).first()
            if existing is not None and not rotate:
                raise CommandError(f"{username!r} already has an API token, and it cannot be shown again. Use "
                                   "--rotate to replace it (the old token stops working at once).")
            if existing is not None:
                existing.delete()
            token = Token.objects.create(user=user)
            audit_record(action="sign_in_security", obj=user,
                         detail={"change": "api token rotated" if existing else "api token created",
                                 "via": "vigil api_token"})
        self.stdout.write(f"API token for {username} ({'replaced' if existing else 'new'}). It is shown only "
                          "this once: store it in the command-and-control system's secret store now. Send it "
                          "as the header 'Authorization: Token <token>'.")
        self.stdout.write(token.key)
