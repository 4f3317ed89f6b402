from django import forms

from . import schema


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds", choices=[("", "Choose a kind of record")] + [
        (name, f"{name}: {kind.description}") for name, kind in schema.KINDS.items()],
        error_messages={"required": "Choose what the file holds", "invalid_choice": "Choose what the file holds"})
    source_system = forms.CharField(label="Source system", max_length=40, initial="legacy",
                                    help_text="The system the records come from, for example niche-rms. Identifiers "
                                              "are matched within it, so use the same name every time.",
                                    error_messages={"required": "Name the source system the file comes from",
                                                    "max_length": "Use at most 40 characters for the source system"})
    file = forms.FileField(label="Upload a file", help_text="CSV with a header row, JSON Lines (.jsonl) or a JSON array "
                                                           "(.json), saved as UTF-8",
                           error_messages={"required": "Choose a file to upload", "empty": "The file is empty"})
    dry_run = forms.BooleanField(label="Check the file only: save nothing", required=False)
