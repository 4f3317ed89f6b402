"""Small helpers every app's forms and views share."""

import uuid

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
