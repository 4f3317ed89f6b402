"""`vigil audit verify`: check the audit log's hash chain. Exits 0 when intact, 1 when broken."""

import sys

from django.core.management.base import BaseCommand

from vigil.audit.services import audit_verify


class Command(BaseCommand):
    help = "Work with the audit log."

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="subcommand")
        subcommands.add_parser("verify", help="Check that no audit event has been changed, removed or inserted.")

    def handle(self, *args, subcommand: str, **options):
        if subcommand == "verify":
            self.verify()

    def verify(self) -> None:
        result = audit_verify()
        if result.intact:
            self.stdout.write(result.message)
            return
        self.stderr.write(result.message)
        sys.exit(1)
