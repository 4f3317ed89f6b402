"""Policies kept as rows (the lists' policy, the evaluation policy): an administrator changes one by adding
a row with a reason, starting from the values in force; rows are never edited or deleted, so the table
is the policy's history and the latest row is in force."""

import pytest
from django.urls import reverse

from tests.factories import user_create
from vigil.evaluation.models import EvaluationPolicy
from vigil.evaluation.policy import POLICY_FIELDS, evaluation_policy
from vigil.linkage.list_policy import list_policy
from vigil.linkage.models import ListPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(client):
    user = user_create(role="administrator")
    client.force_login(user)
    return user


def test_a_new_evaluation_policy_row_starts_from_the_values_in_force_and_is_in_force_once_saved(client,
                                                                                              administrator):
    page = client.get(reverse("admin:evaluation_evaluationpolicy_add")).content.decode()
    assert f'value="{evaluation_policy().fairness_margin}"' in page

    data = {name: getattr(evaluation_policy(), name) for name in POLICY_FIELDS}
    data.update(fairness_margin=0.05, reason="The review board asked for a stricter guard")
    response = client.post(reverse("admin:evaluation_evaluationpolicy_add"), data)

    assert response.status_code == 302
    row = EvaluationPolicy.objects.get()
    assert row.changed_by == administrator and row.effective_from is not None
    assert evaluation_policy().fairness_margin == 0.05
    assert client.post(reverse("admin:evaluation_evaluationpolicy_change", args=[row.pk]),
                       {**data, "fairness_margin": 0.5}).status_code == 403
    assert client.post(reverse("admin:evaluation_evaluationpolicy_delete", args=[row.pk]),
                       {"post": "yes"}).status_code == 403
    row.refresh_from_db()
    assert row.fairness_margin == 0.05


def test_a_new_list_policy_row_starts_from_the_values_in_force(client, administrator):
    page = client.get(reverse("admin:linkage_listpolicy_add")).content.decode()
    assert f'value="{list_policy().repeat_window_days}"' in page
    fields = ["repeat_window_days", "repeat_min_incidents", "commander_threshold", "repeat_team_threshold",
              "plan_review_days", "serial_window_years", "serial_min_victims", "counter_allegation_window_years"]
    data = {name: getattr(list_policy(), name) for name in fields}
    data.update(commander_threshold=4, reason="Commanders asked to see fewer, more frequent repeat victims")

    assert client.post(reverse("admin:linkage_listpolicy_add"), data).status_code == 302

    added = ListPolicy.objects.get(reason__startswith="Commanders asked")
    assert added.changed_by == administrator and list_policy().commander_threshold == 4
