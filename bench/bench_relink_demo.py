"""The application's re-link on the demo force: how right are Vigil's persons before and after `vigil relink`?

Before: the persons the demo loader made with the force's legacy rules (same name and date of birth).
After: `vigil relink` (train on the database's own records, join at or above the upper threshold, queue the
uncertain pairs). Both are scored with pairwise precision, recall and F1 against the generator's ground
truth (demo.TrueIdentity), in the same run; the re-link's wall time and peak memory are printed.

    DATABASE_URL=sqlite:////tmp/relinkdemo.sqlite3 .venv/bin/vigil migrate
    DATABASE_URL=sqlite:////tmp/relinkdemo.sqlite3 .venv/bin/vigil demo --profile leicestershire-2013 --seed 1
    .venv/bin/python bench/bench_relink_demo.py --demo-db /tmp/relinkdemo.sqlite3

The database is changed (persons joined, reviews queued): use a copy you can throw away.
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_linkage_accuracy import pairwise_scores  # noqa: E402

PERSONS_SQL = """
SELECT pr.id, pr.person_id, t.true_person FROM people_personrecord pr
JOIN demo_trueidentity t ON t.person_record_id = pr.id WHERE pr.person_id IS NOT NULL
"""


def persons_and_truth(path: str) -> tuple[dict[str, str], dict[str, str]]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    predicted, truth = {}, {}
    for record, person, true_person in connection.execute(PERSONS_SQL):
        predicted[str(record)], truth[str(record)] = str(person), str(true_person)
    connection.close()
    if not truth:
        raise SystemExit(f"{path} holds no demo ground truth: run `vigil demo` into it first")
    return predicted, truth


def _line(name: str, scores: dict) -> str:
    return (f"{name:<28} precision {scores['precision']:.4f}  recall {scores['recall']:.4f}  F1 {scores['f1']:.4f}"
            f"  ({scores['correct_pairs']}/{scores['true_pairs']} true pairs found, {scores['predicted_pairs']} claimed)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demo-db", required=True)
    args = parser.parse_args(argv)
    before = pairwise_scores(*persons_and_truth(args.demo_db))
    vigil = os.path.join(os.path.dirname(sys.executable), "vigil")
    started = time.monotonic()
    completed = subprocess.run([vigil, "relink"], env={**os.environ, "DATABASE_URL": f"sqlite:///{args.demo_db}"},
                               capture_output=True, text=True)
    seconds = time.monotonic() - started
    if completed.returncode:
        print(completed.stderr[-2000:], file=sys.stderr)
        return completed.returncode
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    after = pairwise_scores(*persons_and_truth(args.demo_db))
    print(f"records: {len(persons_and_truth(args.demo_db)[1])}")
    print(_line("before (legacy rules)", before))
    print(_line("after vigil relink", after))
    print(f"F1 {before['f1']:.4f} -> {after['f1']:.4f} (x{after['f1'] / before['f1']:.3f}); "
          f"relink {seconds:.0f} s wall, peak {peak_mb:.0f} MB; {completed.stdout.strip()}")
    print("command: .venv/bin/python " + " ".join(shlex.quote(a) for a in ["bench/bench_relink_demo.py", *sys.argv[1:]]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
