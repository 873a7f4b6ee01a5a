"""The re-identification gate on extracts held in a real DuckDB file: a safe extract passes;
k < 5, l < 2 and a high average prosecutor risk are each refused with their code and a hint
that names the quasi-identifier to generalise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

from cohortgate.codes import load_all
from cohortgate.custodian.risk.gate import gate, generalisation_order
from cohortgate.custodian.risk.policy import DEFAULT_RISK_POLICY, RiskPolicy
from cohortgate.custodian.risk.suite import RiskReport, risk_report
from cohortgate.findings import Finding

SEED = 20261129
BANDS = np.array(["0-4", "5-9", "10-14", "15-18"], dtype=object)
SEXES = np.array(["F", "M"], dtype=object)
DIAGNOSES = np.array([f"ORPHA:{1000 + 37 * i}" for i in range(6)], dtype=object)


def safe_rows(rows: int = 400) -> dict[str, np.ndarray[Any, Any]]:
    """Synthetic extract: 4 age bands x 2 sexes = 8 classes of 50, 6 diagnoses spread over all."""
    rng = np.random.default_rng(SEED)
    cls = np.arange(rows) % 8
    return {
        "age_band": BANDS[cls // 2],
        "sex": SEXES[cls % 2],
        "diagnosis": DIAGNOSES[(np.arange(rows) // 8) % 6],
        "postcode": np.array([f"{100000 + i:06d}" for i in rng.permutation(rows)], dtype=object),
        "birth_month": (np.arange(rows) // 8) % 10 + 1,
        "region": np.array(["North", "South"], dtype=object)[(np.arange(rows) // 80) % 2],
    }


def extract(tmp_path: Path, columns: dict[str, np.ndarray[Any, Any]]) -> dict[str, Any]:
    """Write the columns to a DuckDB file and read them back as the release code does."""
    path = tmp_path / f"extract-{len(list(tmp_path.iterdir()))}.duckdb"
    names = list(columns)
    types = ["BIGINT" if columns[n].dtype.kind in "iu" else "VARCHAR" for n in names]
    with duckdb.connect(str(path)) as con:
        fields = ", ".join(f"{n} {t}" for n, t in zip(names, types, strict=True))
        con.execute(f"CREATE TABLE extract ({fields})")
        rows = list(zip(*(columns[n].tolist() for n in names), strict=True))
        con.executemany(f"INSERT INTO extract VALUES ({', '.join('?' * len(names))})", rows)
    with duckdb.connect(str(path), read_only=True) as con:
        data: dict[str, Any] = con.sql("SELECT * FROM extract").fetchnumpy()
    return data


def only(findings: list[Finding], code: str) -> Finding:
    assert [f.code for f in findings] == [code], findings
    return findings[0]


def test_a_safe_extract_passes(tmp_path: Path) -> None:
    table = extract(tmp_path, safe_rows())
    report = risk_report(table, ["age_band", "sex"], ["diagnosis"])
    assert (report.k, report.distinct_l, report.classes) == (50, 6, 8)
    assert report.prosecutor.average == pytest.approx(0.02)
    assert gate(report) == []


def test_k_below_5_names_the_quasi_identifier_to_generalise(tmp_path: Path) -> None:
    table = extract(tmp_path, safe_rows())
    report = risk_report(table, ["age_band", "sex", "postcode"], ["diagnosis"])
    assert report.k == 1
    found = gate(report, where="releases/R-2026-001")
    k_finding = next(f for f in found if f.code == "release.k-anonymity")
    assert k_finding.file == "releases/R-2026-001" and k_finding.path == "$.risk.k"
    assert "k = 1" in k_finding.message and "400 record(s)" in k_finding.message
    assert k_finding.hint.startswith("Generalise 'postcode' first")
    assert "postcode -> 50" in k_finding.hint
    assert generalisation_order(report)[0].name == "postcode"


def test_l_below_2_is_refused(tmp_path: Path) -> None:
    columns = safe_rows()
    # every girl aged 0-4 has the same diagnosis: her class reveals it
    girls = (columns["age_band"] == "0-4") & (columns["sex"] == "F")
    columns["diagnosis"] = np.where(girls, DIAGNOSES[0], columns["diagnosis"])
    report = risk_report(extract(tmp_path, columns), ["age_band", "sex"], ["diagnosis"])
    assert report.k == 50 and report.distinct_l == 1
    finding = only(gate(report), "release.l-diversity")
    assert "'diagnosis' has l = 1" in finding.message
    assert finding.path == "$.risk.sensitive.diagnosis.distinct_l"
    # dropping either quasi-identifier merges the girls' class with another: both are named
    assert "'age_band'" in finding.hint or "'sex'" in finding.hint
    assert "generalise 'diagnosis' itself" in finding.hint


def test_high_average_prosecutor_risk_is_refused(tmp_path: Path) -> None:
    # 4 bands x 2 sexes x 10 birth months = 80 classes of 5: k = 5 holds, 80/400 = 0.2 > 0.05
    table = extract(tmp_path, safe_rows())
    report = risk_report(table, ["age_band", "sex", "birth_month"], ["diagnosis"])
    assert report.k == 5 and report.prosecutor.average == pytest.approx(0.2)
    finding = only(gate(report), "release.prosecutor-risk")
    assert "0.2000 > 0.05" in finding.message and "80 classes for 400 records" in finding.message
    assert finding.hint.startswith("Generalise 'birth_month' first")


def test_t_closeness_and_uniqueness_only_when_the_policy_sets_them(tmp_path: Path) -> None:
    columns = safe_rows()
    # region splits the diagnoses unevenly: North holds only the first three
    columns["diagnosis"] = np.where(
        columns["region"] == "North",
        DIAGNOSES[np.arange(400) % 3],
        DIAGNOSES[3 + np.arange(400) % 3],
    )
    report = risk_report(extract(tmp_path, columns), ["region"], ["diagnosis"])
    # South holds 160 of 400 records, 1/3 each of 3 diagnoses whose overall share is 2/15:
    # 0.5 * (3 * |1/3 - 2/15| + 3 * 0.2) = 0.6 (North: 0.4)
    assert report.t_closeness == pytest.approx(0.6)
    assert gate(report) == []  # t is reported, not enforced, by default
    strict = RiskPolicy(t_max=0.2)
    finding = only(gate(report, strict), "release.t-closeness")
    assert "t = 0.6000" in finding.message and "'region'" in finding.hint

    uniques = risk_report(extract(tmp_path, safe_rows()), ["postcode"])
    lenient = RiskPolicy(k_min=1, average_prosecutor_max=1.0, sample_uniqueness_max=0.01)
    finding = only(gate(uniques, lenient), "release.sample-uniqueness")
    assert "400 record(s) (100.00%)" in finding.message and "'postcode'" in finding.hint


def test_all_breaches_are_reported_together(tmp_path: Path) -> None:
    columns = safe_rows()
    columns["diagnosis"] = np.full(400, DIAGNOSES[0])
    report = risk_report(extract(tmp_path, columns), ["postcode", "sex"], ["diagnosis"])
    codes = [f.code for f in gate(report)]
    assert codes == ["release.k-anonymity", "release.l-diversity", "release.prosecutor-risk"]


def test_without_impact_the_hint_lists_the_quasi_identifiers(tmp_path: Path) -> None:
    report = risk_report(extract(tmp_path, safe_rows()), ["postcode"], impact=False)
    finding = gate(report)[0]
    assert "one of 'postcode'" in finding.hint


def test_report_round_trips_into_a_manifest(tmp_path: Path) -> None:
    report = risk_report(extract(tmp_path, safe_rows()), ["age_band", "sex"], ["diagnosis"])
    text = json.dumps({"risk": report.to_dict()}, ensure_ascii=False)
    assert "ORPHA" not in text and "postcode" not in text
    assert json.loads(text)["risk"]["k"] == 50
    assert isinstance(report, RiskReport)


def test_gate_codes_are_declared_with_hints() -> None:
    codes = load_all()
    for code in ("k-anonymity", "l-diversity", "prosecutor-risk", "t-closeness"):
        declared = codes[f"release.{code}"]
        assert "R28" in declared.description and "{generalise}" in declared.hint
    assert DEFAULT_RISK_POLICY.k_min == 5 and DEFAULT_RISK_POLICY.l_min == 2
    assert DEFAULT_RISK_POLICY.average_prosecutor_max == 0.05
