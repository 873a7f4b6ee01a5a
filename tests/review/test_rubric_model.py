"""The rubric model (R13–R15, R34) and the committed ``rubric/rubric.yaml``."""

from __future__ import annotations

import copy
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import yaml

from cohortgate.files.loading import load_yaml_file, load_yaml_text
from cohortgate.files.modelcheck import check_model
from cohortgate.models.dataset import PrivacyLevel
from cohortgate.models.roster import Committee, Expertise
from cohortgate.models.rubric import Dimension, Rubric, Source

RUBRIC = "rubric/rubric.yaml"


@pytest.fixture(scope="module")
def rubric_data(repo_root: Path) -> dict[str, Any]:
    data = yaml.safe_load((repo_root / RUBRIC).read_text("utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def rubric(repo_root: Path) -> Rubric:
    loaded, findings = check_model(load_yaml_file(repo_root / RUBRIC, RUBRIC), Rubric)
    assert findings == []
    assert loaded is not None
    return loaded


def test_committed_rubric_has_table_1(rubric: Rubric) -> None:
    assert {d.id for d in rubric.dimensions} == set(Dimension)
    assert (rubric.scale.min, rubric.scale.max) == (1, 5)
    expected = {
        Dimension.SCIENTIFIC_VALUE: {
            "data-volume",
            "diseases-covered",
            "scientific-merit",
            "social-benefit",
        },
        Dimension.LEAK_RISK: {
            "protection-capability",
            "credit-record",
            "people-affected",
            "identifying-fields",
            "rarity",
            "patient-harm-and-ethics",
        },
        Dimension.COST: {"provision-cost", "feasibility"},
    }
    for dim, ids in expected.items():
        assert {i.id for i in rubric.indicators if i.dimension is dim} >= ids
    ethics = rubric.indicator("patient-harm-and-ethics")
    assert ethics is not None and ethics.source is Source.REVIEWER
    assert set(ethics.expertise) == {Expertise.ETHICS, Expertise.LEGAL, Expertise.MEDICAL}
    assert [i.id for i in rubric.reviewer_indicators(Committee.DATA_MANAGEMENT)] == ["feasibility"]
    assert rubric.indicator("no-such-thing") is None


def test_higher_levels_are_stricter(rubric: Rubric) -> None:
    rules = [rubric.level_rule(level).thresholds() for level in PrivacyLevel]
    for lower, higher in pairwise(rules):
        assert all(higher[name] >= lower[name] for name in lower)
    assert rules[2]["approve_at_least"] > rules[0]["approve_at_least"]


def test_every_number_in_the_rubric_file_is_commented(repo_root: Path) -> None:
    """Policy numbers say why (house rule): each band and threshold line has a comment nearby."""
    lines = (repo_root / RUBRIC).read_text("utf-8").splitlines()
    comments = sum(1 for line in lines if "#" in line)
    assert comments > len(lines) // 3


def test_band_bounds_are_inclusive(rubric: Rubric) -> None:
    volume = rubric.indicator("data-volume")
    assert volume is not None
    assert volume.band_score(50) == 2  # exactly at the bound: that band
    assert volume.band_score(50.5) == 3
    assert volume.band_score(0) == 1
    assert volume.band_score(10**9) == 5  # the open last band


@pytest.mark.parametrize(
    ("completed", "quarter"),
    [
        (date(2026, 12, 1), "2026Q4"),  # exactly 30 days before 31 December: in time
        (date(2026, 12, 2), "2027Q1"),
        (date(2026, 3, 1), "2026Q1"),
        (date(2026, 3, 2), "2026Q2"),
        (date(2026, 7, 15), "2026Q3"),
    ],
)
def test_agenda_quarter_follows_the_cutoff(rubric: Rubric, completed: date, quarter: str) -> None:
    assert rubric.meetings.cutoff_days == 30
    assert rubric.meetings.agenda_quarter(completed) == quarter


def test_json_schema_generates(rubric: Rubric) -> None:
    schema = Rubric.model_json_schema()
    assert "indicators" in schema["properties"]


def _messages(data: dict[str, Any]) -> list[str]:
    doc = load_yaml_text(yaml.safe_dump(data, allow_unicode=True), RUBRIC)
    loaded, findings = check_model(doc, Rubric)
    assert loaded is None
    return [f.message for f in findings]


def _dup_id(d: dict[str, Any]) -> None:
    d["indicators"][1]["id"] = d["indicators"][0]["id"]


def _band_out_of_scale(d: dict[str, Any]) -> None:
    d["indicators"][0]["bands"][0]["score"] = 9


def _reject_above_approve(d: dict[str, Any]) -> None:
    d["levels"][0]["reject_below"] = 3.5


def _missing_level(d: dict[str, Any]) -> None:
    d["levels"] = [r for r in d["levels"] if r["level"] != "L2"]


def _level_twice(d: dict[str, Any]) -> None:
    d["levels"].append(copy.deepcopy(d["levels"][0]))


def _laxer_l3(d: dict[str, Any]) -> None:
    d["levels"][2]["approve_at_least"] = 3.2


def _reviewer_without_committee(d: dict[str, Any]) -> None:
    ind = next(i for i in d["indicators"] if i["source"] == "reviewer")
    del ind["committee"]


def _computed_without_bands(d: dict[str, Any]) -> None:
    ind = next(i for i in d["indicators"] if i["source"] == "computed")
    ind["bands"] = []


def _unordered_bands(d: dict[str, Any]) -> None:
    d["indicators"][0]["bands"][1]["up_to"] = -1


def _empty_dimension(d: dict[str, Any]) -> None:
    d["indicators"] = [i for i in d["indicators"] if i["dimension"] != "cost"]


def _zero_weight(d: dict[str, Any]) -> None:
    d["indicators"][0]["weight"] = 0


def _threshold_out_of_scale(d: dict[str, Any]) -> None:
    d["levels"][2]["approve_at_least"] = 6


def _wrong_parameters(d: dict[str, Any]) -> None:
    ind = next(i for i in d["indicators"] if i["id"] == "identifying-fields")
    del ind["parameters"]["genetic"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_dup_id, "duplicate indicator id: data-volume"),
        (_band_out_of_scale, "band score 9 is outside the scale 1..5"),
        (_reject_above_approve, "level L1: reject_below 3.5 is above approve_at_least 3.0"),
        (_missing_level, "no decision rule for privacy level: L2"),
        (_level_twice, "privacy level with more than one rule: L1"),
        (_laxer_l3, "level L3 is laxer than L2 on approve_at_least"),
        (_reviewer_without_committee, "reviewer indicator 'scientific-merit' names no committee"),
        (_computed_without_bands, "computed indicator 'data-volume' needs a measure and bands"),
        (_unordered_bands, "band bounds are not strictly increasing"),
        (_empty_dimension, "dimension cost has no indicators"),
        (_zero_weight, "greater than 0"),
        (_threshold_out_of_scale, "level L3: approve_at_least 6.0 is outside the scale"),
        (_wrong_parameters, "takes the parameters ['direct_identifier', 'genetic'"),
    ],
)
def test_invalid_rubrics_are_refused_with_a_clear_message(
    rubric_data: dict[str, Any], change: Any, expected: str
) -> None:
    data = copy.deepcopy(rubric_data)
    change(data)
    messages = _messages(data)
    assert any(expected in m for m in messages), messages
