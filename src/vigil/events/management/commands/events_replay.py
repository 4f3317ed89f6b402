"""`vigil events_replay --subscription NAME --since YYYY-MM-DD`: send again every event since a date."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from vigil.events.models import Subscription
from vigil.events.services import subscription_replay


class Command(BaseCommand):
    help = "Send again every event to a subscription since a date (the receiver de-duplicates by Vigil-Event-Id)."

    def add_arguments(self, parser):
        parser.add_argument("--subscription", required=True, help="The subscription's name")
        parser.add_argument("--since", required=True, help="The first day, as YYYY-MM-DD (Europe/London)")

    def handle(self, *args, subscription: str, since: str, **options):
        try:
            since_day = date.fromisoformat(since)
        except ValueError:
            raise CommandError("--since must be a date like 2026-01-31") from None
        found = Subscription.objects.filter(name__iexact=subscription.strip()).first()
        if found is None:
            raise CommandError(f"No subscription is named {subscription!r}")
        try:
            count = subscription_replay(subscription=found, since=since_day)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"{count} deliveries queued to be sent again")
