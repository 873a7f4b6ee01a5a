"""Equivalence classes of a row-level table: integer codes, class ids, class sizes, and the
(class, sensitive value) counts every attribute-disclosure measure is built from.

Everything is vectorised numpy (one sort or hash per column, no loop over classes), which is
what makes the gate cheap on a million rows. A table is anything that gives a column by name
(``table[name]``): a ``dict`` of numpy arrays, ``DuckDBPyRelation.fetchnumpy()``'s result or a
pandas DataFrame.

Missing values (None, NaN, NaT, a masked DuckDB NULL) in a quasi-identifier or a sensitive
column are one category of their own ("missing" is information an attacker sees). pycanon
drops rows with a missing quasi-identifier instead (pandas ``groupby`` drops NaN keys); this
is a deliberate difference: a release that contains those rows must be judged with them.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

_KEY_LIMIT = 1 << 62  # combined keys stay below this; beyond it they are re-coded first


class Table(Protocol):
    def __getitem__(self, name: str, /) -> Any: ...


def _pandas() -> Any:
    """pandas when it is installed (it hashes strings ~10x faster than numpy sorts them)."""
    try:
        return importlib.import_module("pandas")
    except ImportError:  # pragma: no cover - pandas is present wherever the tests run
        return None


def column(table: Table, name: str) -> npt.NDArray[Any]:
    """A column as a numpy array; masked entries (DuckDB NULLs) become None/NaN."""
    try:
        values = table[name]
    except (KeyError, IndexError) as err:
        raise ValueError(f"the table has no column {name!r}") from err
    if isinstance(values, np.ma.MaskedArray):
        masked: Any = values
        if masked.dtype.kind == "f":
            return np.asarray(masked.filled(np.nan))
        return np.asarray(masked.astype(object).filled(None))
    return np.asarray(values)


def is_numeric(values: npt.NDArray[Any]) -> bool:
    """pycanon's (pandas') rule: booleans, integers and floats are numeric; the rest is not."""
    return values.dtype.kind in "biuf"


def encode(values: npt.NDArray[Any], ordered: bool = False) -> tuple[IntArray, int]:
    """Integer codes 0..m-1 for the distinct values, and m. With ``ordered`` the codes follow
    the sorted order of the values (needed by the ordered distance of t-closeness); a missing
    value then sorts last."""
    if values.dtype.kind in "biu":
        uniq, inverse = np.unique(values, return_inverse=True)
        return inverse.astype(np.int64, copy=False).reshape(-1), len(uniq)
    if values.dtype.kind == "f":
        # numpy sorts NaN last and, since 1.21, folds all NaNs into one value
        uniq, inverse = np.unique(values, return_inverse=True)
        return inverse.astype(np.int64, copy=False).reshape(-1), len(uniq)
    pd = _pandas()
    if pd is not None:
        codes, uniq = pd.factorize(values, sort=ordered, use_na_sentinel=False)
        return np.asarray(codes, dtype=np.int64), len(uniq)
    index: dict[Any, int] = {}
    missing = len(values)  # placeholder code, replaced below
    out = np.empty(len(values), dtype=np.int64)
    for i, value in enumerate(values.tolist()):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            out[i] = missing
        else:
            out[i] = index.setdefault(value, len(index))
    if (out == missing).any():
        out[out == missing] = len(index)
        return out, len(index) + 1
    return out, len(index)


def factorize_keys(keys: IntArray) -> tuple[IntArray, int]:
    """Dense ids 0..c-1 for int64 keys (hash when pandas is present, else a sort)."""
    pd = _pandas()
    if pd is not None:
        codes, uniq = pd.factorize(keys, sort=False)
        return np.asarray(codes, dtype=np.int64), len(uniq)
    uniq, inverse = np.unique(keys, return_inverse=True)
    return inverse.astype(np.int64, copy=False).reshape(-1), len(uniq)


def combine(codes: list[tuple[IntArray, int]], rows: int) -> tuple[IntArray, int]:
    """Class ids of the rows from the codes of several columns (mixed radix, re-coded when the
    product of the cardinalities would overflow)."""
    if not codes:
        return np.zeros(rows, dtype=np.int64), 1 if rows else 0
    key, card = codes[0][0], codes[0][1]
    for col, m in codes[1:]:
        if card * m >= _KEY_LIMIT:
            key, card = factorize_keys(key)
        key = key * m + col
        card *= m
    return factorize_keys(key)


@dataclass(frozen=True)
class SensitiveCounts:
    """How often each sensitive value occurs in each class: one entry per (class, value) pair
    present, sorted by class and then by value code."""

    name: str
    numeric: bool
    levels: int  # distinct values in the whole table (m)
    pair_class: IntArray
    pair_value: IntArray
    pair_count: IntArray
    global_count: IntArray  # per value code, length m


@dataclass(frozen=True)
class EquivalenceClasses:
    """The classes a set of quasi-identifiers induces on a table."""

    rows: int
    ids: IntArray  # class id per row
    sizes: IntArray  # rows per class

    @property
    def count(self) -> int:
        return len(self.sizes)

    @classmethod
    def of(cls, qi_codes: list[tuple[IntArray, int]], rows: int) -> EquivalenceClasses:
        ids, n_classes = combine(qi_codes, rows)
        sizes = np.bincount(ids, minlength=n_classes).astype(np.int64, copy=False)
        return cls(rows, ids, sizes)

    def sensitive(self, name: str, values: npt.NDArray[Any]) -> SensitiveCounts:
        numeric = is_numeric(values)
        codes, m = encode(values, ordered=numeric)
        pair_key = self.ids * m + codes
        uniq, counts = np.unique(pair_key, return_counts=True)
        return SensitiveCounts(
            name=name,
            numeric=numeric,
            levels=m,
            pair_class=uniq // m,
            pair_value=uniq % m,
            pair_count=counts.astype(np.int64, copy=False),
            global_count=np.bincount(codes, minlength=m).astype(np.int64, copy=False),
        )


def encode_columns(table: Table, names: list[str]) -> tuple[list[tuple[IntArray, int]], int]:
    """The codes of each named column and the common row count."""
    encoded = []
    rows = -1
    for name in names:
        values = column(table, name)
        if values.ndim != 1:
            raise ValueError(f"column {name!r} is not one-dimensional")
        if rows not in (-1, len(values)):
            raise ValueError(f"column {name!r} has {len(values)} rows, the others {rows}")
        rows = len(values)
        encoded.append(encode(values))
    return encoded, max(rows, 0)
