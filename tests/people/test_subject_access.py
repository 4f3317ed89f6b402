"""The subject access and court export of one person: everything held about them from every part of Vigil and
nothing about anyone else, merged persons followed, a reason required, audited as a disclosure, for auditors only,
and readable as a PDF."""

import io
import json
from datetime import UTC, date, datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_record
from vigil.cases.models import Contact, ProtectiveOrder, Referral
from vigil.incidents.models import Arrest, Outcome
from vigil.marac.models import MaracResearch
from vigil.people import subject_access
from vigil.people.models import Person, RestrictedAccessAlert, Restriction

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 1, 21, 30, tzinfo=UTC)


@pytest.fixture
def held():
    """A victim known on two records (one from a person later merged into her), with an incident, a crime and
    its outcome, an arrest, a risk assessment, a case with a contact, a referral and bail conditions, a warning
    marker and a MARAC referral with research; the suspect on the same incident is someone else entirely."""
    area = factories.area_create(code="east", name="East")
    her = factories.person_record_create(given_name="Rowan", family_name="Victimson", dob=date(1990, 2, 3), sex="F",
                                         address=factories.address_create(line1="3 Synthetic Close"),
                                         phone=factories.phone_create(number="07700 900111"))
    victim = her.person
    merged = factories.person_record_create(given_name="Rowena", family_name="Victimson")
    Person.objects.filter(pk=merged.person_id).update(merged_into=victim)
    merged.person.refresh_from_db()
    other = factories.person_record_create(given_name="Quill", family_name="Othersby", sex="M")

    incident, assessment = factories.da_incident_with_assessment_create(
        victim=victim, suspect=other.person, at=AT, area=area, grade="high", yes_count=15,
        crime_group="assault_with_injury")
    crime = incident.crimes.get()
    Outcome.objects.create(crime=crime, type="charge", decided_at=AT)
    factories.answer_create(assessment=assessment, question="q1")
    factories.grading_decision_create(assessment=assessment, grade="high")
    victim_record = assessment.victim
    Arrest.objects.create(incident=factories.incident_create(victim=other, suspect=victim_record, received_at=AT),
                          person_record=victim_record, arrested_at=AT)
    case = factories.case_create(victim=victim_record, incident=incident, risk_level="high")
    Contact.objects.create(case=case, made_by=case.owner, made_at=AT, method="phone", safe_number_used=True,
                           outcome="spoke", note="Agreed the safety plan")
    Referral.objects.create(case=case, kind="idva", consent="given", sent_at=AT, sent_by=case.owner,
                            acknowledge_by=AT)
    order = ProtectiveOrder.objects.create(case=case, kind="bail_conditions", restricted_person=other,
                                           conditions=["Not to contact the victim"], starts_at=AT,
                                           recorded_by=case.owner, recorded_at=AT)
    order.protected_persons.set([victim_record])
    factories.marker_create(kind="high_risk_victim", person=victim)
    marac = factories.marac_area_create(areas=[area])
    referral = factories.marac_referral_create(area=marac, victim=victim, perpetrator=other.person,
                                               received_on=date(2026, 3, 2))
    MaracResearch.objects.create(referral=referral, agency=factories.agency_create(), author=case.owner,
                                 text="Synthetic research note", added_at=AT)
    officer = factories.user_create(role="specialist_investigator")
    audit_record(action="consultation", actor=officer, obj=victim, subject_person_id=victim.public_id)
    audit_record(action="consultation", actor=officer, obj=merged.person, subject_person_id=merged.person.public_id)
    audit_record(action="consultation", actor=officer, obj=other.person, subject_person_id=other.person.public_id)
    return {"victim": victim, "merged": merged.person, "other": other, "incident": incident, "crime": crime,
            "auditor": factories.user_create(role="auditor")}


def test_the_export_holds_the_persons_records_from_every_part_of_vigil_and_nothing_about_anyone_else(held):
    data = subject_access.subject_access_gather(person=held["victim"], viewer=held["auditor"])
    assert {r["given_name"] for r in data["person_records"]} == {"Rowan", "Rowena", "Sam"}
    assert data["addresses"][0]["line1"] == "3 Synthetic Close" and data["phones"] == ["+447700900111"]
    [incident] = [i for i in data["incidents"] if i["reference"] == held["incident"].reference]
    assert incident["roles"] == ["Victim"]
    assert any(i["roles"] == ["Suspect"] for i in data["incidents"])  # the counter-allegation with her arrest
    assert data["crimes"][0]["reference"] == held["crime"].reference
    assert data["crimes"][0]["outcome"]["type_label"] == "Charge or summons"
    assert len(data["arrests"]) == 1
    assert data["risk_assessments"][0]["yes_count"] == 15 and data["risk_assessments"][0]["answers"]
    case = data["safeguarding_cases"][0]
    assert case["contacts"][0]["note"] == "Agreed the safety plan" and case["referrals"][0]["kind"] == "idva"
    assert data["orders"][0]["is_bail_conditions"] and data["orders"][0]["as"] == "protected by it"
    assert data["warning_markers"][0]["kind"] == "high_risk_victim"
    assert data["marac_referrals"][0]["as"] == "victim"
    assert data["marac_referrals"][0]["research"][0]["text"] == "Synthetic research note"
    text = subject_access.json_text(data)
    assert "Othersby" not in text and "Quill" not in text  # the suspect is never named
    assert str(held["other"].public_id) not in text and str(held["other"].person.public_id) not in text
    subjects_seen = {e["object_type"] for e in data["access_log"]}
    assert len(data["access_log"]) == 2 and subjects_seen == {"people.Person"}  # hers and the merged person's


def test_the_other_persons_export_shows_them_as_perpetrator_without_the_victims_details(held):
    data = subject_access.subject_access_gather(person=held["other"].person, viewer=held["auditor"])
    assert [r["as"] for r in data["marac_referrals"]] == ["perpetrator"]
    referral = data["marac_referrals"][0]
    assert "children" not in referral and "victim_consents" not in referral
    # the agencies' safety planning for the victim is withheld and counted, never sent to the perpetrator
    assert {"research", "actions", "discussion", "judgement_reason"}.isdisjoint(referral)
    assert referral["withheld"]["research"] == 1 and "MARAC coordinator" in referral["withheld"]["reason"]
    assert data["orders"][0]["as"] == "restricted by it" and data["orders"][0]["protected_address"] is None
    text = subject_access.json_text(data)
    assert "Victimson" not in text and "Rowan" not in text and "3 Synthetic Close" not in text
    assert "Synthetic research note" not in text
    assert str(held["victim"].public_id) not in text


def test_a_merged_person_leads_to_the_person_they_were_merged_into(held, client):
    data = subject_access.subject_access_gather(person=held["merged"])
    assert data["person"]["public_id"] == str(held["victim"].public_id)
    assert data["person"]["merged_from"] == [str(held["merged"].public_id)]
    client.force_login(held["auditor"])
    response = client.get(reverse("people:subject-access", args=[held["merged"].public_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("people:subject-access", args=[held["victim"].public_id])


def _post(client, person, **fields):
    return client.post(reverse("people:subject-access", args=[person.public_id]),
                       {"purpose": "subject_access", "reason": "SAR 2026/0412 from the data subject", "format": "json",
                        **fields})


def test_the_json_download_is_complete_names_no_one_and_is_audited_as_a_disclosure_with_the_reason(held, client):
    client.force_login(held["auditor"])
    response = _post(client, held["victim"], purpose="court", reason="Court order T20260099")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert "Victimson" not in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["format"] == "vigil-subject-access" and data["crimes"]
    events = AuditEvent.objects.filter(action="disclosure")
    assert {e.subject_person_id for e in events} == {held["victim"].public_id, held["merged"].public_id}
    assert all(e.reason == "Court: Court order T20260099" and e.actor == held["auditor"] for e in events)
    assert events[0].detail["purpose"] == "court" and events[0].detail["counts"]["crimes"] == 1


@pytest.mark.parametrize("reason", ["", "   "])
def test_without_a_reason_the_export_is_refused_with_a_clear_error_and_nothing_is_disclosed(held, client, reason):
    client.force_login(held["auditor"])
    response = _post(client, held["victim"], reason=reason)
    assert response.status_code == 400
    assert "Enter the reason for the disclosure" in response.content.decode()
    assert not AuditEvent.objects.filter(action="disclosure").exists()
    with pytest.raises(ValueError):  # the audit log itself refuses a disclosure without a reason
        audit_record(action="disclosure", actor=held["auditor"], obj=held["victim"])


@pytest.mark.parametrize("role", ["specialist_investigator", "administrator", "analyst", "partner_practitioner",
                                  "marac_coordinator"])
def test_other_roles_may_not_export_a_person(held, client, role):
    agency = factories.agency_create(code="idva", kind="idva") if role == "partner_practitioner" else None
    client.force_login(factories.user_create(role=role, agency=agency))
    assert client.get(reverse("people:subject-access", args=[held["victim"].public_id])).status_code == 403
    assert _post(client, held["victim"]).status_code == 403
    assert not AuditEvent.objects.filter(action="disclosure").exists()


def test_the_page_is_linked_from_who_has_looked_at_the_record_for_auditors(held, client):
    client.force_login(held["auditor"])
    page = client.get(reverse("people:viewers", args=[held["victim"].public_id])).content.decode()
    assert reverse("people:subject-access", args=[held["victim"].public_id]) in page


def test_a_restricted_persons_owner_is_told_of_the_export_and_why(held, client):
    owner = factories.user_create(role="specialist_investigator")
    Restriction.objects.create(person=held["victim"], reason="Works for the force", owner=owner, created_at=AT)
    Person.objects.filter(pk=held["victim"].pk).update(restricted=True)
    client.force_login(held["auditor"])
    assert _post(client, held["victim"]).status_code == 200
    alert = RestrictedAccessAlert.objects.get(restriction__owner=owner)
    assert alert.accessed_by == held["auditor"] and "SAR 2026/0412" in alert.reason


def test_a_refuge_address_is_withheld_from_an_exporter_not_allowed_to_see_refuge_addresses(held):
    record = held["victim"].records.exclude(address=None).first()
    type(record.address).objects.filter(pk=record.address_id).update(is_refuge=True)
    data = subject_access.subject_access_gather(person=held["victim"], viewer=held["auditor"])
    assert "3 Synthetic Close" not in subject_access.json_text(data)
    assert data["addresses"][0]["text"] == subject_access.REFUGE_WITHHELD


def test_the_pdf_is_readable_and_audited(held, client, pdf_renderer):
    from pypdf import PdfReader

    client.force_login(held["auditor"])
    response = _post(client, held["victim"], format="pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Crimes and outcomes" in text and held["crime"].reference in text and "Othersby" not in text
    assert AuditEvent.objects.filter(action="disclosure", detail__format="pdf").exists()


def test_the_command_writes_the_export_and_audits_the_disclosure(held, tmp_path):
    out = tmp_path / "export.json"
    call_command("subject_access", "--person", str(held["victim"].public_id), "--reason", "SAR 2026/0500",
                 "--format", "json", "--out", str(out), stdout=io.StringIO())
    assert json.loads(out.read_text())["person"]["public_id"] == str(held["victim"].public_id)
    assert out.stat().st_mode & 0o777 == 0o600  # no other account on the server can read the export
    event = AuditEvent.objects.filter(action="disclosure", subject_person_id=held["victim"].public_id).get()
    assert (event.actor, event.reason, event.detail["via"]) == (None, "Subject access request: SAR 2026/0500",
                                                                "vigil subject_access")
    with pytest.raises(CommandError, match="reason"):
        call_command("subject_access", "--person", str(held["victim"].public_id), "--reason", " ",
                     "--format", "json", "--out", str(tmp_path / "none.json"))
    assert not (tmp_path / "none.json").exists()
