"""The partner figures page: the documented CSV header, an upload form, and the latest figures imported.
Thin: the service checks the file and saves every row or none."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from vigil.accounts.access import requires

from . import partner_figures as rules
from .partner_services import partner_figures_import, recent_imports


class PartnerFiguresForm(forms.Form):
    file = forms.FileField(label="Upload a CSV file", error_messages={
        "required": "Choose a CSV file to upload", "empty": "The file is empty"})


@requires("insight.import_partner_figures")
def partner_figures(request):
    form = PartnerFiguresForm()
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        form = PartnerFiguresForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                figures = partner_figures_import(by=request.user, content=form.cleaned_data["file"].read(),
                                                 request=request)
            except rules.FileRejected as error:
                errors = error.errors
            else:
                messages.success(request, f"{len(figures)} partner figure{'s' if len(figures) != 1 else ''} imported")
                return redirect("insight:partner-figures")
        else:
            errors = [e for field in form.errors.values() for e in field]
        status = 400
    return render(request, "insight/partner_figures.html", {
        "form": form, "errors": errors, "error_list": [("id_file", e) for e in errors],
        "header": ",".join(rules.HEADER), "max_rows": rules.MAX_ROWS, "figures": recent_imports()}, status=status)
