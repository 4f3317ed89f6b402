"""Factories for lessons from reviews: a review, a lesson, a briefing (made through the services, as an
analyst would). Users, agencies and teams come from tests/factories.py."""

import itertools
from datetime import date

from tests.factories import user_create
from vigil.insight import lessons_services
from vigil.insight.models import Review

_counter = itertools.count(1)


def analyst_create(**kwargs):
    return user_create(role="analyst", **kwargs)


def review_create(*, by=None, kind: str = Review.Kind.DOMESTIC_HOMICIDE, published_on: date = date(2025, 6, 1)):
    n = next(_counter)
    return lessons_services.review_register(
        kind=kind, reference=f"DHR 2025/{n:02d}", title=f"Review into the death of Adult {n} (anonymised)",
        published_on=published_on, summary="A woman was killed by her former partner after months of stalking.",
        by=by or analyst_create())


def lesson_create(*, review=None, by=None, owner=None, due_on: date = date(2026, 6, 30)):
    by = by or analyst_create()
    return lessons_services.lesson_record(
        review=review or review_create(by=by), text="Stalking was not recognised as a risk factor.",
        action="Brief every response officer on the stalking questions in the DASH checklist.",
        owner=owner or by, due_on=due_on, by=by)


def briefing_create(*, lesson=None, by=None, roles=(), teams=(), title: str | None = None):
    by = by or analyst_create()
    return lessons_services.briefing_issue(
        lesson=lesson or lesson_create(by=by), title=title or f"Stalking is a risk factor ({next(_counter)})",
        text="Ask the stalking questions every time. Record the answers. Tell your supervisor.",
        roles=roles, teams=teams, by=by)
