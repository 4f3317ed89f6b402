
from django import forms
from django.contrib.auth import get_user_model

from vigil.formtools import is_uuid

from .models import Action

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y", "%d-%m-%Y"]
DATE_HELP = "For example, 27/03/2026"


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(label=label, required=False, input_formats=DATE_FORMATS, help_text=DATE_HELP,
                           error_messages={"invalid": f"{label} must be a real date, like 27/03/2026"})



class AuditSearchForm(forms.Form):
    person_id = forms.UUIDField(label="Person ID", required=False,
                                help_text="The person's Vigil ID, shown on their record",
                                error_messages={"invalid": "Enter a person ID in the form shown on their record"})
    user = forms.CharField(label="User", max_length=150, required=False,
                           help_text="The user's username or Vigil user ID")
    object_id = forms.CharField(label="Object ID", max_length=64, required=False,
                                help_text="The ID of a record, case or other object")
    date_from = _date_field("Date from")
    date_to = _date_field("Date to")
    action = forms.ChoiceField(label="Action", required=False, choices=[("", "Any action"), *Action.choices])

    def clean_user(self):
        value = self.cleaned_data["user"].strip()
        if not value:
            return None
        users = get_user_model().objects
        user = users.filter(username=value).first()
        if user is None and is_uuid(value):
            user = users.filter(public_id=value).first()
        if user is None:
            raise forms.ValidationError("No user has that username or user ID")
        return user

    def clean_object_id(self):
        return self.cleaned_data["object_id"].strip()

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", "Date to must be the same as or after date from")
        return cleaned

    def search_criteria(self) -> dict:
        """The cleaned form as keyword arguments for `selectors.audit_search`."""
        data = self.cleaned_data
        return {"person_id": data["person_id"], "user_id": data["user"].pk if data["user"] else None,
                "object_id": data["object_id"] or None, "date_from": data["date_from"],
                "date_to": data["date_to"], "action": data["action"] or None}
