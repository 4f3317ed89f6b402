"""The deadlines sweep: all background work that falls due with time, done by `vigil worker`.

One sweep finds, by query, everything that is due *now*, whatever time it is: pending handovers past
their acceptance time, open tasks past their deadline, orders about to end. So catching up after the
worker was down is nothing special: the first sweep after a restart finds everything that fell due in
the meantime.

Each item is handled in its own transaction by an idempotent service (`handover_escalate`,
`task_escalate`): the escalation tasks are keyed and the `escalated_at` flag is set in the same
transaction, so a sweep killed half-way loses at most the item in flight (rolled back) and a sweep run
again, or two sweeps at once, never escalate anything twice.
"""

import logging
import os
import threading
import time
from dataclasses import asdict, dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from vigil.events.services import deliveries_overdue_enqueue, events_purge
from vigil.linkage.list_services import lists_sweep
from vigil.marac.services import marac_sweep

from .models import Handover, Task
from .order_services import orders_expiring_remind
from .services import handover_escalate, task_escalate

logger = logging.getLogger(__name__)

# Set by the worker when it is asked to stop: a sweep stops between items and the next one carries on.
stop_requested = threading.Event()

# Test-only: a pause after each item, in milliseconds, so that the fault test can stop a worker in the
# middle of a sweep. Never set it in production.
ITEM_PAUSE_ENV = "VIGIL_SWEEP_ITEM_PAUSE_MS"

@dataclass
class SweepResult:
    handovers_escalated: int = 0
    tasks_escalated: int = 0
    order_reminders: int = 0
    repeat_victim_plans: int = 0  # plans set or moved to the repeat-case team (linkage.list_services)
    perpetrator_plans: int = 0  # serial perpetrators given a named owner (linkage.list_services)
    marac_meetings_planned: int = 0  # MARAC meetings planned ahead (marac.services)
    marac_actions_escalated: int = 0  # overdue MARAC actions sent to the coordinator (marac.services)
    errors: int = 0
    stopped_early: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def due_handover_ids(now: datetime) -> list[int]:
    return list(Handover.objects.filter(status=Handover.Status.PENDING, escalated_at__isnull=True,
                                        accept_by__lte=now).order_by("accept_by", "pk").values_list("pk", flat=True))


def due_task_ids(now: datetime) -> list[int]:
    return list(Task.objects.filter(status=Task.Status.OPEN, escalated_at__isnull=True, due_at__lte=now)
                .exclude(kind=Task.Kind.ESCALATION).order_by("due_at", "pk").values_list("pk", flat=True))


def _pause() -> None:
    pause_ms = int(os.environ.get(ITEM_PAUSE_ENV, "0") or 0)
    if pause_ms > 0:
        time.sleep(pause_ms / 1000)


# The repeat-victim and counter-allegation sweep reads every incident of the last 12 months (about 4 s on
# a force's year of data), so the worker runs it (and the MARAC sweep, whose deadlines are whole days) at
# most this often rather than on every sweep.
LISTS_SWEEP_SECONDS = 15 * 60
_lists_last_run: list[float] = []


def _lists_due() -> bool:
    now = time.monotonic()
    if _lists_last_run and now - _lists_last_run[0] < LISTS_SWEEP_SECONDS:
        return False
    _lists_last_run[:] = [now]
    return True


def deadlines_sweep(*, now: datetime | None = None) -> SweepResult:
    """Escalate every handover and task that is overdue at `now` and send the order-expiry reminders,
    each item in its own transaction. An item that fails is logged (by kind and row id only) and
    counted, and the sweep carries on with the others."""
    now = now or timezone.now()
    result = SweepResult()
    work = [("handover", pk) for pk in due_handover_ids(now)] + [("task", pk) for pk in due_task_ids(now)]
    for kind, pk in work:
        if stop_requested.is_set():
            result.stopped_early = True
            logger.info("Deadlines sweep stopped early: the worker is shutting down")
            return result
        try:
            if kind == "handover":
                handover = Handover.objects.filter(pk=pk).first()
                if handover is not None and handover_escalate(handover=handover, now=now):
                    result.handovers_escalated += 1
            else:
                task = Task.objects.filter(pk=pk).first()
                if task is not None and task_escalate(task=task, now=now) is not None:
                    result.tasks_escalated += 1
        except ValidationError:
            pass  # decided (accepted, rejected, withdrawn) between the query and now: nothing is due
        except Exception:
            result.errors += 1
            logger.exception("Deadlines sweep: escalating %s id=%s failed", kind, pk)
        _pause()
    if not stop_requested.is_set():
        try:
            result.order_reminders = orders_expiring_remind(now=now)
        except Exception:
            result.errors += 1
            logger.exception("Deadlines sweep: order expiry reminders failed")
        try:  # event deliveries whose task was lost, or fell due while the worker was down (vigil.events)
            deliveries_overdue_enqueue(now=now)
        except Exception:
            result.errors += 1
            logger.exception("Deadlines sweep: enqueuing overdue event deliveries failed")
    if not stop_requested.is_set() and _lists_due():
        try:  # no repeat victim without a plan; counter-allegations flagged for review
            lists = lists_sweep(now=now)
            result.repeat_victim_plans = lists.plans_set + lists.moved_to_team
            result.perpetrator_plans = lists.perpetrator_plans_set
        except Exception:
            result.errors += 1
            logger.exception("Deadlines sweep: repeat-victim plans and counter-allegation flags failed")
        try:  # MARAC meetings planned ahead; overdue actions escalated (daily deadlines: this often is enough)
            marac = marac_sweep(now=now)
            result.marac_meetings_planned = marac.meetings_planned
            result.marac_actions_escalated = marac.actions_escalated
        except Exception:
            result.errors += 1
            logger.exception("Deadlines sweep: MARAC meetings and overdue actions failed")
        try:  # the delivery log of events finished long ago, and old delivery-task records (vigil.events)
            events_purge(now=now)
        except Exception:
            result.errors += 1
            logger.exception("Deadlines sweep: purging finished events failed")
    done = result.handovers_escalated + result.tasks_escalated + result.order_reminders + result.errors
    logger.log(logging.INFO if done else logging.DEBUG,
               "Deadlines sweep: %s handovers and %s tasks escalated, %s order reminders, %s errors",
                result.handovers_escalated, result.tasks_escalated, result.order_reminders, result.errors)
    return result
