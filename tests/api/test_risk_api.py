"""The risk assessment API: a whole assessment submitted in one request (all or nothing), assessments read
(audited; a reviewer's read is the opening of the review), and supervisor and specialist gradings."""

import json
import uuid

import pytest
import yaml
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import crime_create, incident_create, person_record_create, user_create
from vigil.api import idempotency
from vigil.api.models import IdempotentRequest
from vigil.audit.models import AuditEvent
from vigil.risk import instruments
from vigil.risk.models import Answer, GradingDecision, Instrument, ReviewOpening, RiskAssessment

pytestmark = pytest.mark.django_db

URL = "/api/v1/assessments/"
COUNTED = [f"q{n}" for n in range(1, 28)]
S_DASH = [f"s{n}" for n in range(1, 12)]  # shown when q8 is yes; not counted


def client_for(user) -> APIClient:
    api = APIClient()
    api.force_login(user)
    return api


def answers(yes=(), *, obtained="asked_at_scene") -> list[dict]:
    """One answer for every question DASH 2009 shows: the questions in `yes` answered yes, the rest no."""
    asked = COUNTED + (S_DASH if "q8" in yes else [])
    return [{"question": q, "value": "yes" if q in yes else "no", "obtained": obtained} for q in asked]


def first(n: int) -> set[str]:
    return set(COUNTED[:n])


def rows() -> tuple[int, ...]:
    return (RiskAssessment.objects.count(), Answer.objects.count(), GradingDecision.objects.count(),
            AuditEvent.objects.count())


@pytest.fixture
def officer():
    return user_create(role="response_officer")


@pytest.fixture
def supervisor():
    return user_create(role="supervisor")


@pytest.fixture
def specialist():
    return user_create(role="specialist_investigator")


@pytest.fixture
def victim():
    return person_record_create()


@pytest.fixture
def incident(victim):
    return incident_create(victim=victim, status="open")


def body(incident, victim, **fields) -> dict:
    return {"incident": str(incident.public_id), "victim": str(victim.public_id), **fields}


def submit(officer, incident, victim, **fields):
    return client_for(officer).post(URL, body(incident, victim, **fields), format="json")


def submitted(officer, incident, victim, *, yes, grade, rationale="") -> dict:
    response = submit(officer, incident, victim, answers=answers(yes), grade=grade, rationale=rationale)
    assert response.status_code == 201, response.json()
    return response.json()


JUDGEMENT = "The victim described escalating threats this week and is very frightened."


def test_the_shipped_instruments_are_loaded_with_dash_the_default():
    assert Instrument.objects.get(is_default=True).code == "dash-2009"
    assert Instrument.objects.filter(code="safelives-ric").exists()


def test_a_complete_assessment_is_submitted_in_one_request(officer, incident, victim):
    response = submit(officer, incident, victim, answers=answers(first(15)), grade="high",
                      victim_view="He will come back tonight.")

    assert response.status_code == 201, response.json()
    assert response["Cache-Control"] == "no-store"
    got = response.json()
    assert got["instrument"] == {"code": "dash-2009", "version": "2009"}
    assert (got["status"], got["yes_count"], got["indicated_grade"], got["grade"]) == \
        ("submitted", 15, "high", "high")
    assert got["specialist_reasons"] == ["Graded high risk"]
    assert got["supervision_due_at"] and got["victim_view"] == "He will come back tonight."
    assert len(got["answers"]) == 27 + 11
    q1 = got["answers"][0]
    assert (q1["question"], q1["number"], q1["value"], q1["obtained"]) == ("q1", "1", "yes", "asked_at_scene")
    assert q1["text"].startswith("Has the current incident resulted in injury?")
    [decision] = got["decisions"]
    assert (decision["stage"], decision["grade"], decision["decided_by"]) == \
        ("officer", "high", {"id": str(officer.public_id), "role": "response_officer"})
    assert got["incident"]["id"] == str(incident.public_id) and got["victim"]["id"] == str(victim.public_id)
    assessment = RiskAssessment.objects.get(public_id=got["id"])
    assert assessment.officer == officer and assessment.answers.count() == 38


def test_medium_risk_with_a_serious_offence_is_routed_to_the_specialist_unit(officer, incident, victim):
    crime_create(incident=incident, group="assault_with_injury")
    got = submitted(officer, incident, victim, yes=first(5), grade="medium", rationale=JUDGEMENT)
    assert (got["yes_count"], got["indicated_grade"], got["grade"]) == (5, "", "medium")
    assert got["specialist_reasons"] == ["Medium risk with a serious offence (assault with injury)"]


def test_a_named_instrument_is_used(officer, incident, victim):
    definition = Instrument.objects.get(code="safelives-ric").definition
    safelives = [{"question": q, "value": "no", "obtained": "without_victim"} for q in instruments.questions(definition)]
    response = submit(officer, incident, victim, instrument={"code": "safelives-ric", "version": "2019"},
                      answers=safelives, grade="standard", rationale=JUDGEMENT)
    assert response.status_code == 201, response.json()
    assert response.json()["instrument"] == {"code": "safelives-ric", "version": "2019"}


@pytest.mark.parametrize(("fields", "where"), [
    ({"answers": [{"question": "q1", "value": "maybe", "obtained": "asked_at_scene"}], "grade": "high"},
     ("answers", "0", "value")),
    ({"answers": answers() + [{"question": "q99", "value": "yes", "obtained": "asked_at_scene"}],
      "grade": "standard", "rationale": JUDGEMENT}, ("answers", "27", "question")),
    ({"answers": answers(), "grade": "standard"}, ("rationale",)),
    ({"answers": answers(first(15)), "grade": "medium", "rationale": JUDGEMENT}, ("grade",)),
    ({"answers": answers()[:20], "grade": "standard", "rationale": JUDGEMENT}, ("answers",)),
    ({"answers": answers(), "grade": "standard", "rationale": JUDGEMENT, "instrument": {"code": "dara",
                                                                                        "version": "1"}},
     ("instrument",)),
    ({"answers": answers(), "rationale": JUDGEMENT, "grade": "standard", "colour": "blue"}, ("colour",)),
])
def test_a_refused_assessment_saves_nothing(officer, incident, victim, fields, where):
    api = client_for(officer)  # signing in is audited: count after it
    before = rows()

    response = api.post(URL, body(incident, victim, **fields), format="json")

    assert response.status_code == 400, response.json()
    assert response["Cache-Control"] == "no-store"
    errors = response.json()["errors"]
    for key in where:
        errors = errors[key]
    assert errors
    assert rows() == before
    assert "maybe" not in response.content.decode() and "blue" not in response.content.decode()


def test_the_victim_must_be_a_victim_on_the_incident(officer, incident):
    someone_else = person_record_create(given_name="Sam")
    api = client_for(officer)
    before = rows()
    response = api.post(URL, body(incident, someone_else, answers=answers(), grade="standard", rationale=JUDGEMENT),
                        format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["victim"] == ["Choose the victim recorded on this incident."]
    assert rows() == before


def test_unknown_incident_or_victim_is_named(officer):
    response = client_for(officer).post(URL, {"incident": str(uuid.uuid4()), "victim": str(uuid.uuid4()),
                                              "grade": "standard"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"incident", "victim"}


def test_an_assessment_saved_in_progress_is_hidden_from_everyone_but_its_officer(officer, supervisor, incident,
                                                                                   victim):
    response = submit(officer, incident, victim, answers=answers()[:10], submit=False)
    assert response.status_code == 201, response.json()
    got = response.json()
    assert (got["status"], got["grade"], len(got["answers"]), got["decisions"]) == ("in_progress", "", 10, [])
    detail = reverse("api:assessment", args=[got["id"]])

    assert client_for(officer).get(detail).status_code == 200
    assert client_for(supervisor).get(detail).status_code == 404
    assert client_for(supervisor).get(URL, {"incident": str(incident.public_id)}).json()["assessments"] == []
    assert [a["id"] for a in client_for(officer).get(URL, {"incident": str(incident.public_id)}).json()[
        "assessments"]] == [got["id"]]

    # The officer finishes it later: the same assessment, continued.
    response = submit(officer, incident, victim, answers=answers()[10:], grade="standard", rationale=JUDGEMENT)
    assert response.status_code == 200, response.json()
    assert response.json()["id"] == got["id"] and response.json()["status"] == "submitted"
    assert client_for(supervisor).get(detail).status_code == 200


def test_grading_only_when_submitting(officer, incident, victim):
    response = submit(officer, incident, victim, answers=answers(), submit=False, grade="high")
    assert response.status_code == 400 and "grade" in response.json()["errors"]


def test_a_supervisors_read_opens_the_review_then_an_amendment_is_kept_beside_the_officers_grading(
        officer, supervisor, incident, victim):
    got = submitted(officer, incident, victim, yes=first(5), grade="standard", rationale=JUDGEMENT)
    detail = reverse("api:assessment", args=[got["id"]])
    assessment = RiskAssessment.objects.get(public_id=got["id"])
    api = client_for(supervisor)

    read = api.get(detail)

    assert read.status_code == 200 and read["Cache-Control"] == "no-store"
    assert ReviewOpening.objects.filter(assessment=assessment, opened_by=supervisor, stage="supervisor").count() == 1
    assert AuditEvent.objects.filter(actor=supervisor, action="consultation", object_id=got["id"],
                                     subject_person_id=victim.person.public_id).exists()

    response = api.post(reverse("api:assessment-gradings", args=[got["id"]]),
                        {"stage": "supervisor", "grade": "medium",
                         "rationale": "Threats this week and the separation raise the risk."}, format="json")

    assert response.status_code == 201, response.json()
    decision = response.json()
    assert (decision["stage"], decision["grade"], decision["previous_grade"]) == ("supervisor", "medium", "standard")
    assert decision["decided_by"] == {"id": str(supervisor.public_id), "role": "supervisor"}
    after = api.get(detail).json()
    assert [(d["stage"], d["grade"]) for d in after["decisions"]] == [("officer", "standard"),
                                                                      ("supervisor", "medium")]
    assert after["grade"] == "medium"
    # Decided: reading again is a consultation, not another opening.
    assert ReviewOpening.objects.filter(assessment=assessment).count() == 1


def test_a_supervisors_decision_needs_a_rationale_and_an_opening(officer, supervisor, incident, victim):
    got = submitted(officer, incident, victim, yes=first(5), grade="standard", rationale=JUDGEMENT)
    api = client_for(supervisor)
    gradings = reverse("api:assessment-gradings", args=[got["id"]])

    unopened = api.post(gradings, {"stage": "supervisor", "grade": "standard", "rationale": JUDGEMENT},
                        format="json")
    assert unopened.status_code == 400
    assert unopened.json()["detail"] == "Open and read the whole assessment first."

    api.get(reverse("api:assessment", args=[got["id"]]))
    response = api.post(gradings, {"stage": "supervisor", "grade": "standard"}, format="json")

    assert response.status_code == 400
    assert "rationale" in response.json()["errors"]
    assert GradingDecision.objects.filter(stage="supervisor").count() == 0


def test_a_specialist_downgrade_without_contacting_the_victim_is_flagged(officer, supervisor, specialist,
                                                                         incident, victim):
    got = submitted(officer, incident, victim, yes=first(5), grade="high", rationale=JUDGEMENT)
    assert got["specialist_reasons"] == ["Graded high risk"]
    detail = reverse("api:assessment", args=[got["id"]])
    gradings = reverse("api:assessment-gradings", args=[got["id"]])
    client_for(supervisor).get(detail)
    agreed = client_for(supervisor).post(gradings, {"stage": "supervisor", "grade": "high", "rationale": JUDGEMENT},
                                         format="json")
    assert agreed.status_code == 201, agreed.json()
    api = client_for(specialist)

    api.get(detail)
    assert ReviewOpening.objects.filter(opened_by=specialist, stage="specialist").count() == 1
    missing = api.post(gradings, {"stage": "specialist", "grade": "medium", "rationale": JUDGEMENT}, format="json")
    assert missing.status_code == 400 and "victim_contacted" in missing.json()["errors"]
    response = api.post(gradings, {"stage": "specialist", "grade": "medium", "victim_contacted": False,
                                   "rationale": "Suspect remanded in custody; lower risk for now."}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["flagged_to_manager"] is True and response.json()["victim_contacted"] is False
    history = api.get(detail).json()["decisions"]
    assert [d["stage"] for d in history] == ["officer", "supervisor", "specialist"]


def test_wrong_roles_are_refused(officer, supervisor, specialist, incident, victim):
    got = submitted(officer, incident, victim, yes=first(5), grade="standard", rationale=JUDGEMENT)
    gradings = reverse("api:assessment-gradings", args=[got["id"]])
    decision = {"stage": "supervisor", "grade": "standard", "rationale": JUDGEMENT}

    assert client_for(officer).post(gradings, decision, format="json").status_code == 403
    assert client_for(specialist).post(gradings, decision, format="json").status_code == 403
    assert client_for(supervisor).post(gradings, {**decision, "stage": "specialist", "victim_contacted": True},
                                       format="json").status_code == 403
    neighbourhood = client_for(user_create(role="neighbourhood_officer"))
    assert neighbourhood.post(URL, body(incident, victim, answers=answers(), grade="standard"),
                              format="json").status_code == 403
    assert neighbourhood.get(reverse("api:assessment", args=[got["id"]])).status_code == 200
    call_taker = client_for(user_create(role="call_taker"))
    assert call_taker.get(reverse("api:assessment", args=[got["id"]])).status_code == 403
    assert call_taker.get(URL, {"incident": str(incident.public_id)}).status_code == 403
    assert GradingDecision.objects.filter(stage="supervisor").count() == 0


def test_anonymous_callers_are_refused(officer, incident, victim):
    got = submitted(officer, incident, victim, yes=first(5), grade="standard", rationale=JUDGEMENT)
    anonymous = APIClient()
    assert anonymous.get(URL, {"incident": str(incident.public_id)}).status_code == 401
    assert anonymous.post(URL, body(incident, victim), format="json").status_code == 401
    assert anonymous.get(reverse("api:assessment", args=[got["id"]])).status_code == 401
    assert anonymous.post(reverse("api:assessment-gradings", args=[got["id"]]), {}, format="json").status_code == 401


def test_the_list_needs_an_incident_and_is_audited(officer, supervisor, incident, victim):
    got = submitted(officer, incident, victim, yes=first(5), grade="standard", rationale=JUDGEMENT)
    api = client_for(supervisor)

    assert api.get(URL).status_code == 400
    assert api.get(URL, {"incident": str(uuid.uuid4())}).status_code == 404
    response = api.get(URL, {"incident": str(incident.public_id)})

    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    [summary] = response.json()["assessments"]
    assert summary["id"] == got["id"] and "answers" not in summary and "victim_view" not in summary
    assert AuditEvent.objects.filter(actor=supervisor, action="consultation", object_id="list",
                                     subject_person_id=victim.person.public_id).exists()
    assert not ReviewOpening.objects.exists()  # a list is not the whole assessment


def test_unknown_ids_and_methods(supervisor):
    api = client_for(supervisor)
    assert api.get(reverse("api:assessment", args=[uuid.uuid4()])).status_code == 404
    assert api.post(reverse("api:assessment-gradings", args=[uuid.uuid4()]),
                    {"stage": "supervisor", "grade": "high", "rationale": JUDGEMENT}, format="json").status_code == 404
    assert api.get(reverse("api:assessment-gradings", args=[uuid.uuid4()])).status_code == 405


def test_a_restricted_victims_assessment_is_not_shown_until_opened_with_a_reason(officer, supervisor, incident,
                                                                                 victim):
    got = submitted(officer, incident, victim, yes=first(5), grade="standard", rationale=JUDGEMENT)
    victim.person.restricted = True
    victim.person.save(update_fields=["restricted"])

    response = client_for(supervisor).get(reverse("api:assessment", args=[got["id"]]))

    assert response.status_code == 403
    assert not ReviewOpening.objects.exists()


# Idempotency: an optional Idempotency-Key makes a retry from a device that lost its signal safe --------

def keyed(api, incident, victim, key="phone-key-1", **fields):
    return api.post(URL, body(incident, victim, **fields), format="json", HTTP_IDEMPOTENCY_KEY=key)


def everything() -> tuple[int, ...]:
    """Everything a submission could have saved (the audit log apart: a replay is a read)."""
    return (RiskAssessment.objects.count(), Answer.objects.count(), GradingDecision.objects.count(),
            IdempotentRequest.objects.count())


FULL = {"answers": answers(first(5)), "grade": "standard", "rationale": JUDGEMENT,
        "victim_view": "He said he would come back tonight."}


def test_a_retry_with_the_same_key_replays_the_first_answer_and_creates_nothing(officer, incident, victim):
    api = client_for(officer)
    first_answer = keyed(api, incident, victim, **FULL)
    assert first_answer.status_code == 201, first_answer.json()
    assert "Idempotent-Replayed" not in first_answer
    before = everything()

    retry = keyed(api, incident, victim, **FULL)

    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true" and retry["Cache-Control"] == "no-store"
    assert retry.json() == first_answer.json()
    assert everything() == before
    assert RiskAssessment.objects.count() == 1
    assert AuditEvent.objects.filter(actor=officer, action="consultation", object_id=first_answer.json()["id"],
                                     detail__replayed=True).count() == 1


def test_a_continued_assessment_replays_its_200(officer, incident, victim):
    api = client_for(officer)
    assert keyed(api, incident, victim, key="k-1", answers=answers()[:10], submit=False).status_code == 201
    rest = {"answers": answers()[10:], "grade": "standard", "rationale": JUDGEMENT}
    continued = keyed(api, incident, victim, key="k-2", **rest)
    assert continued.status_code == 200, continued.json()

    retry = keyed(api, incident, victim, key="k-2", **rest)

    assert retry.status_code == 200 and retry["Idempotent-Replayed"] == "true"
    assert retry.json() == continued.json()
    assert RiskAssessment.objects.count() == 1


def test_the_same_key_with_a_different_body_is_refused_and_changes_nothing(officer, incident, victim):
    api = client_for(officer)
    assert keyed(api, incident, victim, **FULL).status_code == 201
    before = rows() + everything()
    stored = IdempotentRequest.objects.values().get()

    response = keyed(api, incident, victim, **{**FULL, "grade": "high"})

    assert response.status_code == 422
    assert "different request body" in response.json()["detail"]
    assert "Idempotent-Replayed" not in response
    assert rows() + everything() == before
    assert IdempotentRequest.objects.values().get() == stored
    assert RiskAssessment.objects.get().grade == "standard"


@pytest.mark.parametrize("key", ["", "   ", "x" * 101, "clé-unicode", "tab\there"])
def test_an_invalid_key_is_refused_and_saves_nothing(officer, incident, victim, key):
    api = client_for(officer)
    before = rows() + everything()

    response = keyed(api, incident, victim, key=key, **FULL)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert rows() + everything() == before


def test_without_a_key_the_submission_is_not_deduplicated_and_nothing_is_remembered(officer, incident, victim):
    response = submit(officer, incident, victim, **FULL)

    assert response.status_code == 201, response.json()
    assert "Idempotent-Replayed" not in response
    assert not IdempotentRequest.objects.exists()


def test_a_refused_submission_is_not_remembered_against_the_key(officer, incident, victim):
    api = client_for(officer)
    bad = [{**a, "value": "maybe"} if a["question"] == "q1" else a for a in FULL["answers"]]
    refused = keyed(api, incident, victim, **{**FULL, "answers": bad})
    assert refused.status_code == 400 and "answers" in refused.json()["errors"]
    assert everything() == (0, 0, 0, 0)

    corrected = keyed(api, incident, victim, **FULL)

    assert corrected.status_code == 201, corrected.json()
    assert "Idempotent-Replayed" not in corrected
    assert RiskAssessment.objects.count() == 1 and IdempotentRequest.objects.count() == 1


def test_a_submission_the_rules_refuse_is_not_remembered_against_the_key(officer, incident, victim):
    api = client_for(officer)
    refused = keyed(api, incident, victim, **{**FULL, "rationale": ""})  # refused inside the transaction
    assert refused.status_code == 400, refused.json()
    assert everything() == (0, 0, 0, 0)

    assert keyed(api, incident, victim, **FULL).status_code == 201


def test_keys_belong_to_one_officer(officer, incident, victim):
    assert keyed(client_for(officer), incident, victim, **FULL).status_code == 201
    colleague = user_create(role="response_officer")

    response = keyed(client_for(colleague), incident, victim, **FULL)

    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert RiskAssessment.objects.count() == 2


def test_a_concurrent_retry_with_the_same_key_creates_one_assessment(officer, incident, victim, monkeypatch):
    """Both find the key unused; the second's claim meets the unique constraint, its work is rolled back,
    and it is answered as the first was."""
    api = client_for(officer)
    first_answer = keyed(api, incident, victim, **FULL)
    real = idempotency.stored_answer
    calls = []

    def not_yet_committed(**scope):
        calls.append(scope)
        return None if len(calls) == 1 else real(**scope)

    monkeypatch.setattr(idempotency, "stored_answer", not_yet_committed)
    before = everything()

    second = keyed(api, incident, victim, **FULL)

    assert len(calls) == 2
    assert second.status_code == 201 and second["Idempotent-Replayed"] == "true"
    assert second.json() == first_answer.json()
    assert everything() == before


def test_the_stored_answer_holds_no_personal_data(officer, incident, victim):
    comment = [{**a, "comment": "Bruising to the left arm"} if a["question"] == "q1" else a for a in FULL["answers"]]
    sent = body(incident, victim, **{**FULL, "answers": comment})
    response = client_for(officer).post(URL, sent, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 201, response.json()

    row = IdempotentRequest.objects.get()

    assert row.response == {"id": response.json()["id"]}
    assert row.request_hash == idempotency.request_hash(sent)
    stored = json.dumps(row.response)
    for personal in ("Bruising", "come back", "Synthetic", JUDGEMENT[:20]):
        assert personal not in stored


def test_a_replay_of_a_restricted_victims_assessment_needs_the_record_opened(officer, incident, victim):
    api = client_for(officer)
    assert keyed(api, incident, victim, **FULL).status_code == 201
    victim.person.restricted = True
    victim.person.save(update_fields=["restricted"])

    retry = keyed(api, incident, victim, **FULL)

    assert retry.status_code == 403 and "restricted" in retry.json()["detail"]
    assert "come back" not in retry.content.decode()
    assert RiskAssessment.objects.count() == 1


def test_the_schema_documents_the_optional_idempotency_key(officer):
    schema = yaml.safe_load(client_for(officer).get("/api/v1/schema/").content)

    operation = schema["paths"]["/api/v1/assessments/"]["post"]
    [header] = [p for p in operation["parameters"] if p["in"] == "header"]
    assert header["name"] == "Idempotency-Key" and not header.get("required", False)
    assert {"200", "201", "400", "422"} <= set(operation["responses"])
    assert "Idempotent-Replayed" in operation["responses"]["201"]["headers"]
