"""Who is who, in the browser: a researcher opens a pair from the review queue, compares the two persons and
merges them with a reason; the person's history and repeat count change accordingly. axe-core finds nothing
on any page."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.journeys.pages import SignInPage, VigilPage
from vigil.audit.models import AuditEvent
from vigil.linkage import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class PersonPage(VigilPage):
    def __init__(self, page, public_id=None):
        super().__init__(page)
        if public_id is not None:
            self.path = f"/people/{public_id}/"

    @property
    def history(self) -> str:
        return self.page.locator("#person-history").inner_text()


class ReviewQueuePage(VigilPage):
    path = "/linkage/reviews/"

    def rows(self) -> list[str]:
        return self.page.locator("tbody tr").all_inner_texts()

    def open_first_pair(self) -> "ReviewPage":
        self.page.locator("tbody tr").first.get_by_role("link").click()
        self.page.wait_for_load_state()
        return ReviewPage(self.page)


class ReviewPage(VigilPage):
    def decide(self, *, same: bool, reason: str):
        group = self.page.get_by_role("group", name="Are these the same person?")
        group.get_by_label("Yes: the same person" if same else "No: different people", exact=False).check()
        self.page.get_by_label("Why?").fill(reason)
        self.page.get_by_role("button", name="Save the decision").click()
        self.page.wait_for_load_state()

    @property
    def error_summary(self) -> str:
        return self.page.locator(".govuk-error-summary").inner_text()


def test_a_reviewer_merges_two_records_and_the_history_and_repeat_count_change(page, live_server):
    researcher = factories.user_create(role="intelligence_researcher", username="researcher")
    home = factories.address_create(line1="4 Sample Street", postcode="LE2 1AB")
    liz = factories.person_record_create(given_name="Liz", family_name="Smyth", dob=date(1985, 3, 12), address=home)
    elizabeth = factories.person_record_create(given_name="Elizabeth", family_name="Smith", dob=date(1985, 12, 3),
                                               address=home)
    now = timezone.now()
    factories.incident_create(victim=liz, received_at=now - timedelta(days=20))
    factories.incident_create(victim=elizabeth, received_at=now - timedelta(days=90))
    services.review_open(record_a=liz, record_b=elizabeth, probability=0.83, source="relink")

    SignInPage(page).open().sign_in("researcher", factories.TEST_PASSWORD)
    before = PersonPage(page, liz.person.public_id).open()
    assert "1 in all, 1 in the last 12 months" in before.history
    assert "Repeat victim" not in before.history
    assert before.accessibility_violations() == []

    page.get_by_role("link", name="Who is who").click()
    page.wait_for_load_state()
    queue = ReviewQueuePage(page)
    assert queue.heading == "Who is who: pairs to review"
    assert len(queue.rows()) == 1 and "0.83" in queue.rows()[0]
    assert queue.accessibility_violations() == []

    review = queue.open_first_pair()
    assert review.heading == "Are these the same person?"
    assert "Liz Smyth" in page.content() and "Elizabeth Smith" in page.content()
    assert review.accessibility_violations() == []
    review.decide(same=True, reason="")
    assert "Explain the decision" in review.error_summary
    assert review.accessibility_violations() == []

    review.decide(same=True, reason="Same address; the dates of birth are day and month swapped; Liz is Elizabeth")
    after = PersonPage(page)
    assert "record(s) now belong to this person" in page.locator(".govuk-notification-banner").inner_text()
    assert "2 in all, 2 in the last 12 months" in after.history
    assert "Repeat victim" in after.history
    assert "Same person (merged)" in page.locator("table", has_text="Decisions about who this person is").inner_text()
    assert after.accessibility_violations() == []
    assert AuditEvent.objects.filter(action="combination", actor=researcher).count() == 2
    assert not page.csp_violations
