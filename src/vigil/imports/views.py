"""The administrator's import pages: upload a file, watch the run's progress, download the quarantine
report, resume an interrupted run, and a template file for each kind. Thin: the services do the work; the
background worker runs it (imports.tasks)."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from vigil.accounts.access import requires
from vigil.audit.models import Action
from vigil.audit.services import audit_record

from . import schema
from .forms import ImportForm
from .models import ImportRun
from .report import report_csv_lines, template_csv
from .services import ImportRefused, import_create, import_resume
from .tasks import import_run_task

RUNS_SHOWN = 20
QUARANTINE_SHOWN = 50


def _enqueue(run: ImportRun) -> None:
    """Hand the run to the worker: only a new run, or one `import_resume` has just queued again (the worker
    also refuses to read a run another process is reading)."""
    transaction.on_commit(lambda: import_run_task.enqueue(run.pk))


@requires("imports.manage")
def runs(request):
    form = ImportForm()
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = import_create(kind=data["kind"], source_system=data["source_system"], file=data["file"],
                                    file_name=data["file"].name, by=request.user, dry_run=data["dry_run"],
                                    request=request)
            except ImportRefused as error:
                form.add_error("file", str(error))
            else:
                if not run.reused or import_resume(run=run):  # the same file: its run, unless already going
                    _enqueue(run)
                messages.success(request, "The file is uploaded: the import runs in the background")
                return redirect("imports:run", public_id=run.public_id)
        status = 400
    error_list = [(f"id_{name}", message) for name, errors in form.errors.items() for message in errors]
    return render(request, "imports/runs.html", {
        "form": form, "error_list": error_list, "kinds": schema.KINDS,
        "runs": ImportRun.objects.select_related("started_by")[:RUNS_SHOWN]}, status=status)


def _run_context(run: ImportRun) -> dict:
    """The run and, once it has stopped, the first rows it quarantined (row, identifier, reasons: no values)."""
    active = run.status in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING, ImportRun.Status.LINKING)
    quarantine = [] if active else run.quarantine.only("row_number", "source_id", "reasons")[:QUARANTINE_SHOWN]
    return {"run": run, "active": active, "quarantine": quarantine}


@requires("imports.manage")
@require_GET
def run_detail(request, public_id):
    run = get_object_or_404(ImportRun, public_id=public_id)
    return render(request, "imports/run.html", _run_context(run))


@requires("imports.manage")
@require_GET
def run_progress(request, public_id):
    """The progress panel alone, for the page to poll while the run is going."""
    run = get_object_or_404(ImportRun, public_id=public_id)
    return render(request, "imports/_progress.html", _run_context(run))


@requires("imports.manage")
@require_POST
def run_resume(request, public_id):
    run = get_object_or_404(ImportRun, public_id=public_id)
    if not import_resume(run=run):
        messages.info(request, "This import is not stopped, so there is nothing to resume")
    else:
        _enqueue(run)
        messages.success(request, f"The import resumes after row {run.rows_committed}")
    return redirect("imports:run", public_id=run.public_id)


@requires("imports.manage")
@require_GET
def quarantine_report(request, public_id):
    """The rows not imported, as sent (personal data): downloading them is audited as an export."""
    run = get_object_or_404(ImportRun, public_id=public_id)
    if not run.quarantined:
        raise Http404("No rows were quarantined")
    audit_record(action=Action.EXPORT, request=request, object_type="imports.ImportRun", object_id=str(run.public_id),
                 reason="Quarantine report, to fix and send again", detail={"rows": run.quarantined, "kind": run.kind})
    response = StreamingHttpResponse(report_csv_lines(run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="quarantine-{run.kind}-{str(run.public_id)[:8]}.csv"'
    return response


@requires("imports.manage")
@require_GET
def template_file(request, kind):
    """A template for one kind: the header and one example row (synthetic)."""
    if kind not in schema.KINDS:
        raise Http404("No such kind of record")
    response = HttpResponse(template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
    return response
