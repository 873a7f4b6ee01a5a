"""Generalisation for k-anonymity and l-diversity: checked with the risk module, and optimal
(by brute force over every node of small lattices)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pytest

from cohortgate.custodian.cohort.diseases import DISEASES
from cohortgate.custodian.deid import hierarchies as h
from cohortgate.custodian.deid.generalise import (
    GeneralisationError,
    Lattice,
    generalise,
    only_patients,
)
from cohortgate.custodian.risk.suite import distinct_l_diversity, k_anonymity, risk_report
from cohortgate.policy import AGE_BANDS

BANDS = np.array([label for label, _, _ in AGE_BANDS], dtype=object)
CODES = np.array([d.orpha for d in DISEASES], dtype=object)
PROVINCES = np.array(sorted(h.REGIONS), dtype=object)


def _table(rows: int, seed: int, diseases: int = 8) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    weights = 1 / np.arange(1, diseases + 1)
    months = np.datetime64("2019-01") + rng.integers(0, 36, rows)
    return {
        "age_band": BANDS[rng.choice(6, rows, p=[0.3, 0.3, 0.2, 0.1, 0.05, 0.05])],
        "sex": rng.choice(np.array(["F", "M"], dtype=object), rows),
        "province": PROVINCES[rng.integers(0, 34, rows)],
        "diagnosis_date": np.datetime_as_string(months.astype("datetime64[M]")).astype(object),
        "orpha_code": CODES[rng.choice(diseases, rows, p=weights / weights.sum())],
        "gene": rng.choice(  # skewed: l = 2 binds (many small classes hold one gene)
            np.array([f"G{i}" for i in range(4)], dtype=object), rows, p=[0.88, 0.06, 0.04, 0.02]
        ),
        "value": rng.normal(size=rows),
    }


def _hierarchies(table: dict[str, Any], names: list[str]) -> dict[str, h.Hierarchy]:
    every = {
        "age_band": h.age_band(),
        "sex": h.sex(),
        "province": h.province(),
        "diagnosis_date": h.date(table["diagnosis_date"]),
        "orpha_code": h.diagnosis(table["orpha_code"]),
    }
    return {n: every[n] for n in names}


def _loss(result: Any, hierarchies: dict[str, h.Hierarchy], rows: int) -> float:
    """Iyengar's loss recomputed from the released labels and the hierarchy tables."""
    total = 0.0
    for name, hierarchy in hierarchies.items():
        level = result.transformation[name]
        leaves = Counter(hierarchy.table[level].tolist())
        domain = len(hierarchy.values)
        for label, count in Counter(result.table[name].tolist()).items():
            total += count * (leaves[label] - 1) / (domain - 1)
    total += result.suppressed * len(hierarchies)
    return total / (rows * len(hierarchies))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("l", [1, 2])
def test_optimal_by_brute_force(seed: int, l: int) -> None:  # noqa: E741
    table = _table(300 + 100 * seed, seed)
    names = ["age_band", "sex", "province", "diagnosis_date", "orpha_code"]
    hierarchies = _hierarchies(table, names)
    sensitive = ["gene"] if l > 1 else []
    k, limit = 3 + seed % 3, 0.04
    result = generalise(table, hierarchies, k, sensitive=sensitive, l=l, max_suppression=limit)
    lattice = Lattice(table, hierarchies, k, sensitive, l, limit)
    every = [lattice.evaluate(node) for node in lattice.nodes()]
    feasible = [r for r in every if r.feasible]
    code_level = names.index("orpha_code")
    most_specific = min(r.node[code_level] for r in feasible)
    assert result.transformation["orpha_code"] == most_specific
    best = min(r.loss for r in feasible if r.node[code_level] == most_specific)
    assert result.loss == pytest.approx(best, abs=1e-12)
    assert _loss(result, hierarchies, len(table["sex"])) == pytest.approx(result.loss)
    assert result.nodes_evaluated <= len(every)
    # without a preference: the overall optimum
    free = generalise(
        table, hierarchies, k, sensitive=sensitive, l=l, max_suppression=limit, prefer=()
    )
    assert free.loss == pytest.approx(min(r.loss for r in feasible), abs=1e-12)
    assert free.loss <= result.loss + 1e-12


@pytest.mark.parametrize("seed", range(4))
def test_result_satisfies_k_and_l_by_the_risk_module(seed: int) -> None:
    table = _table(2_000, 100 + seed, diseases=16)
    names = ["age_band", "sex", "province", "diagnosis_date", "orpha_code"]
    hierarchies = _hierarchies(table, names)
    result = generalise(table, hierarchies, 5, sensitive=["gene"], l=2, max_suppression=0.05)
    out = result.table
    report = risk_report(out, names, ["gene"])
    assert report.k >= 5
    assert k_anonymity(out, names) == result.k >= 5
    assert distinct_l_diversity(out, names, ["gene"]) == result.l >= 2
    assert result.suppressed <= int(0.05 * 2_000)
    assert len(out["sex"]) == 2_000 - result.suppressed == int(result.kept.sum())
    # non-QI columns travel with their rows
    assert np.array_equal(out["value"], table["value"][result.kept])
    assert set(out) == set(table)


def test_diagnosis_kept_when_a_feasible_choice_allows_it() -> None:
    table = _table(3_000, 7, diseases=5)
    names = ["age_band", "sex", "province", "diagnosis_date", "orpha_code"]
    hierarchies = _hierarchies(table, names)
    kept = generalise(table, hierarchies, 5)
    assert kept.transformation["orpha_code"] == 0
    assert set(kept.table["orpha_code"].tolist()) <= set(CODES.tolist())
    lattice = Lattice(table, hierarchies, 5)
    free = generalise(table, hierarchies, 5, prefer=())
    # the preference may cost loss, never feasibility
    assert free.loss <= kept.loss
    assert lattice.evaluate(tuple(kept.transformation.values())).feasible


def test_diagnosis_generalised_only_when_it_must_be() -> None:
    table = _table(400, 11, diseases=24)
    rare = table["orpha_code"].copy()
    rare[:24] = CODES[:24]  # every code, some once only
    table["orpha_code"] = rare
    hierarchies = _hierarchies(table, ["sex", "orpha_code"])
    result = generalise(table, hierarchies, 5, max_suppression=0.0)
    assert result.transformation["orpha_code"] > 0
    assert result.suppressed == 0


def test_suppression_is_bounded_and_infeasible_is_refused() -> None:
    table = _table(50, 3)
    hierarchies = _hierarchies(table, ["sex", "orpha_code"])
    with pytest.raises(GeneralisationError, match="k = 60"):
        generalise(table, hierarchies, 60)
    result = generalise(table, hierarchies, 20, max_suppression=0.5)
    assert result.suppressed <= 25
    assert k_anonymity(result.table, ["sex", "orpha_code"]) >= 20


def test_hierarchies() -> None:
    dates = h.date(np.array(["2020-03-04", "2021-12-31"], dtype="datetime64[D]"))
    assert dates.levels == ("day", "month", "year", "*")
    assert [col[0] for col in dates.table] == ["2020-03-04", "2020-03", "2020", "*"]
    assert h.date(np.array(["2020-03", None], dtype=object)).levels == ("month", "year", "*")
    province = h.province()
    assert province.table[1][province.values.tolist().index("31")] == "East China"
    assert len(h.REGIONS) == 34
    groups = h.disease_groups()
    by_icd = {spec.icd10: spec.orpha for spec in DISEASES}
    assert groups[by_icd["E70.0"]] == "endocrine and metabolic"  # phenylketonuria
    assert groups[by_icd["G71.0"]] == "nervous system"
    assert set(groups.values()) <= {c[2] for c in h._CHAPTERS} | {"other"}
    age = h.age_band()
    assert age.leaf_loss(0).max() == 0 and age.leaf_loss(3).min() == 1
    with pytest.raises(ValueError, match="not in the hierarchy"):
        h.sex().encode(np.array(["X"], dtype=object))


def test_suppressed_patients_leave_the_other_tables() -> None:
    table = _table(400, 5)
    table["patient_id"] = np.array([f"p{i}" for i in range(400)], dtype=object)
    visits = {
        "patient_id": np.repeat(table["patient_id"], 2),
        "visit_date": np.arange(800).astype("datetime64[D]"),
    }
    hierarchies = _hierarchies(table, ["age_band", "sex", "province"])
    result = generalise(table, hierarchies, 5, max_suppression=0.1)
    assert result.suppressed > 0
    kept = result.table["patient_id"]
    rest = only_patients({"visit": visits}, kept)["visit"]
    assert set(rest["patient_id"].tolist()) == set(kept.tolist())
    assert len(rest["visit_date"]) == 2 * len(kept)
