"""Benchmark of the MARAC figures page's read (issue 8), on the scale-1 demo force: a script, not a test.

    python bench/bench_marac_figures.py [--db var/bench/pack.sqlite3] [--runs 7] [--seed 1]

* Uses (or loads, as bench/bench_pack.py does) the SQLite database `--db` with the scale-1 demo force, whose
  one force MARAC holds about 6,700 referrals and 11,800 actions over four years.
* In one process, `--runs` times each, rotated: the force year's figures (2012-09-01 to 2013-08-31) by
  - baseline: the read before, every referral and action of the area as model instances
    (`services.referral_in` / `action_in`), then `figures.marac_figures`;
  - `selectors.figures_for`: only the referrals that can count and the period's actions, as plain values.
* Checks both give the same figures, prints medians, every run, the ratio and the command line.
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

START, END = date(2012, 9, 1), date(2013, 8, 31)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=str(ROOT / "var" / "bench" / "pack.sqlite3"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    path = Path(args.db).resolve()
    print(f"command: python bench/bench_marac_figures.py {shlex.join(sys.argv[1:] if argv is None else argv)}"
          .rstrip())
    print(f"data: {ensure_load(path, args.seed)}")
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
    import django

    django.setup()
    from vigil.accounts.models import Agency
    from vigil.marac import figures as figure_rules
    from vigil.marac.models import MaracAction, MaracArea, MaracReferral
    from vigil.marac.selectors import figures_for
    from vigil.marac.services import action_in, referral_in, referral_rows

    area = MaracArea.objects.order_by("pk").first()
    if area is None:
        print("no MARAC area in this database: load the demo force again")
        return 1
    print(f"area {area.name}: {MaracReferral.objects.filter(area=area).count():,} referrals, "
          f"{MaracAction.objects.filter(referral__area=area).count():,} actions")

    def baseline():
        referrals = [referral_in(r) for r in referral_rows().filter(area=area)]
        actions = [action_in(a) for a in MaracAction.objects.filter(referral__area=area)
                   .select_related("referral__victim", "meeting", "agency")]
        police = set(Agency.objects.filter(kind=Agency.Kind.FORCE).values_list("name", flat=True))
        return figure_rules.marac_figures(referrals, actions, START, END, women_aged_16_plus=area.women_aged_16_plus,
                                          police_agencies=police)

    def lean():
        return figures_for(area=area, start=START, end=END).figures

    methods = {"baseline: every row as model instances": baseline, "figures_for: plain values, the period's": lean}
    answers = {name: method() for name, method in methods.items()}  # warm up, and the answers to compare
    first, second = answers.values()
    same = (first.cases_heard, first.repeat_cases, first.referrals_received, first.actions_due,
            first.actions_on_time) == (second.cases_heard, second.repeat_cases, second.referrals_received,
                                       second.actions_due, second.actions_on_time)
    print(f"same figures: {same} (cases heard {second.cases_heard}, repeat cases {second.repeat_cases}, "
          f"referrals {second.referrals_received}, actions due {second.actions_due}, on time {second.actions_on_time})")
    times: dict[str, list[float]] = {name: [] for name in methods}
    names = list(methods)
    for run in range(args.runs):
        for name in names[run % 2:] + names[:run % 2]:
            started = time.perf_counter()
            methods[name]()
            times[name].append(time.perf_counter() - started)
    medians = {name: statistics.median(values) for name, values in times.items()}
    base = medians[names[0]]
    for name in names:
        runs = ", ".join(f"{t:.3f}" for t in times[name])
        print(f"{name:45s} median {medians[name]:.3f} s  ({medians[name] / base:.2f}x baseline)  runs: {runs}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
