"""The performance pack page and its CSV and PDF downloads. Thin: parse the period and area, call the
selector, draw the charts as inline SVG (no script, no inline style: the strict content security policy
holds), render. The downloads are audited as exports (`pack_selectors.pack_export`) once the file is
made: a PDF that cannot be made here (503) is not an export."""

import csv
import io
import math
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache

from vigil.accounts.access import requires
from vigil.csvsafe import csv_safe

from . import pack as rules
from .pack_forms import PackForm
from .pack_selectors import PackPeriod, default_period, pack_compute, pack_export, performance_pack

BLUE, DARK_BLUE, BAND = "#1d70b8", "#003078", "#dbe8f4"


# --- charts ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Bar:
    label: str  # left of the bar (empty for the second bar of a group)
    text: str  # right of the bar: the value
    y: float
    width: float
    fill: str
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    caption: str
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    bar_height: int
    ticks: list[tuple[float, str]]  # (x, label)
    bars: list[Bar]
    band: tuple[float, float, str] | None = None  # (x, width, label) of a shaded range
    band_label_x: float = 0

    @property
    def label_x(self) -> int:
        return self.left - 8

    @property
    def tick_label_y(self) -> int:
        return self.bottom + 18

    @property
    def band_y(self) -> int:
        return self.top - 6

    @property
    def band_height(self) -> int:
        return self.bottom - self.top + 6


def _bars_chart(chart_id: str, title: str, caption: str, groups: list[tuple[str, list[tuple[str, float | None]]]],
                *, unit: str = " %", maximum: float | None = None, band: tuple[float, float, str] | None = None,
                width: int = 640) -> Chart | None:
    """Horizontal bars: each group a label and one or more (series, value) bars."""
    values = [v for _, bars in groups for _, v in bars if v is not None]
    if not values:
        return None
    top_value = max(values + ([band[1]] if band else []))
    step = 10 if top_value <= 100 else 20
    maximum = maximum or max(step, math.ceil(top_value / step) * step)
    left, right, top, bar_height, gap, group_gap = 210, width - 90, 34 if band else 16, 20, 4, 14
    scale = (right - left) / maximum
    bars, y = [], top
    for group, series in groups:
        for i, (name, value) in enumerate(series):
            shown = "not available" if value is None else f"{value:.1f}{unit}"
            text = f"{name}: {shown}" if len(series) > 1 else shown
            bar_width = round((value or 0) * scale, 1)
            bars.append(Bar(label=group if i == 0 else "", text=text, y=y, width=bar_width,
                            fill=DARK_BLUE if i % 2 else BLUE, text_x=round(left + bar_width + 6, 1),
                            text_y=y + bar_height / 2 + 5))
            y += bar_height + gap
        y += group_gap - gap
    bottom = y - group_gap + gap
    ticks = [(round(left + t * scale, 1), f"{t:g}") for t in range(0, int(maximum) + 1, step)]
    shaded = None
    if band:
        shaded = (round(left + band[0] * scale, 1), round((band[1] - band[0]) * scale, 1), band[2])
    return Chart(id=chart_id, title=title, caption=caption, width=width, height=int(bottom + 34), left=left,
                 right=right, top=top, bottom=int(bottom), bar_height=bar_height, ticks=ticks, bars=bars, band=shaded,
                 band_label_x=round(shaded[0] + shaded[1] / 2, 1) if shaded else 0)


def pack_charts(pack: rules.PerformancePack) -> list[Chart]:
    f = pack.figures
    low, high = rules.NATIONAL_ARREST_RANGE
    arrests = f["arrests_per_100_da_crimes"]
    rates = f["charge_and_caution_rates"]
    charts = [
        _bars_chart(
            "arrests", "Arrests per 100 domestic abuse crimes",
            f"Arrests per 100 crimes with a domestic abuse marker: "
            f"{'not available' if arrests is None else f'{arrests:.1f}'}. The shaded band is the range most forces "
            f"reported, {low} to {high} (the report).",
            [("This period", [("Arrests", arrests)])], unit="", band=(low, high, f"Most forces: {low} to {high}"),
            maximum=100 if (arrests or 0) <= 100 else None),
        _bars_chart(
            "outcomes", "Outcomes of domestic abuse crimes",
            "Percentage of the crimes with a domestic abuse marker recorded in the period with each outcome: "
            + "; ".join(f"{name} {'not available' if v is None else f'{v:.1f} %'}"
                        for name, v in rules.chart_rows_outcomes(pack)) + ".",
            [(name, [(name, v)]) for name, v in rules.chart_rows_outcomes(pack)]),
        _bars_chart(
            "rates", "Charge and caution rates compared",
            "Percentage charged and cautioned: "
            + "; ".join(f"{label} {_p(rates[key]['charge_pct'])} charged, {_p(rates[key]['caution_pct'])} cautioned"
                        for key, label in RATE_GROUPS) + ".",
            [(label, [("Charged", rates[key]["charge_pct"]), ("Cautioned", rates[key]["caution_pct"])])
             for key, label in RATE_GROUPS]),
    ]
    return [c for c in charts if c is not None]


RATE_GROUPS = (("domestic_abuse", "Domestic abuse"), ("all_victim_based", "All victim-based crime"),
               ("violence_against_the_person", "Violence against the person"), ("sexual_offences", "Sexual offences"))


def _p(value: float | None) -> str:
    return "not available" if value is None else f"{value:.1f} %"


# --- the page, the CSV and the document -----------------------------------------------------------------

def pack_extras(*, viewer, period: PackPeriod, area=None, request=None) -> dict:
    """What the pack shows beside its figures: the victim survey results for the period and area (for a
    viewer who may see them; the comments only for one who may read them; `viewer` None, the command
    line: the results without comments) and the partner figures overlapping the period."""
    from . import surveys
    from .partner_services import partner_figures_overlapping
    from .survey_selectors import RESULTS_PERMISSION, survey_analysis, survey_responses

    start, end = period.starts_at, period.ends_at
    analysis = None
    if viewer is None:
        analysis = surveys.analyse(survey_responses(start=start, end=end, area=area), with_examples=False)
    elif viewer.has_perm(RESULTS_PERMISSION):
        analysis = survey_analysis(viewer=viewer, start=start, end=end, area=area, request=request)
    return {"analysis": analysis,
            "partner_figures": partner_figures_overlapping(start=period.start, end=period.end)}


def pack_context(pack: rules.PerformancePack, extras: dict | None = None) -> dict:
    """What the page and the document show: the rows by section, the charts, the definitions, and the
    survey results and partner figures (`pack_extras`) when given."""
    sections: dict[str, list[dict]] = {}
    for row in rules.pack_rows(pack):
        sections.setdefault(row.section, []).append(
            {"label": row.label, "value": rules.value_text(row), "report": row.report,
             "reason": pack.not_available.get(row.key, "")})
    return {
        "pack": pack, "figures": pack.figures, "sections": list(sections.items()), "charts": pack_charts(pack),
        "definitions": list(rules.DEFINITIONS.values()),
        "area_name": pack.inputs.area[1] if pack.inputs.area else "Whole force",
        "not_available": sorted(pack.not_available.items()),
        "analysis": None, "partner_figures": [], **(extras or {}),
    }


def pack_filename(pack: rules.PerformancePack, extension: str) -> str:
    area = pack.inputs.area[0] if pack.inputs.area else "force"
    return f"vigil-performance-pack-{area}-{pack.inputs.start:%Y%m%d}-{pack.inputs.end:%Y%m%d}.{extension}"


def pack_csv_text(pack: rules.PerformancePack) -> str:
    """One row per figure: period, area, section, JSON key, figure, value (a number, empty when not
    available), unit, the report's value, and why a value is not available."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["from", "to", "area", "section", "key", "figure", "value", "unit", "report", "not_available"])
    area = pack.inputs.area[1] if pack.inputs.area else "Whole force"
    for row in rules.pack_rows(pack):
        writer.writerow([csv_safe(v, keep_numbers=True) for v in (pack.inputs.start.isoformat(), pack.inputs.end.isoformat(), area,
                                            row.section, row.key, row.label, row.value, row.unit, row.report,
                                            pack.not_available.get(row.key, ""))])
    return out.getvalue()


def pack_document_html(pack: rules.PerformancePack, *, request=None, pdf: bool = False,
                       extras: dict | None = None) -> str:
    """The pack as one standalone HTML document (the PDF's source and `vigil report --format html`)."""
    return render_to_string("insight/pack_document.html",
                            {**pack_context(pack, extras), "pdf": pdf, "generated_at": timezone.now()},
                            request=request)


def _period_from_request(request):
    """(form, period, area): the query's period and area, or (form, None, None) when it is not valid."""
    form = PackForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, None, None
    data = form.cleaned_data if request.GET else {}
    if data.get("from") and data.get("to"):
        period = PackPeriod(data["from"], data["to"])
    else:
        period = default_period()
        if not request.GET:
            form = PackForm(initial={"from": period.start.isoformat(), "to": period.end.isoformat()})
    return form, period, data.get("area_obj")


@never_cache  # it may show the victims' survey comments
@requires("insight.view_pack")
def pack(request):
    form, period, area = _period_from_request(request)
    context = {"form": form}
    if period is None:
        return render(request, "insight/pack.html", context, status=400)
    result = performance_pack(viewer=request.user, period=period, area=area, request=request)
    query = {"from": period.start.isoformat(), "to": period.end.isoformat(), **({"area": area.code} if area else {})}
    extras = pack_extras(viewer=request.user, period=period, area=area, request=request)
    context |= pack_context(result, extras) | {"download_query": urlencode(query)}
    return render(request, "insight/pack.html", context)


def _download(request):
    """(pack, None, period, area) for a valid query; (None, the page with the errors, None, None) otherwise.
    The caller audits the export once the file is made (`pack_export`)."""
    form, period, area = _period_from_request(request)
    if period is None:
        return None, render(request, "insight/pack.html", {"form": form}, status=400), None, None
    return pack_compute(period=period, area=area), None, period, area


@requires("insight.view_pack")
def pack_csv(request):
    result, refused, _, _ = _download(request)
    if refused is not None:
        return refused
    response = HttpResponse(pack_csv_text(result), content_type="text/csv; charset=utf-8")
    pack_export(viewer=request.user, pack=result, format="csv", request=request)
    response["Content-Disposition"] = f'attachment; filename="{pack_filename(result, "csv")}"'
    response["Cache-Control"] = "no-store"
    return response


@requires("insight.view_pack")
def pack_pdf(request):
    from vigil.pdf import pdf_response

    result, refused, period, area = _download(request)
    if refused is not None:
        return refused
    extras = pack_extras(viewer=request.user, period=period, area=area, request=request)
    response = pdf_response(request, "insight/pack_document.html",
                            {**pack_context(result, extras), "generated_at": timezone.now()},
                            filename=pack_filename(result, "pdf"))
    if response.status_code == 200:  # not when PDFs cannot be made here (503): nothing left Vigil
        pack_export(viewer=request.user, pack=result, format="pdf", request=request)
    return response
