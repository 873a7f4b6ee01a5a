"""Event times as a recipient reads them from released tables (R28): the date values of a
release parsed to positions on a time scale, coarsened to a unit, and per-person sequences.

A released date is one of (the forms de-identification and generalisation produce):

- ``datetime64`` days, or ``'YYYY-MM-DD'``: a day (shifted by the patient's keyed offset);
- ``'YYYY-MM'``: a month; ``'YYYY-Qn'``: a quarter; ``'YYYY'``: a year;
- ``'YYYY-YYYY'``: a span of ``SPAN_YEARS`` years starting at a multiple of ``SPAN_YEARS``;
- ``'*'``: suppressed (present, but no time); None, NaN, NaT or ``'unknown'``: missing.

``parse`` gives each value its unit and the first day it covers; ``index_at`` its position at
a unit at least as coarse (what a recipient can compare and subtract); ``coarsen`` the labels of
the same values at a coarser unit (what de-identification releases). ``sequence_ids`` numbers
the distinct per-person sequences of codes exactly (no hashing), in time linear in the rows.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from cohortgate.custodian.risk.classes import IntArray, factorize_keys

pd: Any = importlib.import_module("pandas")  # untyped; present wherever the custodian runs

SPAN_YEARS = 5
SUPPRESSED = "*"
_MISSING_LABELS = {"unknown", "", "NaT", "nan", "None"}
NO_TIME = np.int64(-(1 << 40))  # index of a suppressed or missing value (below any real one)


class Unit(IntEnum):
    """Time units, finest first; ``ALL`` is a suppressed value (``'*'``)."""

    DAY = 0
    MONTH = 1
    QUARTER = 2
    YEAR = 3
    SPAN = 4
    ALL = 5


MISSING_UNIT = -1


@dataclass(frozen=True)
class Times:
    """Per value: its unit (``MISSING_UNIT`` when missing) and the first day it covers (days
    since 1970-01-01; 0 when suppressed or missing)."""

    unit: npt.NDArray[np.int8]
    start: IntArray

    @property
    def coarsest(self) -> Unit:
        """The coarsest unit of the present, unsuppressed values (``DAY`` if there is none)."""
        present = self.unit[(self.unit >= 0) & (self.unit < Unit.ALL)]
        return Unit(int(present.max())) if len(present) else Unit.DAY

    @property
    def timed(self) -> npt.NDArray[np.bool_]:
        """Values that carry a time (neither missing nor suppressed)."""
        return np.asarray((self.unit >= 0) & (self.unit < Unit.ALL))

    def take(self, index: IntArray) -> Times:
        return Times(self.unit[index], self.start[index])


def _parse_label(label: Any) -> tuple[int, int]:
    """(unit, first day) of one distinct released value."""
    if label is None or (isinstance(label, float) and np.isnan(label)):
        return MISSING_UNIT, 0
    text = str(label).strip()
    if text in _MISSING_LABELS:
        return MISSING_UNIT, 0
    if text == SUPPRESSED:
        return int(Unit.ALL), 0
    try:
        if len(text) >= 10 and text[4] == "-" and text[7] == "-":
            return int(Unit.DAY), int(np.datetime64(text[:10], "D").astype(np.int64))
        if len(text) == 7 and text[5] == "Q":
            month = (int(text[6]) - 1) * 3 + 1
            day = np.datetime64(f"{text[:4]}-{month:02d}-01", "D")
            return int(Unit.QUARTER), int(day.astype(np.int64))
        if len(text) == 7:
            return int(Unit.MONTH), int(np.datetime64(text + "-01", "D").astype(np.int64))
        if len(text) == 4:
            return int(Unit.YEAR), int(np.datetime64(text + "-01-01", "D").astype(np.int64))
        if len(text) == 9 and text[4] == "-":
            return int(Unit.SPAN), int(np.datetime64(text[:4] + "-01-01", "D").astype(np.int64))
    except ValueError:
        pass
    raise ValueError(f"{text!r} is not a released date (day, month, quarter, year, span or '*')")


def parse(values: npt.NDArray[Any]) -> Times:
    """Units and first days of a column of released dates (see the module doc); the distinct
    values are parsed once."""
    values = np.asarray(values)
    if values.dtype.kind == "M":
        days = values.astype("datetime64[D]")
        missing = np.isnat(days)
        start = np.where(missing, 0, days.astype(np.int64))
        unit = np.where(missing, MISSING_UNIT, int(Unit.DAY)).astype(np.int8)
        return Times(unit, start.astype(np.int64))
    codes, uniq = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    parsed = [_parse_label(u) for u in uniq.tolist()] + [(MISSING_UNIT, 0)]
    units = np.array([u for u, _ in parsed], dtype=np.int8)
    starts = np.array([s for _, s in parsed], dtype=np.int64)
    index = np.where(np.asarray(codes) < 0, len(uniq), np.asarray(codes))
    return Times(units[index], starts[index])


def _months(start: IntArray) -> IntArray:
    return np.asarray(start.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64))


def index_at(times: Times, unit: Unit) -> IntArray:
    """Each value's position at ``unit`` (days, months, quarters, years or spans since the
    epoch; floor division before 1970); ``NO_TIME`` where it has no time or is coarser."""
    start = times.start
    if unit is Unit.DAY:
        index = start.copy()
    elif unit is Unit.MONTH:
        index = _months(start)
    elif unit is Unit.QUARTER:
        index = _months(start) // 3
    elif unit is Unit.YEAR:
        index = _months(start) // 12
    elif unit is Unit.SPAN:
        index = (_months(start) // 12 + 1970) // SPAN_YEARS
    else:
        index = np.zeros(len(start), dtype=np.int64)
    usable = times.timed & (times.unit <= unit)
    return np.where(usable, index, NO_TIME).astype(np.int64)


def _labels_at(start: IntArray, unit: Unit) -> npt.NDArray[np.object_]:
    """Labels of first days at ``unit`` (the distinct values only: few)."""
    days = start.astype("datetime64[D]")
    if unit is Unit.DAY:
        return np.asarray(np.datetime_as_string(days).astype(object))
    if unit is Unit.MONTH:
        return np.asarray(np.datetime_as_string(days.astype("datetime64[M]")).astype(object))
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    if unit is Unit.QUARTER:
        quarter = _months(start) % 12 // 3 + 1
        return np.array([f"{y}-Q{q}" for y, q in zip(years, quarter, strict=True)], dtype=object)
    if unit is Unit.YEAR:
        return np.array([str(y) for y in years], dtype=object)
    if unit is Unit.SPAN:
        low = years // SPAN_YEARS * SPAN_YEARS
        return np.array([f"{y}-{y + SPAN_YEARS - 1}" for y in low], dtype=object)
    return np.full(len(start), SUPPRESSED, dtype=object)


def coarsen(values: npt.NDArray[Any], unit: Unit) -> npt.NDArray[Any]:
    """The released labels of ``values`` at ``unit`` (values already coarser keep theirs;
    missing stays None). Days of a ``datetime64`` column stay ``datetime64`` at ``DAY``."""
    values = np.asarray(values)
    if unit is Unit.DAY and values.dtype.kind == "M":
        return values
    codes, uniq = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    times = parse(np.asarray(uniq, dtype=object))
    labels = np.array([None] * (len(uniq) + 1), dtype=object)
    finer = times.timed & (times.unit < unit)
    labels[: len(uniq)][finer] = _labels_at(times.start[finer], unit)
    same = ~finer & (times.unit >= 0)
    labels[: len(uniq)][same] = np.asarray(uniq, dtype=object)[same]
    if unit is Unit.ALL:
        labels[: len(uniq)][times.unit >= 0] = SUPPRESSED
    index = np.where(np.asarray(codes) < 0, len(uniq), np.asarray(codes))
    return np.asarray(labels[index])


def sequence_ids(
    owner: IntArray,
    codes: IntArray,
    persons: int,
    order: IntArray | None = None,
    presorted: bool = False,
) -> tuple[IntArray, int]:
    """Dense ids of the per-person sequences of ``codes`` (rows of ``owner``, sorted by
    ``order`` then code within a person; ``presorted``: the rows are in that order already):
    equal ids exactly for equal sequences, the empty sequence included. One pass per
    position, each over the persons that reach it."""
    counts = np.bincount(owner, minlength=persons).astype(np.int64)
    if len(owner) == 0:
        return np.zeros(persons, dtype=np.int64), 1
    if presorted:
        owner_s, codes_s = owner, codes
    else:
        sort = np.lexsort((codes, codes if order is None else order, owner))
        owner_s, codes_s = owner[sort], codes[sort]
    position = np.arange(len(owner_s)) - (np.cumsum(counts) - counts)[owner_s]
    by_position = np.argsort(position, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(position))])
    radix = int(codes.max()) + 1
    seq = np.zeros(persons, dtype=np.int64)
    for i in range(len(bounds) - 1):
        rows = by_position[bounds[i] : bounds[i + 1]]
        who = owner_s[rows]
        seq[who], _ = factorize_keys(seq[who] * radix + codes_s[rows])
    return factorize_keys(seq * (int(counts.max()) + 1) + counts)
