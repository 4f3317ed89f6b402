"""The worker: heartbeats, the sweep it enqueues (never two at once), tasks dead workers left running, and
how `vigil worker_status` and the status page tell whether it is alive."""

import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.cases.test_sweeps import assert_escalated_once, due_work_seed
from tests.factories import user_create
from vigil.cases import sweeps
from vigil.cases import worker as worker_module
from vigil.cases.models import WorkerHeartbeat
from vigil.cases.tasks import deadlines_sweep_task
from vigil.cases.worker import (
    MAX_ATTEMPTS,
    SWEEP_TASK_PATH,
    VigilWorker,
    orphans_requeue,
    sweep_enqueue_if_idle,
    this_host,
    worker_status,
)


def _heartbeat(worker_id: str, *, seen_ago: float, hostname: str = "elsewhere", pid: int = 4242,
               sweeps: int = 0) -> WorkerHeartbeat:
    now = timezone.now()
    return WorkerHeartbeat.objects.create(worker_id=worker_id, hostname=hostname, pid=pid, sweeps=sweeps,
                                          started_at=now - timedelta(hours=1), seen_at=now - timedelta(seconds=seen_ago))


def _running(worker_ids: list[str], *, started_ago: float = 5) -> DBTaskResult:
    result = DBTaskResult.objects.get(id=deadlines_sweep_task.enqueue().id)
    DBTaskResult.objects.filter(pk=result.pk).update(
        status="RUNNING", worker_ids=worker_ids, started_at=timezone.now() - timedelta(seconds=started_ago))
    return result


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.mark.django_db
def test_worker_once_sweeps_drains_the_queue_and_records_its_heartbeat():
    seeded = due_work_seed(now=timezone.now(), cases=2)

    call_command("worker", "--once", verbosity=0)

    assert_escalated_once(seeded)
    heartbeat = WorkerHeartbeat.objects.get()
    assert (heartbeat.hostname, heartbeat.pid, heartbeat.sweeps) == (this_host(), os.getpid(), 1)
    assert heartbeat.seen_at >= heartbeat.started_at
    result = DBTaskResult.objects.get(task_path=SWEEP_TASK_PATH)
    assert result.status == "SUCCESSFUL"
    assert result.return_value["handovers_escalated"] == 2 and result.return_value["tasks_escalated"] == 2
    assert result.worker_ids == [heartbeat.worker_id]


@pytest.mark.django_db
def test_a_second_worker_run_escalates_nothing_twice():
    seeded = due_work_seed(now=timezone.now(), cases=2)

    call_command("worker", "--once", verbosity=0)
    call_command("worker", "--once", verbosity=0)

    assert_escalated_once(seeded)
    assert WorkerHeartbeat.objects.count() == 2
    assert DBTaskResult.objects.filter(task_path=SWEEP_TASK_PATH, status="SUCCESSFUL").count() == 2


@pytest.mark.django_db
def test_sweeps_do_not_pile_up():
    assert sweep_enqueue_if_idle() is True
    assert sweep_enqueue_if_idle() is False
    DBTaskResult.objects.update(status="RUNNING")
    assert sweep_enqueue_if_idle() is False
    DBTaskResult.objects.update(status="SUCCESSFUL")
    assert sweep_enqueue_if_idle() is True
    assert DBTaskResult.objects.filter(status="READY").count() == 1


@pytest.mark.django_db
def test_tasks_left_running_by_dead_workers_are_requeued_and_the_living_workers_are_left_alone():
    _heartbeat("stale", seen_ago=600)
    _heartbeat("alive-elsewhere", seen_ago=2)
    _heartbeat("crashed-here", seen_ago=2, hostname=this_host(), pid=_dead_pid())
    _heartbeat("alive-here", seen_ago=2, hostname=this_host(), pid=os.getppid())
    stale = _running(["stale"])
    alive_elsewhere = _running(["alive-elsewhere"])
    crashed_here = _running(["stale", "crashed-here"])
    alive_here = _running(["alive-here"])
    unknown_old = _running(["never-had-a-heartbeat"], started_ago=600)
    unknown_new = _running(["never-had-a-heartbeat"], started_ago=1)
    mine = _running(["me"], started_ago=600)

    requeued, failed = orphans_requeue(own_worker_id="me", stale_seconds=60)

    assert (requeued, failed) == (3, 0)
    status = {r.pk: r.status for r in DBTaskResult.objects.all()}
    assert status[stale.pk] == status[crashed_here.pk] == status[unknown_old.pk] == "READY"
    assert status[alive_elsewhere.pk] == status[alive_here.pk] == status[unknown_new.pk] == status[mine.pk] \
        == "RUNNING"
    assert DBTaskResult.objects.get(pk=crashed_here.pk).worker_ids == ["stale", "crashed-here"]  # history kept


@pytest.mark.django_db
def test_a_task_whose_worker_keeps_dying_is_given_up():
    _heartbeat("stale", seen_ago=600)
    poison = _running(["stale"] * MAX_ATTEMPTS)

    assert orphans_requeue(stale_seconds=60) == (0, 1)

    poison.refresh_from_db()
    assert poison.status == "FAILED" and "WorkerLost" in poison.exception_class_path


@pytest.mark.django_db
def test_a_starting_worker_runs_the_sweep_a_dead_worker_left_running():
    seeded = due_work_seed(now=timezone.now())
    _heartbeat("crashed", seen_ago=1, hostname=this_host(), pid=_dead_pid())
    orphan = _running(["crashed"])

    VigilWorker(once=True, interval=0).run()

    orphan.refresh_from_db()
    assert orphan.status == "SUCCESSFUL" and orphan.worker_ids[0] == "crashed"
    assert DBTaskResult.objects.count() == 1  # requeued, not a second sweep beside it
    assert_escalated_once(seeded)


def _status_command(*args) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("worker_status", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_worker_status_fails_when_no_worker_has_run():
    code, out, err = _status_command()

    assert code == 1
    assert "No worker has ever run" in out
    assert "No worker has been seen" in err


@pytest.mark.django_db
def test_worker_status_shows_a_live_worker_and_its_last_sweep():
    call_command("worker", "--once", "--worker-id", "worker-under-test", verbosity=0)
    deadlines_sweep_task.enqueue()

    code, out, err = _status_command()

    assert code == 0, err
    line = next(line for line in out.splitlines() if line.startswith("worker-under-test"))
    assert this_host()[:20] in line and str(os.getpid()) in line and line.endswith("alive")
    assert line.split()[-2] == "1"  # sweeps
    assert "Last deadlines sweep finished: 0s ago" in out or "Last deadlines sweep finished: 1s ago" in out
    assert "Tasks: 1 ready, 0 running, 0 failed" in out
    assert "OK: 1 worker(s) alive" in out


@pytest.mark.django_db
def test_worker_status_fails_when_the_worker_has_gone_quiet():
    _heartbeat("quiet", seen_ago=200, sweeps=12)

    code, out, err = _status_command("--sweep-seconds", "60")

    assert code == 1
    assert "quiet" in out and out.splitlines()[1].endswith("gone")
    assert "No worker has been seen in the last 180 seconds" in err
    code, out, err = _status_command("--sweep-seconds", "100")  # seen within 300 s: alive, but no sweep done
    assert out.splitlines()[1].endswith("alive")
    assert "No worker has been seen" not in err and "may be stuck" in err


@pytest.mark.django_db
def test_a_worker_alive_but_not_sweeping_is_reported():
    _heartbeat("stuck", seen_ago=1)  # started an hour ago; no sweep has ever finished

    status = worker_status(sweep_seconds=60)

    assert len(status.alive_workers) == 1
    assert status.problems and "may be stuck" in status.problems[0]


@pytest.mark.django_db
def test_the_worker_status_page_shows_administrators_the_workers(client):
    _heartbeat("page-worker", seen_ago=3, sweeps=7)
    admin = user_create(role="administrator")
    client.force_login(admin)

    response = client.get(reverse("cases:worker-status"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "page-worker" in body and "Alive" in body
    assert "may be stuck" in body  # no sweep has finished


@pytest.mark.django_db
def test_the_worker_status_page_is_for_administrators_only(client):
    client.force_login(user_create(role="supervisor"))
    assert client.get(reverse("cases:worker-status")).status_code == 403


def test_heartbeat_deadness_rules():
    now = timezone.now()
    here, elsewhere = this_host(), "another-host"
    beat = WorkerHeartbeat(worker_id="x", hostname=elsewhere, pid=1, started_at=now, seen_at=now)
    assert not worker_module.heartbeat_dead(beat, now=now, stale_seconds=60)
    assert worker_module.heartbeat_dead(beat, now=now + timedelta(seconds=61), stale_seconds=60)
    beat.hostname = here
    beat.pid = os.getpid()  # this process under another worker id: the worker it was has gone
    assert worker_module.heartbeat_dead(beat, now=now, stale_seconds=60)
    beat.pid = os.getppid()
    assert not worker_module.heartbeat_dead(beat, now=now, stale_seconds=60)


@pytest.mark.django_db
def test_a_failing_sweep_is_reported_until_one_succeeds(monkeypatch):
    seeded = due_work_seed(now=timezone.now(), cases=2, with_not_due=False)
    broken = seeded.due_tasks[0]
    real = sweeps.task_escalate

    def escalate(*, task, now):
        if task.pk == broken.pk:
            raise RuntimeError("simulated failure")
        return real(task=task, now=now)

    monkeypatch.setattr(sweeps, "task_escalate", escalate)
    call_command("worker", "--once", verbosity=0)

    result = DBTaskResult.objects.get(task_path=SWEEP_TASK_PATH)
    assert result.status == "FAILED" and result.exception_class_path.endswith("SweepIncomplete")
    code, out, err = _status_command()
    assert code == 1 and "The last deadlines sweep failed" in err
    assert "0 ready, 0 running, 1 failed" in out

    monkeypatch.setattr(sweeps, "task_escalate", real)
    call_command("worker", "--once", verbosity=0)
    assert _status_command()[0] == 0
    assert_escalated_once(seeded)
