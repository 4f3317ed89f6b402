"""Benchmark of bulk import into PostgreSQL (a script, not a test).

    python bench/bench_import.py [--incidents 1000000] [--persons 600000]

Generates synthetic files (made-up names such as "Given123 Family456"; kept in var/bench/import/, never
committed): persons.csv and incidents.csv, each incident a domestic abuse call with a victim and a
suspect among the persons. Then, in a fresh PostgreSQL database:
  1. baseline: a plain `COPY` of the same two files into tables of text columns (no checks, no keys);
  2. `vigil import --kind persons` then `vigil import --kind incidents` (each a child process; peak RSS
     from os.wait4), every row checked, keyed and written as Vigil records.
Prints the incident rate (incidents over the time for both files), the COPY rate, their ratio, peak
memory, the goals, and the command line that produced them.
"""

import argparse
import csv
import os
import random
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
POSTGRES = "postgres://postgres@127.0.0.1:5432"
DATA = ROOT / "var" / "bench" / "import"
AREAS = ("city", "county-north", "county-south")
GOAL_RATE = 5000
GOAL_RSS_MIB = 1024


def files_make(incidents: int, persons: int) -> tuple[Path, Path]:
    DATA.mkdir(parents=True, exist_ok=True)
    people_file, incident_file = DATA / f"persons-{persons}.csv", DATA / f"incidents-{incidents}-{persons}.csv"
    rng = random.Random(1)
    if not people_file.exists():
        with people_file.open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["person_id", "given_name", "family_name", "date_of_birth", "sex", "recorded_at"])
            for n in range(persons):
                writer.writerow([f"NOM-{n:07d}", f"Given{rng.randrange(2000)}", f"Family{rng.randrange(20000)}",
                                 f"{rng.randrange(1950, 2000)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
                                 "F" if n % 3 else "M", "2012-01-01T00:00:00Z"])
    if not incident_file.exists():
        victims = persons * 2 // 3
        with incident_file.open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["incident_id", "received_at", "channel", "response_grade", "is_domestic_abuse",
                             "area_code", "summary", "victim_person_id", "suspect_person_id", "relationship"])
            for n in range(incidents):
                victim = rng.randrange(victims)
                suspect = victims + victim % (persons - victims)
                writer.writerow([f"INC-{n:08d}", f"{2009 + n % 4}-{1 + n % 12:02d}-{1 + n % 28:02d}T"
                                 f"{n % 24:02d}:{n % 60:02d}:00Z", "999" if n % 2 else "101", 1 + n % 4, "true",
                                 AREAS[n % 3], "Report of a domestic incident", f"NOM-{victim:07d}",
                                 f"NOM-{suspect:07d}", ("current_partner", "former_partner", "family_member")[n % 3]])
    return people_file, incident_file


def run_child(argv: list[str], env: dict[str, str]) -> tuple[str, float, int]:
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code:
        raise SystemExit(f"child failed ({code}): {shlex.join(argv)}\n{out}")
    return out, time.perf_counter() - started, usage.ru_maxrss // 1024


def plain_copy(database_url: str, files: list[Path]) -> float:
    """COPY each file into a table of text columns: the floor any loader sits on."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(database_url, autocommit=True) as connection:
        for number, path in enumerate(files):
            with path.open() as stream:
                header = next(csv.reader(stream))
            table = f"bench_copy_{number}"
            connection.execute(f"DROP TABLE IF EXISTS {table}")
            connection.execute(f"CREATE TABLE {table} ({', '.join(f'{c} text' for c in header)})")
            with connection.cursor() as cursor, cursor.copy(
                    f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy, path.open("rb") as stream:
                while chunk := stream.read(1 << 20):
                    copy.write(chunk)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--persons", type=int, default=600_000)
    args = parser.parse_args()
    command = shlex.join([Path(sys.executable).name, "bench/bench_import.py", *sys.argv[1:]])

    people_file, incident_file = files_make(args.incidents, args.persons)
    name = f"vigil_bench_import_{os.getpid()}"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    database_url = f"{POSTGRES}/{name}"
    try:
        with tempfile.TemporaryDirectory(prefix="vigil-bench-") as var_dir:
            env = {**os.environ, "DATABASE_URL": database_url, "VIGIL_VAR_DIR": var_dir,
                   "DJANGO_SETTINGS_MODULE": "vigil.settings"}
            vigil = str(VENV_BIN / "vigil")
            run_child([vigil, "migrate", "-v0"], env)
            run_child([sys.executable, "-c", "import django; django.setup(); from vigil.incidents.models import Area; "
                       + "; ".join(f"Area.objects.create(code='{a}', name='{a}')" for a in AREAS)], env)
            copy_seconds = plain_copy(database_url, [people_file, incident_file])
            _, people_seconds, people_rss = run_child(
                [vigil, "import", "--kind", "persons", "--file", str(people_file), "--no-link"], env)
            out, incident_seconds, incident_rss = run_child(
                [vigil, "import", "--kind", "incidents", "--file", str(incident_file)], env)
            if f"created={args.incidents}" not in out:
                raise SystemExit(f"not every incident was imported: {out}")
    finally:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)

    total = people_seconds + incident_seconds
    rate, copy_rate = args.incidents / total, args.incidents / copy_seconds
    rss = max(people_rss, incident_rss)
    print(f"command: {command}")
    print(f"data: {args.persons:,} persons, {args.incidents:,} incidents (victim and suspect each), fresh PostgreSQL")
    print(f"baseline: plain COPY of both files       {copy_seconds:7.1f} s  {copy_rate:10,.0f} incidents/s")
    print(f"vigil import persons                      {people_seconds:7.1f} s  peak RSS {people_rss:5d} MiB")
    print(f"vigil import incidents                    {incident_seconds:7.1f} s  peak RSS {incident_rss:5d} MiB")
    print(f"import, both files                        {total:7.1f} s  {rate:10,.0f} incidents/s  "
          f"{total / copy_seconds:.1f}x the plain COPY")
    print(f"goal >= {GOAL_RATE:,} incidents/s: {'met' if rate >= GOAL_RATE else 'NOT met'}; "
          f"peak < {GOAL_RSS_MIB} MiB: {'met' if rss < GOAL_RSS_MIB else 'NOT met'} ({rss} MiB)")


if __name__ == "__main__":
    main()
