"""What followed each assessment and what was known before it, on a small history built by hand."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    area_create,
    crime_create,
    da_incident_with_assessment_create,
    grading_decision_create,
    incident_create,
)
from vigil.evaluation.outcomes import FEATURES, Period, add_months, age_band, assessment_rows
from vigil.evaluation.policy import DEFAULTS
from vigil.incidents.models import Crime
from vigil.people.models import Person

pytestmark = pytest.mark.django_db


def at(y, m, d):
    return datetime(y, m, d, 12, tzinfo=UTC)


@pytest.fixture
def history():
    """V is abused by S in January and June 2012 (the index assessment, a crime with injury on it), S also
    abused W in March; after June, V is a victim again in August (harassment, recorded on a record whose
    person was later merged into V) and of an assault with injury in February 2013. The data end on
    31 December 2013."""
    victim, suspect, other = Person.objects.create(), Person.objects.create(), Person.objects.create()
    city = area_create()
    _, first = da_incident_with_assessment_create(victim=victim, suspect=suspect, at=at(2012, 1, 10), grade="medium",
                                                  yes_count=7, crime_group="assault_without_injury", area=city,
                                                  dob=date(1980, 7, 1))
    da_incident_with_assessment_create(victim=other, suspect=suspect, at=at(2012, 3, 1), area=city)
    _, index = da_incident_with_assessment_create(victim=victim, suspect=suspect, at=at(2012, 6, 1), grade="high",
                                                  yes_count=15, crime_group="assault_with_injury", area=city,
                                                  dob=date(1980, 7, 1))
    merged = Person.objects.create(merged_into=victim)
    da_incident_with_assessment_create(victim=merged, suspect=suspect, at=at(2012, 8, 1), crime_group="harassment",
                                       area=city)
    injury = crime_create(group="assault_with_injury", recorded_at=at(2013, 2, 1))
    Crime.objects.filter(pk=injury.pk).update(victim=index.victim)
    incident_create(domestic_abuse=False, received_at=datetime(2013, 12, 31, 23, tzinfo=UTC))
    return {"victim": victim, "suspect": suspect, "first": first, "index": index, "area": city}


def rows_by_assessment(**kwargs):
    return {row.assessment_id: row for row in assessment_rows(**kwargs)}


def test_features_count_only_what_was_recorded_before_the_incident(history):
    row = rows_by_assessment()[history["index"].pk]
    assert row.victim_person_id == history["victim"].pk
    assert row.suspect_person_id == history["suspect"].pk
    assert row.features == {
        "victim_incidents_12m": 1.0,  # January; not June itself, nothing after
        "victim_incidents_all": 1.0,
        "days_since_victim_last_incident": 143.0,  # 10 January to 1 June 2012
        "victim_incidents_as_suspect": 0.0,
        "victim_previous_crimes": 1.0,  # January's common assault; not June's own crime
        "victim_highest_previous_grade": 2.0,  # medium in January
        "suspect_incidents_as_suspect": 2.0,  # V in January, W in March
        "suspect_other_victims": 1.0,  # W
        "suspect_previous_crimes": 1.0,
        "yes_count": 15.0,
    }
    assert tuple(row.features) == FEATURES


def test_the_first_assessment_has_no_history_and_cannot_see_the_future(history):
    row = rows_by_assessment()[history["first"].pk]
    expected = dict.fromkeys(FEATURES, 0.0)
    expected |= {"days_since_victim_last_incident": float(DEFAULTS.days_since_cap), "yes_count": 7.0}
    assert row.features == expected


def test_outcomes_follow_the_assessment_within_each_horizon(history):
    rows = rows_by_assessment()
    index, first = rows[history["index"].pk], rows[history["first"].pk]
    # After 1 June 2012: a DA incident and a harassment crime in August (2 months; on a merged person's
    # record), an assault with injury in February 2013 (8 months). June's own crime is not an outcome.
    assert {key: index.outcomes[key] for key in sorted(index.outcomes)} == {
        ("further_crime", 3): True, ("further_crime", 6): True, ("further_crime", 12): True,
        ("further_incident", 3): True, ("further_incident", 6): True, ("further_incident", 12): True,
        ("serious_harm", 3): False, ("serious_harm", 6): False, ("serious_harm", 12): True,
        ("homicide_or_near_fatal", 3): False, ("homicide_or_near_fatal", 6): False,
        ("homicide_or_near_fatal", 12): False,
    }
    # After 10 January: the next incident is June's (4.7 months), with its assault with injury.
    assert first.outcome("further_incident", 3) is False
    assert first.outcome("further_incident", 6) is True
    assert first.outcome("serious_harm", 3) is False
    assert first.outcome("serious_harm", 6) is True


def test_an_attempted_murder_is_a_near_fatal_outcome_and_serious_harm(history):
    attempt = crime_create(group="attempted_murder", recorded_at=at(2012, 10, 1))
    Crime.objects.filter(pk=attempt.pk).update(victim=history["index"].victim)

    row = rows_by_assessment()[history["index"].pk]

    # Four months after 1 June 2012: within 6 and 12 months, not 3.
    assert [row.outcome("homicide_or_near_fatal", months) for months in (3, 6, 12)] == [False, True, True]
    assert row.outcome("serious_harm", 6) is True


def test_an_outcome_not_yet_followed_up_is_none(history):
    _, late = da_incident_with_assessment_create(victim=history["victim"], at=at(2013, 6, 1))
    row = rows_by_assessment()[late.pk]
    assert row.outcome("further_incident", 3) is False  # to 1 September 2013, within the data
    assert row.outcome("further_incident", 6) is False  # to 1 December 2013
    assert row.outcome("further_incident", 12) is None  # to June 2014: after the data end
    assert row.outcome("serious_harm", 12) is None


def test_gradings_period_and_area(history):
    grading_decision_create(assessment=history["index"], stage="officer", grade="medium")
    grading_decision_create(assessment=history["index"], stage="supervisor", grade="high", previous_grade="medium")
    rows = rows_by_assessment(period=Period(date(2012, 6, 1), date(2012, 6, 30)))
    assert list(rows) == [history["index"].pk]
    row = rows[history["index"].pk]
    assert (row.officer_grade, row.supervisor_grade, row.grade) == ("medium", "high", "high")
    assert (row.sex, row.age_band, row.ethnicity, row.area) == ("F", "25-34", "not recorded", history["area"].code)
    assert rows_by_assessment(area=area_create(code="county", name="County")) == {}
    specialist_only = rows_by_assessment()[history["first"].pk]
    assert (specialist_only.officer_grade, specialist_only.supervisor_grade) == ("medium", None)


def test_a_specialist_review_keeps_the_officers_grading_as_the_previous_grade(history):
    grading_decision_create(assessment=history["index"], stage="specialist", grade="medium", previous_grade="high")
    row = rows_by_assessment()[history["index"].pk]
    assert (row.officer_grade, row.supervisor_grade) == ("high", None)


def test_the_number_of_queries_does_not_grow_with_the_assessments(history):
    with CaptureQueriesContext(connection) as few:
        assessment_rows()
    for month in range(1, 7):
        da_incident_with_assessment_create(victim=Person.objects.create(), suspect=Person.objects.create(),
                                           at=at(2011, month, 3), crime_group="harassment")
    with CaptureQueriesContext(connection) as more:
        assert len(assessment_rows()) == 10
    assert len(more.captured_queries) == len(few.captured_queries) <= 12


def test_age_bands_and_months():
    assert age_band(date(2000, 6, 2), date(2018, 6, 1)) == "under 18"
    assert age_band(date(2000, 6, 1), date(2018, 6, 1)) == "18-24"
    assert age_band(None, date(2018, 6, 1)) == "not recorded"
    assert age_band(date(1940, 1, 1), date(2012, 1, 1)) == "65 and over"
    assert add_months(datetime(2012, 1, 31, tzinfo=UTC), 1) == datetime(2012, 2, 29, tzinfo=UTC)
    assert add_months(datetime(2012, 11, 15, tzinfo=UTC), 3) == datetime(2013, 2, 15, tzinfo=UTC)
