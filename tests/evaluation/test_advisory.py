"""The history signal as an advisory beside a grading (evaluation.advisory)."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import (
    incident_create,
    incidents_between_create,
    person_record_create,
    risk_assessment_create,
)
from vigil.evaluation.advisory import (
    HIGH_FALLBACK,
    MEDIUM_FALLBACK,
    advisory_for,
    grading_below_signal,
    latest_advisories,
    reason_text,
    reasons_from,
    suggested_level,
    thresholds_of,
)
from vigil.evaluation.history_model import Contribution, HistoryModel
from vigil.evaluation.models import HistoryModelVersion
from vigil.evaluation.outcomes import FEATURES

NOW = datetime(2026, 11, 20, 21, 0, tzinfo=UTC)

# A hand-made model: recent and repeated incidents as a victim raise the chance of a further incident,
# a long time since the last one lowers it; every other feature counts for nothing.
SHAPE = {  # feature: (coefficient, mean, scale)
    "victim_incidents_12m": (1.0, 0.5, 1.0),
    "victim_incidents_all": (0.5, 1.0, 2.0),
    "days_since_victim_last_incident": (-1.0, 800.0, 400.0),
}


def model_document() -> dict:
    shape = [SHAPE.get(name, (0.0, 0.0, 1.0)) for name in FEATURES]
    return HistoryModel(feature_names=FEATURES, coefficients=[c for c, _, _ in shape], intercept=-2.0,
                        means=[m for _, m, _ in shape], scales=[s for _, _, s in shape], penalty=1.0).to_document()


def active_version_create(*, number: int = 1, threshold: float = 0.5, harmed: int = 25, assessments: int = 100,
                          status: str = HistoryModelVersion.Status.ACTIVE) -> HistoryModelVersion:
    """An active version of the history signal with the hand-made model: high from 0.5, medium from 0.25."""
    return HistoryModelVersion.objects.create(
        number=number, trained_at=NOW, training_start=datetime(2024, 1, 1).date(),
        training_end=datetime(2024, 12, 31).date(), validation_start=datetime(2025, 1, 1).date(),
        validation_end=datetime(2025, 6, 30).date(), outcome="further_incident", horizon_months=12,
        document=model_document(), evaluation={"training": {"assessments": assessments, "harmed": harmed}},
        fairness_passed=True, fairness={"threshold": threshold}, status=status)


def victim_with_history_create(*, at: datetime = NOW, days_before=(12, 100, 200)):
    """A victim with DA incidents as victim `days_before` the incident at `at`, and that incident's
    assessment (in progress: grade "")."""
    victim = person_record_create(given_name="Vera")
    incidents_between_create(victim=victim, at=[at - timedelta(days=d) for d in days_before])
    incident = incident_create(received_at=at, victim=victim, status="open")
    return risk_assessment_create(incident=incident, victim=victim, grade="", status="in_progress")


# --- Plain rules -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("grade", "suggested", "below"), [
    ("standard", "medium", True), ("standard", "high", True), ("medium", "high", True),
    ("medium", "medium", False), ("high", "medium", False), ("high", "high", False),
    ("", "high", False), ("standard", "", False), ("unknown", "high", False),
])
def test_a_grading_below_the_signal(grade, suggested, below):
    assert grading_below_signal(grade, suggested) is below


def test_the_suggested_level_from_the_thresholds():
    assert [suggested_level(p, medium_from=0.25, high_from=0.5) for p in (0.1, 0.25, 0.49, 0.5, 0.9)] == [
        "standard", "medium", "medium", "high", "high"]


def test_thresholds_come_from_the_version_else_the_documented_fallbacks():
    assert thresholds_of(fairness={"threshold": 0.4}, evaluation={"training": {"assessments": 200, "harmed": 50}}) \
        == (0.25, 0.4)
    assert thresholds_of(fairness={}, evaluation={}) == (MEDIUM_FALLBACK, HIGH_FALLBACK)
    assert thresholds_of(fairness={"threshold": float("nan")}, evaluation={"training": {"assessments": 0}}) \
        == (MEDIUM_FALLBACK, HIGH_FALLBACK)
    # A base rate above the flag threshold leaves no medium band.
    assert thresholds_of(fairness={"threshold": 0.3}, evaluation={"training": {"assessments": 10, "harmed": 5}}) \
        == (0.3, 0.3)


def test_reasons_in_plain_words_largest_first_with_their_direction():
    contributions = [Contribution("yes_count", 2.0, 0.1), Contribution("victim_incidents_12m", 3.0, 2.5),
                     Contribution("days_since_victim_last_incident", 12.0, 1.97),
                     Contribution("suspect_other_victims", 1.0, -0.4), Contribution("victim_previous_crimes", 0, 0.0)]
    reasons = reasons_from(contributions, days_cap=1095)
    assert [str(r) for r in reasons] == [
        "3 incidents as a victim in the last year: raises",
        "last incident as a victim 12 days ago: raises",
        "the suspect has 1 other victim recorded: lowers",
    ]


def test_every_feature_has_words():
    words = {name: reason_text(name, 1.0, days_cap=1095) for name in FEATURES}
    assert all("_" not in text for text in words.values()), words
    assert reason_text("days_since_victim_last_incident", 1095, days_cap=1095) == \
        "no earlier incident as a victim in the 1095 days before"
    assert reason_text("victim_highest_previous_grade", 3, days_cap=1095) == "the victim previously graded high risk"
    assert reason_text("victim_highest_previous_grade", 0, days_cap=1095) == "no earlier risk grading of the victim"


# --- Reading the database --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_nothing_without_an_active_version(django_assert_max_num_queries):
    assessment = victim_with_history_create()
    active_version_create(status=HistoryModelVersion.Status.DRAFT)
    with django_assert_max_num_queries(1):
        assert advisory_for(assessment) is None
    with django_assert_max_num_queries(1):
        assert latest_advisories([assessment.victim.person_id]) == {}


@pytest.mark.django_db
def test_an_active_version_advises_with_its_reasons():
    version = active_version_create(number=3)
    advisory = advisory_for(victim_with_history_create())
    assert (advisory.version, advisory.suggested, advisory.horizon_months) == (3, "high", version.horizon_months)
    assert 0.9 < advisory.probability < 1 and advisory.percent == round(advisory.probability * 100)
    assert [str(r) for r in advisory.reasons] == [
        "3 incidents as a victim in the last year: raises",
        "last incident as a victim 12 days ago: raises",
        "3 incidents as a victim in all recorded history: raises",
    ]


@pytest.mark.django_db
def test_a_victim_without_history_is_advised_standard():
    active_version_create()
    victim = person_record_create()
    incident = incident_create(received_at=NOW, victim=victim)
    advisory = advisory_for(risk_assessment_create(incident=incident, victim=victim, grade="standard"))
    assert advisory.suggested == "standard" and advisory.probability < 0.25
    assert str(advisory.reasons[0]) == "no earlier incident as a victim in the 1095 days before: lowers"


@pytest.mark.django_db
def test_an_unreadable_version_gives_no_advisory_rather_than_an_error():
    version = active_version_create()
    HistoryModelVersion.objects.filter(pk=version.pk).update(document={"kind": "something else"})
    assert advisory_for(victim_with_history_create()) is None


@pytest.mark.django_db
def test_the_latest_graded_assessment_of_each_person(django_assert_max_num_queries):
    active_version_create()
    assessment = victim_with_history_create()
    person = assessment.victim.person_id
    earlier_incident = incident_create(received_at=NOW - timedelta(days=5), victim=assessment.victim)
    earlier = risk_assessment_create(incident=earlier_incident, victim=assessment.victim, grade="medium")
    found = latest_advisories([person])
    assert found[person][0] == earlier  # the in-progress one (no grade) is not a grading yet
    assert latest_advisories([person], exclude_incident_id=earlier_incident.pk) == {}
