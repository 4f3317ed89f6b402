"""`vigil worker`: run the background worker (deadlines, escalations, reminders). See vigil.cases.worker."""

import logging

from django.core.management.base import BaseCommand
from django_tasks_db.management.commands.db_worker import valid_interval, validate_worker_id

from vigil.cases.worker import VigilWorker, sweep_seconds_default


class Command(BaseCommand):
    # No system checks: they import every view (and the analytics libraries); the worker needs none of it,
    # and monitoring runs worker_status often.
    requires_system_checks = []
    help = ("Run the background worker: due deadlines and escalations, reminders, and every queued task. "
            "Run exactly one per installation (or more: they share the work safely), beside the web server.")

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=valid_interval, default=1.0,
                            help="Seconds to wait when the queue is empty before looking again (default 1)")
        parser.add_argument("--sweep-seconds", type=valid_interval, default=None,
                            help="Seconds between deadline sweeps (default: WORKER_SWEEP_SECONDS, "
                                 f"now {sweep_seconds_default()})")
        parser.add_argument("--stale-seconds", type=valid_interval, default=None,
                            help="A worker on another host whose heartbeat is older than this is taken for dead "
                                 "and its running tasks are run again (default 60)")
        parser.add_argument("--once", action="store_true",
                            help="Do one sweep, run everything queued, then exit (for cron or tests)")
        parser.add_argument("--worker-id", default=None, type=validate_worker_id, help="A unique name for this worker (default: generated)")

    def handle(self, *, interval, sweep_seconds, stale_seconds, once, worker_id, verbosity, **options):
        # -v 0: warnings and errors; -v 1: the worker's own news; -v 2: every task run as well.
        level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
        logging.getLogger("vigil.cases").setLevel(level)
        for name in ("django_tasks", "django_tasks_db"):
            logging.getLogger(name).setLevel(logging.INFO if verbosity > 1 else logging.WARNING)
        worker = VigilWorker(interval=interval, sweep_seconds=sweep_seconds, stale_seconds=stale_seconds,
                             once=once, worker_id=worker_id)
        worker.configure_signals()
        worker.run()
