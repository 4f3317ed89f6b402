"""Timelines of a case and of a person, and their export for court or review.

Thin views: find the case or person, call one selector, render. A restricted person's timeline (and the
export of a restricted victim's case) needs the record opened first on the people pages, with a reason:
until then the page says so and links there.
"""

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from vigil.accounts.access import requires
from vigil.formtools import form_error_list

from . import selectors
from . import timeline as timelines

REASON_MIN = 10


class ExportForm(forms.Form):
    reason = forms.CharField(label="Why are you exporting this timeline?", required=False, widget=forms.Textarea,
                             max_length=500,
                             help_text="For example the court hearing or the review it is for. It is recorded "
                                       f"with your name. At least {REASON_MIN} characters.")
    format = forms.ChoiceField(label="What do you need?", choices=timelines.EXPORT_FORMATS, required=False,
                               widget=forms.RadioSelect)

    def clean_reason(self):
        reason = (self.cleaned_data["reason"] or "").strip()
        if len(reason) < REASON_MIN:
            raise forms.ValidationError(f"Enter why you are exporting the timeline (at least {REASON_MIN} characters)")
        return reason

    def clean_format(self):
        value = self.cleaned_data["format"]
        if not value:
            raise forms.ValidationError("Choose a spreadsheet file or a page to print")
        return value


def _restricted_page(request, person, *, what: str):
    return render(request, "cases/timeline_restricted.html", {"person": person, "what": what}, status=403)


def _export(request, *, timeline_of, person, back_url: str, what: str, heading: str):
    """The export form; on a valid POST, the audited export as CSV or a page to print."""
    if selectors.person_locked(person=person, session=request.session):
        return _restricted_page(request, person, what=what)
    form = ExportForm(request.POST if request.method == "POST" else None, initial={"format": "csv"})
    if request.method == "POST" and form.is_valid():
        export = timelines.timeline_export(viewer=request.user, timeline=timeline_of(),
                                           reason=form.cleaned_data["reason"], format=form.cleaned_data["format"],
                                           request=request)
        if export.format == "csv":
            # With a byte-order mark, so that a spreadsheet opens the file as UTF-8.
            response = HttpResponse("\ufeff" + timelines.timeline_csv(export), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
            response["Cache-Control"] = "no-store"
            return response
        response = render(request, "cases/timeline_print.html", {"export": export, "timeline": export.timeline})
        response["Cache-Control"] = "no-store"
        return response
    errors = form_error_list(form) if form.errors else []
    return render(request, "cases/timeline_export.html", {
        "form": form, "error_list": errors, "back_url": back_url, "heading": heading,
    }, status=400 if errors else 200)


@requires("cases.view_case")
@require_GET
def case_timeline(request, public_id):
    case = timelines.case_for_timeline(viewer=request.user, public_id=public_id)
    timeline = timelines.case_timeline(viewer=request.user, case=case, request=request)
    return render(request, "cases/timeline.html", {
        "timeline": timeline, "case": case, "reference": case.incident.reference,
        "victim_restricted": selectors.victim_locked(request, case),
    })


@requires("cases.export_timeline")
@require_http_methods(["GET", "POST"])
def case_timeline_export(request, public_id):
    case = timelines.case_for_timeline(viewer=request.user, public_id=public_id)
    return _export(request, timeline_of=lambda: timelines.case_timeline_read(case), person=case.victim.person,
                   back_url=_case_back(request, case), what="this case's timeline",
                   heading=f"Export the timeline of the case for incident {case.incident.reference}")


def _case_back(request, case) -> str:
    if request.user.has_perm("cases.view_case"):
        return reverse("cases:timeline", args=[case.public_id])
    return reverse("accounts:home")


@requires("cases.view_case")
@require_GET
def person_timeline(request, public_id):
    person = timelines.person_for_timeline(viewer=request.user, public_id=public_id)
    if selectors.person_locked(person=person, session=request.session):
        return _restricted_page(request, person, what="this person's timeline")
    timeline = timelines.person_timeline(viewer=request.user, person=person, request=request)
    return render(request, "cases/person_timeline.html", {"timeline": timeline, "person": person})


@requires("cases.export_timeline")
@require_http_methods(["GET", "POST"])
def person_timeline_export(request, public_id):
    person = timelines.person_for_timeline(viewer=request.user, public_id=public_id)
    back = reverse("cases:person-timeline", args=[person.public_id]) if request.user.has_perm("cases.view_case") \
        else reverse("accounts:home")
    return _export(request, timeline_of=lambda: timelines.person_timeline_read(person), person=person,
                   back_url=back, what="this person's timeline", heading="Export this person's timeline")
