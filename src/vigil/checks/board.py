"""The control-room supervisors' live board: every open domestic abuse incident, highlighted and ordered
by the plain rules in `board_rules`, each highlighted incident acknowledged by a supervisor.

- `board_refresh` (a service) works an incident's highlights out again and keeps its `BoardEntry`; call
  it after every intake save and every change to the incident's checks. It removes the entry when the
  incident is closed or is not domestic abuse.
- `board_rows` (a selector) lists the board. Check highlights (checks not taken, checks overdue) depend
  on the clock, so they are worked out again from the open checks each time the board is read; the rest
  come from the entry. An incident with no entry yet is shown as "Not yet assessed by the board".
- `board_acknowledge` (a service) records that a supervisor saw an incident's highlights.

The history behind the highlights is read as `SYSTEM_VIEWER`: Vigil itself, holding no permission, so
the board never learns of a refuge (the board shows no names, addresses or marker notes either; only
highlight codes and their reasons). This keeps the board the same whoever recorded the call.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from vigil.audit.services import audit_record
from vigil.incidents.models import Incident

from . import board_rules
from .board_rules import Highlight, OpenCheck
from .check_policy import CHECK_CHOICES, PERFORMER_CHOICES
from .models import BackgroundCheck, BoardAcknowledgement, BoardEntry
from .selectors import SYSTEM_VIEWER, history_for_incident

ON_BOARD_STATUSES = (Incident.Status.RECORDING, Incident.Status.OPEN)
CHECK_LABEL = dict(CHECK_CHOICES)
PERFORMER_LABEL = dict(PERFORMER_CHOICES)
GRADE_LABEL = dict(Incident.Grade.choices)
STATUS_LABEL = dict(Incident.Status.choices)
STALE_AFTER = timedelta(seconds=60)
NOTE_LENGTH = BoardAcknowledgement._meta.get_field("note").max_length




@dataclass(frozen=True)
class RowHighlight:
    code: str
    label: str
    reason: str
    weight: int
    new: bool  # not in the latest acknowledgement

    @property
    def severe(self) -> bool:
        return self.weight >= board_rules.SEVERE_WEIGHT


@dataclass(frozen=True)
class BoardRow:
    public_id: uuid.UUID
    reference: str
    received_at: datetime
    status: str
    status_label: str
    grade: int
    grade_label: str
    area: str
    priority: int
    highlights: list[RowHighlight]
    needs_acknowledgement: bool
    acknowledged_by: str  # "" when never acknowledged
    acknowledged_at: datetime | None
    assessed_at: datetime | None  # when the board last worked out its highlights; None if never


def is_on_board(incident: Incident) -> bool:
    return incident.is_domestic_abuse and incident.status in ON_BOARD_STATUSES


def _open_checks(incident_ids) -> dict[int, list[OpenCheck]]:
    found: dict[int, list[OpenCheck]] = defaultdict(list)
    rows = (BackgroundCheck.objects.filter(incident_id__in=incident_ids, status=BackgroundCheck.Status.OPEN)
            .order_by("due_at").values_list("incident_id", "kind", "performed_by", "due_at", "assigned_to_id"))
    for incident_id, kind, performed_by, due_at, assigned_to_id in rows:
        found[incident_id].append(OpenCheck(kind=kind, label=CHECK_LABEL.get(kind, kind),
                                            performer=PERFORMER_LABEL.get(performed_by, performed_by),
                                            due_at=due_at, taken=assigned_to_id is not None))
    return found


def _current_highlights(entry: BoardEntry | None, open_checks: list[OpenCheck], now: datetime) -> list[Highlight]:
    """The entry's highlights with the check highlights worked out again for `now`."""
    if entry is None:
        return [board_rules.not_assessed()]
    kept = [Highlight(h["code"], h["reason"], board_rules.weight_of(h["code"])) for h in entry.highlights
            if not board_rules.is_check_highlight(h["code"])]
    return board_rules.sort_highlights([*kept, *board_rules.check_highlights(open_checks, now=now)])


def _entry_of(incident: Incident) -> BoardEntry | None:
    try:
        return incident.board_entry
    except BoardEntry.DoesNotExist:
        return None


def board_refresh(*, incident: Incident, now: datetime | None = None) -> BoardEntry | None:
    """Work out the incident's highlights and priority and keep them in its board entry; remove the
    entry when the incident is closed or not domestic abuse. Vigil's own reading: not audited."""
    now = now or timezone.now()
    with transaction.atomic():
        if not is_on_board(incident):
            BoardEntry.objects.filter(incident=incident).delete()
            return None
        facts = history_for_incident(incident=incident, viewer=SYSTEM_VIEWER, now=now, audit=False).facts()
        found = board_rules.highlights(
            facts=facts, grade=incident.response_grade, weapons=incident.weapons, injuries=incident.injuries,
            children_present=incident.children_present, suspect_present=incident.suspect_present,
            open_checks=_open_checks([incident.pk])[incident.pk], now=now)
        entry, _ = BoardEntry.objects.update_or_create(incident=incident, defaults={
            "priority": board_rules.priority(found, incident.response_grade),
            "highlights": [h.as_dict() for h in found],
            "refreshed_at": now,
        })
    # The caller's instance may have cached "no entry"; let it see this one.
    incident.board_entry = entry
    return entry


def board_refresh_stale(*, now: datetime | None = None, max_age: timedelta = STALE_AFTER) -> int:
    """Refresh the entries of incidents on the board that nothing has refreshed for `max_age`, so a
    marker, grading or case added elsewhere reaches the board without anyone touching the incident."""
    now = now or timezone.now()
    stale = (Incident.objects.filter(is_domestic_abuse=True, status__in=ON_BOARD_STATUSES)
             .filter(Q(board_entry__isnull=True) | Q(board_entry__refreshed_at__lt=now - max_age))
             .select_related("caller_phone", "address"))
    count = 0
    for incident in stale:
        board_refresh(incident=incident, now=now)
        count += 1
    return count


def _person_label(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def board_rows(*, viewer, now: datetime | None = None) -> list[BoardRow]:
    """Every open or being-recorded domestic abuse incident, none left off: those needing
    acknowledgement first, then by priority (highest first), then oldest first. No names or addresses.
    A fixed number of queries whatever the number of rows."""
    if not viewer.has_perm("checks.view_board"):
        raise PermissionDenied
    now = now or timezone.now()
    latest_ack = (BoardAcknowledgement.objects.filter(incident=OuterRef("pk"))
                  .order_by("-acknowledged_at", "-id").values("id")[:1])
    incidents = list(
        Incident.objects.filter(is_domestic_abuse=True, status__in=ON_BOARD_STATUSES)
        .select_related("area", "board_entry")
        .annotate(latest_ack_id=Subquery(latest_ack))
        .only("id", "public_id", "reference", "received_at", "status", "response_grade", "area__name",
              "board_entry__priority", "board_entry__highlights", "board_entry__refreshed_at",
              "board_entry__incident_id"))
    acks = {ack.id: ack for ack in BoardAcknowledgement.objects.filter(
        id__in=[i.latest_ack_id for i in incidents if i.latest_ack_id]).select_related("acknowledged_by")}
    checks = _open_checks([i.id for i in incidents])
    rows = []
    for incident in incidents:
        entry = _entry_of(incident)
        found = _current_highlights(entry, checks.get(incident.id, []), now)
        ack = acks.get(incident.latest_ack_id)
        acknowledged = set(ack.codes) if ack is not None else set()
        rows.append(BoardRow(
            public_id=incident.public_id, reference=incident.reference, received_at=incident.received_at,
            status=incident.status, status_label=STATUS_LABEL.get(incident.status, incident.status),
            grade=incident.response_grade, grade_label=GRADE_LABEL.get(incident.response_grade, ""),
            area=incident.area.name if incident.area_id else "",
            priority=board_rules.priority(found, incident.response_grade),
            highlights=[RowHighlight(h.code, h.label, h.reason, h.weight, h.code not in acknowledged) for h in found],
            needs_acknowledgement=board_rules.needs_acknowledgement((h.code for h in found), acknowledged),
            acknowledged_by=_person_label(ack.acknowledged_by) if ack is not None else "",
            acknowledged_at=ack.acknowledged_at if ack is not None else None,
            assessed_at=entry.refreshed_at if entry is not None else None,
        ))
    rows.sort(key=lambda r: (not r.needs_acknowledgement, -r.priority, r.received_at))
    return rows


def needing_acknowledgement(rows: list[BoardRow]) -> int:
    return sum(1 for r in rows if r.needs_acknowledgement)


def board_acknowledge(*, incident: Incident, by, note: str = "", codes=None, now: datetime | None = None,
                      request=None) -> BoardAcknowledgement:
    """Record that `by` saw the incident's highlights as they are now.

    `codes`, when given, are the highlight codes the supervisor had on screen: only those still current
    are recorded (with those already acknowledged), so a highlight that appeared after the page was
    drawn still needs an acknowledgement of its own."""
    now = now or timezone.now()
    if not by.has_perm("checks.acknowledge_board"):
        raise PermissionDenied
    if not is_on_board(incident):
        raise ValidationError("This incident is not on the board: it is closed or is not domestic abuse")
    with transaction.atomic():
        entry = BoardEntry.objects.filter(incident=incident).first()
        current = {h.code for h in _current_highlights(entry, _open_checks([incident.pk])[incident.pk], now)}
        if not current:
            raise ValidationError("This incident has no highlights to acknowledge")
        if codes is None:
            recorded = current
        else:
            previous = incident.acknowledgements.order_by("-acknowledged_at", "-id").values_list(
                "codes", flat=True).first() or []
            recorded = (set(codes) | set(previous)) & current
            if not recorded:
                raise ValidationError("The highlights shown have changed: look at the board again")
        ack = BoardAcknowledgement.objects.create(
            incident=incident, codes=sorted(recorded), acknowledged_by=by, acknowledged_at=now,
            note=(note or "").strip()[:NOTE_LENGTH])
        audit_record(action="consultation", actor=by, request=request, object_type="incidents.Incident",
                     object_id=str(incident.public_id),
                     detail={"board_acknowledged": sorted(recorded), "still_to_acknowledge": len(current - recorded),
                             "note_given": bool(ack.note)})
    return ack
