"""The evaluation pages' forms: the report's period, area, outcome and horizon; a new version's training
and validation periods. Dates are typed as YYYY-MM-DD, as on the other analyst pages."""


from django import forms

from vigil.formtools import analysis_date_field, period_checked
from vigil.incidents.models import Area

from .models import Outcome
from .policy import EvaluationPolicyValues


def _date_field(label: str) -> forms.DateField:
    return analysis_date_field(label, required=True)


def _outcome_field() -> forms.ChoiceField:
    return forms.ChoiceField(label="Outcome", choices=Outcome.choices,
                             help_text="What counts as harm after the assessment",
                             error_messages={"required": "Choose the outcome",
                                             "invalid_choice": "Choose one of the outcomes listed"})


def _horizon_field(policy: EvaluationPolicyValues) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label="Follow-up period", coerce=int,
        choices=[(months, f"{months} months") for months in policy.horizons_months],
        help_text="How long after the assessment harm is counted (the force's policy sets the choices)",
        error_messages={"required": "Choose the follow-up period",
                        "invalid_choice": "Choose one of the follow-up periods listed"})


class ReportForm(forms.Form):
    """?from=&to=&area=&outcome=&horizon= (GET). "from" is a Python keyword, so the dates are added by name."""

    def __init__(self, *args, policy: EvaluationPolicyValues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = _date_field("Start date")
        self.fields["to"] = _date_field("End date")
        self.fields["area"] = forms.ChoiceField(
            label="Area", required=False,
            choices=[("", "All areas")] + [(a.code, a.name) for a in Area.objects.order_by("name")],
            error_messages={"invalid_choice": "Choose one of the areas listed"})
        self.fields["outcome"] = _outcome_field()
        self.fields["horizon"] = _horizon_field(policy)
        self.order_fields(["from", "to", "area", "outcome", "horizon"])

    def clean(self):
        cleaned = super().clean()
        period_checked(self, "from", "to")
        return cleaned


class TrainForm(forms.Form):
    """A new version of the history signal: trained on one period, validated on a later one."""

    def __init__(self, *args, policy: EvaluationPolicyValues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["training_from"] = _date_field("Training start date")
        self.fields["training_to"] = _date_field("Training end date")
        self.fields["validation_from"] = _date_field("Validation start date")
        self.fields["validation_to"] = _date_field("Validation end date")
        self.fields["outcome"] = _outcome_field()
        self.fields["horizon"] = _horizon_field(policy)

    def clean(self):
        cleaned = super().clean()
        period_checked(self, "training_from", "training_to")
        period_checked(self, "validation_from", "validation_to")
        training_to, validation_from = cleaned.get("training_to"), cleaned.get("validation_from")
        if training_to and validation_from and validation_from <= training_to and not self.has_error(
                "training_to"):
            self.add_error("validation_from", "The validation period must start after the training period ends")
        return cleaned
