"""Restricted records, safe contact and refuge addresses: the protections a victim's record carries."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.people import selectors, services
from vigil.people.models import ContactBan, Person, RestrictedAccessAlert

pytestmark = pytest.mark.django_db


@pytest.fixture
def victim():
    person = Person.objects.create()
    factories.person_record_create(given_name="Ann", family_name="Example", dob=date(1985, 3, 12), person=person,
                                   address=factories.address_create(), phone=factories.phone_create(number="07700 900111"))
    return person


def _restrict(person):
    owner = factories.user_create(role="specialist_investigator")
    services.restriction_create(person=person, by=owner, reason="Victim is a member of staff")
    return owner


def test_opening_a_restricted_record_asks_for_a_reason_first(client, victim):
    _restrict(victim)
    officer = factories.user_create(role="response_officer")
    client.force_login(officer)
    response = client.get(reverse("people:detail", args=[victim.public_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("people:open-restricted", args=[victim.public_id])
    page = client.get(response["Location"])
    assert b"Ann" not in page.content
    assert b"This record is restricted" in page.content


def test_a_reason_opens_it_is_audited_and_the_owner_is_told(client, victim):
    owner = _restrict(victim)
    officer = factories.user_create(role="response_officer")
    client.force_login(officer)
    url = reverse("people:open-restricted", args=[victim.public_id])
    response = client.post(url, {"reason": "Attending a 999 call at the address now"})
    assert response.status_code == 302
    page = client.get(reverse("people:detail", args=[victim.public_id]))
    assert page.status_code == 200 and b"Ann" in page.content
    alert = RestrictedAccessAlert.objects.get()
    assert alert.restriction.owner == owner and alert.accessed_by == officer
    assert AuditEvent.objects.filter(actor=officer, reason="Attending a 999 call at the address now",
                                     subject_person_id=victim.public_id).exists()


def test_a_too_short_reason_is_refused_with_a_message_and_nothing_saved(client, victim):
    _restrict(victim)
    client.force_login(factories.user_create(role="response_officer"))
    response = client.post(reverse("people:open-restricted", args=[victim.public_id]), {"reason": "x"})
    assert response.status_code == 200
    assert b"at least 10 characters" in response.content
    assert not RestrictedAccessAlert.objects.exists()


def test_only_safeguarding_roles_may_restrict(victim):
    with pytest.raises(PermissionDenied):
        services.restriction_create(person=victim, by=factories.user_create(role="call_taker"), reason="x")
    with pytest.raises(ValidationError):
        services.restriction_create(person=victim, by=factories.user_create(role="supervisor"), reason=" ")


def test_contact_options_offer_only_the_agreed_safe_number(victim):
    officer = factories.user_create(role="neighbourhood_officer")
    services.safe_contact_set(person=victim, by=officer, phone="07700 900222", safe_times="Weekdays 10 to 2",
                              code_word="bluebell")
    options = selectors.contact_options(viewer=officer, person=victim)
    phones = [o.value for o in options if o.kind == "phone"]
    assert phones == ["+447700900222"]


def test_a_banned_number_is_never_offered_nor_accepted_as_safe(victim):
    officer = factories.user_create(role="neighbourhood_officer")
    shared_phone = factories.phone_create(number="07700 900111")
    services.contact_ban_add(person=victim, by=officer, phone=shared_phone, reason="The suspect reads this phone")
    options = selectors.contact_options(viewer=officer, person=victim)
    assert "+447700900111" not in [o.value for o in options]
    with pytest.raises(ValidationError):
        services.safe_contact_set(person=victim, by=officer, phone="07700 900111")


def test_banning_the_safe_number_withdraws_it(victim):
    officer = factories.user_create(role="neighbourhood_officer")
    services.safe_contact_set(person=victim, by=officer, phone="07700 900222")
    phone = factories.phone_create(number="07700 900222")
    services.contact_ban_add(person=victim, by=officer, phone=phone, reason="Phone taken by the suspect")
    assert "+447700900222" not in [o.value for o in selectors.contact_options(viewer=officer, person=victim)]
    assert ContactBan.objects.count() == 1


def test_refuge_addresses_are_shown_only_to_roles_allowed_to_see_them(client):
    person = Person.objects.create()
    refuge = factories.address_create(line1="1 Refuge Lane", postcode="LE2 0AA")
    refuge.is_refuge = True
    refuge.save()
    factories.person_record_create(given_name="Bea", person=person, address=refuge)
    for role, visible in (("response_officer", False), ("specialist_investigator", True)):
        client.force_login(factories.user_create(role=role))
        page = client.get(reverse("people:detail", args=[person.public_id])).content
        assert (b"Refuge Lane" in page) is visible, role
        assert (b"Refuge address withheld" in page) is not visible, role


def test_bad_safe_number_gets_a_field_message_and_keeps_what_was_saved(client, victim):
    officer = factories.user_create(role="neighbourhood_officer")
    services.safe_contact_set(person=victim, by=officer, phone="07700 900222", code_word="bluebell")
    client.force_login(officer)
    response = client.post(reverse("people:safe-contact", args=[victim.public_id]),
                           {"phone": "not a number", "safe_times": "", "code_word": ""})
    assert response.status_code == 200
    assert b"Enter a UK phone number" in response.content
    victim.safe_contact.refresh_from_db()
    assert victim.safe_contact.phone.e164 == "+447700900222"
    assert victim.safe_contact.code_word == "bluebell"


def test_search_finds_sound_alike_names_lists_restricted_people_without_details_and_is_audited(client):
    smith = Person.objects.create()
    factories.person_record_create(given_name="Liz", family_name="Smyth", dob=date(1985, 3, 12), person=smith)
    hidden = Person.objects.create()
    factories.person_record_create(given_name="Elizabeth", family_name="Smith", person=hidden)
    _restrict(hidden)
    officer = factories.user_create(role="call_taker")
    client.force_login(officer)
    response = client.post(reverse("people:search"), {"family_name": "Smith"})
    assert response.status_code == 200
    assert b"Smyth" in response.content
    assert b"Restricted record" in response.content
    assert b"Elizabeth" not in response.content
    assert AuditEvent.objects.filter(actor=officer, action="search").exists()


def test_search_with_a_bad_postcode_explains_the_problem(client):
    client.force_login(factories.user_create(role="call_taker"))
    response = client.post(reverse("people:search"), {"family_name": "Smith", "postcode": "nowhere"})
    assert b"Enter a full UK postcode" in response.content


def test_the_restriction_owner_sees_who_has_looked_and_others_do_not(client, victim):
    owner = _restrict(victim)
    officer = factories.user_create(role="response_officer")
    services.restricted_access_open(person=victim, by=officer, reason="Attending an incident now",
                                    session=client.session)
    client.force_login(owner)
    page = client.get(reverse("people:viewers", args=[victim.public_id]))
    assert page.status_code == 200
    assert officer.username.encode() in page.content
    client.force_login(factories.user_create(role="response_officer"))
    assert client.get(reverse("people:viewers", args=[victim.public_id])).status_code == 403


def test_the_owner_is_told_on_their_home_page(client, victim):
    owner = _restrict(victim)
    officer = factories.user_create(role="response_officer")
    services.restricted_access_open(person=victim, by=officer, reason="Checking before a visit today",
                                    session=client.session)
    client.force_login(owner)
    page = client.get(reverse("accounts:home")).content
    assert b"Restricted records you own were opened" in page
    assert b"Checking before a visit today" in page
