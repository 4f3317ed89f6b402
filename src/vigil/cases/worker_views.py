"""Background work: whether the worker is alive (administrators)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from vigil.accounts.access import requires

from .worker import worker_status


@requires("cases.view_worker_status")
@require_GET
def worker_status_page(request):
    return render(request, "cases/worker_status.html", {"status": worker_status()})
