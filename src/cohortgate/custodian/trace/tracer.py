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

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from cohortgate.custodian.trace import codes as codes_trace
from cohortgate.custodian.trace import policy
from cohortgate.custodian.trace.fingerprint import innocent_tail, patient_marks, row_marks
from cohortgate.custodian.trace.leak import (
    Array,
    CandidateRelease,
    IntArray,
    LeakReadError,
    ReleaseScore,
    TraceResult,
    read_leak_csv,
)
from cohortgate.custodian.trace.matching import _MISSING, _Column, _match, _stack
from cohortgate.custodian.trace.watermark import WatermarkPlan, eligible
from cohortgate.findings import Finding

__all__ = [
    "CandidateRelease",
    "LeakReadError",
    "ReleaseScore",
    "TraceResult",
    "leak_is_marked",
    "read_leak_csv",
    "trace",
    "trace_findings",
]


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
