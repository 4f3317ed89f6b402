"""Changing people's protective settings. Each function is one transaction and writes its audit event."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from vigil.audit.services import audit_record

from .models import ContactBan, Person, PersonRecord, Phone, RestrictedAccessAlert, Restriction, SafeContact
from .normalise import InvalidPhone, normalise_phone

RESTRICTED_GRANT_MINUTES = 30
_GRANTS_KEY = "restricted_grants"
NAME_MAX_LENGTH = 100


def person_record_new(*, given_name: str, family_name: str, date_of_birth=None, now: datetime) -> PersonRecord:
    """A record of someone named outside an incident (a disclosure request, a partner's MARAC referral), as
    a person of its own: it is never merged here; linkage proposes who it is. The caller audits it."""
    return PersonRecord.objects.create(given_name=(given_name or "").strip()[:NAME_MAX_LENGTH],
                                       family_name=(family_name or "").strip()[:NAME_MAX_LENGTH],
                                       date_of_birth=date_of_birth, person=Person.objects.create(),
                                       recorded_at=now)


@transaction.atomic
def restriction_create(*, person: Person, by, reason: str, now: datetime | None = None, request=None) -> Restriction:
    if not by.has_perm("people.restrict_person"):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why this record is restricted"})
    if person.restrictions.filter(lifted_at__isnull=True).exists():
        raise ValidationError("This record is already restricted")
    restriction = Restriction.objects.create(person=person, reason=reason, owner=by,
                                             created_at=now or timezone.now())
    Person.objects.filter(pk=person.pk).update(restricted=True)
    person.restricted = True
    audit_record(action="alteration", actor=by, obj=restriction, subject_person_id=person.public_id,
                 reason=reason, detail={"change": "restricted"}, request=request)
    return restriction


@transaction.atomic
def restricted_access_open(*, person: Person, by, reason: str, session, now: datetime | None = None,
                           request=None) -> RestrictedAccessAlert:
    """Open a restricted record with a stated reason: audited, the owner told, and a short grant kept
    in the viewer's session so the next pages of this record do not ask again."""
    if not by.has_perm("people.view_person"):
        raise PermissionDenied
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError({"reason": "Explain why you need to open this record (at least 10 characters)"})
    now = now or timezone.now()
    restriction = person.restrictions.filter(lifted_at__isnull=True).first()
    if restriction is None:
        raise ValidationError("This record is not restricted")
    alert = RestrictedAccessAlert.objects.create(restriction=restriction, accessed_by=by, reason=reason,
                                                 accessed_at=now)
    audit_record(action="consultation", actor=by, obj=person, subject_person_id=person.public_id,
                 reason=reason, detail={"restricted": True}, request=request)
    grants = dict(session.get(_GRANTS_KEY, {}))
    grants[str(person.public_id)] = (now + timedelta(minutes=RESTRICTED_GRANT_MINUTES)).isoformat()
    session[_GRANTS_KEY] = grants
    return alert


def restricted_access_granted(*, person: Person, session, now: datetime | None = None) -> bool:
    expiry = session.get(_GRANTS_KEY, {}).get(str(person.public_id))
    return bool(expiry) and datetime.fromisoformat(expiry) > (now or timezone.now())


def person_locked(*, person: Person | None, session) -> bool:
    """A restricted person whose record this session has not yet opened, with a reason."""
    return bool(person is not None and person.restricted
                and not restricted_access_granted(person=person, session=session))


@transaction.atomic
def safe_contact_set(*, person: Person, by, phone: str = "", safe_times: str = "", code_word: str = "",
                     request=None) -> SafeContact:
    if not by.has_perm("people.view_person"):
        raise PermissionDenied
    phone_obj = None
    if phone:
        try:
            phone_obj, _ = Phone.objects.get_or_create(e164=normalise_phone(phone))
        except InvalidPhone:
            raise ValidationError({"phone": "Enter a UK phone number, like 07700 900123"}) from None
        if ContactBan.objects.filter(person=person, phone=phone_obj).exists():
            raise ValidationError({"phone": "This number is on the do-not-use list for this person"})
    safe, _ = SafeContact.objects.update_or_create(
        person=person,
        defaults={"phone": phone_obj, "safe_times": safe_times.strip(), "code_word": code_word.strip(),
                  "updated_at": timezone.now()})
    audit_record(action="alteration", actor=by, obj=person, subject_person_id=person.public_id,
                 detail={"change": "safe_contact"}, request=request)
    return safe


@transaction.atomic
def contact_ban_add(*, person: Person, by, reason: str, phone: Phone | None = None, address=None,
                    request=None) -> ContactBan:
    if not by.has_perm("people.view_person"):
        raise PermissionDenied
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why this contact must never be used"})
    ban = ContactBan.objects.create(person=person, phone=phone, address=address, reason=reason.strip())
    if phone is not None:
        SafeContact.objects.filter(person=person, phone=phone).update(phone=None, updated_at=timezone.now())
    audit_record(action="alteration", actor=by, obj=person, subject_person_id=person.public_id,
                 detail={"change": "contact_ban"}, request=request)
    return ban
