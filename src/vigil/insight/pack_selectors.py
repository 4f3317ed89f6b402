"""Reading the performance pack for one period and area: a dozen aggregate queries, whatever the length of
the period, then the plain rules of `pack.py`. No one is named: the pack is counts and shares.

- The period runs from the start of its first day to the end of its last day in Europe/London (stored
  times are UTC); active cases are counted at the end of the last day.
- With an area (incidents.Area): calls by the incident's area; crimes, arrests and outcomes by the area of
  the crime's incident; cases, assessments, reviews and victim-contact tasks by the area of their incident;
  MARAC figures of the MARACs that cover the area. A victim's earlier incidents count for the repeat-victim
  figures from any area.
- Repeat victims are resolved persons (`people.Person`, through each person record); a record not yet
  linked to a person is a person of its own. The window and count are the lists' policy in force at the
  end of the period (`linkage.list_policy`).
- Viewing the pack is audited as a consultation of the collection (no subject); a CSV or PDF download, or
  `vigil report`, as an export.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Max, Min, Q
from django.utils import timezone

from vigil.audit.services import audit_record
from vigil.cases.models import SafeguardingCase, Task
from vigil.incidents.models import Area, Arrest, Crime, Incident, Involvement
from vigil.linkage.list_policy import list_policy
from vigil.risk.models import Answer, GradingDecision, RiskAssessment
from vigil.risk.policy import SUPERVISION_DEADLINE

from . import pack as rules

LONDON = ZoneInfo("Europe/London")
PERMISSION = "insight.view_pack"
OBJECT_TYPE = "insight.PerformancePack"
# cases.selectors.CONTACT_TASK_KINDS: the tasks done by contacting or telling the victim.
CONTACT_TASK_KINDS = (Task.Kind.CONTACT_VICTIM, Task.Kind.TELL_VICTIM, Task.Kind.COURT_BAIL_TELL_VICTIM,
                      Task.Kind.RELEASE_NOTIFY)


@dataclass(frozen=True)
class PackPeriod:
    start: date  # inclusive
    end: date  # inclusive

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=LONDON)

    @property
    def ends_at(self) -> datetime:
        """The end of the last day (exclusive): midnight at the start of the next day."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=LONDON)


def default_period(now: datetime | None = None) -> PackPeriod:
    """The 12 months to the day of the latest incident received (today when there is none), in London."""
    now = now or timezone.now()
    latest = Incident.objects.filter(received_at__lte=now).aggregate(at=Max("received_at"))["at"]
    end = (latest or now).astimezone(LONDON).date()
    try:
        start = end.replace(year=end.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February
        start = end.replace(year=end.year - 1, day=28) + timedelta(days=1)
    return PackPeriod(start, end)


def may_view_pack(user) -> bool:
    return user is not None and user.has_perm(PERMISSION)


def pack_compute(*, period: PackPeriod, area: Area | None = None, now: datetime | None = None
                 ) -> rules.PerformancePack:
    """The pack for `period` and `area` (None: the whole force), not audited: for the selectors below,
    tests and the benchmark."""
    now = now or timezone.now()
    start, end = period.starts_at, period.ends_at
    policy = list_policy(end)
    window = timedelta(days=policy.repeat_window_days)
    in_area = (lambda prefix: Q(**{f"{prefix}area": area})) if area is not None else (lambda prefix: Q())

    incidents = Incident.objects.filter(in_area(""), received_at__gte=start, received_at__lt=end)
    calls = incidents.aggregate(all=Count("pk"), da=Count("pk", filter=Q(is_domestic_abuse=True)))

    appearances = [
        rules.Appearance(person=("p", person) if person is not None else ("r", record), incident=incident, at=at,
                         counted=at >= start and (area is None or area_id == area.pk))
        for person, record, incident, at, area_id in Involvement.objects.filter(
            role=Involvement.Role.VICTIM, incident__is_domestic_abuse=True,
            incident__received_at__gt=start - window, incident__received_at__lt=end,
        ).values_list("person_record__person_id", "person_record_id", "incident_id", "incident__received_at",
                      "incident__area_id")
    ]
    repeats = rules.repeat_victims(appearances, window=window, min_incidents=policy.repeat_min_incidents)

    crimes = Crime.objects.filter(in_area("incident__"), recorded_at__gte=start, recorded_at__lt=end)
    crime_counts = [
        rules.CrimeCount(group=row["offence_group"], domestic_abuse=row["is_domestic_abuse"],
                         outcome=row["outcome__type"] or "", count=row["n"])
        for row in crimes.values("offence_group", "is_domestic_abuse", "outcome__type").annotate(n=Count("pk"))
    ]
    da_arrests = Arrest.objects.filter(
        in_area("crime__incident__"), crime__is_domestic_abuse=True, crime__recorded_at__gte=start,
        crime__recorded_at__lt=end).count()

    active = dict(SafeguardingCase.objects.filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=end), in_area("incident__"),
        opened_at__lt=end, incident__is_domestic_abuse=True,
    ).values_list("risk_level").annotate(n=Count("pk")).order_by())

    first_supervision = (GradingDecision.objects.filter(stage=GradingDecision.Stage.SUPERVISOR,
                                                        **({"assessment__incident__area": area} if area else {}))
                         .values("assessment_id")
                         .annotate(decided=Min("decided_at"),
                                   submitted=Min(F("assessment__submitted_at")),
                                   assessed=Min(F("assessment__assessed_at")))
                         .filter(decided__gte=start, decided__lt=end))
    supervision = [rules.SupervisionTime(submitted_at=row["submitted"] or row["assessed"], decided_at=row["decided"])
                   for row in first_supervision]

    assessed = RiskAssessment.objects.filter(in_area("incident__"), assessed_at__gte=start, assessed_at__lt=end)
    answers = dict(Answer.objects.filter(assessment__in=assessed).values_list("obtained")
                   .annotate(n=Count("pk")).order_by())
    assessments_answered = Answer.objects.filter(assessment__in=assessed).values("assessment_id").distinct().count() \
        if answers else 0

    specialist = [rules.SpecialistDecision(previous_grade=p or "", grade=g) for p, g in GradingDecision.objects.filter(
        in_area("assessment__incident__"), stage=GradingDecision.Stage.SPECIALIST,
        decided_at__gte=start, decided_at__lt=end).values_list("previous_grade", "grade")]

    contact_tasks = [rules.ContactTask(due_at=due, done_at=done if status == Task.Status.DONE else None)
                     for due, done, status in Task.objects.filter(
                         in_area("case__incident__"), kind__in=CONTACT_TASK_KINDS, due_at__gte=start, due_at__lt=end,
                     ).exclude(status=Task.Status.CANCELLED).values_list("due_at", "done_at", "status")]

    return rules.performance_pack(rules.PackInputs(
        start=period.start, end=period.end, area=(area.code, area.name) if area else None,
        active_at=end, now=now, calls=calls["all"], da_calls=calls["da"], repeats=repeats, crimes=crime_counts,
        da_arrests=da_arrests, active_cases=active, supervision=supervision, supervision_deadline=SUPERVISION_DEADLINE,
        answers=answers, assessments_answered=assessments_answered, specialist=specialist,
        contact_tasks=contact_tasks, marac=_marac_counts(period, area), survey=_survey_counts(start, end, area),
        repeat_window_days=policy.repeat_window_days, repeat_min_incidents=policy.repeat_min_incidents,
    ))


def _survey_counts(start: datetime, end: datetime, area: Area | None) -> tuple[int, int] | None:
    """(responses, satisfied) of the victim surveys finished in the period (insight.survey_selectors);
    None when Vigil holds no survey at all."""
    from .survey_selectors import pack_survey_counts

    return pack_survey_counts(start=start, end=end, area=area)


def _marac_counts(period: PackPeriod, area: Area | None) -> rules.MaracCounts | None:
    """The MARAC figures (`marac.selectors.figures_for`, the MARAC page's own) of every MARAC covering the
    area, added together; cases a year per 10,000 women aged 16+ over their populations together."""
    from vigil.marac import figures as marac_rules
    from vigil.marac.models import MaracArea
    from vigil.marac.selectors import figures_for

    maracs = list((MaracArea.objects.all() if area is None else MaracArea.objects.filter(areas=area)).distinct())
    if not maracs:
        return None
    figures = [figures_for(area=m, start=period.start, end=period.end).figures for m in maracs]
    cases = sum(f.cases_heard for f in figures)
    women = [m.women_aged_16_plus for m in maracs]
    days = (period.end - period.start).days + 1
    per_10k = None
    if all(women):
        per_10k = cases * marac_rules.PER_WOMEN * marac_rules.DAYS_A_YEAR / (sum(women) * days)
    return rules.MaracCounts(cases_heard=cases, repeat_cases=sum(f.repeat_cases for f in figures),
                             referrals_received=sum(f.referrals_received for f in figures),
                             cases_a_year_per_10k_women=per_10k, maracs=len(maracs))


def _detail(pack: rules.PerformancePack) -> dict:
    i = pack.inputs
    return {"from": i.start.isoformat(), "to": i.end.isoformat(), "area": i.area[0] if i.area else "",
            "da_calls": i.da_calls}


def performance_pack(*, viewer, period: PackPeriod, area: Area | None = None, now: datetime | None = None,
                     request=None) -> rules.PerformancePack:
    """The pack as the page shows it, for a viewer who may see it (PermissionDenied otherwise). Audited as a
    consultation of the collection: counts only, no subject."""
    if not may_view_pack(viewer):
        raise PermissionDenied
    pack = pack_compute(period=period, area=area, now=now)
    audit_record(action="consultation", actor=viewer, object_type=OBJECT_TYPE, request=request,
                 detail={"view": "performance pack", **_detail(pack)})
    return pack


def pack_export(*, viewer, pack: rules.PerformancePack, format: str, request=None, via: str = "page") -> None:
    """Record a download of the pack (CSV, PDF) or a `vigil report` run (`viewer` None: the command line)."""
    if viewer is not None and not may_view_pack(viewer):
        raise PermissionDenied
    audit_record(action="export", actor=viewer, object_type=OBJECT_TYPE, request=request,
                 detail={"export": "performance pack", "format": format, "via": via, **_detail(pack)})
