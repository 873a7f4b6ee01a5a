"""The fingerprint in a release's values (R25): what it changes, what it must never change.

Every record is synthetic (``test_trace.make_release``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_trace import QI, Release, make_cohort, make_release

from cohortgate.custodian.risk.suite import risk_report
from cohortgate.custodian.trace import policy
from cohortgate.custodian.trace.fingerprint import (
    accusation_threshold,
    innocent_tail,
    miss_probability,
    row_marks,
)
from cohortgate.custodian.trace.watermark import (
    NumericCarrier,
    WatermarkPlan,
    embed,
    patient_extra_days,
    plan_for,
)

DATES = ("diagnosis_date", "visit_date")


@pytest.fixture(scope="module")
def pair() -> tuple[Release, Release]:
    """The same de-identified table released to two recipients."""
    cohort = make_cohort(3000, seed=42)
    rng = np.random.default_rng(43)
    first = make_release(cohort, "R-2026-0007-01", 2000, rng)
    return first, make_release(cohort, "R-2026-0007-02", 2000, rng, same_as=first)


def test_plan_marks_tolerant_measurements_and_exact_dates_never_a_quasi_identifier(
    pair: tuple[Release, Release],
) -> None:
    original = pair[0].candidate.original
    plan = plan_for(original, QI)
    assert [c.column for c in plan.numeric] == ["weight_kg", "height_cm"]
    assert plan.dates == DATES
    assert WatermarkPlan.from_dict(plan.to_dict()) == plan
    # a gate that treats weight as a quasi-identifier keeps it unmarked
    assert "weight_kg" not in plan_for(original, (*QI, "weight_kg")).columns
    # an exact date the gate classes on: no date moves at all (intervals stay exact)
    assert plan_for(original, (*QI, "diagnosis_date")).dates == ()
    with pytest.raises(ValueError, match="cannot carry"):
        embed(
            original,
            key=bytes(32),
            row_keys=pair[0].candidate.row_keys,
            patient_keys=pair[0].candidate.patient_keys,
            plan=plan,
            quasi_identifiers=("visit_date",),
        )


def test_no_categorical_value_changes(pair: tuple[Release, Release]) -> None:
    original, marked = pair[0].candidate.original, pair[0].marked
    categorical = [c for c, v in original.items() if v.dtype == object]
    assert set(categorical) >= {*QI, "confirmation", "visit_type", "pseudonym"}
    for name in categorical:
        assert np.array_equal(original[name], marked[name]), name


def test_every_date_of_a_patient_moves_by_the_same_day(pair: tuple[Release, Release]) -> None:
    cand, marked = pair[0].candidate, pair[0].marked
    moved = np.stack([(marked[d] - cand.original[d]).astype(np.int64) for d in DATES])
    assert set(np.unique(moved).tolist()) == {-1, 1}
    assert (moved == moved[0]).all()  # all date columns of a row alike
    for patient in np.unique(cand.patient_keys)[:300]:
        rows = np.asarray(cand.patient_keys) == patient
        assert len(set(moved[:, rows].ravel().tolist())) == 1, patient
    # so every interval within a patient is exact
    gap = lambda t: (t["visit_date"] - t["diagnosis_date"]).astype(np.int64)  # noqa: E731
    assert np.array_equal(gap(marked), gap(cand.original))


def test_measurements_move_one_step_at_most_on_about_three_quarters(
    pair: tuple[Release, Release],
) -> None:
    original, marked = pair[0].candidate.original, pair[0].marked
    for name, step in policy.NUMERIC_TOLERANCE.items():
        diff = np.round((marked[name] - original[name]) / step).astype(np.int64)
        assert set(np.unique(diff).tolist()) == {-1, 0, 1}
        assert np.allclose(np.abs(marked[name] - original[name])[diff != 0], step)
        assert np.array_equal(marked[name], np.round(marked[name], 1))  # recorded precision
        share = np.count_nonzero(diff) / len(diff)
        assert abs(share - policy.NUMERIC_CARRIER_SHARE) < 0.03, (name, share)


def test_the_gate_sees_the_same_figures_before_and_after(pair: tuple[Release, Release]) -> None:
    original, marked = pair[0].candidate.original, pair[0].marked
    before = risk_report(original, QI, ["confirmation"], population_size=30_000)
    after = risk_report(marked, QI, ["confirmation"], population_size=30_000)
    assert after.to_dict() == before.to_dict()
    assert before.rows == len(original["sex"]) and before.k >= 1


def test_two_recipients_of_the_same_data_get_different_fingerprints(
    pair: tuple[Release, Release],
) -> None:
    a, b = pair[0].marked, pair[1].marked
    assert pair[0].candidate.original is pair[1].candidate.original
    for name in ("weight_kg", "visit_date"):
        differ = np.count_nonzero(a[name] != b[name]) / len(a[name])
        assert 0.3 < differ < 0.8, (name, differ)
    # and the same key gives the same copy (deterministic, re-computable by the tracer)
    cand = pair[0].candidate
    again = embed(
        cand.original,
        key=cand.watermark_key,
        row_keys=cand.row_keys,
        patient_keys=cand.patient_keys,
        plan=cand.plan,
    )
    for name, values in again.table.items():
        assert np.array_equal(values, a[name]), name


def test_extra_days_for_the_deidentifier_equal_the_embedded_shift(
    pair: tuple[Release, Release],
) -> None:
    cand = pair[0].candidate
    extra = patient_extra_days(cand.watermark_key, list(cand.patient_keys))
    assert np.array_equal(
        extra, (pair[0].marked["visit_date"] - cand.original["visit_date"]).astype(int)
    )
    kept = embed(
        cand.original,
        key=cand.watermark_key,
        row_keys=cand.row_keys,
        patient_keys=cand.patient_keys,
        plan=cand.plan,
        apply_dates=False,
    )
    assert np.array_equal(kept.table["visit_date"], cand.original["visit_date"])
    assert np.array_equal(kept.extra_days, extra)


def test_embed_refuses_duplicate_row_keys_and_short_keys() -> None:
    table = {"weight_kg": np.array([10.0, 11.0])}
    plan = WatermarkPlan(numeric=(NumericCarrier("weight_kg", 0.1, 1),))
    with pytest.raises(ValueError, match="not unique"):
        embed(table, key=bytes(32), row_keys=["a", "a"], patient_keys=["p", "p"], plan=plan)
    with pytest.raises(ValueError, match="16 bytes"):
        embed(table, key=b"short", row_keys=["a", "b"], patient_keys=["p", "q"], plan=plan)


def test_marks_are_balanced_and_keyed() -> None:
    keys = [f"P{i:08d}/V1" for i in range(20_000)]
    a = row_marks(bytes(range(32)), keys, 3, 0.75)
    b = row_marks(bytes(range(1, 33)), keys, 3, 0.75)
    assert abs(np.count_nonzero(a) / a.size - 0.75) < 0.01
    assert abs(np.mean(a[a != 0] == 1) - 0.5) < 0.01
    both = (a != 0) & (b != 0)
    assert abs(np.mean(a[both] == b[both]) - 0.5) < 0.01  # another key: independent marks


@pytest.mark.parametrize(("n", "a"), [(0, 0), (1, 1), (5, 3), (12, 9), (30, 30), (30, 31)])
def test_innocent_tail_is_the_exact_binomial_tail(n: int, a: int) -> None:
    exact = sum(math.comb(n, k) for k in range(a, n + 1)) / 2**n
    assert innocent_tail(n, a) == pytest.approx(exact, rel=1e-12, abs=1e-300)


def test_threshold_and_miss_probability() -> None:
    level = 1e-6 / 1000
    for n in (100, 200, 400):
        t = accusation_threshold(n, level)
        assert innocent_tail(n, t) <= level < innocent_tail(n, t - 1)
    # worst case: every altered carrier read wrong (agreement 0.8); 300 carriers suffice
    assert miss_probability(300, 0.8, level) < 1e-6
    assert miss_probability(100, 0.8, level) > 0.1
    assert (accusation_threshold(1, 0.5), accusation_threshold(2, 0.5)) == (1, 2)
    assert accusation_threshold(10, 1e-9) == 11  # ten carriers can never reach 1e-9
