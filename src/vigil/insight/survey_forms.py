"""Victim surveys, the forms: they parse what was typed; the services decide whether it is right (their
ValidationError is shown on the fields through `formtools.apply_errors`)."""

from datetime import date

from django import forms

from . import surveys as rules

YES_NO = (("yes", "Yes"), ("no", "No"))
DATE_HINT = "For example, 2026-03-27"
DATE_ERROR = "Enter the date as a real date in the form YYYY-MM-DD, for example 2026-03-27"


class SurveyStartForm(forms.Form):
    safe_number_used = forms.ChoiceField(label="Did you call the victim's recorded safe number?", choices=YES_NO,
                                         widget=forms.RadioSelect, required=False)
    confirmed_safe = forms.BooleanField(
        label="I confirm the number I called was safe to use", required=False,
        help_text="Needed when you did not call the recorded safe number, or none is recorded: for example the "
                  "victim gave you this number themselves and said it is safe.")
    first_step = forms.ChoiceField(label="Is it safe to talk?", choices=rules.FIRST_STEP, widget=forms.RadioSelect,
                                   required=False,
                                   help_text="Ask this first, every time, before you say why you are calling.")

    @property
    def used(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("safe_number_used"))


class SurveyAnswersForm(forms.Form):
    """One field per question of the questionnaire, named surveys.answer_key(stage, question)."""

    def __init__(self, *args, questionnaire: rules.Questionnaire, **kwargs):
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        for stage in questionnaire.stages:
            for question in stage.questions:
                name = rules.answer_key(stage.code, question.code)
                if question.scale == "text":
                    self.fields[name] = forms.CharField(
                        label=f"{stage.name}: comment (optional)", required=False, widget=forms.Textarea,
                        help_text=f"{question.text} Write what the victim says; up to {rules.COMMENT_MAX_LENGTH} "
                                  "characters. Do not write anyone's name, the safe number or the code word.")
                else:
                    self.fields[name] = forms.ChoiceField(label=question.text, choices=question.choices,
                                                          widget=forms.RadioSelect, required=False)

    def stages(self):
        """[(stage, [bound fields])], for the page's sections."""
        return [(stage, [self[rules.answer_key(stage.code, q.code)] for q in stage.questions])
                for stage in self.questionnaire.stages]

    def answers(self) -> dict[str, str]:
        return {name: value for name, value in self.cleaned_data.items() if value}


class ResultsForm(forms.Form):
    start = forms.DateField(label="From", required=False, input_formats=["%Y-%m-%d"], help_text=DATE_HINT,
                            error_messages={"invalid": DATE_ERROR})
    end = forms.DateField(label="To", required=False, input_formats=["%Y-%m-%d"], help_text=DATE_HINT,
                          error_messages={"invalid": DATE_ERROR})
    area = forms.ChoiceField(label="Area", required=False)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = {a.code: a for a in areas}
        self.fields["area"].choices = [("", "The whole force")] + [(a.code, a.name) for a in areas]

    def clean_area(self):
        code = self.cleaned_data["area"]
        if code and code not in self.areas:
            raise forms.ValidationError("Choose the area from the list")
        return self.areas.get(code)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            self.add_error("end", "The end date must be the same as or after the start date")
        return data
