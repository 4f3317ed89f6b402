"""Recording incidents: the call taker's intake, saved as the call goes on, and whole incidents pushed by
a command-and-control system. Each change runs in one transaction and writes its audit event."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from vigil.audit.services import audit_record
from vigil.cases.services import cases_open_for_incident
from vigil.linkage.services import arrival_record, person_for_arriving_record
from vigil.people.models import Address, PersonRecord, Phone
from vigil.people.normalise import (
    InvalidPhone,
    InvalidPostcode,
    normalise_phone,
    normalise_postcode,
    postcode_district,
)

from .models import Area, Incident, Involvement

# Fields a call taker fills in as the call goes on (cleaned values: see incidents/forms.py).
INTAKE_FIELDS = ("channel", "caller_phone", "address", "location_text", "summary", "is_domestic_abuse",
                 "weapons", "injuries", "children_present", "suspect_present", "response_grade")
TRI_STATE_FIELDS = ("weapons", "injuries", "children_present", "suspect_present")


def _reference_for(incident: Incident) -> str:
    return f"INC-{timezone.localdate(incident.received_at):%Y%m%d}-{incident.pk:07d}"


def _after_change(incident: Incident, *, now: datetime) -> None:
    """Background checks and the supervisors' board follow every change to an incident."""
    from vigil.checks.services import checks_refresh

    checks_refresh(incident=incident, now=now)


def incident_start(*, by, channel: str = Incident.Channel.EMERGENCY, now: datetime | None = None,
                   request=None) -> Incident:
    """Open a new call for the call taker. It is saved at once, so nothing typed afterwards is lost."""
    now = now or timezone.now()
    with transaction.atomic():
        incident = Incident.objects.create(
            reference=f"NEW-{now:%Y%m%d%H%M%S%f}", received_at=now, channel=channel,
            status=Incident.Status.RECORDING, recorded_by=by, updated_at=now,
            response_grade=Incident.Grade.PRIORITY)
        incident.reference = _reference_for(incident)
        incident.save(update_fields=["reference"])
        audit_record(action="collection", actor=by, obj=incident, request=request, detail={"step": "call started"})
    return incident


def area_for_postcode(postcode: str) -> Area | None:
    try:
        district = postcode_district(normalise_postcode(postcode))
    except InvalidPostcode:
        return None
    for area in Area.objects.all():
        if district in area.postcode_districts.split():
            return area
    return None


def address_for(*, line1: str, postcode: str, line2: str = "", town: str = "") -> Address:
    """The address as written: an existing row with the same lines and postcode, else a new one."""
    line1, line2, town = line1.strip(), line2.strip(), town.strip()
    if not line1:
        raise ValidationError({"address": "Enter the first line of the address"})
    try:
        postcode = normalise_postcode(postcode)
    except InvalidPostcode:
        raise ValidationError({"address": "Enter a full UK postcode, like LE1 6ZZ"}) from None
    existing = Address.objects.filter(postcode=postcode, line1__iexact=line1, line2__iexact=line2).first()
    return existing or Address.objects.create(line1=line1, line2=line2, town=town, postcode=postcode)


def phone_for(raw: str) -> Phone | None:
    if not raw or not raw.strip():
        return None
    try:
        e164 = normalise_phone(raw)
    except InvalidPhone:
        raise ValidationError({"caller_phone": "Enter a phone number like 07700 900123 or +44 116 496 0000"}) from None
    phone, _ = Phone.objects.get_or_create(e164=e164)
    return phone


def intake_save(*, incident: Incident, by, changes: dict[str, Any], now: datetime | None = None,
                request=None) -> list[str]:
    """Save what the call taker has entered so far (only fields that passed validation are given) and
    return the names of the fields that changed. Called on every pause in typing and on every choice."""
    now = now or timezone.now()
    if incident.status == Incident.Status.CLOSED:
        raise ValidationError("This incident is closed: it can no longer be changed here.")
    changed = []
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        for field, value in changes.items():
            if field not in INTAKE_FIELDS:
                raise ValueError(f"not an intake field: {field}")
            if field == "caller_phone":
                value = phone_for(value) if isinstance(value, str) else value
            if field == "address" and isinstance(value, dict):
                value = address_for(**value) if any(value.values()) else None
            current = getattr(incident, field)
            if current != value:
                setattr(incident, field, value)
                changed.append(field)
        if "address" in changed:
            incident.area = area_for_postcode(incident.address.postcode) if incident.address else None
        if changed:
            incident.updated_at = now
            incident.save()
            audit_record(action="alteration" if incident.status != Incident.Status.RECORDING else "collection",
                         actor=by, obj=incident, request=request, detail={"fields": sorted(changed)})
            _after_change(incident, now=now)
    return changed


def intake_person_add(*, incident: Incident, by, role: str, given_name: str = "", family_name: str = "",
                      date_of_birth: date | None = None, phone: str = "", now: datetime | None = None,
                      request=None) -> Involvement:
    """Add someone the caller mentions, with whatever is known about them."""
    now = now or timezone.now()
    if role not in Involvement.Role.values:
        raise ValidationError({"role": "Choose the person's part in the incident"})
    if not (given_name.strip() or family_name.strip()):
        raise ValidationError({"family_name": "Enter a name, or part of one (for example a first name only)"})
    with transaction.atomic():
        record = PersonRecord(given_name=given_name.strip(), family_name=family_name.strip(),
                              date_of_birth=date_of_birth, phone=phone_for(phone) if phone else None,
                              address=incident.address if role in ("victim", "caller", "child_present") else None,
                              recorded_at=now, source_system="vigil")
        arrival = person_for_arriving_record(record)
        record.person = arrival.person
        record.save()
        arrival_record(record, arrival)
        involvement = Involvement.objects.create(incident=incident, person_record=record, role=role)
        Incident.objects.filter(pk=incident.pk).update(updated_at=now)
        audit_record(action="collection", actor=by, obj=record.person, request=request,
                     detail={"incident": str(incident.public_id), "role": role})
        _after_change(incident, now=now)
    return involvement


def intake_person_remove(*, involvement: Involvement, by, now: datetime | None = None, request=None) -> None:
    """Take someone off a call still being recorded (added by mistake). Their record stays, unlinked."""
    now = now or timezone.now()
    incident = involvement.incident
    if incident.status != Incident.Status.RECORDING:
        raise ValidationError("People can only be removed while the call is being recorded.")
    with transaction.atomic():
        person = involvement.person_record.person
        involvement.delete()
        audit_record(action="alteration", actor=by, obj=person, request=request,
                     detail={"incident": str(incident.public_id), "removed_role": involvement.role})
        _after_change(incident, now=now)


def intake_submit(*, incident: Incident, by, now: datetime | None = None, request=None) -> Incident:
    """The call is recorded: the incident opens for dispatch. Needs a grade and somewhere to go."""
    now = now or timezone.now()
    errors = {}
    if not (incident.address_id or incident.location_text.strip()):
        errors["address"] = "Enter the address, or describe the location"
    if incident.is_domestic_abuse and not incident.involvements.filter(role="victim").exists():
        errors["people"] = "Add the victim, with whatever is known (a first name is enough)"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident.status = Incident.Status.OPEN
        incident.updated_at = now
        incident.save(update_fields=["status", "updated_at"])
        audit_record(action="collection", actor=by, obj=incident, request=request, detail={"step": "call recorded"})
        _after_change(incident, now=now)
        cases_open_for_incident(incident=incident, by=by, now=now, request=request)
    return incident


def incident_record(*, by, data: dict[str, Any], source_system: str, source_ref: str = "",
                    now: datetime | None = None, request=None) -> Incident:
    """A whole incident from another system, all or nothing: any bad value raises ValidationError and
    nothing is saved."""
    now = now or timezone.now()
    if source_ref and Incident.objects.filter(source_system=source_system, source_ref=source_ref).exists():
        raise ValidationError({"source_ref": "An incident with this reference was already received"})
    try:
        with transaction.atomic():
            address = address_for(**data["address"]) if data.get("address") else None
            incident = Incident.objects.create(
                reference=f"NEW-{now:%Y%m%d%H%M%S%f}", received_at=data.get("received_at") or now,
                channel=data.get("channel") or Incident.Channel.EMERGENCY, status=Incident.Status.OPEN,
                recorded_by=by, updated_at=now, address=address,
                area=area_for_postcode(address.postcode) if address else None,
                location_text=data.get("location_text", ""), caller_phone=phone_for(data.get("caller_phone", "")),
                summary=data.get("summary", ""), is_domestic_abuse=bool(data.get("is_domestic_abuse")),
                response_grade=data["response_grade"], source_system=source_system, source_ref=source_ref,
                **{field: data.get(field) for field in TRI_STATE_FIELDS})
            incident.reference = _reference_for(incident)
            incident.save(update_fields=["reference"])
            for person in data.get("people", []):
                record = PersonRecord(given_name=person.get("given_name", ""),
                                      family_name=person.get("family_name", ""),
                                      date_of_birth=person.get("date_of_birth"),
                                      phone=phone_for(person.get("phone", "")), recorded_at=now,
                                      address=address if person["role"] in ("victim", "caller", "child_present")
                                      else None, source_system=source_system)
                arrival = person_for_arriving_record(record)
                record.person = arrival.person
                record.save()
                arrival_record(record, arrival)
                Involvement.objects.create(incident=incident, person_record=record, role=person["role"])
            audit_record(action="collection", actor=by, obj=incident, request=request,
                         detail={"source_system": source_system, "people": len(data.get("people", []))})
            _after_change(incident, now=now)
            cases_open_for_incident(incident=incident, by=by, now=now, request=request)
    except IntegrityError:
        if source_ref and Incident.objects.filter(source_system=source_system, source_ref=source_ref).exists():
            raise ValidationError({"source_ref": "An incident with this reference was already received"}) from None
        raise
    return incident
