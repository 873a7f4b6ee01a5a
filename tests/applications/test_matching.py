"""DUO use-condition matching: one result record per condition, with its reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from cohortgate.applications.matching import (
    MATCHERS,
    DeclaredHierarchy,
    Match,
    match_conditions,
)
from cohortgate.catalog.duo import DUO_TERMS
from cohortgate.files.loading import load_yaml_file
from cohortgate.models.application import Application
from cohortgate.models.dataset import Dataset, UseCondition


@pytest.fixture(scope="module")
def nmd(repo_root: Path) -> Dataset:
    data = load_yaml_file(repo_root / "catalog" / "datasets" / "ds-nmd-genetics.yaml").data
    return Dataset.model_validate(data)


@pytest.fixture(scope="module")
def app(repo_root: Path) -> Application:
    path = repo_root / "submissions" / "2026" / "A-2026-0002" / "application.yaml"
    return Application.model_validate(load_yaml_file(path).data)


def _change(app: Application, **update: object) -> Application:
    return Application.model_validate({**app.model_dump(), **update})


def _inclusion(app: Application, **update: object) -> Application:
    selection = app.model_dump()["selection"]
    selection["inclusion"].update(update)
    return _change(app, selection=selection)


def test_a_record_per_condition(app: Application, nmd: Dataset) -> None:
    results = match_conditions(app, nmd)
    assert [(r.shorthand, r.status) for r in results] == [
        ("DS", Match.MET),
        ("NPUNCU", Match.MET),
        ("IRB", Match.MET),
        ("RS", Match.MET),
        ("PUB", Match.REVIEW),
    ]
    assert [r.index for r in results] == list(range(len(nmd.use_conditions)))
    assert all(r.dataset == "ds-nmd-genetics" and r.reason.en and r.reason.zh for r in results)
    assert (
        results[0].reason.en
        == "every selected disease falls under ORPHA:98896, ORPHA:70, ORPHA:308552"
    )


def test_disease_specific_through_the_hierarchy(app: Application, nmd: Dataset) -> None:
    other = _inclusion(app, diseases=["ORPHA:98896", "ORPHA:905"])
    ds = match_conditions(other, nmd)[0]
    assert (ds.status, ds.path) == (Match.NOT_MET, ("selection", "inclusion", "diseases", 1))
    assert ds.reason.en == "ORPHA:905 is not one of ORPHA:98896, ORPHA:70, ORPHA:308552"

    class Orphanet:  # a pluggable hierarchy: Wilson disease under a made-up group
        def is_a(self, disease: str, ancestor: str) -> bool | None:
            return disease == ancestor or (disease, ancestor) == ("ORPHA:905", "ORPHA:70")

    assert match_conditions(other, nmd, Orphanet())[0].status is Match.MET


def test_the_declared_hierarchy() -> None:
    tree = DeclaredHierarchy(frozenset({"ORPHA:70", "ORPHA:98896"}))
    assert tree.is_a("ORPHA:70", "ORPHA:70") is True
    assert tree.is_a("ORPHA:98896", "ORPHA:70") is False  # two specific diseases
    assert tree.is_a("ORPHA:70", "ORPHA:68381") is True  # a group named only by the condition
    assert tree.is_a("ORPHA:905", "ORPHA:68381") is None  # cannot tell: not met


def test_a_group_code_and_an_undecidable_disease(app: Application, nmd: Dataset) -> None:
    group = UseCondition(code="DUO:0000007", diseases=["ORPHA:68381"])
    ds = nmd.model_copy(update={"use_conditions": [group]})
    assert match_conditions(app, ds)[0].status is Match.MET
    outside = match_conditions(_inclusion(app, diseases=["ORPHA:905"]), ds)[0]
    assert outside.status is Match.NOT_MET and "Orphanet classification" in outside.reason.en


def test_paediatric_research_only(app: Application, nmd: Dataset) -> None:
    older = match_conditions(_inclusion(app, age_at_diagnosis={"max_years": 21}), nmd)[3]
    assert (older.shorthand, older.status) == ("RS", Match.NOT_MET)
    assert "upper age of 21 years" in older.reason.en
    unbounded = match_conditions(_inclusion(app, age_at_diagnosis=None), nmd)[3]
    assert unbounded.status is Match.NOT_MET and unbounded.path == ("selection", "inclusion")


def test_ethics_and_non_profit_are_covered_by_their_own_findings(
    app: Application, nmd: Dataset
) -> None:
    results = match_conditions(_change(app, ethics=None, non_profit=False), nmd)
    npu, irb = results[1], results[2]
    assert (npu.status, npu.covered_by) == (Match.NOT_MET, "application.not-non-profit")
    assert (irb.status, irb.covered_by) == (Match.NOT_MET, "application.ethics-missing")
    l1 = _change(app, ethics=None, privacy_level="L1")
    assert match_conditions(l1, nmd)[2].covered_by is None  # L1 needs no ethics but IRB does


def test_genetic_studies_only(app: Application, nmd: Dataset) -> None:
    gso = nmd.model_copy(update={"use_conditions": [UseCondition(code="DUO:0000016")]})
    assert match_conditions(app, gso)[0].status is Match.MET
    plain = _inclusion(app, genes=[])
    datasets = [
        {
            "dataset": "ds-nmd-genetics",
            "variables": [v.model_dump() for v in r.variables if v.table != "variant"],
        }
        for r in plain.datasets
    ]
    assert match_conditions(_change(plain, datasets=datasets), gso)[0].status is Match.NOT_MET


@pytest.mark.parametrize("term", sorted(DUO_TERMS))
def test_every_catalog_term_has_a_result(term: str, app: Application, nmd: Dataset) -> None:
    parameters: dict[str, dict[str, object]] = {
        "DUO:0000007": {"diseases": ["ORPHA:70"]},  # the selection also names ORPHA:98896
        "DUO:0000012": {"research_type": "clinical trials"},  # not one the check can decide
        "DUO:0000025": {"months": 12},
    }
    cond = UseCondition.model_validate({"code": term, **parameters.get(term, {})})
    result = match_conditions(app, nmd.model_copy(update={"use_conditions": [cond]}))[0]
    if term == "DUO:0000007":
        expected = Match.NOT_MET
    elif term in MATCHERS and term != "DUO:0000012":
        expected = Match.MET  # the example application meets every decidable condition
    else:
        expected = Match.REVIEW
    assert (result.status, bool(result.reason.en and result.reason.zh)) == (expected, True)
