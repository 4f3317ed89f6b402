"""Benchmark of the performance pack (issue 9): the force-year pack on the scale-1 demo, a script, not a test.

    python bench/bench_pack.py [--db var/bench/pack.sqlite3] [--runs 7] [--seed 1]

* The SQLite database `--db` is created, migrated and loaded with
  `vigil demo --profile leicestershire-2013 --seed N` (scale 1, 900,000 incidents) when it holds fewer
  than 900,000 incidents; an existing load is reused, and the output says so.
* In one process, each method `--runs` times, methods rotated per run, for the force year
  (2012-09-01 to 2013-08-31, Europe/London), whole force:
  - baseline: `vigil.demo.calibration.seed_figures_measure`, the demo's own measure of the seed figures
    (the same tables, fewer figures, true identities instead of resolved persons);
  - floor: one SQL statement counting the period's incidents (the least any pack must read);
  - `pack_compute` (every figure, not audited);
  - `performance_pack` as the page calls it (audited consultation; in a transaction rolled back after);
  - `vigil report --format json` through `call_command` (audited export; rolled back after);
  - and `vigil report --format json` as a subprocess, wall time including Python and Django start-up
    (3 runs; each writes its audit event to the database).
* Prints the pack's seed figures beside domain.md's, medians with every run, ratios to the baseline,
  PASS/FAIL against the goal (the force-year pack in under 2 s) and the command line.
"""

import argparse
import json
import os
import shlex
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PROFILE = "leicestershire-2013"
FULL_LOAD = 900_000
GOAL_SECONDS = 2.0
FROM, TO = "2012-09-01", "2013-08-31"


def incidents_in(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        (count,) = connection.execute("SELECT count(*) FROM incidents_incident").fetchone()
        connection.close()
        return count
    except sqlite3.Error:
        return 0


def ensure_load(path: Path, seed: int) -> str:
    found = incidents_in(path)
    if found >= FULL_LOAD:
        return f"reusing the existing load: {found:,} incidents in {path}"
    path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    started = time.monotonic()
    subprocess.run([str(VENV_BIN / "vigil"), "migrate", "--noinput"], env=env, check=True, capture_output=True)
    subprocess.run([str(VENV_BIN / "vigil"), "demo", "--profile", PROFILE, "--seed", str(seed)], env=env,
                   check=True, capture_output=True)
    return f"loaded `vigil demo --profile {PROFILE} --seed {seed}` into {path} in {time.monotonic() - started:.0f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=str(ROOT / "var" / "bench" / "pack.sqlite3"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    path = Path(args.db).resolve()
    print(f"command: python bench/bench_pack.py {shlex.join(sys.argv[1:] if argv is None else argv)}".rstrip())
    print(f"machine: {os.cpu_count()} cores; profile {PROFILE}, seed {args.seed}, scale 1; runs {args.runs}; "
          f"goal: force-year pack < {GOAL_SECONDS:.0f} s")
    print(f"data: {ensure_load(path, args.seed)}")

    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from vigil.accounts.models import Agency, User
    from vigil.demo.calibration import Period, seed_figures_measure
    from vigil.demo.profiles import profile_get, seed_figures
    from vigil.insight.pack import pack_json
    from vigil.insight.pack_selectors import PackPeriod, pack_compute, performance_pack

    profile = profile_get(PROFILE)
    period = PackPeriod(date.fromisoformat(FROM), date.fromisoformat(TO))
    calibration_period = Period.force_year(profile)

    def floor():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM incidents_incident WHERE received_at >= %s AND received_at < %s",
                           [period.starts_at, period.ends_at])
            return cursor.fetchone()[0]

    def page():
        with transaction.atomic():
            agency, _ = Agency.objects.get_or_create(code="bench-pack", defaults={"name": "Bench", "kind": "force"})
            analyst = User.objects.create_user(username="bench-pack-analyst", role="analyst", agency=agency)
            performance_pack(viewer=analyst, period=period)
            transaction.set_rollback(True)

    def command():
        from io import StringIO

        with transaction.atomic():
            out = StringIO()
            call_command("report", "--from", FROM, "--to", TO, "--format", "json", stdout=out)
            transaction.set_rollback(True)
        return out.getvalue()

    methods = {
        "baseline: calibration.seed_figures_measure": lambda: seed_figures_measure(calibration_period),
        "floor: count the period's incidents (SQL)": floor,
        "pack_compute (not audited)": lambda: pack_compute(period=period),
        "performance_pack (page, audited)": page,
        "vigil report --format json (in-process)": command,
    }
    command()  # warm-up: caches, statistics
    times: dict[str, list[float]] = {name: [] for name in methods}
    names = list(methods)
    for run in range(args.runs):
        for name in names[run % len(names):] + names[:run % len(names)]:
            started = time.perf_counter()
            methods[name]()
            times[name].append(time.perf_counter() - started)

    vigil = str(VENV_BIN / "vigil")
    wall = []
    for _ in range(3):
        started = time.perf_counter()
        completed = subprocess.run([vigil, "report", "--from", FROM, "--to", TO, "--format", "json"],
                                   env=dict(os.environ), check=True, capture_output=True, text=True)
        wall.append(time.perf_counter() - started)
    figures = json.loads(completed.stdout)
    assert figures == pack_json(pack_compute(period=period)) | {"not_available": figures["not_available"]}

    targets = seed_figures(profile)
    print("\nfigures (vigil report, force year, whole force) against domain.md's seed figures:")
    rows = [
        ("da_share_of_calls_pct", 100 * targets["da_share_of_calls"]),
        ("repeat_victim_share_of_da_calls_pct", 100 * targets["repeat_victim_share_of_da_calls"]),
        ("da_share_of_crime_pct", 100 * targets["da_share_of_crime"]),
        ("da_crimes", targets["da_crimes"]),
        ("arrests_per_100_da_crimes", targets["arrests_per_100_da_crimes"]),
        ("outcome_charge_pct", 100 * targets["da_outcome_charge_share"]),
        ("outcome_caution_pct", 100 * targets["da_outcome_caution_share"]),
        ("outcome_ooc_disposal_pct", 100 * targets["da_outcome_out_of_court_share"]),
    ]
    for key, target in rows:
        print(f"  {key:<40} {figures[key]:>10}   domain.md {target:g}")
    for group in ("assault_with_intent", "assault_with_injury", "harassment", "sexual_offences"):
        g = figures[group]
        print(f"  {group:<40} {g['recorded']:>5} / {g['da_related']:<5} ({g['da_share_pct']} %)   domain.md "
              f"{targets[f'{group}_recorded']:g} / {targets[f'{group}_da']:g}")
    a = figures["active_cases"]
    print(f"  {'active_cases':<40} {a['total']}: {a['high_pct']} % high, {a['medium_pct']} % medium, "
          f"{a['standard_pct']} % standard   domain.md 942: 7 / 18 / 75 %")
    print(f"  {'specialist_review.downgrade_pct':<40} {figures['specialist_review']['downgrade_pct']}   "
          f"(demo: 12 % of reviews downgrade)")
    m = figures["marac"]
    print(f"  {'marac':<40} {m['cases_heard']} cases heard, {m['repeat_rate_pct']} % repeats, "
          f"{m['referrals_received']} referrals, {m['cases_a_year_per_10k_women']} a year per 10,000 women   "
          f"(national 2023-24: 47, 31 % repeats; recommended 40)")

    baseline = statistics.median(times[names[0]])
    print(f"\nresults (median of {args.runs}, seconds; every run in brackets):")
    for name in names:
        values = times[name]
        middle = statistics.median(values)
        ratio = "" if name == names[0] else f"  {middle / baseline:5.2f}x baseline"
        print(f"  {name:<46} median {middle:7.3f} s  ({', '.join(f'{v:.3f}' for v in values)}){ratio}")
    print(f"  {'vigil report --format json (subprocess, wall)':<46} median {statistics.median(wall):7.3f} s  "
          f"({', '.join(f'{v:.3f}' for v in wall)})  includes Python and Django start-up")
    pack_median = statistics.median(times["vigil report --format json (in-process)"])
    verdict = "PASS" if pack_median < GOAL_SECONDS else "FAIL"
    print(f"  {verdict}  force-year pack (vigil report in-process) < {GOAL_SECONDS:.0f} s: {pack_median:.3f} s")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
