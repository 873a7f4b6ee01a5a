"""The score sheet of one application: per indicator, per dimension, aggregate, and the outcome
the rubric's decision rule gives at the application's privacy level (R13, R14).

Reviewers score only the indicators of their committee and, where an indicator names them, their
expertise (R13); other scores are ignored and listed with the reason. Means are exact fractions,
so a score exactly at a threshold decides the same way on every machine. The outcome is None
while an indicator lacks a score: the committees cannot decide on an incomplete sheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from cohortgate.models.common import Text
from cohortgate.models.dataset import PrivacyLevel
from cohortgate.models.review import Outcome
from cohortgate.models.roster import Committee, Expertise
from cohortgate.models.rubric import Dimension, Indicator, LevelRule, Rubric, Source
from cohortgate.scoring.indicators import ComputedIndicator

COMPUTED = "computed"  # the "reviewer" of a computed indicator's score in IndicatorRow.scores


@dataclass(frozen=True)
class ReviewerScores:
    member_id: str
    committee: Committee
    expertise: Expertise
    scores: Mapping[str, int | None]  # indicator id -> score; None: not scored
    recommendation: Outcome


@dataclass(frozen=True)
class IndicatorRow:
    id: str
    dimension: Dimension
    source: Source
    weight: float
    scores: tuple[tuple[str, int], ...]  # (member id, or "computed", score)
    mean: float | None


@dataclass(frozen=True)
class DimensionRow:
    id: Dimension
    weight: float
    mean: float | None  # weighted by indicator weight; None while an indicator has no score


@dataclass(frozen=True)
class Ignored:
    member_id: str
    indicator: str
    reason: Text


@dataclass(frozen=True)
class Scorecard:
    level: PrivacyLevel
    indicators: tuple[IndicatorRow, ...]
    dimensions: tuple[DimensionRow, ...]
    aggregate: float | None  # weighted by dimension weight
    missing: tuple[str, ...]  # indicators without a score from anyone eligible
    ignored: tuple[Ignored, ...]
    outcome: Outcome | None  # None while the sheet is incomplete
    reasons: tuple[Text, ...]

    def dimension(self, id: Dimension) -> DimensionRow:
        return next(d for d in self.dimensions if d.id is id)

    def indicator(self, id: str) -> IndicatorRow | None:
        return next((row for row in self.indicators if row.id == id), None)


def allowed_decisions(outcome: Outcome | None) -> frozenset[Outcome]:
    """A chair may decide the rule's outcome or anything stricter; nothing while incomplete."""
    if outcome is None:
        return frozenset()
    return frozenset(o for o in Outcome if o.strictness >= outcome.strictness)


def _t(zh: str, en: str) -> Text:
    return Text(zh=zh, en=en)


def _f(value: float) -> Fraction:
    return Fraction(str(value))


def _show(value: Fraction | float) -> str:
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def _why_not(ind: Indicator, reviewer: ReviewerScores) -> Text | None:
    """Why ``reviewer`` may not score ``ind`` (R13), or None when they may."""
    if ind.source is Source.COMPUTED:
        return _t("计算指标，不由委员评分", "computed by cohortgate; reviewers do not score it")
    if ind.committee is not reviewer.committee:
        return _t(
            f"该指标由 {ind.committee} 委员会评分，评审人属于 {reviewer.committee}",
            f"scored by the {ind.committee} committee; the reviewer is on {reviewer.committee}",
        )
    if ind.expertise and reviewer.expertise not in ind.expertise:
        needed = ", ".join(e.value for e in ind.expertise)
        return _t(
            f"需要专业 {needed}，评审人为 {reviewer.expertise}",
            f"needs expertise {needed}; the reviewer's is {reviewer.expertise}",
        )
    return None


def score(
    rubric: Rubric,
    level: PrivacyLevel,
    computed: list[ComputedIndicator],
    reviewers: list[ReviewerScores],
) -> Scorecard:
    """The score sheet; ValueError for a score outside the rubric's scale."""
    scale = rubric.scale
    for reviewer in reviewers:
        for id, value in reviewer.scores.items():
            if value is not None and not scale.contains(value):
                raise ValueError(
                    f"{reviewer.member_id} scored {id} {value}, outside {scale.min}..{scale.max}"
                )
    by_id = {c.id: c for c in computed}
    ignored: list[Ignored] = []
    for reviewer in reviewers:
        for id, value in sorted(reviewer.scores.items()):
            if value is None:
                continue
            ind = rubric.indicator(id)
            reason = (
                _t("评分表中没有该指标", "not an indicator of the rubric")
                if ind is None
                else _why_not(ind, reviewer)
            )
            if reason is not None:
                ignored.append(Ignored(reviewer.member_id, id, reason))
    rows: list[IndicatorRow] = []
    means: dict[str, Fraction | None] = {}
    for ind in rubric.indicators:
        scores: tuple[tuple[str, int], ...]
        if ind.source is Source.COMPUTED:
            found = by_id.get(ind.id)
            scores = () if found is None else ((COMPUTED, found.score),)
        else:
            scores = tuple(
                (r.member_id, value)
                for r in reviewers
                if (value := r.scores.get(ind.id)) is not None and _why_not(ind, r) is None
            )
        mean = Fraction(sum(s for _, s in scores), len(scores)) if scores else None
        means[ind.id] = mean
        rows.append(
            IndicatorRow(
                ind.id,
                ind.dimension,
                ind.source,
                ind.weight,
                scores,
                _float(mean),
            )
        )
    dims: dict[Dimension, Fraction | None] = {}
    for spec in rubric.dimensions:
        members = [i for i in rubric.indicators if i.dimension is spec.id]
        dims[spec.id] = _weighted([(means[i.id], _f(i.weight)) for i in members])
    aggregate = _weighted([(dims[d.id], _f(d.weight)) for d in rubric.dimensions])
    missing = tuple(id for id, mean in means.items() if mean is None)
    rule = rubric.level_rule(level)
    if missing:
        outcome = None
        reasons = [
            _t(
                f"尚缺评分：{', '.join(missing)}；评分完整前不能作出决定",
                f"not yet scored: {', '.join(missing)}; no decision before the sheet is complete",
            )
        ]
    else:
        assert aggregate is not None
        outcome, reasons = _decide(rule, aggregate, dims, means)
    return Scorecard(
        level=level,
        indicators=tuple(rows),
        dimensions=tuple(
            DimensionRow(d.id, d.weight, _float(dims[d.id])) for d in rubric.dimensions
        ),
        aggregate=_float(aggregate),
        missing=missing,
        ignored=tuple(ignored),
        outcome=outcome,
        reasons=tuple(reasons),
    )


def _float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _weighted(items: list[tuple[Fraction | None, Fraction]]) -> Fraction | None:
    if not items or any(value is None for value, _ in items):
        return None
    total = sum((value or Fraction(0)) * weight for value, weight in items)
    return Fraction(total) / sum(weight for _, weight in items)


def _decide(
    rule: LevelRule,
    aggregate: Fraction,
    dims: Mapping[Dimension, Fraction | None],
    means: Mapping[str, Fraction | None],
) -> tuple[Outcome, list[Text]]:
    at = f"{rule.level}"
    if aggregate < _f(rule.reject_below):
        return Outcome.REJECT, [
            _t(
                f"汇总分 {_show(aggregate)} 低于 {at} 的拒绝线 {_show(rule.reject_below)}",
                f"aggregate {_show(aggregate)} is below {at}'s reject_below "
                f"{_show(rule.reject_below)}",
            )
        ]
    short: list[Text] = []
    if aggregate < _f(rule.approve_at_least):
        short.append(
            _t(
                f"汇总分 {_show(aggregate)} 未达到 {at} 的批准线 {_show(rule.approve_at_least)}",
                f"aggregate {_show(aggregate)} is below {at}'s approve_at_least "
                f"{_show(rule.approve_at_least)}",
            )
        )
    for dim, value in dims.items():
        assert value is not None
        floor = rule.leak_risk_floor if dim is Dimension.LEAK_RISK else rule.dimension_floor
        floor = max(floor, rule.dimension_floor)
        if value < _f(floor):
            short.append(
                _t(
                    f"维度 {dim} 为 {_show(value)}，低于 {at} 的下限 {_show(floor)}",
                    f"dimension {dim} is {_show(value)}, below {at}'s floor {_show(floor)}",
                )
            )
    for id, mean in means.items():
        assert mean is not None
        if mean < _f(rule.indicator_floor):
            short.append(
                _t(
                    f"指标 {id} 为 {_show(mean)}，低于 {at} 的单项下限 "
                    f"{_show(rule.indicator_floor)}",
                    f"indicator {id} is {_show(mean)}, below {at}'s indicator_floor "
                    f"{_show(rule.indicator_floor)}",
                )
            )
    if short:
        return Outcome.REVISE, short
    return Outcome.APPROVE, [
        _t(
            f"汇总分 {_show(aggregate)} 达到 {at} 的批准线 {_show(rule.approve_at_least)}，"
            "各维度与各指标均达到下限",
            f"aggregate {_show(aggregate)} reaches {at}'s approve_at_least "
            f"{_show(rule.approve_at_least)} and every dimension and indicator reaches its floor",
        )
    ]
