"""Benchmark of the evaluation report (issue 11) on the scale-1 demo force: a script, not a test.

    python bench/bench_evaluation.py [--db var/bench/pack.sqlite3] [--runs 5] [--seed 1]

* Uses (or loads, as bench/bench_pack.py does) the SQLite database `--db` with the scale-1 demo force.
* In one process, `--runs` times each, rotated, for the assessments of 2011-09-01 to 2012-08-31 followed up
  for 12 months (about 13,500 assessments):
  - baseline: `outcomes.assessment_rows`, reading the outcomes and features (the least the report needs);
  - `services.evaluation_run`: the whole report (every predictor, subgroups, intervals), as the page runs it.
* Prints medians, every run, the ratio to the baseline and the command line.
"""

import argparse
import os
import shlex
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pack import ROOT, ensure_load  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=str(ROOT / "var" / "bench" / "pack.sqlite3"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    path = Path(args.db).resolve()
    print(f"command: python bench/bench_evaluation.py {shlex.join(sys.argv[1:] if argv is None else argv)}".rstrip())
    print(f"data: {ensure_load(path, args.seed)}")
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from vigil.evaluation.outcomes import Period, assessment_rows
    from vigil.evaluation.services import evaluation_run

    period = Period(date(2011, 9, 1), date(2012, 8, 31))
    methods = {
        "baseline: assessment_rows (outcomes and features)": lambda: assessment_rows(period=period),
        "evaluation_run: the whole report": lambda: evaluation_run(period=period, outcome="further_incident",
                                                                   horizon_months=12),
    }
    report = methods["evaluation_run: the whole report"]()  # warm up
    print(f"assessments {report.assessments:,}, followed up {report.followed_up:,}, harmed {report.harmed:,}")
    times: dict[str, list[float]] = {name: [] for name in methods}
    names = list(methods)
    for run in range(args.runs):
        for name in names[run % 2:] + names[:run % 2]:
            started = time.perf_counter()
            methods[name]()
            times[name].append(time.perf_counter() - started)
    base = statistics.median(times[names[0]])
    for name in names:
        median = statistics.median(times[name])
        print(f"{name:52s} median {median:.2f} s  ({median / base:.2f}x baseline)  runs: "
              + ", ".join(f"{t:.2f}" for t in times[name]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
