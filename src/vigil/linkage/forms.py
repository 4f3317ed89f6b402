from django import forms

REASON_HINT = ("Say what you compared and why it settles the question (at least 10 characters). The reason is "
               "kept with the records and in the audit log.")


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Are these the same person?", widget=forms.RadioSelect,
        choices=[("same", "Yes: the same person. Merge them"),
                 ("different", "No: different people. Keep them apart")],
        error_messages={"required": "Choose whether these are the same person"})
    reason = forms.CharField(label="Why?", required=False, widget=forms.Textarea, max_length=500, help_text=REASON_HINT)


class MergeForm(forms.Form):
    other = forms.ChoiceField(label="Which person is the same individual?", widget=forms.RadioSelect,
                              error_messages={"required": "Choose the person to merge with"})
    reason = forms.CharField(label="Why are they the same person?", required=False, widget=forms.Textarea,
                             max_length=500, help_text=REASON_HINT)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].choices = list(choices)


class SplitForm(forms.Form):
    records = forms.MultipleChoiceField(label="Which records are someone else?", widget=forms.CheckboxSelectMultiple,
                                        error_messages={"required": "Choose the records that are someone else"},
                                        help_text="They move to a new person. Markers, restrictions and the safe "
                                                  "contact stay here.")
    reason = forms.CharField(label="Why are they someone else?", required=False, widget=forms.Textarea,
                             max_length=500, help_text=REASON_HINT)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["records"].choices = list(choices)
