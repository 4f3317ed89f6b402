"""MARAC figures for a period, beside the levels domain.md gives. Plain rules, no Django.

For the period from `start` to `end` inclusive:

- **cases heard**: one case per victim per meeting (several referrals heard together are one case),
  counted by the meeting date; a case is a **repeat** by `agenda.is_repeat`, and the **repeat rate** is
  repeat cases / cases heard;
- **referrals by agency**: referrals received in the period, counted per referring agency with their
  share, and the police and partner shares;
- **actions completed on time**: of the actions due in the period and not cancelled ("circumstances
  changed" is not "not done"), the share done by their due day. An action still open counts as not done
  on time, so run the figures after the period has closed;
- **volume**: cases heard per 10,000 women aged 16 and over, as a yearly rate (the count scaled by 365
  days over the days in the period), and that rate as a share of the recommended level.

A figure that would divide by zero (or by an unknown population) has no value and says why.
"""

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date

from .actions import Action, ActionStatus, completed_on_time
from .agenda import ReferralIn, is_repeat

# domain.md, "MARAC (SafeLives)" — "Volumes: recommended 40 cases a year per 10,000 women aged 16+
# (national 2023–24: 47, with 31 % repeats; 2018–19: 39 and 30 %)".
RECOMMENDED_CASES_A_YEAR_PER_10K_WOMEN = 40
NATIONAL_CASES_A_YEAR_PER_10K_WOMEN = {"2023-24": 47, "2018-19": 39}
NATIONAL_REPEAT_RATE = {"2023-24": 0.31, "2018-19": 0.30}
# domain.md, "MARAC (SafeLives)" — "About half of referrals came from partners in the report (36 %
# nationally in 2023–24)".
REPORT_PARTNER_REFERRAL_SHARE = 0.5
NATIONAL_PARTNER_REFERRAL_SHARE = {"2023-24": 0.36}

PER_WOMEN = 10_000
DAYS_A_YEAR = 365


@dataclass(frozen=True)
class Figure:
    """A computed figure: its value, or None and the reason there is none."""

    value: float | None
    reason: str = ""


def share(part: float, whole: float | None, *, none_reason: str) -> Figure:
    """`part / whole`, or no value (with `none_reason`) when `whole` is zero or unknown."""
    if not whole:
        return Figure(None, none_reason)
    return Figure(part / whole)


@dataclass(frozen=True)
class AgencyReferrals:
    agency: str
    police: bool
    count: int
    share: Figure


@dataclass(frozen=True)
class MaracFigures:
    start: date
    end: date
    cases_heard: int
    repeat_cases: int
    repeat_rate: Figure
    referrals_received: int
    referrals_by_agency: tuple[AgencyReferrals, ...]  # most referrals first
    police_referrals: int
    partner_referrals: int
    police_share: Figure
    partner_share: Figure
    actions_due: int
    actions_on_time: int
    actions_on_time_share: Figure
    cases_a_year_per_10k_women: Figure
    share_of_recommended_volume: Figure  # 1.0 is the recommended level exactly


def _within(d: date | None, start: date, end: date) -> bool:
    return d is not None and start <= d <= end


def marac_figures(
    referrals: Iterable[ReferralIn],
    actions: Iterable[Action],
    start: date,
    end: date,
    *,
    women_aged_16_plus: int | None,
    police_agencies: Collection[str],
) -> MaracFigures:
    """The MARAC figures from `start` to `end` inclusive. `referrals` is every referral known (earlier ones
    too: the repeat rule looks back 12 months); `police_agencies` are the `source_agency` values that are
    the police, every other agency being a partner."""
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    referrals = list(referrals)

    cases: dict[tuple[str, date], list[ReferralIn]] = defaultdict(list)
    for referral in referrals:
        if _within(referral.heard_on, start, end):
            cases[(referral.victim_key, referral.heard_on)].append(referral)
    by_victim: dict[str, list[ReferralIn]] = defaultdict(list)  # is_repeat looks only at the victim's own
    for referral in referrals:
        by_victim[referral.victim_key].append(referral)
    repeat_cases = sum(1 for heard_together in cases.values()
                       if is_repeat(heard_together, by_victim[heard_together[0].victim_key]))

    received = [r for r in referrals if _within(r.received_on, start, end)]
    by_agency = Counter(r.source_agency for r in received)
    no_referrals = "no referrals were received in the period"
    agencies = tuple(
        AgencyReferrals(
            agency, agency in police_agencies, count, share(count, len(received), none_reason=no_referrals)
        )
        for agency, count in sorted(by_agency.items(), key=lambda item: (-item[1], item[0]))
    )
    police = sum(a.count for a in agencies if a.police)
    partners = len(received) - police

    due = [a for a in actions if a.status != ActionStatus.CANCELLED and _within(a.due_on, start, end)]
    on_time = sum(1 for a in due if completed_on_time(a))

    if women_aged_16_plus is None:
        no_population = "the number of women aged 16 and over is not known"
    else:
        no_population = "the number of women aged 16 and over is given as 0"
    days = (end - start).days + 1
    yearly = share(
        len(cases) * PER_WOMEN * DAYS_A_YEAR, (women_aged_16_plus or 0) * days, none_reason=no_population
    )
    against_recommended = (
        Figure(yearly.value / RECOMMENDED_CASES_A_YEAR_PER_10K_WOMEN) if yearly.value is not None else yearly
    )

    return MaracFigures(
        start=start,
        end=end,
        cases_heard=len(cases),
        repeat_cases=repeat_cases,
        repeat_rate=share(repeat_cases, len(cases), none_reason="no cases were heard in the period"),
        referrals_received=len(received),
        referrals_by_agency=agencies,
        police_referrals=police,
        partner_referrals=partners,
        police_share=share(police, len(received), none_reason=no_referrals),
        partner_share=share(partners, len(received), none_reason=no_referrals),
        actions_due=len(due),
        actions_on_time=on_time,
        actions_on_time_share=share(on_time, len(due), none_reason="no actions fell due in the period"),
        cases_a_year_per_10k_women=yearly,
        share_of_recommended_volume=against_recommended,
    )
