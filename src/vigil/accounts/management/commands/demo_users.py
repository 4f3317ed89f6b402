from django.core.management.base import BaseCommand, CommandError

from vigil.accounts.demo_users import demo_password, demo_username, demo_users_ensure
from vigil.accounts.models import User
from vigil.demo.work import demo_work_ensure


class Command(BaseCommand):
    help = "Create one demo user per role (demo mode only) and print their sign-in details."

    def handle(self, *args, **options):
        try:
            sign_ins = demo_users_ensure()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        handed = demo_work_ensure(officer=User.objects.get(username=demo_username("neighbourhood_officer")),
                                  specialist=User.objects.get(username=demo_username("specialist_investigator")))
        if handed:
            self.stdout.write(f"Handed {handed} open cases to the demo officers: see My work.")
        width = max(len(s.username) for s in sign_ins)
        self.stdout.write("\nDemo users (synthetic force; every user has the same password):")
        self.stdout.write(f"  password: {demo_password()}\n")
        for s in sign_ins:
            self.stdout.write(f"  {s.username:<{width}}  {s.role_name} — {s.agency_name}")
        self.stdout.write("")
