import secrets

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse

from vigil.accounts.access import requires

from . import selectors, services
from .forms import AuditSearchForm

PAGE_SIZE = 50
SAVED_SEARCHES_KEY = "audit_searches"
SAVED_SEARCHES_KEPT = 10


@requires("audit.search_events")
def audit_search(request):
    """POST a search, then GET its results page by page (post/redirect/get).

    The criteria stay in the session under a random token, so user names never appear in URLs.
    """
    if request.method == "POST":
        form = AuditSearchForm(request.POST)
        if form.is_valid():
            token = _save_search(request.session, {name: request.POST.get(name, "") for name in form.fields})
            return redirect(f"{reverse('audit:search')}?search={token}")
        return render(request, "audit/search.html", {"form": form, "page": None})

    saved = request.session.get(SAVED_SEARCHES_KEY, {}).get(request.GET.get("search", ""))
    form = AuditSearchForm(saved) if saved is not None else AuditSearchForm()
    page = None
    if saved is not None and form.is_valid():
        events = selectors.audit_search(viewer=request.user, request=request, **form.search_criteria())
        page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/search.html",
                  {"form": form, "page": page, "search_token": request.GET.get("search", "")})


def _save_search(session, criteria: dict) -> str:
    token = secrets.token_urlsafe(9)
    searches = dict(session.get(SAVED_SEARCHES_KEY, {}))
    searches[token] = criteria
    session[SAVED_SEARCHES_KEY] = dict(list(searches.items())[-SAVED_SEARCHES_KEPT:])
    return token


@requires("audit.verify_chain")
def audit_verify(request):
    result = services.audit_verify() if request.method == "POST" else None
    return render(request, "audit/verify.html", {"result": result})
