"""Victim surveys, the plain rules (no Django import): the questionnaire as versioned data, the safety
protocol's outcomes, checking a set of answers against the questionnaire, and the analysis.

The questionnaire ("vigil-victim-survey-1") asks about five stages of what happened: the first call, the
officers' attendance, the investigation, the updates and the service overall. Each stage has a
satisfaction question on the five-point scale (very satisfied .. very dissatisfied, or "does not apply"),
one or two yes/no questions and an optional comment in the victim's own words.

The safety protocol comes first, every time: the call is made to the victim's safe number, and the first
question is "Is it safe to talk?". Only "yes" goes on to the questions. "Not safe to talk now" asks
nothing and books a call back; if the line goes dead mid-call, an urgent immediate-response task is
raised at once (survey_services.py).

The analysis gives the share satisfied ("very" or "fairly" satisfied, of those for whom the stage
applied) with a Wilson 95 % interval, by stage, and for the overall question by risk level, team and
month; the share answering "yes" to each yes/no question; and the comments grouped by theme with a
documented keyword lexicon (`THEMES`). Comments are the victim's own words and may hold personal data:
they are shown only to permitted users and never logged.
"""

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from vigil.evaluation.metrics import wilson_interval

QUESTIONNAIRE_CODE = "vigil-victim-survey-1"
COMMENT_MAX_LENGTH = 1000
EXAMPLES_PER_THEME = 3
MIN_GROUP_FOR_INTERVAL = 1  # every group with an answer gets its interval; small groups show wide ones

# --- the safety protocol ----------------------------------------------------------------------------------

SAFE_TO_TALK = "safe"  # the first step's "yes": go on to the questions (not a final outcome)
IN_PROGRESS = "in_progress"  # a survey whose call is under way
COMPLETED = "completed"
NOT_SAFE = "not_safe"
NO_ANSWER = "no_answer"
DECLINED = "declined"
LINE_DROPPED = "line_dropped"

OUTCOMES: tuple[tuple[str, str], ...] = (
    (IN_PROGRESS, "Call under way"),
    (COMPLETED, "Completed"),
    (NOT_SAFE, "Not safe to talk now: call back later"),
    (NO_ANSWER, "No answer"),
    (DECLINED, "Declined to take part"),
    (LINE_DROPPED, "The line went dead during the call"),
)
OUTCOME_LABELS = dict(OUTCOMES)
FINAL_OUTCOMES = (COMPLETED, NOT_SAFE, NO_ANSWER, DECLINED, LINE_DROPPED)
# The first step, "Is it safe to talk?", as the person calling answers it.
FIRST_STEP: tuple[tuple[str, str], ...] = (
    (SAFE_TO_TALK, "Yes, the victim says it is safe to talk now"),
    (NOT_SAFE, "No, it is not safe to talk now: ask nothing and arrange to call back"),
    (NO_ANSWER, "No answer"),
    (DECLINED, "The victim does not want to take part"),
    (LINE_DROPPED, "The line went dead"),
)
FIRST_STEP_LABELS = dict(FIRST_STEP)
# The outcomes that may end a call already under way (on the questions page).
DURING_CALL = (COMPLETED, NOT_SAFE, DECLINED, LINE_DROPPED)
# A victim surveyed with one of these outcomes is not asked again for SURVEY_INTERVAL_DAYS.
SURVEYED = (COMPLETED, DECLINED)
SURVEY_INTERVAL_DAYS = 365
# Vigil's policy (domain.md is silent): after a call that did not reach the victim safely, nobody else
# calls them for the survey for a while. Not safe to talk, or the line went dead (and while the urgent
# welfare check that raised is open, however long): 7 days. No answer: 1 day. Only the person holding the
# call-back of a "not safe to talk" call may call again sooner (survey_services.survey_start).
WAIT_AFTER_DAYS = {NOT_SAFE: 7, LINE_DROPPED: 7, NO_ANSWER: 1}
# A survey call started within this many hours and not finished is under way: nobody else may start one.
# Older, it is taken as abandoned (the person calling never recorded how it ended).
UNDER_WAY_HOURS = 2

# --- the questionnaire ------------------------------------------------------------------------------------

SATISFIED = ("very_satisfied", "fairly_satisfied")
NOT_APPLICABLE = "not_applicable"
SATISFACTION_SCALE: tuple[tuple[str, str], ...] = (
    ("very_satisfied", "Very satisfied"),
    ("fairly_satisfied", "Fairly satisfied"),
    ("neither", "Neither satisfied nor dissatisfied"),
    ("fairly_dissatisfied", "Fairly dissatisfied"),
    ("very_dissatisfied", "Very dissatisfied"),
    (NOT_APPLICABLE, "Does not apply, or cannot say"),
)
YES_NO: tuple[tuple[str, str], ...] = (
    ("yes", "Yes"),
    ("no", "No"),
    (NOT_APPLICABLE, "Does not apply, or cannot say"),
)
SCALES = {"satisfaction": SATISFACTION_SCALE, "yes_no": YES_NO}


@dataclass(frozen=True)
class Question:
    code: str
    text: str
    scale: str  # "satisfaction", "yes_no" or "text"

    @property
    def choices(self) -> tuple[tuple[str, str], ...]:
        return SCALES.get(self.scale, ())

    @property
    def required(self) -> bool:
        return self.scale != "text"


@dataclass(frozen=True)
class Stage:
    code: str
    name: str
    questions: tuple[Question, ...]

    @property
    def satisfaction(self) -> Question:
        return next(q for q in self.questions if q.scale == "satisfaction")


@dataclass(frozen=True)
class Questionnaire:
    code: str
    title: str
    stages: tuple[Stage, ...]

    def question(self, stage: str, code: str) -> Question | None:
        for s in self.stages:
            if s.code == stage:
                return next((q for q in s.questions if q.code == code), None)
        return None

    def stage(self, code: str) -> Stage | None:
        return next((s for s in self.stages if s.code == code), None)


def _stage(code: str, name: str, satisfaction: str, *yes_no: tuple[str, str]) -> Stage:
    return Stage(code, name, (Question("satisfaction", satisfaction, "satisfaction"),
                              *(Question(q, text, "yes_no") for q, text in yes_no),
                              Question("comment", "Is there anything you would like to tell us about this? "
                                                  "(In the victim's words)", "text")))


QUESTIONNAIRE_1 = Questionnaire(QUESTIONNAIRE_CODE, "Victim satisfaction survey", (
    _stage("call", "The first call", "How satisfied were you with how your call was handled?",
           ("taken_seriously", "Did the person you spoke to take what you said seriously?")),
    _stage("attendance", "When officers came", "How satisfied were you with the officers who came?",
           ("arrived_in_time", "Did officers arrive when you were told they would?"),
           ("treated_with_respect", "Did the officers treat you with respect?")),
    _stage("investigation", "The investigation", "How satisfied are you with how your case was investigated?",
           ("told_next_steps", "Were you told what would happen next?")),
    _stage("updates", "Keeping you updated", "How satisfied are you with how you were kept up to date?",
           ("kept_informed", "Were you kept informed?")),
    _stage("overall", "Overall", "Overall, how satisfied are you with the service you received?",
           ("feel_safer", "Do you feel safer than before you contacted us?"),
           ("contact_again", "Would you contact the police again?")),
))
QUESTIONNAIRES = {QUESTIONNAIRE_1.code: QUESTIONNAIRE_1}
OVERALL_STAGE = "overall"


def questionnaire(code: str = QUESTIONNAIRE_CODE) -> Questionnaire:
    return QUESTIONNAIRES[code]


def answer_key(stage: str, question: str) -> str:
    """The name of one answer in a flat mapping (and a form field): "call__satisfaction"."""
    return f"{stage}__{question}"


def check_answers(q: Questionnaire, answers: Mapping[str, str]) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """The answers (a mapping of `answer_key` to what was chosen or typed) checked against the questionnaire:
    ({(stage, question): value}, {answer_key: error}). Every scale question must be answered from its
    scale; comments are optional and kept to COMMENT_MAX_LENGTH; names not in the questionnaire are errors."""
    known = {answer_key(s.code, qn.code) for s in q.stages for qn in s.questions}
    errors: dict[str, str] = {}
    for name in answers:
        if name not in known:
            errors[name] = "That question is not in the questionnaire"
    clean: dict[tuple[str, str], str] = {}
    for stage in q.stages:
        for question in stage.questions:
            name = answer_key(stage.code, question.code)
            value = (answers.get(name) or "").strip()
            if question.scale == "text":
                value = " ".join(value.split())
                if len(value) > COMMENT_MAX_LENGTH:
                    errors[name] = f"Keep the comment to {COMMENT_MAX_LENGTH} characters or fewer"
                elif value:
                    clean[(stage.code, question.code)] = value
            elif not value:
                errors[name] = f"{stage.name}: choose an answer to “{question.text}”"
            elif value not in dict(question.choices):
                errors[name] = f"{stage.name}: choose an answer from the list"
            else:
                clean[(stage.code, question.code)] = value
    return clean, errors


# --- comment themes -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Theme:
    code: str
    label: str
    keywords: tuple[str, ...]  # matched at the start of a word, case-insensitive; a phrase matches as written


# The lexicon: a comment belongs to every theme one of whose keywords it holds, and to "other" when none.
THEMES: tuple[Theme, ...] = (
    Theme("kept_informed", "Being kept informed",
          ("kept informed", "inform", "update", "told", "tell me", "heard nothing", "no news", "no one called",
           "nobody called", "call back", "called back", "rang back", "in touch", "letter", "what was happening",
           "what happened next")),
    Theme("attitude", "Attitude and respect",
          ("respect", "rude", "polite", "kind", "attitude", "dismissive", "patronis", "judg", "caring", "compassion",
           "professional", "sympath", "friendly", "blamed", "victim blam")),
    Theme("speed", "Speed of response",
          ("quick", "slow", "wait", "took ages", "ages", "hours", "late", "fast", "prompt", "delay", "straight away",
           "immediately", "on time", "took too long", "never came", "turned up")),
    Theme("feeling_safe", "Feeling safe",
          ("safe", "unsafe", "scared", "afraid", "frighten", "protect", "fear", "terrified", "threat", "alarm",
           "bail")),
    Theme("listened_to", "Being listened to and believed",
          ("listen", "believed", "believe", "heard me", "understood", "understand", "seriously", "ignored",
           "did not care", "didn't care", "brushed off")),
)
OTHER_THEME = Theme("other", "Other", ())
THEME_LABELS = {t.code: t.label for t in (*THEMES, OTHER_THEME)}
_PATTERNS = {t.code: re.compile(r"\b(?:" + "|".join(re.escape(k) for k in t.keywords) + ")", re.IGNORECASE)
             for t in THEMES}


def comment_themes(text: str) -> list[str]:
    """The codes of the themes a comment belongs to (in THEMES order), or ["other"]."""
    found = [t.code for t in THEMES if _PATTERNS[t.code].search(text or "")]
    return found or [OTHER_THEME.code]


# --- the analysis ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Response:
    """One survey call as the analysis sees it. `answers` holds the answers of a completed survey
    ({(stage, question): value}, comments included); other outcomes have none."""

    outcome: str
    month: str  # "2026-03", the month (Europe/London) it was made
    risk_level: str
    team: str
    answers: Mapping[tuple[str, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class Share:
    label: str
    count: int  # satisfied (or "yes")
    total: int  # answered, "does not apply" left out
    low: float | None = None
    high: float | None = None

    @property
    def value(self) -> float | None:
        return self.count / self.total if self.total else None

    @property
    def pct(self) -> float | None:
        return None if self.value is None else 100 * self.value

    @property
    def low_pct(self) -> float | None:
        return None if self.low is None else 100 * self.low

    @property
    def high_pct(self) -> float | None:
        return None if self.high is None else 100 * self.high


@dataclass(frozen=True)
class ThemeCount:
    code: str
    label: str
    count: int
    examples: tuple[str, ...]  # empty unless the analysis was asked for them (the viewer may read comments)


@dataclass(frozen=True)
class SurveyAnalysis:
    questionnaire: str
    calls: int
    outcomes: tuple[tuple[str, int], ...]  # (label, count) for every final outcome
    completed: int
    by_stage: tuple[Share, ...]
    questions: tuple[Share, ...]  # the yes/no questions: share answering yes
    by_risk: tuple[Share, ...]  # the overall question
    by_team: tuple[Share, ...]
    by_month: tuple[Share, ...]
    comments: int
    themes: tuple[ThemeCount, ...]
    examples_shown: bool

    @property
    def overall(self) -> Share | None:
        return next((s for s in self.by_stage if s.label == questionnaire(self.questionnaire).stage(OVERALL_STAGE).name),
                    None)


def share(label: str, count: int, total: int, level: float = 0.95) -> Share:
    if total <= 0:
        return Share(label, 0, 0)
    low, high = wilson_interval(count, total, level)
    return Share(label, count, total, low, high)


def _tally(rows: Iterable[tuple[str, bool]], order: Sequence[str] | None = None) -> tuple[Share, ...]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for label, ok in rows:
        counts[label][1] += 1
        counts[label][0] += int(ok)
    labels = [label for label in order if label in counts] if order is not None else sorted(counts)
    return tuple(share(label, *counts[label]) for label in labels)


RISK_ORDER = ("high", "medium", "standard")
RISK_LABELS = {"high": "High", "medium": "Medium", "standard": "Standard"}


def analyse(responses: Iterable[Response], *, questionnaire_code: str = QUESTIONNAIRE_CODE,
            with_examples: bool = False, examples_per_theme: int = EXAMPLES_PER_THEME) -> SurveyAnalysis:
    """The analysis of a set of survey calls (see the module's note). Comments' examples are given in the
    order the responses come (give the newest first) and only `with_examples`."""
    q = questionnaire(questionnaire_code)
    responses = list(responses)
    outcome_counts = Counter(r.outcome for r in responses if r.outcome in FINAL_OUTCOMES)
    done = [r for r in responses if r.outcome == COMPLETED]

    def satisfied(r: Response, stage: str) -> bool | None:
        value = r.answers.get((stage, "satisfaction"))
        if value is None or value == NOT_APPLICABLE:
            return None
        return value in SATISFIED

    by_stage = []
    questions = []
    for stage in q.stages:
        rows = [satisfied(r, stage.code) for r in done]
        rows = [x for x in rows if x is not None]
        by_stage.append(share(stage.name, sum(rows), len(rows)))
        for question in stage.questions:
            if question.scale != "yes_no":
                continue
            values = [r.answers.get((stage.code, question.code)) for r in done]
            values = [v for v in values if v in ("yes", "no")]
            questions.append(share(question.text, values.count("yes"), len(values)))
    overall = [(r, satisfied(r, OVERALL_STAGE)) for r in done]
    overall = [(r, ok) for r, ok in overall if ok is not None]
    by_risk = _tally(((RISK_LABELS.get(r.risk_level, r.risk_level), ok) for r, ok in overall),
                     [RISK_LABELS[k] for k in RISK_ORDER] + sorted({r.risk_level for r, _ in overall} - set(RISK_ORDER)))
    by_team = _tally((r.team or "No team", ok) for r, ok in overall)
    by_month = _tally((r.month, ok) for r, ok in overall)

    theme_counts: Counter = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    comments = 0
    for r in done:
        for stage in q.stages:
            text = r.answers.get((stage.code, "comment"))
            if not text:
                continue
            comments += 1
            for code in comment_themes(text):
                theme_counts[code] += 1
                if with_examples and len(examples[code]) < examples_per_theme:
                    examples[code].append(text)
    themes = tuple(ThemeCount(t.code, t.label, theme_counts[t.code], tuple(examples[t.code]))
                   for t in (*THEMES, OTHER_THEME))
    return SurveyAnalysis(
        questionnaire=q.code, calls=sum(outcome_counts.values()),
        outcomes=tuple((OUTCOME_LABELS[o], outcome_counts[o]) for o in FINAL_OUTCOMES),
        completed=len(done), by_stage=tuple(by_stage), questions=tuple(questions), by_risk=by_risk, by_team=by_team,
        by_month=by_month, comments=comments, themes=themes, examples_shown=with_examples)


def pack_counts(analysis: SurveyAnalysis) -> tuple[int, int]:
    """(responses, satisfied) for the performance pack's survey figure: the overall question, "does not
    apply" left out."""
    overall = analysis.overall
    return (overall.total, overall.count) if overall is not None else (0, 0)
