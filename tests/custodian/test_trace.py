"""Tracing a leaked table back to its release (R25): the right recipient under subsetting,
reordering, dropped columns and 20 % altered values; no accusation without a mark; collusion.

The synthetic cohort and release helpers here are shared with ``test_trace_simulation.py``.
Every record is synthetic.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cohortgate.custodian.trace.tracer import (
    CandidateRelease,
    LeakReadError,
    ReleaseScore,
    TraceResult,
    read_leak_csv,
    trace,
    trace_findings,
)
from cohortgate.custodian.trace.watermark import embed, plan_for

Table = dict[str, np.ndarray]
QI = ("sex", "age_band", "region", "orpha_code")
BANDS = np.array(["0-1", "2-4", "5-9", "10-14", "15-17"], dtype=object)
CONFIRMATION = np.array(["genetic", "biochemical", "clinical"], dtype=object)
VISIT_TYPES = np.array(["outpatient", "inpatient", "emergency"], dtype=object)
REGIONS = np.array([f"{11 + i:02d}" for i in range(34)], dtype=object)
DIAGNOSES = np.array([f"ORPHA:{1000 + 37 * i}" for i in range(200)], dtype=object)
EPOCH = np.datetime64("2015-01-01", "D")


@dataclass(frozen=True)
class Cohort:
    """Synthetic visits: one row per visit, patient attributes repeated."""

    patient: np.ndarray  # per visit: patient index
    visit_id: np.ndarray  # per visit: the custodian's stable row key
    patient_id: np.ndarray  # per patient: the cohort's patient id
    per_patient: Table  # sex, age_band, region, orpha_code, confirmation, diagnosis_date
    per_visit: Table  # visit_type, visit_date, weight_kg, height_cm

    @property
    def patients(self) -> int:
        return len(self.per_patient["sex"])


def make_cohort(patients: int, seed: int) -> Cohort:
    rng = np.random.default_rng(seed)
    visits = rng.integers(1, 5, patients)
    patient = np.repeat(np.arange(patients), visits)
    n = len(patient)
    zipf = 1.0 / np.arange(1, len(DIAGNOSES) + 1) ** 1.1
    per_patient: Table = {
        "sex": rng.choice(np.array(["F", "M"], dtype=object), patients),
        "age_band": rng.choice(BANDS, patients),
        "region": rng.choice(REGIONS, patients),
        "orpha_code": DIAGNOSES[rng.choice(len(DIAGNOSES), patients, p=zipf / zipf.sum())],
        "confirmation": rng.choice(CONFIRMATION, patients),
        "diagnosis_date": EPOCH + rng.integers(0, 3650, patients).astype("timedelta64[D]"),
    }
    per_visit: Table = {
        "visit_type": rng.choice(VISIT_TYPES, n),
        "visit_date": EPOCH + rng.integers(0, 3650, n).astype("timedelta64[D]"),
        "weight_kg": np.round(rng.uniform(3.0, 70.0, n), 1),
        "height_cm": np.round(rng.uniform(50.0, 180.0, n), 1),
    }
    visit_id = np.array([f"P{p:08d}/V{i:06d}" for i, p in enumerate(patient)], dtype=object)
    patient_id = np.array([f"P{p:08d}" for p in range(patients)], dtype=object)
    return Cohort(patient, visit_id, patient_id, per_patient, per_visit)


@dataclass(frozen=True)
class Release:
    candidate: CandidateRelease
    marked: Table


def make_release(
    cohort: Cohort,
    release_id: str,
    rows: int,
    rng: np.random.Generator,
    same_as: Release | None = None,
) -> Release:
    """A de-identified release of about ``rows`` visits (pseudonym, base date shift of up to
    180 days per patient) and its watermarked copy. ``same_as``: the same de-identified table
    given to another recipient (same records, same shifts), marked with another key."""
    key = rng.bytes(32)
    if same_as is not None:
        cand = same_as.candidate
        original = cand.original
        row_keys, patient_keys = cand.row_keys, cand.patient_keys
    else:
        order = rng.permutation(cohort.patients)
        counts = np.bincount(cohort.patient, minlength=cohort.patients)[order]
        chosen = np.sort(order[: int(np.searchsorted(np.cumsum(counts), rows)) + 1])
        visits = np.nonzero(np.isin(cohort.patient, chosen))[0]
        patients = cohort.patient[visits]
        shift = np.zeros(cohort.patients, dtype=np.int64)
        shift[chosen] = rng.integers(-180, 181, len(chosen))
        days = shift[patients].astype("timedelta64[D]")
        pseudonym = np.empty(cohort.patients, dtype=object)
        pseudonym[chosen] = [rng.bytes(10).hex() for _ in range(len(chosen))]
        original = {"pseudonym": pseudonym[patients]}
        for name, values in cohort.per_patient.items():
            column = values[patients]
            original[name] = column + days if name == "diagnosis_date" else column
        for name, values in cohort.per_visit.items():
            column = values[visits]
            original[name] = column + days if name == "visit_date" else column
        row_keys = cohort.visit_id[visits]
        patient_keys = cohort.patient_id[patients]
    plan = plan_for(original, QI)
    marked = embed(original, key=key, row_keys=row_keys, patient_keys=patient_keys, plan=plan)
    candidate = CandidateRelease(release_id, key, original, row_keys, patient_keys, plan)
    return Release(candidate, marked.table)


def make_leak(
    table: Table,
    rng: np.random.Generator,
    rows: int = 200,
    drop: int = 2,
    altered: float = 0.2,
) -> Table:
    """What a leaker publishes: ``rows`` random rows, no pseudonym, ``drop`` other columns
    gone, columns shuffled, ``altered`` of all remaining cells changed (categories replaced by
    another value of the column, measurements moved by up to 3 units, dates by up to 60 days)."""
    n = len(table["sex"])
    pick = rng.choice(n, size=min(rows, n), replace=False)
    names = [c for c in table if c != "pseudonym"]
    gone = set(rng.choice(names, size=drop, replace=False).tolist()) if drop else set()
    keep = [c for c in names if c not in gone]
    rng.shuffle(keep)
    cells = len(pick) * len(keep)
    hit = np.zeros(cells, dtype=bool)
    hit[rng.choice(cells, size=round(altered * cells), replace=False)] = True
    hit = hit.reshape(len(keep), len(pick))
    leak: Table = {}
    for j, name in enumerate(keep):
        values = table[name][pick].copy()
        k = int(hit[j].sum())
        if values.dtype.kind == "M":
            values[hit[j]] += rng.choice([-1, 1], k) * rng.integers(1, 61, k)
        elif values.dtype.kind == "f":
            values[hit[j]] = np.round(values[hit[j]] + rng.uniform(-3, 3, k), 1)
        else:
            values[hit[j]] = rng.choice(np.unique(table[name]), k)
        leak[name] = values
    return leak


def make_releases(
    releases: int, rows: int, seed: int, twins: int = 0, patients: int = 4000
) -> list[Release]:
    """``releases`` releases of one cohort; the first ``twins`` + 1 share one de-identified
    table (the same data for several recipients, the hardest case for the tracer)."""
    cohort = make_cohort(patients, seed)
    rng = np.random.default_rng(seed + 1)
    out = [make_release(cohort, "R-2026-0001-01", rows, rng)]
    for t in range(twins):
        out.append(make_release(cohort, f"R-2026-0001-{t + 2:02d}", rows, rng, same_as=out[0]))
    for r in range(len(out), releases):
        out.append(make_release(cohort, f"R-2026-{r + 1:04d}-01", rows, rng))
    return out


@pytest.fixture(scope="module")
def releases() -> list[Release]:
    return make_releases(60, 500, seed=20260501, twins=3)


def candidates(rels: list[Release]) -> list[CandidateRelease]:
    return [r.candidate for r in rels]


@pytest.mark.parametrize("guilty", [0, 1, 17, 59])
def test_trace_names_the_recipient_despite_subset_reorder_drop_and_alteration(
    releases: list[Release], guilty: int
) -> None:
    leak = make_leak(releases[guilty].marked, np.random.default_rng(guilty))
    result = trace(leak, candidates(releases))
    assert result.release_id == releases[guilty].candidate.release_id
    assert result.best is not None and result.best.bound <= 1e-6
    assert result.best.matched_rows >= 150
    assert len(result.accused) == 1
    # the twins hold the very same records: re-found, but their marks do not agree
    assert result.runner_up is not None and result.runner_up.bound > 1e-3


def most_matched(result: TraceResult) -> ReleaseScore:
    return max(result.scores, key=lambda s: s.matched_rows)


def test_unmarked_data_accuses_nobody(releases: list[Release]) -> None:
    leak = make_leak(dict(releases[5].candidate.original), np.random.default_rng(5))
    result = trace(leak, candidates(releases))
    assert result.accused == ()
    source = most_matched(result)
    assert source.release_id == releases[5].candidate.release_id  # its records are re-found
    assert source.matched_rows >= 150
    assert source.carriers <= 15  # only altered values that happen to sit one step away
    assert [f.code for f in trace_findings(result, "leak.csv")] in (
        ["trace.no-marks"],
        ["trace.inconclusive"],
    )


def test_leak_of_a_release_not_compared_accuses_no_twin(releases: list[Release]) -> None:
    # release 0's records and shifts are also in releases 1-3; leave 0 out of the comparison
    leak = make_leak(releases[0].marked, np.random.default_rng(7))
    result = trace(leak, candidates(releases[1:]))
    assert result.accused == ()
    twins = [s for s in result.scores if s.matched_rows >= 150]
    assert sorted(s.release_id for s in twins) == [r.candidate.release_id for r in releases[1:4]]
    assert all(s.carriers >= 200 and s.bound > 1e-3 for s in twins)  # marks read, not theirs
    assert [f.code for f in trace_findings(result, "leak.csv")] == ["trace.inconclusive"]


def average(a: Table, b: Table) -> Table:
    """Two colluders average their copies: measurements to their recorded precision, dates
    to the earlier of the two (a mean of days rounded down), categories identical anyway."""
    out: Table = {}
    for name, x in a.items():
        y = b[name]
        if x.dtype.kind == "f":
            out[name] = np.round((x + y) / 2, 1)
        elif x.dtype.kind == "M":
            out[name] = np.minimum(x, y)
        else:
            out[name] = x.copy()
    return out


def test_two_colluders_averaging_are_not_blamed_on_an_innocent(releases: list[Release]) -> None:
    """What the scheme guarantees against collusion: an innocent release (here two that hold
    the same records as the colluders) is accused with probability <= 1e-6 whatever the
    coalition does, because its key is independent of every copy. Averaging erases the cells
    where the copies differ; the rest keep both colluders' marks, so here both are named."""
    colluded = average(releases[0].marked, releases[1].marked)
    leak = make_leak(colluded, np.random.default_rng(11), drop=1)
    result = trace(leak, candidates(releases))
    named = {s.release_id for s in result.accused}
    colluders = {releases[0].candidate.release_id, releases[1].candidate.release_id}
    assert named and named <= colluders
    innocent = {releases[2].candidate.release_id, releases[3].candidate.release_id}
    assert all(s.bound > 1e-3 for s in result.scores if s.release_id in innocent)


def test_csv_leak_in_any_column_order_traces_like_the_table(
    releases: list[Release], tmp_path: Path
) -> None:
    leak = make_leak(releases[17].marked, np.random.default_rng(3), drop=3)
    names = list(leak)[::-1]
    path = tmp_path / "leak.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for i in range(len(leak[names[0]])):
            writer.writerow([_cell(leak[c][i]) for c in names])
    read = read_leak_csv(path)
    assert list(read) == names
    from_csv = trace(read, candidates(releases))
    from_table = trace(leak, candidates(releases))
    assert from_csv.best == from_table.best
    assert from_csv.release_id == releases[17].candidate.release_id
    findings = trace_findings(from_csv, "leak.csv", names)
    assert [f.code for f in findings] == ["trace.accused"]
    assert releases[17].candidate.release_id in findings[0].message


def _cell(value: Any) -> str:
    return str(value)


@pytest.mark.parametrize(
    ("text", "line"),
    [("", 1), ("a,,b\n1,2,3\n", 1), ("a,a\n1,2\n", 1), ("a,b\n1,2\n3\n", 3)],
)
def test_unreadable_csv_is_refused_with_its_line(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "leak.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LeakReadError) as caught:
        read_leak_csv(path)
    assert caught.value.line == line


def test_leak_without_dates_or_measurements_has_no_marks(releases: list[Release]) -> None:
    table = releases[4].marked
    leak = {c: table[c][:200] for c in ("sex", "age_band", "region", "orpha_code", "visit_type")}
    result = trace(leak, candidates(releases))
    assert result.accused == ()
    assert [f.code for f in trace_findings(result, "leak.csv", list(leak))] == ["trace.no-marks"]


def test_nothing_to_compare_names_nobody(releases: list[Release]) -> None:
    assert trace({}, candidates(releases)).best is None
    empty = trace(make_leak(releases[0].marked, np.random.default_rng(1)), [])
    assert (empty.best, empty.accused, empty.candidates) == (None, (), 0)
    with pytest.raises(ValueError, match="differ in length"):
        trace({"sex": np.array(["F"]), "region": np.array([], dtype=object)}, [])
