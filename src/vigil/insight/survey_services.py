"""Victim surveys, the changes: starting a survey call and recording how it ended.

The safety protocol (surveys.py) is enforced here, not only on the page:

- A survey is started only when the victim may be called now (`survey_barred`, the same rule as the list
  of cases due): no call under way, no urgent welfare check open, not surveyed in the year, and not
  called in the waiting period after not safe / line dead / no answer (surveys.WAIT_AFTER_DAYS) unless
  the caller holds the call-back. It is checked with the case locked, so two callers cannot both start.
- The call is made to the victim's safe number (`cases.contact_services.safe_number`). When none is
  recorded, or another number was used, the person calling must confirm the number was safe to use, as
  `contact_log` requires; the survey says so.
- "Is it safe to talk?" comes first. Only "yes" starts the questions (`survey_start` with outcome
  SAFE_TO_TALK leaves the survey in progress). Any other answer ends the survey at once, asking nothing.
- The line went dead (at the first step or mid-call): an URGENT welfare-check task (Task.Kind.WELFARE_CHECK,
  "Immediate response: check the victim is safe") is raised in the same transaction, due within
  WELFARE_CHECK_MINUTES, keyed on the survey so a retry or a second press never makes two. It goes to
  the case's owner and owning team: they are accountable for the victim, it is at the top of their
  "My work" (urgent first), and when it is not done in time `task_escalate` takes it to the team's
  supervisors. The control room has no task list in Vigil, so the page also tells the person calling to
  ask the control room for an immediate response by phone, now. The case timeline records it.
- Not safe to talk now: no questions are asked; a call-back task (Task.Kind.SURVEY_CALL_BACK) is given to
  the person who called, due after CALL_BACK_HOURS, keyed on the survey. The case's owner is not asked
  to do it (it is not a Victims' Code contact), but the timeline notes the attempt.
- A completed survey's answers are checked against its questionnaire; an error saves nothing. A survey
  is finished once: recording the same outcome again returns it unchanged (a retry); another outcome is
  an error. The answers of a call that did not complete are not kept.

Every change writes one audit event; the detail holds ids, outcomes and counts, never the comments.
"""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from vigil.audit.services import audit_record
from vigil.cases.contact_services import safe_number_errors
from vigil.cases.models import SafeguardingCase, Task
from vigil.cases.services import (
    display,
    locked,
    subject_label,
    subject_of,
    task_complete,
    task_create,
    timeline_add,
)

from . import surveys as rules
from .survey_models import Survey, SurveyAnswer

PERMISSION = "insight.run_surveys"
WELFARE_CHECK_MINUTES = 15
CALL_BACK_HOURS = 24
WELFARE_KEY = "survey-welfare:"
CALL_BACK_KEY = "survey-call-back:"


def _check_caller(by) -> None:
    if by is None or not by.has_perm(PERMISSION):
        raise PermissionDenied("You may not make victim surveys")


# --- who may be called now ----------------------------------------------------------------------------

def barring_surveys(now: datetime) -> Q:
    """The survey calls that keep their victim from being called for the survey at `now` (a filter on
    Survey): surveyed (completed or declined) in the last SURVEY_INTERVAL_DAYS; a call under way (started
    in the last UNDER_WAY_HOURS); a call that ended not safe, line dead or no answer within its
    surveys.WAIT_AFTER_DAYS. Used by the list of cases due and by `survey_start`."""
    barring = (Q(outcome__in=rules.SURVEYED, finished_at__gte=now - timedelta(days=rules.SURVEY_INTERVAL_DAYS))
               | Q(outcome=rules.IN_PROGRESS, started_at__gte=now - timedelta(hours=rules.UNDER_WAY_HOURS)))
    for outcome, days in rules.WAIT_AFTER_DAYS.items():
        barring |= Q(outcome=outcome, finished_at__gte=now - timedelta(days=days))
    return barring


def open_welfare_checks() -> Q:
    """The open urgent welfare checks (a filter on Task): while one is open, the victim is not surveyed."""
    return Q(kind=Task.Kind.WELFARE_CHECK, status=Task.Status.OPEN)


def _barred_message(survey: Survey) -> str:
    on = f"{survey.finished_at:%d %B %Y}" if survey.finished_at else ""
    return {
        rules.IN_PROGRESS: "Someone is already on a survey call to this victim. Do not call them",
        rules.COMPLETED: f"The victim was surveyed on {on}: they are not asked again within "
                         f"{rules.SURVEY_INTERVAL_DAYS} days",
        rules.DECLINED: f"The victim declined the survey on {on}: they are not asked again within "
                        f"{rules.SURVEY_INTERVAL_DAYS} days",
        rules.NOT_SAFE: f"It was not safe for the victim to talk on the last survey call ({on}). Only the person "
                        f"with the call-back may call again; nobody else for {rules.WAIT_AFTER_DAYS[rules.NOT_SAFE]} "
                        "days",
        rules.LINE_DROPPED: f"The line went dead on the last survey call ({on}). Do not call the victim for the "
                            f"survey for {rules.WAIT_AFTER_DAYS[rules.LINE_DROPPED]} days",
        rules.NO_ANSWER: f"There was no answer on the last survey call ({on}). Try again after "
                         f"{rules.WAIT_AFTER_DAYS[rules.NO_ANSWER]} day",
    }[survey.outcome]


def survey_barred(*, case: SafeguardingCase, by=None, now: datetime | None = None) -> str | None:
    """Why the victim of `case` may not be called for the survey now (a message for the page), or None when
    they may. `by`, the person about to call, may make the call-back a "not safe to talk" call gave them."""
    now = now or timezone.now()
    person = case.victim.person
    same_victim = Q(case__victim__person=person) if person is not None else Q(case=case)
    if Task.objects.filter(same_victim, open_welfare_checks()).exists():
        return ("An urgent check that the victim is safe is still open (the line went dead on a survey call). "
                "Do not call them for the survey")
    surveys = Survey.objects.filter(same_victim).filter(barring_surveys(now))
    if by is not None:
        surveys = surveys.exclude(outcome=rules.NOT_SAFE, task__assignee=by, task__status=Task.Status.OPEN)
    under_way = surveys.filter(outcome=rules.IN_PROGRESS).first()
    latest = under_way or surveys.order_by("-finished_at", "-id").first()
    return _barred_message(latest) if latest is not None else None


# --- the changes ------------------------------------------------------------------------------------------

def survey_start(*, case: SafeguardingCase, by, safe_number_used: bool | None, first_step: str,
                 confirmed_safe: bool = False, now: datetime | None = None, request=None) -> Survey:
    """A survey call to the victim of `case`, after the first question, "Is it safe to talk?"
    (`first_step`, one of surveys.FIRST_STEP). "Yes" leaves the survey in progress for the questions;
    any other answer finishes it at once with that outcome (see the module's note). Refused when the
    victim may not be called now (`survey_barred`: a call under way, an open welfare check, surveyed or
    called too recently)."""
    _check_caller(by)
    now = now or timezone.now()
    errors = {}
    if first_step not in rules.FIRST_STEP_LABELS:
        errors["first_step"] = "Say whether it is safe to talk"
    if case.victim.person is not None and case.victim.person.restricted:
        errors["case"] = ("The victim's record is restricted: a survey is made only by arrangement with the "
                          "record's owner, not from this list")
    errors.update(safe_number_errors(case=case, safe_number_used=safe_number_used, confirmed_safe=confirmed_safe))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = locked(case)  # two people pressing at once: the second sees the first's call under way
        barred = survey_barred(case=case, by=by, now=now)
        if barred:
            raise ValidationError({"survey": barred})
        survey = Survey.objects.create(
            case=case, questionnaire=rules.QUESTIONNAIRE_CODE, made_by=by, started_at=now,
            safe_number_used=bool(safe_number_used), confirmed_safe=not safe_number_used,
            risk_level=case.risk_level, team=case.owning_team, area=case.incident.area)
        audit_record(action="collection", actor=by, obj=survey, subject_person_id=subject_of(case), request=request,
                     detail={"step": "survey started", "case": str(case.public_id), "first_step": first_step,
                             "safe_number_used": bool(safe_number_used), "confirmed_safe": not safe_number_used})
        if first_step != rules.SAFE_TO_TALK:
            survey = survey_record(survey=survey, by=by, outcome=first_step, now=now, request=request)
    return survey


def _welfare_check(survey: Survey, case: SafeguardingCase, by, now: datetime) -> Task:
    number = "the safe number" if survey.safe_number_used else "a number confirmed as safe"
    return task_create(
        case=case, kind=Task.Kind.WELFARE_CHECK, urgent=True, now=now, assignee=case.owner, team=case.owning_team,
        title="Immediate response: the line went dead during a survey call. Check the victim is safe",
        detail=f"{display(by)} was calling the victim on {number} for the victim survey at "
               f"{now:%Y-%m-%d %H:%M} UTC when the line went dead. Treat it as a possible emergency: ask the "
               "control room for an immediate response and check the victim is safe.",
        due_at=now + timedelta(minutes=WELFARE_CHECK_MINUTES), subject=subject_label(survey),
        key=f"{WELFARE_KEY}{survey.public_id}")


def _call_back(survey: Survey, case: SafeguardingCase, by, now: datetime) -> Task:
    return task_create(
        case=case, kind=Task.Kind.SURVEY_CALL_BACK, now=now, assignee=by,
        title="Call the victim back for the survey (it was not safe to talk)",
        detail="Nothing was asked. Call the safe number again at a time the victim can talk; if it is still "
               "not safe, do not press.",
        due_at=now + timedelta(hours=CALL_BACK_HOURS), subject=subject_label(survey),
        key=f"{CALL_BACK_KEY}{survey.public_id}")


def survey_record(*, survey: Survey, by, outcome: str, answers: dict[str, str] | None = None,
                  now: datetime | None = None, request=None) -> Survey:
    """How the survey call ended: completed (with `answers`, a mapping of surveys.answer_key to the
    value chosen or typed), not safe to talk now, declined, or the line went dead (see the module's note)."""
    _check_caller(by)
    now = now or timezone.now()
    answers = answers or {}
    if outcome not in rules.FINAL_OUTCOMES:
        raise ValidationError({"outcome": "Say how the call ended"})
    clean: dict[tuple[str, str], str] = {}
    if outcome == rules.COMPLETED:
        clean, errors = rules.check_answers(rules.questionnaire(survey.questionnaire), answers)
        if errors:
            raise ValidationError(errors)
    with transaction.atomic():
        survey = Survey.objects.select_for_update(of=("self",)).get(pk=survey.pk)
        if survey.is_finished:
            if survey.outcome == outcome:
                return survey  # a retry: the first recording stands, and its task exists once
            raise ValidationError(f"This survey is already recorded: {survey.get_outcome_display().lower()}")
        case = locked(survey.case)
        if by.pk != survey.made_by_id:
            raise PermissionDenied("Only the person who made the call records how it ended")
        survey.outcome, survey.finished_at = outcome, now
        task = None
        if outcome == rules.LINE_DROPPED:
            task = _welfare_check(survey, case, by, now)
        elif outcome == rules.NOT_SAFE:
            task = _call_back(survey, case, by, now)
        survey.task = task
        survey.save(update_fields=["outcome", "finished_at", "task"])
        SurveyAnswer.objects.bulk_create([SurveyAnswer(survey=survey, stage=stage, question=question, value=value)
                                          for (stage, question), value in clean.items()])
        # A survey call that reached the victim ends the caller's earlier call-backs on the case.
        done = []
        if outcome in (rules.COMPLETED, rules.DECLINED, rules.LINE_DROPPED):
            waiting = case.tasks.filter(kind=Task.Kind.SURVEY_CALL_BACK, status=Task.Status.OPEN, assignee=by)
            for call_back in waiting:
                done.append(task_complete(task=call_back, by=by, now=now, request=request,
                                          outcome=f"Survey call made: {survey.get_outcome_display().lower()}"))
        summary = f"Victim survey call by {display(by)}: {survey.get_outcome_display().lower()}"
        if outcome == rules.LINE_DROPPED:
            summary += ". URGENT: immediate response raised to check the victim is safe"
        elif outcome == rules.NOT_SAFE:
            summary += ". Nothing asked; a call back is arranged"
        timeline_add(case=case, kind="survey", at=now, actor=by, subject=subject_label(survey), summary=summary)
        audit_record(action="collection", actor=by, obj=survey, subject_person_id=subject_of(case), request=request,
                     detail={"step": "survey recorded", "case": str(case.public_id), "outcome": outcome,
                             "answers": len(clean), "task": str(task.public_id) if task else None,
                             "urgent": bool(task and task.urgent),
                             "call_backs_done": [str(t.public_id) for t in done]})
    return survey
