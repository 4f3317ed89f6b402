"""The evaluation pages (issue 11): the report of how well risk is being judged, and the versions of the
history-based risk signal (the list, training a new one, one version with its fairness guard, switching
it on).

Thin views: parse the form, call one service, shape the numbers for the page, render. Counts and
measures only: no one is named. The report is audited by `services.evaluation_run` (one consultation,
no subject); training and switching on by their services; a version's page here. A form error or a
refused service call re-renders the page with the GOV.UK error summary and what was typed (status 400).
The chart is inline SVG (no script, no inline style: the strict content security policy holds) with the
same numbers in a table beside it.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from vigil.accounts.access import requires
from vigil.audit.services import audit_record
from vigil.formtools import form_error_list
from vigil.incidents.models import Area
from vigil.people.models import Sex

from . import services
from .fairness import FLAGGED, TOO_FEW_TO_JUDGE
from .forms import ReportForm, TrainForm
from .metrics import AucResult, Proportion
from .models import HistoryModelVersion, Outcome
from .outcomes import Period, latest_observation
from .policy import evaluation_policy

SUBGROUP_LABELS = {"sex": "Sex", "age_band": "Age band", "ethnicity": "Ethnicity", "area": "Area"}
FEATURE_LABELS = {
    "victim_incidents_12m": "Domestic abuse incidents against the victim in the year before",
    "victim_incidents_all": "Domestic abuse incidents against the victim, all recorded history",
    "days_since_victim_last_incident": "Days since the victim's last incident (capped)",
    "victim_incidents_as_suspect": "Domestic abuse incidents where the victim was the suspect",
    "victim_previous_crimes": "Crimes recorded against the victim before",
    "victim_highest_previous_grade": "The victim's highest earlier grading",
    "suspect_incidents_as_suspect": "The suspect's domestic abuse incidents as suspect",
    "suspect_other_victims": "Other victims of the suspect's domestic abuse incidents",
    "suspect_previous_crimes": "Crimes recorded with the suspect as suspect before",
    "yes_count": "The DASH yes-count of this assessment",
}
THRESHOLD_LABELS = {"medium": "Graded medium or high", "high": "Graded high"}


# --- formatting ------------------------------------------------------------------------------------------

def _auc_text(auc: AucResult | dict | None) -> str:
    if not auc:
        return "Too few to measure"
    if isinstance(auc, dict):
        auc = AucResult(**auc)
    return f"{auc.auc:.2f} ({auc.low:.2f} to {auc.high:.2f})"


def _share_text(share: Proportion | dict | None) -> str:
    if not share:
        return "None to count"
    if isinstance(share, dict):
        share = Proportion(**share)
    return f"{share.value:.0%} ({share.count} of {share.total}; {share.low:.0%} to {share.high:.0%})"


def _group_label(attribute: str, group: str) -> str:
    return dict(Sex.choices).get(group, group) if attribute == "sex" else group


# --- the chart -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChartRow:
    label: str
    text: str
    y: float
    x: float
    low: float
    high: float
    text_x: float
    cap_top: float
    cap_bottom: float


@dataclass(frozen=True)
class AucChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    label_x: int
    chance_x: float
    ticks: list[tuple[float, str]]
    rows: list[ChartRow]
    axis_label_y: int


def auc_chart(predictors, *, width: int = 720, row_height: int = 36) -> AucChart | None:
    """Each predictor's AUC as a dot with its 95 % interval as a bar, on a 0 to 1 scale with the 0.5
    chance line. The questions are left out (the table has them)."""
    shown = [p for p in predictors if p.auc is not None and not p.key.startswith("question:")]
    if not shown:
        return None
    left, right, top = 250, width - 70, 16
    bottom = top + row_height * len(shown)

    def x(value: float) -> float:
        return round(left + (right - left) * value, 1)

    rows = []
    for i, p in enumerate(shown):
        y = round(top + row_height * (i + 0.5), 1)
        rows.append(ChartRow(label=p.label, text=f"{p.auc.auc:.2f}", y=y, x=x(p.auc.auc), low=x(p.auc.low),
                             high=x(p.auc.high), text_x=x(p.auc.high) + 8, cap_top=y - 6, cap_bottom=y + 6))
    return AucChart(width=width, height=bottom + 44, plot_left=left, plot_right=right, plot_top=top,
                    plot_bottom=bottom, label_x=left - 10, chance_x=x(0.5),
                    ticks=[(x(v), f"{v:g}") for v in (0, 0.25, 0.5, 0.75, 1)], rows=rows, axis_label_y=bottom + 38)


# --- the report ------------------------------------------------------------------------------------------

def _predictor_rows(report: services.EvaluationReport) -> list[dict]:
    rows = []
    for p in report.predictors:
        rows.append({
            "key": p.key, "label": p.label, "count": p.count, "harmed": p.harmed, "auc": _auc_text(p.auc),
            "is_question": p.key.startswith("question:"),
            "thresholds": [{"label": THRESHOLD_LABELS.get(t.threshold, f"Yes-count {t.threshold}"),
                            "sensitivity": _share_text(t.sensitivity), "specificity": _share_text(t.specificity)}
                           for t in p.thresholds],
            "serious": _share_text(p.serious_harm_graded_high) if p.calibration else "",
            "calibration": [{"grade": c.grade.capitalize(), "count": c.count, "harmed": _share_text(c.harmed)}
                            for c in p.calibration],
        })
    return rows


def _subgroup_tables(report: services.EvaluationReport) -> list[dict]:
    labels = {p.key: p.label for p in report.predictors}
    tables = []
    for attribute, label in SUBGROUP_LABELS.items():
        groups = [g for g in report.subgroups if g.attribute == attribute]
        if not groups:
            continue
        keys = [key for key in labels if not key.startswith("question:") and any(key in g.aucs for g in groups)]
        tables.append({"attribute": attribute, "label": label, "columns": [labels[key] for key in keys],
                       "rows": [{"group": _group_label(attribute, g.group), "count": g.count, "harmed": g.harmed,
                                 "aucs": [_auc_text(g.aucs.get(key)) for key in keys]} for g in groups]})
    return tables


def _report_initial(policy) -> dict:
    """The latest year whose longest follow-up has ended, when there is data; else nothing."""
    latest = latest_observation()
    initial = {"outcome": Outcome.FURTHER_INCIDENT, "horizon": policy.long_horizon_months}
    if latest is not None:
        end = (latest - timedelta(days=31 * policy.long_horizon_months)).date()
        initial.update({"from": (end - timedelta(days=364)).isoformat(), "to": end.isoformat()})
    return initial


@requires("evaluation.view_report")
@require_GET
def report(request):
    """The evaluation report for a period, area, outcome and follow-up period. Nothing is worked out until
    the form is sent; the service audits the consultation."""
    policy = evaluation_policy()
    form = ReportForm(request.GET or None, policy=policy, initial=_report_initial(policy))
    context: dict = {"form": form, "outcome_labels": dict(Outcome.choices)}
    if request.GET and form.is_valid():
        data = form.cleaned_data
        area = Area.objects.filter(code=data["area"]).first() if data["area"] else None
        try:
            result = services.evaluation_run(period=Period(data["from"], data["to"]), outcome=data["outcome"],
                                             horizon_months=data["horizon"], area=area, viewer=request.user,
                                             request=request)
        except services.EvaluationError as error:
            form.add_error(None, str(error))
        else:
            context.update(report=result, area=area, outcome_label=Outcome(result.outcome).label,
                           predictors=_predictor_rows(result), subgroups=_subgroup_tables(result),
                           chart=auc_chart(result.predictors),
                           chart_predictors=[p for p in _predictor_rows(result) if not p["is_question"]])
    status = 400 if form.errors else 200
    context["error_list"] = form_error_list(form) if form.errors else []
    return render(request, "evaluation/report.html", context, status=status)


# --- the history signal's versions ----------------------------------------------------------------------

def _version_row(version: HistoryModelVersion) -> dict:
    evaluation = version.evaluation or {}
    return {"version": version, "signal_auc": _auc_text(evaluation.get("signal_auc")),
            "yes_count_auc": _auc_text(evaluation.get("yes_count_auc"))}


def _versions_page(request, form: TrainForm, *, status: int = 200):
    listed = [_version_row(v) for v in HistoryModelVersion.objects.select_related("trained_by")]
    return render(request, "evaluation/versions.html", {
        "rows": listed, "form": form, "may_manage": request.user.has_perm("evaluation.manage_models"),
        "error_list": form_error_list(form) if form.errors else []}, status=status)


@requires("evaluation.view_report")
@require_GET
def versions(request):
    policy = evaluation_policy()
    return _versions_page(request, TrainForm(policy=policy, initial={"outcome": Outcome.FURTHER_INCIDENT,
                                                                      "horizon": policy.long_horizon_months}))


@requires("evaluation.manage_models")
@require_POST
def version_train(request):
    form = TrainForm(request.POST, policy=evaluation_policy())
    if form.is_valid():
        data = form.cleaned_data
        try:
            version = services.history_model_train(
                training=Period(data["training_from"], data["training_to"]),
                validation=Period(data["validation_from"], data["validation_to"]), outcome=data["outcome"],
                horizon_months=data["horizon"], by=request.user, request=request)
        except services.EvaluationError as error:
            form.add_error(None, f"The version cannot be trained: {error}")
        else:
            passed = ("it passed the fairness guard" if version.fairness_passed
                      else "it failed the fairness guard, so it cannot be switched on")
            messages.success(request, f"Version {version.number} trained and kept as a draft: {passed}")
            return redirect("evaluation:version", number=version.number)
    return _versions_page(request, form, status=400)


def _fairness_sections(fairness: dict) -> list[dict]:
    sections = []
    for attribute, label in SUBGROUP_LABELS.items():
        judged = (fairness.get("by") or {}).get(attribute)
        if judged is None:
            continue
        rates = {str(r["group"]): r for r in judged.get("rates", [])}
        groups = []
        for judgement in judged["judgements"]:
            rate = rates.get(str(judgement["group"]), {})
            groups.append({
                "group": _group_label(attribute, str(judgement["group"])), "status": judgement["status"],
                "flagged": judgement["status"] == FLAGGED, "too_few": judgement["status"] == TOO_FEW_TO_JUDGE,
                "reasons": judgement["reasons"], "size": rate.get("size"), "harmed": rate.get("harmed"),
                "false_negative": _share_text(rate.get("false_negative_rate")) if rate else "",
                "false_positive": _share_text(rate.get("false_positive_rate")) if rate else ""})
        sections.append({"attribute": attribute, "label": label, "passed": judged["passed"], "groups": groups,
                         "has_rates": bool(rates),
                         "flagged": [g for g in groups if g["flagged"]]})
    return sections


def _version_page(request, version: HistoryModelVersion, *, error_list=(), status: int = 200):
    evaluation = version.evaluation or {}
    coefficients = sorted((evaluation.get("coefficients") or {}).items(), key=lambda item: -abs(item[1]))
    comparison = evaluation.get("signal_minus_yes_count")
    officer_comparison = evaluation.get("signal_minus_officer_grading")
    return render(request, "evaluation/version.html", {
        "version": version, "evaluation": evaluation, "fairness": version.fairness,
        "coefficients": [{"name": FEATURE_LABELS.get(name, name.replace("_", " ")), "weight": weight,
                          "direction": "raises" if weight > 0 else "lowers" if weight < 0 else "does not change"}
                         for name, weight in coefficients],
        "intercept": (version.document or {}).get("intercept"),
        "aucs": [("History signal (this version)", _auc_text(evaluation.get("signal_auc"))),
                 ("DASH yes-count", _auc_text(evaluation.get("yes_count_auc"))),
                 ("Officer's grading", _auc_text(evaluation.get("officer_grading_auc")))],
        "comparisons": [(label, c) for label, c in (("the DASH yes-count", comparison),
                                                    ("the officer's grading", officer_comparison)) if c],
        "calibration": evaluation.get("calibration") or [],
        "fairness_sections": _fairness_sections(version.fairness or {}),
        "may_manage": request.user.has_perm("evaluation.manage_models"),
        "may_switch_on": version.fairness_passed and version.status == HistoryModelVersion.Status.DRAFT,
        "error_list": list(error_list)}, status=status)


@requires("evaluation.view_report")
@require_GET
def version_detail(request, number: int):
    version = get_object_or_404(HistoryModelVersion, number=number)
    audit_record(action="consultation", obj=version, request=request,
                 detail={"number": version.number, "status": version.status})
    return _version_page(request, version)


@requires("evaluation.manage_models")
@require_POST
def version_switch_on(request, number: int):
    version = get_object_or_404(HistoryModelVersion, number=number)
    try:
        version = services.history_model_switch_on(version=version, by=request.user, request=request)
    except services.EvaluationError as error:
        return _version_page(request, version, error_list=[("switch-on", f"Not switched on: {error}")],
                             status=400)
    messages.success(request, f"Version {version.number} is switched on: its signal now shows beside the "
                              f"grading on each assessment. Any version on before it is retired.")
    return redirect("evaluation:version", number=version.number)
