"""Matching on a small synthetic file: duplicates with UK-shaped slips meet, distinct people don't."""

from __future__ import annotations

import random

import pytest

from vigil.linkage import matching, prepare

FORENAMES = [
    "Elizabeth", "Margaret", "Katherine", "Rebecca", "Samantha", "Victoria", "Charlotte", "Deborah",
    "Susan", "Michael", "William", "Robert", "James", "Richard", "Thomas", "Daniel", "Matthew",
    "Andrew", "Christopher", "Jonathan", "Priya", "Mohammed", "Aisha", "Oluwaseun", "Siobhan",
    "Gareth", "Rhiannon", "Callum", "Niamh", "Tomasz",
]  # fmt: skip
SURNAMES = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Khan",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood",
    "Jackson", "Clarke", "Okafor", "Kowalski", "McAllister", "Hughes", "Edwards", "Lewis", "Ahmed",
    "Murphy",
]  # fmt: skip
STREETS = ["High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane", "Park Avenue"]
POSTCODES = ["LE1 6ZZ", "LE2 1AB", "LE3 9QP", "LE4 7HT", "LE5 3BD", "NG7 2RD", "NG1 5FT", "DE1 3GH"]


def _person(rng: random.Random, index: int) -> dict[str, str]:
    return {
        "given_name": FORENAMES[index % len(FORENAMES)],
        "family_name": SURNAMES[(index * 7) % len(SURNAMES)],
        "date_of_birth": f"{rng.randint(1950, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(13, 28):02d}",
        "postcode": rng.choice(POSTCODES),
        "address": f"{rng.randint(1, 180)} {rng.choice(STREETS)}, Leicester",
        "phone": f"07700 9{rng.randint(0, 99999):05d}",
        "identifier": "",
    }


def _typo(rng: random.Random, text: str) -> str:
    position = rng.randrange(1, len(text) - 1)
    return text[:position] + text[position + 1] + text[position] + text[position + 2 :]


def synthetic_rows(seed: int = 7) -> tuple[list[dict[str, str]], dict[str, int]]:
    """About 40 people, most written two or three times with a slip; returns rows and truth."""
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    truth: dict[str, int] = {}

    def add(person_index: int, values: dict[str, str]) -> str:
        record_id = f"r{len(rows) + 1:03d}"
        rows.append({"record_id": record_id, **values})
        truth[record_id] = person_index
        return record_id

    for index in range(40):
        person = _person(rng, index)
        add(index, person)
        for copy in range(index % 3):  # 0, 1 or 2 further records of the same person
            variant = dict(person)
            slip = (index + copy) % 5
            if slip == 0:
                variant["family_name"] = _typo(rng, person["family_name"])
            elif slip == 1:
                variant["postcode"] = person["postcode"].replace(" ", "").lower()
                variant["phone"] = "+44" + person["phone"].replace(" ", "")[1:]
            elif slip == 2:
                variant["address"] = ""
                variant["phone"] = ""
            elif slip == 3:
                variant["given_name"] = _typo(rng, person["given_name"])
            else:
                variant["date_of_birth"] = person["date_of_birth"][:-1] + str(
                    (int(person["date_of_birth"][-1]) + 1) % 10
                )
            add(index, variant)

    # Liz Smyth and Elizabeth Smith: the same woman, written four ways.
    base = {
        "given_name": "Elizabeth",
        "family_name": "Smith",
        "date_of_birth": "1985-03-12",
        "postcode": "LE1 7RH",
        "address": "12 Granby Street, Leicester",
        "phone": "07700 900123",
        "identifier": "",
    }
    add(100, base)
    add(100, {**base, "given_name": "Smith", "family_name": "Elizabeth"})  # names swapped
    add(100, {**base, "given_name": "Liz", "phone": ""})  # nickname
    add(100, {**base, "date_of_birth": "1985-12-03", "address": "12 Granby St"})  # day/month swapped
    # Her father at the same address: same surname, different forename and date of birth.
    add(101, {**base, "given_name": "Robert", "date_of_birth": "1951-06-20", "phone": ""})
    # Someone with few details: blank fields are allowed.
    add(102, {"given_name": "Tomasz", "family_name": "Nowak", "date_of_birth": "", "postcode": "",
              "address": "", "phone": "", "identifier": ""})  # fmt: skip
    return rows, truth


@pytest.fixture(scope="module")
def linked():
    rows, truth = synthetic_rows()
    columns = prepare.prepare_rows(rows)
    result = matching.link(columns, max_pairs=2e5, max_iterations=10)
    return rows, truth, result


def test_every_record_appears_exactly_once(linked):
    rows, _truth, result = linked
    assert list(result.person_ids) == [row["record_id"] for row in rows]


def test_swapped_names_nickname_and_day_month_swap_are_one_person(linked):
    rows, truth, result = linked
    liz = {result.person_ids[record_id] for record_id, person in truth.items() if person == 100}
    assert len(liz) == 1


def test_father_at_the_same_address_stays_apart(linked):
    _rows, truth, result = linked
    liz = next(result.person_ids[r] for r, p in truth.items() if p == 100)
    father = next(result.person_ids[r] for r, p in truth.items() if p == 101)
    assert liz != father


def test_clusters_match_the_truth_pairwise(linked):
    _rows, truth, result = linked
    ids = list(truth)
    true_pairs = {(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :] if truth[a] == truth[b]}
    found = {
        (a, b)
        for i, a in enumerate(ids)
        for b in ids[i + 1 :]
        if result.person_ids[a] == result.person_ids[b]
    }
    assert not found - true_pairs, "distinct people were merged"
    assert len(found & true_pairs) >= 0.9 * len(true_pairs)


def test_model_document_carries_a_version(linked):
    _rows, _truth, result = linked
    assert result.model["model_version"] == matching.MODEL_VERSION
    assert result.model["splink_version"] == matching.splink.__version__
    assert result.model["splink_settings"]["comparisons"]


def test_person_ids_are_numbered_in_input_order():
    ids = matching.person_ids_in_input_order(["a", "b", "c", "d"], {"a": "x", "b": "y", "c": "x"})
    assert ids == {"a": "P000001", "b": "P000002", "c": "P000001", "d": "P000003"}


def test_a_single_record_is_its_own_person_without_training():
    result = matching.link(prepare.prepare_rows([{"record_id": "only", "given_name": "Ann"}]))
    assert result.person_ids == {"only": "P000001"}
    assert result.model["splink_settings"] is None


def test_thresholds_are_checked():
    with pytest.raises(ValueError):
        matching.link({"unique_id": ["a"]}, upper=0.4, lower=0.6)


# --- preparation --------------------------------------------------------------------------------


def test_prepare_row_makes_comparison_forms():
    row = prepare.prepare_row(
        {
            "record_id": " 7 ",
            "given_name": "Liz",
            "family_name": "O'Brien-Smyth",
            "date_of_birth": "1985-03-12",
            "postcode": "le1 6zz",
            "address": "Flat 2, 14 Hill Rd",
            "phone": "07700 900123",
            "identifier": "ab 12 34 56 c",
        }
    )
    assert row["unique_id"] == "7"
    assert row["given_name"] == "liz" and row["family_name"] == "obriensmyth"
    assert row["given_canonical"] == ["elizabeth"]
    assert row["name_concat"] == "liz obriensmyth"
    assert row["family_phonetic"]
    assert (row["postcode"], row["postcode_sector"], row["postcode_district"]) == ("LE1 6ZZ", "LE1 6", "LE1")
    assert row["address"] == "flat 2 14 hill road" and row["address_number"] == "2"
    assert row["phone"] == "+447700900123"
    assert row["identifier"] == "AB123456C"


def test_prepare_row_allows_blanks_and_keeps_non_uk_values():
    row = prepare.prepare_row({"record_id": "1", "postcode": "2119", "date_of_birth": "1985-02-30"})
    assert row["given_name"] is None and row["given_canonical"] is None
    assert row["date_of_birth"] is None
    assert (row["postcode"], row["postcode_sector"]) == ("2119", None)
    assert row["phone"] is None and row["address"] is None


def test_ambiguous_nickname_stands_for_each_formal_name():
    assert set(prepare.forename_canonical("kate")) >= {"katherine", "catherine"}
    assert prepare.forename_canonical("zebedee") == ["zebedee"]


def test_duplicate_and_blank_record_ids_are_refused():
    with pytest.raises(prepare.InputError, match="duplicated"):
        prepare.prepare_rows([{"record_id": "1"}, {"record_id": "1"}])
    with pytest.raises(prepare.InputError, match="blank"):
        prepare.prepare_rows([{"record_id": " "}])
