"""The board's plain rules: one highlight per rule, each saying why; the order; acknowledgement."""

from datetime import UTC, datetime, timedelta

import pytest

from vigil.checks import board_rules as br
from vigil.checks.board_rules import OpenCheck
from vigil.checks.history import HistoryFacts

NOW = datetime(2025, 3, 1, 14, 30, tzinfo=UTC)  # 14:30 in London (GMT)
NO_HISTORY = HistoryFacts(records_found=False)


def found(facts=NO_HISTORY, *, grade=2, weapons=None, injuries=None, children_present=None, suspect_present=None,
          open_checks=(), now=NOW):
    return br.highlights(facts=facts, grade=grade, weapons=weapons, injuries=injuries,
                         children_present=children_present, suspect_present=suspect_present,
                         open_checks=list(open_checks), now=now)


def reasons(highlights) -> dict[str, str]:
    return {h.code: h.reason for h in highlights}


def check(kind="firearms", label="Firearms licensing", performer="Dispatcher", due_in=timedelta(minutes=10),
          taken=False):
    return OpenCheck(kind=kind, label=label, performer=performer, due_at=NOW + due_in, taken=taken)


def test_nothing_known_means_no_highlights():
    assert found() == []


def test_high_risk_victim_from_their_last_assessment():
    assert reasons(found(HistoryFacts(records_found=True, latest_grade="high")))[br.HIGH_RISK_VICTIM] == \
        "Victim graded high risk at their last assessment"


def test_high_risk_victim_from_a_marker():
    facts = HistoryFacts(records_found=True, marker_kinds=frozenset({"high_risk_victim"}))
    assert reasons(found(facts))[br.HIGH_RISK_VICTIM] == "High-risk victim warning marker in force"


@pytest.mark.parametrize("grade", ["medium", "standard", ""])
def test_no_high_risk_highlight_below_high(grade):
    assert br.HIGH_RISK_VICTIM not in reasons(found(HistoryFacts(records_found=True, latest_grade=grade)))


@pytest.mark.parametrize(("field", "code", "reason"), [
    ("weapons", br.WEAPONS, "Caller says weapons are involved"),
    ("injuries", br.INJURIES, "Injuries reported"),
    ("children_present", br.CHILDREN_PRESENT, "Children present"),
    ("suspect_present", br.SUSPECT_PRESENT, "Suspect still at the scene"),
])
def test_what_the_caller_says(field, code, reason):
    assert reasons(found(**{field: True})) == {code: reason}
    assert code not in reasons(found(**{field: False}))
    assert code not in reasons(found(**{field: None})), "not known is not a yes"


def test_repeat_victim_counts_this_call():
    assert reasons(found(HistoryFacts(records_found=True, victim_calls_12m=2)))[br.REPEAT_VICTIM] == \
        "Victim's 3rd call in 12 months (repeat victim)"
    assert reasons(found(HistoryFacts(records_found=True, victim_calls_12m=1)))[br.REPEAT_VICTIM] == \
        "Victim's 2nd call in 12 months (repeat victim)"
    assert reasons(found(HistoryFacts(records_found=True, victim_calls_12m=10)))[br.REPEAT_VICTIM] == \
        "Victim's 11th call in 12 months (repeat victim)"


def test_a_first_call_is_not_a_repeat():
    assert br.REPEAT_VICTIM not in reasons(found(HistoryFacts(records_found=True, victim_calls_12m=0)))


@pytest.mark.parametrize(("marker", "code", "reason"), [
    ("protective_order", br.PROTECTIVE_ORDER, "Protective order in force"),
    ("bail_conditions", br.BAIL_CONDITIONS, "Bail conditions in force"),
    ("violence", br.VIOLENCE_MARKER, "Violence warning marker"),
    ("weapons", br.VIOLENCE_MARKER, "Weapons warning marker"),
    ("vulnerable", br.VULNERABLE_MARKER, "Vulnerable person warning marker"),
    ("marac", br.MARAC, "MARAC warning marker in force"),
])
def test_markers(marker, code, reason):
    assert reasons(found(HistoryFacts(records_found=True, marker_kinds=frozenset({marker})))) == {code: reason}


@pytest.mark.parametrize("code", [br.PROTECTIVE_ORDER, br.BAIL_CONDITIONS, br.VIOLENCE_MARKER,
                                  br.VULNERABLE_MARKER, br.MARAC])
def test_no_marker_no_marker_highlight(code):
    facts = HistoryFacts(records_found=True, marker_kinds=frozenset({"domestic_abuse", "refuge"}))
    assert code not in reasons(found(facts))


def test_violence_and_weapons_markers_are_one_highlight():
    facts = HistoryFacts(records_found=True, marker_kinds=frozenset({"violence", "weapons"}))
    assert reasons(found(facts)) == {br.VIOLENCE_MARKER: "Violence and weapons warning markers"}


def test_marac_in_the_last_12_months():
    assert reasons(found(HistoryFacts(records_found=True, marac_12m=True))) == \
        {br.MARAC: "MARAC case in the last 12 months"}
    assert br.MARAC not in reasons(found(HistoryFacts(records_found=True, marac_12m=False)))


def test_serial_perpetrator_says_how_many():
    assert reasons(found(HistoryFacts(records_found=True, suspect_other_victims=2)))[br.SERIAL_PERPETRATOR] == \
        "Suspect has abused 2 other victims"
    assert reasons(found(HistoryFacts(records_found=True, suspect_other_victims=1)))[br.SERIAL_PERPETRATOR] == \
        "Suspect has abused 1 other victim"
    assert br.SERIAL_PERPETRATOR not in reasons(found(HistoryFacts(records_found=True, suspect_other_victims=0)))


def test_open_case_without_an_owner():
    assert reasons(found(HistoryFacts(records_found=True, open_case_unowned=True))) == \
        {br.CASE_UNOWNED: "Open case has no owner"}
    assert reasons(found(HistoryFacts(records_found=True, open_case_unowned=False))) == {}


def test_checks_not_taken_by_anyone():
    checks = [check(), check(kind="childrens_services", label="Children's services flag",
                             performer="Intelligence researcher")]
    assert reasons(found(open_checks=checks))[br.CHECKS_UNTAKEN] == (
        "2 background checks not yet taken by anyone: Firearms licensing (Dispatcher); "
        "Children's services flag (Intelligence researcher)")
    assert reasons(found(open_checks=[check()]))[br.CHECKS_UNTAKEN].startswith(
        "1 background check not yet taken by anyone")


def test_taken_checks_are_not_untaken():
    assert br.CHECKS_UNTAKEN not in reasons(found(open_checks=[check(taken=True)]))


def test_overdue_check_names_the_check_and_its_time():
    late = check(due_in=timedelta(minutes=-25), taken=True)  # due 14:05
    assert reasons(found(open_checks=[late])) == {"check_overdue:firearms": "Check overdue: Firearms licensing (due 14:05)"}


def test_overdue_untaken_check_says_so():
    late = check(due_in=timedelta(minutes=-25))
    assert reasons(found(open_checks=[late]))["check_overdue:firearms"] == \
        "Check overdue: Firearms licensing (due 14:05), not taken by anyone"


def test_overdue_time_is_london_time_with_the_day_when_not_today():
    summer_now = datetime(2025, 7, 2, 9, 0, tzinfo=UTC)  # 10:00 BST
    late = OpenCheck("firearms", "Firearms licensing", "Dispatcher", datetime(2025, 7, 1, 13, 5, tzinfo=UTC), True)
    assert reasons(found(open_checks=[late], now=summer_now))["check_overdue:firearms"] == \
        "Check overdue: Firearms licensing (due 14:05 on 1 Jul)"


def test_a_check_not_yet_due_is_not_overdue():
    assert not any(code.startswith(br.CHECK_OVERDUE_PREFIX)
                   for code in reasons(found(open_checks=[check(due_in=timedelta(seconds=1), taken=True)])))


def test_each_overdue_check_is_its_own_highlight():
    checks = [check(due_in=timedelta(minutes=-5), taken=True),
              check(kind="childrens_services", label="Children's services flag", due_in=timedelta(minutes=-1),
                    taken=True)]
    assert {h.code for h in found(open_checks=checks)} == {"check_overdue:firearms", "check_overdue:childrens_services"}


def test_highlights_heaviest_first():
    facts = HistoryFacts(records_found=True, latest_grade="high", victim_calls_12m=3)
    codes = [h.code for h in found(facts, weapons=True, open_checks=[check()])]
    assert codes == [br.HIGH_RISK_VICTIM, br.WEAPONS, br.REPEAT_VICTIM, br.CHECKS_UNTAKEN]


def test_every_highlight_has_a_label_and_a_weight():
    for code in br.WEIGHTS:
        assert br.weight_of(code) > 0
        assert br.label_of(code) != code
    assert br.weight_of("check_overdue:firearms") == br.WEIGHTS[br.CHECK_OVERDUE_PREFIX]


def test_priority_adds_weights_and_the_grade_factor():
    weapons = found(weapons=True)
    assert br.priority(weapons, 1) == br.WEIGHTS[br.WEAPONS] + br.GRADE_FACTOR[1]
    assert br.priority([], 4) == 0
    assert br.priority([], 1) > br.priority([], 2) > br.priority([], 3) > br.priority([], 4)


def test_a_high_risk_victim_outranks_an_emergency_grade_with_nothing_known():
    high = found(HistoryFacts(records_found=True, latest_grade="high"))
    assert br.priority(high, 3) > br.priority([], 1)


def test_more_highlights_rank_higher():
    assert br.priority(found(weapons=True, children_present=True), 2) > br.priority(found(weapons=True), 2)


def test_not_assessed_is_a_highlight_that_ranks_first():
    highlight = br.not_assessed()
    assert (highlight.code, highlight.reason) == (br.NOT_ASSESSED, "Not yet assessed by the board")
    everything = found(HistoryFacts(records_found=True, latest_grade="high"), weapons=True, suspect_present=True)
    assert br.priority([highlight], 4) > br.priority(everything[:1], 1)


def test_needs_acknowledgement_until_every_highlight_is_acknowledged():
    assert br.needs_acknowledgement({"weapons"}, None)
    assert br.needs_acknowledgement({"weapons", "children_present"}, {"weapons"})
    assert not br.needs_acknowledgement({"weapons"}, {"weapons"})
    assert not br.needs_acknowledgement(set(), None), "nothing highlighted, nothing to acknowledge"


def test_a_new_highlight_after_an_acknowledgement_needs_a_new_one():
    acknowledged = {"weapons"}
    assert not br.needs_acknowledgement({"weapons"}, acknowledged)
    assert br.needs_acknowledgement({"weapons", "check_overdue:firearms"}, acknowledged)


def test_a_highlight_that_went_away_needs_nothing():
    assert not br.needs_acknowledgement({"weapons"}, {"weapons", "children_present"})


def test_check_highlights_are_the_clock_dependent_ones():
    assert br.is_check_highlight(br.CHECKS_UNTAKEN)
    assert br.is_check_highlight("check_overdue:marac")
    assert not br.is_check_highlight(br.WEAPONS)


def test_board_rules_import_no_django():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(br))
    modules = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(m.startswith("django") for m in modules)
