"""Measure the rate of each recording-noise kind in the database the settings point at (after
`vigil demo`), from the ground truth in demo.TrueIdentity.

    vigil demo --seed 1 && python bench/noise_rates.py
"""

import os
from collections import Counter

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
    django.setup()
    from vigil.demo.models import TrueIdentity
    from vigil.demo.noise import NOISE_KINDS, NoiseRates

    noise = list(TrueIdentity.objects.values_list("noise", flat=True))
    counts = Counter(kind for kinds in noise for kind in kinds.split(",") if kind)
    rates = NoiseRates()
    print(f"{len(noise):,} person records; {sum(1 for n in noise if n) / len(noise):.1%} with any noise")
    print("| kind | chance where it can apply | measured share of all records |")
    print("|---|---|---|")
    for kind in NOISE_KINDS:
        print(f"| `{kind}` | {getattr(rates, kind):.0%} | {counts[kind] / len(noise):.2%} |")


if __name__ == "__main__":
    main()
