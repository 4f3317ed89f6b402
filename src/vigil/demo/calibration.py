"""The seed figures measured straight from the tables for one period, in the shape of
profiles.seed_figures: for tests, the benchmark and the performance pack's cross-check.

The repeat-victim share counts true people (demo.TrueIdentity): it measures the generator, not
linkage. A DA incident is from a repeat victim when the same true victim had another DA incident
as victim in the 365 days before it."""

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, OuterRef, Q, Subquery

from vigil.cases.models import SafeguardingCase
from vigil.incidents.models import Arrest, Crime, Incident, Involvement, Outcome
from vigil.risk.models import RiskLevel

from .models import TrueIdentity
from .population import year_bounds
from .profiles import Profile

REPEAT_WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class Period:
    start: datetime  # inclusive, aware
    end: datetime  # exclusive, aware: the active-case count is taken at this instant

    @classmethod
    def force_year(cls, profile: Profile) -> "Period":
        start, end = year_bounds(profile)[-1]
        return cls(datetime.fromtimestamp(start).astimezone(), datetime.fromtimestamp(end).astimezone())


def seed_figures_measure(period: Period) -> dict[str, float]:
    figures: dict[str, float] = {}
    figures |= _calls(period)
    figures |= _crimes(period)
    figures |= _active_cases(period)
    return figures


def _calls(period: Period) -> dict[str, float]:
    incidents = Incident.objects.filter(received_at__gte=period.start, received_at__lt=period.end)
    counts = incidents.aggregate(all=Count("pk"), da=Count("pk", filter=Q(is_domestic_abuse=True)))
    return {
        "da_share_of_calls": counts["da"] / max(counts["all"], 1),
        "repeat_victim_share_of_da_calls": _repeat_share(period),
    }


def _repeat_share(period: Period) -> float:
    true_person = TrueIdentity.objects.filter(person_record_id=OuterRef("person_record_id")).values("true_person")
    victims = (Involvement.objects
               .filter(role=Involvement.Role.VICTIM, incident__is_domestic_abuse=True,
                       incident__received_at__gte=period.start - REPEAT_WINDOW,
                       incident__received_at__lt=period.end)
               .annotate(true_person=Subquery(true_person))
               .values_list("true_person", "incident__received_at", "incident_id"))
    times_by_person: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for person, received_at, incident_id in victims:
        times_by_person[person].append((received_at, incident_id))
    in_period = repeats = 0
    for appearances in times_by_person.values():
        appearances.sort()
        times = [at for at, _ in appearances]
        for at, _ in appearances:
            if not period.start <= at < period.end:
                continue
            in_period += 1
            earlier = bisect_left(times, at - REPEAT_WINDOW)
            if times.index(at) > earlier:
                repeats += 1
    return repeats / max(in_period, 1)


def _crimes(period: Period) -> dict[str, float]:
    crimes = Crime.objects.filter(recorded_at__gte=period.start, recorded_at__lt=period.end)
    da_crimes = crimes.filter(is_domestic_abuse=True)
    total = crimes.count()
    da_total = da_crimes.count()
    figures: dict[str, float] = {"da_share_of_crime": da_total / max(total, 1), "da_crimes": da_total}
    for row in crimes.values("offence_group").annotate(
            recorded=Count("pk"), da=Count("pk", filter=Q(is_domestic_abuse=True))):
        figures[f"{row['offence_group']}_recorded"] = row["recorded"]
        figures[f"{row['offence_group']}_da"] = row["da"]
    arrests = Arrest.objects.filter(crime__in=da_crimes).count()
    figures["arrests_per_100_da_crimes"] = 100 * arrests / max(da_total, 1)
    outcomes = dict(Outcome.objects.filter(crime__in=da_crimes).values_list("type").annotate(n=Count("pk")))
    for outcome in ("charge", "caution", "out_of_court", "nfa"):
        figures[f"da_outcome_{outcome}_share"] = outcomes.get(outcome, 0) / max(da_total, 1)
    return figures


def _active_cases(period: Period) -> dict[str, float]:
    active = SafeguardingCase.objects.filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=period.end),
        opened_at__lt=period.end, incident__is_domestic_abuse=True)
    by_grade = dict(active.values_list("risk_level").annotate(n=Count("pk")))
    total = sum(by_grade.values())
    figures: dict[str, float] = {"active_da_cases": total}
    for grade in RiskLevel.values:
        figures[f"active_cases_{grade}_share"] = by_grade.get(grade, 0) / max(total, 1)
    return figures
