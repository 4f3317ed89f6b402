"""The agenda of one MARAC meeting: which referrals are heard, which wait, which cases are repeats, and
which earlier actions come back. Plain rules, no Django: the Django layer maps its models onto the small
frozen inputs here (`ReferralIn`, `actions.Action`).

Rules (domain.md "MARAC (SafeLives)", and Vigil's choices where it is silent):

- **On the agenda**: a referral recorded as heard at this meeting, or one received by the cut-off day
  (inclusive) and not heard before this meeting. A referral received after the cut-off and not yet heard
  **waits** for the next meeting. Referrals heard at an earlier meeting are left out. (A referral heard
  at this meeting though received after the cut-off is a late addition the chair accepted; a referral
  heard after this meeting though received in time was deferred; so an agenda rebuilt later still shows
  what the meeting had before it.)
- **One case per victim**: several referrals for the same victim on one agenda are heard together as one
  case.
- **Repeat**: the case is a repeat when the victim had another MARAC referral in the 12 months up to the
  first referral of this case (`risk.scoring.repeat_marac`, its window, counted from the date each
  referral was received). Referrals heard together do not make each other repeats. The criterion a
  referrer ticked does not decide it: the history does.
- **Actions**: open actions set at earlier meetings come back with their case (`actions.returns_to_agenda`);
  a victim with returning actions and no new referral is on the agenda for the review of those actions.
- **Order** (a running order, not a judgement of priority: every MARAC case is high risk): cases with a
  new referral first, repeats before new cases, then the higher checklist "yes" count first (an unknown
  count after any known one), then the one that has waited longest (earliest received), then the victim
  key. Cases back only for their actions follow, the one with the earliest due action first.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from vigil.risk import scoring

from .actions import Action, returning_actions


class Criterion(StrEnum):
    """The SafeLives MARAC referral criteria (domain.md): any one is enough."""

    VISIBLE_HIGH_RISK = "visible_high_risk"
    PROFESSIONAL_JUDGEMENT = "professional_judgement"
    POTENTIAL_ESCALATION = "potential_escalation"
    REPEAT_MARAC = "repeat_marac"


@dataclass(frozen=True)
class ReferralIn:
    """A MARAC referral as the agenda rules need it. `heard_on` is the date of the meeting that heard it
    (None until then); `yes_count` is the checklist score when there is one."""

    id: int | str
    victim_key: str
    received_on: date
    heard_on: date | None
    criteria: frozenset[Criterion]
    source_agency: str
    yes_count: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "criteria", frozenset(Criterion(c) for c in self.criteria))
        if not self.criteria:
            raise ValueError(f"referral {self.id} meets no MARAC criterion")
        if self.heard_on is not None and self.heard_on < self.received_on:
            raise ValueError(f"referral {self.id} was heard ({self.heard_on}) before it was received")


@dataclass(frozen=True)
class AgendaCase:
    """One victim's case at the meeting: the new referrals heard (none when the case is back only for its
    actions), whether it is a repeat, and the open actions that come back."""

    victim_key: str
    referrals: tuple[ReferralIn, ...]
    repeat: bool
    actions: tuple[Action, ...]

    @property
    def highest_yes_count(self) -> int | None:
        return max((r.yes_count for r in self.referrals if r.yes_count is not None), default=None)

    @property
    def first_received_on(self) -> date | None:
        return min((r.received_on for r in self.referrals), default=None)


@dataclass(frozen=True)
class Agenda:
    meeting_date: date
    cut_off: date
    cases: tuple[AgendaCase, ...]
    waiting: tuple[ReferralIn, ...]  # received after the cut-off: for the next meeting


def is_repeat(case_referrals: Sequence[ReferralIn], history: Iterable[ReferralIn]) -> bool:
    """Whether the victim of `case_referrals` (one victim's referrals heard together) had another MARAC
    referral in the 12 months up to the first of them."""
    first = min(r.received_on for r in case_referrals)
    victim_key = case_referrals[0].victim_key
    together = {r.id for r in case_referrals}
    last_referral = max(
        (
            h.received_on
            for h in history
            if h.victim_key == victim_key and h.id not in together and h.received_on <= first
        ),
        default=None,
    )
    return scoring.repeat_marac(last_referral, on=first)


def is_on_agenda(referral: ReferralIn, meeting_date: date, cut_off: date) -> bool:
    if referral.heard_on == meeting_date:
        return True
    not_heard_before = referral.heard_on is None or referral.heard_on > meeting_date
    return not_heard_before and referral.received_on <= cut_off


def _waits(referral: ReferralIn, meeting_date: date, cut_off: date) -> bool:
    not_heard_yet = referral.heard_on is None or referral.heard_on > meeting_date
    return not_heard_yet and referral.received_on > cut_off


def _running_order(case: AgendaCase) -> tuple:
    if case.referrals:
        count = case.highest_yes_count
        return (0, not case.repeat, count is None, -(count or 0), case.first_received_on, case.victim_key)
    return (1, min(a.due_on for a in case.actions), case.victim_key)


def build_agenda(
    referrals: Iterable[ReferralIn],
    open_actions: Iterable[Action],
    meeting_date: date,
    cut_off: date,
    previous_referrals: Iterable[ReferralIn] = (),
) -> Agenda:
    """The agenda of the meeting on `meeting_date`. `referrals` are the referrals to place (usually those not
    yet heard); `previous_referrals` is the MARAC referral history the repeat rule looks back over (the
    referrals given are looked at too, so passing the same referral in both is harmless)."""
    if cut_off > meeting_date:
        raise ValueError(f"the referral cut-off ({cut_off}) is after the meeting ({meeting_date})")
    referrals = list(referrals)
    history = [*previous_referrals, *referrals]

    heard_here: dict[str, list[ReferralIn]] = defaultdict(list)
    for referral in referrals:
        if is_on_agenda(referral, meeting_date, cut_off):
            heard_here[referral.victim_key].append(referral)
    returning: dict[str, list[Action]] = defaultdict(list)
    for action in returning_actions(open_actions, meeting_date):
        returning[action.victim_key].append(action)

    cases = []
    for victim_key in heard_here.keys() | returning.keys():
        case_referrals = sorted(heard_here.get(victim_key, []), key=lambda r: (r.received_on, str(r.id)))
        cases.append(
            AgendaCase(
                victim_key=victim_key,
                referrals=tuple(case_referrals),
                repeat=bool(case_referrals) and is_repeat(case_referrals, history),
                actions=tuple(returning.get(victim_key, [])),
            )
        )
    waiting = sorted(
        (r for r in referrals if _waits(r, meeting_date, cut_off)), key=lambda r: (r.received_on, str(r.id))
    )
    return Agenda(
        meeting_date=meeting_date,
        cut_off=cut_off,
        cases=tuple(sorted(cases, key=_running_order)),
        waiting=tuple(waiting),
    )
