"""Benchmark of the synthetic force generator (a script, not a test).

    python bench/bench_demo.py [--runs 3] [--national-partitions 2] [--skip-postgres]

Measures, each in a fresh child process (peak RSS from os.wait4 of that child):
  1. baseline: generating a scale-1 force in plain Python without writing it (the floor any
     writer sits on);
  2. scale 1 into a fresh SQLite file (`vigil migrate` then `vigil demo`);
  3. scale 1 into a fresh PostgreSQL database (DATABASE_URL base below);
  4. the national rate: `--scale 43` into a fresh SQLite file, stopped after a bounded number of
     its 43 force partitions (said so in the output).
Prints medians, ratios to the baseline and the command line that produced them.
"""

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
POSTGRES = "postgres://postgres@127.0.0.1:5432"
PROFILE = "leicestershire-2013"

GENERATE_ONLY = """
import random, time
from vigil.demo.force import TABLES, Ids, Lookups, Partition
from vigil.demo.noise import NoiseRates
from vigil.demo.population import NamePools, da_history, volumes_for
from vigil.demo.profiles import profile_get
started = time.perf_counter()
profile = profile_get("{profile}")
volumes = volumes_for(profile, 1.0)
rng = random.Random("1:0")
events, _ = da_history(profile, volumes, rng, NamePools.build(1000), 1)
partition = Partition(profile=profile, volumes=volumes, rng=rng, ids=Ids(next=dict.fromkeys(TABLES, 1)),
                      lookups=Lookups(phones={{}}), area_ids=list(range(1, 8)), tag="bench", noise=NoiseRates())
for rows, count in partition.batches(events):
    pass
print(f"SECONDS {{time.perf_counter() - started:.3f}} INCIDENTS {{partition.counts.incidents}}")
"""

NATIONAL = """
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
django.setup()
from vigil.demo.profiles import profile_get
from vigil.demo.services import force_generate
summary = force_generate(profile=profile_get("{profile}"), seed=1, scale=43.0, partition_limit={partitions},
                         parallel=True)
print(f"SECONDS {{summary.seconds:.3f}} INCIDENTS {{summary.incidents}}")
"""


def run_child(argv: list[str], env: dict[str, str]) -> tuple[str, float, int]:
    """Run a child; return its stdout, wall seconds and peak RSS in MiB."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"child failed ({child.returncode}): {shlex.join(argv)}\n{out}")
    return out, time.perf_counter() - started, usage.ru_maxrss // 1024


def seconds_from(out: str) -> tuple[float, int]:
    if "SECONDS" in out:
        words = out.split()
        return float(words[words.index("SECONDS") + 1]), int(words[words.index("INCIDENTS") + 1])
    # vigil demo: "... 900,000 incidents, ... in 47.9 s."
    incidents = int(out.split(" incidents")[0].split()[-1].replace(",", ""))
    return float(out.rsplit(" in ", 1)[1].split()[0]), incidents


def fresh_env(database_url: str, var_dir: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "VIGIL_VAR_DIR": var_dir,
            "DJANGO_SETTINGS_MODULE": "vigil.settings"}


def generate_only(runs: int) -> list[tuple[float, int, int]]:
    results = []
    for _ in range(runs):
        out, _, rss = run_child([sys.executable, "-c", GENERATE_ONLY.format(profile=PROFILE)], dict(os.environ))
        seconds, incidents = seconds_from(out)
        results.append((seconds, incidents, rss))
    return results


def into_database(database_url_for_run, runs: int) -> list[tuple[float, int, int]]:
    results = []
    for run in range(runs):
        with tempfile.TemporaryDirectory(prefix="vigil-bench-") as var_dir:
            env = fresh_env(database_url_for_run(run, var_dir), var_dir)
            run_child([str(VENV_BIN / "vigil"), "migrate", "-v0"], env)
            out, _, rss = run_child([str(VENV_BIN / "vigil"), "demo", "--profile", PROFILE, "--seed", "1",
                                     "-v0"], env)
            seconds, incidents = seconds_from(out)
            results.append((seconds, incidents, rss))
    return results


def sqlite_url(_run: int, var_dir: str) -> str:
    return f"sqlite:///{var_dir}/bench.sqlite3"


def postgres_url(run: int, _var_dir: str) -> str:
    name = f"vigil_bench_{os.getpid()}_{run}"
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True,
                   stderr=subprocess.DEVNULL)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    return f"{POSTGRES}/{name}"


def postgres_drop(runs: int) -> None:
    for run in range(runs):
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists",
                        f"vigil_bench_{os.getpid()}_{run}"], check=True, stderr=subprocess.DEVNULL)


def national(partitions: int) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory(prefix="vigil-bench-") as var_dir:
        env = fresh_env(f"sqlite:///{var_dir}/national.sqlite3", var_dir)
        run_child([str(VENV_BIN / "vigil"), "migrate", "-v0"], env)
        out, _, rss = run_child([sys.executable, "-c", NATIONAL.format(profile=PROFILE, partitions=partitions)],
                                env)
    seconds, incidents = seconds_from(out)
    return seconds, incidents, rss


def report(name: str, results: list[tuple[float, int, int]], baseline: float | None) -> float:
    seconds = statistics.median(r[0] for r in results)
    incidents = results[0][1]
    rss = max(r[2] for r in results)
    ratio = f"  {seconds / baseline:4.2f}x baseline" if baseline else ""
    runs = ", ".join(f"{r[0]:.1f}" for r in results)
    print(f"{name:<34} median {seconds:6.1f} s  ({runs})  {incidents / seconds:8,.0f} incidents/s  "
          f"peak RSS {rss:5,} MiB{ratio}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--national-partitions", type=int, default=2,
                        help="how many of the 43 scale-43 partitions to generate (0: skip)")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    print(f"command: {shlex.join([Path(sys.executable).name, *sys.argv])}")
    print(f"machine: {os.cpu_count()} cores; profile {PROFILE}, seed 1; scale 1 = 900,000 incidents "
          f"(4 years) and ~123,000 person records")
    baseline = report("baseline: generate only, no DB", generate_only(args.runs), None)
    sqlite = report("scale 1 into fresh SQLite", into_database(sqlite_url, args.runs), baseline)
    print(f"{'':34} goal < 60 s: {'met' if sqlite < 60 else 'NOT met'}")
    if not args.skip_postgres:
        try:
            postgres = report("scale 1 into fresh PostgreSQL", into_database(postgres_url, args.runs), baseline)
        finally:
            postgres_drop(args.runs)
        print(f"{'':34} goal < 60 s: {'met' if postgres < 60 else 'NOT met'}; "
              f"PostgreSQL/SQLite {postgres / sqlite:.2f}")
    if args.national_partitions:
        seconds, incidents, rss = national(args.national_partitions)
        rate = incidents / seconds
        print(f"scale 43 into SQLite, {args.national_partitions} of 43 partitions only (bounded by "
              f"--national-partitions): {incidents:,} incidents in {seconds:.1f} s = {rate:,.0f} incidents/s, "
              f"peak RSS {rss:,} MiB")
        print(f"{'':34} goal >= 20,000 incidents/s: {'met' if rate >= 20_000 else 'NOT met'}; "
              f"peak < 2 GiB: {'met' if rss < 2048 else 'NOT met'}; "
              f"projected full 43 partitions: {43 * seconds / args.national_partitions / 60:.0f} min")


if __name__ == "__main__":
    main()
