"""Risk instruments as data: the definition format, its validation, and reading a definition.
Plain Python, no Django: a force loads a new instrument (DARA, a local variant) as a file, no code.

A definition is JSON:

    {
      "code": "dash-2009",                       # slug; with "version", unique
      "version": "2009",
      "name": "DASH risk identification checklist (police, 2009)",
      "answers": ["yes", "no", "not_known"],      # always these three; "not_known" is never scored as "no"
      "sections": [
        {"id": "current", "title": "Current situation",
         "intro": "optional text shown above the questions",
         "follow_up": false,                      # true: shown only when a follow_up rule triggers it
         "questions": [
           {"id": "q1", "number": "1", "text": "Has the current incident resulted in injury?",
            "why": "Why this matters, for the officer, opened in place.",
            "options": [{"id": "first_injury", "label": "This is the first injury"}],   # optional
            "counted": true}                      # optional, default true: counts toward the yes count
         ]}
      ],
      "follow_ups": [{"when": {"question": "q8", "answer": "yes"}, "section": "s-dash"}],
      "scoring": {"method": "yes_count"},          # or "weighted" with "weights": {"q1": 2, ...}, or "none"
      "grading": {"rules": [{"yes_count_at_least": 14, "indicates": "high"}],
                  "floor": {"yes_count_at_least": 14, "grade": "high"}}   # optional: judgement may not go below
    }

Grading rules are read in order; the first that holds gives the grade the answers indicate. A rule holds
when all its conditions hold: "yes_count_at_least" N, "weighted_at_least" W, "any_yes" [question ids],
"all_yes" [question ids]. When none holds the grade is the officer's professional judgement.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

ANSWERS = ("yes", "no", "not_known")
GRADES = ("standard", "medium", "high")
SCORING_METHODS = ("yes_count", "weighted", "none")
RULE_CONDITIONS = ("yes_count_at_least", "weighted_at_least", "any_yes", "all_yes")


class InvalidInstrument(ValueError):
    """The definition is not one Vigil can use; the message says where and why."""


@dataclass(frozen=True)
class Question:
    id: str
    number: str
    text: str
    why: str
    section: str
    options: tuple[tuple[str, str], ...] = ()
    counted: bool = True


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: str
    follow_up: bool
    questions: tuple[Question, ...]


def validate(definition: Mapping) -> None:
    """Raise InvalidInstrument naming the first problem, or return quietly."""
    def need(condition: bool, message: str) -> None:
        if not condition:
            raise InvalidInstrument(message)

    need(isinstance(definition, Mapping), "the definition must be a JSON object")
    for key in ("code", "version", "name", "sections"):
        need(bool(definition.get(key)), f"the definition needs a \"{key}\"")
    need(str(definition["code"]).replace("-", "").replace("_", "").isalnum(),
         "\"code\" may hold only letters, digits, hyphens and underscores")
    need(tuple(definition.get("answers", ANSWERS)) == ANSWERS,
         "\"answers\" must be [\"yes\", \"no\", \"not_known\"]: an unasked question is never a \"no\"")
    section_ids, question_ids = set(), set()
    for s_index, section in enumerate(definition["sections"], 1):
        where = f"section {s_index}"
        need(isinstance(section, Mapping) and section.get("id") and section.get("title"),
             f"{where} needs an \"id\" and a \"title\"")
        need(section["id"] not in section_ids, f"{where}: the section id \"{section['id']}\" is used twice")
        section_ids.add(section["id"])
        need(bool(section.get("questions")), f"{where} (\"{section['id']}\") has no questions")
        for q_index, question in enumerate(section["questions"], 1):
            qwhere = f"{where} question {q_index}"
            need(isinstance(question, Mapping), f"{qwhere} must be an object")
            for key in ("id", "text", "why"):
                need(bool(question.get(key)), f"{qwhere} needs \"{key}\" (\"why\" is the guidance the officer opens)")
            need(question["id"] not in question_ids, f"{qwhere}: the question id \"{question['id']}\" is used twice")
            question_ids.add(question["id"])
            for option in question.get("options", []):
                need(isinstance(option, Mapping) and option.get("id") and option.get("label"),
                     f"{qwhere}: every option needs an \"id\" and a \"label\"")
    for f_index, follow in enumerate(definition.get("follow_ups", []), 1):
        when = follow.get("when", {}) if isinstance(follow, Mapping) else {}
        need(when.get("question") in question_ids, f"follow-up {f_index}: \"when.question\" names no question")
        need(when.get("answer") in ANSWERS, f"follow-up {f_index}: \"when.answer\" must be one of {list(ANSWERS)}")
        need(follow.get("section") in section_ids, f"follow-up {f_index}: \"section\" names no section")
    followed = {f["section"] for f in definition.get("follow_ups", [])}
    for section in definition["sections"]:
        if section.get("follow_up"):
            need(section["id"] in followed, f"section \"{section['id']}\" is a follow-up that nothing triggers")
    scoring = definition.get("scoring", {"method": "yes_count"})
    need(scoring.get("method") in SCORING_METHODS, f"\"scoring.method\" must be one of {list(SCORING_METHODS)}")
    if scoring["method"] == "weighted":
        weights = scoring.get("weights", {})
        need(bool(weights) and set(weights) <= question_ids, "\"scoring.weights\" must name questions of this instrument")
    grading = definition.get("grading", {})
    for r_index, rule in enumerate(grading.get("rules", []), 1):
        need(rule.get("indicates") in GRADES, f"grading rule {r_index}: \"indicates\" must be one of {list(GRADES)}")
        conditions = [k for k in rule if k != "indicates"]
        need(bool(conditions) and set(conditions) <= set(RULE_CONDITIONS),
             f"grading rule {r_index}: conditions must be among {list(RULE_CONDITIONS)}")
        for key in ("any_yes", "all_yes"):
            need(set(rule.get(key, [])) <= question_ids, f"grading rule {r_index}: \"{key}\" names unknown questions")
    floor = grading.get("floor")
    if floor:
        need(floor.get("grade") in GRADES and isinstance(floor.get("yes_count_at_least"), int),
             "\"grading.floor\" needs \"yes_count_at_least\" (a number) and \"grade\"")


def sections(definition: Mapping) -> tuple[Section, ...]:
    result = []
    for section in definition["sections"]:
        questions = tuple(
            Question(id=q["id"], number=str(q.get("number", "")), text=q["text"], why=q["why"], section=section["id"],
                     options=tuple((o["id"], o["label"]) for o in q.get("options", [])),
                     counted=bool(q.get("counted", True)))
            for q in section["questions"])
        result.append(Section(section["id"], section["title"], section.get("intro", ""),
                              bool(section.get("follow_up")), questions))
    return tuple(result)


def questions(definition: Mapping) -> dict[str, Question]:
    return {q.id: q for s in sections(definition) for q in s.questions}


def sections_shown(definition: Mapping, answers: Mapping[str, str]) -> tuple[Section, ...]:
    """The sections to ask, given the answers so far: every ordinary section, and a follow-up section once
    its trigger answer is given."""
    triggered = {f["section"] for f in definition.get("follow_ups", [])
                 if answers.get(f["when"]["question"]) == f["when"]["answer"]}
    return tuple(s for s in sections(definition) if not s.follow_up or s.id in triggered)


def counted_questions(definition: Mapping, answers: Mapping[str, str] | None = None) -> Iterable[Question]:
    shown = sections_shown(definition, answers or {}) if answers is not None else sections(definition)
    return [q for s in shown for q in s.questions if q.counted]
