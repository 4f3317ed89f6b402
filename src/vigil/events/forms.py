from django import forms

from vigil.formtools import analysis_date_field

from .models import EventKind


class SubscriptionForm(forms.Form):
    name = forms.CharField(label="Name of the receiving system", max_length=80,
                           error_messages={"required": "Enter a name for the receiving system"})
    target_url = forms.CharField(label="Address events are sent to", max_length=500,
                                 help_text="Must start with https://, like https://receiver.example.org/vigil-events",
                                 error_messages={"required": "Enter the address events are sent to"})
    kinds = forms.MultipleChoiceField(label="Kinds of event to send", choices=EventKind.choices,
                                      widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": "Choose the kinds of event to send"})


class ReplaySinceForm(forms.Form):
    since = analysis_date_field("Replay events from", required=True)
