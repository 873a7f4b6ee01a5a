"""Synthetic identifiers: valid where a standard says what valid is, unique where they must be."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from cohortgate.custodian.cohort import identifiers as ids
from cohortgate.custodian.cohort.regions import PROVINCES

# GB 11643-1999, written out independently of the module: the weights 2^(17-i) mod 11 as a
# literal list, and the check table of the standard (sum mod 11 -> character).
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = {0: "1", 1: "0", 2: "X", 3: "9", 4: "8", 5: "7", 6: "6", 7: "5", 8: "4", 9: "3", 10: "2"}


def reference_check(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


# The two worked examples printed in GB 11643-1999 itself.
STANDARD_EXAMPLES = [
    ("11010519491231002X", "110105", date(1949, 12, 31), False),
    ("440524188001010014", "440524", date(1880, 1, 1), True),
]


@pytest.mark.parametrize(("number", "area", "born", "male"), STANDARD_EXAMPLES)
def test_the_standards_examples_are_valid(number: str, area: str, born: date, male: bool) -> None:
    assert reference_check(number[:17]) == number[17]
    assert ids.id_number_is_valid(number)
    parsed = ids.parse_id_number(number)
    assert parsed == ids.IdNumber(area, born, male)


@pytest.mark.parametrize(
    "number",
    [  # each has a correct check character unless it says otherwise
        "110105194912310021",  # wrong check character
        "11010519491231002",  # 17 characters
        "11010519491231002XX",  # 19 characters
        "1101051949123100A2",  # a letter inside
        "110105194902300020",  # 30 February
        "990105194912310023",  # no province 99
        "710105194912310021",  # Taiwan residents' permits use 83, not 71
        "110105179912310024",  # born before 1800 (the standard's own example is from 1880)
        "",
    ],
)
def test_invalid_numbers_are_rejected(number: str) -> None:
    assert not ids.id_number_is_valid(number)


def test_lowercase_x_is_accepted() -> None:
    assert ids.id_number_is_valid("11010519491231002x")


def test_check_character_matches_the_reference_on_many_numbers() -> None:
    rng = np.random.default_rng(7)
    for _ in range(2000):
        first17 = "".join(str(d) for d in rng.integers(0, 10, 17))
        assert ids.check_character(first17) == reference_check(first17)


def test_generated_numbers_agree_with_area_birth_date_and_sex() -> None:
    rng = np.random.default_rng(1)
    n = 5000
    provinces = np.array([p.code for p in PROVINCES])[rng.integers(0, len(PROVINCES), n)]
    areas = ids.area_codes(provinces, rng)
    born = np.datetime64("2005-01-01") + rng.integers(0, 7000, n).astype("timedelta64[D]")
    male = rng.random(n) < 0.5
    numbers = ids.id_numbers(areas, born, male, rng)
    assert len(set(numbers.tolist())) == n
    for number, area, day, boy, province in zip(numbers, areas, born, male, provinces, strict=True):
        assert reference_check(number[:17]) == number[17]
        parsed = ids.parse_id_number(str(number))
        assert parsed is not None
        assert parsed.area_code == str(area)
        assert parsed.birth_date == day.astype(date)
        assert parsed.male == bool(boy)
        assert number[:2] == {"71": "83"}.get(province, province)


def test_numbers_stay_unique_when_many_share_a_birthday_and_district() -> None:
    rng = np.random.default_rng(2)
    n = 900  # 450 of each sex: close to the 499 sequence numbers a sex has per day
    areas = np.full(n, 310104)
    born = np.full(n, np.datetime64("2015-06-01"))
    male = np.arange(n) % 2 == 0
    numbers = ids.id_numbers(areas, born, male, rng)
    assert len(set(numbers.tolist())) == n
    assert all(ids.id_number_is_valid(str(x)) for x in numbers)


def test_more_people_than_sequence_numbers_is_an_error() -> None:
    rng = np.random.default_rng(3)
    with pytest.raises(ValueError, match="499"):
        ids.id_numbers(
            np.full(500, 310104), np.full(500, np.datetime64("2015-06-01")), np.ones(500, bool), rng
        )


def test_mobile_numbers_are_unique_eleven_digits_with_real_prefixes() -> None:
    numbers = ids.mobile_numbers(20_000, np.random.default_rng(4))
    assert len(set(numbers.tolist())) == len(numbers)
    for number in numbers[:2000]:
        assert len(number) == 11 and number.isdigit()
        assert int(number[:3]) in ids.MOBILE_PREFIXES


def test_names_use_common_surnames() -> None:
    rng = np.random.default_rng(5)
    male = rng.random(3000) < 0.5
    names = ids.person_names(male, rng)
    guardians = ids.guardian_names(names, male, rng)
    surnames = set(ids.SURNAMES) | set(ids.COMPOUND_SURNAMES)
    for name in [*names, *guardians]:
        assert 2 <= len(name) <= 4
        assert name[0] in surnames or name[:2] in surnames
    same = np.mean([a[0] == b[0] for a, b in zip(names, guardians, strict=True)])
    assert 0.5 < same < 0.7  # fathers share the surname, mothers mostly do not


def test_addresses_are_marked_synthetic_and_start_with_the_province() -> None:
    rng = np.random.default_rng(6)
    provinces = np.array([p.code for p in PROVINCES])[rng.integers(0, len(PROVINCES), 3000)]
    areas = ids.area_codes(provinces, rng)
    for address, code in zip(ids.addresses(provinces, areas, rng), provinces, strict=True):
        assert address.startswith(ids.province_name(str(code)))
        assert "测试" in address and "号" in address


def test_record_and_insurance_numbers_are_unique() -> None:
    rng = np.random.default_rng(8)
    records = ids.medical_record_numbers(50_000, rng)
    assert len(set(records.tolist())) == len(records)
    assert all(len(r) == 10 and r.isdigit() for r in records[:1000])
    provinces = np.full(50_000, "31")
    insurance = ids.insurance_numbers(provinces, rng)
    assert len(set(insurance.tolist())) == len(insurance)
    assert all(x.startswith("YB31") and len(x) == 16 for x in insurance[:1000])
