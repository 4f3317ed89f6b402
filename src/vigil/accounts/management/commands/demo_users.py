from django.core.management.base import BaseCommand, CommandError

from vigil.accounts.demo_users import demo_password, demo_users_ensure


class Command(BaseCommand):
    help = "Create one demo user per role (demo mode only) and print their sign-in details."

    def handle(self, *args, **options):
        try:
            sign_ins = demo_users_ensure()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        width = max(len(s.username) for s in sign_ins)
        self.stdout.write("\nDemo users (synthetic force; every user has the same password):")
        self.stdout.write(f"  password: {demo_password()}\n")
        for s in sign_ins:
            self.stdout.write(f"  {s.username:<{width}}  {s.role_name} — {s.agency_name}")
        self.stdout.write("")
