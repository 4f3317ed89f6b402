"""The fault test (issue 6): stop the worker in the middle of a run, start it again, and every due item is
escalated exactly once.

The worker runs as a real `vigil worker` process against a database of its own that the test creates,
migrates and seeds in subprocesses: a file SQLite database, or, when the suite runs on PostgreSQL
(`DATABASE_URL`), a fresh database on the same server, dropped afterwards. `VIGIL_SWEEP_ITEM_PAUSE_MS`
(test-only) slows the sweep down enough for the kill to land in the middle of it.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
VIGIL = Path(sys.executable).with_name("vigil")
ESCALATED = "SELECT count(*) FROM cases_timelineentry WHERE kind IN ('handover_escalated', 'task_escalated')"
UNFINISHED = "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')"
RUNNING = "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"

SEED = """
import itertools, json, sys
import django
django.setup()
from django.utils import timezone
from tests import factories
from tests.cases.test_sweeps import due_work_seed
factories._counter = itertools.count(int(sys.argv[2]))  # names unique across seeding runs
seeded = due_work_seed(now=timezone.now(), cases=int(sys.argv[1]), tasks_per_case=2)
print(json.dumps({"handovers": [str(h.public_id) for h in seeded.due_handovers],
                  "tasks": [str(t.public_id) for t in seeded.due_tasks]}))
"""

CHECK = """
import json
import django
django.setup()
from django.db.models import Count
from django_tasks_db.models import DBTaskResult
from tests.cases.test_sweeps import escalations_by_source
from vigil.cases.models import Handover, Task, WorkerHeartbeat
print(json.dumps({
    "escalations": escalations_by_source(),
    "handovers_escalated": [str(p) for p in Handover.objects.filter(escalated_at__isnull=False)
                            .values_list("public_id", flat=True)],
    "tasks_escalated": [str(p) for p in Task.objects.filter(escalated_at__isnull=False)
                        .values_list("public_id", flat=True)],
    "results": {r["status"]: r["n"] for r in DBTaskResult.objects.values("status").annotate(n=Count("id"))},
    "sweep_runs": [r.worker_ids for r in DBTaskResult.objects.order_by("enqueued_at")],
    "heartbeats": {h.worker_id: h.sweeps for h in WorkerHeartbeat.objects.all()},
}))
"""


@dataclass
class WorkerDatabase:
    url: str
    env: dict

    def run(self, script: str, *args: str) -> dict:
        done = subprocess.run([sys.executable, "-c", script, *args], env=self.env, cwd=REPO, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    def count(self, sql: str) -> int:
        if self.url.startswith("sqlite"):
            with sqlite3.connect(urlsplit(self.url).path, timeout=20) as db:
                return db.execute(sql).fetchone()[0]
        import psycopg

        with psycopg.connect(self.url) as db:
            return db.execute(sql).fetchone()[0]

    def worker(self, *args: str, pause_ms: int = 0) -> subprocess.Popen:
        env = {**self.env, "VIGIL_SWEEP_ITEM_PAUSE_MS": str(pause_ms)}
        log = tempfile.TemporaryFile(mode="w+")  # not a pipe: a full pipe would stall the worker
        process = subprocess.Popen([str(VIGIL), "worker", "--interval", "0.1", "--sweep-seconds", "3600", *args],
                                   env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, text=True)
        process.log = log
        return process

    def wait_for(self, sql: str, predicate, *, timeout: float, process: subprocess.Popen | None = None) -> int:
        deadline = time.monotonic() + timeout
        while True:
            value = self.count(sql)
            if predicate(value):
                return value
            if process is not None and process.poll() is not None:
                process.log.seek(0)
                pytest.fail(f"the worker exited ({process.returncode}): {process.log.read()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"waited {timeout}s; {sql} is still {value}")
            time.sleep(0.05)


def _postgres_database(base_url: str):
    import psycopg

    name = f"vigil_fault_{uuid.uuid4().hex[:12]}"
    parts = urlsplit(base_url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin_url, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


@pytest.fixture(scope="module")
def worker_db(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("worker-fault")
    base_url = os.environ.get("DATABASE_URL", "")
    drop = None
    if base_url.startswith(("postgres://", "postgresql://")):
        url, drop = _postgres_database(base_url)
    else:
        url = f"sqlite:///{var_dir / 'vigil.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "VIGIL_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "vigil.settings",
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
           "VIGIL_LOG_LEVEL": "WARNING"}
    try:
        migrated = subprocess.run([str(VIGIL), "migrate", "--noinput", "--skip-checks"], env=env, cwd=REPO, capture_output=True,
                                  text=True, timeout=300)
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        yield WorkerDatabase(url=url, env=env)
    finally:
        if drop is not None:
            drop()


def _stop(process: subprocess.Popen, sig: int, *, timeout: float = 15) -> int:
    process.send_signal(sig)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"the worker did not stop within {timeout}s of {signal.Signals(sig).name}")


def _assert_each_escalated_exactly_once(state: dict, seeded: dict) -> None:
    escalations = state["escalations"]
    for handover in seeded["handovers"]:
        assert escalations.get(f"task handover:{handover}") == 2, handover  # both supervisors, once each
        assert escalations.get(f"timeline cases.Handover:{handover}") == 1, handover
    for task in seeded["tasks"]:
        assert escalations.get(f"task task:{task}") == 1, task
        assert escalations.get(f"timeline cases.Task:{task}") == 1, task
    assert set(seeded["handovers"]) <= set(state["handovers_escalated"])
    assert set(seeded["tasks"]) <= set(state["tasks_escalated"])


def test_a_worker_killed_mid_sweep_and_restarted_escalates_every_due_item_exactly_once(worker_db):
    seeded = worker_db.run(SEED, "100", "1")  # 100 overdue handovers and 200 overdue tasks, and work not due
    due = len(seeded["handovers"]) + len(seeded["tasks"])
    assert due == 300

    first = worker_db.worker(pause_ms=20)
    done_before_kill = worker_db.wait_for(ESCALATED, lambda n: n >= 40, timeout=60, process=first)
    first.kill()  # SIGKILL: no clean-up of any kind
    first.wait()

    done_at_kill = worker_db.count(ESCALATED)
    assert 40 <= done_before_kill <= done_at_kill < due, "the kill must land in the middle of the sweep"
    assert worker_db.count(RUNNING) == 1  # the killed sweep, left RUNNING

    second = worker_db.worker()
    worker_db.wait_for(ESCALATED, lambda n: n >= due, timeout=60, process=second)
    worker_db.wait_for(UNFINISHED, lambda n: n == 0, timeout=30, process=second)
    time.sleep(0.5)  # anything a double run would add, give it the time to show
    assert _stop(second, signal.SIGTERM) == 0

    state = worker_db.run(CHECK)
    _assert_each_escalated_exactly_once(state, seeded)
    assert worker_db.count(ESCALATED) == due
    assert sum(state["escalations"].get(f"task handover:{h}", 0) for h in seeded["handovers"]) == 200
    assert state["results"] == {"SUCCESSFUL": 1}  # the killed sweep was run again, not a second one queued
    killed_worker, restarted_worker = state["sweep_runs"][0]
    assert killed_worker != restarted_worker
    assert state["heartbeats"] == {killed_worker: 0, restarted_worker: 1}


def test_a_worker_stopped_with_sigterm_mid_sweep_stops_promptly_and_the_next_run_finishes(worker_db):
    before = worker_db.count(ESCALATED)
    seeded = worker_db.run(SEED, "20", "100000")
    due = len(seeded["handovers"]) + len(seeded["tasks"])

    first = worker_db.worker(pause_ms=25)
    worker_db.wait_for(ESCALATED, lambda n: n >= before + 10, timeout=60, process=first)
    started = time.monotonic()
    assert _stop(first, signal.SIGTERM) == 0
    assert time.monotonic() - started < 5
    assert before + 10 <= worker_db.count(ESCALATED) < before + due
    assert worker_db.count(RUNNING) == 0  # stopped cleanly between items

    catch_up = subprocess.run([str(VIGIL), "worker", "--once"], env=worker_db.env, cwd=REPO, capture_output=True,
                              text=True, timeout=120)
    assert catch_up.returncode == 0, catch_up.stdout[-3000:] + catch_up.stderr[-3000:]

    state = worker_db.run(CHECK)
    _assert_each_escalated_exactly_once(state, seeded)
    assert worker_db.count(ESCALATED) == before + due
    assert worker_db.count(UNFINISHED) == 0
