"""How well risk is being judged, in the browser: an analyst runs the evaluation report on two years of
hand-made assessments and their outcomes, reads why a version of the history signal failed the fairness
guard (and cannot be switched on), trains a new version from the page and switches it on. axe-core finds
nothing on any page."""

from datetime import date

import pytest
from django.utils import timezone

from tests import factories
from tests.evaluation.test_services import cohort, data_end
from tests.journeys.pages import SignInPage, VigilPage
from vigil.evaluation.models import EvaluationPolicy, HistoryModelVersion
from vigil.evaluation.outcomes import Period
from vigil.evaluation.services import history_model_train

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class EvaluationPage(VigilPage):
    def __init__(self, page, path: str = "/evaluation/"):
        super().__init__(page)
        self.path = path

    def text(self) -> str:
        return self.page.locator("main").inner_text()

    def fill_dates(self, **dates: str) -> None:
        for label, value in dates.items():
            self.page.get_by_label(label, exact=True).fill(value)

    def press(self, name: str) -> None:
        self.page.get_by_role("button", name=name).click()
        self.page.wait_for_load_state()


def sign_in_as(page, user) -> None:
    page.context.clear_cookies()
    SignInPage(page).open().sign_in(user.username, factories.TEST_PASSWORD)


def a_version_that_fails_the_fairness_guard() -> HistoryModelVersion:
    """Trained under a strict policy (every group judged, no margin); the policy is then put back."""
    EvaluationPolicy.objects.create(fairness_margin=0.0, fairness_min_group_size=1, effective_from=timezone.now(),
                                    reason="Judge every group, however small, with no margin")
    version = history_model_train(training=Period(date(2011, 1, 1), date(2011, 6, 30)),
                                  validation=Period(date(2012, 1, 1), date(2012, 6, 30)),
                                  outcome="further_incident", horizon_months=12)
    EvaluationPolicy.objects.create(effective_from=timezone.now(), reason="Back to the usual margin")
    return version


def test_an_analyst_evaluates_reads_the_fairness_guard_and_switches_a_version_on(page):
    cohort(2011)
    cohort(2012)
    data_end()
    failed = a_version_that_fails_the_fairness_guard()
    assert not failed.fairness_passed
    analyst = factories.user_create(role="analyst", username="analyst")
    sign_in_as(page, analyst)

    # The report: the first half of 2011, a further incident within 12 months.
    report = EvaluationPage(page).open()
    assert report.heading == "How well risk is being judged"
    assert report.accessibility_violations() == []
    report.fill_dates(**{"Start date": "2011-01-01", "End date": "2011-06-30"})
    page.get_by_label("Outcome").select_option(value="further_incident")
    page.get_by_label("Follow-up period").select_option(value="12")
    report.press("Show the report")
    text = report.text()
    assert "Assessments from 1 January 2011 to 30 June 2011" in text
    assert "An AUC of 0.5 is no better than chance" in text
    assert page.get_by_role("img", name="AUC of each judgement").count() == 1  # the chart, and its table:
    assert "DASH yes-count" in page.locator("#predictors").inner_text()
    assert report.accessibility_violations() == []

    # The versions: the failed one says why it cannot be switched on, group by group.
    page.get_by_role("link", name="Versions of the history-based risk signal").click()
    page.wait_for_load_state()
    versions = EvaluationPage(page, "/evaluation/versions/")
    assert versions.heading == "History signal versions" and "Failed" in versions.text()
    assert versions.accessibility_violations() == []
    page.get_by_role("link", name="Version 1").click()
    page.wait_for_load_state()
    version_one = EvaluationPage(page)
    assert "is flagged:" in version_one.text() and "beyond the margin" in version_one.text()
    assert "cannot be switched on because it failed the fairness guard" in version_one.text()
    assert page.get_by_role("button", name="Switch this version on").count() == 0
    assert version_one.accessibility_violations() == []

    # A new version, trained from the page under the usual policy, passes and is switched on.
    versions.open()
    versions.fill_dates(**{"Training start date": "2011-01-01", "Training end date": "2011-06-30",
                           "Validation start date": "2012-01-01", "Validation end date": "2012-06-30"})
    versions.press("Train the version")
    version_two = EvaluationPage(page)
    assert version_two.heading == "History signal version 2"
    assert "Version 2 trained and kept as a draft: it passed the fairness guard" in version_two.text()
    assert "Fairness" in version_two.text() and "Too few to judge" in version_two.text()
    assert version_two.accessibility_violations() == []
    version_two.press("Switch this version on")
    assert "Version 2 is switched on" in version_two.text()
    assert version_two.accessibility_violations() == []
    assert HistoryModelVersion.objects.get(status="active").number == 2
    assert page.csp_violations == []
