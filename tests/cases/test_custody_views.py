"""The custody pages: forms that record each event and send the officer back to the case; bad input is
a 400 with the GOV.UK error summary, what was typed kept, and nothing saved."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from vigil.cases import custody_services as custody_svc
from vigil.cases.models import CustodyRecord, ProtectiveOrder, Task
from vigil.people.models import WarningMarker
from vigil.workdays import LONDON

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(client):
    team = factories.team_create(kind="neighbourhood")
    owner = factories.user_create(role="neighbourhood_officer", teams=[team])
    address = factories.address_create(line1="3 Sample Street", postcode="LE2 1ZZ")
    victim = factories.person_record_create(given_name="Vera", family_name="Viewcase", address=address)
    suspect = factories.person_record_create(given_name="Sam", family_name="Viewcase")
    incident = factories.incident_create(victim=victim, suspect=suspect,
                                         received_at=timezone.now() - timedelta(days=2))
    case = factories.case_create(victim=victim, incident=incident, owner=owner, owning_team=team)
    client.force_login(owner)
    return type("C", (), {"case": case, "owner": owner, "client": client, "suspect": suspect})


def local(delta=timedelta(hours=-1)):
    at = (timezone.now() + delta).astimezone(LONDON)
    return at.strftime("%Y-%m-%d"), at.strftime("%H:%M")


def arrested(c):
    return custody_svc.custody_arrest_record(case=c.case, by=c.owner,
                                             arrested_at=timezone.now() - timedelta(hours=20))


def test_the_case_page_shows_the_custody_section_with_a_link_to_record_an_arrest(c):
    page = c.client.get(reverse("cases:case", args=[c.case.public_id])).content.decode()
    assert "Custody, court and bail" in page and "No arrest recorded." in page
    assert reverse("cases:custody-arrest", args=[c.case.public_id]) in page


def test_recording_an_arrest_goes_back_to_the_case_with_a_task_to_tell_the_victim(c):
    day, at = local()
    response = c.client.post(reverse("cases:custody-arrest", args=[c.case.public_id]),
                             {"arrested_on": day, "arrested_time": at})
    assert response.status_code == 302 and response["Location"].endswith("#custody")
    record = CustodyRecord.objects.get()
    assert record.suspect == c.suspect and record.recorded_by == c.owner
    assert Task.objects.filter(case=c.case, kind="tell_victim").count() == 1
    page = c.client.get(reverse("cases:case", args=[c.case.public_id])).content.decode()
    assert "Arrest of Sam Viewcase" in page and "Record what happened" in page


def test_an_arrest_in_the_future_is_refused_with_a_message_and_what_was_typed_is_kept(c):
    day, at = local(timedelta(days=2))
    response = c.client.post(reverse("cases:custody-arrest", args=[c.case.public_id]),
                             {"arrested_on": day, "arrested_time": at})
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page and "The arrest cannot be in the future" in page
    assert f'value="{day}"' in page and f'value="{at}"' in page
    assert not CustodyRecord.objects.exists()


def test_a_form_with_a_bad_time_says_how_to_write_it(c):
    response = c.client.post(reverse("cases:custody-arrest", args=[c.case.public_id]),
                             {"arrested_on": "2026-02-30", "arrested_time": "25:99"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter the date of arrest as a real date" in page and "Enter the time of arrest like 14:30" in page


def test_bail_with_conditions_from_the_form_places_the_markers(c):
    record = arrested(c)
    day, at = local()
    response = c.client.post(reverse("cases:custody-disposal", args=[record.public_id]), {
        "disposal": "pre_charge_bail", "disposed_on": day, "disposed_time": at,
        "bail_conditions": "Not to contact Vera Viewcase\r\nNot to enter Sample Street",
        "bail_return_on": (timezone.localdate() + timedelta(days=28)).isoformat()})
    assert response.status_code == 302
    order = ProtectiveOrder.objects.get()
    assert order.conditions == ["Not to contact Vera Viewcase", "Not to enter Sample Street"]
    assert WarningMarker.objects.filter(kind="bail_conditions").count() == 2
    page = c.client.get(reverse("cases:case", args=[c.case.public_id])).content.decode()
    assert "Not to enter Sample Street" in page and "Pre-charge bail with conditions" in page


def test_bail_without_conditions_is_refused_and_the_choice_is_kept(c):
    record = arrested(c)
    day, at = local()
    response = c.client.post(reverse("cases:custody-disposal", args=[record.public_id]), {
        "disposal": "pre_charge_bail", "disposed_on": day, "disposed_time": at, "bail_conditions": "",
        "bail_return_on": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter the bail conditions, one on each line" in page
    assert 'value="pre_charge_bail" checked' in page
    record.refresh_from_db()
    assert record.disposal == "" and not ProtectiveOrder.objects.exists()


def test_a_remand_and_then_the_courts_bail_from_the_forms(c):
    record = arrested(c)
    day, at = local()
    hearing_day, hearing_at = local(timedelta(minutes=-30))
    response = c.client.post(reverse("cases:custody-disposal", args=[record.public_id]), {
        "disposal": "charged_remanded", "disposed_on": day, "disposed_time": at,
        "court_name": "Leicester Magistrates' Court", "hearing_on": hearing_day, "hearing_time": hearing_at})
    assert response.status_code == 302
    page = c.client.get(reverse("cases:case", args=[c.case.public_id])).content.decode()
    assert "Record the court's decision" in page
    decided_day, decided_at = local(timedelta(minutes=-5))
    response = c.client.post(reverse("cases:custody-court-outcome", args=[record.public_id]), {
        "outcome": "bailed", "decided_on": decided_day, "decided_time": decided_at,
        "bail_conditions": "Not to enter LE2", "bail_return_on": ""})
    assert response.status_code == 302
    task = Task.objects.get(case=c.case, kind="court_bail")
    assert task.urgent and task.status == "open"
    assert Task.objects.get(case=c.case, kind="court_outcome").status == "done"


def test_a_court_decision_before_any_remand_is_refused(c):
    record = arrested(c)
    day, at = local()
    response = c.client.post(reverse("cases:custody-court-outcome", args=[record.public_id]),
                             {"outcome": "bailed", "decided_on": day, "decided_time": at})
    assert response.status_code == 400
    assert "only after a charge and remand" in response.content.decode()


def test_setting_a_release_date(c):
    record = arrested(c)
    release_on = timezone.localdate() + timedelta(days=60)
    response = c.client.post(reverse("cases:custody-release-date", args=[record.public_id]),
                             {"release_on": release_on.isoformat()})
    assert response.status_code == 302
    assert set(Task.objects.filter(case=c.case, kind__startswith="release").values_list("kind", flat=True)) == \
        {"release_review", "release_notify"}
    response = c.client.post(reverse("cases:custody-release-date", args=[record.public_id]), {"release_on": ""})
    assert response.status_code == 400 and "Enter the release date" in response.content.decode()


def test_a_reader_who_does_not_work_cases_cannot_record_custody_events(c, client):
    client.force_login(factories.user_create(role="marac_coordinator"))
    assert client.get(reverse("cases:custody-arrest", args=[c.case.public_id])).status_code == 403
