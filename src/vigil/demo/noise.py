"""Recording noise: how one individual's details come out differently each time someone writes them
down. Plain functions with no Django import; each takes the seeded random generator it may use.

`record_identity` applies the kinds at the rates in `NoiseRates` and says which it applied, so that
the generator can keep the ground truth (demo.TrueIdentity.noise)."""

import json
import random
import re
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path

NICKNAMES_FILE = Path(__file__).with_name("nicknames.json")

# Letters next to each other on a UK keyboard: the commonest slip of a finger.
_KEYBOARD_NEIGHBOURS = {
    "a": "qsz", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj", "i": "uo",
    "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o", "q": "w", "r": "et",
    "s": "ad", "t": "ry", "u": "yi", "v": "cb", "w": "qe", "x": "zc", "y": "tu", "z": "x",
}

_STREET_ABBREVIATIONS = {"Road": "Rd", "Street": "St", "Avenue": "Ave", "Close": "Cl", "Lane": "Ln",
                         "Drive": "Dr", "Crescent": "Cres", "Gardens": "Gdns", "Place": "Pl"}
_FLAT_LINE = re.compile(r"^Flat (\w+), (\d+\w?) (.+)$")


@dataclass(frozen=True)
class NoiseRates:
    """The chance that one record shows each kind of noise (where the kind can apply at all)."""

    name_typo: float = 0.06
    nickname: float = 0.15
    names_swapped: float = 0.02
    dob_typo: float = 0.03
    dob_day_month_swapped: float = 0.03
    dob_missing: float = 0.05
    address_abbreviated: float = 0.15
    flat_reformatted: float = 0.35
    new_phone: float = 0.10
    married_name: float = 0.25


NOISE_KINDS = tuple(NoiseRates.__dataclass_fields__)


@dataclass(frozen=True)
class Identity:
    """The details of a person as they appear on one record."""

    given_name: str
    family_name: str
    date_of_birth: date | None
    address_line: str
    phone: str | None


@cache
def nickname_table() -> dict[str, tuple[str, ...]]:
    data = json.loads(NICKNAMES_FILE.read_text(encoding="utf-8"))
    return {formal: tuple(short) for by_sex in data.values() for formal, short in by_sex.items()}


@cache
def formal_names(sex: str) -> tuple[str, ...]:
    """Given names that have nicknames, by sex ("F" or "M")."""
    data = json.loads(NICKNAMES_FILE.read_text(encoding="utf-8"))
    return tuple(data["female" if sex == "F" else "male"])


def typo(name: str, rng: random.Random) -> str:
    """One keying slip: a neighbouring key, a dropped, doubled or transposed letter. Always differs."""
    if len(name) < 3:
        return name + name[-1]
    i = rng.randrange(1, len(name) - 1)
    slip = rng.randrange(4)
    if slip == 0:
        letter = name[i].lower()
        neighbour = rng.choice(_KEYBOARD_NEIGHBOURS.get(letter, "e"))
        return name[:i] + neighbour + name[i + 1:]
    if slip == 1 and name[i] != name[i + 1] and name[i] != name[i - 1]:
        return name[:i] + name[i + 1:]
    if slip == 2 and name[i] != name[i + 1]:
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    return name[:i] + name[i] + name[i:]


def nickname(given_name: str, rng: random.Random) -> str | None:
    short = nickname_table().get(given_name)
    return rng.choice(short) if short else None


def dob_digit_typo(dob: date, rng: random.Random) -> date:
    """One digit of the day, month or year keyed wrong, giving another valid date."""
    while True:
        text = list(dob.strftime("%d%m%Y"))
        position = rng.choice((0, 1, 2, 3, 6, 7))
        text[position] = str((int(text[position]) + rng.randrange(1, 10)) % 10)
        digits = "".join(text)
        try:
            typed = date(int(digits[4:]), int(digits[2:4]), int(digits[:2]))
        except ValueError:
            continue
        if typed != dob and typed.year > 1900:
            return typed


def dob_day_month_swapped(dob: date) -> date | None:
    """The day and month the wrong way round, or None where that gives no other valid date."""
    if dob.day > 12 or dob.day == dob.month:
        return None
    return date(dob.year, dob.day, dob.month)


def street_abbreviated(address_line: str) -> str | None:
    for word, short in _STREET_ABBREVIATIONS.items():
        if address_line.endswith(" " + word):
            return address_line[: -len(word)] + short
    return None


def flat_reformatted(address_line: str, rng: random.Random) -> str | None:
    """"Flat 2, 14 Hill Road" written as "2/14 Hill Road" or "Flat 2 14 Hill Road"."""
    match = _FLAT_LINE.match(address_line)
    if not match:
        return None
    flat, number, street = match.groups()
    return rng.choice((f"{flat}/{number} {street}", f"Flat {flat} {number} {street}"))


def record_identity(true: Identity, rng: random.Random, rates: NoiseRates, *, married_name: str | None,
                    new_phone: str | None) -> tuple[Identity, list[str]]:
    """The identity as written on one record, and the noise kinds applied.

    `married_name` is a family name the person may be recorded under (a partner's), `new_phone` a
    number they may have given instead of their usual one.
    """
    kinds: list[str] = []
    recorded = true
    if married_name and married_name != true.family_name and rng.random() < rates.married_name:
        recorded = replace(recorded, family_name=married_name)
        kinds.append("married_name")
    if rng.random() < rates.nickname:
        short = nickname(recorded.given_name, rng)
        if short:
            recorded = replace(recorded, given_name=short)
            kinds.append("nickname")
    if rng.random() < rates.name_typo:
        if rng.random() < 0.5:
            recorded = replace(recorded, given_name=typo(recorded.given_name, rng))
        else:
            recorded = replace(recorded, family_name=typo(recorded.family_name, rng))
        kinds.append("name_typo")
    if rng.random() < rates.names_swapped:
        recorded = replace(recorded, given_name=recorded.family_name, family_name=recorded.given_name)
        kinds.append("names_swapped")
    recorded, dob_kinds = _recorded_dob(recorded, rng, rates)
    kinds += dob_kinds
    recorded, address_kinds = _recorded_address(recorded, rng, rates)
    kinds += address_kinds
    if new_phone and rng.random() < rates.new_phone:
        recorded = replace(recorded, phone=new_phone)
        kinds.append("new_phone")
    return recorded, kinds


def _recorded_dob(identity: Identity, rng: random.Random, rates: NoiseRates) -> tuple[Identity, list[str]]:
    if identity.date_of_birth is None:
        return identity, []
    draw = rng.random()
    if draw < rates.dob_missing:
        return replace(identity, date_of_birth=None), ["dob_missing"]
    draw -= rates.dob_missing
    if draw < rates.dob_typo:
        return replace(identity, date_of_birth=dob_digit_typo(identity.date_of_birth, rng)), ["dob_typo"]
    draw -= rates.dob_typo
    if draw < rates.dob_day_month_swapped:
        swapped = dob_day_month_swapped(identity.date_of_birth)
        if swapped:
            return replace(identity, date_of_birth=swapped), ["dob_day_month_swapped"]
    return identity, []


def _recorded_address(identity: Identity, rng: random.Random, rates: NoiseRates) -> tuple[Identity, list[str]]:
    kinds = []
    line = identity.address_line
    if rng.random() < rates.flat_reformatted:
        reformatted = flat_reformatted(line, rng)
        if reformatted:
            line = reformatted
            kinds.append("flat_reformatted")
    if rng.random() < rates.address_abbreviated:
        abbreviated = street_abbreviated(line)
        if abbreviated:
            line = abbreviated
            kinds.append("address_abbreviated")
    return (replace(identity, address_line=line) if kinds else identity), kinds
