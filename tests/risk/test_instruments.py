"""Risk instruments as data: the definition format's validation, and the shipped DASH 2009 (with S-DASH)
and SafeLives checklist."""

import copy
import json
from pathlib import Path

import pytest

from vigil.risk import instruments, scoring
from vigil.risk.instruments import InvalidInstrument, validate

DEFINITIONS = Path(instruments.__file__).resolve().parent / "definitions"


def load(name: str) -> dict:
    return json.loads((DEFINITIONS / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dash():
    return load("dash-2009.json")


@pytest.fixture(scope="module")
def ric():
    return load("safelives-ric.json")


def minimal() -> dict:
    return {
        "code": "mini", "version": "1", "name": "Minimal",
        "sections": [
            {"id": "a", "title": "A", "questions": [
                {"id": "q1", "text": "One?", "why": "Because.", "options": [{"id": "x", "label": "X"}]},
                {"id": "q2", "text": "Two?", "why": "Because."}]},
            {"id": "f", "title": "F", "follow_up": True, "questions": [{"id": "f1", "text": "F?", "why": "W."}]},
        ],
        "follow_ups": [{"when": {"question": "q1", "answer": "yes"}, "section": "f"}],
        "scoring": {"method": "weighted", "weights": {"q1": 1}},
        "grading": {"rules": [{"any_yes": ["q1"], "indicates": "high"}],
                    "floor": {"yes_count_at_least": 2, "grade": "high"}},
    }


def test_the_minimal_definition_is_valid():
    validate(minimal())


def _set(path, value):
    def change(d):
        *head, last = path
        target = d
        for key in head:
            target = target[key]
        target[last] = value
    return change


def _delete(path):
    def change(d):
        *head, last = path
        target = d
        for key in head:
            target = target[key]
        del target[last]
    return change


def _append(path, value):
    def change(d):
        target = d
        for key in path:
            target = target[key]
        target.append(value)
    return change


INVALID = [
    ("not an object", lambda d: ["a list"], "the definition must be a JSON object"),
    ("no code", _delete(["code"]), 'the definition needs a "code"'),
    ("no version", _set(["version"], ""), 'the definition needs a "version"'),
    ("no name", _delete(["name"]), 'the definition needs a "name"'),
    ("no sections", _set(["sections"], []), 'the definition needs a "sections"'),
    ("bad code", _set(["code"], "dash 2009!"), '"code" may hold only letters, digits, hyphens and underscores'),
    ("answers", _set(["answers"], ["yes", "no"]), '"answers" must be ["yes", "no", "not_known"]'),
    ("section without title", _delete(["sections", 0, "title"]), 'section 1 needs an "id" and a "title"'),
    ("section id twice", _set(["sections", 1, "id"], "a"), 'section 2: the section id "a" is used twice'),
    ("section without questions", _set(["sections", 1, "questions"], []), 'section 2 ("f") has no questions'),
    ("question not an object", _set(["sections", 0, "questions", 1], "Two?"),
     "section 1 question 2 must be an object"),
    ("question without why", _delete(["sections", 0, "questions", 1, "why"]),
     'section 1 question 2 needs "why" ("why" is the guidance the officer opens)'),
    ("question without text", _set(["sections", 0, "questions", 0, "text"], ""), 'section 1 question 1 needs "text"'),
    ("question id twice", _set(["sections", 1, "questions", 0, "id"], "q1"),
     'section 2 question 1: the question id "q1" is used twice'),
    ("option without label", _set(["sections", 0, "questions", 0, "options"], [{"id": "x"}]),
     'section 1 question 1: every option needs an "id" and a "label"'),
    ("follow-up on no question", _set(["follow_ups", 0, "when", "question"], "q9"),
     'follow-up 1: "when.question" names no question'),
    ("follow-up answer", _set(["follow_ups", 0, "when", "answer"], "maybe"),
     "follow-up 1: \"when.answer\" must be one of ['yes', 'no', 'not_known']"),
    ("follow-up to no section", _set(["follow_ups", 0, "section"], "zz"),
     'follow-up 1: "section" names no section'),
    ("untriggered follow-up", _set(["follow_ups"], []), 'section "f" is a follow-up that nothing triggers'),
    ("scoring method", _set(["scoring", "method"], "vibes"), '"scoring.method" must be one of'),
    ("weights on unknown question", _set(["scoring", "weights"], {"q9": 1}),
     '"scoring.weights" must name questions of this instrument'),
    ("no weights", _set(["scoring", "weights"], {}), '"scoring.weights" must name questions of this instrument'),
    ("rule grade", _set(["grading", "rules", 0, "indicates"], "extreme"),
     "grading rule 1: \"indicates\" must be one of ['standard', 'medium', 'high']"),
    ("rule without condition", _set(["grading", "rules", 0], {"indicates": "high"}),
     "grading rule 1: conditions must be among"),
    ("rule with unknown condition", _append(["grading", "rules"], {"gut_feeling": 1, "indicates": "medium"}),
     "grading rule 2: conditions must be among"),
    ("any_yes on unknown", _set(["grading", "rules", 0, "any_yes"], ["q9"]),
     'grading rule 1: "any_yes" names unknown questions'),
    ("all_yes on unknown", _set(["grading", "rules", 0], {"all_yes": ["q1", "nope"], "indicates": "high"}),
     'grading rule 1: "all_yes" names unknown questions'),
    ("floor without count", _set(["grading", "floor"], {"grade": "high"}),
     '"grading.floor" needs "yes_count_at_least" (a number) and "grade"'),
    ("floor grade", _set(["grading", "floor", "grade"], "severe"),
     '"grading.floor" needs "yes_count_at_least" (a number) and "grade"'),
]


@pytest.mark.parametrize(("change", "message"), [(c, m) for _, c, m in INVALID], ids=[i for i, _, _ in INVALID])
def test_each_problem_is_named(change, message):
    definition = copy.deepcopy(minimal())
    changed = change(definition)
    with pytest.raises(InvalidInstrument) as raised:
        validate(changed if changed is not None else definition)
    assert message in str(raised.value)


@pytest.mark.parametrize("name", ["dash-2009.json", "safelives-ric.json"])
def test_the_shipped_definitions_are_valid_and_every_question_says_why_it_matters(name):
    definition = load(name)
    validate(definition)
    for question in instruments.questions(definition).values():
        assert len(question.why) > 60, question.id  # a real explanation, not a placeholder
        assert question.why.strip() == question.why and question.text.endswith(("?", ")", ".")), question.id


def test_dash_has_27_counted_questions_in_4_sections_and_the_s_dash_follow_up(dash):
    assert (dash["code"], dash["version"]) == ("dash-2009", "2009")
    assert dash["name"] == "DASH risk identification checklist (police, 2009)"
    sections = instruments.sections(dash)
    ordinary = [s for s in sections if not s.follow_up]
    assert [s.title for s in ordinary] == ["Current situation", "Children and dependants",
                                           "Domestic abuse history", "Abuser"]
    assert [[q.number for q in s.questions] for s in ordinary] == [
        [str(n) for n in range(1, 9)], [str(n) for n in range(9, 13)],
        [str(n) for n in range(13, 23)], [str(n) for n in range(23, 28)]]
    assert all(q.counted for s in ordinary for q in s.questions)
    assert "skip" in ordinary[1].intro.lower()
    [s_dash] = [s for s in sections if s.follow_up]
    assert s_dash.id == "s-dash" and len(s_dash.questions) == 11
    assert not any(q.counted for q in s_dash.questions)
    assert dash["follow_ups"] == [{"when": {"question": "q8", "answer": "yes"}, "section": "s-dash"}]
    assert dash["scoring"] == {"method": "yes_count"}
    assert dash["grading"] == {"rules": [{"yes_count_at_least": 14, "indicates": "high"}],
                               "floor": {"yes_count_at_least": 14, "grade": "high"}}


def test_dash_questions_carry_the_form_s_wording_and_sub_options(dash):
    questions = instruments.questions(dash)
    assert questions["q1"].text.startswith("Has the current incident resulted in injury?")
    assert questions["q8"].text.startswith("Does the abuser constantly text, call, contact, follow, stalk or harass")
    assert questions["q18"].text == "Has the abuser ever attempted to strangle, choke, suffocate or drown you?"
    labels = {qid: [label for _, label in questions[qid].options] for qid in ("q3", "q24", "q26", "q27")}
    assert labels == {
        "q3": ["Kill", "Further injury and violence", "Other"],
        "q24": ["Drugs", "Alcohol", "Mental health"],
        "q26": ["Bail conditions", "Non-molestation or occupation order", "Child contact arrangements",
                "Forced marriage protection order", "Other"],
        "q27": ["Domestic abuse", "Sexual violence", "Other violence", "Other"],
    }
    assert "homicide" in questions["q18"].why and "separat" in questions["q6"].why.lower()


def test_s_dash_is_shown_only_when_question_8_is_yes(dash):
    def shown(answers):
        return [s.id for s in instruments.sections_shown(dash, answers)]

    assert shown({}) == ["current", "children", "history", "abuser"]
    assert shown({"q8": "no"}) == ["current", "children", "history", "abuser"]
    assert shown({"q8": "not_known"}) == ["current", "children", "history", "abuser"]
    assert shown({"q8": "yes"}) == ["current", "children", "history", "abuser", "s-dash"]


def test_the_dash_count_is_over_the_27_and_not_known_is_never_a_no(dash):
    every_yes = {q.id: "yes" for q in instruments.questions(dash).values()}
    assert scoring.yes_count(dash, every_yes) == 27
    thirteen = {f"q{n}": "yes" for n in range(1, 14)} | {f"s{n}": "yes" for n in range(1, 12)} | {"q8": "yes"}
    assert scoring.yes_count(dash, thirteen) == 13 and scoring.indicated_grade(dash, thirteen) == ""
    fourteen = thirteen | {"q14": "yes", "q15": "not_known"}
    assert scoring.indicated_grade(dash, fourteen) == "high" and scoring.grade_floor(dash, fourteen) == "high"


def test_the_safelives_checklist_has_24_questions_in_the_police_order_without_10_to_12(dash, ric):
    assert (ric["code"], ric["name"]) == ("safelives-ric", "SafeLives Dash risk checklist (for partner agencies)")
    questions = [q for s in instruments.sections(ric) for q in s.questions]
    assert [q.number for q in questions] == [str(n) for n in range(1, 25)]
    assert all(q.counted for q in questions) and not ric.get("follow_ups")
    police = instruments.questions(dash)
    police_order = [police[f"q{n}"] for n in [*range(1, 10), *range(13, 28)]]
    assert [q.text for q in questions] == [q.text for q in police_order]
    assert [q.options for q in questions] == [q.options for q in police_order]
    assert ric["grading"] == dash["grading"]
