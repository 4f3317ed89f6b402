"""Reading people, scoped to what the viewer may see, each read audited as a consultation."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.utils import timezone

from vigil.audit.services import audit_record

from .models import Address, ContactBan, Person, PersonRecord, Phone, RestrictedAccessAlert, WarningMarker
from .normalise import name_key, phonetic_key

REFUGE_WITHHELD = "Refuge address withheld"


@dataclass(frozen=True)
class ContactOption:
    kind: str  # "phone" or "address"
    value: str
    note: str = ""


@dataclass(frozen=True)
class RecordShown:
    """One person record as this viewer may see it: refuge addresses withheld from those not allowed."""

    record: PersonRecord
    address: str


@dataclass
class PersonView:
    person: Person
    records: list[RecordShown]
    markers_in_force: list[WarningMarker]
    contact_options: list[ContactOption]
    safe_times: str = ""
    code_word: str = ""
    restricted: bool = False


def address_text(address: Address | None, *, viewer) -> str:
    if address is None:
        return ""
    if address.is_refuge and not viewer.has_perm("people.view_refuge_address"):
        return REFUGE_WITHHELD
    return ", ".join(part for part in (address.line1, address.line2, address.town, address.postcode) if part)


def contact_options(*, viewer, person: Person) -> list[ContactOption]:
    """The ways to contact this person that are safe to use: the agreed safe number first, then
    numbers and addresses from their records, never one on the do-not-use list, and never a refuge
    address to someone not allowed to see it."""
    banned_phones = set(ContactBan.objects.filter(person=person, phone__isnull=False).values_list("phone_id", flat=True))
    banned_addresses = set(ContactBan.objects.filter(person=person, address__isnull=False)
                           .values_list("address_id", flat=True))
    options: list[ContactOption] = []
    safe = getattr(person, "safe_contact", None)
    if safe is not None and safe.phone_id and safe.phone_id not in banned_phones:
        options.append(ContactOption("phone", safe.phone.e164, "Agreed safe number"))
        return options + _address_options(viewer, person, banned_addresses)
    seen: set[int] = set()
    for phone in Phone.objects.filter(person_records__person=person).distinct().order_by("-id"):
        if phone.id in banned_phones or phone.id in seen:
            continue
        seen.add(phone.id)
        options.append(ContactOption("phone", phone.e164, "From a recorded event: confirm it is safe before use"))
    return options + _address_options(viewer, person, banned_addresses)


def _address_options(viewer, person: Person, banned: set[int]) -> list[ContactOption]:
    options = []
    for address in Address.objects.filter(person_records__person=person).distinct().order_by("-id"):
        if address.id in banned:
            continue
        if address.is_refuge and not viewer.has_perm("people.view_refuge_address"):
            continue
        options.append(ContactOption("address", address_text(address, viewer=viewer)))
    return options


def person_detail(*, viewer, person: Person, reason: str = "", request=None, on: date | None = None) -> PersonView:
    """Everything a person-work role sees on a person's page. Audited as a consultation."""
    if not viewer.has_perm("people.view_person"):
        raise PermissionDenied
    on = on or timezone.localdate()
    records = [RecordShown(record, address_text(record.address, viewer=viewer))
               for record in person.records.select_related("address", "phone").order_by("-recorded_at")]
    markers = [m for m in person.markers.order_by("kind") if m.in_force_on(on)]
    safe = getattr(person, "safe_contact", None)
    audit_record(action="consultation", actor=viewer, obj=person, subject_person_id=person.public_id,
                 reason=reason, request=request)
    return PersonView(
        person=person, records=records, markers_in_force=markers,
        contact_options=contact_options(viewer=viewer, person=person),
        safe_times=safe.safe_times if safe else "", code_word=safe.code_word if safe else "",
        restricted=person.restricted,
    )


def active_restriction(person: Person):
    return person.restrictions.filter(lifted_at__isnull=True).select_related("owner").first()


@dataclass(frozen=True)
class PersonMatch:
    person: Person
    restricted: bool
    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    postcode: str = ""


def person_search(*, viewer, family_name: str, given_name: str = "", date_of_birth: date | None = None,
                  postcode: str = "", limit: int = 50, request=None) -> list[PersonMatch]:
    """People whose records match the name (exactly or by sound), optionally narrowed by date of
    birth and postcode. Restricted people are listed without their details. Audited as a search."""
    if not viewer.has_perm("people.search_people"):
        raise PermissionDenied
    records = PersonRecord.objects.filter(person__isnull=False).select_related("person", "address")
    family_key, family_sound = name_key(family_name), phonetic_key(family_name)
    records = records.filter(family_name_key=family_key) | records.filter(family_name_phonetic=family_sound)
    if given_name:
        records = records.filter(given_name_phonetic=phonetic_key(given_name)) | records.filter(
            given_name_key=name_key(given_name))
        records = records.filter(person__records__family_name_phonetic=family_sound)
    if date_of_birth:
        records = records.filter(date_of_birth=date_of_birth)
    if postcode:
        records = records.filter(address__postcode=postcode)
    matches: dict[int, PersonMatch] = {}
    for record in records.order_by("-recorded_at")[: limit * 5]:
        if record.person_id in matches:
            continue
        person = record.person
        if person.restricted:
            matches[person.id] = PersonMatch(person=person, restricted=True)
        else:
            shown_postcode = record.address.postcode if record.address else ""
            if record.address and record.address.is_refuge and not viewer.has_perm("people.view_refuge_address"):
                shown_postcode = ""
            matches[person.id] = PersonMatch(person=person, restricted=False, given_name=record.given_name,
                                             family_name=record.family_name, date_of_birth=record.date_of_birth,
                                             postcode=shown_postcode)
        if len(matches) >= limit:
            break
    result = list(matches.values())
    audit_record(action="search", actor=viewer, object_type="people.Person", request=request,
                 detail={"results": len(result), "fields": sorted(
                     k for k, v in {"family_name": family_name, "given_name": given_name,
                                    "date_of_birth": date_of_birth, "postcode": postcode}.items() if v)})
    return result


def restricted_access_alerts(*, owner, limit: int = 20):
    """Recent openings of the restricted records this user owns: who, when and why."""
    return list(RestrictedAccessAlert.objects.filter(restriction__owner=owner)
                .select_related("accessed_by", "restriction__person").order_by("-accessed_at")[:limit])


@dataclass(frozen=True)
class AddressOption:
    public_id: str
    text: str
    incidents: int


def address_lookup(*, viewer, postcode: str, house: str = "", limit: int = 30, request=None) -> list[AddressOption]:
    """Addresses at a postcode, narrowed by house number or name, one per way of writing it. Refuge
    addresses are left out for those not allowed to know them. Audited as a search."""
    addresses = Address.objects.filter(postcode=postcode)
    if house.strip():
        house = house.strip()
        if house.isdigit():  # "12" finds "12 Example Road" and "Flat 3, 12 Example Road", not "112 ..."
            matches = Q(line1__istartswith=f"{house} ") | Q(line1__icontains=f" {house} ") | Q(line1__iexact=house)
        else:  # a name or "12a": anywhere in the first line
            matches = Q(line1__icontains=house)
        addresses = addresses.filter(matches)
    if not viewer.has_perm("people.view_refuge_address"):
        addresses = addresses.exclude(is_refuge=True)
    rows = addresses.annotate(n=Count("incidents")).order_by("-n", "line1")[:limit * 3]
    options, seen = [], set()
    for address in rows:
        text = address_text(address, viewer=viewer)
        if text.lower() in seen:
            continue
        seen.add(text.lower())
        options.append(AddressOption(str(address.public_id), text, address.n))
    audit_record(action="search", actor=viewer, object_type="people.Address", request=request,
                 detail={"by": "postcode and house" if house else "postcode", "results": min(len(options), limit)})
    return options[:limit]
