"""`flush`, which also empties the append-only audit log, in demo mode only.

Django's test cases that commit (TransactionTestCase, live_server) reset the database with `flush`,
and the demo is reset the same way. Outside demo mode nothing changes: the database triggers refuse
to delete audit events, so a flush of a database with an audit log fails, as it should.
"""

from django.conf import settings
from django.core.management.commands import flush
from django.db import connections

from vigil.audit.append_only import triggers_suspended


class Command(flush.Command):
    def handle(self, **options):
        if not settings.DEMO_MODE:
            return super().handle(**options)
        with triggers_suspended(connections[options["database"]]):
            return super().handle(**options)
