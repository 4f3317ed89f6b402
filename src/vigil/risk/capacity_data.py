"""The weekly observations of the capacity analysis (`vigil.risk.capacity`), read from the tables in
four aggregate queries whatever the length of the period (no query per week).

- Weeks run Monday to Sunday in Europe/London; the period's weeks are the whole weeks within it.
- Specialist reviews are the `GradingDecision`s at the specialist stage decided in the week; a
  downgrade is one whose grade ranks below its previous grade (standard < medium < high).
- The unit's open caseload at the start of a week is the number of safeguarding cases it holds then:
  cases at high risk, or owned by a specialist team, opened before the Monday and not closed before it.
  It is the running total of cases opened minus cases closed, counted per week.
- With an area, both the reviews and the cases are those of incidents in that area.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Q
from django.db.models.functions import TruncWeek

from vigil.accounts.models import Team
from vigil.cases.models import SafeguardingCase
from vigil.incidents.models import Area

from .capacity import WeekObservation
from .models import GradingDecision, RiskLevel

LONDON = ZoneInfo("Europe/London")
DOWNGRADES = (Q(previous_grade=RiskLevel.HIGH, grade__in=[RiskLevel.MEDIUM, RiskLevel.STANDARD])
              | Q(previous_grade=RiskLevel.MEDIUM, grade=RiskLevel.STANDARD))
UNIT_CASES = Q(risk_level=RiskLevel.HIGH) | Q(owning_team__kind=Team.Kind.SPECIALIST)


@dataclass(frozen=True)
class Period:
    start: date  # inclusive
    end: date  # inclusive

    @property
    def first_week(self) -> date:
        return monday_on_or_after(self.start)

    @property
    def last_week(self) -> date:
        """The Monday of the last whole week that ends by `end`."""
        sunday_or_before = self.end - timedelta(days=6)
        return sunday_or_before - timedelta(days=sunday_or_before.weekday())

    @property
    def mondays(self) -> list[date]:
        weeks, week = [], self.first_week
        while week <= self.last_week:
            weeks.append(week)
            week += timedelta(days=7)
        return weeks


def monday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


def london_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


def latest_review_date() -> date | None:
    """The day of the most recent specialist review (for the default period), in Europe/London."""
    latest = GradingDecision.objects.filter(stage=GradingDecision.Stage.SPECIALIST).aggregate(
        at=Max("decided_at"))["at"]
    return latest.astimezone(LONDON).date() if latest else None


def default_period() -> Period | None:
    """The last twelve months of data: 52 weeks ending with the week of the latest specialist review."""
    latest = latest_review_date()
    if latest is None:
        return None
    last_monday = latest - timedelta(days=latest.weekday())
    return Period(start=last_monday - timedelta(weeks=51), end=last_monday + timedelta(days=6))


def weekly_observations(*, period: Period, area: Area | None = None) -> list[WeekObservation]:
    mondays = period.mondays
    if not mondays:
        return []
    start, end = london_midnight(mondays[0]), london_midnight(mondays[-1] + timedelta(days=7))
    week = TruncWeek("decided_at", tzinfo=LONDON)

    decisions = GradingDecision.objects.filter(stage=GradingDecision.Stage.SPECIALIST, decided_at__gte=start,
                                               decided_at__lt=end)
    cases = SafeguardingCase.objects.filter(UNIT_CASES, opened_at__lt=end)
    if area is not None:
        decisions = decisions.filter(assessment__incident__area=area)
        cases = cases.filter(incident__area=area)
    reviews = {_day(row["week"]): row for row in decisions.annotate(week=week).values("week").annotate(
        reviews=Count("pk"), downgrades=Count("pk", filter=DOWNGRADES)).order_by()}

    # The caseload at each Monday: cases opened before it minus cases closed before it (a case closes
    # after it opens). Cases opened or closed before the period are counted in its first week.
    before = cases.aggregate(opened=Count("pk", filter=Q(opened_at__lt=start)),
                             closed=Count("pk", filter=Q(closed_at__lt=start)))
    opened = _per_following_monday(cases.filter(opened_at__gte=start), "opened_at")
    closed = _per_following_monday(cases.filter(closed_at__gte=start, closed_at__lt=end), "closed_at")
    observations, caseload = [], before["opened"] - before["closed"]
    for monday in mondays:
        caseload += opened.get(monday, 0) - closed.get(monday, 0)
        row = reviews.get(monday)
        observations.append(WeekObservation(week_start=monday, caseload=caseload,
                                            reviews=row["reviews"] if row else 0,
                                            downgrades=row["downgrades"] if row else 0))
    return observations


def _per_following_monday(cases, field: str) -> dict[date, int]:
    """Cases per week of `field`, keyed by the Monday after that week: the first Monday at which they
    count as opened (or closed)."""
    rows = (cases.annotate(week=TruncWeek(field, tzinfo=LONDON)).values("week").annotate(n=Count("pk"))
            .order_by())
    return {_day(row["week"]) + timedelta(days=7): row["n"] for row in rows}


def _day(value) -> date:
    if isinstance(value, datetime):
        return value.astimezone(LONDON).date() if value.tzinfo else value.date()
    return value
