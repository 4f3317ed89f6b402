"""The three kinds that complete a force's history: risk assessments, orders and bail conditions, MARAC
referrals. For each: a good row lands with the right values, each bad row says why, the same file twice
changes nothing and a corrected row updates its record (synthetic data only)."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.factories import (
    agency_create,
    area_create,
    case_create,
    marac_area_create,
    team_create,
    user_create,
)
from vigil.accounts.models import Team, User
from vigil.cases.models import ProtectiveOrder, SafeguardingCase
from vigil.imports import schema
from vigil.imports.writers.orders import NO_CASE, NO_OWNER
from vigil.incidents.models import Incident
from vigil.marac.agenda import Criterion
from vigil.marac.models import MaracMeeting, MaracReferral
from vigil.marac.selectors import referral_prompt
from vigil.people.models import PersonRecord, WarningMarker
from vigil.risk.models import RiskAssessment, RiskLevel

from .helpers import csv_bytes, incident, marac_referral, order, person, risk_assessment, run_import

pytestmark = pytest.mark.django_db



def _reasons(run) -> dict[int, list[str]]:
    return {row.row_number: row.reasons for row in run.quarantine.all()}


@pytest.fixture
def history():
    """Persons NOM-0001 (victim), NOM-0002 (suspect), NOM-0003 (a child) and incident INC-00001."""
    area_create(code="city")
    run_import("persons", csv_bytes("persons", [person(1, sex="F"), person(2, sex="M"), person(3)]))
    run_import("incidents", csv_bytes("incidents", [incident(1, area_code="city", victim_person_id="NOM-0001",
                                                             suspect_person_id="NOM-0002")]))
    return {n: PersonRecord.objects.get(source_ref=f"NOM-{n:04d}") for n in (1, 2, 3)}


def test_the_schema_codes_are_the_models_choices():
    assert set(schema.RISK_GRADES) == set(RiskLevel.values)
    assert set(schema.ORDER_KINDS) == set(ProtectiveOrder.Kind.values)
    assert set(schema.ORDER_STATUSES) == set(ProtectiveOrder.Status.values)
    assert set(schema.MARAC_CRITERIA) == {c.value for c in Criterion}
    definitions = Path(__file__).parents[2] / "src/vigil/risk/definitions"
    assert set(schema.INSTRUMENTS) == {json.loads(p.read_text())["code"] for p in definitions.glob("*.json")}
    for name in ("risk_assessments", "orders", "marac_referrals"):
        assert list(schema.KINDS).index(name) > list(schema.KINDS).index("relationships")


# --- risk assessments ----------------------------------------------------------------------------------------

def test_a_risk_assessment_lands_complete_with_its_grade(history):
    run = run_import("risk_assessments", csv_bytes("risk_assessments", [risk_assessment(1)]))
    assert (run.created, run.quarantined) == (1, 0)
    stored = RiskAssessment.objects.get()
    assert stored.incident == Incident.objects.get(source_ref="INC-00001") and stored.victim == history[1]
    assert (stored.instrument, stored.grade, stored.yes_count) == ("dash-2009", "high", 15)
    assert stored.status == RiskAssessment.Status.SUBMITTED
    assert stored.assessed_at == stored.submitted_at == datetime(2012, 10, 1, 22, 40, tzinfo=UTC)
    assert not stored.decisions.exists() and stored.supervision_due_at is None  # history: not in any queue


def test_bad_risk_assessment_rows_say_why(history):
    rows = [risk_assessment(1, grade="severe"), risk_assessment(2, completed_at=""),
            risk_assessment(3, incident_id="INC-99999"), risk_assessment(4, yes_count="30"),
            risk_assessment(5, instrument="dara")]
    run = run_import("risk_assessments", csv_bytes("risk_assessments", rows))
    reasons = _reasons(run)
    assert run.created == 0
    assert reasons[1] == ["grade must be one of: standard, medium, high"]
    assert reasons[2] == ["completed_at is required"]
    assert reasons[3] == ["incident_id names an incident not imported from rms (import the incidents file first)"]
    assert reasons[4] == ["yes_count must be from 0 to 27"]
    assert reasons[5] == ["instrument must be one of: dash-2009, safelives-ric"]


def test_risk_assessments_twice_change_nothing_and_a_correction_updates(history):
    content = csv_bytes("risk_assessments", [risk_assessment(1)])
    run_import("risk_assessments", content)
    again = run_import("risk_assessments", content)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    fixed = run_import("risk_assessments", csv_bytes("risk_assessments", [risk_assessment(1, grade="medium",
                                                                                          yes_count="9")]))
    assert (fixed.created, fixed.updated) == (0, 1)
    assert RiskAssessment.objects.values_list("grade", "yes_count").get() == ("medium", 9)


# --- orders and bail conditions ----------------------------------------------------------------------------

@pytest.fixture
def owners():
    """The neighbourhood team the ownership policy names for a standard-risk case, with its supervisor."""
    team = team_create(kind=Team.Kind.NEIGHBOURHOOD)
    team.supervisor = user_create(role="supervisor", teams=[team])
    team.save()
    return team


def test_an_ended_order_lands_on_a_closed_case_opened_for_it(history, owners):
    run = run_import("orders", csv_bytes("orders", [order(1, other_protected_person_ids="NOM-0003",
                                                          served_at="2012-10-03T11:00:00+01:00")]))
    assert (run.created, run.quarantined) == (1, 0)
    stored = ProtectiveOrder.objects.get()
    assert (stored.kind, stored.status, stored.ends_on) == ("dvpo", "ended", date(2012, 10, 30))
    assert stored.restricted_person == history[2]
    assert set(stored.protected_persons.all()) == {history[1], history[3]}
    assert stored.conditions == ["Not to contact the victim", "Not to enter the street"]
    assert stored.starts_at == datetime(2012, 10, 3, 9, 0, tzinfo=UTC)
    case = stored.case
    assert (case.victim, case.incident.source_ref, case.owner, case.owning_team) == (
        history[1], "INC-00001", owners.supervisor, owners)
    assert case.closed_at == stored.starts_at and not case.tasks.exists()
    assert not stored.markers.exists()  # no longer in force: nothing to warn the control room of
    recorder = stored.recorded_by
    assert (recorder.username, recorder.is_active, recorder.has_usable_password()) == ("import-rms", False, False)


def test_an_order_in_force_goes_on_the_victims_case_and_warns_the_control_room(history):
    record = PersonRecord.objects.get(source_ref="NOM-0001")
    existing = case_create(victim=record, incident=Incident.objects.get(source_ref="INC-00001"))
    row = order(1, kind="bail_conditions", status="in_force", ends_on="2099-01-01", incident_id="")
    run = run_import("orders", csv_bytes("orders", [row]))
    assert (run.created, run.quarantined) == (1, 0)
    stored = ProtectiveOrder.objects.get()
    assert stored.case == existing and stored.ends_on == date(2099, 1, 1)
    markers = WarningMarker.objects.filter(person_id=record.person_id)
    assert markers.get().kind == WarningMarker.Kind.BAIL_CONDITIONS
    assert set(stored.markers.all()) == set(WarningMarker.objects.all())


def test_bad_order_rows_say_why(history, owners):
    rows = [order(1, kind="asbo"), order(2, restricted_person_id=""), order(3, victim_person_id="NOM-9999"),
            order(4, ends_on="2012-10-01"), order(5, restricted_person_id="NOM-0001"), order(6, status="lapsed")]
    run = run_import("orders", csv_bytes("orders", rows))
    reasons = _reasons(run)
    assert run.created == 0
    assert reasons[1][0].startswith("kind must be one of: bail_conditions, dvpn")
    assert reasons[2] == ["restricted_person_id is required"]
    assert reasons[3] == ["victim_person_id names a person not imported from rms (import the persons file first)"]
    assert reasons[4] == ["ends_on is before starts_at"]
    assert reasons[5] == ["restricted_person_id and victim_person_id are the same person"]
    assert reasons[6] == ["status must be one of: in_force, ended, revoked"]


def test_an_order_for_a_victim_without_a_case_or_an_owner_goes_to_the_quarantine(history):
    run = run_import("orders", csv_bytes("orders", [order(1, incident_id=""), order(2)]))
    assert _reasons(run) == {1: [NO_CASE], 2: [NO_OWNER]}
    assert not SafeguardingCase.objects.exists() and not ProtectiveOrder.objects.exists()


def test_orders_twice_change_nothing_and_a_correction_updates(history, owners):
    content = csv_bytes("orders", [order(1, status="in_force", ends_on="2099-01-01")])
    run_import("orders", content)
    assert WarningMarker.objects.count() == 1  # the victim (her record has no address)
    case = SafeguardingCase.objects.get()  # opened live for an order in force, owned by the policy's team
    assert case.closed_at is None and case.owner == owners.supervisor and case.tasks.count() == 1
    again = run_import("orders", content)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    fixed = run_import("orders", csv_bytes("orders", [order(1, status="revoked", conditions="Not to contact")]))
    assert (fixed.created, fixed.updated) == (0, 1)
    stored = ProtectiveOrder.objects.get()
    assert (stored.status, stored.conditions) == ("revoked", ["Not to contact"])
    assert stored.status_changed_at is not None
    assert not WarningMarker.objects.exists()  # revoked: its markers go with the correction
    assert SafeguardingCase.objects.count() == 1


# --- MARAC history -----------------------------------------------------------------------------------------

@pytest.fixture
def marac():
    agency_create(code="force")
    agency_create(code="idva", kind="idva")
    return marac_area_create(code="city-marac")


def test_a_marac_referral_lands_heard_at_its_meeting(history, marac):
    run = run_import("marac_referrals", csv_bytes("marac_referrals", [marac_referral(
        1, criteria="visible_high_risk;repeat_marac", is_repeat="true", incidents_12m="3")]))
    assert (run.created, run.quarantined) == (1, 0)
    stored = MaracReferral.objects.get()
    assert stored.victim_id == history[1].person_id and stored.perpetrator_id == history[2].person_id
    assert (stored.area, stored.referring_agency.code, stored.received_on) == (marac, "force", date(2012, 10, 4))
    assert (stored.criteria, stored.is_repeat, stored.incidents_12m) == (["repeat_marac", "visible_high_risk"],
                                                                         True, 3)
    assert (stored.status, stored.victim_aware, stored.victim_consents) == ("heard", True, True)
    meeting = stored.meeting
    assert (meeting.area, meeting.held_on, meeting.status) == (marac, date(2012, 10, 18), "held")
    assert meeting.chair.username == "import-rms" and not meeting.chair.is_active
    assert stored.referred_by == meeting.chair
    # The repeat-MARAC rule sees it: within 12 months and no incident since, there is nothing to prompt.
    assert referral_prompt(victim=history[1].person, on=date(2013, 3, 1)) is None


def test_a_partners_referral_is_made_by_its_own_import_account(history, marac):
    run_import("marac_referrals", csv_bytes("marac_referrals", [
        marac_referral(1, referring_agency="idva", heard_on=""),
        marac_referral(2, referring_agency="idva", received_on="2012-11-01", heard_on="2012-11-15")]))
    first, second = MaracReferral.objects.order_by("received_on")
    assert (first.status, first.meeting) == ("received", None)
    assert first.referred_by == second.referred_by
    assert (first.referred_by.username, first.referred_by.role) == ("import-rms-idva", "partner_practitioner")
    assert User.objects.filter(username__startswith="import-").count() == 2  # and the chair's


def test_bad_marac_rows_say_why(history, marac):
    rows = [marac_referral(1, criteria="gut_feeling"), marac_referral(2, received_on=""),
            marac_referral(3, victim_person_id="NOM-9999"), marac_referral(4, victim_consents="false"),
            marac_referral(5, perpetrator_person_id="NOM-0001"), marac_referral(6, heard_on="2012-10-01"),
            marac_referral(7, victim_aware="false")]
    run = run_import("marac_referrals", csv_bytes("marac_referrals", rows))
    reasons = _reasons(run)
    assert run.created == 0
    assert reasons[1] == ["criteria must be one or more of: visible_high_risk, professional_judgement, "
                          "potential_escalation, repeat_marac (separated by ;)"]
    assert reasons[2] == ["received_on is required"]
    assert reasons[3] == ["victim_person_id names a person not imported from rms (import the persons file first)"]
    assert reasons[4] == ["reason_without_consent is required when victim_consents is false"]
    assert reasons[5] == ["victim_person_id and perpetrator_person_id are the same person"]
    assert reasons[6] == ["heard_on is before received_on"]
    assert reasons[7] == ["victim_consents is true but victim_aware is false: a victim who consents knows"]


def test_unknown_marac_area_and_agency_codes_go_to_the_quarantine(history, marac):
    rows = [marac_referral(1, area_code="moon-marac"), marac_referral(2, referring_agency="nobody")]
    run = run_import("marac_referrals", csv_bytes("marac_referrals", rows))
    assert _reasons(run) == {1: ["area_code is not a known MARAC area code"],
                             2: ["referring_agency is not a known agency code"]}
    assert not MaracReferral.objects.exists() and not MaracMeeting.objects.exists()


def test_marac_referrals_twice_change_nothing_and_a_correction_updates(history, marac):
    content = csv_bytes("marac_referrals", [marac_referral(1)])
    run_import("marac_referrals", content)
    again = run_import("marac_referrals", content)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    fixed = run_import("marac_referrals", csv_bytes("marac_referrals", [marac_referral(
        1, victim_consents="false", reason_without_consent="Risk to life: shared without consent",
        heard_on="2012-11-01")]))
    assert (fixed.created, fixed.updated) == (0, 1)
    stored = MaracReferral.objects.get()
    assert (stored.victim_consents, stored.meeting.held_on) == (False, date(2012, 11, 1))
    assert MaracMeeting.objects.count() == 2  # the first meeting stays: other referrals may be on it
