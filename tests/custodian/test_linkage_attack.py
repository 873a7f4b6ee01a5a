"""The linkage attack on an L2 release of the synthetic cohort, and the joined gate's answer.

Each table of the release passes on its own; joined through the release's own pseudonym, the
children's visit histories single most of them out. A colleague at the hospital who knows a
child's true visit dates finds the child by the intervals between the visits, which the keyed
date shift leaves exact. After the longitudinal de-identification every combination of up to
three quasi-identifiers of the joined view meets the policy (checked here with pandas, apart
from the gate's own grouping), the attack finds nobody, and a second release to the same
recipient, de-identified with the first one's suppression carried over, passes the union check.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from release_fixtures import DISEASES, PARENTS, SPEC, Release, classes, l2_release

from cohortgate.custodian.deid.longitudinal import Longitudinal, deidentify_longitudinal
from cohortgate.custodian.deid.policy import MAX_SUPPRESSION, MAX_TIMING_SUPPRESSION
from cohortgate.custodian.deid.union import deidentify_next
from cohortgate.custodian.risk import timeline as T
from cohortgate.custodian.risk.joined import joined_view
from cohortgate.custodian.risk.joined_gate import assess, joined_gate
from cohortgate.custodian.risk.policy import DEFAULT_RISK_POLICY
from cohortgate.custodian.risk.suite import risk_report
from cohortgate.custodian.risk.union import Linked, union_assessment, union_gate
from cohortgate.layout import Layout

SEED = 20261201
FIRST, SECOND = "R-2026-0003-01", "R-2026-0003-02"


@pytest.fixture(scope="module")
def known(repo_layout: Layout) -> Any:
    return classes(repo_layout)


@pytest.fixture(scope="module")
def first(cohort_path: Path, known: Any) -> Release:
    return l2_release(cohort_path, known, FIRST)


@pytest.fixture(scope="module")
def treated(first: Release) -> Longitudinal:
    return deidentify_longitudinal(
        first.tables, SPEC, seed=SEED, parents=PARENTS, cohort_ids=first.cohort_ids
    )


def intervals_attack(release: Release, tables: dict[str, dict[str, Any]]) -> tuple[int, int, int]:
    """Children with two visits or more, those the true intervals between their visits (in
    days) match to exactly one released person, and the matches that are right."""
    true: dict[str, list[int]] = {}
    for pid, day in zip(
        release.raw["visit"]["patient_id"].tolist(),
        release.raw["visit"]["visit_date"].astype("datetime64[D]").astype(np.int64).tolist(),
        strict=True,
    ):
        true.setdefault(str(pid), []).append(day)
    times = T.parse(tables["visit"]["visit_date"])
    released: dict[str, list[int]] = {}
    for pseudonym, unit, day in zip(
        tables["visit"]["patient_id"].tolist(),
        times.unit.tolist(),
        times.start.tolist(),
        strict=True,
    ):
        released.setdefault(pseudonym, []).append(day if unit == T.Unit.DAY else -(1 << 40))
    index: dict[tuple[int, ...], list[str]] = {}
    for pseudonym, days in released.items():
        if min(days) > -(1 << 40):
            index.setdefault(tuple(np.diff(sorted(days)).tolist()), []).append(pseudonym)
    children = unique = right = 0
    for child, days in true.items():
        if len(days) < 2:
            continue
        children += 1
        found = index.get(tuple(np.diff(sorted(days)).tolist()), [])
        if len(found) == 1:
            unique += 1
            right += release.cohort_ids[found[0]] == child
    return children, unique, right


def test_the_raw_joined_release_singles_children_out(first: Release) -> None:
    coarse = {name: dict(table) for name, table in first.tables.items()}
    coarse["patient"]["birth_date"] = T.coarsen(coarse["patient"]["birth_date"], T.Unit.YEAR)
    coarse["visit"]["visit_date"] = T.coarsen(coarse["visit"]["visit_date"], T.Unit.MONTH)
    view = joined_view(coarse, SPEC)
    table = view.table()
    n = view.size
    assert n > 500
    on_first_visit = risk_report(table, ["birth_date", "sex", "visit.first"], impact=False)
    on_months = risk_report(table, ["visit.sequence"], impact=False)
    on_disease = risk_report(table, ["birth_date", "sex", "orpha_code"], impact=False)
    assert on_first_visit.sample_uniques > 0.2 * n
    assert on_months.sample_uniques > 0.6 * n
    assert on_disease.k < DEFAULT_RISK_POLICY.k_min
    report = assess(joined_view(first.tables, SPEC)).report
    assert not report.passes and len(report.failing) > 0.9 * len(report.combinations)
    assert [f.code for f in joined_gate(report, where=FIRST)] == ["release.joined-risk"]


def test_the_intervals_between_visits_name_most_children(first: Release) -> None:
    children, unique, right = intervals_attack(first, first.tables)
    assert unique > 0.5 * children
    assert right == unique  # the date shift moves every date of a child alike: nothing hides


def test_after_deidentification_every_combination_meets_the_policy(
    first: Release, treated: Longitudinal
) -> None:
    assert treated.report.passes and joined_gate(treated.report) == []
    view = joined_view({t: treated.tables[t] for t in SPEC.tables()}, SPEC)
    frame = pd.DataFrame(view.table())
    policy = DEFAULT_RISK_POLICY
    checked = 0
    for size in (1, 2, 3):
        for combo in itertools.combinations(view.names, size):
            sizes = frame.groupby(list(combo)).size()
            assert sizes.min() >= policy.k_min, combo
            assert len(sizes) / len(frame) <= policy.average_prosecutor_max, combo
            checked += 1
    assert checked == len(treated.report.combinations) == 14 + 91 + 364
    assert treated.report.full is not None  # the full set: reported
    assert treated.report.summary()["full_set"]["k"] == treated.report.full.k


def test_the_attack_finds_nobody_after_treatment(first: Release, treated: Longitudinal) -> None:
    children, unique, _ = intervals_attack(first, treated.tables)
    assert children > 0 and unique == 0


def test_the_information_lost_is_reported_within_the_budgets(
    first: Release, treated: Longitudinal
) -> None:
    loss = treated.loss
    persons = len(first.tables["patient"]["patient_id"])
    assert loss.persons == persons
    assert loss.persons_dropped == len(treated.dropped) <= MAX_SUPPRESSION * persons
    assert loss.persons_timing_suppressed <= MAX_TIMING_SUPPRESSION * persons
    assert len(treated.tables["patient"]["patient_id"]) == persons - loss.persons_dropped
    kept = sum(len(treated.tables[t]["patient_id"]) for t in ("visit", "lab_result"))
    assert loss.event_rows - loss.event_rows_dropped == kept
    summary = loss.summary()
    assert set(summary["levels"]) == {d for d in treated.levels}
    assert all(0 <= summary[k] <= 1 for k in summary if k not in ("levels", "loss"))
    assert not treated.dropped & set(treated.tables["visit"]["patient_id"].tolist())


def test_a_second_release_keeps_the_first_one_s_suppression_and_the_union_passes(
    cohort_path: Path, known: Any, first: Release, treated: Longitudinal
) -> None:
    second = l2_release(cohort_path, known, SECOND, (*DISEASES, "ORPHA:648"))
    earlier_view = joined_view({t: treated.tables[t] for t in SPEC.tables()}, SPEC)
    earlier = Linked(FIRST, earlier_view, first.cohort_ids)
    raw = Linked(SECOND, joined_view(second.tables, SPEC), second.cohort_ids)
    both = union_assessment([earlier, raw])  # the second release untreated: linked, it tells
    assert not both.report.passes
    assert [f.code for f in union_gate(both.report, where=SECOND, earlier=[FIRST])] == [
        "release.union-risk"
    ]
    dropped = {first.cohort_ids[p] for p in treated.dropped}
    hidden = {first.cohort_ids[p] for p in treated.timing_suppressed}
    following = deidentify_next(
        second.tables,
        SPEC,
        name=SECOND,
        cohort_ids=second.cohort_ids,
        earlier=[earlier],
        earlier_dropped=dropped,
        earlier_timing=hidden,
        start=treated.levels,
        seed=SEED,
        parents=PARENTS,
    )
    assert following.union.passes and following.release.report.passes
    assert dropped <= following.dropped  # the same persons suppressed in both
    assert hidden <= following.dropped | following.timing_suppressed
    held = {first.cohort_ids[p] for p in earlier_view.persons.tolist()}
    new = {second.cohort_ids[p] for p in following.linked.view.persons.tolist()}
    assert following.union.persons == len(held | new)
    assert new - held  # the second release's own children (Noonan syndrome)
