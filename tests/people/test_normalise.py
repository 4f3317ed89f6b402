import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigil.people import normalise


@pytest.mark.parametrize("raw, expected", [
    ("le1 6zz", "LE1 6ZZ"),
    ("LE16ZZ", "LE1 6ZZ"),
    ("  le 1 6zz ", "LE1 6ZZ"),
    ("LE65 1AB", "LE65 1AB"),
    ("EC1A 1BB", "EC1A 1BB"),
    ("LE1 OZZ", "LE1 0ZZ"),  # letter O keyed for zero in the inward code
    ("gir0aa", "GIR 0AA"),
])
def test_postcodes_take_the_canonical_form(raw, expected):
    assert normalise.normalise_postcode(raw) == expected


@pytest.mark.parametrize("raw", ["", "LE1", "12345", "LE1 6Z", "Leicester", "1LE 6ZZ"])
def test_things_that_are_not_postcodes_are_refused(raw):
    with pytest.raises(normalise.InvalidPostcode):
        normalise.normalise_postcode(raw)


@given(st.from_regex(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}", fullmatch=True))
def test_postcode_normalisation_is_idempotent(raw):
    once = normalise.normalise_postcode(raw)
    assert normalise.normalise_postcode(once) == once
    assert normalise.normalise_postcode(raw.lower().replace(" ", "")) == once


@pytest.mark.parametrize("raw", ["07700 900123", "+44 7700 900123", "(07700) 900-123", "447700900123"])
def test_phones_are_stored_in_e164(raw):
    if raw.startswith("44"):
        raw = "+" + raw
    assert normalise.normalise_phone(raw) == "+447700900123"


def test_landline_keeps_its_area_code():
    assert normalise.normalise_phone("0116 496 0123") == "+441164960123"


@pytest.mark.parametrize("raw", ["", "abc", "12"])
def test_bad_phone_numbers_are_refused(raw):
    with pytest.raises(normalise.InvalidPhone):
        normalise.normalise_phone(raw)


def test_name_key_drops_case_accents_and_punctuation():
    assert normalise.name_key("O'Brien-Smith") == "obriensmith"
    assert normalise.name_key("Zoë") == "zoe"


@pytest.mark.parametrize("a, b", [("Smith", "Smyth"), ("Catherine", "Katherine"), ("Mohammed", "Muhammed"), ("Stephen", "Steven")])
def test_spelling_variants_share_a_phonetic_key(a, b):
    assert normalise.phonetic_key(a) == normalise.phonetic_key(b)


def test_different_names_have_different_phonetic_keys():
    assert normalise.phonetic_key("Smith") != normalise.phonetic_key("Jones")


@pytest.mark.parametrize("line1, postcode, expected", [
    ("12a  High St", "le1 6zz", "LE16ZZ|12a"),
    ("12A High Street", "LE16ZZ", "LE16ZZ|12a"),
    ("Flat 2, 14 Hill Road", "LE2 1AA", "LE21AA|flat2|14"),
    ("flat 2 14 Hill Rd", "LE2 1AA", "LE21AA|flat2|14"),
    ("Rose Cottage, Main Street", "LE15 6AA", "LE156AA|rosecottage"),
])
def test_address_key_matches_variants_of_one_address(line1, postcode, expected):
    assert normalise.address_key(line1=line1, postcode=postcode) == expected
