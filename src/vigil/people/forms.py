from django import forms

from vigil.formtools import postcode_cleaned


class PersonSearchForm(forms.Form):
    family_name = forms.CharField(label="Family name", max_length=100)
    given_name = forms.CharField(label="Given name", max_length=100, required=False)
    date_of_birth = forms.DateField(label="Date of birth", required=False,
                                    help_text="For example, 27 3 1985 or 1985-03-27",
                                    input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y", "%d-%m-%Y"],
                                    error_messages={"invalid": "Enter a real date of birth, like 27/03/1985"})
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)

    def clean_postcode(self):
        return postcode_cleaned(self.cleaned_data.get("postcode", ""))


class RestrictedReasonForm(forms.Form):
    reason = forms.CharField(label="Why do you need to open this record?", max_length=300,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Your reason is recorded and the record's owner is told.")


class SafeContactForm(forms.Form):
    phone = forms.CharField(label="Safe phone number", max_length=30, required=False)
    safe_times = forms.CharField(label="Safe times to call", max_length=200, required=False)
    code_word = forms.CharField(label="Agreed code word", max_length=60, required=False)


class SubjectAccessForm(forms.Form):
    """What a subject access or court export is for, why (the request's reference) and in which format. The
    service checks them (`subject_access.subject_access_check`) and its messages are shown on the fields."""

    purpose = forms.ChoiceField(label="What is the export for?", required=False, widget=forms.RadioSelect,
                                choices=[("subject_access", "A subject access request from the person"),
                                         ("court", "A court"), ("other", "Another lawful disclosure")])
    reason = forms.CharField(label="Reason for the disclosure", required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="The request's reference and who asked, for example \"SAR 2026/0412, "
                                       "request from the data subject\". It is recorded in the audit log.")
    format = forms.ChoiceField(label="Format", required=False, widget=forms.RadioSelect, initial="pdf",
                               choices=[("pdf", "PDF, to read and review"),
                                        ("json", "JSON, complete and machine-readable")])
