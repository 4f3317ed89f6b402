"""Work in hand for the demo users, so that signing in as them shows what a working day looks like: the
demo neighbourhood officer owns a few of their area's open cases (handed over by the area's duty officer
and accepted), and one high-risk case waits in the demo specialist's "My work" as a handover offered by
name. Done through the ownership services, so every step is on the cases' timelines and in the audit log.
Runs once: nothing is done when the demo officer already owns a case."""

from django.utils import timezone

from vigil.accounts.models import Team, User
from vigil.cases.models import Handover, SafeguardingCase
from vigil.cases.services import handover_accept, handover_propose

OFFICER_CASES = 3


def demo_work_ensure(*, officer: User, specialist: User, now=None) -> int:
    """Hand some open cases to the demo users; returns how many handovers were made."""
    now = now or timezone.now()
    if SafeguardingCase.objects.filter(owner=officer).exists():
        return 0
    made = 0
    team = officer.teams.filter(kind=Team.Kind.NEIGHBOURHOOD).first()
    if team is not None:
        for case in (SafeguardingCase.objects.filter(owning_team=team, closed_at__isnull=True)
                     .exclude(owner=officer).order_by("-opened_at")[:OFFICER_CASES]):
            handover = handover_propose(case=case, by=case.owner, to_team=team, to_user=officer, now=now,
                                        reason="Allocated to the neighbourhood officer for the victim's area")
            handover_accept(handover=handover, by=officer, now=now)
            made += 1
    unit = specialist.teams.filter(kind=Team.Kind.SPECIALIST).first()
    case = (SafeguardingCase.objects.filter(owning_team=unit, risk_level="high", closed_at__isnull=True)
            .exclude(owner=specialist).exclude(handovers__status=Handover.Status.PENDING)
            .order_by("-opened_at").first()) if unit is not None else None
    if case is not None:
        handover_propose(case=case, by=case.owner, to_team=unit, to_user=specialist, now=now,
                         reason="Colleague on leave from tomorrow: please take this high-risk case on")
        made += 1
    return made
