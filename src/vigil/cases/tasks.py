"""Background tasks (django-tasks, database backend): thin wrappers around services, run by `vigil worker`."""

from django_tasks import task

from .sweeps import deadlines_sweep


class SweepIncomplete(Exception):
    """Some items of a sweep failed (each is logged); the others were done. The task is marked failed so
    that `vigil worker_status` and the worker status page show it; the next sweep tries them again."""


@task()
def deadlines_sweep_task() -> dict:
    result = deadlines_sweep()
    if result.errors:
        raise SweepIncomplete(f"{result.errors} item(s) failed; the rest were done: {result.as_dict()}")
    return result.as_dict()
