"""Generalisation hierarchies of the quasi-identifiers (R5 L2, R28), as full-domain tables.

A :class:`Hierarchy` lists the base values of one quasi-identifier and, for each level, the
label every base value generalises to; level 0 is the value itself and the last level is
``*`` (everything). Missing values are the base value ``unknown``, which stays ``unknown`` up to
the top level. The hierarchies:

- age band: ``policy.AGE_BANDS`` -> 0-4 / 5-14 / 15-17 / 18+ -> 0-17 / 18+ -> *
- date: day -> month -> year -> *, or month -> year -> *, or year -> * (by the values' form)
- province: GB/T 2260 code -> one of China's seven geographic regions (+ HK, Macao, Taiwan)
  -> *; region: region -> *
- sex: M / F -> *
- diagnosis: Orphanet code -> disease group -> *. The groups are ICD-10 chapters of the
  diseases' ICD-10 codes (``custodian.cohort.diseases``); a code with none is in ``other``.
- anything else: value -> * (``flat``).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cohortgate.policy import AGE_BANDS

pd: Any = importlib.import_module("pandas")  # untyped; present wherever the custodian runs

MISSING = "unknown"
ALL = "*"
ObjArray = npt.NDArray[np.object_]
IntArray = npt.NDArray[np.int64]

# GB/T 2260 province code -> geographic region (the conventional seven 地理大区, plus 港澳台).
REGIONS: dict[str, str] = {
    **dict.fromkeys(("11", "12", "13", "14", "15"), "North China"),
    **dict.fromkeys(("21", "22", "23"), "Northeast China"),
    **dict.fromkeys(("31", "32", "33", "34", "35", "36", "37"), "East China"),
    **dict.fromkeys(("41", "42", "43"), "Central China"),
    **dict.fromkeys(("44", "45", "46"), "South China"),
    **dict.fromkeys(("50", "51", "52", "53", "54"), "Southwest China"),
    **dict.fromkeys(("61", "62", "63", "64", "65"), "Northwest China"),
    **dict.fromkeys(("71", "81", "82"), "Hong Kong, Macao and Taiwan"),
}

# ICD-10 chapter of a code (letter, first two digits) -> disease group label.
_CHAPTERS: tuple[tuple[str, str, str], ...] = (
    ("A00", "B99", "infectious"),
    ("C00", "D48", "neoplasms"),
    ("D50", "D89", "blood and immune"),
    ("E00", "E90", "endocrine and metabolic"),
    ("F00", "F99", "mental and behavioural"),
    ("G00", "G99", "nervous system"),
    ("H00", "H95", "eye and ear"),
    ("I00", "I99", "circulatory"),
    ("J00", "J99", "respiratory"),
    ("K00", "K93", "digestive"),
    ("L00", "L99", "skin"),
    ("M00", "M99", "musculoskeletal"),
    ("N00", "N99", "genitourinary"),
    ("Q00", "Q99", "congenital and chromosomal"),
)

_AGE_COARSE = {
    "<1": "0-4",
    "1-4": "0-4",
    "5-9": "5-14",
    "10-14": "5-14",
    "15-17": "15-17",
    "18+": "18+",
}
_AGE_COARSER = {"0-4": "0-17", "5-14": "0-17", "15-17": "0-17", "18+": "18+"}


@dataclass(frozen=True)
class Hierarchy:
    """Full-domain generalisation of one quasi-identifier (see the module doc)."""

    levels: tuple[str, ...]  # level names, e.g. ("province", "region", "*")
    table: tuple[ObjArray, ...]  # per level: the label of each base value (table[0]: values)

    def __post_init__(self) -> None:
        if len(self.levels) != len(self.table) or len(self.levels) < 2:
            raise ValueError("a hierarchy needs a name and a label column per level (>= 2)")
        size = len(self.table[0])
        if any(len(col) != size for col in self.table) or len(set(self.table[0])) != size:
            raise ValueError("hierarchy columns differ in length or base values repeat")

    @property
    def values(self) -> ObjArray:
        return self.table[0]

    @property
    def height(self) -> int:
        return len(self.levels)

    def encode(self, column: npt.NDArray[Any]) -> IntArray:
        """The base value index of each entry (dates as ISO strings, missing as ``unknown``).
        Distinct values are found first (a sort of days, or a hash), and only those are
        turned into labels and looked up."""
        inverse, labels = _distinct_labels(column)
        index = np.asarray(pd.Index(self.values).get_indexer(labels), dtype=np.int64)
        if (index < 0).any():
            unknown = sorted(set(labels[index < 0].tolist()))[:5]
            raise ValueError(f"value(s) {unknown} are not in the hierarchy's base values")
        return np.asarray(index[inverse], dtype=np.int64)

    def level_codes(self, level: int) -> tuple[IntArray, int]:
        """Per base value, the dense code of its label at ``level``; and how many labels."""
        codes, uniq = pd.factorize(self.table[level], sort=False)
        return np.asarray(codes, dtype=np.int64), len(uniq)

    def leaf_loss(self, level: int) -> npt.NDArray[np.float64]:
        """Iyengar's loss of each base value at ``level``: (leaves of its label - 1) /
        (leaves of the whole domain - 1); 0 for the values themselves, 1 for ``*``."""
        codes, _ = self.level_codes(level)
        leaves = np.bincount(codes)[codes]
        domain = len(self.values)
        if domain <= 1:
            return np.zeros(domain)
        return np.asarray((leaves - 1) / (domain - 1), dtype=np.float64)


def as_labels(column: npt.NDArray[Any]) -> ObjArray:
    """Strings of a column: dates as ISO days, missing (None, NaN, NaT) as ``unknown``."""
    values = np.asarray(column)
    if values.dtype.kind == "M":
        days = values.astype("datetime64[D]")
        text = np.datetime_as_string(days).astype(object)
        text[np.isnat(days)] = MISSING
        return np.asarray(text, dtype=object)
    series = pd.Series(values, dtype=object)
    missing = series.isna().to_numpy()
    out = series.astype(str).to_numpy(dtype=object)
    out[missing] = MISSING
    return np.asarray(out)


def _distinct_labels(column: npt.NDArray[Any]) -> tuple[IntArray, ObjArray]:
    """(index of each entry into the labels, the labels of the distinct values)."""
    values = np.asarray(column)
    if values.dtype.kind == "M":
        uniq, inverse = np.unique(values.astype("datetime64[D]"), return_inverse=True)
        return np.asarray(inverse, dtype=np.int64).reshape(-1), as_labels(uniq)
    codes, uniq = pd.factorize(values, use_na_sentinel=True)
    labels = np.append(as_labels(np.asarray(uniq, dtype=object)), MISSING).astype(object)
    codes = np.asarray(codes, dtype=np.int64)
    return np.where(codes < 0, len(labels) - 1, codes), labels


def _build(levels: Sequence[str], columns: Sequence[Sequence[Any]]) -> Hierarchy:
    return Hierarchy(tuple(levels), tuple(np.asarray(list(c), dtype=object) for c in columns))


def flat(values: npt.NDArray[Any]) -> Hierarchy:
    """value -> * for the distinct values of a column."""
    base = sorted(set(_distinct_labels(values)[1].tolist()))
    return _build(("value", ALL), (base, [ALL] * len(base)))


def sex() -> Hierarchy:
    base = ["F", "M", MISSING]
    return _build(("sex", ALL), (base, [ALL] * 3))


def age_band() -> Hierarchy:
    base = [label for label, _, _ in AGE_BANDS]
    coarse = [_AGE_COARSE[b] for b in base]
    return _build(
        ("band", "coarse band", "child/adult", ALL),
        (
            [*base, MISSING],
            [*coarse, MISSING],
            [*(_AGE_COARSER[c] for c in coarse), MISSING],
            [ALL] * (len(base) + 1),
        ),
    )


def province() -> Hierarchy:
    base = sorted(REGIONS)
    return _build(
        ("province", "region", ALL),
        ([*base, MISSING], [*(REGIONS[b] for b in base), MISSING], [ALL] * (len(base) + 1)),
    )


def region() -> Hierarchy:
    base = sorted(set(REGIONS.values()))
    return _build(("region", ALL), ([*base, MISSING], [ALL] * (len(base) + 1)))


def date(values: npt.NDArray[Any]) -> Hierarchy:
    """Day -> month -> year -> *, starting at the finest form the values have (ISO day
    'YYYY-MM-DD', month 'YYYY-MM' or year 'YYYY'; datetime64 is days)."""
    labels = sorted(set(_distinct_labels(values)[1].tolist()) - {MISSING})
    widths = {len(v) for v in labels} or {10}
    if len(widths) != 1 or widths - {10, 7, 4}:
        raise ValueError("dates must all be days (YYYY-MM-DD), months (YYYY-MM) or years")
    width = widths.pop()
    names = {10: ("day", "month", "year"), 7: ("month", "year"), 4: ("year",)}[width]
    cuts = {"day": 10, "month": 7, "year": 4}
    columns = [[v[: cuts[name]] for v in labels] + [MISSING] for name in names]
    columns.append([ALL] * (len(labels) + 1))
    return _build((*names, ALL), columns)


def disease_groups() -> dict[str, str]:
    """Orphanet code -> disease group of the synthetic cohort's diseases (ICD-10 chapter)."""
    from cohortgate.custodian.cohort.diseases import DISEASES

    return {spec.orpha: icd10_group(spec.icd10) for spec in DISEASES}


def icd10_group(code: str) -> str:
    key = code[:3].upper()
    for low, high, group in _CHAPTERS:
        if low <= key <= high:
            return group
    return "other"


def diagnosis(values: npt.NDArray[Any], groups: Mapping[str, str] | None = None) -> Hierarchy:
    """Orphanet code -> disease group -> * for the codes present (and those ``groups`` names)."""
    groups = disease_groups() if groups is None else groups
    base = sorted((set(_distinct_labels(values)[1].tolist()) | set(groups)) - {MISSING})
    return _build(
        ("code", "group", ALL),
        (
            [*base, MISSING],
            [*(groups.get(b, "other") for b in base), MISSING],
            [ALL] * (len(base) + 1),
        ),
    )
