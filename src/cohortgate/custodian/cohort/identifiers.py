"""Identifiers that look real and are synthetic: the hazard that de-identification must remove.

Resident ID numbers follow GB 11643-1999 exactly (area code, birth date, sequence whose last
digit is odd for males, ISO 7064 MOD 11-2 check character) and agree with the patient's
province, birth date and sex. Names are drawn from common surnames and given-name characters.
Mobile numbers use real operator prefixes. Addresses use real province, city and district names
but always a street marked 测试 ("test"), so no address of a real building is ever produced.

Everything is vectorised: each function takes numpy arrays (one element per patient) and a
``numpy.random.Generator`` and returns a ``<U`` string array. ``id_number_is_valid`` is the
validator that the catalog checks and the release checks share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from cohortgate.custodian.cohort.regions import ID_AREA_PREFIXES, PROVINCE_BY_CODE, PROVINCES

# ISO 7064 MOD 11-2 as GB 11643 states it: weight of position i (0-based, left to right) is
# 2**(17 - i) mod 11; the check character is CHECK_CHARACTERS[sum mod 11].
ID_WEIGHTS = np.array([2 ** (17 - i) % 11 for i in range(17)], dtype=np.int64)
CHECK_CHARACTERS = "10X98765432"
_ID_PATTERN = re.compile(r"^[0-9]{17}[0-9Xx]$")

# Common surnames, most frequent first (the weights fall off like the real distribution).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方")
GIVEN_MALE = "伟强磊军勇杰涛斌浩宇轩博文俊晨鑫鹏辰睿泽航铭煜凯宸豪瑞逸然天明阳乐诚安嘉皓霖子"
GIVEN_FEMALE = "芳娜敏静丽婷雪琳欣怡涵萱彤可诗雨梦佳悦颖晴妍思语紫若馨月瑶琪薇蕾洁雅婉安子嘉"
GIVEN_ADULT = "国华建平志红英秀兰玉金海军桂芳明丽霞伟东强春燕永庆立新德福荣敏"
STREETS = (
    "人民",
    "解放",
    "建设",
    "和平",
    "中山",
    "新华",
    "胜利",
    "光明",
    "幸福",
    "文化",
    "朝阳",
    "长江",
    "黄河",
    "青年",
    "东风",
    "团结",
    "振兴",
    "育才",
    "迎宾",
    "滨江",
    "花园",
    "学府",
    "春晖",
    "望湖",
)
STREET_KINDS = ("路", "街", "大道", "巷")
MOBILE_PREFIXES = (
    130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157, 158,
    159, 166, 173, 175, 176, 177, 178, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 198, 199,
)  # fmt: skip

IntArray = NDArray[np.int64]
StrArray = NDArray[np.str_]


@dataclass(frozen=True)
class IdNumber:
    area_code: str
    birth_date: date
    male: bool


def check_character(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    total = sum(int(c) * int(w) for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def parse_id_number(text: str) -> IdNumber | None:
    """The fields of a valid 18-digit resident ID number, or None if it is not valid.

    Valid means: 17 digits and a check character (``X`` in either case), a known
    province-level area prefix (mainland GB/T 2260 codes, or 81/82/83 for residence permits),
    a real calendar date from 1800 on (the standard's own example is from 1880), and the right
    ISO 7064 MOD 11-2 check character.
    """
    if not _ID_PATTERN.match(text) or text[:2] not in ID_AREA_PREFIXES:
        return None
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return None
    if born.year < 1800 or check_character(text[:17]) != text[17].upper():
        return None
    return IdNumber(text[:6], born, int(text[16]) % 2 == 1)


def id_number_is_valid(text: str) -> bool:
    return parse_id_number(text) is not None


def _date_parts(days: NDArray[np.datetime64]) -> tuple[IntArray, IntArray, IntArray]:
    d = days.astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (d - months).astype(np.int64) + 1
    return year, month, day


def area_codes(provinces: StrArray, rng: np.random.Generator) -> IntArray:
    """A district of the province's capital for each patient (the ID number's area code)."""
    out = np.zeros(len(provinces), dtype=np.int64)
    for province in PROVINCES:
        rows = np.flatnonzero(provinces == province.code)
        codes = np.array([code for code, _ in province.districts], dtype=np.int64)
        out[rows] = codes[rng.integers(0, len(codes), len(rows))]
    return out


def _digits_to_text(digits: NDArray[np.int64], width: int) -> StrArray:
    """Rows of code points to a ``<U{width}`` array (numpy views UCS-4 rows as strings)."""
    return np.ascontiguousarray(digits, dtype=np.uint32).view(f"<U{width}").ravel()


def id_numbers(
    areas: IntArray,
    birth_dates: NDArray[np.datetime64],
    male: NDArray[np.bool_],
    rng: np.random.Generator,
) -> StrArray:
    """Unique GB 11643 numbers agreeing with each patient's area, birth date and sex."""
    year, month, day = _date_parts(birth_dates)
    stem = areas * 10**11 + (year * 10000 + month * 100 + day) * 1000
    parity = male.astype(np.int64)
    if len(stem) and np.unique(stem + parity, return_counts=True)[1].max() > 499:
        raise ValueError("more than 499 people of one sex born on one day in one district")
    first17 = stem + 2 * rng.integers(1, 500, len(stem)) + parity
    while True:  # the sequence number separates people born on one day in one district
        _, first = np.unique(first17, return_index=True)
        clash = np.ones(len(first17), dtype=bool)
        clash[first] = False
        if not clash.any():
            break
        first17[clash] = stem[clash] + 2 * rng.integers(1, 500, int(clash.sum())) + parity[clash]
    digits = (first17[:, None] // 10 ** np.arange(16, -1, -1, dtype=np.int64)) % 10
    check = np.array([ord(c) for c in CHECK_CHARACTERS], dtype=np.int64)[(digits @ ID_WEIGHTS) % 11]
    return _digits_to_text(np.column_stack([digits + ord("0"), check]), 18)


def unique_numbers(n: int, low: int, high: int, rng: np.random.Generator) -> IntArray:
    """``n`` distinct integers drawn from [low, high)."""
    values = rng.integers(low, high, n)
    while True:
        _, first = np.unique(values, return_index=True)
        clash = np.ones(n, dtype=bool)
        clash[first] = False
        if not clash.any():
            return values
        values[clash] = rng.integers(low, high, int(clash.sum()))


def mobile_numbers(n: int, rng: np.random.Generator) -> StrArray:
    """Unique 11-digit mobile numbers with real operator prefixes."""
    prefixes = np.array(MOBILE_PREFIXES, dtype=np.int64)
    numbers = unique_numbers(n, 0, len(prefixes) * 10**8, rng)
    return (prefixes[numbers // 10**8] * 10**8 + numbers % 10**8).astype("U11")


def _pick(chars: str, idx: IntArray) -> StrArray:
    return np.array(list(chars))[idx]


def _zipf_weights(n: int, exponent: float) -> NDArray[np.float64]:
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return np.asarray(weights / weights.sum(), dtype=np.float64)


def surnames(n: int, rng: np.random.Generator) -> StrArray:
    names = _pick(SURNAMES, rng.choice(len(SURNAMES), n, p=_zipf_weights(len(SURNAMES), 0.9)))
    compound = rng.random(n) < 0.003
    names = names.astype("U2")
    names[compound] = np.array(COMPOUND_SURNAMES)[rng.integers(0, 5, int(compound.sum()))]
    return names


def given_names(male: NDArray[np.bool_], rng: np.random.Generator, pool: str = "") -> StrArray:
    """One or two characters; sex-specific pools unless ``pool`` is given."""
    n = len(male)

    def one() -> StrArray:
        if pool:
            return _pick(pool, rng.integers(0, len(pool), n))
        boys = _pick(GIVEN_MALE, rng.integers(0, len(GIVEN_MALE), n))
        girls = _pick(GIVEN_FEMALE, rng.integers(0, len(GIVEN_FEMALE), n))
        return np.where(male, boys, girls)

    first, second = one(), one()
    return np.strings.add(first, np.where(rng.random(n) < 0.75, second, ""))


def person_names(male: NDArray[np.bool_], rng: np.random.Generator) -> StrArray:
    return np.strings.add(surnames(len(male), rng), given_names(male, rng))


def guardian_names(
    child_names: StrArray, male_child: NDArray[np.bool_], rng: np.random.Generator
) -> StrArray:
    """A parent: the father shares the child's surname, the mother usually does not."""
    n = len(child_names)
    father = rng.random(n) < 0.55
    own = np.where(
        np.isin(np.strings.slice(child_names, 0, 2), COMPOUND_SURNAMES),
        np.strings.slice(child_names, 0, 2),
        np.strings.slice(child_names, 0, 1),
    )
    family = np.where(father, own, surnames(n, rng))
    return np.strings.add(family, given_names(male_child, rng, pool=GIVEN_ADULT))


def addresses(provinces: StrArray, areas: IntArray, rng: np.random.Generator) -> StrArray:
    """Province, capital, district, then a synthetic 测试 street, number, building and room."""
    n = len(provinces)
    region = np.empty(n, dtype="U24")
    for province in PROVINCES:
        for code, district in province.districts:
            region[(provinces == province.code) & (areas == code)] = (
                province.name + province.city + district
            )
    street = np.strings.add("测试", np.array(STREETS)[rng.integers(0, len(STREETS), n)])
    kind = np.array(STREET_KINDS)[rng.choice(4, n, p=[0.55, 0.25, 0.1, 0.1])]
    number = rng.integers(1, 400, n).astype("U3")
    building = np.strings.add(rng.integers(1, 30, n).astype("U2"), "栋")
    room = np.strings.add((rng.integers(1, 33, n) * 100 + rng.integers(1, 9, n)).astype("U4"), "室")
    flat = np.where(rng.random(n) < 0.8, np.strings.add(building, room), "")
    parts = (region, street, kind, number, np.full(n, "号"), flat)
    out = parts[0]
    for part in parts[1:]:
        out = np.strings.add(out, part)
    return out


def medical_record_numbers(n: int, rng: np.random.Generator) -> StrArray:
    """Unique 10-digit hospital record numbers (病案号)."""
    return unique_numbers(n, 10**9, 10**10, rng).astype("U10")


def insurance_numbers(provinces: StrArray, rng: np.random.Generator) -> StrArray:
    """Unique medical-insurance numbers: 'YB', the province code and 12 digits."""
    digits = unique_numbers(len(provinces), 10**11, 10**12, rng).astype("U12")
    return np.strings.add(np.strings.add("YB", provinces), digits)


def province_name(code: str) -> str:
    return PROVINCE_BY_CODE[code].name
