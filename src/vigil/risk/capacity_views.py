"""The capacity analysis report: do specialist downgrades rise with the unit's open caseload?
Thin: parse the period, read the weekly observations, analyse, draw the chart as inline SVG (no script,
no inline style: the strict content security policy holds), audit the consultation."""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.shortcuts import render

from vigil.accounts.access import requires
from vigil.audit.services import audit_record
from vigil.formtools import AreaPeriodForm
from vigil.incidents.models import Area

from .capacity import CapacityAnalysis, analyse, explain, percent, points, points_word
from .capacity_data import Period, default_period, weekly_observations


class CapacityForm(AreaPeriodForm):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD[&area=code]; both dates or neither (the last 12 months of data); the
    period must hold a whole week, Monday to Sunday."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and not self.errors.get("to") and not Period(start, end).mondays:
            self.add_error("to", "The period must include a whole week from Monday to Sunday")
        return cleaned


@dataclass(frozen=True)
class Bar:
    name: str
    label: str  # the rate as shown above the bar
    x: float
    width: float
    y: float
    height: float
    whisker_x: float
    whisker_top: float
    whisker_bottom: float
    cap_left: float
    cap_right: float
    label_y: float
    axis_label_y: float
    range_label_y: float
    range_label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    tick_label_x: int
    ticks: list[tuple[float, str]]  # (y, label)
    bars: list[Bar]


def chart_geometry(analysis: CapacityAnalysis, *, width: int = 640, height: int = 320) -> Chart | None:
    """Bars of the downgrade rate by caseload band, each with its 95 % interval as a whisker."""
    bands = [b for b in analysis.bands if b.reviews]
    if not bands:
        return None
    left, right, top, bottom = 56, width - 16, 24, height - 56
    top_rate = max(b.ci_high or b.rate or 0 for b in bands)
    step = 0.05 if top_rate <= 0.3 else 0.1
    maximum = max(step, math.ceil(top_rate / step - 1e-9) * step)

    def y(rate: float) -> float:
        return round(bottom - (bottom - top) * rate / maximum, 1)

    ticks = [(y(i * step), f"{round(100 * i * step)} %") for i in range(round(maximum / step) + 1)]
    slot = (right - left) / len(bands)
    bar_width = round(slot * 0.6, 1)
    bars = []
    for i, band in enumerate(bands):
        x = round(left + slot * i + (slot - bar_width) / 2, 1)
        bars.append(Bar(
            name=band.name, label=percent(band.rate), x=x, width=bar_width, y=y(band.rate),
            height=round(bottom - y(band.rate), 1), whisker_x=round(x + bar_width / 2, 1),
            whisker_top=y(band.ci_high), whisker_bottom=y(band.ci_low), cap_left=round(x + bar_width / 2 - 6, 1),
            cap_right=round(x + bar_width / 2 + 6, 1), label_y=round(y(band.ci_high) - 6, 1),
            axis_label_y=bottom + 20, range_label_y=bottom + 38, range_label=f"{band.low}–{band.high} open cases"))
    return Chart(width=width, height=height, plot_left=left, plot_right=right, plot_top=top, plot_bottom=bottom,
                 tick_label_x=left - 8, ticks=ticks, bars=bars)


@dataclass(frozen=True)
class Row:
    name: str
    caseloads: str
    weeks: int
    reviews: int
    downgrades: int
    rate: str


def p_text(p_value: float) -> str:
    return "< 0.001" if p_value < 0.001 else f"= {p_value:.3f}"


def summary(analysis: CapacityAnalysis) -> dict:
    """The figures as the page shows them (rounded percentages, p-values)."""
    rows = [Row(name=b.name, caseloads=f"{b.low}–{b.high}", weeks=b.weeks, reviews=b.reviews,
                downgrades=b.downgrades,
                rate=(f"{percent(b.rate)} ({points(b.ci_low)} to {points(b.ci_high)} %)" if b.reviews
                      else "no reviews"))
            for b in analysis.bands]
    shown: dict = {"rows": rows, "overall_rate": percent(analysis.downgrades / analysis.reviews)
                   if analysis.reviews else ""}
    if analysis.testable:
        effect = analysis.effect
        shown["trend"] = f"z = {analysis.trend.z:.2f}, p {p_text(analysis.trend.p_value)} (two-sided)"
        shown["difference"] = (f"{points(effect.difference)} percentage {points_word(effect.difference)} "
                               f"(95 % CI {points(effect.ci_low)} to {points(effect.ci_high)})")
        if effect.odds_ratio is not None:
            shown["odds_ratio"] = (f"{effect.odds_ratio:.2f} (95 % CI {effect.odds_ratio_ci_low:.2f} to "
                                   f"{effect.odds_ratio_ci_high:.2f})")
    if analysis.correlation is not None:
        correlation = analysis.correlation
        shown["correlation"] = (f"rho = {correlation.rho:.2f}, p {p_text(correlation.p_value)} "
                                f"({correlation.weeks} weeks with a review)")
    return shown


@requires("risk.view_capacity_analysis")
def capacity_analysis(request):
    form = CapacityForm(request.GET or None)
    context: dict = {"form": form}
    if request.GET and not form.is_valid():
        return render(request, "risk/capacity.html", context)
    data = form.cleaned_data if request.GET else {}
    area = Area.objects.filter(code=data["area"]).first() if data.get("area") else None
    if data.get("from") and data.get("to"):
        period = Period(data["from"], data["to"])
    else:
        period = default_period()
    if period is not None and not request.GET:
        form = CapacityForm(initial={"from": period.start.isoformat(), "to": period.end.isoformat()})
        context["form"] = form
    context.update(period=period, area=area)
    if period is None:
        context["no_reviews"] = True
        return render(request, "risk/capacity.html", context)
    observations = weekly_observations(period=period, area=area)
    analysis = analyse(observations)
    context.update(analysis=analysis, explanation=explain(analysis), chart=chart_geometry(analysis),
                   shown=summary(analysis),
                   first_week=period.first_week, last_week=period.last_week + timedelta(days=6))
    audit_record(action="consultation", object_type="risk.CapacityAnalysis", request=request,
                 detail={"from": period.start.isoformat(), "to": period.end.isoformat(),
                         "area": area.code if area else "", "weeks": len(observations),
                         "reviews": analysis.reviews})
    return render(request, "risk/capacity.html", context)
