"""The victim survey's plain rules: the questionnaire, checking answers, the analysis with known Wilson
intervals, and the comment themes."""

import math

import pytest

from vigil.insight import surveys as rules


def wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval written out by hand, to check the analysis against."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (0.0 if k == 0 else centre - half), (1.0 if k == n else centre + half)


def full_answers(value: str = "very_satisfied", yes: str = "yes", **overrides) -> dict[str, str]:
    answers = {}
    for stage in rules.QUESTIONNAIRE_1.stages:
        for q in stage.questions:
            if q.scale == "satisfaction":
                answers[rules.answer_key(stage.code, q.code)] = value
            elif q.scale == "yes_no":
                answers[rules.answer_key(stage.code, q.code)] = yes
    answers.update(overrides)
    return answers


def response(overall: str, more: dict | None = None, *, risk="standard", team="North", month="2026-01",
             outcome=rules.COMPLETED):
    answers = {("overall", "satisfaction"): overall, **(more or {})}
    return rules.Response(outcome=outcome, month=month, risk_level=risk, team=team, answers=answers)


def test_the_questionnaire_has_five_stages_each_with_a_satisfaction_question_and_a_comment():
    q = rules.questionnaire("vigil-victim-survey-1")
    assert [s.code for s in q.stages] == ["call", "attendance", "investigation", "updates", "overall"]
    for stage in q.stages:
        assert stage.satisfaction.choices[0] == ("very_satisfied", "Very satisfied")
        assert [c for c, _ in stage.satisfaction.choices][:5] == [
            "very_satisfied", "fairly_satisfied", "neither", "fairly_dissatisfied", "very_dissatisfied"]
        assert stage.questions[-1].scale == "text"
    assert q.question("updates", "kept_informed").text == "Were you kept informed?"


def test_complete_answers_are_accepted_and_comments_are_optional():
    clean, errors = rules.check_answers(rules.QUESTIONNAIRE_1, full_answers(call__comment="  Very   kind  "))
    assert errors == {}
    assert clean[("call", "satisfaction")] == "very_satisfied"
    assert clean[("call", "comment")] == "Very kind"
    assert ("attendance", "comment") not in clean


def test_missing_unknown_and_off_scale_answers_are_errors():
    answers = full_answers(call__satisfaction="", attendance__satisfaction="delighted", extra__question="x",
                           overall__comment="x" * (rules.COMMENT_MAX_LENGTH + 1))
    del answers["updates__kept_informed"]
    _, errors = rules.check_answers(rules.QUESTIONNAIRE_1, answers)
    assert set(errors) == {"call__satisfaction", "attendance__satisfaction", "extra__question",
                           "updates__kept_informed", "overall__comment"}
    assert "The first call" in errors["call__satisfaction"]


def test_satisfied_share_by_stage_with_the_wilson_interval():
    # 8 of 10 satisfied overall (very or fairly), one "does not apply" left out.
    values = ["very_satisfied"] * 5 + ["fairly_satisfied"] * 3 + ["neither", "very_dissatisfied", "not_applicable"]
    analysis = rules.analyse([response(v) for v in values])
    overall = analysis.overall
    assert (overall.count, overall.total) == (8, 10)
    low, high = wilson(8, 10)
    assert overall.low == pytest.approx(low) and overall.high == pytest.approx(high)
    assert overall.low == pytest.approx(0.4902, abs=1e-4) and overall.high == pytest.approx(0.9433, abs=1e-4)
    call = next(s for s in analysis.by_stage if s.label == "The first call")
    assert call.total == 0 and call.value is None and call.low is None


def test_all_satisfied_gives_an_interval_up_to_one_and_none_satisfied_from_zero():
    assert rules.share("x", 5, 5).high == 1.0
    assert rules.share("x", 5, 5).low == pytest.approx(wilson(5, 5)[0])
    assert rules.share("x", 0, 4).low == 0.0
    assert rules.share("x", 0, 4).high == pytest.approx(wilson(0, 4)[1])


def test_groups_by_risk_team_and_month():
    analysis = rules.analyse([
        response("very_satisfied", risk="high", team="DAIU", month="2026-02"),
        response("very_dissatisfied", risk="high", team="DAIU", month="2026-01"),
        response("fairly_satisfied", risk="standard", team="North", month="2026-01"),
        response("fairly_satisfied", risk="medium", team="North", month="2026-01"),
    ])
    assert [(s.label, s.count, s.total) for s in analysis.by_risk] == [("High", 1, 2), ("Medium", 1, 1),
                                                                       ("Standard", 1, 1)]
    assert [(s.label, s.count, s.total) for s in analysis.by_team] == [("DAIU", 1, 2), ("North", 2, 2)]
    assert [(s.label, s.count, s.total) for s in analysis.by_month] == [("2026-01", 2, 3), ("2026-02", 1, 1)]
    high = analysis.by_risk[0]
    assert (high.low, high.high) == pytest.approx(wilson(1, 2))


def test_yes_no_questions_count_yes_of_yes_or_no():
    analysis = rules.analyse([
        response("very_satisfied", {("updates", "kept_informed"): "yes"}),
        response("very_satisfied", {("updates", "kept_informed"): "no"}),
        response("very_satisfied", {("updates", "kept_informed"): "not_applicable"}),
    ])
    kept = next(s for s in analysis.questions if s.label == "Were you kept informed?")
    assert (kept.count, kept.total) == (1, 2)


def test_only_completed_surveys_are_analysed_and_every_outcome_is_counted():
    analysis = rules.analyse([
        response("very_satisfied"),
        response("very_satisfied", outcome=rules.LINE_DROPPED),
        response("very_satisfied", outcome=rules.NOT_SAFE),
        rules.Response(outcome=rules.NO_ANSWER, month="2026-01", risk_level="high", team="A"),
    ])
    assert analysis.calls == 4 and analysis.completed == 1
    assert dict(analysis.outcomes)["The line went dead during the call"] == 1
    assert rules.pack_counts(analysis) == (1, 1)


@pytest.mark.parametrize(("text", "themes"), [
    ("Nobody called me back and I heard nothing for weeks", ["kept_informed"]),
    ("The officer was rude and dismissive", ["attitude"]),
    ("They took ages to arrive", ["speed"]),
    ("I feel safe at home now", ["feeling_safe"]),
    ("For once someone listened and believed me", ["listened_to"]),
    ("I was kept informed and the officers were kind", ["kept_informed", "attitude"]),
    ("The parking at the station is terrible", ["other"]),
])
def test_comment_themes_by_the_lexicon(text, themes):
    assert rules.comment_themes(text) == themes


def test_themes_are_counted_with_examples_only_when_asked():
    rows = [response("very_satisfied", {("updates", "comment"): "I was never updated",
                                          ("call", "comment"): "Quick and kind"}),
            response("neither", {("overall", "comment"): "Nothing to add"})]
    hidden = rules.analyse(rows)
    counts = {t.code: t.count for t in hidden.themes}
    assert counts == {"kept_informed": 1, "attitude": 1, "speed": 1, "feeling_safe": 0, "listened_to": 0, "other": 1}
    assert hidden.comments == 3 and not hidden.examples_shown
    assert all(t.examples == () for t in hidden.themes)
    shown = rules.analyse(rows, with_examples=True, examples_per_theme=1)
    assert {t.code: t.examples for t in shown.themes}["other"] == ("Nothing to add",)
