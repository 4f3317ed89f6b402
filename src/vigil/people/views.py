from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from vigil.accounts.access import requires
from vigil.audit.selectors import record_viewers as viewers_of
from vigil.formtools import apply_errors
from vigil.linkage import selectors as linkage_selectors

from . import selectors, services
from .forms import PersonSearchForm, RestrictedReasonForm, SafeContactForm
from .models import Person


@requires("people.search_people")
def person_search(request):
    # POST, so that names and dates of birth never appear in URLs, browser history or access logs.
    form = PersonSearchForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        results = selectors.person_search(viewer=request.user, request=request, **form.cleaned_data)
    return render(request, "people/search.html", {"form": form, "results": results})


@requires("people.view_person")
def person_detail(request, public_id):
    person = get_object_or_404(Person, public_id=public_id)
    if person.merged_into_id:  # combined into another person: the old link leads to where the records are
        return redirect("people:detail", public_id=linkage_selectors.current_person(person).public_id)
    if person.restricted and not services.restricted_access_granted(person=person, session=request.session):
        return redirect("people:open-restricted", public_id=person.public_id)
    view = selectors.person_detail(viewer=request.user, person=person, request=request)
    can_see_viewers = request.user.has_perm("audit.view_record_viewers", person.public_id)
    return render(request, "people/detail.html", {
        "view": view, "person": person, "can_see_viewers": can_see_viewers,
        "history": linkage_selectors.person_history(person),
        "decisions": linkage_selectors.person_decisions(person),
        "can_merge": request.user.has_perm("linkage.merge_persons"),
        "can_split": request.user.has_perm("linkage.split_persons") and len(view.records) > 1})


@requires("people.view_person")
def restricted_open(request, public_id):
    person = get_object_or_404(Person, public_id=public_id)
    if not person.restricted:
        return redirect("people:detail", public_id=person.public_id)
    form = RestrictedReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.restricted_access_open(person=person, by=request.user, reason=form.cleaned_data["reason"],
                                            session=request.session, request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("people:detail", public_id=person.public_id)
    return render(request, "people/restricted.html", {"form": form, "person": person})


@requires("people.view_person")
def safe_contact_edit(request, public_id):
    person = get_object_or_404(Person, public_id=public_id)
    if person.restricted and not services.restricted_access_granted(person=person, session=request.session):
        return redirect("people:open-restricted", public_id=person.public_id)
    current = getattr(person, "safe_contact", None)
    initial = {"phone": current.phone.e164 if current and current.phone else "",
               "safe_times": current.safe_times if current else "", "code_word": current.code_word if current else ""}
    form = SafeContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.safe_contact_set(person=person, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Safe contact details saved")
            return redirect("people:detail", public_id=person.public_id)
    return render(request, "people/safe_contact.html", {"form": form, "person": person})


@requires("people.view_record_viewers")
def record_viewers(request, public_id):
    person = get_object_or_404(Person, public_id=public_id)
    viewers = viewers_of(viewer=request.user, subject_person_id=person.public_id, request=request)
    return render(request, "people/viewers.html", {"person": person, "viewers": viewers})
