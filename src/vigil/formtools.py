"""Small helpers every app's forms and views share."""

import uuid

from django import forms
from django.core.exceptions import ValidationError

from vigil.people.normalise import InvalidPostcode, normalise_postcode


def apply_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field where it names one, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
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
