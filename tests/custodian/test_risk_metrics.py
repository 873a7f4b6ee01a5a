"""Each figure of the risk report on small tables computed by hand, and the edge cases."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

from cohortgate.custodian.risk.classes import column
from cohortgate.custodian.risk.policy import RiskPolicy
from cohortgate.custodian.risk.suite import (
    Population,
    SizeBand,
    classes_of,
    distinct_l_diversity,
    k_anonymity,
    metrics,
    risk_report,
    zayatz,
)

# Two classes over (age, sex): A = 3 records (flu, flu, cancer), B = 4 (flu, hiv, cancer, cancer).
WARD = {
    "age": np.array(["<30"] * 3 + ["30+"] * 4, dtype=object),
    "sex": np.array(["M"] * 3 + ["F"] * 4, dtype=object),
    "disease": np.array(["flu", "flu", "cancer", "flu", "hiv", "cancer", "cancer"], dtype=object),
}
QI = ["age", "sex"]


def test_ward_by_hand() -> None:
    report = risk_report(WARD, QI, ["disease"])
    assert (report.rows, report.classes, report.k) == (7, 2, 3)
    (disease,) = report.sensitive_figures
    assert disease.distinct_values == 3
    assert disease.distinct_l == 2  # A has 2 distinct diseases, B 3
    # A: p = (2/3, 1/3): H = ln 3 - (2/3) ln 2, exp(H) = 3 / 2^(2/3)
    assert disease.entropy_l == pytest.approx(3 / 2 ** (2 / 3), rel=1e-12)
    # (c,2): A counts (2,1): floor(2/1)+1 = 3; B (2,1,1): floor(2/2)+1 = 2
    assert (disease.recursive_l, disease.recursive_c) == (2, 3)
    # equal distance: A 0.5(|2/3-3/7| + |1/3-3/7| + 1/7) = 5/21; B 5/28
    assert disease.t_closeness == pytest.approx(5 / 21, rel=1e-12)
    # beta: B's hiv 1/4 against 1/7 overall: (1/4 - 1/7) / (1/7) = 3/4
    assert disease.basic_beta == pytest.approx(3 / 4, rel=1e-12)
    assert report.prosecutor.highest == pytest.approx(1 / 3)
    assert report.prosecutor.average == pytest.approx(2 / 7)
    assert report.prosecutor.records_at_risk == 1.0  # 1/3 and 1/4 both above tau = 0.2
    assert report.journalist == report.prosecutor  # no population table
    assert report.marketer == pytest.approx(2 / 7)
    assert (report.sample_uniques, report.sample_uniqueness) == (0, 0.0)
    assert report.class_sizes == (SizeBand("3", 1, 3), SizeBand("4", 1, 4))
    assert report.distinct_l == 2 and report.t_closeness == pytest.approx(5 / 21)


def test_records_at_risk_follow_the_threshold() -> None:
    report = risk_report(WARD, QI, policy=RiskPolicy(record_risk_threshold=0.3))
    assert report.prosecutor.records_at_risk == pytest.approx(3 / 7)  # only A: 1/3 > 0.3


def test_recursive_c_for_a_given_l() -> None:
    classes = classes_of(WARD, QI)
    counts = classes.sensitive("disease", column(WARD, "disease"))
    assert metrics.recursive_c(classes, counts, 2) == 3
    assert metrics.recursive_c(classes, counts, 3) is None  # A has only 2 diseases
    with pytest.raises(ValueError, match="l >= 2"):
        metrics.recursive_c(classes, counts, 1)


def test_ordered_distance_of_li_et_al() -> None:
    """Li, Li & Venkatasubramanian (ICDE 2007), salaries 3k..11k: the class {3k, 4k, 5k} is at
    distance 0.375 from the table, {6k, 8k, 11k} at 1/6, {7k, 9k, 10k} at 17/72."""
    table = {
        "zip": np.array(["476**"] * 3 + ["4790*"] * 3 + ["47***"] * 3, dtype=object),
        "salary": np.array([3, 4, 5, 6, 8, 11, 7, 9, 10]) * 1000,
    }
    classes = classes_of(table, ["zip"])
    counts = classes.sensitive("salary", column(table, "salary"))
    assert counts.numeric
    per_class = metrics._ordered_emd(classes, counts)
    assert sorted(per_class) == pytest.approx(sorted([0.375, 1 / 6, 17 / 72]), rel=1e-12)
    assert metrics.t_closeness(classes, counts) == pytest.approx(0.375)


def test_single_valued_numeric_field_has_t_zero() -> None:
    table = {"q": np.array([1, 1, 2]), "s": np.array([5.0, 5.0, 5.0])}
    (figures,) = risk_report(table, ["q"], ["s"]).sensitive_figures
    assert figures.t_closeness == 0.0 and figures.entropy_l == 1.0


def test_journalist_and_marketer_with_a_population_table() -> None:
    # population: A ("<30","M") 10 people, B ("30+","F") 4, and C 20 people not in the sample
    population = Population(
        {
            "age": np.array(["<30", "30+", "<30"], dtype=object),
            "sex": np.array(["M", "F", "F"], dtype=object),
            "people": np.array([10, 4, 20]),
        },
        count="people",
    )
    report = risk_report(WARD, QI, population=population)
    assert report.population_table
    assert report.journalist.highest == pytest.approx(1 / 4)
    marketer = (3 / 10 + 4 / 4) / 7
    assert report.marketer == pytest.approx(marketer)
    assert report.journalist.average == pytest.approx(max(2 / 14, marketer))
    assert report.journalist.records_at_risk == pytest.approx(4 / 7)  # B: 1/4 > 0.2
    assert report.prosecutor.highest == pytest.approx(1 / 3)  # unchanged by the population


def test_a_population_smaller_than_the_sample_is_refused() -> None:
    population = Population({"age": np.array(["<30"], dtype=object), "sex": np.array(["M"])})
    with pytest.raises(ValueError, match="fewer people than the release"):
        risk_report(WARD, QI, population=population)


def test_zayatz_by_hand() -> None:
    # one unique and one class of 2 (n = 3) drawn from N = 6: h(1) = 10/20, h(2) = 12/20,
    # P(population unique | sample unique) = 0.5 / (0.5 + 0.6) = 5/11
    estimate = zayatz(np.array([1, 2]), 6)
    assert estimate.sample_uniques_unique_in_population == pytest.approx(5 / 11)
    assert estimate.sampling_fraction == 0.5
    assert estimate.share_of_records == pytest.approx(5 / 33)
    assert estimate.population_uniques == pytest.approx(10 / 11)  # scaled by 1 / 0.5
    whole = zayatz(np.array([1, 1, 3]), None)  # the release is the population
    assert (whole.sample_uniques_unique_in_population, whole.sampling_fraction) == (2.0, 1.0)
    assert zayatz(np.array([2, 3]), 100).population_uniques == 0.0
    # a tiny sampling fraction: every hypergeometric term underflows, the logs do not
    tiny = zayatz(np.array([1] * 300 + [2] * 50), 10**12)
    assert 0 < tiny.sample_uniques_unique_in_population <= 300
    with pytest.raises(ValueError, match="smaller than"):
        zayatz(np.array([1, 2]), 2)


def test_sample_uniques_histogram_and_impact() -> None:
    table = {
        "age": np.array([1, 1, 1, 2, 2, 3]),
        "sex": np.array(["F", "F", "M", "F", "F", "F"], dtype=object),
    }
    report = risk_report(table, ["age", "sex"])
    assert (report.k, report.classes, report.sample_uniques) == (1, 4, 2)
    assert report.sample_uniqueness == pytest.approx(2 / 6)
    assert report.class_sizes == (SizeBand("1", 2, 2), SizeBand("2", 2, 4))
    impact = {q.name: (q.k_without, q.classes_without) for q in report.impact}
    assert impact == {"age": (1, 2), "sex": (1, 3)}
    assert report.population_uniqueness.sample_uniques_unique_in_population == 2.0


def test_histogram_bands_large_classes() -> None:
    table = {"q": np.repeat(np.arange(4), [1, 15, 60, 500])}
    bands = risk_report(table, ["q"]).class_sizes
    assert bands == (
        SizeBand("1", 1, 1),
        SizeBand("11-20", 1, 15),
        SizeBand("51-100", 1, 60),
        SizeBand(">100", 1, 500),
    )


def test_single_class() -> None:
    table = {"sex": np.array(["F"] * 6, dtype=object), "gene": np.array(list("aabbcc"))}
    report = risk_report(table, ["sex"], ["gene"])
    assert (report.k, report.classes) == (6, 1)
    assert report.prosecutor.average == pytest.approx(1 / 6)
    (gene,) = report.sensitive_figures
    assert gene.t_closeness == 0.0 and gene.basic_beta == 0.0
    assert gene.entropy_l == pytest.approx(3.0)
    assert report.impact[0].k_without == 6


def test_missing_values_are_a_category_of_their_own() -> None:
    floats = {"q": np.array([1.0, np.nan, np.nan, 2.0]), "s": np.array(["a", "b", None, None])}
    report = risk_report(floats, ["q"], ["s"])
    assert (report.classes, report.k) == (3, 1)  # {1}, {NaN, NaN}, {2}
    assert report.sensitive_figures[0].distinct_values == 3  # a, b, missing
    objects = {"q": np.array(["x", None, None, "x"], dtype=object)}
    assert risk_report(objects, ["q"]).class_sizes == (SizeBand("2", 2, 4),)


def test_duckdb_nulls_through_fetchnumpy(tmp_path: Path) -> None:
    path = tmp_path / "extract.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE extract (region VARCHAR, band INTEGER, gene VARCHAR)")
        con.execute(
            "INSERT INTO extract VALUES ('N', 1, 'G1'), ('N', 1, 'G2'), (NULL, 1, 'G1'), "
            "(NULL, 1, 'G3'), ('S', NULL, 'G1'), ('S', NULL, NULL)"
        )
    with duckdb.connect(str(path), read_only=True) as con:
        table: dict[str, Any] = con.sql("SELECT * FROM extract").fetchnumpy()
    report = risk_report(table, ["region", "band"], ["gene"])
    assert (report.rows, report.classes, report.k) == (6, 3, 2)
    assert report.distinct_l == 2


def test_shortcuts_match_the_report() -> None:
    assert k_anonymity(WARD, QI) == 3
    assert distinct_l_diversity(WARD, QI, ["disease"]) == 2


def test_json_has_figures_and_no_values() -> None:
    report = risk_report(WARD, QI, ["disease"], population_size=70)
    text = json.dumps(report.to_dict())
    data = json.loads(text)
    assert data["k"] == 3 and data["quasi_identifiers"] == ["age", "sex"]
    assert data["population_uniqueness"]["estimator"] == "zayatz"
    for value in ("flu", "cancer", "hiv", "<30", "30+"):
        assert value not in text


@pytest.mark.parametrize(
    ("table", "qis", "sensitive", "message"),
    [
        ({"q": np.array([], dtype=object)}, ["q"], [], "empty"),
        (WARD, [], [], "no quasi-identifiers"),
        (WARD, ["age", "age"], [], "named twice"),
        (WARD, ["age", "weight"], [], "no column 'weight'"),
        (WARD, ["age"], ["age"], "both quasi-identifier and sensitive"),
        ({"a": np.array([1, 2]), "b": np.array([1])}, ["a", "b"], [], "has 1 rows"),
    ],
)
def test_bad_input_is_refused_clearly(
    table: Any, qis: list[str], sensitive: list[str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        risk_report(table, qis, sensitive)


def test_entropy_l_is_exact_for_uniform_classes() -> None:
    table = {"q": np.zeros(8, dtype=np.int64), "s": np.arange(8) % 4}
    (figures,) = risk_report(table, ["q"], ["s"]).sensitive_figures
    assert math.isclose(figures.entropy_l, 4.0, rel_tol=1e-12)


def test_without_pandas_the_figures_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """pandas only speeds up coding strings; the numpy fallback gives the same report."""
    from cohortgate.custodian.risk import classes as risk_classes

    table = {
        "q": np.array(["x", None, float("nan"), "y", "x", None], dtype=object),
        "r": np.array([1, 2, 1, 2, 1, 2]),
        "s": np.array(["a", "b", None, "a", "b", "a"], dtype=object),
    }
    with_pandas = risk_report(table, ["q", "r"], ["s"])
    monkeypatch.setattr(risk_classes, "_pandas", lambda: None)
    without = risk_report(table, ["q", "r"], ["s"])
    assert without == with_pandas
    # (x,1) x2, (missing,2) x2 (None and NaN alike), (missing,1), (y,2)
    assert (without.classes, without.k) == (4, 1)
