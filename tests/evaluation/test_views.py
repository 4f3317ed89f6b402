"""The evaluation pages: who may open them, the report on hand-made data, training, the fairness section, the
switch-on refusal for a version that failed the guard, form errors that keep what was typed, and the audit."""

from datetime import date

import pytest
from django.utils import timezone

from tests.evaluation.test_services import cohort, data_end
from tests.factories import agency_create, user_create
from vigil.audit.models import AuditEvent
from vigil.evaluation.models import EvaluationPolicy, HistoryModelVersion
from vigil.evaluation.outcomes import Period
from vigil.evaluation.services import history_model_train

pytestmark = pytest.mark.django_db

REPORT = {"from": "2011-01-01", "to": "2011-06-30", "area": "", "outcome": "further_incident", "horizon": "12"}
TRAIN = {"training_from": "2011-01-01", "training_to": "2011-06-30", "validation_from": "2012-01-01",
         "validation_to": "2012-06-30", "outcome": "further_incident", "horizon": "12"}


@pytest.fixture
def two_years():
    cohort(2011)
    cohort(2012)
    data_end()


@pytest.fixture
def analyst(client):
    user = user_create(role="analyst")
    client.force_login(user)
    return user


def train(**kwargs) -> HistoryModelVersion:
    return history_model_train(training=Period(date(2011, 1, 1), date(2011, 6, 30)),
                               validation=Period(date(2012, 1, 1), date(2012, 6, 30)), outcome="further_incident",
                               horizon_months=12, **kwargs)


def failing_policy():
    EvaluationPolicy.objects.create(fairness_margin=0.0, fairness_min_group_size=1, effective_from=timezone.now(),
                                    reason="Judge every group, however small, with no margin")


@pytest.mark.parametrize("path", ["/evaluation/", "/evaluation/versions/"])
@pytest.mark.parametrize("role", ["supervisor", "response_officer", "auditor", "administrator"])
def test_only_analysts_open_the_pages(client, path, role):
    client.force_login(user_create(role=role))
    assert client.get(path).status_code == 403
    client.force_login(user_create(role="analyst"))
    assert client.get(path).status_code == 200


def test_a_partner_analyst_is_refused(client):
    # A partner agency's user is never a force user, whatever the role.
    client.force_login(user_create(role="partner_practitioner", agency=agency_create(code="idva", kind="idva")))
    assert client.get("/evaluation/").status_code == 403
    client.force_login(user_create(role="analyst", agency=agency_create(code="idva", kind="idva")))
    assert client.get("/evaluation/").status_code == 403
    assert client.post("/evaluation/versions/train/", TRAIN).status_code == 403


def test_the_report_shows_each_judgement_the_chart_and_its_table_and_is_audited(client, analyst, two_years):
    response = client.get("/evaluation/", REPORT)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Officer&#x27;s grading", "DASH yes-count", "no better than chance", "<svg", "auc-chart-caption",
                 "Sensitivity", "Calibration", "By sex", "By age band", "By area", "a few seconds"):
        assert text in html, text
    report = response.context["report"]
    assert (report.assessments, report.followed_up) == (60, 60)
    assert response.context["chart"].rows  # the same AUCs in the chart and in the table
    event = AuditEvent.objects.get(object_type="evaluation.Report")
    assert (event.action, event.actor_id, event.subject_person_id) == ("consultation", analyst.pk, None)
    assert event.detail["assessments"] == 60


def test_an_outcome_no_one_suffered_shows_no_numbers_for_it(client, analyst, two_years):
    response = client.get("/evaluation/", {**REPORT, "outcome": "homicide_or_near_fatal"})
    assert response.status_code == 200
    assert response.context["report"].harmed == 0
    assert "A homicide or near-fatal incident" in response.content.decode()


def test_the_empty_report_page_works_nothing_out(client, analyst):
    response = client.get("/evaluation/")
    assert response.status_code == 200 and "report" not in response.context
    assert not AuditEvent.objects.filter(object_type="evaluation.Report").exists()


def test_report_form_errors_are_400_and_keep_what_was_typed(client, analyst):
    response = client.get("/evaluation/", {**REPORT, "from": "2011-13-45", "to": "2010-01-01", "horizon": "7"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and 'value="2011-13-45"' in html and 'value="2010-01-01"' in html
    assert "Choose one of the follow-up periods listed" in html
    assert not AuditEvent.objects.filter(object_type="evaluation.Report").exists()


def test_training_from_the_page_keeps_a_draft_and_says_so(client, analyst, two_years):
    response = client.post("/evaluation/versions/train/", TRAIN, follow=True)
    version = HistoryModelVersion.objects.get()
    assert (version.number, version.status, version.trained_by) == (1, "draft", analyst)
    assert response.redirect_chain[-1][0] == "/evaluation/versions/1/"
    html = response.content.decode()
    assert "Version 1 trained and kept as a draft" in html and "Switch this version on" in html
    assert "What the signal weighs" in html and "Domestic abuse incidents against the victim" in html
    assert AuditEvent.objects.filter(object_type="evaluation.HistoryModelVersion", actor=analyst).exists()


def test_train_form_errors_are_400_and_keep_what_was_typed(client, analyst, two_years):
    response = client.post("/evaluation/versions/train/", {**TRAIN, "validation_from": "2011-03-01"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The validation period must start after the training period ends" in html
    assert 'value="2011-03-01"' in html and 'value="2012-06-30"' in html
    response = client.post("/evaluation/versions/train/", {**TRAIN, "training_from": "", "outcome": "homicide"})
    assert response.status_code == 400
    assert "Enter the training start date" in response.content.decode()
    # The service's refusal is shown the same way: no assessments in these periods.
    response = client.post("/evaluation/versions/train/", {**TRAIN, "training_from": "2005-01-01",
                                                          "training_to": "2005-02-01"})
    assert response.status_code == 400 and "cannot be trained" in response.content.decode()
    assert not HistoryModelVersion.objects.exists()


def test_a_passed_version_is_switched_on(client, analyst, two_years):
    version = train()
    response = client.post(f"/evaluation/versions/{version.number}/switch-on/", follow=True)
    version.refresh_from_db()
    assert (version.status, version.switched_on_by) == ("active", analyst)
    assert "is switched on" in response.content.decode()
    listing = client.get("/evaluation/versions/").content.decode()
    assert "Active" in listing and "Passed" in listing


def test_a_failed_version_says_why_and_is_refused(client, analyst, two_years):
    failing_policy()
    version = train()
    assert not version.fairness_passed
    page = client.get(f"/evaluation/versions/{version.number}/").content.decode()
    assert "cannot be switched on because it failed the fairness guard" in page
    assert "Switch this version on</button>" not in page
    assert "is flagged:" in page and "beyond the margin" in page  # which groups, and why, in words
    assert "False negative rate" in page
    assert "Failed" in client.get("/evaluation/versions/").content.decode()
    response = client.post(f"/evaluation/versions/{version.number}/switch-on/")
    assert response.status_code == 400
    assert "Not switched on: version 1 failed the fairness guard" in response.content.decode()
    version.refresh_from_db()
    assert version.status == "draft"


def test_a_version_page_is_audited_and_an_unknown_one_is_404(client, analyst, two_years):
    version = train()
    client.get(f"/evaluation/versions/{version.number}/")
    assert AuditEvent.objects.filter(object_type="evaluation.HistoryModelVersion", action="consultation",
                                     actor=analyst, detail__number=1).exists()
    assert client.get("/evaluation/versions/99/").status_code == 404
