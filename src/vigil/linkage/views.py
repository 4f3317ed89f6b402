"""Who is who: the review queue, a pair's comparison and decision, merging and splitting a person."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from vigil.accounts.access import requires
from vigil.formtools import apply_errors, form_error_list
from vigil.people.models import Person, PersonRecord
from vigil.people.selectors import address_text
from vigil.people.services import person_locked

from . import selectors, services
from .forms import MergeForm, ReviewDecisionForm, SplitForm
from .models import MatchReview


def _locked(request, *persons: Person) -> Person | None:
    """A restricted person this viewer has not opened (with a reason) in this session, if any."""
    return next((p for p in persons if person_locked(person=p, session=request.session)), None)


def _restricted_page(request, person: Person):
    return render(request, "linkage/restricted.html", {"person": person}, status=403)


@requires("linkage.review_matches")
def review_queue(request):
    status = request.GET.get("status", MatchReview.Status.PENDING)
    if status not in MatchReview.Status.values:
        status = MatchReview.Status.PENDING
    lines, total = selectors.review_queue(viewer=request.user, status=status, request=request)
    counts = selectors.queue_counts()
    return render(request, "linkage/review_queue.html", {
        "lines": lines, "total": total, "status": status,
        "statuses": [(value, label, counts.get(value, 0)) for value, label in MatchReview.Status.choices]})


@requires("linkage.review_matches")
@require_http_methods(["GET", "POST"])
def review_detail(request, public_id):
    review = get_object_or_404(MatchReview.objects.select_related("record_a__person", "record_b__person"),
                               public_id=public_id)
    locked = _locked(request, review.record_a.person, review.record_b.person)
    if locked is not None:
        return _restricted_page(request, locked)
    form = ReviewDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decide = services.review_merge if form.cleaned_data["decision"] == "same" else services.review_keep_apart
        try:
            decision = decide(review=review, by=request.user, reason=form.cleaned_data["reason"], request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if decision.kind == decision.Kind.SAME:
                messages.success(request, f"Merged: {decision.records_moved} record(s) now belong to this person")
                return redirect("people:detail", public_id=decision.person.public_id)
            messages.success(request, "Kept apart: linkage will not join these two persons")
            return redirect("linkage:reviews")
    view = selectors.review_detail(review=review, viewer=request.user, request=request)
    return render(request, "linkage/review_detail.html", {
        "view": view, "form": form, "error_list": form_error_list(form) if form.errors else []},
        status=400 if form.errors else 200)


def _person(public_id) -> Person:
    person = get_object_or_404(Person, public_id=public_id)
    if person.merged_into_id:
        return selectors.current_person(person)
    return person


def _label(record: PersonRecord, viewer) -> str:
    born = record.date_of_birth.strftime("%-d %b %Y") if record.date_of_birth else "date of birth not recorded"
    place = address_text(record.address, viewer=viewer) or "no address"
    return f"{record.given_name} {record.family_name}, {born}, {place}"


@requires("linkage.merge_persons")
@require_http_methods(["GET", "POST"])
def person_merge(request, public_id):
    person = _person(public_id)
    if _locked(request, person):
        return _restricted_page(request, person)
    candidates = selectors.possible_duplicates(person=person, viewer=request.user, request=request)
    choices = [(str(c.person.public_id), ("Restricted record" if c.person.restricted else _label(c.record, request.user))
                + f" ({c.records} record{'s' if c.records != 1 else ''})") for c in candidates]
    form = MergeForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        other = get_object_or_404(Person, public_id=form.cleaned_data["other"])
        if _locked(request, other):
            return _restricted_page(request, other)
        try:
            decision = services.persons_merge(person=person, other=other, by=request.user,
                                              reason=form.cleaned_data["reason"], request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Merged: {decision.records_moved} record(s) now belong to this person")
            return redirect("people:detail", public_id=decision.person.public_id)
    return render(request, "linkage/person_merge.html", {
        "person": person, "form": form, "candidates": candidates,
        "error_list": form_error_list(form) if form.errors else []}, status=400 if form.errors else 200)


@requires("linkage.split_persons")
@require_http_methods(["GET", "POST"])
def person_split(request, public_id):
    person = _person(public_id)
    if _locked(request, person):
        return _restricted_page(request, person)
    records = list(person.records.select_related("address").order_by("recorded_at", "id"))
    choices = [(str(r.public_id), f"Recorded {r.recorded_at:%-d %b %Y}: {_label(r, request.user)}") for r in records]
    form = SplitForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        chosen = [r for r in records if str(r.public_id) in set(form.cleaned_data["records"])]
        try:
            decision = services.person_split(person=person, records=chosen, by=request.user,
                                             reason=form.cleaned_data["reason"], request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Split: {decision.records_moved} record(s) moved to a new person")
            return redirect("people:detail", public_id=decision.other_person.public_id)
    return render(request, "linkage/person_split.html", {
        "person": person, "form": form, "error_list": form_error_list(form) if form.errors else []},
        status=400 if form.errors else 200)
