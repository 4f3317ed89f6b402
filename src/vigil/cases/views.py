"""Cases, ownership and handovers; "My work"."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from vigil.accounts.access import requires


@requires("cases.view_my_work")
@require_GET
def my_work(request):
    return render(request, "cases/my_work.html", {})
