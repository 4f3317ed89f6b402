"""A fast, seeded generator of synthetic person records with ground truth, for the linkage benches.

    .venv/bin/python bench/linkage_synthetic.py --records 1000000 --seed 1 --output /tmp/persons-1m.csv

writes the persons CSV that `vigil link` reads (record_id,given_name,family_name,date_of_birth,
postcode,address,phone,identifier) and, beside it, `<output>.truth.csv` (record_id,true_person).

About N/2.5 true people, each written down 1 to 6 times (mean about 2.5). Every record passes
through the demo's recording noise (`vigil.demo.noise.record_identity`) at the default
`NoiseRates`: typos, nicknames, swapped names, date-of-birth slips, about 5% missing dates of
birth, abbreviated streets, reformatted flats, married names, new phones. On top of that, 30% of
people have moved: about half of their later records give the new address.

Synthetic only. Forenames are Faker's en_GB lists plus the formal names of the nickname table;
surnames are Faker's weighted en_GB list (about 60% of people) and a long tail made by joining
common English place-name parts ("Ashworth", "Brookfield"), so that surname blocks are as skewed
as a real force's. Postcodes are made up in the LE/NG/DE style (about 12 households to a unit, so
the density stays the same at any N); streets come from the demo's word lists; phones are 07700
mobiles and 0116 496 landlines drawn at random. Dates of birth are 1940 to 2008.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src"))

from vigil.demo.noise import Identity, NoiseRates, formal_names, record_identity  # noqa: E402
from vigil.demo.population import INWARD_LETTERS, STREET_SUFFIXES, STREET_WORDS  # noqa: E402

CSV_COLUMNS = ("record_id", "given_name", "family_name", "date_of_birth", "postcode", "address", "phone",
               "identifier")
# How many records one true person has: 1 to 6, mean about 2.5.
RECORDS_PER_PERSON = (1, 2, 3, 4, 5, 6)
RECORDS_PER_PERSON_WEIGHTS = (0.32, 0.26, 0.18, 0.11, 0.08, 0.05)
HOUSEHOLDS_PER_POSTCODE = 12
MOVED_SHARE = 0.3  # people with a second address, given on about half their later records
DISTRICTS = (
    [(f"LE{i}", "Leicester") for i in range(1, 20)]
    + [(f"NG{i}", "Nottingham") for i in range(1, 23)]
    + [(f"DE{i}", "Derby") for i in range(1, 25)]
)
_SURNAME_ROOTS = (
    "Ash", "Black", "Brad", "Bram", "Brook", "Cal", "Chad", "Clay", "Crow", "Dal", "Dun", "East",
    "Fair", "Fen", "Gold", "Green", "Hal", "Har", "Hart", "Haw", "Hay", "Heath", "Hol", "Kirk", "Lang",
    "Lin", "Marsh", "Mid", "Moor", "New", "North", "Oak", "Old", "Pen", "Red", "Ring", "Rock", "Rad",
    "Shel", "South", "Stan", "Stock", "Sum", "Thorn", "Wal", "West", "Whit", "Wick", "Wind", "Wood", "Yar",
)  # fmt: skip
_SURNAME_ENDINGS = (
    "by", "combe", "croft", "dale", "den", "don", "field", "ford", "gate", "ham", "hill", "hurst",
    "ington", "land", "ley", "low", "more", "ridge", "shaw", "stead", "ston", "thorpe", "ton", "wall",
    "well", "wick", "win", "wood", "worth",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SyntheticRecord:
    record_id: str
    true_person: int
    given_name: str
    family_name: str
    date_of_birth: date | None
    address_line: str
    town: str
    postcode: str
    phone: str | None  # as keyed: "07700 912345"

    def csv_row(self) -> tuple[str, ...]:
        return (
            self.record_id,
            self.given_name,
            self.family_name,
            self.date_of_birth.isoformat() if self.date_of_birth else "",
            self.postcode,
            f"{self.address_line}, {self.town}",
            self.phone or "",
            "",
        )

    def as_row(self) -> dict[str, str]:
        """The row `prepare.prepare_row` takes."""
        return dict(zip(CSV_COLUMNS, self.csv_row(), strict=True))


def _name_pools() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], list[float]]:
    from faker.providers.person.en_GB import Provider

    female = tuple(sorted(set(Provider.first_names_female) | set(formal_names("F"))))
    male = tuple(sorted(set(Provider.first_names_male) | set(formal_names("M"))))
    head = dict(Provider.last_names)
    tail = sorted({root + ending for root in _SURNAME_ROOTS for ending in _SURNAME_ENDINGS} - set(head))
    head_total = sum(head.values())
    # 60% of people carry one of the common surnames (by Faker's weights), 40% one of the tail's.
    weights = [0.6 * weight / head_total for weight in head.values()]
    weights += [0.4 / len(tail)] * len(tail)
    return female, male, tuple(head) + tuple(tail), weights


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.85:
        return f"07700 {rng.randrange(1_000_000):06d}"
    return f"0116 496 {rng.randrange(10_000):04d}"


def generate(records: int, *, seed: int = 1, rates: NoiseRates | None = None) -> Iterator[SyntheticRecord]:
    """`records` synthetic records, person by person (each person's records next to each other)."""
    rng = random.Random(seed)
    rates = rates or NoiseRates()
    female, male, surnames, surname_weights = _name_pools()
    surname_cum = list(_accumulate(surname_weights))
    households = max(1, int(records / 2.5 / 2.2))
    postcode_count = max(20, households // HOUSEHOLDS_PER_POSTCODE)
    # Each postcode is one street in one district; every district gets its share.
    postcodes: list[tuple[str, str, str]] = []  # (postcode, street, town)
    seen: set[str] = set()
    while len(postcodes) < postcode_count:
        district, town = DISTRICTS[len(postcodes) % len(DISTRICTS)]
        code = f"{district} {rng.randrange(10)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
        if code in seen:
            continue
        seen.add(code)
        postcodes.append((code, f"{rng.choice(STREET_WORDS)} {rng.choice(STREET_SUFFIXES)}", town))
    first_day, last_day = date(1940, 1, 1).toordinal(), date(2008, 12, 31).toordinal()

    made = 0
    person_id = 0
    household: tuple[str, str, str, str] | None = None  # (line, town, postcode, family name)

    def address() -> tuple[str, str, str]:
        code, street, town = postcodes[rng.randrange(postcode_count)]
        line = f"{rng.randrange(1, 180)} {street}"
        if rng.random() < 0.22:
            line = f"Flat {rng.randrange(1, 25)}, {line}"
        return line, town, code

    while made < records:
        # A new household about every 2.2 people; the rest join the previous one.
        if household is None or rng.random() < 1 / 2.2:
            household = (*address(), surnames[_pick(surname_cum, rng.random())])
        line, town, code, household_family = household
        sex = "F" if rng.random() < 0.55 else "M"
        family = household_family if rng.random() < 0.6 else surnames[_pick(surname_cum, rng.random())]
        married = surnames[_pick(surname_cum, rng.random())] if sex == "F" and rng.random() < 0.3 else None
        true = Identity(
            given_name=rng.choice(female if sex == "F" else male),
            family_name=family,
            date_of_birth=date.fromordinal(rng.randint(first_day, last_day)),
            address_line=line,
            phone=_phone(rng) if rng.random() < 0.7 else None,
        )
        new_phone = _phone(rng)
        # Some people move: a later record may give the new address.
        moved = address() if rng.random() < MOVED_SHARE else None
        moved_identity = replace(true, address_line=moved[0]) if moved else None
        count = rng.choices(RECORDS_PER_PERSON, RECORDS_PER_PERSON_WEIGHTS)[0]
        for index in range(min(count, records - made)):
            at_new = moved is not None and index > 0 and rng.random() < 0.5
            if at_new:
                seen_as, _kinds = record_identity(moved_identity, rng, rates, married_name=married,
                                                  new_phone=new_phone)
            else:
                seen_as, _kinds = record_identity(true, rng, rates, married_name=married, new_phone=new_phone)
            made += 1
            yield SyntheticRecord(
                record_id=f"R{made:07d}",
                true_person=person_id,
                given_name=seen_as.given_name,
                family_name=seen_as.family_name,
                date_of_birth=seen_as.date_of_birth,
                address_line=seen_as.address_line,
                town=moved[1] if at_new else town,
                postcode=moved[2] if at_new else code,
                phone=seen_as.phone,
            )
        person_id += 1


def _accumulate(weights: list[float]) -> Iterator[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def _pick(cumulative: list[float], draw: float) -> int:
    from bisect import bisect_left

    return min(bisect_left(cumulative, draw * cumulative[-1]), len(cumulative) - 1)


def truth_path(path: str) -> str:
    return f"{path}.truth.csv"


def write_csv(path: str, records: int, *, seed: int = 1) -> dict[str, int]:
    """Stream `records` rows to `path` and the ground truth to `truth_path(path)`; returns counts."""
    people = set()
    with open(path, "w", newline="", encoding="utf-8") as out, open(
        truth_path(path), "w", newline="", encoding="utf-8"
    ) as truth_out:
        writer, truth_writer = csv.writer(out), csv.writer(truth_out)
        writer.writerow(CSV_COLUMNS)
        truth_writer.writerow(("record_id", "true_person"))
        for record in generate(records, seed=seed):
            writer.writerow(record.csv_row())
            truth_writer.writerow((record.record_id, record.true_person))
            people.add(record.true_person)
    return {"records": records, "people": len(people)}


def read_truth(path: str) -> dict[str, str]:
    with open(truth_path(path), newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        return {record_id: person for record_id, person in reader}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = write_csv(args.output, args.records, seed=args.seed)
    print(
        f"wrote {counts['records']} records of {counts['people']} true people to {args.output} "
        f"(truth: {truth_path(args.output)}) in {time.perf_counter() - started:.1f}s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
