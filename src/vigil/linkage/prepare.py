"""Normalising person rows for matching: the comparison forms Splink compares.

Plain rules with no Django import. Reuses `vigil.people.normalise` (name comparison forms,
phonetic keys, canonical postcodes, E.164 phones) so that matching and history checks agree on
what "the same name" or "the same postcode" means.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from vigil.people.normalise import (
    InvalidPhone,
    InvalidPostcode,
    name_key,
    normalise_phone,
    normalise_postcode,
    phonetic_key,
)

REQUIRED_COLUMNS = (
    "record_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "postcode",
    "address",
    "phone",
)
OPTIONAL_COLUMNS = ("identifier",)

# The columns `prepare_row` produces, in order; every one may be None except unique_id.
PREPARED_COLUMNS = (
    "unique_id",
    "given_name",
    "family_name",
    "name_concat",
    "given_phonetic",
    "family_phonetic",
    "given_canonical",
    "date_of_birth",
    "dob_year",
    "postcode",
    "postcode_sector",
    "postcode_district",
    "address",
    "address_number",
    "phone",
    "identifier",
)

_NICKNAMES_PATH = Path(__file__).resolve().parent.parent / "demo" / "nicknames.json"
_POSTCODE_SECTOR_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ([0-9])[A-Z]{2}$")
_ADDRESS_ABBREVIATIONS = {
    "st": "street",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "ln": "lane",
    "dr": "drive",
    "cres": "crescent",
    "ct": "court",
    "cl": "close",
    "pl": "place",
    "sq": "square",
    "gdns": "gardens",
    "tce": "terrace",
    "pde": "parade",
}


class InputError(ValueError):
    """The input file cannot be linked as given; the message says why (and never quotes data)."""


@functools.cache
def nickname_canonicals() -> dict[str, tuple[str, ...]]:
    """Map a forename's comparison form to the formal names it may stand for.

    "liz" -> ("elizabeth",), "kate" -> ("catherine", "katherine"), "elizabeth" -> ("elizabeth",).
    """
    data = json.loads(_NICKNAMES_PATH.read_text(encoding="utf-8"))
    mapping: dict[str, set[str]] = {}
    for group in data.values():
        for formal, nicknames in group.items():
            formal_key = name_key(formal)
            mapping.setdefault(formal_key, set()).add(formal_key)
            for nickname in nicknames:
                mapping.setdefault(name_key(nickname), set()).add(formal_key)
    return {key: tuple(sorted(values)) for key, values in mapping.items()}


def forename_canonical(given_key: str) -> list[str] | None:
    """The formal forenames a given name may be (itself if it is no known nickname)."""
    if not given_key:
        return None
    return list(nickname_canonicals().get(given_key, (given_key,)))


@functools.cache
def _forenames_by_canonical() -> dict[str, frozenset[str]]:
    names: dict[str, set[str]] = {}
    for name, canonicals in nickname_canonicals().items():
        for canonical in canonicals:
            names.setdefault(canonical, {canonical}).add(name)
    return {canonical: frozenset(members) for canonical, members in names.items()}


def forenames_sharing_a_canonical(given_key: str) -> frozenset[str]:
    """Every forename whose formal names meet this one's: the `given_canonical` overlap, as a set.

    "liz" -> {"elizabeth", "liz", "beth", "lizzie", ...}; a name that is no nickname -> itself."""
    if not given_key:
        return frozenset()
    by_canonical = _forenames_by_canonical()
    sharing: set[str] = set()
    for canonical in forename_canonical(given_key) or ():
        sharing |= by_canonical.get(canonical, {canonical})
    return frozenset(sharing)


def parse_date_of_birth(raw: str | None) -> str | None:
    """ISO date (YYYY-MM-DD) or None when blank or not a real date."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return None


def postcode_parts(raw: str | None) -> tuple[str | None, str | None, str | None]:
    """(full, sector, district) of a postcode.

    A UK postcode gets its canonical form and its sector ("LE1 6") and district ("LE1"); anything
    else keeps a compact upper-case form for exact and typo comparison, with no sector or district.
    """
    text = (raw or "").strip()
    if not text:
        return None, None, None
    try:
        canonical = normalise_postcode(text)
    except InvalidPostcode:
        compact = re.sub(r"[^A-Za-z0-9]", "", text).upper()
        return (compact or None), None, None
    match = _POSTCODE_SECTOR_RE.match(canonical)
    if not match:  # GIR 0AA
        return canonical, None, None
    return canonical, f"{match.group(1)} {match.group(2)}", match.group(1)


def address_form(raw: str | None) -> tuple[str | None, str | None]:
    """(comparison form, first house number) of a free-text address."""
    text = (raw or "").lower()
    tokens = re.findall(r"[a-z0-9]+", text)
    tokens = [_ADDRESS_ABBREVIATIONS.get(token, token) for token in tokens]
    if not tokens:
        return None, None
    number = next((token for token in tokens if token[0].isdigit()), None)
    return " ".join(tokens), number


@functools.lru_cache(maxsize=1 << 18)  # numbers repeat; phonenumbers is most of preparing a row
def phone_form(raw: str | None) -> str | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return normalise_phone(text)
    except InvalidPhone:
        digits = re.sub(r"\D", "", text)
        return digits or None


def identifier_form(raw: str | None) -> str | None:
    compact = re.sub(r"[^A-Za-z0-9]", "", raw or "").upper()
    return compact or None


# Names, dates and postcodes repeat a great deal across a force's records: each distinct value is
# worked out once (a million-record re-link spends most of its preparing here otherwise).
_SEEN_VALUES = 1 << 18


@functools.lru_cache(maxsize=_SEEN_VALUES)
def _name_forms(raw: str) -> tuple[str | None, str | None]:
    """(comparison form, Metaphone) of a name, None for a blank one."""
    key = name_key(raw) or None
    return key, phonetic_key(key) if key else None


@functools.lru_cache(maxsize=_SEEN_VALUES)
def _forename_canonical(given_key: str) -> tuple[str, ...] | None:
    canonical = forename_canonical(given_key)
    return tuple(canonical) if canonical else None


_cached_date_of_birth = functools.lru_cache(maxsize=_SEEN_VALUES)(lambda raw: parse_date_of_birth(raw))
_cached_postcode_parts = functools.lru_cache(maxsize=_SEEN_VALUES)(lambda raw: postcode_parts(raw))


def prepare_row(row: Mapping[str, str | None]) -> dict[str, object]:
    """One input row in comparison forms (see PREPARED_COLUMNS)."""
    given, given_phonetic = _name_forms(row.get("given_name") or "")
    family, family_phonetic = _name_forms(row.get("family_name") or "")
    dob = _cached_date_of_birth(row.get("date_of_birth"))
    postcode, sector, district = _cached_postcode_parts(row.get("postcode"))
    address, number = address_form(row.get("address"))
    names = sorted(name for name in (given, family) if name)
    canonical = _forename_canonical(given or "")
    return {
        "unique_id": str(row["record_id"]).strip(),
        "given_name": given,
        "family_name": family,
        # Order-free, so "Smith Liz" and "Liz Smith" meet in blocking and in term frequencies.
        "name_concat": " ".join(names) or None,
        "given_phonetic": given_phonetic,
        "family_phonetic": family_phonetic,
        "given_canonical": list(canonical) if canonical else None,
        "date_of_birth": dob,
        "dob_year": dob[:4] if dob else None,
        "postcode": postcode,
        "postcode_sector": sector,
        "postcode_district": district,
        "address": address,
        "address_number": number,
        "phone": phone_form(row.get("phone")),
        "identifier": identifier_form(row.get("identifier")),
    }


def prepare_rows(rows: Iterable[Mapping[str, str | None]]) -> dict[str, list[object]]:
    """Prepared rows as columns (the shape DuckDB registers fastest), checking record ids."""
    columns: dict[str, list[object]] = {name: [] for name in PREPARED_COLUMNS}
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        record_id = (row.get("record_id") or "").strip()
        if not record_id:
            raise InputError(f"line {line}: record_id is blank")
        if record_id in seen:
            raise InputError(f"line {line}: record_id is duplicated (each record needs its own id)")
        seen.add(record_id)
        prepared = prepare_row(row)
        for name in PREPARED_COLUMNS:
            columns[name].append(prepared[name])
    return columns


def read_persons_csv(path: str | Path) -> Iterator[dict[str, str | None]]:
    """Rows of a persons CSV, after checking that the required columns are there."""
    try:
        handle = open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    with handle:
        try:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in (reader.fieldnames or [])]
            missing = [name for name in REQUIRED_COLUMNS if name not in header]
            if missing:
                raise InputError(f"{path}: missing required column(s): {', '.join(missing)}")
            reader.fieldnames = header
            for row in reader:
                yield {key: value for key, value in row.items() if key is not None}
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InputError(f"{path}: not a readable UTF-8 CSV file ({type(exc).__name__})") from None


def load_persons_csv(path: str | Path) -> dict[str, list[object]]:
    """Read and prepare a persons CSV; raises InputError with a clear message."""
    columns = prepare_rows(read_persons_csv(path))
    if not columns["unique_id"]:
        raise InputError(f"{path}: no records")
    return columns
