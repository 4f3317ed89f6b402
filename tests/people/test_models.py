from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests import factories
from vigil.people.models import Person, PersonRecord, Relationship, WarningMarker

pytestmark = pytest.mark.django_db


def test_address_is_stored_with_canonical_postcode_and_lookup_key():
    address = factories.address_create(line1="12a High St", postcode="le1 6zz")
    address.refresh_from_db()
    assert address.postcode == "LE1 6ZZ"
    assert address.address_key == "LE16ZZ|12a"


def test_phone_is_stored_in_e164():
    phone = factories.phone_create(number="(07700) 900 456")
    assert phone.e164 == "+447700900456"


def test_person_record_gets_comparison_and_phonetic_keys():
    record = factories.person_record_create(given_name="Zoë", family_name="O'Smyth")
    record.refresh_from_db()
    assert (record.given_name_key, record.family_name_key) == ("zoe", "osmyth")
    assert record.family_name_phonetic


def test_person_record_is_never_edited_away():
    record = factories.person_record_create(given_name="Liz", family_name="Smyth", dob=date(1985, 3, 12))
    record.date_of_birth = date(1985, 12, 3)
    with pytest.raises(ValidationError):
        record.save()
    record.refresh_from_db()
    assert record.date_of_birth == date(1985, 3, 12)


def test_person_record_may_be_linked_to_another_person():
    record = factories.person_record_create()
    other = Person.objects.create()
    record.person = other
    record.save()
    assert PersonRecord.objects.get(pk=record.pk).person == other


def test_marker_must_have_exactly_one_subject():
    person = Person.objects.create()
    address = factories.address_create()
    with pytest.raises(IntegrityError), transaction.atomic():
        WarningMarker.objects.create(kind="violence", person=person, address=address, starts_on=date(2013, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        WarningMarker.objects.create(kind="violence", starts_on=date(2013, 1, 1))
    WarningMarker.objects.create(kind="violence", person=person, starts_on=date(2013, 1, 1))


def test_marker_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        WarningMarker.objects.create(kind="weapons", person=Person.objects.create(),
                                     starts_on=date(2013, 2, 1), ends_on=date(2013, 1, 1))


def test_marker_in_force_between_start_and_end():
    marker = WarningMarker(kind="bail_conditions", starts_on=date(2013, 1, 1), ends_on=date(2013, 1, 31))
    assert marker.in_force_on(date(2013, 1, 31))
    assert not marker.in_force_on(date(2013, 2, 1))
    assert not marker.in_force_on(date(2012, 12, 31))


def test_partners_are_intimate_and_a_relationship_needs_two_people():
    victim = factories.person_record_create(given_name="Ann")
    suspect = factories.person_record_create(given_name="Bob")
    with pytest.raises(IntegrityError), transaction.atomic():
        Relationship.objects.create(victim=victim, suspect=suspect, kind="current_partner", intimate=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Relationship.objects.create(victim=victim, suspect=victim, kind="family_member", intimate=False)
    Relationship.objects.create(victim=victim, suspect=suspect, kind="family_member", intimate=False,
                                detail="son")


def test_a_very_long_name_is_saved_with_its_phonetic_key_cut_to_the_field():
    long_name = "Featherstonehaugh-Cholmondeley-Marjoribanks"  # 44 characters, a 21-letter Metaphone key
    record = factories.person_record_create(given_name="Ann", family_name=long_name)
    record.refresh_from_db()
    assert record.family_name == long_name
    assert 0 < len(record.family_name_phonetic) <= PersonRecord._meta.get_field("family_name_phonetic").max_length
