"""Aggregation and the decision rule (R13, R14): example files under ``rubric_examples/`` plus
properties that hold for any scores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cohortgate.files.loading import load_yaml_file
from cohortgate.files.modelcheck import check_model
from cohortgate.models.dataset import PrivacyLevel
from cohortgate.models.review import Outcome
from cohortgate.models.roster import Committee, Expertise
from cohortgate.models.rubric import Dimension, Rubric
from cohortgate.scoring.indicators import ComputedIndicator
from cohortgate.scoring.scorecard import ReviewerScores, Scorecard, allowed_decisions, score

EXAMPLES = Path(__file__).parent / "rubric_examples"
ROOT = Path(__file__).resolve().parents[2]


def _load_rubric() -> Rubric:
    loaded, findings = check_model(
        load_yaml_file(ROOT / "rubric/rubric.yaml", "rubric/rubric.yaml"), Rubric
    )
    assert findings == [] and loaded is not None
    return loaded


RUBRIC = _load_rubric()


def _computed(scores: dict[str, int]) -> list[ComputedIndicator]:
    return [ComputedIndicator(id, None, value, ()) for id, value in scores.items()]


def _reviewer(data: dict[str, Any]) -> ReviewerScores:
    return ReviewerScores(
        member_id=data["member"],
        committee=Committee(data["committee"]),
        expertise=Expertise(data["expertise"]),
        scores=data["scores"],
        recommendation=Outcome(data["recommendation"]),
    )


def _run(case: dict[str, Any]) -> Scorecard:
    return score(
        RUBRIC,
        PrivacyLevel(case["level"]),
        _computed(case["computed"]),
        [_reviewer(r) for r in case["reviewers"]],
    )


def _close(got: float | None, want: float | None) -> bool:
    return got is None if want is None else got is not None and round(got, 3) == round(want, 3)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_example(path: Path) -> None:
    case = yaml.safe_load(path.read_text("utf-8"))
    card = _run(case)
    expect = case["expect"]
    want = None if expect["outcome"] is None else Outcome(expect["outcome"])
    assert card.outcome is want, [r.en for r in card.reasons]
    if "aggregate" in expect:
        assert _close(card.aggregate, expect["aggregate"]), card.aggregate
    for dim, value in expect.get("dimensions", {}).items():
        assert _close(card.dimension(Dimension(dim)).mean, value), (dim, card.dimensions)
    if "missing" in expect:
        assert list(card.missing) == expect["missing"]
    if "ignored" in expect:
        assert sorted(f"{i.member_id} {i.indicator}" for i in card.ignored) == sorted(
            expect["ignored"]
        )
    if "reason" in expect:
        assert any(expect["reason"] in r.en for r in card.reasons), [r.en for r in card.reasons]
    assert all(r.zh and r.en for r in card.reasons)


def test_examples_cover_every_outcome() -> None:
    outcomes = {
        yaml.safe_load(p.read_text("utf-8"))["expect"]["outcome"] for p in EXAMPLES.glob("*.yaml")
    }
    assert outcomes == {"approve", "revise", "reject", None}


def _full(computed: int, reviewer: int) -> tuple[list[ComputedIndicator], list[ReviewerScores]]:
    computed_ids = [i.id for i in RUBRIC.computed_indicators()]
    academic = {i.id: reviewer for i in RUBRIC.reviewer_indicators(Committee.ACADEMIC)}
    dm = {i.id: reviewer for i in RUBRIC.reviewer_indicators(Committee.DATA_MANAGEMENT)}
    return _computed(dict.fromkeys(computed_ids, computed)), [
        ReviewerScores("eth", Committee.ACADEMIC, Expertise.ETHICS, academic, Outcome.APPROVE),
        ReviewerScores("dm", Committee.DATA_MANAGEMENT, Expertise.MANAGEMENT, dm, Outcome.APPROVE),
    ]


def test_indicator_weights_count() -> None:
    computed, reviewers = _full(5, 5)
    sheet = dict(reviewers[0].scores)
    sheet["scientific-merit"] = 1  # weight 2.0 of 4.5 in scientific value
    reviewers[0] = ReviewerScores(
        "eth", Committee.ACADEMIC, Expertise.ETHICS, sheet, Outcome.REVISE
    )
    card = score(RUBRIC, PrivacyLevel.L1, computed, reviewers)
    # (5×1 + 5×0.5 + 1×2 + 5×1) / 4.5 = 14.5 / 4.5; an unweighted mean would be 4
    assert _close(card.dimension(Dimension.SCIENTIFIC_VALUE).mean, 14.5 / 4.5)
    # aggregate: (3.2222×1 + 5×1 + 5×0.5) / 2.5
    assert _close(card.aggregate, (14.5 / 4.5 + 5 + 2.5) / 2.5)
    row = card.indicator("scientific-merit")
    assert row is not None and row.scores == (("eth", 1),) and row.mean == 1


def test_computed_rows_carry_the_computed_score() -> None:
    computed, reviewers = _full(4, 5)
    card = score(RUBRIC, PrivacyLevel.L1, computed, reviewers)
    row = card.indicator("rarity")
    assert row is not None and row.scores == (("computed", 4),) and row.mean == 4


def test_a_missing_computed_indicator_leaves_the_outcome_open() -> None:
    computed, reviewers = _full(5, 5)
    card = score(RUBRIC, PrivacyLevel.L1, computed[1:], reviewers)
    assert card.missing == (computed[0].id,)
    assert card.outcome is None and allowed_decisions(card.outcome) == frozenset()


@pytest.mark.parametrize("bad", [0, 6, -1])
def test_scores_outside_the_scale_raise(bad: int) -> None:
    computed, reviewers = _full(5, 5)
    sheet = {**reviewers[1].scores, "feasibility": bad}
    reviewers[1] = ReviewerScores(
        "dm", Committee.DATA_MANAGEMENT, Expertise.MANAGEMENT, sheet, Outcome.APPROVE
    )
    with pytest.raises(ValueError, match=f"dm scored feasibility {bad}, outside 1..5"):
        score(RUBRIC, PrivacyLevel.L1, computed, reviewers)


def test_allowed_decisions_are_the_outcome_or_stricter() -> None:
    assert allowed_decisions(Outcome.APPROVE) == set(Outcome)
    assert allowed_decisions(Outcome.REVISE) == {Outcome.REVISE, Outcome.REJECT}
    assert allowed_decisions(Outcome.REJECT) == {Outcome.REJECT}
    assert allowed_decisions(None) == frozenset()


_SCORE = st.integers(min_value=1, max_value=5)
_COMPUTED_IDS = [i.id for i in RUBRIC.computed_indicators()]
_REVIEWER_IDS = [i.id for i in RUBRIC.indicators if i.id not in _COMPUTED_IDS]


@settings(max_examples=300, deadline=None)
@given(
    computed=st.fixed_dictionaries({id: _SCORE for id in _COMPUTED_IDS}),
    reviewed=st.fixed_dictionaries({id: _SCORE for id in _REVIEWER_IDS}),
)
def test_a_stricter_level_never_gives_a_laxer_outcome(
    computed: dict[str, int], reviewed: dict[str, int]
) -> None:
    reviewers = [
        ReviewerScores("eth", Committee.ACADEMIC, Expertise.ETHICS, reviewed, Outcome.APPROVE),
        ReviewerScores(
            "dm", Committee.DATA_MANAGEMENT, Expertise.MANAGEMENT, reviewed, Outcome.APPROVE
        ),
    ]
    outcomes = [
        score(RUBRIC, level, _computed(computed), reviewers).outcome for level in PrivacyLevel
    ]
    strictness = [o.strictness for o in outcomes if o is not None]
    assert len(strictness) == 3
    assert strictness == sorted(strictness)
