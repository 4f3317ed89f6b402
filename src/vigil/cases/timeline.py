"""Timelines: everything that happened on a case, or to a person, in time order, with who did it; and
their export for court or review.

A case's timeline is its `TimelineEntry` rows (every case service writes one) with the incident that
started it, the risk assessment and grading decisions of that incident for the victim, and the contacts
made. A person's timeline gathers, over all their person records, the incidents they appear on (in any
role), their risk assessments and gradings, every entry of their cases, the orders protecting or
restricting them with their breaches, and their arrests. Something a case entry already records (its
`subject` names the same object) is not shown twice.

Reading a timeline is a consultation, audited; an export is audited as "export" with the reason given.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from vigil.audit.services import audit_record
from vigil.csvsafe import csv_safe
from vigil.incidents.models import Involvement
from vigil.people.models import Person
from vigil.risk.models import GradingDecision, RiskAssessment, RiskLevel

from .models import Contact, CustodyRecord, ProtectiveOrder, SafeguardingCase, TimelineEntry
from .services import display, subject_label, subject_of

BACKGROUND = "Vigil (background work)"
NOT_RECORDED = "Not recorded"
EXPORT_FORMATS = (("csv", "A spreadsheet file (CSV)"), ("print", "A page to print or save as PDF"))

ENTRY_LABELS = {
    "opened": "Case opened", "closed": "Case closed", "risk_changed": "Risk level changed",
    "handover_proposed": "Handover proposed", "handover_accepted": "Handover accepted",
    "handover_rejected": "Handover rejected", "handover_withdrawn": "Handover withdrawn",
    "handover_escalated": "Handover escalated", "taken_back": "Taken back by a manager",
    "task_done": "Task done", "task_escalated": "Deadline missed", "contact": "Victim contact",
    "arrest": "Suspect arrested", "custody_disposal": "Custody decision", "court_outcome": "Court decision",
}

# Within one instant, the order things happen in: the call, the assessment, its grading, the case.
_RANK = {"incident": 0, "risk": 1, "grading": 2, "custody": 3, "order": 4, "case": 5, "contact": 6}


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    kind: str  # a code: an entry's kind, or "incident_received", "assessment", "grading", "contact"...
    label: str  # what happened, in words
    summary: str
    actor: object  # the User, or None
    actor_label: str
    source: str  # "case", "incident", "risk", "grading", "contact", "order", "custody"
    case: SafeguardingCase | None = None
    subject: str = ""
    seq: int = 0

    @property
    def actor_id(self) -> str:
        return str(self.actor.public_id) if self.actor is not None else ""

    @property
    def case_reference(self) -> str:
        return self.case.incident.reference if self.case is not None else ""


@dataclass
class Timeline:
    what: str  # "Case timeline: incident INC-1 (case <id>)" / "Person timeline: person <id>"
    subject_name: str
    items: list[TimelineItem]
    subject_person_id: object = None
    case: SafeguardingCase | None = None
    person: Person | None = None
    cases: list[SafeguardingCase] = field(default_factory=list)


def _actor_label(user, *, background: bool = False) -> str:
    if user is None:
        return BACKGROUND if background else NOT_RECORDED
    return display(user)


def _name(record) -> str:
    return f"{record.given_name} {record.family_name}".strip() or "Name not recorded"


def _grade(value: str) -> str:
    return f"{RiskLevel(value).label.lower()} risk" if value in RiskLevel.values else "no grade"


# --- finding what a timeline is about -------------------------------------------------------------------

def case_for_timeline(*, viewer, public_id) -> SafeguardingCase:
    """The case, for someone who may read cases or export timelines (404 when there is none)."""
    if not (viewer.has_perm("cases.view_case") or viewer.has_perm("cases.export_timeline")):
        raise PermissionDenied
    case = (SafeguardingCase.objects.select_related("victim", "victim__person", "incident", "owner", "owning_team")
            .filter(public_id=public_id).first())
    if case is None:
        raise Http404("No such case")
    return case


def person_for_timeline(*, viewer, public_id) -> Person:
    if not (viewer.has_perm("cases.view_case") or viewer.has_perm("cases.export_timeline")):
        raise PermissionDenied
    person = Person.objects.filter(public_id=public_id).first()
    if person is None:
        raise Http404("No such person")
    return person


# --- the pieces -----------------------------------------------------------------------------------------

def _incident_item(incident, roles: list[str], case=None) -> TimelineItem:
    kind = "domestic abuse " if incident.is_domestic_abuse else ""
    as_ = f"; recorded as {', '.join(roles)}" if roles else ""
    return TimelineItem(
        at=incident.received_at, kind="incident_received", label="Incident received",
        summary=f"Incident {incident.reference} received ({kind}{incident.get_channel_display()}, "
                f"{incident.get_response_grade_display().lower()}){as_}",
        actor=incident.recorded_by, actor_label=_actor_label(incident.recorded_by), source="incident", case=case,
        subject=f"incidents.Incident:{incident.public_id}", seq=incident.pk)


def _assessment_items(assessments, case=None) -> list[TimelineItem]:
    items = []
    for a in assessments:
        decisions = list(a.decisions.all())
        instrument = a.instrument_version.name if a.instrument_version_id else a.instrument
        yes = f"{a.yes_count} 'yes' answers" if a.yes_count is not None else "answers not recorded"
        indicated = f", indicating {_grade(a.indicated_grade)}" if a.indicated_grade else ""
        graded = "" if decisions else f"; graded {_grade(a.grade)}"
        items.append(TimelineItem(
            at=a.submitted_at or a.assessed_at, kind="assessment", label="Risk assessment submitted",
            summary=f"{instrument} risk assessment on incident {a.incident.reference}: {yes}{indicated}{graded}",
            actor=a.officer, actor_label=_actor_label(a.officer), source="risk", case=case,
            subject=f"risk.RiskAssessment:{a.public_id}", seq=a.pk))
        for d in decisions:
            if d.stage == GradingDecision.Stage.OFFICER:
                what = f"Officer graded {_grade(d.grade)}"
            elif d.is_amendment:
                what = f"{d.get_stage_display()} amended the grading from {_grade(d.previous_grade)} to {_grade(d.grade)}"
            else:
                what = f"{d.get_stage_display()} agreed {_grade(d.grade)}"
            if d.stage == GradingDecision.Stage.SPECIALIST and d.victim_contacted is not None:
                what += "; victim contacted" if d.victim_contacted else "; victim not contacted"
            if d.flagged_to_manager:
                what += "; flagged to the unit's manager"
            items.append(TimelineItem(
                at=d.decided_at, kind="grading", label="Grading decision",
                summary=what + (f". Rationale: {d.rationale}" if d.rationale else ""),
                actor=d.decided_by, actor_label=_actor_label(d.decided_by), source="grading", case=case,
                subject=f"risk.GradingDecision:{d.public_id}", seq=d.pk))
    return items


def _assessments(records):
    return (RiskAssessment.objects.filter(victim__in=records, status=RiskAssessment.Status.SUBMITTED)
            .select_related("incident", "officer", "instrument_version")
            .prefetch_related("decisions__decided_by"))


def _entry_items(cases) -> list[TimelineItem]:
    entries = TimelineEntry.objects.filter(case__in=cases).select_related("actor", "case", "case__incident")
    return [TimelineItem(at=e.at, kind=e.kind, label=ENTRY_LABELS.get(e.kind, e.kind.replace("_", " ").capitalize()),
                         summary=e.summary, actor=e.actor, actor_label=_actor_label(e.actor, background=True),
                         source="case", case=e.case, subject=e.subject, seq=e.pk) for e in entries]


def _contact_items(cases) -> list[TimelineItem]:
    items = []
    for c in Contact.objects.filter(case__in=cases).select_related("made_by", "case", "case__incident"):
        parts = [f"{c.get_method_display()}: {c.get_outcome_display().lower()}"]
        if c.method == Contact.Method.PHONE:
            parts.append("the safe number was used" if c.safe_number_used else "not the recorded safe number")
        if c.told:
            parts.append("told about: " + ", ".join(str(code).replace("_", " ") for code in c.told))
        if c.note:
            parts.append(c.note)
        items.append(TimelineItem(at=c.made_at, kind="contact", label="Victim contact", summary="; ".join(parts),
                                  actor=c.made_by, actor_label=_actor_label(c.made_by), source="contact",
                                  case=c.case, subject=subject_label(c), seq=c.pk))
    return items


def _order_items(orders, records_ids: set[int]) -> list[TimelineItem]:
    items = []
    for o in orders:
        protected = {p.pk for p in o.protected_persons.all()}
        role = "restricting this person" if o.restricted_person_id in records_ids else \
            "protecting this person" if protected & records_ids else ""
        until = f"until {o.ends_on:%d %B %Y}" if o.ends_on else "until further order"
        conditions = f". Conditions: {'; '.join(str(c) for c in o.conditions)}" if o.conditions else ""
        items.append(TimelineItem(
            at=o.starts_at, kind="order", label="Order in force",
            summary=f"{o.get_kind_display()} {role}, {until}{conditions}".replace("  ", " "),
            actor=o.recorded_by, actor_label=_actor_label(o.recorded_by), source="order", case=o.case,
            subject=subject_label(o), seq=o.pk))
        if o.status != ProtectiveOrder.Status.IN_FORCE and o.status_changed_at:
            items.append(TimelineItem(
                at=o.status_changed_at, kind="order_ended", label="Order ended",
                summary=f"{o.get_kind_display()}: {o.get_status_display().lower()}", actor=None,
                actor_label=NOT_RECORDED, source="order", case=o.case, subject="", seq=o.pk))
        for b in o.breaches.all():
            items.append(TimelineItem(
                at=b.occurred_at, kind="breach", label="Breach of an order",
                summary=f"Breach of the {o.get_kind_display()} (incident {b.incident.reference}): {b.description}",
                actor=b.recorded_by, actor_label=_actor_label(b.recorded_by), source="order", case=o.case,
                subject=subject_label(b), seq=b.pk))
    return items


def _custody_items(records) -> list[TimelineItem]:
    items = []
    for r in CustodyRecord.objects.filter(suspect__in=records).select_related("recorded_by", "case",
                                                                                "case__incident"):
        actor, label = r.recorded_by, _actor_label(r.recorded_by)
        items.append(TimelineItem(at=r.arrested_at, kind="arrest", label="Arrested",
                                  summary=f"Arrested (case for incident {r.case.incident.reference})", actor=actor,
                                  actor_label=label, source="custody", case=r.case, subject=subject_label(r),
                                  seq=r.pk))
        if r.disposal and r.disposal_at:
            bail = f"; to return on {r.bail_return_on:%d %B %Y}" if r.bail_return_on else ""
            items.append(TimelineItem(at=r.disposal_at, kind="custody_disposal", label="Custody decision",
                                      summary=f"{r.get_disposal_display()}{bail}", actor=actor, actor_label=label,
                                      source="custody", case=r.case, seq=r.pk))
        if r.court_outcome and r.court_outcome_at:
            court = f" ({r.court_name})" if r.court_name else ""
            items.append(TimelineItem(at=r.court_outcome_at, kind="court_outcome", label="Court decision",
                                      summary=f"{r.get_court_outcome_display()}{court}", actor=actor,
                                      actor_label=label, source="custody", case=r.case, seq=r.pk))
    return items


def _ordered(items: list[TimelineItem], entries: list[TimelineItem]) -> list[TimelineItem]:
    """Entries and the other items in time order; an item whose subject an entry already names is dropped."""
    named = {e.subject for e in entries if e.subject}
    kept = entries + [i for i in items if not (i.subject and i.subject in named)]
    return sorted(kept, key=lambda i: (i.at, _RANK.get(i.source, 9), i.seq))


# --- the timelines --------------------------------------------------------------------------------------

def case_timeline_read(case: SafeguardingCase) -> Timeline:
    """Everything on the case, in order (not audited: use `case_timeline`, or audit the export)."""
    incident = case.incident
    items = [_incident_item(incident, roles=[], case=case)]
    items += _assessment_items(_assessments([case.victim]).filter(incident=incident), case=case)
    items += _contact_items([case])
    return Timeline(what=f"Case timeline: incident {incident.reference} (case {case.public_id})",
                    subject_name=_name(case.victim), items=_ordered(items, _entry_items([case])),
                    subject_person_id=subject_of(case), case=case, person=case.victim.person, cases=[case])


def case_timeline(*, viewer, case: SafeguardingCase, request=None) -> Timeline:
    """The case's timeline for a viewer who may read cases; audited as a consultation of the victim."""
    if not viewer.has_perm("cases.view_case"):
        raise PermissionDenied
    timeline = case_timeline_read(case)
    audit_record(action="consultation", actor=viewer, obj=case, subject_person_id=timeline.subject_person_id,
                 request=request, detail={"view": "case timeline", "items": len(timeline.items)})
    return timeline


def person_timeline_read(person: Person) -> Timeline:
    records = list(person.records.all())
    ids = {r.pk for r in records}
    roles: dict[int, tuple[object, list[str]]] = {}
    for inv in (Involvement.objects.filter(person_record__in=records)
                .select_related("incident", "incident__recorded_by").order_by("incident__received_at", "pk")):
        incident, listed = roles.setdefault(inv.incident_id, (inv.incident, []))
        label = inv.get_role_display().lower()
        if label not in listed:
            listed.append(label)
    cases = list(SafeguardingCase.objects.filter(victim__in=records).select_related("incident")
                 .order_by("opened_at", "pk"))
    items = [_incident_item(incident, roles=listed) for incident, listed in roles.values()]
    items += _assessment_items(_assessments(records))
    items += _contact_items(cases)
    orders = (ProtectiveOrder.objects.filter(Q(restricted_person__in=records) | Q(protected_persons__in=records))
              .distinct().select_related("recorded_by", "case", "case__incident")
              .prefetch_related("protected_persons", "breaches__incident", "breaches__recorded_by"))
    items += _order_items(orders, ids)
    items += _custody_items(records)
    latest = max(records, key=lambda r: (r.recorded_at, r.pk)) if records else None
    return Timeline(what=f"Person timeline: person {person.public_id}",
                    subject_name=_name(latest) if latest else "No records", person=person, cases=cases,
                    items=_ordered(items, _entry_items(cases)), subject_person_id=person.public_id)


def person_timeline(*, viewer, person: Person, request=None) -> Timeline:
    """The person's timeline for a viewer who may read cases; audited as a consultation of the person.
    The caller checks a restricted person's record was opened with a reason first."""
    if not viewer.has_perm("cases.view_case"):
        raise PermissionDenied
    timeline = person_timeline_read(person)
    audit_record(action="consultation", actor=viewer, obj=person, subject_person_id=person.public_id,
                 request=request, detail={"view": "person timeline", "items": len(timeline.items),
                                          "cases": [str(c.public_id) for c in timeline.cases]})
    return timeline


# --- export ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Export:
    timeline: Timeline
    exported_at: datetime
    exported_by: object
    reason: str
    format: str

    @property
    def filename(self) -> str:
        about = f"case-{self.timeline.case.public_id}" if self.timeline.case is not None and \
            self.timeline.what.startswith("Case") else f"person-{self.timeline.person.public_id}"
        return f"vigil-timeline-{about}-{timezone.localtime(self.exported_at):%Y%m%d-%H%M}.csv"


def timeline_export(*, viewer, timeline: Timeline, reason: str, format: str, now: datetime | None = None,
                    request=None) -> Export:
    """Record the export of a timeline (action "export", with the reason) and return what to send."""
    if not viewer.has_perm("cases.export_timeline"):
        raise PermissionDenied
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValueError("an export needs a reason of at least 10 characters")
    now = now or timezone.now()
    obj = timeline.case if timeline.what.startswith("Case") else timeline.person
    audit_record(action="export", actor=viewer, obj=obj, subject_person_id=timeline.subject_person_id,
                 reason=reason, request=request,
                 detail={"export": "case timeline" if obj is timeline.case else "person timeline",
                         "format": format, "items": len(timeline.items)})
    return Export(timeline=timeline, exported_at=now, exported_by=viewer, reason=reason, format=format)


def timeline_csv(export: Export) -> str:
    """The CSV: a header saying what this is, when and by whom it was exported and why; then the rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    local = timezone.localtime(export.exported_at)
    for name, value in (("Vigil timeline export", export.timeline.what),
                        ("About", export.timeline.subject_name),
                        ("Exported at (Europe/London)", f"{local:%Y-%m-%d %H:%M:%S %Z}"),
                        ("Exported by (user id)", str(export.exported_by.public_id)),
                        ("Exported by (username)", export.exported_by.username),
                        ("Reason", export.reason),
                        ("Entries", len(export.timeline.items))):
        writer.writerow([csv_safe(name), csv_safe(value)])
    writer.writerow([])
    writer.writerow(["When (Europe/London)", "When (UTC)", "What", "Details", "Who", "Who (user id)", "Case incident",
                     "Source"])
    for item in export.timeline.items:
        writer.writerow([csv_safe(v) for v in (
            f"{timezone.localtime(item.at):%Y-%m-%d %H:%M}", item.at.astimezone(UTC).isoformat(), item.label, item.summary, item.actor_label,
            item.actor_id, item.case_reference, item.source)])
    return out.getvalue()
