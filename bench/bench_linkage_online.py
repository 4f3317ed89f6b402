"""Online matching latency: `candidates.match_candidates` against a large person index in PostgreSQL,
beside a small index in the same run.

    .venv/bin/python bench/bench_linkage_online.py --records 1000000 --baseline 10000 --queries 500

Goal (issue 7): online match p95 under 100 ms against a million-person index.

The index is synthetic (bench/linkage_synthetic.py, seeded): each record becomes a PersonRecord
of its true person, with its Address and Phone, bulk-loaded with COPY into a scratch database
(created here, migrated with `vigil migrate`, dropped at the end). The baseline index (first N of
the same records) is loaded and measured first, then the large one, in the same database.

Queries: 80% are noisy new versions of indexed people (an indexed record passed once more through
the demo's recording noise: typos, nicknames, date slips, abbreviated streets...), 20% strangers
(people from another seed, not in the index). Each is one `match_candidates` call: the index
look-ups, the surname frequency, and Splink's scoring of every candidate (online.py). Reported:
p50/p95/p99 of the whole call, its CPU time in this process (Python and DuckDB; PostgreSQL's is
not included), its retrieval part alone, the candidates per query, and for the
known people how often the right person comes first. The model is trained on the first --train
records with `matching.link` (or read from --model, a `vigil link --model-out` file).

PostgreSQL: 127.0.0.1:5432, user postgres (trust), as in CI. The machine is shared and noisy:
compare the two indexes' figures from the same run (ratios), and read the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "src"))
sys.path.insert(0, os.path.join(ROOT, "bench"))

import linkage_synthetic  # noqa: E402

PG = "postgres://postgres@127.0.0.1:5432"
VIGIL = os.path.join(ROOT, ".venv", "bin", "vigil")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def migrate(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run([VIGIL, "migrate", "--noinput", "-v", "0"], check=True, env=env, cwd=ROOT)


def _e164(phone: str | None) -> str | None:
    """The synthetic phones are UK numbers written with a leading 0: "07700 123456"."""
    if not phone:
        return None
    return "+44" + phone.replace(" ", "")[1:]


class Keys:
    """normalise's name keys, remembered per name (names repeat a great deal)."""

    def __init__(self):
        from vigil.people import normalise

        self.normalise = normalise
        self.names: dict[str, tuple[str, str]] = {}

    def name(self, name: str) -> tuple[str, str]:
        keys = self.names.get(name)
        if keys is None:
            keys = (self.normalise.name_key(name), self.normalise.phonetic_key(name))
            self.names[name] = keys
        return keys


def load_index(records: list[linkage_synthetic.SyntheticRecord]) -> tuple[dict[str, int], dict[int, int]]:
    """COPY the records into people_person, people_address, people_phone, people_personrecord.

    Returns the counts, and the Person id of each true person."""
    from django.db import connection

    from vigil.people import normalise

    keys = Keys()
    now = datetime(2026, 1, 1, tzinfo=UTC)
    persons: dict[int, int] = {}
    addresses: dict[tuple[str, str], int] = {}
    phones: dict[str, int] = {}
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg 3
        with cursor.copy("COPY people_person (id, public_id, created_at, restricted) FROM STDIN") as copy:
            for record in records:
                if record.true_person not in persons:
                    persons[record.true_person] = len(persons) + 1
                    copy.write_row((persons[record.true_person], uuid.uuid4(), now, False))
        with cursor.copy(
            "COPY people_address (id, public_id, line1, line2, town, postcode, address_key, is_refuge) FROM STDIN"
        ) as copy:
            for record in records:
                key = (record.address_line, record.postcode)
                if key not in addresses:
                    addresses[key] = len(addresses) + 1
                    copy.write_row((addresses[key], uuid.uuid4(), record.address_line, "", record.town,
                                    record.postcode, normalise.address_key(line1=record.address_line,
                                                                           postcode=record.postcode), False))
        with cursor.copy("COPY people_phone (id, public_id, e164) FROM STDIN") as copy:
            for record in records:
                e164 = _e164(record.phone)
                if e164 and e164 not in phones:
                    phones[e164] = len(phones) + 1
                    copy.write_row((phones[e164], uuid.uuid4(), e164))
        with cursor.copy(
            "COPY people_personrecord (id, public_id, person_id, given_name, family_name, date_of_birth, sex, "
            "ethnicity, address_id, phone_id, given_name_key, family_name_key, given_name_phonetic, "
            "family_name_phonetic, source_system, source_ref, recorded_at) FROM STDIN"
        ) as copy:
            for pk, record in enumerate(records, start=1):
                given_key, given_phonetic = keys.name(record.given_name)
                family_key, family_phonetic = keys.name(record.family_name)
                e164 = _e164(record.phone)
                copy.write_row((
                    pk, uuid.uuid4(), persons[record.true_person], record.given_name, record.family_name,
                    record.date_of_birth, "U", "", addresses[(record.address_line, record.postcode)],
                    phones[e164] if e164 else None, given_key, family_key, given_phonetic, family_phonetic,
                    "bench", record.record_id, now,
                ))  # fmt: skip
        for table in ("people_person", "people_address", "people_phone", "people_personrecord"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE people_person, people_address, people_phone, people_personrecord")
    counts = {"records": len(records), "persons": len(persons), "addresses": len(addresses), "phones": len(phones)}
    return counts, persons


def empty_index() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE people_personrecord, people_person, people_address, people_phone CASCADE")


def queries(index: list[linkage_synthetic.SyntheticRecord], count: int, seed: int) -> list[tuple[dict, int | None]]:
    """(query, true person or None): noisy new versions of indexed people, and strangers."""
    from datetime import date

    from vigil.demo.noise import Identity, NoiseRates, record_identity

    rng = random.Random(seed)
    known = int(count * 0.8)
    picked = rng.sample(index, known)
    result: list[tuple[dict, int | None]] = []
    for record in picked:
        identity = Identity(record.given_name, record.family_name, record.date_of_birth, record.address_line,
                            record.phone)
        seen, _kinds = record_identity(identity, rng, NoiseRates(), married_name=None, new_phone=None)
        result.append((_query(seen, record.postcode, record.town), record.true_person))
    strangers = linkage_synthetic.generate(count - known, seed=seed + 1000)
    for record in strangers:
        identity = Identity(record.given_name, record.family_name, record.date_of_birth or date(1980, 1, 1),
                            record.address_line, record.phone)
        result.append((_query(identity, record.postcode, record.town), None))
    rng.shuffle(result)
    return result


def _query(identity, postcode: str, town: str) -> dict:
    return {
        "given_name": identity.given_name,
        "family_name": identity.family_name,
        "date_of_birth": identity.date_of_birth.isoformat() if identity.date_of_birth else None,
        "postcode": postcode,
        "address_line": identity.address_line,
        "town": town,
        "phone_e164": _e164(identity.phone) or "",
    }


def measure(model: dict, query_list: list[tuple[dict, int | None]], persons: dict[int, int], warmup: int) -> dict:
    from vigil.linkage import candidates

    candidates.clear_surname_counts()
    for query, _truth in query_list[:warmup]:
        candidates.match_candidates(model=model, **query)
    total, cpu, retrieval, sizes = [], [], [], []
    hits = known = strangers_linked = 0
    for query, truth in query_list:
        started, cpu_started = time.perf_counter(), time.process_time()
        found = candidates.match_candidates(model=model, **query)
        total.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        started = time.perf_counter()
        rows = candidates.candidate_records(**query)  # the look-ups alone (after the call: warm)
        retrieval.append(time.perf_counter() - started)
        sizes.append(len(rows))
        if truth is not None:
            known += 1
            hits += bool(found) and found[0].person_id == persons[truth]
        else:
            strangers_linked += bool(found) and found[0].band == "link"
    return {
        "total": total, "cpu": cpu, "retrieval": retrieval, "sizes": sizes, "hits": hits, "known": known,
        "strangers": len(query_list) - known, "strangers_linked": strangers_linked,
    }  # fmt: skip


def train_model(records: list[linkage_synthetic.SyntheticRecord]) -> dict:
    from vigil.linkage import matching, prepare

    columns = prepare.prepare_rows(record.as_row() for record in records)
    return matching.link(columns).model


def report(label: str, figures: dict) -> dict[str, float]:
    ms = [t * 1000 for t in figures["total"]]
    retrieval = [t * 1000 for t in figures["retrieval"]]
    summary = {
        "p50": percentile(ms, 50), "p95": percentile(ms, 95), "p99": percentile(ms, 99),
        "r50": percentile(retrieval, 50), "r95": percentile(retrieval, 95),
        "c50": percentile([t * 1000 for t in figures["cpu"]], 50),
        "c95": percentile([t * 1000 for t in figures["cpu"]], 95),
    }  # fmt: skip
    print(
        f"{label}: match_candidates p50 {summary['p50']:.1f} ms, p95 {summary['p95']:.1f} ms, p99 {summary['p99']:.1f} ms; "
        f"this process's CPU per call p50 {summary['c50']:.1f} ms, p95 {summary['c95']:.1f} ms; "
        f"retrieval alone p50 {summary['r50']:.1f} ms, p95 {summary['r95']:.1f} ms; "
        f"candidate records per query median {statistics.median(figures['sizes']):.0f}, max {max(figures['sizes'])}; "
        f"right person first {figures['hits']}/{figures['known']}; strangers linked {figures['strangers_linked']}/{figures['strangers']} "
        f"(load {os.getloadavg()[0]:.1f})",
        flush=True,
    )
    return summary


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000, help="records in the large index")
    parser.add_argument("--baseline", type=int, default=10_000, help="records in the baseline index")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--train", type=int, default=50_000, help="records the model is trained on")
    parser.add_argument("--model", help="a saved model (vigil link --model-out) instead of training")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)
    print(f"command: {shlex.join(['.venv/bin/python', 'bench/bench_linkage_online.py', *argv])}")

    name = f"vigil_bench_online_{os.getpid()}"
    database_url = f"{PG}/{name}"
    admin(f'CREATE DATABASE "{name}"')
    try:
        started = time.perf_counter()
        migrate(database_url)
        print(f"scratch database {name} migrated in {time.perf_counter() - started:.1f}s", flush=True)
        os.environ["DATABASE_URL"] = database_url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
        import django

        django.setup()
        started = time.perf_counter()
        everything = list(linkage_synthetic.generate(args.records, seed=args.seed))
        print(f"generated {len(everything):,} records in {time.perf_counter() - started:.1f}s", flush=True)
        if args.model:
            with open(args.model, encoding="utf-8") as handle:
                model = json.load(handle)
        else:
            started = time.perf_counter()
            model = train_model(everything[: args.train])
            print(f"trained the model on {args.train:,} records in {time.perf_counter() - started:.1f}s", flush=True)

        summaries = {}
        for size in (args.baseline, args.records):
            index = everything[:size]
            empty_index()
            started = time.perf_counter()
            counts, persons = load_index(index)
            print(f"loaded a {counts['records']:,}-record index ({counts['persons']:,} persons, "
                  f"{counts['addresses']:,} addresses, {counts['phones']:,} phones) in {time.perf_counter() - started:.1f}s",
                  flush=True)
            query_list = queries(index, args.queries, args.seed + size)
            summaries[size] = report(f"{size:>9,}-record index, {args.queries} queries",
                                     measure(model, query_list, persons, warmup=20))
        small, big = summaries[args.baseline], summaries[args.records]
        print(f"ratio {args.records:,} / {args.baseline:,} records: p50 x{big['p50'] / small['p50']:.2f}, "
              f"p95 x{big['p95'] / small['p95']:.2f}, p99 x{big['p99'] / small['p99']:.2f}")
        print(f"goal (p95 < 100 ms at {args.records:,} records): {'met' if big['p95'] < 100 else 'NOT met'} "
              f"({big['p95']:.1f} ms)")
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            print(f"kept {database_url}")
        else:
            admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            print(f"dropped the scratch database {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
