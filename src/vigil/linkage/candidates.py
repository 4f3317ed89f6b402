"""Online matching in the database: the candidate person records for an arriving record, scored.

`candidate_records` finds the records that a full re-link would compare the new record with, by
index look-ups that mirror `matching.uk_blocking_rules`:

    same forename and surname            given_name_key, family_name_key
    forename and surname swapped          family_name_key = the given key, given_name_key = the family key
    same date of birth, and something     date_of_birth, and forename sound, forename or nickname,
      else in common                        postcode district or surname sound
    surname sounds alike, same birth      family_name_phonetic, date_of_birth in that year, and
      year, and something else              forename sound, nickname, district, or the same day and
                                            month (or swapped)
    forename sounds alike, same postcode  address__postcode, given_name_phonetic
    same address                          address__address_key (postcode and house number or name)
    same phone                            phone__e164

Each look-up is LIMITed (a very common date of birth must not flood the list), they are run as one
UNION where the database allows it, and the records come back in the prepared form that the model
compares (`prepare.prepare_row`), with their person. Only records already resolved to a person are
candidates.

`match_candidates` scores them with the trained model (`online.py`, Splink's own scoring) and
returns candidate persons, each with its best record's probability and band, most likely first.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet

from vigil.linkage import matching, online, prepare
from vigil.people import normalise
from vigil.people.models import PersonRecord

DEFAULT_LIMIT = 50
# The share of records with each surname moves slowly; each surname's count and the total behind
# them are counted at most this often.
_TOTAL_TTL_SECONDS = 300.0
_total_lock = threading.Lock()
_total_cache: dict[str, tuple[float, int]] = {}
# Each surname's count, as seldom: (database alias, surname key) -> (counted at, count).
_SURNAMES_KEPT = 20_000
_surname_cache: dict[tuple[str, str], tuple[float, int]] = {}


@dataclass(frozen=True)
class Candidate:
    """A candidate person for the arriving record: their best-scoring record and its probability."""

    person_id: int
    person_public_id: str
    record_id: int
    record_public_id: str
    match_probability: float
    match_weight: float
    band: online.Band
    records_scored: int  # how many of the person's records were candidates


def address_text(line1: str | None, line2: str | None = "", town: str | None = "") -> str:
    """The free-text address compared, as in the re-link's input: line 1, line 2 and town."""
    return " ".join(part for part in (line1, line2, town) if part)


def _iso(value: dt.date | str | None) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _date(value: dt.date | str | None) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _postcode(raw: str | None) -> str | None:
    try:
        return normalise.normalise_postcode(raw or "")
    except normalise.InvalidPostcode:
        return None


def _phone(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return normalise.normalise_phone(raw)
    except normalise.InvalidPhone:
        return None


def _swapped(dob: dt.date) -> dt.date | None:
    """The date with day and month swapped, where that is a date."""
    try:
        return dt.date(dob.year, dob.day, dob.month)
    except ValueError:
        return None


def _lookups(
    *,
    given_key: str,
    family_key: str,
    given_phonetic: str,
    family_phonetic: str,
    dob: dt.date | None,
    postcode: str | None,
    address_key: str | None,
    phone: str | None,
) -> list[Q]:
    """One filter per blocking rule that the new record's details allow, with the rule's extra
    condition (`matching.uk_blocking_rules`), so a common date of birth brings the records the
    re-link would compare, not the first fifty strangers born that day."""
    lookups: list[Q] = []
    if given_key and family_key:
        lookups.append(Q(family_name_key=family_key, given_name_key=given_key))
        lookups.append(Q(family_name_key=given_key, given_name_key=family_key))
    # Something else shared beside a date of birth, or beside a surname sound and birth year.
    also_shared = Q(pk__in=[])
    if given_phonetic:
        also_shared |= Q(given_name_phonetic=given_phonetic)
    if given_key:
        also_shared |= Q(given_name_key__in=sorted(prepare.forenames_sharing_a_canonical(given_key)))
    district = prepare.postcode_parts(postcode)[2] if postcode else None
    if district:
        also_shared |= Q(address__postcode__startswith=f"{district} ")
    if dob is not None:
        if family_key:  # the (family_name_key, date_of_birth) index: the likeliest match first
            lookups.append(Q(family_name_key=family_key, date_of_birth=dob))
        sound = Q(family_name_phonetic=family_phonetic) if family_phonetic else Q(pk__in=[])
        lookups.append(Q(date_of_birth=dob) & (also_shared | sound))
        if family_phonetic:
            same_day = Q(date_of_birth=dob)
            if swapped := _swapped(dob):
                same_day |= Q(date_of_birth=swapped)
            lookups.append(
                Q(
                    family_name_phonetic=family_phonetic,
                    date_of_birth__gte=dt.date(dob.year, 1, 1),
                    date_of_birth__lte=dt.date(dob.year, 12, 31),
                )
                & (also_shared | same_day)
            )
    if given_phonetic and postcode:
        lookups.append(Q(address__postcode=postcode, given_name_phonetic=given_phonetic))
    if address_key:
        lookups.append(Q(address__address_key=address_key))
    if phone:
        lookups.append(Q(phone__e164=phone))
    return lookups


def _candidate_ids(lookups: list[Q], limit: int) -> set[int]:
    base = PersonRecord.objects.filter(person__isnull=False)
    queries: list[QuerySet] = [base.filter(lookup).values_list("pk", flat=True)[:limit] for lookup in lookups]
    if not queries:
        return set()
    if connection.features.supports_slicing_ordering_in_compound and len(queries) > 1:
        # One round trip: (SELECT ... LIMIT n) UNION (SELECT ... LIMIT n) ...
        return set(queries[0].union(*queries[1:]))
    ids: set[int] = set()
    for query in queries:
        ids.update(query)
    return ids


def candidate_records(
    *,
    given_name: str = "",
    family_name: str = "",
    date_of_birth: dt.date | str | None = None,
    postcode: str = "",
    address_line: str = "",
    phone_e164: str = "",
    address_line2: str = "",  # accepted so that both functions take the same details
    town: str = "",
    limit: int = DEFAULT_LIMIT,
) -> list[dict[str, Any]]:
    """Resolved person records that share a blocking key with the described record.

    The address look-up uses line 1 and the postcode (`normalise.address_key`); line 2 and town
    play no part in finding candidates.

    Each is the prepared row (`prepare.PREPARED_COLUMNS`, `unique_id` is the record's primary key
    as text) plus `record_id`, `record_public_id`, `person_id` and `person_public_id`.
    """
    dob = _date(date_of_birth)
    canonical_postcode = _postcode(postcode)
    address_key = None
    if canonical_postcode and address_line.strip():
        address_key = normalise.address_key(line1=address_line, postcode=canonical_postcode)
    ids = _candidate_ids(
        _lookups(
            given_key=normalise.name_key(given_name),
            family_key=normalise.name_key(family_name),
            given_phonetic=normalise.phonetic_key(given_name),
            family_phonetic=normalise.phonetic_key(family_name),
            dob=dob,
            postcode=canonical_postcode,
            address_key=address_key,
            phone=_phone(phone_e164),
        ),
        limit,
    )
    if not ids:
        return []
    fields = (
        "pk", "public_id", "given_name", "family_name", "date_of_birth", "person_id", "person__public_id",
        "address__line1", "address__line2", "address__town", "address__postcode", "phone__e164",
    )  # fmt: skip
    rows = []
    for (
        pk, public_id, given, family, born, person_id, person_public_id, line1, line2, town, postcode, e164,
    ) in PersonRecord.objects.filter(pk__in=ids).order_by("pk").values_list(*fields):  # fmt: skip
        row = prepare.prepare_row(
            {
                "record_id": str(pk),
                "given_name": given,
                "family_name": family,
                "date_of_birth": _iso(born),
                "postcode": postcode or "",
                "address": address_text(line1, line2, town) if line1 is not None else "",
                "phone": e164 or "",
                "identifier": "",
            }
        )
        row.update(
            record_id=pk, record_public_id=str(public_id), person_id=person_id, person_public_id=str(person_public_id)
        )
        rows.append(row)
    return rows


def _records_with_a_surname() -> int:
    """How many records have a surname, counted at most every few minutes."""
    alias = connection.alias
    now = time.monotonic()
    with _total_lock:
        cached = _total_cache.get(alias)
        if cached and now - cached[0] < _TOTAL_TTL_SECONDS:
            return cached[1]
    total = PersonRecord.objects.exclude(family_name_key="").count()
    with _total_lock:
        _total_cache[alias] = (now, total)
    return total


def clear_surname_counts() -> None:
    """Forget the counted surnames and total (tests, and benchmarks that load a new index)."""
    with _total_lock:
        _total_cache.clear()
        _surname_cache.clear()


def surname_frequencies(family_keys: set[str]) -> dict[str, float]:
    """Each surname's share of the records that have a surname: Splink's term frequency."""
    keys = {key for key in family_keys if key}
    if not keys:
        return {}
    total = _records_with_a_surname()
    if not total:
        return {}
    alias, now = connection.alias, time.monotonic()
    counts: dict[str, int] = {}
    with _total_lock:
        for key in keys:
            cached = _surname_cache.get((alias, key))
            if cached and now - cached[0] < _TOTAL_TTL_SECONDS:
                counts[key] = cached[1]
    missing = keys - counts.keys()
    if missing:
        counted = dict(
            PersonRecord.objects.filter(family_name_key__in=missing)
            .values("family_name_key")
            .annotate(n=Count("pk"))
            .values_list("family_name_key", "n")
        )
        with _total_lock:
            if len(_surname_cache) >= _SURNAMES_KEPT:
                _surname_cache.clear()
            for key in missing:
                _surname_cache[(alias, key)] = (now, counted.get(key, 0))
        counts.update(counted)
    return {key: n / total for key, n in counts.items() if n}


def match_candidates(
    *,
    model: Mapping[str, Any],
    given_name: str = "",
    family_name: str = "",
    date_of_birth: dt.date | str | None = None,
    postcode: str = "",
    address_line: str = "",
    phone_e164: str = "",
    address_line2: str = "",
    town: str = "",
    limit: int = DEFAULT_LIMIT,
    upper: float | None = None,
    lower: float | None = None,
) -> list[Candidate]:
    """Candidate persons for an arriving record, most likely first, with probability and band.

    `model` is a saved model document (`matching.model_document`); its thresholds are used unless
    `upper` and `lower` are given. The address is compared as the records' is: line 1, line 2 and
    town together (`address_text`).
    """
    thresholds = model.get("thresholds") or {}
    upper = float(upper if upper is not None else thresholds.get("upper", matching.DEFAULT_UPPER))
    lower = float(lower if lower is not None else thresholds.get("lower", matching.DEFAULT_LOWER))
    candidates = candidate_records(
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        postcode=postcode,
        address_line=address_line,
        phone_e164=phone_e164,
        limit=limit,
    )
    if not candidates:
        return []
    new_record = prepare.prepare_row(
        {
            "record_id": online.NEW_RECORD_ID,
            "given_name": given_name,
            "family_name": family_name,
            "date_of_birth": _iso(_date(date_of_birth)),
            "postcode": postcode,
            "address": address_text(address_line, address_line2, town),
            "phone": phone_e164,
            "identifier": "",
        }
    )
    tf = surname_frequencies({new_record["family_name"]} if new_record["family_name"] else set())
    scores = online.scorer_for(model["splink_settings"]).score(new_record, candidates, family_name_tf=tf)
    best: dict[int, tuple[online.Score, dict[str, Any]]] = {}
    counts: dict[int, int] = {}
    for candidate, scored in zip(candidates, scores, strict=True):
        person_id = candidate["person_id"]
        counts[person_id] = counts.get(person_id, 0) + 1
        if person_id not in best or scored.match_probability > best[person_id][0].match_probability:
            best[person_id] = (scored, candidate)
    ranked = sorted(best.items(), key=lambda item: (-item[1][0].match_probability, item[0]))
    return [
        Candidate(
            person_id=person_id,
            person_public_id=candidate["person_public_id"],
            record_id=candidate["record_id"],
            record_public_id=candidate["record_public_id"],
            match_probability=scored.match_probability,
            match_weight=scored.match_weight,
            band=online.band(scored.match_probability, upper, lower),
            records_scored=counts[person_id],
        )
        for person_id, (scored, candidate) in ranked
    ]
