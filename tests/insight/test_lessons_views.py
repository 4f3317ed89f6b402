"""The lessons pages: who may open the register (a partner or another role is refused), the sign-in that
shows unread briefings first with the way on to the page asked for (also through the second factor),
acknowledging with the POST button, the unread count in the menu, and an analyst's whole journey from
review to coverage and its audited download."""

from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse

from tests.accounts.factories import totp_code, totp_device_create
from tests.factories import TEST_PASSWORD, agency_create, team_create, user_create
from tests.insight.lessons_factories import analyst_create, briefing_create, lesson_create, review_create
from vigil.audit.models import AuditEvent
from vigil.insight.models import Briefing, BriefingAcknowledgement, Lesson, Review

pytestmark = pytest.mark.django_db

BRIEFINGS = reverse("insight:briefings-for-you")
HOME = reverse("accounts:home")
SIGN_IN = reverse("accounts:sign-in")


def text(response) -> str:
    return response.content.decode()


def sign_in(client, user, *, next_url: str | None = None):
    url = SIGN_IN + (f"?{urlencode({'next': next_url})}" if next_url else "")
    return client.post(url, {"username": user.username, "password": TEST_PASSWORD})


# --- who may open the register ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["insight:reviews", "insight:review-new", "insight:briefing-coverage",
                                  "insight:briefing-coverage-csv"])
def test_a_partner_and_other_roles_are_refused_the_register(client, name):
    partner = user_create(role="partner_practitioner", agency=agency_create(code="idva", kind="idva"))
    for user in (partner, user_create(role="response_officer"), user_create(role="auditor")):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403, (name, user.role)
    client.force_login(analyst_create())
    assert client.get(reverse(name)).status_code == 200


def test_a_review_or_briefing_page_is_refused_to_others_and_not_found_when_unknown(client):
    briefing = briefing_create(roles=["response_officer"])
    officer = user_create(role="response_officer")
    client.force_login(officer)
    assert client.get(reverse("insight:review", args=[briefing.lesson.review.public_id])).status_code == 403
    assert client.get(reverse("insight:briefing", args=[briefing.public_id])).status_code == 403
    client.force_login(user_create(role="administrator"))
    assert client.get(reverse("insight:briefing", args=[briefing.public_id])).status_code == 200
    assert client.get(reverse("insight:lesson", args=["00000000-0000-4000-8000-000000000000"])).status_code == 404


# --- sign-in -----------------------------------------------------------------------------------------------

def test_sign_in_with_unread_briefings_goes_to_them_with_the_way_on_home(client):
    officer = user_create(role="response_officer")
    briefing = briefing_create(roles=["response_officer"])
    response = sign_in(client, officer)
    assert response.status_code == 302
    assert response["Location"] == f"{BRIEFINGS}?next={quote(HOME, safe='')}"
    page = client.get(response["Location"])
    assert page.status_code == 200
    body = text(page)
    assert briefing.title in body and briefing.text in body
    assert "I have read this briefing" in body
    assert f'href="{HOME}"' in body and "Continue to your home page" in body


def test_sign_in_keeps_the_page_asked_for_as_the_way_on(client):
    officer = user_create(role="response_officer")
    briefing_create(roles=["response_officer"])
    response = sign_in(client, officer, next_url="/cases/my-work/")
    assert response["Location"] == f"{BRIEFINGS}?{urlencode({'next': '/cases/my-work/'})}"
    body = text(client.get(response["Location"]))
    assert 'href="/cases/my-work/"' in body and "Continue to the page you asked for" in body


def test_sign_in_with_nothing_unread_lands_where_it_always_did(client):
    officer = user_create(role="response_officer")
    briefing_create(roles=["call_taker"])  # for another role
    assert sign_in(client, officer)["Location"] == HOME


def test_the_briefings_come_after_the_second_factor(client, settings):
    settings.DEMO_MODE = False
    officer = user_create(role="response_officer")
    device = totp_device_create(user=officer)
    briefing_create(roles=["response_officer"])
    first = sign_in(client, officer)
    assert first["Location"].startswith(BRIEFINGS)
    step = client.get(first["Location"])
    assert step.status_code == 302 and step["Location"].startswith(reverse("accounts:second-factor"))
    verified = client.post(step["Location"], {"code": totp_code(device)})
    assert verified.status_code == 302 and verified["Location"] == first["Location"]
    assert "I have read this briefing" in text(client.get(verified["Location"]))


def test_a_way_on_to_another_site_is_replaced_by_home(client):
    client.force_login(user_create(role="response_officer"))
    body = text(client.get(f"{BRIEFINGS}?{urlencode({'next': 'https://evil.example/'})}"))
    assert "evil.example" not in body and f'href="{HOME}"' in body


# --- acknowledging -----------------------------------------------------------------------------------------

def test_acknowledging_with_the_button_records_it_audits_it_and_keeps_the_way_on(client):
    officer = user_create(role="response_officer")
    briefing = briefing_create(roles=["response_officer"])
    client.force_login(officer)
    assert "vigil-nav-count" in text(client.get(HOME))  # the unread count in the menu
    url = reverse("insight:briefing-acknowledge", args=[briefing.public_id])
    assert client.get(url).status_code == 405
    response = client.post(url, {"next": "/cases/my-work/"})
    assert response.status_code == 302
    assert response["Location"] == f"{BRIEFINGS}?{urlencode({'next': '/cases/my-work/'})}"
    assert BriefingAcknowledgement.objects.filter(briefing=briefing, user=officer).exists()
    event = AuditEvent.objects.get(detail__step="briefing acknowledged")
    assert event.actor == officer and event.request_id
    page = text(client.get(response["Location"]))
    assert "You have read the briefing" in page and "You have no unread briefings" in page
    assert "Briefings you have read" in page and 'href="/cases/my-work/"' in page
    assert "vigil-nav-count" not in page
    client.post(url)  # again: nothing new
    assert AuditEvent.objects.filter(detail__step="briefing acknowledged").count() == 1


def test_a_briefing_for_someone_else_is_not_found(client):
    briefing = briefing_create(roles=["response_officer"])
    client.force_login(user_create(role="call_taker"))
    response = client.post(reverse("insight:briefing-acknowledge", args=[briefing.public_id]))
    assert response.status_code == 404
    assert not BriefingAcknowledgement.objects.exists()


def test_a_team_member_sees_a_team_briefing_whatever_their_role(client):
    team = team_create()
    member = user_create(role="dispatcher", teams=[team])
    briefing = briefing_create(teams=[team])
    client.force_login(member)
    assert briefing.title in text(client.get(BRIEFINGS))


# --- an analyst's journey ----------------------------------------------------------------------------------

def test_an_analyst_registers_a_review_records_a_lesson_issues_a_briefing_and_reads_the_coverage(client):
    analyst = analyst_create()
    team = team_create(code="response-north")
    officer = user_create(role="response_officer", teams=[team])
    client.force_login(analyst)

    empty = client.post(reverse("insight:review-new"), {})
    assert empty.status_code == 400
    assert "There is a problem" in text(empty) and "Enter the date the review was published" in text(empty)
    response = client.post(reverse("insight:review-new"), {
        "kind": "dhr", "reference": "DHR 2025/07", "title": "Adult A (anonymised)", "published_on": "2025-05-01",
        "area": "", "summary": "Killed by her former partner after stalking."})
    review = Review.objects.get()
    assert response["Location"] == reverse("insight:review", args=[review.public_id])
    assert "DHR 2025/07" in text(client.get(reverse("insight:reviews")))

    response = client.post(reverse("insight:lesson-new", args=[review.public_id]), {
        "text": "Stalking was missed.", "action": "Train response officers.", "owner": str(analyst.public_id),
        "due_on": "2026-06-30"})
    lesson = Lesson.objects.get()
    assert response["Location"] == reverse("insight:lesson", args=[lesson.public_id])
    progress = client.post(reverse("insight:lesson-update", args=[lesson.public_id]), {"status": "in_progress",
                                                                                        "note": "short"})
    assert progress.status_code == 400 and "at least 10 characters" in text(progress)

    nobody = client.post(reverse("insight:briefing-new", args=[lesson.public_id]), {"title": "T", "text": "Text"})
    assert nobody.status_code == 400 and "Choose at least one role or team" in text(nobody)
    response = client.post(reverse("insight:briefing-new", args=[lesson.public_id]), {
        "title": "Ask about stalking", "text": "Ask the stalking questions every time.",
        "teams": ["response-north"]})
    briefing = Briefing.objects.get()
    assert response["Location"] == reverse("insight:briefing", args=[briefing.public_id])
    page = text(client.get(response["Location"]))
    assert team.name in page and "0%" in page

    client.force_login(officer)
    client.post(reverse("insight:briefing-acknowledge", args=[briefing.public_id]))
    client.force_login(analyst)
    assert "100%" in text(client.get(reverse("insight:briefing-coverage")))
    download = client.get(reverse("insight:briefing-coverage-csv"))
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert "attachment" in download["Content-Disposition"]
    assert f"{team.name},1,1,100" in download.content.decode("utf-8-sig")
    assert AuditEvent.objects.filter(action="export", actor=analyst, detail__step="briefing coverage").count() == 1


def test_the_lessons_menu_item_shows_only_for_those_who_keep_the_register(client):
    client.force_login(analyst_create())
    assert reverse("insight:reviews") in text(client.get(HOME))
    client.force_login(user_create(role="response_officer"))
    body = text(client.get(HOME))
    assert reverse("insight:reviews") not in body and BRIEFINGS in body


def test_the_review_and_lesson_pages_show_their_lessons_and_briefings(client):
    analyst = analyst_create()
    review = review_create(by=analyst)
    lesson = lesson_create(review=review, by=analyst)
    briefing = briefing_create(lesson=lesson, by=analyst, roles=["supervisor"])
    client.force_login(analyst)
    assert "Stalking was not recognised" in text(client.get(reverse("insight:review", args=[review.public_id])))
    assert briefing.title in text(client.get(reverse("insight:lesson", args=[lesson.public_id])))
    withdrawn = client.post(reverse("insight:briefing-withdraw", args=[briefing.public_id]),
                            {"reason": "Sent to the wrong role"})
    assert withdrawn.status_code == 302
    assert "Withdrawn on" in text(client.get(withdrawn["Location"]))


def test_the_forms_open_empty_with_labels_for_every_field(client):
    analyst = analyst_create()
    team_create()
    lesson = lesson_create(by=analyst)
    client.force_login(analyst)
    pages = {
        reverse("insight:review-new"): ["Kind of review", "Published reference", "Date published", "Summary"],
        reverse("insight:lesson-new", args=[lesson.review.public_id]): ["Lesson", "Owner of the action", "Due date"],
        reverse("insight:briefing-new", args=[lesson.public_id]): ["Title", "Roles", "Teams", "Response officer"],
    }
    for url, labels in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert all(label in text(response) for label in labels), url
        assert "There is a problem" not in text(response)
