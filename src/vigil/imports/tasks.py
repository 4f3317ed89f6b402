"""Background import (django-tasks, run by `vigil worker`): a thin wrapper around the services. Safe to run
again: a run resumes after its last saved batch, and a finished one is left alone."""

from django_tasks import task

from .models import ImportRun
from .services import import_link, import_run


@task()
def import_run_task(run_id: int) -> dict:
    run = import_run(run=ImportRun.objects.get(pk=run_id))
    if run.status == ImportRun.Status.LINKING:
        run = import_link(run=run)
    return {"status": run.status, "created": run.created, "updated": run.updated, "unchanged": run.unchanged,
            "quarantined": run.quarantined}
