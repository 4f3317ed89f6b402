"""The performance pack's period and area (GET): ?from=YYYY-MM-DD&to=YYYY-MM-DD[&area=code]."""

from django import forms

from vigil.incidents.models import Area

from .pack_selectors import MAX_PERIOD

DATE_HINT = "For example, 2013-08-31"


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(label=label, required=False, input_formats=["%Y-%m-%d"], help_text=DATE_HINT,
                           error_messages={"invalid": f"Enter the {label.lower()} as a real date in the form "
                                                      f"YYYY-MM-DD, for example 2013-08-31"})


class PackForm(forms.Form):
    """Both dates or neither (neither: the 12 months to the latest incident); the area is optional."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = {a.code: a for a in Area.objects.order_by("name")}
        self.fields["area"].choices = [("", "Whole force")] + [(a.code, a.name) for a in self.areas.values()]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        given = {name: bool((self.data.get(name) or "").strip()) for name in ("from", "to")}
        if given["from"] and not given["to"] and "to" not in self.errors:
            self.add_error("to", "Enter the end date as well as the start date")
        if given["to"] and not given["from"] and "from" not in self.errors:
            self.add_error("from", "Enter the start date as well as the end date")
        if start and end:
            if start > end:
                self.add_error("to", "The end date must be the same as or after the start date")
            elif end - start > MAX_PERIOD:
                self.add_error("to", "The period can be at most 10 years long")
        cleaned["area_obj"] = self.areas.get(cleaned.get("area") or "")
        return cleaned


# "from" is a Python keyword, so the fields are added by name.
PackForm.base_fields = {
    "from": _date_field("Start date"),
    "to": _date_field("End date"),
    "area": forms.ChoiceField(label="Area", required=False, choices=[]),
}
