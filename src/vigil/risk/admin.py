"""Administrators load risk instruments as definition files and choose the force's default. A loaded
version is never edited or deleted: assessments keep the version they were made with."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from .instrument_loading import instrument_check, instrument_load, instrument_make_default, parse_definition
from .models import Instrument

MAX_DEFINITION_BYTES = 1_000_000
DETAIL_FIELDS = ["name", "code", "version", "is_default", "loaded_at", "loaded_by", "definition_pretty"]


class InstrumentUploadForm(forms.ModelForm):
    """Adding an instrument is uploading its definition file; nothing is typed in."""

    definition_file = forms.FileField(
        label="Definition file (JSON)",
        help_text="A risk instrument definition, as described in Vigil's documentation. A new version of a "
                  "loaded instrument needs its own \"version\".")
    make_default = forms.BooleanField(label="Make it the force's default instrument", required=False)

    class Meta:
        model = Instrument
        fields = []

    def clean_definition_file(self):
        upload = self.cleaned_data["definition_file"]
        if upload.size > MAX_DEFINITION_BYTES:
            raise ValidationError(f"The file is larger than {MAX_DEFINITION_BYTES // 1000} kB.")
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError("The file is not UTF-8 text.") from None
        definition = parse_definition(text, source="The file")
        stored, existing = instrument_check(definition)
        if existing is not None:
            raise ValidationError(f"This definition is already loaded: {existing}.")
        self.definition = stored
        return upload


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "version", "is_default", "loaded_at"]
    list_filter = ["code", "is_default"]
    actions = ["make_default"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = InstrumentUploadForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["definition_file", "make_default"] if obj is None else DETAIL_FIELDS

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else DETAIL_FIELDS

    @admin.display(description="Definition")
    def definition_pretty(self, instrument):
        return format_html('<pre style="white-space: pre-wrap">{}</pre>',
                           json.dumps(instrument.definition, indent=2, ensure_ascii=False))

    def save_model(self, request, obj, form, change):
        loaded = instrument_load(definition=form.definition, by=request.user,
                                 make_default=form.cleaned_data.get("make_default", False))
        # The admin logs the addition against `obj` and redirects to it: make it the loaded instrument.
        for field in Instrument._meta.concrete_fields:
            setattr(obj, field.attname, getattr(loaded, field.attname))
        obj._state.adding, obj._state.db = False, loaded._state.db

    def save_related(self, request, form, formsets, change):
        pass  # an instrument has nothing related to save

    def has_change_permission(self, request, obj=None):
        return False  # a loaded version never changes: load a new version

    def has_delete_permission(self, request, obj=None):
        return False  # assessments keep the version they were made with

    def has_make_default_permission(self, request):
        return request.user.has_perm("risk.change_instrument")

    @admin.action(description="Make the selected instrument the force's default", permissions=["make_default"])
    def make_default(self, request, queryset):
        chosen = list(queryset[:2])
        if len(chosen) != 1:
            self.message_user(request, "Select exactly one instrument to be the default.", messages.ERROR)
            return
        instrument_make_default(instrument=chosen[0], by=request.user)
        self.message_user(request, f"{chosen[0]} is now the force's default instrument.", messages.SUCCESS)
