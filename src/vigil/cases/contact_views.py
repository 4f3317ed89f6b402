"""Victim contact pages: log a contact (from a task, `?task=<uuid>` ticks what the task asks to tell), and
edit the contact plan. Thin: parse, call one service in contact_services, back to the case page; a
service's ValidationError re-renders the form with everything entered (status 400) and nothing is saved."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.views.decorators.http import require_http_methods

from vigil.accounts.access import requires
from vigil.formtools import apply_errors, is_uuid

from . import contact_services
from .custody_views import (
    back_to_case,
    case_read,
    date_field,
    form_page,
    london,
    now_initial,
    time_field,
)
from .models import Contact, SafeguardingCase, Task

YES_NO = [("yes", "Yes"), ("no", "No")]


class ContactForm(forms.Form):
    method = forms.ChoiceField(label="How did you contact the victim?", choices=Contact.Method.choices,
                               widget=forms.RadioSelect, error_messages={"required": "Choose how you contacted the victim"})
    safe_number_used = forms.ChoiceField(label="Did you call the victim's recorded safe number?", choices=YES_NO,
                                         widget=forms.RadioSelect, required=False,
                                         help_text="For a telephone call only.")
    confirmed_safe = forms.BooleanField(
        label="I confirm the number I called was safe to use", required=False,
        help_text="Needed when you did not call the recorded safe number, or none is recorded: for example the "
                  "victim gave you this number themselves and said it is safe.")
    outcome = forms.ChoiceField(label="What happened?", choices=Contact.Outcome.choices, widget=forms.RadioSelect,
                                error_messages={"required": "Choose what happened"})
    told = forms.MultipleChoiceField(label="What did you tell the victim?", choices=contact_services.KEY_EVENTS,
                                     widget=forms.CheckboxSelectMultiple, required=False,
                                     help_text="Tick each key event you told them about. Leave empty if you told "
                                               "them nothing new.")
    made_on = date_field("Date of the contact")
    made_time = time_field("Time of the contact")
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea,
                           help_text="What the victim said they need. Never write down the safe number or code word.")


class ContactPlanForm(forms.Form):
    method = forms.ChoiceField(label="How has the victim agreed to be contacted?",
                               choices=SafeguardingCase.ContactMethod.choices, widget=forms.RadioSelect,
                               error_messages={"required": "Choose how the victim agreed to be contacted"})
    update_every_days = forms.IntegerField(
        label="How often will you update the victim, in days?", min_value=1,
        max_value=contact_services.UPDATE_EVERY_MAX_DAYS,
        help_text="The Victims' Code: at the frequency agreed with the victim, for example 14.",
        error_messages={"required": "Enter how often to update the victim, in days",
                        "invalid": "Enter the number of days as a whole number, like 14",
                        "min_value": "Enter at least 1 day",
                        "max_value": f"Enter at most {contact_services.UPDATE_EVERY_MAX_DAYS} days"})
    note = forms.CharField(label="When and how it is safe to make contact (optional)", required=False, max_length=300,
                           help_text="For example: weekdays between 10:00 and 14:00; never leave a voicemail.")


def _task(case: SafeguardingCase, value: str) -> Task | None:
    if not value or not is_uuid(value):
        return None
    return case.tasks.filter(public_id=value).first()


@requires("cases.work_on_case")
@require_http_methods(["GET", "POST"])
def contact_log(request, public_id):
    case = case_read(request, public_id)
    task = _task(case, request.POST.get("task") if request.method == "POST" else request.GET.get("task", ""))
    number = contact_services.safe_number(case)
    initial = {"method": case.contact_method if case.contact_method in Contact.Method.values else "",  # as agreed
               "told": contact_services.task_key_events(task), **now_initial("made_on", "made_time")}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        used = {"yes": True, "no": False}.get(data["safe_number_used"])
        try:
            contact = contact_services.contact_log(
                case=case, by=request.user, request=request, method=data["method"], outcome=data["outcome"],
                safe_number_used=used, confirmed_safe=data["confirmed_safe"], told=data["told"], note=data["note"],
                task=task, made_at=london(data["made_on"], data["made_time"]))
        except ValidationError as error:
            apply_errors(form, error, {"made_at": "made_on", "task": "outcome"})
        else:
            done = task is not None and contact.task_id and Task.objects.filter(pk=task.pk, status="done").exists()
            messages.success(request, "Contact logged" + (f". Task done: {task.title}" if done else
                                                          ". The task stays open" if task is not None else ""))
            return back_to_case(case, "contacts")
    return form_page(request, case=case, form=form, title="Log a contact with the victim", button="Log the contact",
                     template="cases/contact_form.html", task=task, safe_number=number, logging_contact=True,
                     status=400 if form.errors else 200)


@requires("cases.work_on_case")
@require_http_methods(["GET", "POST"])
def contact_plan_edit(request, public_id):
    case = case_read(request, public_id)
    form = ContactPlanForm(request.POST or None, initial={
        "method": case.contact_method, "update_every_days": case.update_every_days, "note": case.contact_note})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contact_services.contact_plan_set(case=case, by=request.user, request=request, method=data["method"],
                                              update_every_days=data["update_every_days"], note=data["note"])
        except ValidationError as error:
            apply_errors(form, error, {})
        else:
            messages.success(request, "Contact plan saved")
            return back_to_case(case, "contacts")
    return form_page(request, case=case, form=form, title="Contact plan", button="Save the contact plan",
                     template="cases/contact_form.html", status=400 if form.errors else 200)
