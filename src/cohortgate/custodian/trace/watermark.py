"""The per-recipient fingerprint of a release, embedded in its values (R25).

How the release pipeline calls this module, after de-identification and BEFORE the
re-identification gate and the package:

1. de-identify WITHOUT ``extra_days`` (base date shift only); keep that table: it is the
   "original" the tracer compares a leak with (the vault holds the keys that regenerate it, or
   the table itself);
2. ``plan = plan_for(table, quasi_identifiers)`` (which columns carry marks; QIs never do);
3. ``marked = embed(table, key=keys.watermark_key, row_keys=..., patient_keys=..., plan=plan)``
   with, per row, the custodian's STABLE row key (the cohort's own record id, e.g.
   ``"P00001234/V0003"`` for a visit row: never the release pseudonym, never released) and the
   cohort patient id;
4. run the gate on ``marked.table`` (its figures equal the unmarked table's: QIs and
   categorical values are untouched) and package ``marked.table``;
5. store ``plan.to_dict()`` with the release in the vault (the tracer needs it).

Tables are plain numpy columns (dates ``datetime64``, measurements ``float64``, categories
``object`` str); fill DuckDB's masked NULLs first (NaT, NaN, None): a mask is not kept.

Alternatively the de-identifier may apply the extra day itself: pass
``patient_extra_days(key, patient_keys)`` as its ``extra_days`` and call ``embed`` with
``apply_dates=False``; the "original" kept for tracing must then still be the table without it.

What changes (see ``watermark_policy``): every exact date of a patient moves by the same -1/+1
day; a keyed 3/4 of the tolerant measurement cells move one step up or down. Nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from cohortgate.custodian.trace import policy
from cohortgate.custodian.trace.fingerprint import patient_marks, row_marks

Columns = dict[str, npt.NDArray[Any]]


@dataclass(frozen=True)
class NumericCarrier:
    column: str
    step: float  # one mark step, in the column's unit
    decimals: int  # the column's recorded precision after marking


@dataclass(frozen=True)
class WatermarkPlan:
    """Which columns of one release carry the fingerprint, in slot order (the order fixes
    which bytes of a row's keyed hash mark which column: store the plan with the release)."""

    numeric: tuple[NumericCarrier, ...] = ()
    dates: tuple[str, ...] = ()
    numeric_share: float = policy.NUMERIC_CARRIER_SHARE
    date_share: float = policy.DATE_CARRIER_SHARE
    version: int = 1

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c.column for c in self.numeric) + self.dates

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "numeric": [[c.column, c.step, c.decimals] for c in self.numeric],
            "dates": list(self.dates),
            "numeric_share": self.numeric_share,
            "date_share": self.date_share,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WatermarkPlan:
        if data.get("version") != 1:
            raise ValueError(f"unknown watermark plan version {data.get('version')!r}")
        return cls(
            numeric=tuple(NumericCarrier(str(c), float(s), int(d)) for c, s, d in data["numeric"]),
            dates=tuple(str(d) for d in data["dates"]),
            numeric_share=float(data["numeric_share"]),
            date_share=float(data["date_share"]),
        )


@dataclass(frozen=True)
class Watermarked:
    table: Columns  # the marked release table (same columns, rows and order as the input)
    plan: WatermarkPlan
    extra_days: npt.NDArray[np.int8]  # per row: the patient's extra day (-1, 0, +1)
    marked_cells: dict[str, int] = field(default_factory=dict)  # column -> cells changed


def is_date(values: npt.NDArray[Any]) -> bool:
    return values.dtype.kind == "M"


def plan_for(
    table: Mapping[str, npt.NDArray[Any]],
    quasi_identifiers: Sequence[str],
    *,
    tolerance: Mapping[str, float] = policy.NUMERIC_TOLERANCE,
    decimals: Mapping[str, int] = policy.NUMERIC_DECIMALS,
) -> WatermarkPlan:
    """The carriers of ``table``: its tolerant measurement columns that are not
    quasi-identifiers (the gate's classes must not move), and ALL its exact-date columns
    (``datetime64``), so that every date of a patient moves together; when one of them is a
    quasi-identifier, no date carries a mark."""
    qi = set(quasi_identifiers)
    numeric = tuple(
        NumericCarrier(name, float(step), int(decimals.get(name, 1)))
        for name, step in tolerance.items()
        if name in table and name not in qi and np.asarray(table[name]).dtype.kind in "iuf"
    )
    date_columns = tuple(name for name in table if is_date(np.asarray(table[name])))
    if qi & set(date_columns):
        # an exact date the gate classes on must not move, and moving the patient's other
        # dates without it would break the intervals: no date carries a mark then
        date_columns = ()
    return WatermarkPlan(numeric=numeric, dates=date_columns)


def patient_extra_days(
    key: bytes, patient_keys: Sequence[Any], share: float = policy.DATE_CARRIER_SHARE
) -> npt.NDArray[np.int8]:
    """Per row: the extra day added to its patient's whole date shift (-1 or +1; 0 for a
    patient the keyed hash did not select). The de-identifier's ``extra_days``."""
    return patient_marks(key, patient_keys, share) * np.int8(policy.DATE_STEP_DAYS)


def eligible(values: npt.NDArray[np.float64], step: float) -> npt.NDArray[np.bool_]:
    """Cells a measurement mark may use: recorded, and far enough from zero that one step down
    stays positive. Depends on the original value only, so the tracer recomputes it."""
    return np.asarray(np.isfinite(values) & (values >= 2 * step), dtype=np.bool_)


def embed(
    table: Mapping[str, npt.NDArray[Any]],
    *,
    key: bytes,
    row_keys: Sequence[Any],
    patient_keys: Sequence[Any],
    plan: WatermarkPlan,
    quasi_identifiers: Sequence[str] = (),
    apply_dates: bool = True,
) -> Watermarked:
    """Mark ``table`` for the recipient whose release has watermark ``key``.

    ``row_keys``: the custodian's stable key of each row (unique); ``patient_keys``: the
    cohort patient id of each row. Raises ``ValueError`` when a carrier is a quasi-identifier
    or a column has the wrong type (a programming error of the pipeline, not a finding)."""
    rows = len(row_keys)
    if len(patient_keys) != rows:
        raise ValueError(f"{len(patient_keys)} patient keys for {rows} row keys")
    if len(set(map(str, row_keys))) != rows:
        raise ValueError("row keys are not unique: two rows would carry the same bits")
    clash = set(plan.columns) & set(quasi_identifiers)
    if clash:
        raise ValueError(f"quasi-identifiers {sorted(clash)} cannot carry the watermark")
    out: Columns = {name: np.asarray(values) for name, values in table.items()}
    for name, values in out.items():
        if len(values) != rows:
            raise ValueError(f"column {name!r} has {len(values)} rows, the keys {rows}")
    counts: dict[str, int] = {}
    marks = row_marks(key, list(row_keys), len(plan.numeric), plan.numeric_share)
    for slot, carrier in enumerate(plan.numeric):
        original = out[carrier.column]
        if original.dtype.kind not in "iuf":
            raise ValueError(f"carrier {carrier.column!r} is not numeric ({original.dtype})")
        values = original.astype(np.float64)
        mark = np.where(eligible(values, carrier.step), marks[:, slot], 0)
        out[carrier.column] = np.round(values + mark * carrier.step, carrier.decimals)
        counts[carrier.column] = int(np.count_nonzero(mark))
    extra = patient_extra_days(key, list(patient_keys), plan.date_share)
    for name in plan.dates:
        original = out[name]
        if not is_date(original):
            raise ValueError(f"date carrier {name!r} is not a date column ({original.dtype})")
        if apply_dates:
            shifted = original.astype("datetime64[D]") + extra.astype("timedelta64[D]")
            out[name] = shifted.astype(original.dtype)
        counts[name] = int(np.count_nonzero(~np.isnat(original) & (extra != 0)))
    return Watermarked(out, plan, extra, counts)
