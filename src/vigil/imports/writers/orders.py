"""The writer of protective orders and bail conditions. An order goes on the victim's safeguarding case,
which the import opens when the victim has none (live for an order in force, closed at once for one no longer
in force); an order in force places warning markers. Rows are recorded as the import's account."""

from __future__ import annotations

from django.db.models import F, Q

from vigil.accounts.models import Team, User
from vigil.cases.markers import marker_kind, marker_note
from vigil.cases.models import OwnershipPeriod, ProtectiveOrder, SafeguardingCase
from vigil.cases.services import case_open, policy_team, team_duty_owner
from vigil.imports.schema import LIST_SEPARATOR, LONDON
from vigil.imports.writing import Context, Item, Reasons, import_user, refuse_unchecked, text_or_empty
from vigil.incidents.models import Incident
from vigil.people.models import PersonRecord, WarningMarker
from vigil.risk.models import RiskAssessment, RiskLevel

NO_CASE = ("victim_person_id has no safeguarding case in Vigil: give incident_id so the import can open one "
           "on that incident")
NO_OWNER = ("no one to own the victim's new safeguarding case: the team the ownership policy names has no "
            "supervisor or active member")


def _case_find(item: Item, victim: PersonRecord) -> SafeguardingCase | None:
    """The victim's case on the order's incident; else the victim's current case (the open one first, then
    the latest), whichever of her or his records it was opened on."""
    cases = SafeguardingCase.objects.filter(
        Q(victim__person_id=victim.person_id) if victim.person_id else Q(victim=victim))
    incident = item.refs.get("incident_id")
    if incident:
        case = cases.filter(incident_id=incident).order_by("pk").first()
        if case is not None:
            return case
    return cases.order_by(F("closed_at").desc(nulls_first=True), "-opened_at", "-pk").first()


def _case_owner(item: Item, incident: Incident) -> tuple[str, Team | None, User | None]:
    """The risk level of a case to open (the victim's imported assessment at the incident, else standard),
    and who the ownership policy says owns it."""
    level = (RiskAssessment.objects.filter(incident=incident, victim_id=item.refs["victim_person_id"])
             .exclude(grade="").order_by("-assessed_at", "-pk").values_list("grade", flat=True).first()
             or RiskLevel.STANDARD)
    team = policy_team(risk_level=level, area_id=incident.area_id)
    return level, team, team_duty_owner(team) if team is not None else None


def orders_check(ctx: Context, items: list[Item]) -> Reasons:
    reasons: Reasons = {}
    for item in items:
        victim = PersonRecord.objects.get(pk=item.refs["victim_person_id"])
        if _case_find(item, victim) is not None:
            continue
        if not item.refs.get("incident_id"):
            reasons[item.row_number] = [NO_CASE]
        elif _case_owner(item, Incident.objects.get(pk=item.refs["incident_id"]))[2] is None:
            reasons[item.row_number] = [NO_OWNER]
    return reasons


def _case_for(ctx: Context, item: Item) -> SafeguardingCase:
    """The case the order goes on: found, or opened on the order's incident. A case opened for an order in
    force is a live case (`cases.services.case_open`: owner by policy, first-contact task); one opened for an
    order no longer in force is history, closed as soon as it opens."""
    victim = PersonRecord.objects.get(pk=item.refs["victim_person_id"])
    case = _case_find(item, victim)
    if case is not None:
        return case
    incident = Incident.objects.get(pk=item.refs["incident_id"])
    level, team, owner = _case_owner(item, incident)
    if item.values["status"] == ProtectiveOrder.Status.IN_FORCE:
        return case_open(incident=incident, victim=victim, by=import_user(ctx.source_system), risk_level=level,
                         now=ctx.now)
    opened_at = incident.received_at
    closed_at = max(opened_at, item.values["starts_at"])
    case = SafeguardingCase.objects.create(
        victim=victim, incident=incident, risk_level=level, owner=owner, owning_team=team, opened_at=opened_at,
        closed_at=closed_at, closed_reason=f"Imported from {ctx.source_system}: the order is no longer in force")
    OwnershipPeriod.objects.create(case=case, owner=owner, team=team, via=OwnershipPeriod.Via.OPENED,
                                   started_at=opened_at, ended_at=closed_at)
    return case


def _conditions(text: str | None) -> list[str]:
    return [c.strip()[:300] for c in (text or "").split(LIST_SEPARATOR) if c.strip()]


def _order_markers_place(order: ProtectiveOrder) -> None:
    """An order in force is a warning marker on each protected person and the protected address, as
    `cases.markers.order_markers_place` makes them, without its events: an import is not news to partners."""
    fields = dict(kind=marker_kind(order), starts_on=order.starts_at.astimezone(LONDON).date(),
                  ends_on=order.ends_on, note=marker_note(order))
    persons = sorted({r.person_id for r in order.protected_persons.all() if r.person_id})
    markers = [WarningMarker.objects.create(person_id=p, **fields) for p in persons]
    if order.protected_address_id:
        markers.append(WarningMarker.objects.create(address_id=order.protected_address_id, **fields))
    order.markers.add(*markers)


def _order_write(ctx: Context, item: Item, order: ProtectiveOrder | None) -> ProtectiveOrder:
    v = item.values
    victim = PersonRecord.objects.get(pk=item.refs["victim_person_id"])
    if order is None:
        order = ProtectiveOrder(recorded_by=import_user(ctx.source_system), recorded_at=ctx.now)
    else:
        WarningMarker.objects.filter(pk__in=order.markers.values("pk")).delete()  # placed again below
    order.case = _case_for(ctx, item)
    order.kind, order.restricted_person_id, order.protected_address_id = (
        v["kind"], item.refs["restricted_person_id"], victim.address_id)
    order.conditions, order.starts_at, order.ends_on = _conditions(v["conditions"]), v["starts_at"], v["ends_on"]
    order.served_at, order.authorised_by = v["served_at"], text_or_empty(v["authorised_by"])
    if order.status != v["status"] or order.pk is None:
        order.status_changed_at = None if v["status"] == ProtectiveOrder.Status.IN_FORCE else ctx.now
    order.status = v["status"]
    order.save()
    order.protected_persons.set([victim.pk, *item.refs.get("other_protected_person_ids", [])])
    if order.status == ProtectiveOrder.Status.IN_FORCE:
        _order_markers_place(order)
    return order


def orders_insert(ctx: Context, items: list[Item]) -> None:
    refuse_unchecked(orders_check, ctx, items)
    for item in items:
        item.object_id = _order_write(ctx, item, None).pk


def orders_update(ctx: Context, item: Item) -> None:
    refuse_unchecked(orders_check, ctx, [item])
    _order_write(ctx, item, ProtectiveOrder.objects.get(pk=item.object_id))
