"""Small helpers every app's forms and views share."""

import uuid
from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError

from vigil.people.normalise import InvalidPostcode, normalise_postcode


def apply_errors(form, error: ValidationError, rename: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on the form: on its field where it names one (`rename` maps the
    service's field names to the form's), else above the form."""
    rename = rename or {}
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            field = rename.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def postcode_cleaned(raw: str) -> str:
    """A postcode in its canonical form, "" for none, or a form error that says what to enter."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        return normalise_postcode(raw)
    except InvalidPostcode:
        raise forms.ValidationError("Enter a full UK postcode, like LE1 6ZZ") from None


def form_error_list(form) -> list[tuple[str, str]]:
    """(anchor, message) pairs for the GOV.UK error summary; errors about the whole form link to the
    first field."""
    names = list(form.fields)
    first = form[names[0]].auto_id if names else ""
    listed = [(first, message) for message in form.non_field_errors()]
    listed += [(form[name].auto_id, message) for name in names for message in form.errors.get(name, [])]
    return listed


def error_messages(error: ValidationError, rename: dict[str, str] | None = None) -> dict[str, str]:
    """A service's ValidationError as {field: message} for pages that build their own forms; "" for
    errors about the whole form. `rename` maps the service's field names to the page's."""
    rename = rename or {}
    if hasattr(error, "error_dict"):
        return {rename.get(field, field): " ".join(messages_) for field, messages_ in error.message_dict.items()}
    return {"": " ".join(error.messages)}


# --- the analyst pages' period and area (capacity analysis, performance pack, evaluation report) --------

ANALYSIS_DATE_HINT = "For example, 2013-08-31"
MAX_ANALYSIS_PERIOD = timedelta(days=10 * 366)


def analysis_date_field(label: str, *, required: bool = False) -> forms.DateField:
    """A date typed as YYYY-MM-DD, with the messages every analyst page uses."""
    return forms.DateField(label=label, required=required, input_formats=["%Y-%m-%d"], help_text=ANALYSIS_DATE_HINT,
                           error_messages={"required": f"Enter the {label.lower()}",
                                           "invalid": f"Enter the {label.lower()} as a real date in the form "
                                                      f"YYYY-MM-DD, for example 2013-08-31"})


def period_checked(form: forms.Form, start_name: str = "from", end_name: str = "to") -> None:
    """The period's errors on `form`: both dates or neither, the end not before the start, at most ten
    years."""
    given = {name: bool((form.data.get(name) or "").strip()) for name in (start_name, end_name)}
    if given[start_name] and not given[end_name] and end_name not in form.errors:
        form.add_error(end_name, "Enter the end date as well as the start date")
    if given[end_name] and not given[start_name] and start_name not in form.errors:
        form.add_error(start_name, "Enter the start date as well as the end date")
    start, end = form.cleaned_data.get(start_name), form.cleaned_data.get(end_name)
    if start and end:
        if start > end:
            form.add_error(end_name, "The end date must be the same as or after the start date")
        elif end - start > MAX_ANALYSIS_PERIOD:
            form.add_error(end_name, "The period can be at most 10 years long")


class AreaPeriodForm(forms.Form):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD[&area=code] (GET): both dates or neither (the page's default period),
    and an optional area. `whole` labels the choice of no area."""

    whole = "All areas"

    def __init__(self, *args, **kwargs):
        from vigil.incidents.models import Area

        super().__init__(*args, **kwargs)
        self.fields["from"] = analysis_date_field("Start date")
        self.fields["to"] = analysis_date_field("End date")
        self.areas = {a.code: a for a in Area.objects.order_by("name")}
        self.fields["area"] = forms.ChoiceField(label="Area", required=False, choices=[("", self.whole)] + [
            (a.code, a.name) for a in self.areas.values()])

    def clean(self):
        cleaned = super().clean()
        period_checked(self)
        cleaned["area_obj"] = self.areas.get(cleaned.get("area") or "")
        return cleaned


def command_day(value: str) -> date:
    """A day given to a `vigil` command as YYYY-MM-DD, or the command's error saying how to write it."""
    from django.core.management.base import CommandError

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date in the form YYYY-MM-DD") from None
