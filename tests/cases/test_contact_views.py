"""The victim-contact pages: the section on the case page, logging a contact (from a task it ticks what
to tell), the safe-number warning, and the contact plan; bad input is a 400 that keeps what was typed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from vigil.cases.models import Contact, Task
from vigil.people.models import SafeContact
from vigil.workdays import LONDON

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(client):
    team = factories.team_create(kind="neighbourhood")
    owner = factories.user_create(role="neighbourhood_officer", teams=[team])
    victim = factories.person_record_create(given_name="Vera", family_name="Viewcontact")
    incident = factories.incident_create(victim=victim, received_at=timezone.now() - timedelta(days=2))
    case = factories.case_create(victim=victim, incident=incident, owner=owner, owning_team=team)
    now = timezone.now()
    task = Task.objects.create(case=case, kind=Task.Kind.COURT_BAIL_TELL_VICTIM, urgent=True, assignee=owner,
                               team=team, title="Tell the victim the court granted bail", due_at=now + timedelta(hours=8),
                               created_at=now, key=f"tell:court_bail:{case.public_id}")
    client.force_login(owner)
    return type("C", (), {"case": case, "owner": owner, "client": client, "task": task, "victim": victim})


def form(**values):
    at = (timezone.now() - timedelta(minutes=5)).astimezone(LONDON)
    data = {"method": "phone", "safe_number_used": "yes", "outcome": "spoke", "told": ["court_bail"],
            "made_on": at.strftime("%Y-%m-%d"), "made_time": at.strftime("%H:%M"), "note": ""}
    data.update(values)
    return data


def safe_number(c):
    SafeContact.objects.create(person=c.victim.person, phone=factories.phone_create(number="07700 900555"),
                               updated_at=timezone.now())


def test_the_case_page_offers_to_log_the_contact_for_the_urgent_task_and_says_no_safe_number_is_recorded(c):
    page = c.client.get(reverse("cases:case", args=[c.case.public_id])).content.decode()
    assert "Victim contact" in page and "No safe number recorded" in page
    assert f"?task={c.task.public_id}" in page and "Log a contact" in page
    assert "Every 28 days" in page


def test_from_the_task_the_form_ticks_what_to_tell(c):
    page = c.client.get(reverse("cases:contact-log", args=[c.case.public_id]) + f"?task={c.task.public_id}")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="court_bail" checked' in html and f'name="task" value="{c.task.public_id}"' in html
    assert "No safe number is recorded for the victim" in html


def test_logging_the_contact_from_the_task_completes_it(c):
    safe_number(c)
    response = c.client.post(reverse("cases:contact-log", args=[c.case.public_id]),
                             form(task=str(c.task.public_id)))
    assert response.status_code == 302 and response["Location"].endswith("#contacts")
    c.task.refresh_from_db()
    assert c.task.status == "done"
    contact = Contact.objects.get()
    assert contact.safe_number_used and contact.told == ["court_bail"] and contact.task == c.task
    page = c.client.get(reverse("cases:case", args=[c.case.public_id])).content.decode()
    assert "Court granted bail" in page and "(safe number)" in page


def test_with_no_safe_number_a_call_is_refused_until_confirmed_safe_and_the_answers_are_kept(c):
    response = c.client.post(reverse("cases:contact-log", args=[c.case.public_id]),
                             form(task=str(c.task.public_id), safe_number_used="no", note="Called the mobile"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "No safe number is recorded for the victim: confirm the number you called was safe" in html
    assert "Called the mobile" in html and 'value="court_bail" checked' in html
    assert not Contact.objects.exists()
    c.task.refresh_from_db()
    assert c.task.status == "open"
    response = c.client.post(reverse("cases:contact-log", args=[c.case.public_id]),
                             form(task=str(c.task.public_id), safe_number_used="no", confirmed_safe="yes"))
    assert response.status_code == 302
    assert not Contact.objects.get().safe_number_used


def test_no_answer_is_logged_and_the_task_stays_open(c):
    safe_number(c)
    response = c.client.post(reverse("cases:contact-log", args=[c.case.public_id]),
                             form(task=str(c.task.public_id), outcome="no_answer", told=[]))
    assert response.status_code == 302
    c.task.refresh_from_db()
    assert c.task.status == "open" and Contact.objects.get().outcome == "no_answer"


def test_a_contact_with_nothing_chosen_lists_every_problem(c):
    response = c.client.post(reverse("cases:contact-log", args=[c.case.public_id]),
                             {"made_on": "", "made_time": ""})
    html = response.content.decode()
    assert response.status_code == 400
    for message in ("Choose how you contacted the victim", "Choose what happened", "Enter the date of the contact"):
        assert message in html
    assert not Contact.objects.exists()


def test_the_contact_plan_is_edited_and_bad_frequencies_are_refused(c):
    url = reverse("cases:contact-plan", args=[c.case.public_id])
    assert 'value="28"' in c.client.get(url).content.decode()
    response = c.client.post(url, {"method": "visit", "update_every_days": "0", "note": "Mornings only"})
    html = response.content.decode()
    assert response.status_code == 400 and "Enter at least 1 day" in html and "Mornings only" in html
    response = c.client.post(url, {"method": "visit", "update_every_days": "14", "note": "Mornings only"})
    assert response.status_code == 302
    c.case.refresh_from_db()
    assert (c.case.contact_method, c.case.update_every_days, c.case.contact_note) == ("visit", 14, "Mornings only")
