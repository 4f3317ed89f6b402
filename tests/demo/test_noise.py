"""Recording noise: the plain functions, and how much one individual's records vary in a generated force."""

import random
from collections import Counter, defaultdict
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigil.demo import noise
from vigil.demo.models import TrueIdentity
from vigil.people.models import PersonRecord

names = st.text(alphabet=st.characters(min_codepoint=97, max_codepoint=122), min_size=1, max_size=15).map(
    str.capitalize)
dates = st.dates(min_value=date(1920, 1, 1), max_value=date(2013, 8, 31))


@given(name=names, seed=st.integers(0, 2**32))
def test_a_typo_always_changes_the_name(name, seed):
    assert noise.typo(name, random.Random(seed)) != name


@given(dob=dates, seed=st.integers(0, 2**32))
def test_a_dob_typo_is_another_valid_date(dob, seed):
    typed = noise.dob_digit_typo(dob, random.Random(seed))
    assert typed != dob
    assert sum(a != b for a, b in zip(dob.strftime("%d%m%Y"), typed.strftime("%d%m%Y"), strict=True)) == 1


@given(dob=dates)
def test_day_and_month_swap_only_where_it_makes_another_date(dob):
    swapped = noise.dob_day_month_swapped(dob)
    if dob.day <= 12 and dob.day != dob.month:
        assert (swapped.day, swapped.month, swapped.year) == (dob.month, dob.day, dob.year)
    else:
        assert swapped is None


def test_nicknames_come_from_the_table():
    rng = random.Random(1)
    assert noise.nickname("Elizabeth", rng) in {"Liz", "Beth", "Lizzie", "Eliza"}
    assert noise.nickname("Zebedee", rng) is None
    assert "Elizabeth" in noise.formal_names("F") and "William" in noise.formal_names("M")


def test_address_variants():
    rng = random.Random(1)
    assert noise.street_abbreviated("14 Hill Road") == "14 Hill Rd"
    assert noise.street_abbreviated("14 Hill Rise") is None
    assert noise.flat_reformatted("Flat 2, 14 Hill Road", rng) in {"2/14 Hill Road", "Flat 2 14 Hill Road"}
    assert noise.flat_reformatted("14 Hill Road", rng) is None


def test_record_identity_reports_what_it_changed():
    true = noise.Identity("Elizabeth", "Smith", date(1980, 3, 4), "Flat 2, 14 Hill Road", "+447700900001")
    everything = noise.NoiseRates(**{kind: 1.0 for kind in noise.NOISE_KINDS})
    written, kinds = noise.record_identity(true, random.Random(2), everything, married_name="Jones",
                                           new_phone="+447700900002")
    assert {"married_name", "nickname", "name_typo", "names_swapped", "dob_missing", "flat_reformatted",
            "address_abbreviated", "new_phone"} <= set(kinds)
    assert written.date_of_birth is None and written.phone == "+447700900002"
    untouched, none = noise.record_identity(true, random.Random(2), noise.NoiseRates(**dict.fromkeys(
        noise.NOISE_KINDS, 0.0)), married_name="Jones", new_phone="+447700900002")
    assert untouched == true and none == []


# In a generated force (scale 0.05), measured from the ground truth.

@pytest.fixture(scope="module")
def noise_by_record(small_force, django_db_blocker):
    with django_db_blocker.unblock():
        return dict(TrueIdentity.objects.values_list("person_record_id", "noise"))


# The measured share of all records, allowing for kinds that apply only to some people.
EXPECTED_SHARE = {
    "name_typo": (0.04, 0.08), "nickname": (0.005, 0.06), "names_swapped": (0.01, 0.03),
    "dob_typo": (0.015, 0.045), "dob_day_month_swapped": (0.005, 0.03), "dob_missing": (0.03, 0.07),
    "address_abbreviated": (0.08, 0.16), "flat_reformatted": (0.03, 0.12), "new_phone": (0.06, 0.12),
    "married_name": (0.005, 0.06),
}


@pytest.mark.parametrize("kind", noise.NOISE_KINDS)
def test_each_noise_kind_occurs_at_a_sensible_rate(noise_by_record, kind):
    counts = Counter(k for kinds in noise_by_record.values() for k in kinds.split(",") if k)
    share = counts[kind] / len(noise_by_record)
    low, high = EXPECTED_SHARE[kind]
    assert low <= share <= high, f"{kind}: {share:.3%}"


@pytest.mark.django_db
def test_one_individuals_records_really_differ(small_force):
    truth = dict(TrueIdentity.objects.values_list("person_record_id", "true_person"))
    versions = defaultdict(list)
    for record_id, given_name, family_name, dob in PersonRecord.objects.values_list(
            "pk", "given_name", "family_name", "date_of_birth"):
        versions[truth[record_id]].append((given_name, family_name, dob))
    frequent = [v for v in versions.values() if len(v) >= 3]
    assert len(frequent) > 50
    differing = sum(len(set(v)) > 1 for v in frequent)
    assert differing / len(frequent) > 0.4


@pytest.mark.django_db
def test_legacy_exact_match_splits_individuals(small_force):
    truth = dict(TrueIdentity.objects.values_list("person_record_id", "true_person"))
    persons_by_true = defaultdict(set)
    for record_id, person_id in PersonRecord.objects.values_list("pk", "person_id"):
        persons_by_true[truth[record_id]].add(person_id)
        assert person_id is not None
    records_by_true = Counter(truth.values())
    seen_twice = [persons for true, persons in persons_by_true.items() if records_by_true[true] >= 2]
    split = sum(len(persons) > 1 for persons in seen_twice)
    assert 0.2 < split / len(seen_twice) < 0.9
