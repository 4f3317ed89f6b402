"""History signals beside an assessment include previous incidents as suspect, for the victim and for the
suspect (domain.md, "What the research says about risk")."""

from datetime import UTC, datetime, timedelta

import pytest

from tests import factories
from vigil.risk.selectors import history_signals

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def test_previous_incidents_as_suspect_are_counted_for_the_victim_and_the_suspect():
    victim = factories.person_record_create(given_name="Vic", family_name="Signal")
    suspect = factories.person_record_create(given_name="Sus", family_name="Signal")
    other = factories.person_record_create(given_name="Oth", family_name="Signal")
    factories.incidents_between_create(victim=other, suspect=victim, at=[NOW - timedelta(days=300)])
    factories.incidents_between_create(victim=other, suspect=suspect, at=[NOW - timedelta(days=20),
                                                                          NOW - timedelta(days=90)])
    factories.incidents_between_create(victim=other, suspect=suspect, at=[NOW + timedelta(days=1)])  # later: not history
    incident = factories.incident_create(received_at=NOW, victim=victim, suspect=factories.person_record_create(
        given_name="Sus", family_name="Signal", person=suspect.person))
    assessment = factories.risk_assessment_create(incident=incident, victim=victim, status="in_progress", grade="")

    signals = history_signals(assessment=assessment, viewer=factories.user_create(role="response_officer"))

    assert (signals.victim_incidents_as_suspect, signals.suspect_incidents_as_suspect) == (1, 2)


def test_with_no_suspect_known_the_suspects_count_says_so():
    victim = factories.person_record_create(given_name="Lone", family_name="Signal")
    incident = factories.incident_create(received_at=NOW, victim=victim)
    assessment = factories.risk_assessment_create(incident=incident, victim=victim, status="in_progress", grade="")

    signals = history_signals(assessment=assessment, viewer=factories.user_create(role="response_officer"))

    assert (signals.victim_incidents_as_suspect, signals.suspect_incidents_as_suspect) == (0, None)
