"""Which release a leaked table came from, with the chance of a false accusation (R25).

``trace(leak, candidates)``: ``leak`` is a columnar table (``read_leak_csv`` reads one from a
CSV with any subset of the columns in any order); each ``CandidateRelease`` is what the
custodian holds for one release: its id, its watermark key, its plan, and the table as it was
BEFORE the mark (``watermark.embed``'s input) with each row's stable row key and patient key.

Re-finding the records. The leak has no pseudonyms (or altered ones), fewer columns, a subset
of the rows and up to 20 % altered values, so rows are matched by the values they still share
with a candidate's original records, never by a key column:

1. pairing: every leaked row is paired with every candidate record (across all candidates at
   once, vectorised) that agrees on at least two of its dates and measurements (one when the
   leak keeps fewer than three), where a date agrees within one day and a measurement within one
   mark step: exactly the distance the mark may have moved it. Dates are specific to a release
   (each release shifts each patient by its own keyed offset), measurements to a visit;
2. verification: a pair is a match when at least ``MATCH_SHARE`` of the columns the leak and
   the candidate share agree (categorical values exactly), and at least ``MIN_AGREEING``;
3. a leaked row keeps only the records it agrees with best over all candidates (releases that
   hold the same de-identified data tie, and each keeps its record); within a candidate a tie
   between two records drops the row, and each record keeps one leaked row (ties dropped), so
   no carrier is read twice.

Every step uses the candidate's original values and the leak only, never its key: so an
innocent candidate's marks are independent of what is read, which is what makes the
binomial false-accusation figure exact (``fingerprint``).

Reading: a matched measurement carrier reads +1 / -1 when the leaked value is one step above /
below the original, 0 otherwise; a patient's date bit is the sign of the day differences (+-1)
over all its matched dates. Each candidate's score is the number of read carriers that agree
with its marks minus those that disagree. A candidate with so few re-found rows that even full
agreement on every possible carrier could not reach the level is not read (its p stays 1):
chance matches of single rows in unrelated releases cost time and could never accuse.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from cohortgate import codes_trace
from cohortgate.custodian.release import watermark_policy as policy
from cohortgate.custodian.release.fingerprint import innocent_tail, patient_marks, row_marks
from cohortgate.custodian.release.watermark import WatermarkPlan, eligible
from cohortgate.findings import Finding

Array = npt.NDArray[Any]
IntArray = npt.NDArray[np.int64]
_MISSING = -(1 << 62)
_NONE = np.array(None, dtype=object)
_TABLE_LIMIT = 1 << 24  # widest key range joined through a lookup table (128 MB of int64)


@dataclass(frozen=True)
class CandidateRelease:
    release_id: str
    watermark_key: bytes
    original: Mapping[str, Array]  # the release table before the mark
    row_keys: Sequence[Any]  # per row: the custodian's stable row key (embed's row_keys)
    patient_keys: Sequence[Any]  # per row: the cohort patient id (embed's patient_keys)
    plan: WatermarkPlan

    @property
    def rows(self) -> int:
        return len(self.row_keys)


@dataclass(frozen=True)
class ReleaseScore:
    release_id: str
    matched_rows: int  # leaked rows re-found among this release's records
    carriers: int  # carriers read (+-1) on those rows
    agreements: int  # read carriers equal to this release's marks
    score: int  # agreements - disagreements
    p_value: float  # chance that an innocent release agrees this often (exact binomial tail)
    bound: float  # p_value times the number of candidates, at most 1: the false-accusation bound


@dataclass(frozen=True)
class TraceResult:
    candidates: int
    leak_rows: int
    level: float  # the accepted false-accusation probability
    best: ReleaseScore | None  # the most likely source (smallest p), None when nothing matched
    runner_up: ReleaseScore | None
    accused: tuple[ReleaseScore, ...]  # every release whose bound is within ``level``
    scores: tuple[ReleaseScore, ...]  # every release with a matched row, most likely first

    @property
    def release_id(self) -> str | None:
        """The release the leak is attributed to, or None when no release reaches the level."""
        return self.accused[0].release_id if self.accused else None

    @property
    def false_accusation(self) -> float:
        return self.best.bound if self.best else 1.0


class LeakReadError(ValueError):
    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def read_leak_csv(path: str | Path) -> dict[str, Array]:
    """A leaked CSV as a columnar table of strings (types follow the candidates at trace
    time). Header required; delimiter comma, semicolon, tab or bar; ragged rows refused."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        sample = handle.read(65536)
        handle.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        rows = list(csv.reader(handle, dialect))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise LeakReadError("the file has no header row naming its columns", 1)
    names = [cell.strip() for cell in rows[0]]
    if "" in names:
        raise LeakReadError(f"column {names.index('') + 1} of the header has no name", 1)
    if len(set(names)) != len(names):
        raise LeakReadError("a column name occurs twice in the header", 1)
    body = [row for row in rows[1:] if any(cell.strip() for cell in row)]
    for line, row in enumerate(rows[1:], start=2):
        if any(cell.strip() for cell in row) and len(row) != len(names):
            raise LeakReadError(f"{len(row)} fields where the header has {len(names)}", line)
    return {
        name: np.array([row[j].strip() for row in body], dtype=object)
        for j, name in enumerate(names)
    }


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


# --- reading and scoring ---------------------------------------------------------------------


def _read(
    cand: CandidateRelease,
    columns: dict[str, _Column],
    leak_rows: IntArray,
    stacked: IntArray,
    local: IntArray,
) -> tuple[int, int]:
    """(carriers read, agreements) of one candidate on its matched rows."""
    plan = cand.plan
    row_keys = [cand.row_keys[i] for i in local]
    marks = row_marks(cand.watermark_key, row_keys, len(plan.numeric), plan.numeric_share)
    products: list[Array] = []
    for slot, carrier in enumerate(plan.numeric):
        col = columns.get(carrier.column)
        if col is None or col.kind != "number" or col.leak_float is None:
            continue
        assert col.stacked_float is not None
        original = col.stacked_float[stacked]
        step = np.rint((col.leak_float[leak_rows] - original) / carrier.step)
        bit = np.where(np.abs(step) == 1, step, 0).astype(np.int64)
        products.append(bit * marks[:, slot] * eligible(original, carrier.step))
    votes = np.zeros(len(local), np.int64)
    for name in plan.dates:
        col = columns.get(name)
        if col is None or col.kind != "date":
            continue
        a, b = col.leak[leak_rows], col.stacked[stacked]
        diff = np.where((a != _MISSING) & (b != _MISSING), a - b, 0)
        votes += np.where(np.abs(diff) == 1, diff, 0)
    if plan.dates:
        patients = np.array([str(cand.patient_keys[i]) for i in local], dtype=object)
        unique, inverse = np.unique(patients, return_inverse=True)
        total = np.bincount(inverse.reshape(-1), weights=votes, minlength=len(unique))
        day = patient_marks(cand.watermark_key, list(unique), plan.date_share)
        products.append(np.sign(total).astype(np.int64) * day)
    if not products:
        return 0, 0
    read = np.concatenate(products)
    return int(np.count_nonzero(read)), int(np.count_nonzero(read == 1))


def _could_reach(plan: WatermarkPlan, rows: int, level: float) -> bool:
    """Whether ``rows`` re-found records could hold enough carriers for an accusation even if
    every one were read and agreed (one per measurement carrier and one date bit a row)."""
    most = rows * (len(plan.numeric) + (1 if plan.dates else 0))
    return bool(innocent_tail(most, most) <= level)


def trace(
    leak: Mapping[str, Array],
    candidates: Sequence[CandidateRelease],
    *,
    level: float = policy.FALSE_ACCUSATION,
) -> TraceResult:
    """Score ``leak`` against every candidate release; accuse those whose false-accusation
    bound (exact binomial tail times the number of candidates) is at most ``level``."""
    leak = {str(k).strip(): np.asarray(v) for k, v in leak.items()}
    lengths = {len(v) for v in leak.values()}
    if len(lengths) > 1:
        raise ValueError(f"the leaked columns differ in length: {sorted(lengths)}")
    rows = lengths.pop() if lengths else 0
    m = len(candidates)
    sizes = np.array([c.rows for c in candidates], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    release_of = np.repeat(np.arange(m), sizes)
    columns = {
        name: col
        for name, values in leak.items()
        if (col := _stack(name, values, candidates)) is not None
    }
    leak_rows, stacked = (
        _match(list(columns.values()), release_of, rows)
        if rows and m
        else (np.zeros(0, np.int64),) * 2
    )
    cand = release_of[stacked]
    order = np.argsort(cand, kind="stable")
    leak_rows, stacked, cand = leak_rows[order], stacked[order], cand[order]
    bounds = np.searchsorted(cand, np.arange(m + 1))
    carriers = np.zeros(m, np.int64)
    agreements = np.zeros(m, np.int64)
    matched = np.diff(bounds)
    for r in map(int, np.nonzero(matched)[0]):
        if not _could_reach(candidates[r].plan, int(matched[r]), level / m):
            continue  # too few rows re-found for any accusation: not read, p stays 1
        part = slice(bounds[r], bounds[r + 1])
        carriers[r], agreements[r] = _read(
            candidates[r], columns, leak_rows[part], stacked[part], stacked[part] - offsets[r]
        )
    p = innocent_tail(carriers, agreements)
    ranked = sorted(
        map(int, np.nonzero(matched)[0]), key=lambda r: (p[r], -(2 * agreements[r] - carriers[r]))
    )
    scores = tuple(
        ReleaseScore(
            release_id=candidates[r].release_id,
            matched_rows=int(matched[r]),
            carriers=int(carriers[r]),
            agreements=int(agreements[r]),
            score=int(2 * agreements[r] - carriers[r]),
            p_value=float(p[r]),
            bound=float(min(1.0, m * p[r])),
        )
        for r in ranked
    )
    return TraceResult(
        candidates=m,
        leak_rows=rows,
        level=level,
        best=scores[0] if scores else None,
        runner_up=scores[1] if len(scores) > 1 else None,
        accused=tuple(s for s in scores if s.bound <= level and s.carriers > 0),
        scores=scores,
    )


def leak_is_marked(result: TraceResult) -> bool:
    """Whether any carrier could be read at all (False: unmarked data or foreign data)."""
    return any(s.carriers for s in result.scores)


def trace_findings(result: TraceResult, file: str, columns: Sequence[str] = ()) -> list[Finding]:
    """The result as one finding on the leaked ``file``: accused, inconclusive or no marks."""
    best = result.best
    if best is None or best.carriers == 0:
        return [
            codes_trace.NO_MARKS.at(
                file, rows=result.leak_rows, columns=", ".join(columns) or "none"
            )
        ]
    fields: dict[str, Any] = {
        "release": best.release_id,
        "matched": best.matched_rows,
        "agreements": best.agreements,
        "carriers": best.carriers,
        "bound": best.bound,
        "level": result.level,
    }
    if result.accused:
        return [codes_trace.ACCUSED.at(file, **fields)]
    return [codes_trace.INCONCLUSIVE.at(file, **fields)]
