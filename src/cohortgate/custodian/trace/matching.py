"""The matched records of a trace: which leaked rows re-find which records of the candidate
releases, by the values they still share (``tracer`` explains the steps).

The leaked columns are typed after the candidates' and stacked over all candidates at once;
pairs near on enough dates and measurements are verified on every shared column, and each
leaked row keeps only the records it agrees with best.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cohortgate.custodian.trace import policy
from cohortgate.custodian.trace.leak import Array, CandidateRelease, IntArray

_MISSING = -(1 << 62)
_NONE = np.array(None, dtype=object)
_TABLE_LIMIT = 1 << 24  # widest key range joined through a lookup table (128 MB of int64)


# --- typing the columns ----------------------------------------------------------------------


def _kind(values: Array) -> str:
    kind = values.dtype.kind
    return "date" if kind == "M" else "number" if kind in "iufb" else "text"


def _as_days(values: Array) -> IntArray:
    if values.dtype.kind != "M":
        try:
            values = np.array(values, dtype="datetime64[D]")
        except (ValueError, TypeError):
            parsed: list[Any] = []
            for value in values:
                try:
                    parsed.append(np.datetime64(str(value).strip()[:10], "D"))
                except ValueError:
                    parsed.append(np.datetime64("NaT", "D"))
            values = np.array(parsed, dtype="datetime64[D]")
    days = values.astype("datetime64[D]")
    return np.where(np.isnat(days), _MISSING, days.astype(np.int64))


def _as_float(values: Array) -> npt.NDArray[np.float64]:
    try:
        return np.asarray(values, dtype=np.float64)
    except (ValueError, TypeError):
        out = np.full(len(values), np.nan)
        for i, value in enumerate(values):
            with contextlib.suppress(ValueError, TypeError):
                out[i] = float(value)
        return out


def _as_text(values: Array) -> Array:
    return np.array(["" if v is None or v != v else str(v).strip() for v in values], dtype=object)


def _quantise(values: npt.NDArray[np.float64], quantum: float) -> IntArray:
    finite = np.isfinite(values)
    return np.where(finite, np.rint(np.where(finite, values, 0.0) / quantum), _MISSING).astype(
        np.int64
    )


@dataclass
class _Column:
    """One leaked column and the same column of every candidate, stacked."""

    name: str
    kind: str
    leak: Array  # int64 keys (date, number) or text
    stacked: Array
    present: npt.NDArray[np.bool_]  # per candidate: it has this column
    leak_float: npt.NDArray[np.float64] | None = None
    stacked_float: npt.NDArray[np.float64] | None = None

    def near(self, leak_rows: IntArray, rows: IntArray) -> npt.NDArray[np.bool_]:
        """Both present and within one quantum (keyed columns only)."""
        a, b = self.leak[leak_rows], self.stacked[rows]
        return np.asarray((a != _MISSING) & (b != _MISSING) & (np.abs(a - b) <= 1), np.bool_)

    def agree(self, leak_rows: IntArray, rows: IntArray) -> npt.NDArray[np.bool_]:
        a, b = self.leak[leak_rows], self.stacked[rows]
        if self.kind == "text":
            # originals are str (None when missing, read as the leak's empty cell)
            return np.asarray((a == b) | ((a == "") & np.equal(b, _NONE)), dtype=np.bool_)
        both = (a != _MISSING) & (b != _MISSING)
        return np.asarray(
            np.where(both, np.abs(a - b) <= 1, (a == _MISSING) & (b == _MISSING)), dtype=np.bool_
        )


def _stack(name: str, leak: Array, candidates: Sequence[CandidateRelease]) -> _Column | None:
    kinds = [
        _kind(np.asarray(c.original[name])) if name in c.original else None for c in candidates
    ]
    known = [k for k in kinds if k is not None]
    if not known:
        return None
    kind = max(set(known), key=known.count)
    present = np.array([k == kind for k in kinds], dtype=np.bool_)
    filler = {"date": np.datetime64("NaT", "D"), "number": np.nan, "text": None}[kind]
    dtype = {"date": "datetime64[D]", "number": np.float64, "text": object}[kind]
    parts = [
        np.asarray(cand.original[name]) if has else np.full(cand.rows, filler, dtype)
        for cand, has in zip(candidates, present, strict=True)
    ]
    if kind == "date":
        days = np.concatenate([p.astype("datetime64[D]", copy=False) for p in parts])
        return _Column(name, kind, _as_days(leak), _as_days(days), present)
    if kind == "text":
        return _Column(name, kind, _as_text(leak), np.concatenate(parts).astype(object), present)
    steps = {c.step for cand in candidates for c in cand.plan.numeric if c.column == name}
    quantum = min(steps) if steps else policy.MATCH_QUANTUM
    leak_f = _as_float(leak)
    stacked_f = np.concatenate(parts).astype(np.float64)
    return _Column(
        name,
        kind,
        _quantise(leak_f, quantum),
        _quantise(stacked_f, quantum),
        present,
        leak_f,
        stacked_f,
    )


# --- matching --------------------------------------------------------------------------------


def _pairs(column: _Column) -> tuple[IntArray, IntArray]:
    """(leaked row, stacked row) pairs whose keys are within one quantum."""
    ok = np.nonzero(column.leak != _MISSING)[0]
    if ok.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    keys = np.concatenate([column.leak[ok] + d for d in (-1, 0, 1)])
    owners = np.tile(ok, 3)
    order = np.argsort(keys, kind="stable")
    keys, owners = keys[order], owners[order]
    unique, first, counts = np.unique(keys, return_index=True, return_counts=True)
    low, span = int(unique[0]), int(unique[-1] - unique[0]) + 1
    stacked = column.stacked
    if span <= _TABLE_LIMIT:  # a lookup table over the leak's key range: one pass, no sort
        lookup = np.full(span, -1, dtype=np.int64)
        lookup[unique - low] = np.arange(len(unique))
        inside = np.nonzero((stacked >= low) & (stacked < low + span))[0]
        slot = lookup[stacked[inside] - low]
        rows, slot = inside[slot >= 0], slot[slot >= 0]
    else:
        at = np.minimum(np.searchsorted(unique, stacked), len(unique) - 1)
        rows = np.nonzero(unique[at] == stacked)[0]
        slot = at[rows]
    n = counts[slot]
    starts = np.repeat(first[slot] - np.cumsum(n) + n, n)
    positions = starts + np.arange(int(n.sum()))
    return owners[positions], np.repeat(rows, n)


def _first_of_groups(keys: list[IntArray], value: IntArray) -> IntArray:
    """Indices of the best ``value`` in each group of equal ``keys``, groups with a tie for the
    best dropped."""
    order = np.lexsort((-value, *keys[::-1]))
    grouped = [k[order] for k in keys]
    v = value[order]
    n = len(order)
    new = np.ones(n, dtype=np.bool_)
    if n > 1:
        same = np.ones(n - 1, dtype=np.bool_)
        for k in grouped:
            same &= k[1:] == k[:-1]
        new[1:] = ~same
        tie = np.zeros(n, dtype=np.bool_)
        tie[:-1] = same & (v[1:] == v[:-1])
        keep = new & ~tie
    else:
        keep = new
    return np.asarray(order[keep], dtype=np.int64)


def _candidate_pairs(keyed: list[_Column]) -> tuple[IntArray, IntArray]:
    """Pairs near on at least two keyed columns (one when the leak has fewer than three),
    each pair once: it is kept from the first column it is near on (no sort of all pairs)."""
    need = 2 if len(keyed) >= 3 else 1
    found_rows: list[IntArray] = []
    found_stacked: list[IntArray] = []
    for j, anchor in enumerate(keyed):
        leak_rows, stacked = _pairs(anchor)
        votes = np.ones(len(leak_rows), np.int64)
        first = np.ones(len(leak_rows), np.bool_)
        for k, other in enumerate(keyed):
            if k != j:
                near = other.near(leak_rows, stacked)
                votes += near
                if k < j:
                    first &= ~near
        keep = first & (votes >= need)
        found_rows.append(leak_rows[keep])
        found_stacked.append(stacked[keep])
    return np.concatenate(found_rows), np.concatenate(found_stacked)


def _match(columns: list[_Column], release_of: IntArray, rows: int) -> tuple[IntArray, IntArray]:
    keyed = [c for c in columns if c.kind != "text"]
    if not keyed:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    leak_rows, stacked = _candidate_pairs(keyed)
    agree = np.zeros(len(leak_rows), np.int64)
    shared = np.zeros(len(leak_rows), np.int64)
    cand = release_of[stacked]
    for column in columns:
        has = column.present[cand]
        shared += has
        agree += has & column.agree(leak_rows, stacked)
    need = np.maximum(policy.MIN_AGREEING, np.ceil(policy.MATCH_SHARE * shared))
    ok = agree >= need
    leak_rows, stacked, agree, cand = leak_rows[ok], stacked[ok], agree[ok], cand[ok]
    # a leaked row is the record(s) it agrees with best, over all candidates (the records of
    # several releases tie when they hold the same de-identified data)
    most = np.zeros(rows, np.int64)
    np.maximum.at(most, leak_rows, agree)
    top = agree == most[leak_rows]
    leak_rows, stacked, agree, cand = leak_rows[top], stacked[top], agree[top], cand[top]
    best = _first_of_groups([leak_rows, cand], agree)
    leak_rows, stacked, agree = leak_rows[best], stacked[best], agree[best]
    once = _first_of_groups([stacked], agree)
    return leak_rows[once], stacked[once]
