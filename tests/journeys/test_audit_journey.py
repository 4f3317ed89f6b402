"""An officer opens a restricted record with a reason; an auditor finds that look in the audit log."""

import pytest

from tests import factories
from tests.journeys.pages import AuditSearchPage, PersonSearchPage, RestrictedRecordPage, SignInPage
from vigil.people import services
from vigil.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_restricted_look_is_found_by_the_auditor(page):
    person = Person.objects.create()
    factories.person_record_create(given_name="Ida", family_name="Fairweather", person=person)
    services.restriction_create(person=person, by=factories.user_create(role="specialist_investigator"),
                                reason="Victim is a member of staff")
    officer = factories.user_create(role="call_taker", username="officer-one")
    auditor = factories.user_create(role="auditor", username="auditor-one")

    SignInPage(page).open().sign_in(officer.username, factories.TEST_PASSWORD)
    search = PersonSearchPage(page).open()
    assert search.accessibility_violations() == []
    search.search(family_name="Fairweather")
    assert "Restricted record" in page.content()
    assert "Ida" not in page.content()
    assert search.accessibility_violations() == []
    search.open_result(1)
    restricted = RestrictedRecordPage(page)
    assert restricted.heading == "This record is restricted"
    assert restricted.accessibility_violations() == []
    restricted.open_with_reason("Caller is at the address now")
    assert "Fairweather" in page.locator("h1").inner_text()
    assert restricted.accessibility_violations() == []
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()

    SignInPage(page).open().sign_in(auditor.username, factories.TEST_PASSWORD)
    audit = AuditSearchPage(page).open()
    assert audit.accessibility_violations() == []
    audit.search(user="officer-one", action="Looked at personal data")
    rows = audit.result_rows()
    assert rows and any("Caller is at the address now" in row for row in rows)
    assert audit.accessibility_violations() == []
    assert page.csp_violations == []
