"""Victim surveys, the reads: the cases due a survey, one survey for the person making the call, the call
backs waiting for the viewer, and the analysis over a period and area (which feeds `surveys.analyse`).

Due a survey: a safeguarding case that is closed (in the last DUE_CLOSED_WITHIN_DAYS days) or has been
open DUE_OPEN_DAYS days or more, whose victim is a known person with a usable safe number recorded (not
one on their do-not-use list, `people.ContactBan`) and is not restricted, and who may be called now
(`survey_services.barring_surveys`): not surveyed (completed or declined) in the last SURVEY_INTERVAL_DAYS
days, no survey call under way, no call that ended not safe to talk, line dead or no answer within its
waiting period (surveys.WAIT_AFTER_DAYS), and no urgent welfare check open. One row per victim (their
latest case). A victim waiting for a call-back is on the caller's own call-back list, not here.

Every read of personal data is audited: the list (one event per victim listed), the call page, and the
analysis when it shows comments (the victims' own words).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from vigil.audit.services import audit_record, audit_record_each
from vigil.cases.contact_services import safe_number
from vigil.cases.models import SafeguardingCase, Task
from vigil.cases.services import subject_of
from vigil.people.models import ContactBan
from vigil.workdays import LONDON

from . import surveys as rules
from .survey_models import Survey
from .survey_services import CALL_BACK_KEY, PERMISSION, barring_surveys, open_welfare_checks, survey_barred

RESULTS_PERMISSION = "insight.view_survey_results"
COMMENTS_PERMISSION = "insight.read_survey_comments"
DUE_OPEN_DAYS = 28
DUE_CLOSED_WITHIN_DAYS = 90
DUE_LIMIT = 100


@dataclass(frozen=True)
class DueRow:
    case: SafeguardingCase
    reference: str
    since: datetime  # closed at, or opened at for an open case


def _may_run(viewer) -> None:
    if viewer is None or not viewer.has_perm(PERMISSION):
        raise PermissionDenied


def cases_due(*, viewer, now: datetime | None = None, limit: int = DUE_LIMIT, request=None) -> list[DueRow]:
    """The cases due a survey (see the module's note), longest waiting first; audited."""
    _may_run(viewer)
    now = now or timezone.now()
    person = OuterRef("victim__person")
    barring = Survey.objects.filter(barring_surveys(now), case__victim__person=person)
    welfare_check = Task.objects.filter(open_welfare_checks(), case__victim__person=person)
    banned = ContactBan.objects.filter(person=person, phone=OuterRef("victim__person__safe_contact__phone"))
    cases = (SafeguardingCase.objects
             .select_related("victim", "victim__person", "incident", "owning_team")
             .filter(victim__person__isnull=False, victim__person__restricted=False,
                     victim__person__safe_contact__phone__isnull=False)
             .filter(Q(closed_at__gte=now - timedelta(days=DUE_CLOSED_WITHIN_DAYS), closed_at__lte=now)
                     | Q(closed_at__isnull=True, opened_at__lte=now - timedelta(days=DUE_OPEN_DAYS)))
             .exclude(Exists(banned))
             .exclude(Exists(barring))
             .exclude(Exists(welfare_check))
             .order_by("-opened_at", "-id"))
    rows: dict[int, DueRow] = {}
    for case in cases[:limit * 5]:
        if case.victim.person_id in rows:
            continue  # the victim's latest case stands for them
        rows[case.victim.person_id] = DueRow(case, case.incident.reference, case.closed_at or case.opened_at)
    found = sorted(rows.values(), key=lambda r: r.since)[:limit]
    audit_record_each(action="consultation", actor=viewer, request=request, object_type="insight.SurveysDue",
                      subject_person_ids=[r.case.victim.person.public_id for r in found],
                      detail={"view": "surveys due", "rows": len(found)})
    return found


def call_backs_for(*, viewer) -> list[Task]:
    """The viewer's open survey call-backs (not-safe-to-talk calls to make again), soonest first."""
    _may_run(viewer)
    return list(Task.objects.filter(kind=Task.Kind.SURVEY_CALL_BACK, status=Task.Status.OPEN, assignee=viewer,
                                    key__startswith=CALL_BACK_KEY)
                .select_related("case", "case__incident").order_by("due_at", "id"))


def recent_surveys(*, viewer, limit: int = 20) -> list[Survey]:
    """The viewer's own latest survey calls (no one named: the page shows the incident reference)."""
    _may_run(viewer)
    return list(Survey.objects.filter(made_by=viewer).select_related("case__incident")[:limit])


def case_for_survey(*, viewer, public_id, request=None) -> SafeguardingCase:
    """A case to survey (404 when there is none, or its victim is restricted or not a known person);
    audited as a consultation."""
    _may_run(viewer)
    case = (SafeguardingCase.objects.select_related("victim", "victim__person", "incident", "owning_team")
            .filter(public_id=public_id, victim__person__isnull=False, victim__person__restricted=False).first())
    if case is None:
        raise Http404("No such case to survey")
    audit_record(action="consultation", actor=viewer, obj=case, subject_person_id=subject_of(case), request=request,
                 detail={"view": "survey call"})
    return case


def survey_for_caller(*, viewer, public_id, request=None) -> Survey:
    """A survey, for the person who made it (anyone else: 404); audited as a consultation."""
    _may_run(viewer)
    survey = (Survey.objects.select_related("case", "case__victim", "case__victim__person", "case__incident",
                                            "task", "task__team", "task__assignee")
              .filter(public_id=public_id, made_by=viewer).first())
    if survey is None:
        raise Http404("No such survey")
    audit_record(action="consultation", actor=viewer, obj=survey, subject_person_id=subject_of(survey.case),
                 request=request, detail={"view": "survey"})
    return survey


def number_for(case: SafeguardingCase):
    """The number to call: the victim's safe number, never one on their do-not-use list (else None)."""
    return safe_number(case)


def barred_for(*, case: SafeguardingCase, viewer) -> str | None:
    """Why the viewer may not call the victim of `case` for the survey now, or None (shown before dialling)."""
    return survey_barred(case=case, by=viewer)


# --- the analysis ---------------------------------------------------------------------------------------

def survey_responses(*, start: datetime, end: datetime, area=None) -> list[rules.Response]:
    """The survey calls finished in [start, end) (and in `area`, when given), newest first, as the pure
    analysis reads them. Not audited: for the selectors below and the performance pack."""
    surveys = (Survey.objects.filter(finished_at__gte=start, finished_at__lt=end)
               .exclude(outcome=rules.IN_PROGRESS).select_related("team")
               .prefetch_related("answers").order_by("-finished_at", "-id"))
    if area is not None:
        surveys = surveys.filter(area=area)
    return [rules.Response(
        outcome=s.outcome, month=s.finished_at.astimezone(LONDON).strftime("%Y-%m"), risk_level=s.risk_level,
        team=s.team.name, answers={(a.stage, a.question): a.value for a in s.answers.all()})
        for s in surveys]


def pack_survey_counts(*, start: datetime, end: datetime, area=None) -> tuple[int, int] | None:
    """(responses, satisfied) for the performance pack's "survey" figure (the overall question of the
    surveys completed in the period); None when Vigil holds no survey at all."""
    if not Survey.objects.exclude(outcome=rules.IN_PROGRESS).exists():
        return None
    return rules.pack_counts(rules.analyse(survey_responses(start=start, end=end, area=area)))


def survey_analysis(*, viewer, start: datetime, end: datetime, area=None, request=None) -> rules.SurveyAnalysis:
    """The analysis for [start, end) and `area` (None: the whole force). Example comments only for a viewer
    who may read them (that read is audited as a consultation; the comments are never logged)."""
    if viewer is None or not (viewer.has_perm(RESULTS_PERMISSION) or viewer.has_perm("insight.view_pack")):
        raise PermissionDenied
    with_examples = viewer.has_perm(COMMENTS_PERMISSION)
    analysis = rules.analyse(survey_responses(start=start, end=end, area=area), with_examples=with_examples)
    if with_examples and analysis.comments:
        audit_record(action="consultation", actor=viewer, request=request, object_type="insight.SurveyAnalysis",
                     detail={"view": "survey comments", "from": start.date().isoformat(),
                             "to": end.date().isoformat(), "area": getattr(area, "code", None),
                             "comments": analysis.comments})
    return analysis
