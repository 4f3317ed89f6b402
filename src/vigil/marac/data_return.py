"""The MARAC data return in the shape SafeLives collects it: for one MARAC (or every MARAC) and a period,
the cases discussed, repeats, children, referrals by referring agency and the equality fields. Plain
rules, no Django: the selectors (`return_selectors.py`) map the referrals onto `ReturnReferral`.

Rules (domain.md "MARAC (SafeLives)", and Vigil's choices where it is silent; docs/marac.md, "The
SafeLives data return"):

- **Cases discussed**: SafeLives counts the cases *discussed at* MARAC in the period, so a case counts by
  the date of the meeting that heard it (not the date the referral was received). One case is one victim
  at one meeting (several referrals heard together are one case), as the figures count it.
- **Repeat**: a case is a repeat when the victim had another MARAC referral, at any MARAC, in the 12 months
  up to the first referral of the case (`agenda.is_repeat`); the repeat rate is repeat cases / cases.
- **Children**: the children and dependants in the household, summed over the cases. Referrals heard
  together describe one household, so a case counts its longest list of children, not their sum.
- **Referring agency**: the kind of agency that made the case's first referral, as SafeLives groups them
  (police, IDVA, health, children's services, housing, probation, other).
- **Equality fields**, each a count of cases and a share of the cases discussed, with the cases where it is
  not known: victims from Black, Asian and minority ethnic groups (any recorded ethnicity that is not a
  White group), LGBT+ and with a disability (as the referrer recorded them), male victims, and victims
  aged 16 or 17 on the day of the case's first referral.
- **Volume**: cases a year per 10,000 women aged 16 and over (the count scaled by 365 days over the days
  in the period), beside the recommended 40.
"""

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from vigil.csvsafe import csv_safe

from .agenda import is_repeat
from .figures import DAYS_A_YEAR, PER_WOMEN, RECOMMENDED_CASES_A_YEAR_PER_10K_WOMEN, Figure, share

# The referring agencies as SafeLives groups them, in the return's order: (code, label).
AGENCY_GROUPS: tuple[tuple[str, str], ...] = (
    ("police", "Police"),
    ("idva", "IDVA"),
    ("health", "Health"),
    ("childrens_services", "Children's services"),
    ("housing", "Housing"),
    ("probation", "Probation"),
    ("other", "Other"),
)
# accounts.Agency.Kind values to the groups above; any other kind (education, ...) is "other".
AGENCY_KIND_GROUP = {
    "force": "police",
    "idva": "idva",
    "health": "health",
    "childrens_services": "childrens_services",
    "housing": "housing",
    "probation": "probation",
}

# Ethnicity as written on person records: the census groups ("White: British", "Asian or Asian British:
# Indian", ...) typed in Vigil, or the police self-defined ethnicity codes a force's history arrives with
# (18+1 and the older 16+1: W1 White British ... O9 any other; imports.schema's `ethnicity`). These say
# nothing, so the ethnicity is not known.
ETHNICITY_NOT_KNOWN = frozenset({"", "not known", "unknown", "not stated", "not recorded", "prefer not to say",
                                 "ns", "nk", "refused"})
# The self-defined ethnicity codes, by their letter: W White groups (British, Irish, Gypsy or Irish Traveller,
# Roma, any other White); M mixed, A Asian, B Black, O other (Chinese in 16+1, Arab, any other).
SELF_DEFINED_CODE = re.compile(r"^([wmabo])[0-9]$")

YOUNGEST, OLDEST = 16, 17  # "aged 16-17"


def agency_group(kind: str) -> str:
    return AGENCY_KIND_GROUP.get(kind, "other")


def is_minority_ethnic(ethnicity: str) -> bool | None:
    """Black, Asian and minority ethnic: any recorded ethnicity that is not a White group; None when the
    record says nothing, or holds a short code that is not a self-defined ethnicity code (it cannot be read)."""
    text = (ethnicity or "").strip().lower()
    if text in ETHNICITY_NOT_KNOWN:
        return None
    code = SELF_DEFINED_CODE.match(text)
    if code:
        return code.group(1) != "w"
    if len(text) <= 3:
        return None
    return not text.startswith("white")


def is_male(sex: str) -> bool | None:
    return {"M": True, "F": False}.get((sex or "").upper())


def age_on(date_of_birth: date, day: date) -> int:
    """Age in whole years on `day` (a birthday on 29 February is reached on 1 March in other years)."""
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def is_aged_16_17(date_of_birth: date | None, day: date) -> bool | None:
    if date_of_birth is None:
        return None
    return YOUNGEST <= age_on(date_of_birth, day) <= OLDEST


@dataclass(frozen=True)
class ReturnReferral:
    """A MARAC referral as the return needs it. `heard_on` is the date of the meeting that heard it (None
    until then); the victim's fields are from their person records (blank or None when not known)."""

    id: int | str
    area: str
    victim_key: str
    received_on: date
    heard_on: date | None
    agency_kind: str
    children: int = 0
    victim_sex: str = "U"
    victim_ethnicity: str = ""
    victim_date_of_birth: date | None = None
    victim_lgbt: bool | None = None
    victim_disability: bool | None = None


@dataclass(frozen=True)
class Equality:
    """One equality field: the cases where it applies (with their share of the cases) and where it is not
    known."""

    code: str
    label: str
    count: int
    share: Figure
    not_known: int


@dataclass(frozen=True)
class AgencyCount:
    code: str
    label: str
    count: int
    share: Figure


@dataclass(frozen=True)
class DataReturn:
    area_code: str  # "all" for every MARAC
    area_name: str
    start: date
    end: date
    cases: int
    repeat_cases: int
    repeat_rate: Figure
    children: int
    referrals_by_agency: tuple[AgencyCount, ...]  # in AGENCY_GROUPS order, every group
    equality: tuple[Equality, ...]  # bame, lgbt, disability, male, aged_16_17
    women_aged_16_plus: int | None
    cases_a_year_per_10k_women: Figure
    recommended_cases_a_year_per_10k_women: int = RECOMMENDED_CASES_A_YEAR_PER_10K_WOMEN

    def agency(self, code: str) -> AgencyCount:
        return next(a for a in self.referrals_by_agency if a.code == code)

    def field(self, code: str) -> Equality:
        return next(e for e in self.equality if e.code == code)


EQUALITY_FIELDS: tuple[tuple[str, str], ...] = (
    ("bame", "Black, Asian and minority ethnic victims"),
    ("lgbt", "LGBT+ victims"),
    ("disability", "Victims with a disability"),
    ("male", "Male victims"),
    ("aged_16_17", "Victims aged 16 or 17"),
)


def _equality_values(first: ReturnReferral, heard_together: list[ReturnReferral]) -> dict[str, bool | None]:
    def known(values):  # a referral that says yes or no beats one that does not say
        values = [v for v in values if v is not None]
        return None if not values else any(values)

    return {
        "bame": is_minority_ethnic(first.victim_ethnicity),
        "lgbt": known(r.victim_lgbt for r in heard_together),
        "disability": known(r.victim_disability for r in heard_together),
        "male": is_male(first.victim_sex),
        "aged_16_17": is_aged_16_17(first.victim_date_of_birth, first.received_on),
    }


def data_return(referrals: Iterable[ReturnReferral], start: date, end: date, *, area: str | None,
                area_name: str = "", women_aged_16_plus: int | None) -> DataReturn:
    """The data return of MARAC `area` (every MARAC when None) from `start` to `end` inclusive. `referrals`
    is every referral known, at any MARAC and earlier ones too: the repeat rule looks back 12 months."""
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    referrals = list(referrals)
    cases: dict[tuple[str, str, date], list[ReturnReferral]] = defaultdict(list)
    for referral in referrals:
        if referral.heard_on is None or not start <= referral.heard_on <= end:
            continue
        if area is not None and referral.area != area:
            continue
        cases[(referral.area, referral.victim_key, referral.heard_on)].append(referral)

    count = len(cases)
    no_cases = "no cases were discussed in the period"
    repeats = children = 0
    by_agency: dict[str, int] = defaultdict(int)
    applies: dict[str, int] = defaultdict(int)
    not_known: dict[str, int] = defaultdict(int)
    by_victim: dict[str, list] = defaultdict(list)  # is_repeat looks only at the victim's own referrals
    for referral in referrals:
        by_victim[referral.victim_key].append(referral)
    for heard_together in cases.values():
        heard_together.sort(key=lambda r: (r.received_on, str(r.id)))
        first = heard_together[0]
        repeats += is_repeat(heard_together, by_victim[first.victim_key])
        children += max(r.children for r in heard_together)
        by_agency[agency_group(first.agency_kind)] += 1
        for code, value in _equality_values(first, heard_together).items():
            if value is None:
                not_known[code] += 1
            elif value:
                applies[code] += 1

    if women_aged_16_plus is None:
        no_population = "the number of women aged 16 and over is not known"
    else:
        no_population = "the number of women aged 16 and over is given as 0"
    days = (end - start).days + 1
    yearly = share(count * PER_WOMEN * DAYS_A_YEAR, (women_aged_16_plus or 0) * days, none_reason=no_population)
    return DataReturn(
        area_code=area or "all",
        area_name=area_name or ("Every MARAC" if area is None else area),
        start=start,
        end=end,
        cases=count,
        repeat_cases=repeats,
        repeat_rate=share(repeats, count, none_reason=no_cases),
        children=children,
        referrals_by_agency=tuple(AgencyCount(code, label, by_agency[code], share(by_agency[code], count,
                                                                                   none_reason=no_cases))
                                  for code, label in AGENCY_GROUPS),
        equality=tuple(Equality(code, label, applies[code], share(applies[code], count, none_reason=no_cases),
                                not_known[code]) for code, label in EQUALITY_FIELDS),
        women_aged_16_plus=women_aged_16_plus,
        cases_a_year_per_10k_women=yearly,
    )


# --- the CSV layout (docs/marac.md, "The SafeLives data return") -----------------------------------------

def _percent(figure: Figure) -> str:
    return "" if figure.value is None else f"{figure.value * 100:.1f}"


CSV_COLUMNS: tuple[str, ...] = (
    "marac_code", "marac_name", "period_from", "period_to", "cases_discussed", "repeat_cases",
    "repeat_rate_percent", "children",
    *(f"referrals_{code}" for code, _ in AGENCY_GROUPS),
    *(column for code, _ in EQUALITY_FIELDS for column in (code, f"{code}_percent", f"{code}_not_known")),
    "women_aged_16_plus", "cases_a_year_per_10k_women", "recommended_cases_a_year_per_10k_women",
)


def csv_row(result: DataReturn) -> list[str]:
    """One row of the CSV, in CSV_COLUMNS order: counts as whole numbers, percentages of the cases discussed
    with one decimal (empty when no case was discussed), the yearly volume with one decimal (empty when the
    number of women is not known)."""
    volume = result.cases_a_year_per_10k_women
    return [
        csv_safe(result.area_code), csv_safe(result.area_name), result.start.isoformat(), result.end.isoformat(),
        str(result.cases),
        str(result.repeat_cases), _percent(result.repeat_rate), str(result.children),
        *(str(a.count) for a in result.referrals_by_agency),
        *(value for e in result.equality for value in (str(e.count), _percent(e.share), str(e.not_known))),
        "" if result.women_aged_16_plus is None else str(result.women_aged_16_plus),
        "" if volume.value is None else f"{volume.value:.1f}",
        str(result.recommended_cases_a_year_per_10k_women),
    ]


def csv_text(results: Iterable[DataReturn]) -> str:
    """The CSV download: the header (CSV_COLUMNS), then one row per MARAC (and the total, `marac_code`
    "all", when every MARAC was asked for)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for result in results:
        writer.writerow(csv_row(result))
    return out.getvalue()


def json_data(result: DataReturn) -> dict:
    """The return as JSON-ready data: the CSV's columns as keys, numbers as numbers (None when empty)."""
    data: dict = {"marac_code": result.area_code, "marac_name": result.area_name,
                  "period_from": result.start.isoformat(), "period_to": result.end.isoformat(),
                  "cases_discussed": result.cases, "repeat_cases": result.repeat_cases,
                  "repeat_rate_percent": _number(result.repeat_rate), "children": result.children}
    for a in result.referrals_by_agency:
        data[f"referrals_{a.code}"] = a.count
    for e in result.equality:
        data[e.code], data[f"{e.code}_percent"], data[f"{e.code}_not_known"] = e.count, _number(e.share), e.not_known
    volume = result.cases_a_year_per_10k_women
    data["women_aged_16_plus"] = result.women_aged_16_plus
    data["cases_a_year_per_10k_women"] = None if volume.value is None else round(volume.value, 1)
    data["recommended_cases_a_year_per_10k_women"] = result.recommended_cases_a_year_per_10k_women
    return data


def _number(figure: Figure) -> float | None:
    return None if figure.value is None else round(figure.value * 100, 1)
