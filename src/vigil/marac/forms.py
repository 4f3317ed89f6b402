"""The MARAC pages' forms: they parse what was typed; the services decide whether it is right (their
ValidationError is shown on the fields through `formtools.apply_errors`)."""

from django import forms

from vigil.cases.services import REASON_MIN_LENGTH, display

from .agenda import Criterion
from .models import MaracAttendance
from .services import CHILD_DESCRIPTION_LENGTH

DATE_HINT = "For example, 2026-12-24"
DATE_ERROR = "Enter the date as a real date in the form YYYY-MM-DD, for example 2026-12-24"
YES_NO = [("yes", "Yes"), ("no", "No")]
YES_NO_NOT_KNOWN = [("yes", "Yes"), ("no", "No"), ("not_known", "Not known")]

# The SafeLives criteria (domain.md), each with its hint: any one is enough.
CRITERIA = [
    (Criterion.VISIBLE_HIGH_RISK.value, "Visible high risk",
     "14 or more \"yes\" answers on the DASH checklist: choose the risk assessment below."),
    (Criterion.PROFESSIONAL_JUDGEMENT.value, "Professional judgement",
     "You judge the case to be high risk: give your reasons below. A completed checklist is not required."),
    (Criterion.POTENTIAL_ESCALATION.value, "Potential escalation",
     "3 or more domestic abuse incidents involving the victim, known to any agency, in the 12 months up to "
     "and including the current one."),
    (Criterion.REPEAT_MARAC.value, "Repeat MARAC",
     "Any abuse between the same victim and perpetrator within 12 months of the last MARAC referral, "
     "criminal or not (unwanted contact, a breach of bail or an order, a dispute over child contact)."),
]
CRITERION_LABELS = {code: label for code, label, _ in CRITERIA}


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class _CheckedLaterChoiceField(forms.ChoiceField):
    """A choice checked by the form's clean_<field>, which says what is wrong (not just "not a choice")."""

    def valid_value(self, value) -> bool:
        return True


class ReferralForm(forms.Form):
    area = forms.ChoiceField(label="Which MARAC is the referral to?", required=False)
    received_on = forms.DateField(label="Date of referral", required=False, input_formats=["%Y-%m-%d"],
                                  help_text=f"Today or earlier. {DATE_HINT}", error_messages={"invalid": DATE_ERROR})
    criteria = forms.MultipleChoiceField(label="Which criteria apply?", required=False,
                                         widget=forms.CheckboxSelectMultiple,
                                         choices=[(code, label) for code, label, _ in CRITERIA],
                                         help_text="Select all that apply. Any one is enough.")
    perpetrator = _CheckedLaterChoiceField(label="Who is the perpetrator?", required=False,
                                    help_text="Suspects on the victim's domestic abuse incidents and perpetrators "
                                              "named on earlier MARAC referrals. Choose \"Not known\" if they "
                                              "are not listed.")
    risk_assessment = forms.ChoiceField(label="Risk assessment", required=False,
                                        help_text="The DASH checklist behind the referral, with its \"yes\" count.")
    judgement_reason = forms.CharField(label="Your reasons for professional judgement", required=False,
                                       widget=forms.Textarea, max_length=4000,
                                       help_text=f"Needed when you refer on professional judgement. At least "
                                                 f"{REASON_MIN_LENGTH} characters.")
    other_agency_incidents = forms.IntegerField(
        label="Incidents known to other agencies", required=False, min_value=0, max_value=500,
        help_text="Domestic abuse incidents in the last 12 months that other agencies know of and the police do "
                  "not. Police incidents are counted for you.",
        error_messages={"invalid": "Enter the number of incidents as a whole number, like 2",
                        "min_value": "The number of incidents cannot be below 0"})
    children = forms.CharField(label="Children and dependants", required=False, widget=forms.Textarea,
                               max_length=4000,
                               help_text=f"One a line: age and relationship, without names (for example, \"Girl, "
                                         f"6, victim's daughter\"). Up to {CHILD_DESCRIPTION_LENGTH} characters "
                                         f"each.")
    victim_aware = forms.ChoiceField(label="Does the victim know about the referral?", choices=YES_NO,
                                     required=False, widget=forms.RadioSelect)
    victim_consents = forms.ChoiceField(label="Does the victim agree to the referral?", choices=YES_NO,
                                        required=False, widget=forms.RadioSelect)
    reason_without_consent = forms.CharField(
        label="Why refer without the victim's agreement?", required=False, widget=forms.Textarea, max_length=4000,
        help_text=f"Needed when the victim does not know or does not agree. At least {REASON_MIN_LENGTH} "
                  "characters.")
    idva_referral_made = forms.ChoiceField(label="Has a referral to the IDVA service been made?", choices=YES_NO,
                                           required=False, widget=forms.RadioSelect)
    # Equality monitoring for the SafeLives data return: optional, "not known" when not answered.
    victim_lgbt = forms.ChoiceField(label="Does the victim identify as lesbian, gay, bisexual, trans or another "
                                          "minority sexual orientation or gender identity (LGBT+)?",
                                    choices=YES_NO_NOT_KNOWN, required=False, widget=forms.RadioSelect,
                                    help_text="Optional: only what the victim has told you.")
    victim_disability = forms.ChoiceField(label="Does the victim have a disability?", choices=YES_NO_NOT_KNOWN,
                                          required=False, widget=forms.RadioSelect,
                                          help_text="Optional: only what the victim has told you.")

    def __init__(self, *args, areas=(), assessments=(), perpetrators=(), victim=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.victim = victim
        self.perpetrators = {str(c.person.public_id): c.person for c in perpetrators}
        self.fields["perpetrator"].choices = [("", "Not known")] + [
            (str(c.person.public_id), c.name + (f", born {c.date_of_birth:%-d %B %Y}" if c.date_of_birth else "")
             + f": {c.why}") for c in perpetrators]
        self.areas = {a.code: a for a in areas}
        self.fields["area"].choices = [("", "Choose a MARAC")] + [(a.code, a.name) for a in areas]
        self.assessments = {str(a.public_id): a for a in assessments}
        self.fields["risk_assessment"].choices = [("", "None")] + [
            (key, f"{a.assessed_at:%d %B %Y}: {a.yes_count} \"yes\" answers"
                  + (f", graded {a.get_grade_display().lower()}" if a.grade else ""))
            for key, a in self.assessments.items()]

    def clean_area(self):
        code = self.cleaned_data["area"]
        if not code or code not in self.areas:
            raise forms.ValidationError("Choose the MARAC the referral is to")
        return self.areas[code]

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        if value is None:
            raise forms.ValidationError("Enter the date of the referral")
        return value

    def clean_perpetrator(self):
        key = (self.cleaned_data["perpetrator"] or "").strip()
        if not key:
            return None
        if self.victim is not None and key == str(self.victim.public_id):
            raise forms.ValidationError("The perpetrator cannot be the victim")
        if key not in self.perpetrators:
            raise forms.ValidationError("Choose the perpetrator from the list, or \"Not known\"")
        return self.perpetrators[key]

    def clean_risk_assessment(self):
        key = self.cleaned_data["risk_assessment"]
        return self.assessments.get(key) if key else None

    def clean_children(self):
        return [line.strip() for line in (self.cleaned_data["children"] or "").splitlines() if line.strip()]

    def clean_victim_aware(self):
        value = _yes_no(self.cleaned_data["victim_aware"])
        if value is None:
            raise forms.ValidationError("Say whether the victim knows about the referral")
        return value

    def clean_victim_consents(self):
        value = _yes_no(self.cleaned_data["victim_consents"])
        if value is None:
            raise forms.ValidationError("Say whether the victim agrees to the referral")
        return value

    def clean_idva_referral_made(self):
        return bool(_yes_no(self.cleaned_data["idva_referral_made"]))

    def clean_victim_lgbt(self):
        return _yes_no(self.cleaned_data["victim_lgbt"])

    def clean_victim_disability(self):
        return _yes_no(self.cleaned_data["victim_disability"])

    def clean_other_agency_incidents(self):
        return self.cleaned_data["other_agency_incidents"] or 0


class NewVictimReferralForm(ReferralForm):
    """A referral of a victim named by the referrer rather than chosen from Vigil's records: the names and
    date of birth as the referrer knows them, and the perpetrator's when known."""

    victim_given_name = forms.CharField(label="Given name", required=False, max_length=100)
    victim_family_name = forms.CharField(label="Family name", required=False, max_length=100)
    victim_date_of_birth = forms.DateField(label="Date of birth (if known)", required=False,
                                           input_formats=["%Y-%m-%d"], help_text=DATE_HINT,
                                           error_messages={"invalid": DATE_ERROR})
    perpetrator_given_name = forms.CharField(label="Given name", required=False, max_length=100)
    perpetrator_family_name = forms.CharField(label="Family name", required=False, max_length=100)
    perpetrator_date_of_birth = forms.DateField(label="Date of birth (if known)", required=False,
                                                input_formats=["%Y-%m-%d"], help_text=DATE_HINT,
                                                error_messages={"invalid": DATE_ERROR})

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, areas=areas, **kwargs)
        for name in ("perpetrator", "risk_assessment"):  # nothing held yet to choose from
            del self.fields[name]


class ResearchForm(forms.Form):
    text = forms.CharField(label="What your agency holds about the case", required=False, widget=forms.Textarea,
                           max_length=8000,
                           help_text="Contacts, risks, what you are doing now. Only what the meeting needs to know.")


class InformationRequestForm(forms.Form):
    reason = forms.CharField(label="Why do you need the information?", required=False, widget=forms.Textarea,
                             max_length=2000,
                             help_text=f"The holding agency reads this before it decides. At least "
                                       f"{REASON_MIN_LENGTH} characters.")


class InformationAnswerForm(forms.Form):
    """The holding agency's answer to another agency's request: share, or decline saying why."""

    how = forms.ChoiceField(label="Will you share the information?", required=False, widget=forms.RadioSelect,
                            choices=[("share", "Yes, share it"), ("decline", "No, decline the request")])
    answer = forms.CharField(label="What you share, or why you decline", required=False, widget=forms.Textarea,
                             max_length=8000,
                             help_text=f"Share only what the asking agency needs for the reason it gave. To "
                                       f"decline, give the reason (at least {REASON_MIN_LENGTH} characters): the "
                                       f"asking agency reads it.")

    def clean_how(self):
        how = self.cleaned_data["how"]
        if how not in ("share", "decline"):
            raise forms.ValidationError("Say whether you share the information or decline the request")
        return how


class AttendanceForm(forms.Form):
    chair = forms.ChoiceField(label="Who chaired the meeting?", required=False)

    def __init__(self, *args, chairs=(), attendance=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.chairs = {str(u.public_id): u for u in chairs}
        self.fields["chair"].choices = [("", "Choose the chair")] + [
            (key, f"{display(u)}, {u.role_name.lower()}") for key, u in self.chairs.items()]
        self.rows = list(attendance)
        statuses = [(MaracAttendance.Status.PRESENT.value, "Present"),
                    (MaracAttendance.Status.APOLOGIES.value, "Sent apologies"),
                    (MaracAttendance.Status.ABSENT.value, "Absent without apologies")]
        for row in self.rows:
            self.fields[f"agency-{row.agency.code}"] = forms.ChoiceField(
                label=row.agency.name, choices=statuses, required=False, widget=forms.RadioSelect,
                initial=row.status if row.status != MaracAttendance.Status.INVITED else "")

    def clean_chair(self):
        key = self.cleaned_data["chair"]
        if not key or key not in self.chairs:
            raise forms.ValidationError("Choose who chaired the meeting")
        return self.chairs[key]

    def agencies_with(self, status: str) -> list:
        return [row.agency for row in self.rows if self.cleaned_data.get(f"agency-{row.agency.code}") == status]

    def agency_fields(self):
        return [self[f"agency-{row.agency.code}"] for row in self.rows]


class DiscussionForm(forms.Form):
    discussion = forms.CharField(label="What the meeting discussed", required=False, widget=forms.Textarea,
                                 max_length=8000,
                                 help_text="The risks, what each agency said, and the safety plan agreed.")


class ActionForm(forms.Form):
    referral = forms.ChoiceField(label="Which case is the action for?", required=False)
    description = forms.CharField(label="What is to be done", required=False, widget=forms.Textarea,
                                  max_length=2000)
    agency = forms.ChoiceField(label="Which agency is responsible?", required=False,
                               help_text="Responsibility for the action stays with this agency.")
    owner = forms.ChoiceField(label="Who owns it (optional)", required=False,
                              help_text="Someone who works for the responsible agency.")
    due_on = forms.DateField(label="Due date", required=False, input_formats=["%Y-%m-%d"],
                             help_text=f"On or after the meeting. {DATE_HINT}", error_messages={"invalid": DATE_ERROR})

    def __init__(self, *args, cases=(), agencies=(), owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = {str(referral.public_id): referral for referral, _ in cases}
        self.fields["referral"].choices = [("", "Choose a case")] + [(str(r.public_id), label) for r, label in cases]
        self.agencies = {a.code: a for a in agencies}
        self.fields["agency"].choices = [("", "Choose an agency")] + [(a.code, a.name) for a in agencies]
        self.owners = {str(u.public_id): u for u in owners}
        self.fields["owner"].choices = [("", "No named owner")] + [
            (key, f"{display(u)}, {u.agency.name}") for key, u in self.owners.items()]

    def clean_referral(self):
        key = self.cleaned_data["referral"]
        if not key or key not in self.cases:
            raise forms.ValidationError("Choose the case the action is for")
        return self.cases[key]

    def clean_agency(self):
        code = self.cleaned_data["agency"]
        if not code or code not in self.agencies:
            raise forms.ValidationError("Choose the agency responsible for the action")
        return self.agencies[code]

    def clean_owner(self):
        key = self.cleaned_data["owner"]
        return self.owners.get(key) if key else None

    def clean_due_on(self):
        value = self.cleaned_data["due_on"]
        if value is None:
            raise forms.ValidationError("Enter the date the action is due")
        return value


class ActionCloseForm(forms.Form):
    how = forms.ChoiceField(label="What happened?", required=False, widget=forms.RadioSelect,
                            choices=[("done", "Done"),
                                     ("cancelled", "No longer needed: circumstances changed")])
    on = forms.DateField(label="On what date?", required=False, input_formats=["%Y-%m-%d"],
                         help_text=f"Leave empty for today. {DATE_HINT}", error_messages={"invalid": DATE_ERROR})
    outcome = forms.CharField(label="Outcome", required=False, widget=forms.Textarea, max_length=2000,
                              help_text=f"What was done; if it is no longer needed, why (at least {REASON_MIN_LENGTH} "
                                        "characters).")

    def clean_how(self):
        how = self.cleaned_data["how"]
        if how not in ("done", "cancelled"):
            raise forms.ValidationError("Say whether the action was done or is no longer needed")
        return how


class FiguresForm(forms.Form):
    """The figures' area and period (GET); the period defaults to the 12 months to today."""

    area = forms.ChoiceField(label="MARAC", required=False)
    start = forms.DateField(label="From", required=False, input_formats=["%Y-%m-%d"], help_text=DATE_HINT,
                            error_messages={"invalid": DATE_ERROR})
    end = forms.DateField(label="To", required=False, input_formats=["%Y-%m-%d"], help_text=DATE_HINT,
                          error_messages={"invalid": DATE_ERROR})

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = {area.code: area for area in areas}
        self.fields["area"].choices = [(code, area.name) for code, area in self.areas.items()]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The period must end on or after the day it starts")
        return cleaned


class DataReturnForm(forms.Form):
    """The SafeLives data return's MARAC (or every MARAC) and period (GET); the period defaults to the last
    complete quarter."""

    area = forms.ChoiceField(label="MARAC", required=False)
    start = forms.DateField(label="From", required=False, input_formats=["%Y-%m-%d"], help_text=DATE_HINT,
                            error_messages={"invalid": DATE_ERROR})
    end = forms.DateField(label="To", required=False, input_formats=["%Y-%m-%d"], help_text=DATE_HINT,
                          error_messages={"invalid": DATE_ERROR})

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = {area.code: area for area in areas}
        self.fields["area"].choices = [("", "Every MARAC")] + [(code, area.name) for code, area in self.areas.items()]

    def clean_area(self):
        code = self.cleaned_data["area"]
        if code and code not in self.areas:
            raise forms.ValidationError("Choose a MARAC from the list, or every MARAC")
        return self.areas.get(code)

    def clean(self):
        from vigil.formtools import MAX_ANALYSIS_PERIOD

        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        for name, other in (("start", "end"), ("end", "start")):
            if (self.data.get(name) or "").strip() and not (self.data.get(other) or "").strip():
                self.add_error(other, "Enter both dates, or neither for the last complete quarter")
        if start and end and end < start:
            self.add_error("end", "The period must end on or after the day it starts")
        elif start and end and end - start > MAX_ANALYSIS_PERIOD:
            self.add_error("end", "The period can be at most 10 years long")
        return cleaned
