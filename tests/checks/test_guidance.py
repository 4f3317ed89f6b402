"""The call takers' guidance: data an administrator edits, every edition kept."""

import pytest
from django.urls import reverse

from tests.factories import user_create
from vigil.checks.guidance import guidance_blocks
from vigil.checks.models import GuidanceRevision, GuidanceTopic


def test_guidance_text_is_paragraphs_and_bullets_with_continued_lines():
    body = "Listen for:\n- one\n- two that\n  goes on\nAfter."
    assert guidance_blocks(body) == [("p", "Listen for:"), ("ul", ["one", "two that goes on"]), ("p", "After.")]


@pytest.mark.django_db
def test_the_first_edition_covers_every_topic_the_call_takers_asked_for():
    titles = list(GuidanceTopic.objects.values_list("title", flat=True))
    assert titles == ["Open questions to ask", "Signs of coercive control",
                      "So-called honour-based abuse and forced marriage", "Children", "Stalking and harassment",
                      "Safety advice to give", "Keeping the caller on the line"]
    assert all(topic.current is not None for topic in GuidanceTopic.objects.all())


@pytest.mark.django_db
def test_an_administrators_edit_is_a_new_revision_and_the_old_text_is_kept(client):
    admin = user_create(role="administrator")
    client.force_login(admin)
    topic = GuidanceTopic.objects.get(slug="stalking")
    first = topic.current

    response = client.post(reverse("admin:checks_guidancetopic_change", args=[topic.pk]), {
        "title": topic.title, "slug": topic.slug, "position": topic.position,
        "body": "- Remember FOUR: Fixated, Obsessive, Unwanted, Repeated.\n- Ask about tracking devices.",
        "note": "Added tracking devices", "revisions-TOTAL_FORMS": "0", "revisions-INITIAL_FORMS": "0",
    })

    assert response.status_code == 302, response.content.decode()[:2000]
    latest = topic.current
    assert latest != first and latest.revised_by == admin and latest.note == "Added tracking devices"
    assert "tracking devices" in latest.body
    assert GuidanceRevision.objects.filter(pk=first.pk, body=first.body).exists()


@pytest.mark.django_db
def test_saving_unchanged_text_makes_no_new_revision(client):
    client.force_login(user_create(role="administrator"))
    topic = GuidanceTopic.objects.get(slug="children")
    client.post(reverse("admin:checks_guidancetopic_change", args=[topic.pk]), {
        "title": topic.title, "slug": topic.slug, "position": topic.position, "body": topic.current.body,
        "note": "", "revisions-TOTAL_FORMS": "0", "revisions-INITIAL_FORMS": "0"})
    assert topic.revisions.count() == 1


@pytest.mark.django_db
def test_a_call_taker_cannot_edit_guidance(client):
    client.force_login(user_create(role="call_taker"))
    topic = GuidanceTopic.objects.first()
    response = client.get(reverse("admin:checks_guidancetopic_change", args=[topic.pk]))
    assert response.status_code == 403
