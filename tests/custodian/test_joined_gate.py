"""The joined gate's parts on small releases built by hand: released dates read and coarsened,
per-person sequences numbered exactly, the joined view's longitudinal quasi-identifiers equal to
a plain per-person computation, the figures of every combination equal to the risk suite's, the
findings, the manifest summary's bounds, count bands, the union's view and carried suppression."""

from __future__ import annotations

import itertools
import json
from typing import Any

import numpy as np
import pytest

from cohortgate.codes import load_all
from cohortgate.custodian.deid.deidentify import finding_for
from cohortgate.custodian.deid.longitudinal import (
    LongitudinalError,
    carried,
    deidentify_longitudinal,
)
from cohortgate.custodian.deid.timing import Release
from cohortgate.custodian.risk import timeline as T
from cohortgate.custodian.risk.joined import EventTable, JoinSpec, joined_view
from cohortgate.custodian.risk.joined_gate import (
    assess,
    combinations_of,
    joined_gate,
    joined_report,
)
from cohortgate.custodian.risk.policy import RiskPolicy
from cohortgate.custodian.risk.suite import risk_report
from cohortgate.custodian.risk.union import Linked, union_gate, union_report, union_view
from cohortgate.models.release import MAX_RISK_BYTES, _bounded

SEED = 20261130
SPEC = JoinSpec.of(
    {"patient": ["birth_date", "sex"]},
    [EventTable("visit", "visit_date"), EventTable("lab", "sample_date")],
    birth=("patient", "birth_date"),
)


def release(persons: int = 80, seed: int = SEED) -> dict[str, dict[str, np.ndarray[Any, Any]]]:
    """A small release: persons with birth dates and sexes, 0-6 visits each, a lab result at
    some visits (dates shifted days, as de-identification releases them)."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"p{i:03d}" for i in range(persons)], dtype=object)
    birth = np.datetime64("2010-01-01") + rng.integers(0, 3 * 365, persons).astype("timedelta64[D]")
    visits = rng.integers(0, 7, persons)
    owner = np.repeat(np.arange(persons), visits)
    days = birth[owner] + rng.integers(0, 4 * 365, len(owner)).astype("timedelta64[D]")
    labs = rng.random(len(owner)) < 0.5
    return {
        "patient": {
            "patient_id": ids,
            "birth_date": birth,
            "sex": np.array(["F", "M"], dtype=object)[rng.integers(0, 2, persons)],
        },
        "visit": {
            "patient_id": ids[owner],
            "visit_id": np.array([f"v{i}" for i in range(len(owner))], dtype=object),
            "visit_date": days,
        },
        "lab": {
            "patient_id": ids[owner][labs],
            "visit_id": np.array([f"v{i}" for i in range(len(owner))], dtype=object)[labs],
            "sample_date": days[labs],
        },
    }


def partition(codes: np.ndarray[Any, Any]) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for i, c in enumerate(codes.tolist()):
        groups.setdefault(c, set()).add(i)
    return {frozenset(g) for g in groups.values()}


def by_key(keys: list[Any]) -> set[frozenset[int]]:
    groups: dict[Any, set[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, set()).add(i)
    return {frozenset(g) for g in groups.values()}


# --- released dates ------------------------------------------------------------------------


def test_released_dates_are_read_at_every_unit_and_coarsened() -> None:
    values = np.array(
        ["2019-03-12", "2019-03", "2019-Q2", "2019", "2015-2019", "*", None, "unknown"],
        dtype=object,
    )
    times = T.parse(values)
    assert times.unit.tolist() == [0, 1, 2, 3, 4, 5, -1, -1]
    assert times.timed.tolist() == [True] * 5 + [False] * 3
    assert T.coarsen(values, T.Unit.QUARTER).tolist()[:4] == [
        "2019-Q1",
        "2019-Q1",
        "2019-Q2",
        "2019",
    ]
    assert T.coarsen(values, T.Unit.SPAN).tolist()[:6] == ["2015-2019"] * 5 + ["*"]
    assert T.coarsen(values, T.Unit.ALL).tolist() == ["*"] * 6 + [None, None]
    years = T.index_at(times, T.Unit.YEAR)
    assert years[:4].tolist() == [49, 49, 49, 49] and years[4] == T.NO_TIME
    days = np.array(["2019-03-12", "NaT", "1969-12-31"], dtype="datetime64[D]")
    assert T.coarsen(days, T.Unit.DAY) is days
    assert T.coarsen(days, T.Unit.MONTH).tolist() == ["2019-03", None, "1969-12"]
    assert T.index_at(T.parse(days), T.Unit.QUARTER).tolist()[2] == -1  # floor before 1970
    with pytest.raises(ValueError, match="not a released date"):
        T.parse(np.array(["M"], dtype=object))


def test_sequence_ids_equal_exactly_for_equal_sequences() -> None:
    rng = np.random.default_rng(SEED)
    for _ in range(20):
        persons = int(rng.integers(1, 40))
        owner = rng.integers(0, persons, int(rng.integers(0, 120)))
        codes = rng.integers(0, 4, len(owner))
        ids, count = T.sequence_ids(owner, codes, persons)
        expected = [tuple(sorted(codes[owner == p].tolist())) for p in range(persons)]
        assert partition(ids) == by_key(expected)
        assert count == len(set(expected))


# --- the joined view -----------------------------------------------------------------------


def test_the_joined_view_holds_each_person_s_history() -> None:
    tables = release()
    view = joined_view(tables, SPEC)
    ids = view.persons.tolist()
    visits = tables["visit"]
    patients = tables["patient"]
    birth = dict(zip(patients["patient_id"].tolist(), patients["birth_date"], strict=True))
    history = {
        p: sorted(visits["visit_date"][visits["patient_id"] == p].astype(np.int64).tolist())
        for p in ids
    }
    expected = {
        "visit.count": [len(history[p]) for p in ids],
        "visit.first": [history[p][0] if history[p] else None for p in ids],
        "visit.first_age": [
            history[p][0] - int(birth[p].astype(np.int64)) if history[p] else None for p in ids
        ],
        "visit.sequence": [tuple(history[p]) for p in ids],
        # a first visit opens the sequence: one visit is not no visit
        "visit.intervals": [
            ("first", *np.diff(history[p]).tolist()) if history[p] else () for p in ids
        ],
    }
    for name, keys in expected.items():
        assert partition(view.codes[name][0]) == by_key(keys), name
    assert view.timing == {f"{t}.{k}" for t in ("visit", "lab") for k in T_KINDS}
    assert len(view.names) == 2 + 2 * 5


T_KINDS = ("first", "first_age", "sequence", "intervals")


def test_relative_times_follow_the_coarser_unit_and_suppression() -> None:
    tables = release()
    tables["patient"]["birth_date"] = T.coarsen(tables["patient"]["birth_date"], T.Unit.YEAR)
    tables["visit"]["visit_date"] = T.coarsen(tables["visit"]["visit_date"], T.Unit.MONTH)
    view = joined_view(tables, SPEC)
    assert view.codes["visit.first_age"][1] <= 7  # whole years after birth (0-6) or no visit
    tables["visit"]["visit_date"] = T.coarsen(tables["visit"]["visit_date"], T.Unit.ALL)
    view = joined_view(tables, SPEC)
    counts = partition(view.codes["visit.count"][0])
    for kind in ("sequence", "intervals"):  # without dates a history is its count
        assert partition(view.codes[f"visit.{kind}"][0]) == counts
    for kind in ("first", "first_age"):  # a visit or none
        assert view.codes[f"visit.{kind}"][1] <= 2


def test_a_person_table_with_several_rows_per_person_is_refused() -> None:
    tables = release()
    spec = JoinSpec.of({"visit": ["visit_date"]})
    with pytest.raises(ValueError, match="several rows for a person"):
        joined_view(tables, spec)
    with pytest.raises(ValueError, match="no table"):
        joined_view({"patient": tables["patient"]}, SPEC)


# --- the gate ------------------------------------------------------------------------------


def test_every_combination_agrees_with_the_risk_suite() -> None:
    view = joined_view(release(), SPEC)
    report = joined_report(view)
    assert len(report.combinations) == 12 + 66 + 220
    table = view.table()
    for figures in report.combinations[::7]:
        suite = risk_report(table, list(figures.quasi_identifiers), impact=False)
        assert (figures.k, figures.classes, figures.sample_uniques) == (
            suite.k,
            suite.classes,
            suite.sample_uniques,
        )
        assert figures.average_prosecutor == pytest.approx(suite.prosecutor.average)
    assert report.full is not None and report.full.quasi_identifiers == tuple(view.names)


def test_persons_at_risk_are_those_of_small_or_surplus_classes() -> None:
    view = joined_view(release(), SPEC)

    def small(name: str) -> np.ndarray[Any, Any]:
        codes = view.codes[name][0]
        return np.asarray(np.bincount(codes)[codes] < 5)

    other = ["birth_date", "sex", "visit.count", "lab.count"]
    timing = [q for q in view.names if q not in other]
    marked = assess(view, RiskPolicy(average_prosecutor_max=1.0), max_size=1)  # k alone
    assert (marked.at_risk_other == np.any([small(q) for q in other], axis=0)).all()
    assert (marked.at_risk_timing == np.any([small(q) for q in timing], axis=0)).all()
    assert marked.risk_mass == sum(int(small(q).sum()) for q in view.names)
    # with the prosecutor limit, the persons of the classes beyond the allowed number too
    strict = assess(view, RiskPolicy(), max_size=1)
    assert (strict.at_risk >= marked.at_risk).all()
    allowed = int(0.05 * view.size)
    sequence = view.codes["visit.sequence"][0]
    surplus = len(np.unique(sequence)) - allowed
    assert surplus > 0 and strict.at_risk_timing.sum() >= surplus


def test_the_gate_refuses_with_its_code_and_passes_a_safe_view() -> None:
    view = joined_view(release(), SPEC)
    report = joined_report(view)
    findings = joined_gate(report, where="R-2026-0001-01")
    assert [f.code for f in findings] == ["release.joined-risk"]
    assert "break the policy" in findings[0].message
    assert findings[0].path == "$.risk.joined"
    assert "release.joined-risk" in load_all()
    safe = {
        "patient": {
            "patient_id": np.array([f"p{i}" for i in range(200)], dtype=object),
            "sex": np.array(["F", "M"] * 100, dtype=object),
        }
    }
    spec = JoinSpec.of({"patient": ["sex"]})
    assert joined_gate(joined_report(joined_view(safe, spec))) == []
    strict = RiskPolicy(joined_full_set=True)
    codes = {f.code for f in joined_gate(joined_report(view, strict), strict)}
    assert {"release.joined-risk", "release.k-anonymity"} <= codes


def test_the_summary_fits_the_manifest() -> None:
    summary = joined_report(joined_view(release(), SPEC)).summary()
    text = json.dumps(summary)
    assert _bounded(json.loads(text)) is None
    assert len(text) < MAX_RISK_BYTES // 4
    assert summary["combinations"] == 298 and summary["failing"] > 0
    assert "p001" not in text  # no pseudonym, no value


# --- count bands and suppression -----------------------------------------------------------


def test_count_bands_keep_a_floor_of_rows_and_drop_the_children_of_dropped_rows() -> None:
    tables = release(200)
    spec = JoinSpec.of({"patient": ["sex"]}, [EventTable("visit", "visit_date"), EventTable("lab")])
    work = Release(tables, spec, seed=3, parents={"lab": ("visit", "visit_id")})
    nobody = np.zeros(work.size, dtype=np.bool_)
    out = work.apply({"visit.count": 3}, nobody, nobody)  # floors 1, 2, 4, 8
    counts = np.unique(out["visit"]["patient_id"], return_counts=True)[1]
    assert set(counts.tolist()) == {1, 2, 4}  # 0-6 visits each: floors 1, 2, 4
    assert work.rows_dropped("visit.count", 3) == pytest.approx(
        1 - len(out["visit"]["visit_id"]) / len(tables["visit"]["visit_id"])
    )
    kept = set(out["visit"]["visit_id"].tolist())
    assert set(out["lab"]["visit_id"].tolist()) <= kept
    again = Release(tables, spec, seed=3, parents={"lab": ("visit", "visit_id")})
    same = again.apply({"visit.count": 3}, nobody, nobody)
    assert same["visit"]["visit_id"].tolist() == out["visit"]["visit_id"].tolist()
    hidden = np.zeros(work.size, dtype=np.bool_)
    hidden[:10] = True
    suppressed = work.apply({}, nobody, hidden)["visit"]["visit_date"]
    owners = set(work.persons[:10].tolist())
    mask = np.isin(tables["visit"]["patient_id"], list(owners))
    assert set(suppressed[mask].tolist()) <= {"*"} and "*" not in suppressed[~mask].tolist()


# --- the union -----------------------------------------------------------------------------


def test_the_union_links_persons_and_marks_absence() -> None:
    tables = release()
    first = joined_view(tables, SPEC)
    shared = first.persons[:50].tolist()
    half = {
        name: {c: v[np.isin(t["patient_id"], shared)] for c, v in t.items()}
        for name, t in tables.items()
    }
    second = joined_view(half, SPEC)
    cohort = {p: f"C{p}" for p in first.persons.tolist()}
    union = union_view([Linked("A", first, cohort), Linked("B", second, cohort)])
    assert union.size == first.size
    assert set(union.names) == {f"{r}:{q}" for r in "AB" for q in first.names}
    absent = union.codes["B:sex"][0] == second.codes["sex"][1]
    assert int(absent.sum()) == first.size - 50
    report = union_report([Linked("A", first, cohort), Linked("B", second, cohort)])
    findings = union_gate(report, where="R-2026-0001-02", earlier=["R-2026-0001-01"])
    assert [f.code for f in findings] == ["release.union-risk"]
    assert "R-2026-0001-01" in findings[0].message
    with pytest.raises(ValueError, match="without its cohort id"):
        union_view([Linked("A", first, {})])


def test_carried_suppression_names_this_release_s_pseudonyms() -> None:
    mapping = {"x1": "C1", "x2": "C2", "x3": "C3"}
    assert carried({"C2", "C9"}, mapping) == {"x2"}
    finding = finding_for(LongitudinalError("too few steps"), "R-2026-0001-01")
    assert finding is not None and finding.code == "release.longitudinal-infeasible"


def test_combinations_are_every_subset_up_to_the_policy_size() -> None:
    names = [f"q{i}" for i in range(5)]
    expected = [c for r in (1, 2, 3) for c in itertools.combinations(names, r)]
    assert combinations_of(names, 3) == expected
    assert combinations_of(names[:2], 3) == [("q0",), ("q1",), ("q0", "q1")]


def test_the_deidentification_meets_the_gate_the_same_way_for_a_seed() -> None:
    tables = release(300)
    parents = {"lab": ("visit", "visit_id")}
    one = deidentify_longitudinal(tables, SPEC, seed=7, parents=parents)
    two = deidentify_longitudinal(tables, SPEC, seed=7, parents=parents)
    assert one.report.passes and joined_gate(one.report) == []
    assert one.levels == two.levels and one.dropped == two.dropped
    for name, table in one.tables.items():
        for column, values in table.items():
            assert values.tolist() == two.tables[name][column].tolist(), (name, column)
    again = joined_report(joined_view(one.tables, SPEC))
    assert again.passes and again.combinations == one.report.combinations


def test_tables_generalised_by_the_pipeline_are_read_as_they_are() -> None:
    """What the per-table generalisation leaves (labels, '*', 'unknown') joins and
    de-identifies like the rest."""
    tables = release(300)
    tables["patient"]["birth_date"] = T.coarsen(tables["patient"]["birth_date"], T.Unit.YEAR)
    tables["patient"]["sex"] = np.full(300, "*", dtype=object)
    dates = T.coarsen(tables["visit"]["visit_date"], T.Unit.MONTH)
    dates[::17] = "unknown"
    tables["visit"]["visit_date"] = dates
    result = deidentify_longitudinal(tables, SPEC, seed=1, parents={"lab": ("visit", "visit_id")})
    assert result.report.passes
    assert set(result.tables["patient"]["sex"].tolist()) == {"*"}  # read as generalised
    released = T.parse(result.tables["visit"]["visit_date"])
    assert (released.unit[released.timed] >= T.Unit.MONTH).all()  # never finer than given
    assert (released.unit == T.MISSING_UNIT).any()  # missing stays missing
