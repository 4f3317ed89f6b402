"""The policy values of the evaluation of risk judgements, in one place.

Every value is **policy**: a force changes them as data, the way the linkage lists' policy is kept
(`vigil.linkage.list_policy`): an administrator adds an `EvaluationPolicy` row with a reason, in the
admin; rows are never edited or deleted, so the table is the policy's history, and the row in force at a
moment is the latest one that took effect by then. With no row, these defaults apply.

| value | default | where it comes from |
|---|---|---|
| horizons_months | 3, 6, 12 | issue 11: what followed in the next 3, 6 and 12 months |
| fairness_margin | 0.10 | Vigil's choice: a group's false negative or false positive rate may differ from everyone else's by at most 10 points |
| fairness_min_group_size | 30 | `fairness.MIN_GROUP_SIZE`, a rule of thumb |
| signal_flag_share | 0.10 | Vigil's choice: for the fairness guard, the history signal "flags" the highest-scoring tenth of the training assessments (its threshold is set on training, applied to validation) |
| days_since_cap | 1095 | Vigil's choice: "days since the victim's last incident" is capped at three years (and a victim with none counts as the cap) |
"""

from dataclasses import dataclass, fields
from datetime import datetime

from django.utils import timezone

from .fairness import MIN_GROUP_SIZE


@dataclass(frozen=True)
class EvaluationPolicyValues:
    short_horizon_months: int = 3
    medium_horizon_months: int = 6
    long_horizon_months: int = 12
    fairness_margin: float = 0.10
    fairness_min_group_size: int = MIN_GROUP_SIZE
    signal_flag_share: float = 0.10
    days_since_cap: int = 1095

    @property
    def horizons_months(self) -> tuple[int, ...]:
        return (self.short_horizon_months, self.medium_horizon_months, self.long_horizon_months)


DEFAULTS = EvaluationPolicyValues()
POLICY_FIELDS = tuple(f.name for f in fields(EvaluationPolicyValues))


def evaluation_policy(now: datetime | None = None) -> EvaluationPolicyValues:
    """The values in force at `now` (default: now): the latest `EvaluationPolicy` row that took effect by
    then, else the defaults."""
    from .models import EvaluationPolicy

    now = now or timezone.now()
    row = (EvaluationPolicy.objects.filter(effective_from__lte=now).order_by("-effective_from", "-id")
           .values(*POLICY_FIELDS).first())
    return EvaluationPolicyValues(**row) if row else DEFAULTS
