"""Lessons from reviews, the forms: they parse what was typed; the services decide whether it is right
(their ValidationError is shown on the fields through `formtools.apply_errors`)."""

from django import forms

from vigil.accounts.roles import ROLES

from .lessons_selectors import briefing_team_choices, lesson_owner_choices
from .models import BRIEFING_TEXT_LENGTH, Lesson, Review

DATE_HINT = "For example, 2026-03-27"
DATE_ERROR = "Enter the date as a real date in the form YYYY-MM-DD, for example 2026-03-27"


def _date(label: str, hint: str) -> forms.DateField:
    return forms.DateField(label=label, required=False, input_formats=["%Y-%m-%d"], help_text=f"{hint}{DATE_HINT}",
                           error_messages={"invalid": DATE_ERROR})


class ReviewForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of review", choices=Review.Kind.choices, required=False,
                             widget=forms.RadioSelect)
    reference = forms.CharField(label="Published reference", required=False, max_length=60,
                                help_text="As the review was published, for example DHR 2025/03")
    title = forms.CharField(label="Published title", required=False, max_length=200,
                            help_text="The anonymised title it was published under. Do not enter anyone's name.")
    published_on = _date("Date published", "")
    area = forms.ChoiceField(label="Policing area", required=False,
                             help_text="The area the review concerns. Leave as force-wide if it concerns no one area.")
    summary = forms.CharField(label="Summary", required=False, widget=forms.Textarea, max_length=8000,
                              help_text="What happened and what the review found, in the published, anonymised "
                                        "words. Do not enter anyone's name.")

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = {a.code: a for a in areas}
        self.fields["area"].choices = [("", "Force-wide")] + [(a.code, a.name) for a in areas]

    def clean_area(self):
        code = self.cleaned_data["area"]
        if code and code not in self.areas:
            raise forms.ValidationError("Choose the area from the list")
        return self.areas.get(code)


class LessonForm(forms.Form):
    text = forms.CharField(label="Lesson", required=False, widget=forms.Textarea, max_length=4000,
                           help_text="What the review found should change.")
    action = forms.CharField(label="Action to be taken", required=False, widget=forms.Textarea, max_length=4000)
    owner = forms.ChoiceField(label="Owner of the action", required=False,
                              help_text="The person who answers for the action.")
    due_on = _date("Due date", "")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = {str(u.public_id): u for u in lesson_owner_choices()}
        self.fields["owner"].choices = [("", "Choose an owner")] + [
            (key, f"{u.get_full_name() or u.username} ({u.role_name})") for key, u in self.owners.items()]

    def clean_owner(self):
        key = self.cleaned_data["owner"]
        return self.owners.get(key) if key else None


class LessonUpdateForm(forms.Form):
    status = forms.ChoiceField(label="Status of the action", choices=Lesson.Status.choices, required=False,
                               widget=forms.RadioSelect)
    note = forms.CharField(label="What has been done", required=False, widget=forms.Textarea, max_length=4000)


class BriefingForm(forms.Form):
    title = forms.CharField(label="Title", required=False, max_length=120,
                            help_text="A few words staff will see in their list of briefings.")
    text = forms.CharField(label="Briefing", required=False, widget=forms.Textarea, max_length=BRIEFING_TEXT_LENGTH,
                           help_text=f"A few sentences: what the review found and what staff should do "
                                     f"differently. Up to {BRIEFING_TEXT_LENGTH} characters.")
    roles = forms.MultipleChoiceField(label="Roles", required=False, widget=forms.CheckboxSelectMultiple,
                                      choices=[(r.code, r.name) for r in ROLES if r.code != "control_system"],
                                      help_text="Everyone in these roles gets the briefing.")
    teams = forms.MultipleChoiceField(label="Teams", required=False, widget=forms.CheckboxSelectMultiple,
                                      help_text="Everyone in these teams gets the briefing, whatever their role.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = {t.code: t for t in briefing_team_choices()}
        self.fields["teams"].choices = [(code, f"{t.name} ({t.agency.name})") for code, t in self.teams.items()]

    def clean_teams(self):
        return [self.teams[code] for code in self.cleaned_data["teams"]]


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="Why withdraw the briefing?", required=False, widget=forms.Textarea,
                             max_length=2000, help_text="Staff will no longer be asked to read it. It is kept, with "
                                                        "who has read it.")
