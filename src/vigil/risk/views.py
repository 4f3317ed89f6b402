"""The attending officer's assessment: a phone-first form where each answer is saved as it is given."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from vigil.accounts.access import requires
from vigil.evaluation.advisory import advisory_for
from vigil.formtools import is_uuid
from vigil.incidents.models import Incident
from vigil.people.models import PersonRecord

from . import instruments, scoring, selectors, services
from .models import Answer, RiskAssessment

OBTAINED_CHOICES = Answer.Obtained.choices
GRADE_CHOICES = [("standard", "Standard"), ("medium", "Medium"), ("high", "High")]


def _assessment(request, public_id) -> RiskAssessment:
    assessment = get_object_or_404(RiskAssessment.objects.select_related("incident", "victim", "instrument_version"),
                                   public_id=public_id)
    mine = assessment.officer_id == request.user.pk
    if not mine and not request.user.has_perm("risk.view_assessment"):
        raise Http404
    if assessment.status == RiskAssessment.Status.IN_PROGRESS and not mine:
        raise Http404  # an assessment being completed is its officer's until submitted
    return assessment


@requires("risk.assess")
def assessments(request):
    return render(request, "risk/assessments.html", {"assessments": selectors.my_assessments(viewer=request.user)})


@requires("risk.assess")
@require_POST
def assessment_start(request, incident_id):
    incident = get_object_or_404(Incident, public_id=incident_id)
    victim = get_object_or_404(PersonRecord, public_id=request.POST.get("victim", "")) \
        if is_uuid(request.POST.get("victim", "")) else None
    if victim is None:
        raise Http404
    try:
        assessment = services.assessment_start(incident=incident, victim=victim, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("control:officer-brief", public_id=incident.public_id)
    return redirect("risk:assessment", public_id=assessment.public_id)


def _form_context(request, assessment, *, errors=None):
    definition = assessment.instrument_version.definition
    answers = services.answers_of(assessment)
    return {
        "assessment": assessment, "sections": selectors.assessment_sections(assessment),
        "signals": selectors.history_signals(assessment=assessment, viewer=request.user, request=request),
        "obtained_choices": OBTAINED_CHOICES, "obtained_default": request.session.get(
            f"risk-obtained-{assessment.public_id}", Answer.Obtained.ASKED_AT_SCENE),
        "answer_choices": Answer.Value.choices, "errors": errors or {},
        "yes_count": scoring.yes_count(definition, answers), "indicated": scoring.indicated_grade(definition, answers),
        "floor": scoring.grade_floor(definition, answers), "unanswered": services.unanswered(assessment),
        "editable": assessment.status == RiskAssessment.Status.IN_PROGRESS and assessment.officer_id == request.user.pk,
        "advisory": advisory_for(assessment),
    }


@requires("risk.assess")
def assessment_form(request, public_id):
    """Every question of the instrument as the officer asks it. With JavaScript each answer saves itself
    (risk:answer); without it, "Save answers" posts them all here."""
    assessment = _assessment(request, public_id)
    if assessment.instrument_version is None:
        return render(request, "risk/assessment_readonly.html", {"assessment": assessment})
    errors = {}
    if request.method == "POST":
        obtained = request.POST.get("obtained", Answer.Obtained.ASKED_AT_SCENE)
        request.session[f"risk-obtained-{assessment.public_id}"] = obtained
        try:
            for question in instruments.questions(assessment.instrument_version.definition):
                value = request.POST.get(f"q-{question}")
                if value:
                    services.answer_save(assessment=assessment, by=request.user, question=question, value=value,
                                         obtained=request.POST.get(f"obtained-{question}", obtained),
                                         options=request.POST.getlist(f"options-{question}"),
                                         comment=request.POST.get(f"comment-{question}", ""), request=request)
            if "victim_view" in request.POST:
                services.victim_view_save(assessment=assessment, by=request.user,
                                          victim_view=request.POST["victim_view"], request=request)
        except (ValidationError, PermissionDenied) as error:
            errors["__all__"] = getattr(error, "messages", ["You cannot change this assessment."])
        else:
            messages.success(request, "Answers saved")
            target = "risk:grade" if request.POST.get("action") == "grade" else "risk:assessment"
            return redirect(target, public_id=assessment.public_id)
    return render(request, "risk/assessment.html", _form_context(request, assessment, errors=errors),
                  status=400 if errors else 200)


@requires("risk.assess")
@require_POST
def answer_save(request, public_id):
    """One answer, saved the moment it is given (the page calls this on every choice)."""
    assessment = get_object_or_404(RiskAssessment.objects.select_related("instrument_version"), public_id=public_id)
    if assessment.officer_id != request.user.pk:
        raise Http404
    question = request.POST.get("question", "")
    obtained = request.POST.get("obtained", Answer.Obtained.ASKED_AT_SCENE)
    request.session[f"risk-obtained-{assessment.public_id}"] = obtained
    try:
        if question == "victim_view":
            services.victim_view_save(assessment=assessment, by=request.user,
                                      victim_view=request.POST.get("victim_view", ""), request=request)
        else:
            before = {s.id for s in instruments.sections_shown(assessment.instrument_version.definition,
                                                                 services.answers_of(assessment))}
            services.answer_save(assessment=assessment, by=request.user, question=question,
                                 value=request.POST.get("value", ""), obtained=obtained,
                                 options=request.POST.getlist("options"), comment=request.POST.get("comment", ""),
                                 request=request)
    except ValidationError as error:
        return JsonResponse({"errors": error.message_dict if hasattr(error, "error_dict") else
                             {"__all__": error.messages}}, status=400)
    assessment.refresh_from_db()
    answers = services.answers_of(assessment)
    definition = assessment.instrument_version.definition
    after = {s.id for s in instruments.sections_shown(definition, answers)}
    return JsonResponse({
        "saved_at": timezone.localtime().strftime("%H:%M:%S"), "yes_count": assessment.yes_count,
        "indicated_grade": assessment.indicated_grade, "answered": len(answers),
        "sections_changed": question != "victim_view" and after != before,
    })


@requires("risk.assess")
def assessment_grade(request, public_id):
    """The officer's grading, with what the answers indicate, and submission for supervision."""
    assessment = _assessment(request, public_id)
    if assessment.instrument_version is None:
        raise Http404
    errors = {}
    if request.method == "POST":
        try:
            services.assessment_submit(assessment=assessment, by=request.user, grade=request.POST.get("grade", ""),
                                       rationale=request.POST.get("rationale", ""), request=request)
        except ValidationError as error:
            errors = error.message_dict
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, "Assessment submitted: your supervisor will review it")
            return redirect("risk:assessment", public_id=assessment.public_id)
    context = _form_context(request, assessment, errors=errors)
    context.update({"grade_choices": GRADE_CHOICES, "chosen_grade": request.POST.get("grade", ""),
                    "rationale": request.POST.get("rationale", "")})
    return render(request, "risk/grade.html", context, status=400 if errors else 200)
