"""Online matching in the database: candidate records by index look-ups, scored into candidate persons."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.factories import address_create, person_record_create, phone_create
from tests.linkage.test_online import trained_model
from vigil.linkage import candidates
from vigil.people.models import Person, PersonRecord

pytestmark = pytest.mark.django_db

LIZ_DOB = date(1985, 3, 12)


@pytest.fixture(scope="module")
def model():
    document, *_ = trained_model()
    return document


@pytest.fixture
def people():
    """Elizabeth Smith (two records), her father at the same address, and others who share a key."""
    home = address_create(line1="12 Granby Street", postcode="LE1 7RH", town="Leicester")
    phone = phone_create(number="07700 900123")
    liz = Person.objects.create()
    person_record_create(given_name="Elizabeth", family_name="Smith", dob=LIZ_DOB, person=liz, address=home,
                         phone=phone)
    person_record_create(given_name="Elizabeth", family_name="Smith", dob=LIZ_DOB, person=liz,
                         address=address_create(line1="12 Granby St", postcode="LE1 7RH"))
    father = person_record_create(given_name="Robert", family_name="Smith", dob=date(1951, 6, 20), address=home)
    # Same date of birth, nothing else in common.
    for index, (given, family) in enumerate([("Priya", "Patel"), ("Gareth", "Evans"), ("Niamh", "Murphy")]):
        person_record_create(given_name=given, family_name=family, dob=LIZ_DOB,
                             address=address_create(line1=f"{index + 3} Mill Lane", postcode="NG7 2RD"))
    # Other Smiths born the same year.
    person_record_create(given_name="Callum", family_name="Smyth", dob=date(1985, 8, 1))
    person_record_create(given_name="Victoria", family_name="Smith", dob=date(1985, 11, 30))
    return {"liz": liz, "father": father.person, "home": home}


def test_a_nickname_with_day_and_month_swapped_finds_her_first(model, people):
    found = candidates.match_candidates(
        model=model, given_name="Liz", family_name="Smith", date_of_birth="1985-12-03",
        postcode="le1 7rh", address_line="12 Granby Street", town="Leicester", phone_e164="",
    )  # fmt: skip
    assert found, "no candidates"
    first = found[0]
    assert first.person_id == people["liz"].pk
    assert first.person_public_id == str(people["liz"].public_id)
    assert first.records_scored == 2
    assert first.band in {"link", "review"}
    assert 0.5 <= first.match_probability <= 1
    probabilities = [candidate.match_probability for candidate in found]
    assert probabilities == sorted(probabilities, reverse=True)
    assert len({candidate.person_id for candidate in found}) == len(found)  # one row per person
    father = next(c for c in found if c.person_id == people["father"].pk)
    assert father.match_probability < first.match_probability


def test_swapped_names_and_the_phone_alone_find_her(model, people):
    swapped = candidates.candidate_records(given_name="Smith", family_name="Elizabeth")
    assert {row["person_id"] for row in swapped} == {people["liz"].pk}
    by_phone = candidates.candidate_records(family_name="Jones", phone_e164="+447700900123")
    assert {row["person_id"] for row in by_phone} == {people["liz"].pk}


def test_a_stranger_sharing_only_a_date_of_birth_is_not_a_candidate(model, people):
    """As in the re-link's blocking: a date of birth alone is shared with thousands of strangers."""
    assert candidates.match_candidates(
        model=model, given_name="Tomasz", family_name="Nowak", date_of_birth=LIZ_DOB,
        postcode="DE1 3GH", address_line="7 Abbey Close", phone_e164="+447700900999",
    ) == []  # fmt: skip


def test_a_date_of_birth_and_a_district_bring_a_candidate_but_not_a_likely_one(model, people):
    found = candidates.match_candidates(
        model=model, given_name="Tomasz", family_name="Nowak", date_of_birth=LIZ_DOB,
        postcode="LE1 9ZZ", address_line="7 Abbey Close",
    )  # fmt: skip
    assert found, "the same date of birth in the same postcode district should be scored"
    assert all(candidate.band == "new" for candidate in found)
    assert max(candidate.match_probability for candidate in found) < 0.5


def test_a_nickname_and_a_date_of_birth_bring_the_person_after_a_move_and_a_marriage(model, people):
    found = candidates.match_candidates(
        model=model, given_name="Liz", family_name="Okonjo", date_of_birth=LIZ_DOB, postcode="DE1 3GH",
    )  # fmt: skip
    assert {candidate.person_id for candidate in found} == {people["liz"].pk}


def test_nothing_in_common_finds_nothing(model, people):
    assert candidates.match_candidates(
        model=model, given_name="Tomasz", family_name="Nowak", date_of_birth="1990-01-01",
        postcode="DE1 3GH", address_line="7 Abbey Close",
    ) == []  # fmt: skip


def test_candidates_come_prepared_with_their_person(people):
    rows = candidates.candidate_records(given_name="Elizabeth", family_name="Smith", date_of_birth=LIZ_DOB)
    liz_rows = [row for row in rows if row["person_id"] == people["liz"].pk]
    assert len(liz_rows) == 2
    row = liz_rows[0]
    assert row["given_name"] == "elizabeth" and row["family_name"] == "smith"
    assert row["date_of_birth"] == "1985-03-12" and row["dob_year"] == "1985"
    assert row["postcode"] == "LE1 7RH" and row["postcode_district"] == "LE1"
    assert row["given_canonical"] == ["elizabeth"]
    assert row["unique_id"] == str(row["record_id"])
    assert PersonRecord.objects.get(pk=row["record_id"]).public_id.hex == row["record_public_id"].replace("-", "")


def test_surname_sound_and_birth_year_reach_a_misspelt_surname(people):
    rows = candidates.candidate_records(given_name="Callum", family_name="Smith", date_of_birth="1985-03-01")
    families = {row["family_name"] for row in rows}
    assert "smyth" in families  # same sound (Metaphone), born the same year, same forename
    assert all(row["dob_year"] == "1985" for row in rows)


def test_surname_sound_and_birth_year_alone_are_not_enough(people):
    rows = candidates.candidate_records(given_name="Anne", family_name="Smith", date_of_birth="1985-01-01")
    assert "smyth" not in {row["family_name"] for row in rows}


def test_unresolved_records_are_not_candidates(people):
    PersonRecord.objects.create(given_name="Elizabeth", family_name="Smith", date_of_birth=LIZ_DOB,
                                person=None, recorded_at=datetime(2013, 1, 1, tzinfo=UTC))
    rows = candidates.candidate_records(given_name="Elizabeth", family_name="Smith", date_of_birth=LIZ_DOB)
    assert all(row["person_id"] is not None for row in rows)
    assert len([row for row in rows if row["person_id"] == people["liz"].pk]) == 2


def test_each_look_up_is_limited(people):
    for index in range(8):
        person_record_create(given_name="Zed", family_name=f"Brown{'abcdefgh'[index]}", dob=date(1970, 5, 5))
    rows = candidates.candidate_records(given_name="Zed", family_name="Green", date_of_birth="1970-05-05", limit=3)
    assert len(rows) == 3


def test_surname_frequencies_are_shares_of_records_with_a_surname(people):
    frequencies = candidates.surname_frequencies({"smith", "patel", "nowak"})
    total = PersonRecord.objects.exclude(family_name_key="").count()
    assert frequencies["smith"] == pytest.approx(4 / total)
    assert frequencies["patel"] == pytest.approx(1 / total)
    assert "nowak" not in frequencies
