"""The history signal as an advisory beside a human grading (issue 11): what the active version of the
history-based risk signal says about one assessment, in plain words, and when a grading is below it.

The signal is advisory. It never changes a grading: a grading below what it suggests asks for a rationale
(risk.services.assessment_submit, risk.review), nothing more.

**The suggested level** maps the version's probability of its outcome to standard, medium or high, with
thresholds kept in the version itself, so a suggestion always means the same thing for one version:

| level | from | where it comes from |
|---|---|---|
| high | the version's flag threshold (`fairness["threshold"]`) | the probability above which the highest-scoring share of the training assessments lies (policy `signal_flag_share`, 10 % by default): the very flag the fairness guard judged before the version could be switched on |
| medium | the training base rate (`evaluation["training"]`: harmed / assessments) | more likely than the average assessed victim of the training period (the model's intercept is unpenalised, so its mean prediction on training is this rate) |

A version without them (a hand-made document) uses the documented fallbacks HIGH_FALLBACK and
MEDIUM_FALLBACK. Were medium's threshold at or above high's, there is no medium band. These are Vigil's
choices, not an `EvaluationPolicy` field: a force that wants others trains a new version.

`grading_below_signal` and `suggested_level` and the wording of the reasons are plain rules (no Django);
`advisory_for` and `latest_advisories` read the database (lazily imported).
"""

import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

logger = logging.getLogger(__name__)

LEVELS = ("standard", "medium", "high")
LEVEL_ORDER = {level: index for index, level in enumerate(LEVELS, start=1)}
HIGH_FALLBACK = 0.5  # Vigil's choice, for a version that keeps no flag threshold
MEDIUM_FALLBACK = 0.25  # Vigil's choice, for a version that keeps no training base rate
REASONS_SHOWN = 3
ADVISORY_LABEL = "Advisory history signal — it does not change the grading"
OUTCOME_WORDS = {
    "further_incident": "a further domestic abuse incident against the victim",
    "further_crime": "a further crime against the victim",
    "serious_harm": "a further crime against the victim involving injury or a serious offence",
}
GRADE_WORDS = {1: "standard", 2: "medium", 3: "high"}


@dataclass(frozen=True)
class Reason:
    text: str  # "3 incidents as a victim in the last year"
    raises: bool  # True: raises the probability; False: lowers it
    log_odds: float

    @property
    def effect(self) -> str:
        return "raises" if self.raises else "lowers"

    def __str__(self) -> str:
        return f"{self.text}: {self.effect}"


@dataclass(frozen=True)
class Advisory:
    version: int
    outcome: str
    horizon_months: int
    probability: float
    suggested: str  # "standard", "medium" or "high"
    reasons: tuple[Reason, ...]
    medium_from: float
    high_from: float

    @property
    def percent(self) -> int:
        return round(self.probability * 100)

    @property
    def outcome_words(self) -> str:
        return OUTCOME_WORDS.get(self.outcome, self.outcome.replace("_", " "))

    @property
    def label(self) -> str:
        return ADVISORY_LABEL


# --- Plain rules -----------------------------------------------------------------------------------------

def grading_below_signal(grade: str, suggested: str) -> bool:
    """True when `grade` is a lower level than the signal's `suggested` one (unknown or empty: False)."""
    if grade not in LEVEL_ORDER or suggested not in LEVEL_ORDER:
        return False
    return LEVEL_ORDER[grade] < LEVEL_ORDER[suggested]


def suggested_level(probability: float, *, medium_from: float, high_from: float) -> str:
    """The level a probability suggests: high at or above `high_from`, medium at or above `medium_from`."""
    if probability >= high_from:
        return "high"
    if probability >= medium_from:
        return "medium"
    return "standard"


def thresholds_of(*, fairness: Mapping | None, evaluation: Mapping | None) -> tuple[float, float]:
    """(medium_from, high_from) kept in a version (see the module's notes), else the fallbacks."""
    high = _finite((fairness or {}).get("threshold"))
    if high is None or not 0 < high <= 1:
        high = HIGH_FALLBACK
    training = (evaluation or {}).get("training") or {}
    assessments, harmed = training.get("assessments"), training.get("harmed")
    medium = None
    if isinstance(assessments, int | float) and isinstance(harmed, int | float) and assessments > 0:
        medium = harmed / assessments
    if medium is None or not 0 < medium <= 1:
        medium = MEDIUM_FALLBACK
    return min(medium, high), high


def _finite(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _count(value: float, one: str, many: str) -> str:
    n = int(round(value))
    return f"{n} {one if n == 1 else many}"


def reason_text(feature: str, value: float, *, days_cap: int) -> str:
    """One feature's value in plain words."""
    if feature == "victim_incidents_12m":
        return f"{_count(value, 'incident', 'incidents')} as a victim in the last year"
    if feature == "victim_incidents_all":
        return f"{_count(value, 'incident', 'incidents')} as a victim in all recorded history"
    if feature == "days_since_victim_last_incident":
        if value >= days_cap:
            return f"no earlier incident as a victim in the {days_cap} days before"
        return f"last incident as a victim {_count(value, 'day', 'days')} ago"
    if feature == "victim_incidents_as_suspect":
        return f"the victim recorded as the suspect in {_count(value, 'incident', 'incidents')}"
    if feature == "victim_previous_crimes":
        return f"{_count(value, 'earlier crime', 'earlier crimes')} against the victim"
    if feature == "victim_highest_previous_grade":
        grade = GRADE_WORDS.get(int(round(value)))
        return f"the victim previously graded {grade} risk" if grade else "no earlier risk grading of the victim"
    if feature == "suspect_incidents_as_suspect":
        return f"{_count(value, 'earlier incident', 'earlier incidents')} with the suspect as suspect"
    if feature == "suspect_other_victims":
        return f"the suspect has {_count(value, 'other victim', 'other victims')} recorded"
    if feature == "suspect_previous_crimes":
        return f"{_count(value, 'earlier crime', 'earlier crimes')} recorded against the suspect"
    if feature == "yes_count":
        return f"{_count(value, '“yes” answer', '“yes” answers')} on this assessment"
    return f"{feature.replace('_', ' ')}: {value:g}"


def reasons_from(contributions: Iterable, *, days_cap: int, shown: int = REASONS_SHOWN) -> tuple[Reason, ...]:
    """The `shown` largest contributions (history_model.Contribution, largest first) that move the
    probability at all, in plain words."""
    ordered = sorted(contributions, key=lambda c: -abs(c.log_odds))
    return tuple(Reason(reason_text(c.feature_name, c.value, days_cap=days_cap), c.log_odds > 0, c.log_odds)
                 for c in ordered if c.log_odds != 0)[:shown]


# --- Reading the database --------------------------------------------------------------------------------

def _active_version():
    from .models import HistoryModelVersion

    return (HistoryModelVersion.objects.filter(status=HistoryModelVersion.Status.ACTIVE)
            .only("number", "fairness", "evaluation").first())


def advisory_for(assessment, *, version=None) -> "Advisory | None":
    """The active history signal's advisory for `assessment`; None when no version is active (or the
    assessment cannot be scored). Unaudited: the page showing the assessment audits."""
    from .policy import DEFAULTS
    from .services import history_signal_for

    version = version or _active_version()
    if version is None:
        return None
    try:
        signal = history_signal_for(assessment=assessment)
    except ValueError:
        # A version whose document this code cannot score: the grading goes on without the advisory.
        logger.warning("history signal version %s could not score an assessment", version.number)
        return None
    if signal is None:
        return None
    medium_from, high_from = thresholds_of(fairness=version.fairness, evaluation=version.evaluation)
    return Advisory(
        version=signal.version, outcome=signal.outcome, horizon_months=signal.horizon_months,
        probability=signal.probability,
        suggested=suggested_level(signal.probability, medium_from=medium_from, high_from=high_from),
        # history_signal_for computes the features with the default policy: its cap is the one to name.
        reasons=reasons_from(signal.contributions, days_cap=DEFAULTS.days_since_cap),
        medium_from=medium_from, high_from=high_from)


def latest_advisories(person_ids: Iterable[int], *, exclude_incident_id: int | None = None) -> dict:
    """For the control-room history: person id -> (latest graded assessment, its advisory), for each of
    `person_ids` with a graded assessment as victim. Nothing is read beyond one query when no version is
    active; otherwise one query finds the latest assessments, then each is scored."""
    from django.db.models import Q

    from vigil.risk.models import RiskAssessment

    person_ids = set(person_ids)
    if not person_ids:
        return {}
    version = _active_version()
    if version is None:
        return {}
    latest: dict[int, RiskAssessment] = {}
    found = (RiskAssessment.objects.filter(Q(victim__person_id__in=person_ids)
                                           | Q(victim__person__merged_into_id__in=person_ids))
             .exclude(grade="").select_related("incident", "victim__person")
             .order_by("-assessed_at", "-pk"))
    if exclude_incident_id is not None:
        found = found.exclude(incident_id=exclude_incident_id)
    for assessment in found:
        person = assessment.victim.person
        if person is None:
            continue
        owner = person.merged_into_id if person.merged_into_id in person_ids else person.pk
        latest.setdefault(owner, assessment)
    result = {}
    for person_id, assessment in latest.items():
        advisory = advisory_for(assessment, version=version)
        if advisory is not None:
            result[person_id] = (assessment, advisory)
    return result
