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


@requires("people.subject_access_export")
def subject_access_export(request, public_id):
    """Everything Vigil holds about a person, as JSON or PDF, for a subject access request or a court: the form
    asks the purpose and the reason; the download is audited as a disclosure (docs/exports.md). A restricted
    record goes through the restricted-access flow first for those who open records; its owner is told of
    every export."""
    from django.http import HttpResponse

    from vigil.formtools import form_error_list
    from vigil.pdf import PdfUnavailable, render_pdf

    from . import subject_access
    from .forms import SubjectAccessForm

    person = get_object_or_404(Person, public_id=public_id)
    if person.merged_into_id:
        return redirect("people:subject-access", public_id=linkage_selectors.current_person(person).public_id)
    if services.person_locked(person=person, session=request.session) and request.user.has_perm("people.view_person"):
        return redirect("people:open-restricted", public_id=person.public_id)
    form = SubjectAccessForm(request.POST or None)
    records = person.records.count()
    context = {"form": form, "person": person, "records": records}
    if request.method != "POST":
        return render(request, "people/subject_access.html", context)
    if form.is_valid():
        data = form.cleaned_data
        try:
            subject_access.subject_access_check(purpose=data["purpose"], reason=data["reason"], format=data["format"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            gathered = subject_access.subject_access_gather(person=person, viewer=request.user)
            if data["format"] == "pdf":
                from django.template.loader import render_to_string
                from django.utils import timezone

                html = render_to_string("people/subject_access_document.html", {
                    "data": gathered, "sections": subject_access.readable_sections(gathered), "pdf": True,
                    "purpose": subject_access.PURPOSES[data["purpose"]], "generated_at": timezone.now()},
                    request=request)
                try:
                    content = render_pdf(html)
                except PdfUnavailable as error:  # nothing left Vigil: nothing to audit as a disclosure
                    return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
                content_type = "application/pdf"
            else:
                content, content_type = subject_access.json_text(gathered), "application/json; charset=utf-8"
            subject_access.subject_access_disclose(person=person, by=request.user, purpose=data["purpose"],
                                                   reason=data["reason"], format=data["format"], data=gathered,
                                                   request=request)
            response = HttpResponse(content, content_type=content_type)
            response["Content-Disposition"] = \
                f'attachment; filename="{subject_access.filename(gathered, data["format"])}"'
            response["Cache-Control"] = "no-store"
            return response
    context["error_list"] = form_error_list(form)
    return render(request, "people/subject_access.html", context, status=400)
