"""Everything Vigil holds about one person, for a subject access request or a court: gathered, then disclosed
(audited as a DISCLOSURE with its purpose and reason, the person as the subject). docs/exports.md documents the
contents, the JSON layout and the PDF.

The person is the resolved identity a public id leads to (following `merged_into`), together with every person
merged into it: their person records, as written on each event, and everything other apps hold through those
records or through the person (incidents and the role on each, crimes, arrests and outcomes, risk assessments,
safeguarding cases with their contacts, referrals and surveys, custody and bail, orders, Clare's Law requests,
MARAC referrals, research, actions and information requests, warning markers, linkage plans), and the audit
trail of who consulted or disclosed their data.

What the export leaves out, on purpose: other people's names and records (an incident lists the person's own
role on it, never who else was there); staff are named by role and agency, not by name; a refuge address is
withheld from an exporter not allowed to see refuge addresses (as everywhere in Vigil); a safe-contact code word
is given only as agreed or not (it protects the victim and is never written down outside Vigil); in a
perpetrator's export, a MARAC referral's reasons, discussion, research and actions (the agencies' safety
planning for the victim) are withheld and counted. Free text
(summaries, notes, research) is exported as written: the disclosure officer reviews it for third parties'
information before anything is released.
"""

import json
from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from vigil.audit.services import audit_record_each

from .models import ContactBan, Person, PersonRecord, RestrictedAccessAlert, Restriction, WarningMarker

FORMAT_VERSION = 1
# A MARAC referral in the export of its perpetrator: these are about the victim (her children, consent,
# equality answers, the referrer's reasons, the meeting's discussion), and the research and actions are the
# agencies' safety planning for her, so they are left out and counted; the MARAC coordinator decides what, if
# anything, of them a court or the perpetrator may see.
MARAC_WITHHELD_FROM_PERPETRATOR = ("children", "victim_aware", "victim_consents", "reason_without_consent",
                                   "victim_lgbt", "victim_disability", "idva_referral_made", "judgement_reason",
                                   "discussion")
WITHHELD_REASON = ("About the victim's safety: the referral's reasons and discussion, and the agencies' research "
                   "and actions, are withheld from the perpetrator's export; ask the MARAC coordinator")

PURPOSES = {
    "subject_access": "Subject access request",
    "court": "Court",
    "other": "Other",
}
FORMATS = ("json", "pdf")
REASON_MIN_LENGTH = 5
REASON_MAX_LENGTH = 500
REFUGE_WITHHELD = "Refuge address withheld"
OBJECT_TYPE = "people.Person"


# --- the person and the persons merged into them -------------------------------------------------------------

def current_person(person: Person) -> Person:
    """The person a merged person now lives on (following merges made since)."""
    seen = set()
    while person.merged_into_id and person.pk not in seen:
        seen.add(person.pk)
        person = Person.objects.get(pk=person.merged_into_id)
    return person


def persons_of(person: Person) -> list[Person]:
    """The person and every person merged into them, directly or through another merge."""
    found = {person.pk: person}
    frontier = [person.pk]
    while frontier:
        merged = list(Person.objects.filter(merged_into_id__in=frontier).exclude(pk__in=list(found)))
        frontier = [p.pk for p in merged]
        found.update({p.pk: p for p in merged})
    return sorted(found.values(), key=lambda p: (p.pk != person.pk, p.pk))


# --- plain values ----------------------------------------------------------------------------------------------

def _staff(user) -> str | None:
    """A member of staff as the export names them: role and agency, never their name."""
    if user is None:
        return None
    agency = user.agency.name if user.agency_id else "no agency"
    return f"{user.role_name}, {agency}"


def _plain(obj: models.Model, *, skip: Iterable[str] = ()) -> dict:
    """A row's own values: every concrete field but its database id and its links to other rows, with the
    label of a coded value beside the code. Links to staff become their role and agency; to an agency, area or
    team, its name."""
    skip = set(skip) | {"id"}
    data: dict = {}
    for field in obj._meta.concrete_fields:
        if field.name in skip:
            continue
        if field.is_relation:
            target = getattr(obj, field.name)
            label = field.related_model._meta.label
            if label == "accounts.User":
                data[field.name] = _staff(target)
            elif label in ("accounts.Agency", "accounts.Team", "incidents.Area", "marac.MaracArea"):
                data[field.name] = target.name if target is not None else None
            continue
        value = getattr(obj, field.attname)
        data[field.name] = value
        if field.choices and value not in (None, ""):
            data[f"{field.name}_label"] = getattr(obj, f"get_{field.name}_display")()
    return data


def _address(address, *, viewer) -> dict | None:
    if address is None:
        return None
    if address.is_refuge and not (viewer is not None and viewer.has_perm("people.view_refuge_address")):
        return {"public_id": str(address.public_id), "is_refuge": True, "text": REFUGE_WITHHELD}
    return {"public_id": str(address.public_id), "line1": address.line1, "line2": address.line2,
            "town": address.town, "postcode": address.postcode, "is_refuge": address.is_refuge,
            "text": ", ".join(p for p in (address.line1, address.line2, address.town, address.postcode) if p)}


def _by_time(rows: list[dict], key: str) -> list[dict]:
    return sorted(rows, key=lambda r: (str(r.get(key) or ""), str(r.get("public_id") or r.get("reference") or "")))


# --- gathering ------------------------------------------------------------------------------------------------

def subject_access_gather(*, person: Person, viewer=None) -> dict:
    """Everything Vigil holds about the person (resolved through merges), as JSON-ready data: docs/exports.md
    lists every key. Reads only: `subject_access_disclose` audits it."""
    from vigil.audit.models import AuditEvent
    from vigil.cases.models import (
        CustodyRecord,
        DisclosureRequest,
        ProtectiveOrder,
        SafeguardingCase,
    )
    from vigil.incidents.models import Arrest, Crime, Involvement
    from vigil.insight.survey_models import Survey
    from vigil.linkage.models import PerpetratorPlan, RepeatVictimPlan
    from vigil.marac.models import MaracInformationRequest, MaracReferral
    from vigil.people.models import Relationship
    from vigil.risk.models import RiskAssessment

    person = current_person(person)
    persons = persons_of(person)
    person_ids = [p.pk for p in persons]
    records = list(PersonRecord.objects.filter(person_id__in=person_ids).select_related("address", "phone")
                   .order_by("recorded_at", "pk"))
    record_ids = [r.pk for r in records]

    def record_row(record: PersonRecord) -> dict:
        return {"public_id": str(record.public_id), "given_name": record.given_name,
                "family_name": record.family_name, "date_of_birth": record.date_of_birth, "sex": record.sex,
                "sex_label": record.get_sex_display(), "ethnicity": record.ethnicity,
                "address": _address(record.address, viewer=viewer),
                "phone": record.phone.e164 if record.phone_id else None,
                "source_system": record.source_system, "source_ref": record.source_ref,
                "recorded_at": record.recorded_at}

    addresses = {r.address_id: _address(r.address, viewer=viewer) for r in records if r.address_id}
    phones = sorted({r.phone.e164 for r in records if r.phone_id})

    # Incidents, with the person's role(s) on each: never the other people on them.
    incidents: dict[int, dict] = {}
    for involvement in (Involvement.objects.filter(person_record_id__in=record_ids)
                        .select_related("incident__area", "incident__address")):
        incident = involvement.incident
        row = incidents.setdefault(incident.pk, {
            "public_id": str(incident.public_id), "reference": incident.reference,
            "received_at": incident.received_at, "channel": incident.get_channel_display(),
            "response_grade": incident.get_response_grade_display(), "status": incident.get_status_display(),
            "is_domestic_abuse": incident.is_domestic_abuse, "area": incident.area.name if incident.area_id else None,
            "location": _address(incident.address, viewer=viewer), "location_text": incident.location_text,
            "summary": incident.summary, "roles": []})
        row["roles"].append(involvement.get_role_display())
    for row in incidents.values():
        row["roles"].sort()

    relationships = []
    for relationship in Relationship.objects.filter(Q(victim_id__in=record_ids) | Q(suspect_id__in=record_ids)):
        side = "victim" if relationship.victim_id in record_ids else "suspect"
        relationships.append({"as": side, "kind": relationship.get_kind_display(), "intimate": relationship.intimate,
                              "detail": relationship.detail})

    crimes = []
    for crime in (Crime.objects.filter(Q(victim_id__in=record_ids) | Q(suspect_id__in=record_ids))
                  .select_related("incident").order_by("recorded_at", "pk")):
        outcome = getattr(crime, "outcome", None)
        crimes.append({
            **_plain(crime, skip=("source_system", "source_ref")),
            "as": "victim" if crime.victim_id in record_ids else "suspect",
            "incident_reference": crime.incident.reference if crime.incident_id else None,
            "outcome": _plain(outcome) if outcome is not None else None})

    arrests = [{**_plain(arrest),
                "incident_reference": arrest.incident.reference if arrest.incident_id else None,
                "crime_reference": arrest.crime.reference if arrest.crime_id else None}
               for arrest in Arrest.objects.filter(person_record_id__in=record_ids)
               .select_related("incident", "crime").order_by("arrested_at", "pk")]

    assessments = []
    for assessment in (RiskAssessment.objects.filter(victim_id__in=record_ids)
                       .select_related("incident", "officer__agency").order_by("assessed_at", "pk")):
        assessments.append({
            **_plain(assessment, skip=("instrument_version",)),
            "incident_reference": assessment.incident.reference,
            "answers": [_plain(a) for a in assessment.answers.select_related("answered_by__agency")
                        .order_by("answered_at", "pk")],
            "grading_decisions": [_plain(d) for d in assessment.decisions.select_related("decided_by__agency")],
            "child_notifications": [_plain(n, skip=("child",)) for n in assessment.child_notifications.all()]})

    cases = []
    case_rows = (SafeguardingCase.objects.filter(victim_id__in=record_ids)
                 .select_related("incident", "owner__agency", "owning_team").order_by("opened_at", "pk"))
    for case in case_rows:
        cases.append({
            **_plain(case), "incident_reference": case.incident.reference,
            "contacts": [_plain(c, skip=("task",)) for c in case.contacts.select_related("made_by__agency")
                         .order_by("made_at", "pk")],
            "referrals": [_plain(r) for r in case.referrals.select_related("agency", "sent_by__agency")
                          .order_by("sent_at", "pk")],
            "surveys": [{**_plain(s, skip=("task",)), "answers": [_plain(a) for a in s.answers.all()]}
                        for s in Survey.objects.filter(case=case).select_related("made_by__agency", "team", "area")
                        .order_by("started_at", "pk")],
            "timeline": [_plain(t) for t in case.timeline.select_related("actor__agency").order_by("pk")]})

    custody = [{**_plain(c), "as": "suspect"}
               for c in CustodyRecord.objects.filter(suspect_id__in=record_ids).select_related("recorded_by__agency")
               .order_by("arrested_at", "pk")]

    orders = []
    order_rows = (ProtectiveOrder.objects.filter(Q(restricted_person_id__in=record_ids)
                                                 | Q(protected_persons__in=record_ids)).distinct()
                  .select_related("recorded_by__agency", "protected_address").order_by("starts_at", "pk"))
    for order in order_rows:
        orders.append({
            **_plain(order, skip=("protected_address",)),
            "as": "restricted by it" if order.restricted_person_id in record_ids else "protected by it",
            "is_bail_conditions": order.kind == ProtectiveOrder.Kind.BAIL_CONDITIONS,
            "protected_address": _address(order.protected_address, viewer=viewer)
            if order.restricted_person_id not in record_ids else None,  # never where the protected person lives
            "breaches": [{**_plain(b), "incident_reference": b.incident.reference}
                         for b in order.breaches.select_related("incident", "recorded_by__agency")]})

    disclosures = [{**_plain(d, skip=("safety_plan",)),
                    "as": "potential victim" if d.potential_victim_id in record_ids else "subject"}
                   for d in DisclosureRequest.objects.filter(Q(potential_victim_id__in=record_ids)
                                                             | Q(subject_id__in=record_ids))
                   .select_related("handled_by__agency").order_by("received_at", "pk")]

    marac = []
    for referral in (MaracReferral.objects.filter(Q(victim_id__in=person_ids) | Q(perpetrator_id__in=person_ids))
                     .select_related("area", "referring_agency", "referred_by__agency", "meeting")
                     .order_by("received_on", "pk")):
        as_victim = referral.victim_id in person_ids
        if as_victim:
            row = {**_plain(referral, skip=("meeting",)), "as": "victim",
                   "research": [_plain(r) for r in referral.research.select_related("agency", "author__agency")],
                   "actions": [_plain(a) for a in referral.actions.select_related("agency", "owner__agency",
                                                                                   "agreed_by__agency")]}
        else:  # what the agencies hold and plan for the victim's safety never goes out in the perpetrator's
            row = {**_plain(referral, skip=("meeting", *MARAC_WITHHELD_FROM_PERPETRATOR)), "as": "perpetrator",
                   "withheld": {"reason": WITHHELD_REASON, "research": referral.research.count(),
                                "actions": referral.actions.count()}}
        row["meeting_held_on"] = referral.meeting.held_on if referral.meeting_id else None
        marac.append(row)
    information_requests = [_plain(r, skip=("referral",)) for r in MaracInformationRequest.objects.filter(
        person_id__in=person_ids).select_related("requesting_agency", "holding_agency", "asked_by__agency",
                                                 "answered_by__agency").order_by("asked_at", "pk")]

    markers = [_plain(m) for m in WarningMarker.objects.filter(person_id__in=person_ids).order_by("starts_on", "pk")]
    restrictions = [_plain(r) for r in Restriction.objects.filter(person_id__in=person_ids)
                    .select_related("owner__agency").order_by("created_at", "pk")]
    safe = getattr(person, "safe_contact", None)
    safe_contact = None if safe is None else {
        "phone": safe.phone.e164 if safe.phone_id else None, "safe_times": safe.safe_times,
        "code_word_agreed": bool(safe.code_word), "updated_at": safe.updated_at}
    bans = [{"phone": b.phone.e164 if b.phone_id else None, "address": _address(b.address, viewer=viewer),
             "reason": b.reason}
            for b in ContactBan.objects.filter(person_id__in=person_ids).select_related("phone", "address")]
    plans = ([{"kind": "repeat victim plan", **_plain(p)} for p in RepeatVictimPlan.objects.filter(
              person_id__in=person_ids).select_related("owner__agency", "team", "area", "created_by__agency",
                                                       "updated_by__agency")]
             + [{"kind": "perpetrator plan", **_plain(p)} for p in PerpetratorPlan.objects.filter(
                person_id__in=person_ids).select_related("owner__agency", "area", "created_by__agency",
                                                         "updated_by__agency")])

    subjects = [p.public_id for p in persons]
    access = [{"occurred_at": e.occurred_at, "action": e.action, "action_label": e.action_label,
               "dpa_category": e.dpa_category.label, "by": f"{e.actor_role_name or 'System'}"
               + (f", {e.actor_agency}" if e.actor_agency else ""), "object_type": e.object_type,
               "reason": e.reason}
              for e in AuditEvent.objects.filter(subject_person_id__in=subjects).order_by("sequence")]

    return {
        "format": "vigil-subject-access", "format_version": FORMAT_VERSION,
        "person": {"public_id": str(person.public_id), "restricted": person.restricted,
                   "merged_from": [str(p.public_id) for p in persons if p.pk != person.pk]},
        "person_records": [record_row(r) for r in records],
        "addresses": list(addresses.values()),
        "phones": phones,
        "safe_contact": safe_contact,
        "contact_bans": bans,
        "restrictions": restrictions,
        "warning_markers": markers,
        "incidents": _by_time(list(incidents.values()), "received_at"),
        "relationships": relationships,
        "crimes": crimes,
        "arrests": arrests,
        "risk_assessments": assessments,
        "safeguarding_cases": cases,
        "custody_records": custody,
        "orders": orders,
        "disclosure_requests": disclosures,
        "marac_referrals": marac,
        "marac_information_requests": information_requests,
        "linkage_plans": plans,
        "access_log": access,
    }


# --- disclosing ------------------------------------------------------------------------------------------------

def may_export(user) -> bool:
    return bool(user is not None and user.has_perm("people.subject_access_export"))


def subject_access_check(*, purpose: str, reason: str, format: str) -> str:
    """The reason, stripped, or ValidationError naming what is missing or wrong (checked before anything is
    gathered)."""
    reason = (reason or "").strip()
    errors = {}
    if purpose not in PURPOSES:
        errors["purpose"] = "Choose what the export is for"
    if len(reason) < REASON_MIN_LENGTH:
        errors["reason"] = ("Enter the reason for the disclosure, for example the request's reference "
                            f"(at least {REASON_MIN_LENGTH} characters)")
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = f"The reason can be at most {REASON_MAX_LENGTH} characters"
    if format not in FORMATS:
        errors["format"] = "Choose JSON or PDF"
    if errors:
        raise ValidationError(errors)
    return reason


def subject_access_disclose(*, person: Person, by, purpose: str, reason: str, format: str, data: dict,
                            request=None, via: str = "page", now: datetime | None = None) -> None:
    """Record the disclosure of `data` (what `subject_access_gather` returned for the person): one DISCLOSURE
    event with the purpose and reason, the person as the subject (and each person merged into them, so "who
    has seen this person" finds it under every id). A restricted person's restriction owner is told, with the
    reason, as when anyone opens the record. `by` None is the command line."""
    if by is not None and not may_export(by):
        raise PermissionDenied
    reason = subject_access_check(purpose=purpose, reason=reason, format=format)
    now = now or timezone.now()
    person = current_person(person)
    subjects = [data["person"]["public_id"], *data["person"]["merged_from"]]
    counts = {key: len(value) for key, value in data.items() if isinstance(value, list)}
    with transaction.atomic():
        if person.restricted and by is not None:
            restriction = person.restrictions.filter(lifted_at__isnull=True).first()
            if restriction is not None:
                RestrictedAccessAlert.objects.create(
                    restriction=restriction, accessed_by=by, accessed_at=now,
                    reason=f"{PURPOSES[purpose]} export: {reason}"[:300])
        audit_record_each(action="disclosure", actor=by, obj=person, subject_person_ids=subjects,
                          reason=f"{PURPOSES[purpose]}: {reason}", request=request,
                          detail={"export": "subject access", "purpose": purpose, "format": format, "via": via,
                                  "counts": counts})


def json_text(data: dict) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False) + "\n"


def filename(data: dict, format: str, *, on: date | None = None) -> str:
    """A file name that names no one: the person's public id (a short form) and the day."""
    on = on or timezone.localdate()
    return f"subject-access-{data['person']['public_id'][:8]}-{on:%Y%m%d}.{format}"


# --- the readable document (PDF) -------------------------------------------------------------------------------

SECTION_TITLES = {
    "person_records": "Person records, as written on each event", "addresses": "Addresses", "phones": "Phone numbers",
    "safe_contact": "Safe contact", "contact_bans": "Contacts never to use", "restrictions": "Restrictions",
    "warning_markers": "Warning markers", "incidents": "Incidents", "relationships": "Relationships stated",
    "crimes": "Crimes and outcomes", "arrests": "Arrests", "risk_assessments": "Risk assessments",
    "safeguarding_cases": "Safeguarding cases", "custody_records": "Custody, bail and court",
    "orders": "Orders and bail conditions", "disclosure_requests": "Clare's Law requests",
    "marac_referrals": "MARAC referrals", "marac_information_requests": "MARAC requests for information",
    "linkage_plans": "Repeat-victim and perpetrator plans", "access_log": "Who consulted or disclosed the data",
}


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%-d %B %Y, %H:%M")
    if isinstance(value, date):
        return value.strftime("%-d %B %Y")
    if isinstance(value, dict):
        return "; ".join(f"{_label(k)}: {_text(v)}" for k, v in value.items() if not k.endswith("_label")
                         and k != "public_id")
    if isinstance(value, list):
        return "\n".join(_text(v) for v in value) if value else "—"
    return str(value)


def _item(row) -> list[tuple[str, str]]:
    if not isinstance(row, dict):
        return [("Value", _text(row))]
    shown = []
    for key, value in row.items():
        if key.endswith("_label"):
            continue
        label_key = f"{key}_label"
        shown.append((_label(key), _text(row[label_key]) if label_key in row else _text(value)))
    return shown


def readable_sections(data: dict) -> list[dict]:
    """The data as titled sections of items, each item a list of (label, text), for the PDF."""
    sections = []
    for key, title in SECTION_TITLES.items():
        value = data.get(key)
        rows = value if isinstance(value, list) else ([value] if value else [])
        sections.append({"title": title, "items": [_item(row) for row in rows]})
    return sections
