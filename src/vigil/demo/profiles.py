"""Force profiles as data: the areas a force polices, its yearly volumes and the rates that the
generated force must reproduce. `leicestershire-2013` is calibrated to the seed figures in
docs (domain.md, "Seed figures")."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class AreaProfile:
    code: str
    name: str
    districts: dict[str, str]  # postcode district -> post town
    weight: float  # share of the force's incidents


@dataclass(frozen=True)
class OffenceQuota:
    """Crimes recorded in a year for one offence group, and how many of them carry the DA marker."""

    recorded: int
    domestic_abuse: int


@dataclass(frozen=True)
class Profile:
    name: str
    force_year_start: date  # the calibrated year runs from this day to the day before a year later
    history_years: int
    areas: tuple[AreaProfile, ...]
    da_incidents_per_year: int
    da_share_of_calls: float
    crimes_per_year: int
    da_crimes_per_year: int
    reported_offence_groups: dict[str, OffenceQuota]
    # The groups the report does not give, as shares of the remaining crimes.
    other_da_offence_shares: dict[str, float]
    other_non_da_offence_shares: dict[str, float]
    repeat_victim_share: float
    arrests_per_100_da_crimes: int
    da_outcome_shares: dict[str, float]  # charge, caution, out_of_court; the rest is nfa
    non_da_outcome_shares: dict[str, float]
    da_nfa_reason_shares: dict[str, float]
    non_da_nfa_reason_shares: dict[str, float]
    active_cases_at_year_end: int
    active_case_grade_shares: dict[str, float]  # also the grade mix of every DA risk assessment
    timezone: str = "Europe/London"
    serial_suspect_share: float = 0.12  # new victims whose suspect already abused someone else
    children_in_household_share: float = 0.45
    child_present_share: float = 0.35
    women_aged_16_plus: int = 0  # living in the force area (ONS mid-year estimate): the MARAC's volume

    @property
    def years(self) -> int:
        return self.history_years + 1


LEICESTERSHIRE_AREAS = (
    AreaProfile("leicester-city", "Leicester City",
                {"LE1": "Leicester", "LE2": "Leicester", "LE3": "Leicester", "LE4": "Leicester",
                 "LE5": "Leicester"}, 0.44),
    AreaProfile("charnwood", "Charnwood",
                {"LE11": "Loughborough", "LE12": "Loughborough", "LE6": "Leicester", "LE7": "Leicester"}, 0.14),
    AreaProfile("north-west-leicestershire", "North West Leicestershire",
                {"LE65": "Ashby-de-la-Zouch", "LE67": "Coalville"}, 0.09),
    AreaProfile("hinckley-and-bosworth", "Hinckley and Bosworth",
                {"LE10": "Hinckley", "LE9": "Leicester"}, 0.09),
    AreaProfile("blaby-oadby-wigston", "Blaby, Oadby and Wigston",
                {"LE8": "Leicester", "LE18": "Wigston", "LE19": "Leicester"}, 0.11),
    AreaProfile("harborough", "Harborough",
                {"LE16": "Market Harborough", "LE17": "Lutterworth"}, 0.06),
    AreaProfile("melton-and-rutland", "Melton and Rutland",
                {"LE13": "Melton Mowbray", "LE14": "Melton Mowbray", "LE15": "Oakham"}, 0.07),
)

LEICESTERSHIRE_2013 = Profile(
    name="leicestershire-2013",
    force_year_start=date(2012, 9, 1),
    history_years=3,
    areas=LEICESTERSHIRE_AREAS,
    da_incidents_per_year=13_500,
    da_share_of_calls=0.06,
    crimes_per_year=60_300,
    da_crimes_per_year=5_429,
    reported_offence_groups={
        "assault_with_intent": OffenceQuota(125, 20),
        "assault_with_injury": OffenceQuota(4_482, 1_643),
        "harassment": OffenceQuota(867, 352),
        "sexual_offences": OffenceQuota(1_048, 165),
    },
    other_da_offence_shares={"assault_without_injury": 0.55, "criminal_damage": 0.30, "other": 0.15},
    other_non_da_offence_shares={"assault_without_injury": 0.12, "criminal_damage": 0.20, "other": 0.68},
    repeat_victim_share=0.10,
    arrests_per_100_da_crimes=54,
    da_outcome_shares={"charge": 0.27, "caution": 0.13, "out_of_court": 0.03},
    non_da_outcome_shares={"charge": 0.15, "caution": 0.05, "out_of_court": 0.06},
    da_nfa_reason_shares={"victim_does_not_support": 0.52, "evidential_difficulties": 0.30,
                          "cps_decision": 0.10, "not_in_public_interest": 0.05,
                          "suspect_not_identified": 0.03},
    non_da_nfa_reason_shares={"suspect_not_identified": 0.60, "evidential_difficulties": 0.22,
                              "victim_does_not_support": 0.10, "not_in_public_interest": 0.05,
                              "cps_decision": 0.03},
    active_cases_at_year_end=942,
    active_case_grade_shares={"high": 0.07, "medium": 0.18, "standard": 0.75},
    women_aged_16_plus=420_000,  # Leicester, Leicestershire and Rutland, about 2013
)

PROFILES = {LEICESTERSHIRE_2013.name: LEICESTERSHIRE_2013}


def profile_get(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; known: {', '.join(sorted(PROFILES))}") from None


def seed_figures(profile: Profile) -> dict[str, float]:
    """The figures the generated force-year must reproduce, in the shape calibration.py measures."""
    figures: dict[str, float] = {
        "da_share_of_calls": profile.da_share_of_calls,
        "repeat_victim_share_of_da_calls": profile.repeat_victim_share,
        "da_share_of_crime": profile.da_crimes_per_year / profile.crimes_per_year,
        "da_crimes": profile.da_crimes_per_year,
        "arrests_per_100_da_crimes": profile.arrests_per_100_da_crimes,
        "active_da_cases": profile.active_cases_at_year_end,
    }
    for group, quota in profile.reported_offence_groups.items():
        figures[f"{group}_recorded"] = quota.recorded
        figures[f"{group}_da"] = quota.domestic_abuse
    for outcome, share in profile.da_outcome_shares.items():
        figures[f"da_outcome_{outcome}_share"] = share
    for grade, share in profile.active_case_grade_shares.items():
        figures[f"active_cases_{grade}_share"] = share
    return figures
