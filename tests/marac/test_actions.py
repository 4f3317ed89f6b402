"""MARAC actions: overdue, on time, escalation, return to the agenda (plain rules, no database)."""

from datetime import date

import pytest

from vigil.marac.actions import (
    Action,
    ActionStatus,
    completed_on_time,
    escalations,
    is_overdue,
    returning_actions,
)

SET_ON = date(2026, 1, 6)  # the meeting that agreed the actions


def action(
    id,
    due_on,
    status=ActionStatus.OPEN,
    closed_on=None,
    *,
    victim_key="v1",
    agency="IDVA service",
    set_on=SET_ON,
):
    return Action(
        id=id,
        victim_key=victim_key,
        agency=agency,
        set_on=set_on,
        due_on=due_on,
        status=status,
        closed_on=closed_on,
    )


def test_an_action_due_today_is_not_overdue_and_one_due_yesterday_is():
    due = date(2026, 1, 20)
    assert not is_overdue(action("a", due), on=date(2026, 1, 20))
    assert is_overdue(action("a", due), on=date(2026, 1, 21))
    assert not is_overdue(action("a", due), on=date(2026, 1, 19))


def test_done_and_cancelled_actions_are_never_overdue():
    due = date(2026, 1, 20)
    assert not is_overdue(action("a", due, ActionStatus.DONE, date(2026, 1, 25)), on=date(2026, 2, 1))
    assert not is_overdue(action("a", due, ActionStatus.CANCELLED, date(2026, 1, 10)), on=date(2026, 2, 1))


@pytest.mark.parametrize(
    ("status", "closed_on", "on_time"),
    [
        (ActionStatus.DONE, date(2026, 1, 19), True),
        (ActionStatus.DONE, date(2026, 1, 20), True),  # on the due day
        (ActionStatus.DONE, date(2026, 1, 21), False),  # a day late
        (ActionStatus.CANCELLED, date(2026, 1, 10), False),
        (ActionStatus.OPEN, None, False),
    ],
)
def test_completed_on_time(status, closed_on, on_time):
    assert completed_on_time(action("a", date(2026, 1, 20), status, closed_on)) is on_time


def test_escalations_list_overdue_actions_longest_overdue_first_with_a_plain_reason():
    actions = [
        action("a2", date(2026, 1, 24), agency="Housing"),  # 1 day overdue on the 25th
        action("a3", date(2026, 1, 25)),  # due today
        action("a1", date(2026, 1, 20)),  # 5 days overdue
        action("a4", date(2026, 1, 20), ActionStatus.DONE, date(2026, 1, 23)),  # done late
        action("a5", date(2026, 1, 20), ActionStatus.CANCELLED, date(2026, 1, 21)),
    ]
    found = escalations(actions, on=date(2026, 1, 25))
    assert [(e.action.id, e.days_overdue) for e in found] == [("a1", 5), ("a2", 1)]
    assert found[0].reason == (
        "Action a1 for IDVA service, agreed at the meeting on 6 January 2026, was due on 20 January 2026 "
        "and is still open 5 days later."
    )
    assert found[1].reason.endswith("was due on 24 January 2026 and is still open 1 day later.")


def test_grace_days_hold_back_escalation():
    actions = [action("a1", date(2026, 1, 20)), action("a2", date(2026, 1, 24))]
    on = date(2026, 1, 25)
    assert [e.action.id for e in escalations(actions, on, grace_days=1)] == ["a1"]
    assert [e.action.id for e in escalations(actions, on, grace_days=4)] == ["a1"]
    assert escalations(actions, on, grace_days=5) == []
    with pytest.raises(ValueError):
        escalations(actions, on, grace_days=-1)


def test_open_actions_from_earlier_meetings_return_to_the_agenda_in_due_order():
    meeting = date(2026, 1, 20)
    actions = [
        action("later", date(2026, 2, 10)),
        action("overdue", date(2026, 1, 13)),
        action("done", date(2026, 1, 13), ActionStatus.DONE, date(2026, 1, 12)),
        action("cancelled", date(2026, 1, 13), ActionStatus.CANCELLED, date(2026, 1, 12)),
        action("set today", date(2026, 2, 3), set_on=meeting),
    ]
    assert [a.id for a in returning_actions(actions, meeting)] == ["overdue", "later"]


def test_an_action_must_be_consistent():
    with pytest.raises(ValueError):
        action("a", date(2026, 1, 5))  # due before the meeting that set it
    with pytest.raises(ValueError):
        action("a", date(2026, 1, 20), ActionStatus.DONE)  # done with no day
    with pytest.raises(ValueError):
        action("a", date(2026, 1, 20), ActionStatus.OPEN, date(2026, 1, 19))  # open with a closing day
    with pytest.raises(ValueError):
        action("a", date(2026, 1, 20), ActionStatus.DONE, date(2026, 1, 1))  # closed before it was set
