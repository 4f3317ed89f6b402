"""`vigil worker_status`: is a background worker alive? Exit status 0 when all is well, 1 when not (for
monitoring, or `ExecStartPost`/health checks under systemd)."""

from django.core.management.base import BaseCommand
from django_tasks_db.management.commands.db_worker import valid_interval

from vigil.cases.worker import worker_status


def _ago(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds}s ago"
    if seconds < 7200:
        return f"{seconds // 60}m ago"
    return f"{seconds // 3600}h ago"


class Command(BaseCommand):
    # No system checks: they import every view (and the analytics libraries); the worker needs none of it,
    # and monitoring runs worker_status often.
    requires_system_checks = []
    help = "Show the background workers, the last deadlines sweep and the task queue; exit 1 if none is alive."

    def add_arguments(self, parser):
        parser.add_argument("--sweep-seconds", type=valid_interval, default=None,
                            help="The workers' sweep interval (default: WORKER_SWEEP_SECONDS); a worker not seen "
                                 "within three intervals counts as down")

    def handle(self, *, sweep_seconds, **options):
        status = worker_status(sweep_seconds=sweep_seconds)
        out = self.stdout.write
        if status.workers:
            out(f"{'worker':<40} {'host':<20} {'pid':>7}  {'started (UTC)':<19}  {'last seen':<10} {'sweeps':>6}  state")
            for w in status.workers:
                out(f"{w.worker_id:<40} {w.hostname[:20]:<20} {w.pid:>7}  {w.started_at:%Y-%m-%d %H:%M:%S}  "
                    f"{_ago(w.seen_seconds_ago):<10} {w.sweeps:>6}  {'alive' if w.alive else 'gone'}")
        else:
            out("No worker has ever run.")
        out(f"Last deadlines sweep finished: {_ago(status.last_sweep_seconds_ago)}")
        out("Tasks: " + ", ".join(f"{n} {state.lower()}" for state, n in status.counts.items()))
        if status.healthy:
            out(self.style.SUCCESS(f"OK: {len(status.alive_workers)} worker(s) alive"))
            return
        for problem in status.problems:
            self.stderr.write(self.style.ERROR(f"PROBLEM: {problem}"))
        raise SystemExit(1)
