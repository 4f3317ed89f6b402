"""The background worker: django-tasks-db's worker, made to survive crashes and restarts.

`vigil worker` runs one `VigilWorker`. Beside running queued tasks as django-tasks-db's worker does, it

- writes a heartbeat (`WorkerHeartbeat`) when it starts and every few seconds from a small thread, so
  that anyone can see it is alive (`vigil worker_status`, the worker status page) even during a long task;
- on start and then periodically puts back on the queue the tasks a dead worker left RUNNING (the library
  leaves them RUNNING for ever). A worker is dead when its heartbeat is stale, or at once when it ran on
  this host and its process no longer exists, which is the usual case after a crash and a restart.
  Every task here is idempotent, so running one again is safe; a task that has been started
  `MAX_ATTEMPTS` times without finishing is marked failed instead, so a task that kills its worker
  cannot kill every worker for ever;
- enqueues the deadlines sweep (`vigil.cases.tasks.deadlines_sweep_task`) on start, to catch up after
  downtime, and then every `WORKER_SWEEP_SECONDS`, unless one is already waiting or running, so sweeps
  never pile up;
- stops gracefully on SIGTERM or SIGINT: it finishes (or, for a sweep, cuts short between items) the
  task in hand and exits; a second signal stops it at once.

Logs name workers and task ids only, never personal data.
"""

import logging
import os
import signal
import socket
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import FrameType

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.db.models import Count, F
from django.db.utils import OperationalError
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from . import sweeps
from .models import WorkerHeartbeat
from .tasks import deadlines_sweep_task

logger = logging.getLogger(__name__)

SWEEP_TASK_PATH = deadlines_sweep_task.module_path
HEARTBEAT_SECONDS = 5.0
DEFAULT_STALE_SECONDS = 60.0
MAX_ATTEMPTS = 5
KEEP_FINISHED_SWEEPS = timedelta(days=7)
KEEP_HEARTBEATS = timedelta(days=7)
HOUSEKEEPING_EVERY = timedelta(hours=1)
DATABASE_RETRY_SECONDS = 5.0

READY, RUNNING, SUCCESSFUL, FAILED = "READY", "RUNNING", "SUCCESSFUL", "FAILED"


class WorkerLost(Exception):
    """Recorded on a task whose worker died every time it ran it (`MAX_ATTEMPTS`): it is not run again."""


def sweep_seconds_default() -> int:
    return int(getattr(settings, "WORKER_SWEEP_SECONDS", 60))


def stale_seconds_default() -> float:
    return float(getattr(settings, "WORKER_STALE_SECONDS", DEFAULT_STALE_SECONDS))


def this_host() -> str:
    return socket.gethostname()[:120] or "unknown"


def worker_id_new() -> str:
    return f"{this_host()[:40]}-{os.getpid()}-{get_random_string(8)}"[:64]


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def heartbeat_dead(heartbeat: WorkerHeartbeat, *, now: datetime, stale_seconds: float) -> bool:
    """Whether the worker behind `heartbeat` is certainly or probably gone: its heartbeat is older than
    `stale_seconds`, or it ran on this host and its process has gone (or is this very process, under a
    new worker id: a restart that was given the same pid, as in a container)."""
    if heartbeat.seen_at < now - timedelta(seconds=stale_seconds):
        return True
    if heartbeat.hostname == this_host():
        return heartbeat.pid == os.getpid() or not pid_alive(heartbeat.pid)
    return False


def orphans_requeue(*, own_worker_id: str = "", now: datetime | None = None,
                    stale_seconds: float | None = None) -> tuple[int, int]:
    """Put back on the queue the tasks left RUNNING by workers that are dead (a worker with no heartbeat
    at all counts as dead once the task has run for `stale_seconds`). Returns (requeued, failed)."""
    now = now or timezone.now()
    stale_seconds = stale_seconds_default() if stale_seconds is None else stale_seconds
    heartbeats = {h.worker_id: h for h in WorkerHeartbeat.objects.all()}
    requeued = failed = 0
    for result in DBTaskResult.objects.running().only("id", "worker_ids", "started_at"):
        claimed_by = result.worker_ids[-1] if result.worker_ids else ""
        if claimed_by == own_worker_id:
            continue
        heartbeat = heartbeats.get(claimed_by)
        if heartbeat is not None:
            dead = heartbeat_dead(heartbeat, now=now, stale_seconds=stale_seconds)
        else:
            dead = result.started_at is None or result.started_at < now - timedelta(seconds=stale_seconds)
        if not dead:
            continue
        running = DBTaskResult.objects.filter(pk=result.pk, status=RUNNING)
        if len(result.worker_ids) >= MAX_ATTEMPTS:
            failed += running.update(
                status=FAILED, finished_at=now, return_value=None,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"WorkerLost: started {len(result.worker_ids)} times and its worker died each time; "
                          "not started again\n")
            logger.error("Task id=%s failed: its worker died %s times", result.pk, len(result.worker_ids))
        else:
            count = running.update(status=READY, started_at=None)
            requeued += count
            if count:
                logger.warning("Task id=%s requeued: worker %s died while running it", result.pk, claimed_by)
    return requeued, failed


def sweep_enqueue_if_idle() -> bool:
    """Enqueue a deadlines sweep unless one is already waiting or running. True when one was enqueued."""
    with exclusive_transaction(DBTaskResult.objects.db):
        if DBTaskResult.objects.filter(task_path=SWEEP_TASK_PATH, status__in=[READY, RUNNING]).exists():
            return False
        deadlines_sweep_task.enqueue()
    return True


def housekeeping(*, now: datetime | None = None) -> None:
    """Forget old finished sweeps and the heartbeats of workers long gone."""
    now = now or timezone.now()
    DBTaskResult.objects.filter(task_path=SWEEP_TASK_PATH, status=SUCCESSFUL,
                                finished_at__lt=now - KEEP_FINISHED_SWEEPS).delete()
    running_ids = {w for ids in DBTaskResult.objects.running().values_list("worker_ids", flat=True) for w in ids[-1:]}
    WorkerHeartbeat.objects.filter(seen_at__lt=now - KEEP_HEARTBEATS).exclude(worker_id__in=running_ids).delete()


def _refresh_connections() -> None:
    """Drop dead or expired database connections, as Django does around each request; never inside a
    transaction (a test running the worker in-process holds one)."""
    if not connection.in_atomic_block:
        close_old_connections()


class VigilWorker(Worker):
    def __init__(self, *, interval: float = 1.0, sweep_seconds: float | None = None,
                 stale_seconds: float | None = None, heartbeat_seconds: float = HEARTBEAT_SECONDS,
                 once: bool = False, worker_id: str | None = None, backend_name: str = "default",
                 queue_names: tuple[str, ...] = ("default",)):
        super().__init__(queue_names=list(queue_names), interval=interval, batch=once, backend_name=backend_name,
                         startup_delay=False, max_tasks=None, worker_id=worker_id or worker_id_new(),
                         excluded_queue_names=[])
        self.sweep_seconds = float(sweep_seconds_default() if sweep_seconds is None else sweep_seconds)
        self.stale_seconds = stale_seconds_default() if stale_seconds is None else stale_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.once = once
        self.started_at = timezone.now()
        self._stop = threading.Event()
        self._heart: threading.Thread | None = None

    # --- the heartbeat ---------------------------------------------------------------------------------

    def beat(self) -> None:
        now = timezone.now()
        if not WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(seen_at=now):
            WorkerHeartbeat.objects.update_or_create(
                worker_id=self.worker_id,
                defaults={"hostname": this_host(), "pid": os.getpid(), "started_at": self.started_at, "seen_at": now})

    def _heartbeat_loop(self) -> None:
        try:
            while not self._stop.wait(self.heartbeat_seconds):
                try:
                    self.beat()
                except DatabaseError:
                    logger.warning("Worker %s could not write its heartbeat; trying again", self.worker_id)
                    close_old_connections()
        finally:
            connection.close()

    # --- the loop ----------------------------------------------------------------------------------------

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if not self.running:
            logger.warning("Received %s again: stopping at once", signal.strsignal(signum))
            self.reset_signals()
            sys.exit(1)
        logger.warning("Received %s: stopping after the task in hand (again to stop at once)",
                       signal.strsignal(signum))
        self.running = False
        sweeps.stop_requested.set()
        self._stop.set()

    def _claim_next(self) -> tuple[DBTaskResult | None, bool]:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name,
                                                    queue_name__in=self.queue_names)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
                return task_result, True
            except OperationalError as e:
                if is_locked_database_exception(e):
                    return None, False
                raise

    def _recover(self) -> None:
        requeued, failed = orphans_requeue(own_worker_id=self.worker_id, stale_seconds=self.stale_seconds)
        if requeued or failed:
            logger.warning("Worker %s requeued %s task(s) left running by dead workers; %s given up",
                           self.worker_id, requeued, failed)

    def run(self) -> None:
        logger.info("Starting worker %s (sweep every %ss)", self.worker_id, int(self.sweep_seconds))
        sweeps.stop_requested.clear()
        self.beat()
        if not self.once:
            self._heart = threading.Thread(target=self._heartbeat_loop, name="vigil-heartbeat", daemon=True)
            self._heart.start()
        next_sweep = next_housekeeping = timezone.now()  # at once: catch up with what fell due meanwhile
        try:
            while self.running:
                _refresh_connections()
                try:
                    now = timezone.now()
                    if now >= next_sweep:
                        self._recover()
                        if sweep_enqueue_if_idle():
                            logger.debug("Worker %s enqueued a deadlines sweep", self.worker_id)
                        next_sweep = now + timedelta(seconds=self.sweep_seconds)
                    if now >= next_housekeeping:
                        housekeeping(now=now)
                        next_housekeeping = now + HOUSEKEEPING_EVERY
                    task_result, retrieved = self._claim_next()
                    if task_result is not None:
                        self.run_task(task_result)
                except DatabaseError:
                    if self.once:
                        raise
                    # The database went away (a restart, a network fault): wait and carry on, rather than
                    # leave the web server running without a worker.
                    logger.exception("Worker %s: database error; trying again in %ss", self.worker_id,
                                     int(DATABASE_RETRY_SECONDS))
                    connection.close()
                    self._stop.wait(DATABASE_RETRY_SECONDS)
                    continue
                if task_result is None and self.once and retrieved:
                    logger.info("Worker %s: queue drained, exiting", self.worker_id)
                    break
                _refresh_connections()
                if self.running and task_result is None:
                    self._stop.wait(self.interval)
        finally:
            self._stop.set()
            if self._heart is not None:
                self._heart.join(timeout=self.heartbeat_seconds + 5)
            try:
                self.beat()
            except DatabaseError:
                pass
            logger.info("Worker %s stopped", self.worker_id)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        if db_task_result.task_path == SWEEP_TASK_PATH and db_task_result.status == SUCCESSFUL:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(sweeps=F("sweeps") + 1)


# --- is it alive? --------------------------------------------------------------------------------------------

@dataclass
class WorkerRow:
    worker_id: str
    hostname: str
    pid: int
    started_at: datetime
    seen_at: datetime
    sweeps: int
    seen_seconds_ago: float
    alive: bool


@dataclass
class WorkerStatus:
    now: datetime
    sweep_seconds: float
    alive_within_seconds: float
    workers: list[WorkerRow]
    last_sweep_at: datetime | None
    last_sweep_seconds_ago: float | None
    counts: dict[str, int]
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    @property
    def alive_workers(self) -> list[WorkerRow]:
        return [w for w in self.workers if w.alive]


def worker_status(*, now: datetime | None = None, sweep_seconds: float | None = None) -> WorkerStatus:
    """The workers that have run, whether any is alive (seen within three sweep intervals), when the last
    sweep finished, and how many tasks wait, run or have failed. `problems` is empty when all is well."""
    now = now or timezone.now()
    sweep_seconds = float(sweep_seconds_default() if sweep_seconds is None else sweep_seconds)
    within = 3 * sweep_seconds
    rows = []
    for h in WorkerHeartbeat.objects.order_by("-seen_at")[:20]:
        ago = (now - h.seen_at).total_seconds()
        rows.append(WorkerRow(worker_id=h.worker_id, hostname=h.hostname, pid=h.pid, started_at=h.started_at,
                              seen_at=h.seen_at, sweeps=h.sweeps, seen_seconds_ago=max(ago, 0.0), alive=ago <= within))
    last = (DBTaskResult.objects.filter(task_path=SWEEP_TASK_PATH, status=SUCCESSFUL)
            .order_by("-finished_at").values_list("finished_at", flat=True).first())
    counts = {READY: 0, RUNNING: 0, FAILED: 0}
    counts.update({row["status"]: row["n"] for row in DBTaskResult.objects.filter(status__in=list(counts))
                   .values("status").annotate(n=Count("id"))})
    status = WorkerStatus(now=now, sweep_seconds=sweep_seconds, alive_within_seconds=within, workers=rows,
                          last_sweep_at=last, last_sweep_seconds_ago=(now - last).total_seconds() if last else None,
                          counts=counts)
    last_failed = (DBTaskResult.objects.filter(task_path=SWEEP_TASK_PATH, status=FAILED)
                   .order_by("-finished_at").values_list("finished_at", flat=True).first())
    if last_failed is not None and (last is None or last_failed > last):
        status.problems.append("The last deadlines sweep failed: some items could not be escalated (the others "
                               "were). The worker's log names them; the failed task is in the admin.")
    alive = status.alive_workers
    if not alive:
        status.problems.append(f"No worker has been seen in the last {int(within)} seconds: "
                               "deadlines are not being escalated. Start `vigil worker`.")
    elif all((now - w.started_at).total_seconds() > within for w in alive) and (
            last is None or (now - last).total_seconds() > within):
        status.problems.append(f"A worker is alive but no deadlines sweep has finished in the last {int(within)} "
                               "seconds: it may be stuck. Look at its log and restart it.")
    return status
