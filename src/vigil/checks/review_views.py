"""Call-review sampling pages: a month's coverage and sample, and a supervisor's review of one call."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from vigil.accounts.access import requires

from . import call_review, reviews
from .models import CallReview


class MonthForm(forms.Form):
    month = forms.CharField(label="Month", help_text="Year and month, for example 2025-03", max_length=20)

    def clean_month(self):
        try:
            return call_review.parse_month(self.cleaned_data["month"])
        except ValueError as error:
            raise ValidationError(str(error)) from None


def _coverage_url(month) -> str:
    return f"{reverse('control:call-reviews')}?month={month:%Y-%m}"


@requires("checks.review_calls")
@require_http_methods(["GET", "POST"])
def call_review_coverage(request):
    if request.method == "POST":
        return _sample(request)
    month = reviews.current_month()
    if "month" in request.GET:
        form = MonthForm(request.GET)
        if not form.is_valid():
            return render(request, "checks/call_review_coverage.html", {"form": form, "month": None})
        month = form.cleaned_data["month"]
    else:
        form = MonthForm(initial={"month": f"{month:%Y-%m}"})
    rows = reviews.call_review_coverage(month=month)
    return render(request, "checks/call_review_coverage.html", {
        "form": form, "month": month, "month_value": f"{month:%Y-%m}", "rows": rows,
        "totals": reviews.call_review_coverage_totals(rows),
        "sample": reviews.call_reviews_for_month(month=month),
        "minimum": call_review.MIN_PER_MONTH,
        "is_future": month > reviews.current_month(),
    })


def _sample(request):
    try:
        month = call_review.parse_month(request.POST.get("month", ""))
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("control:call-reviews")
    created = reviews.call_reviews_sample(month=month, by=request.user, request=request)
    label = f"{month:%B %Y}"
    if created:
        noun = "call" if len(created) == 1 else "calls"
        messages.success(request, f"{len(created)} {noun} added to the sample for {label}")
    else:
        messages.success(request, f"No calls added: every call taker already has enough calls sampled for {label}, "
                                  "or there are no new domestic abuse calls to choose from")
    return redirect(_coverage_url(month))


@requires("checks.review_calls")
@require_http_methods(["GET", "POST"])
def call_review_record(request, public_id):
    review = get_object_or_404(CallReview, public_id=public_id)
    own_call = review.call_taker_id == request.user.pk
    values, notes, errors = dict(review.answers), review.notes, {}
    if request.method == "POST" and review.reviewed_at is None and not own_call:
        values = {code: request.POST.get(code, "") for code in call_review.CHECKLIST_CODES}
        notes = request.POST.get("notes", "")
        try:
            reviews.call_review_record(review=review, by=request.user, answers=values, notes=notes,
                                       request=request)
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        else:
            messages.success(request, f"Review of call {review.incident.reference} saved")
            return redirect(_coverage_url(review.month))
    review = reviews.call_review_open(review=review, viewer=request.user, request=request)
    return render(request, "checks/call_review.html", {
        "review": review,
        "incident": review.incident,
        "call_taker_name": reviews.display_name(review.call_taker),
        "reviewer_name": reviews.display_name(review.reviewer),
        "own_call": own_call,
        "items": _items(values, errors),
        "notes": notes,
        "notes_error": " ".join(errors.get("notes", [])),
        "error_list": _error_list(errors),
        "coverage_url": _coverage_url(review.month),
    })


def _items(values: dict, errors: dict) -> list[dict]:
    options = [(answer.value, call_review.ANSWER_LABELS[answer]) for answer in call_review.Answer]
    return [{
        "code": item.code, "question": item.question, "hint": item.hint,
        "value": values.get(item.code, ""),
        "answer_label": call_review.ANSWER_LABELS.get(values.get(item.code), "Not answered"),
        "error": " ".join(errors.get(item.code, [])),
        "options": options,
    } for item in call_review.CHECKLIST]


def _error_list(errors: dict) -> list[tuple[str, str]]:
    """(anchor, message) for the error summary, in the order the page shows them."""
    first = call_review.CHECKLIST_CODES[0]
    listed = [(first, message) for message in errors.get("__all__", [])]
    listed += [(code, message) for code in call_review.CHECKLIST_CODES for message in errors.get(code, [])]
    listed += [("notes", message) for message in errors.get("notes", [])]
    return listed
