"""The call taker's intake: every field optional while the call goes on, each validated on its own so a
bad value never stops the good ones being saved."""

from django import forms

from vigil.formtools import is_uuid, postcode_cleaned
from vigil.people.models import Address
from vigil.people.normalise import InvalidPhone, normalise_phone

from .models import Incident, Involvement

YES_NO = [("yes", "Yes"), ("no", "No")]
YES_NO_UNKNOWN = [("yes", "Yes"), ("no", "No"), ("unknown", "Not known")]
TRI_STATE = {"yes": True, "no": False, "unknown": None}
DATE_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%d-%m-%Y", "%Y-%m-%d", "%d/%m/%y"]


def tri_state_initial(value) -> str:
    return {True: "yes", False: "no"}.get(value, "unknown")


class IntakeForm(forms.Form):
    caller_phone = forms.CharField(label="Caller's number", max_length=30, required=False,
                                   help_text="As shown by the phone system, or as the caller gives it")
    channel = forms.ChoiceField(label="How the call came in", choices=Incident.Channel.choices, required=False)
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    house = forms.CharField(label="House number or name", max_length=60, required=False)
    address_choice = forms.CharField(required=False, widget=forms.HiddenInput)
    line1 = forms.CharField(label="Address line 1", max_length=200, required=False)
    line2 = forms.CharField(label="Address line 2 (optional)", max_length=200, required=False)
    town = forms.CharField(label="Town (optional)", max_length=100, required=False)
    location_text = forms.CharField(label="Location, if there is no address", max_length=200, required=False,
                                    help_text="For example: the car park behind the leisure centre")
    summary = forms.CharField(label="What is happening", required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="In the caller's words where you can")
    is_domestic_abuse = forms.ChoiceField(label="Is this domestic abuse?", choices=YES_NO, required=False)
    weapons = forms.ChoiceField(label="Weapons mentioned or in the house?", choices=YES_NO_UNKNOWN, required=False)
    injuries = forms.ChoiceField(label="Is anyone injured?", choices=YES_NO_UNKNOWN, required=False)
    children_present = forms.ChoiceField(label="Are children present?", choices=YES_NO_UNKNOWN, required=False)
    suspect_present = forms.ChoiceField(label="Is the suspect still there?", choices=YES_NO_UNKNOWN, required=False)
    response_grade = forms.TypedChoiceField(label="Response grade", choices=Incident.Grade.choices, coerce=int,
                                            required=False)

    @classmethod
    def initial_for(cls, incident: Incident) -> dict:
        address = incident.address
        return {
            "caller_phone": incident.caller_phone.e164 if incident.caller_phone_id else "",
            "channel": incident.channel,
            "postcode": address.postcode if address else "",
            "address_choice": str(address.public_id) if address else "",
            "line1": address.line1 if address else "", "line2": address.line2 if address else "",
            "town": address.town if address else "",
            "location_text": incident.location_text, "summary": incident.summary,
            "is_domestic_abuse": "yes" if incident.is_domestic_abuse else "no",
            **{f: tri_state_initial(getattr(incident, f)) for f in ("weapons", "injuries", "children_present",
                                                                    "suspect_present")},
            "response_grade": incident.response_grade,
        }

    def clean_caller_phone(self):
        raw = self.cleaned_data.get("caller_phone", "").strip()
        if not raw:
            return ""
        try:
            return normalise_phone(raw)
        except InvalidPhone:
            raise forms.ValidationError("Enter a phone number like 07700 900123 or +44 116 496 0000") from None

    def clean_postcode(self):
        return postcode_cleaned(self.cleaned_data.get("postcode", ""))

    def clean_address_choice(self):
        raw = self.cleaned_data.get("address_choice", "").strip()
        if not raw:
            return None
        address = Address.objects.filter(public_id=raw).first() if is_uuid(raw) else None
        if address is None:
            raise forms.ValidationError("Choose the address again: the one chosen was not found")
        return address

    def changes(self) -> dict:
        """The intake fields that passed validation, as the service takes them. A field the browser did
        not send is left alone, so a partial save never blanks what was saved before."""
        data, sent = self.cleaned_data, self.data
        changes = {}
        for field in ("caller_phone", "location_text", "summary", "channel"):
            if field in sent and field in data and (data[field] or field != "channel"):
                changes[field] = data[field]
        for field in ("weapons", "injuries", "children_present", "suspect_present"):
            if field in sent and field in data and data[field]:
                changes[field] = TRI_STATE[data[field]]
        if "is_domestic_abuse" in sent and data.get("is_domestic_abuse"):
            changes["is_domestic_abuse"] = data["is_domestic_abuse"] == "yes"
        if "response_grade" in sent and data.get("response_grade"):
            changes["response_grade"] = data["response_grade"]
        if "address_choice" in data and data["address_choice"] is not None:
            changes["address"] = data["address_choice"]
        elif "line1" in sent and data.get("line1", "").strip() and data.get("postcode"):
            changes["address"] = {"line1": data["line1"], "line2": data.get("line2", ""),
                                  "town": data.get("town", ""), "postcode": data["postcode"]}
        return changes


class IntakePersonForm(forms.Form):
    role = forms.ChoiceField(label="Their part", choices=Involvement.Role.choices)
    given_name = forms.CharField(label="First name", max_length=100, required=False)
    family_name = forms.CharField(label="Last name", max_length=100, required=False)
    date_of_birth = forms.DateField(label="Date of birth (if known)", required=False, input_formats=DATE_FORMATS,
                                    help_text="For example, 27/03/1985",
                                    error_messages={"invalid": "Enter a real date of birth, like 27/03/1985"})
    phone = forms.CharField(label="Their phone number (if known)", max_length=30, required=False)

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("given_name", "").strip() or cleaned.get("family_name", "").strip()):
            self.add_error("given_name", "Enter a name, or part of one (a first name is enough)")
        phone = cleaned.get("phone", "").strip()
        if phone:
            try:
                cleaned["phone"] = normalise_phone(phone)
            except InvalidPhone:
                self.add_error("phone", "Enter a phone number like 07700 900123")
        return cleaned


class AddressLookupForm(forms.Form):
    postcode = forms.CharField(max_length=10)
    house = forms.CharField(max_length=60, required=False)

    def clean_postcode(self):
        return postcode_cleaned(self.cleaned_data.get("postcode", ""))

