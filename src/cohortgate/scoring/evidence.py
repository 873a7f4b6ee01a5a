"""The evidence computed indicators are measured from: their inputs (the public files and the
applicant's credit record), the published counts each with the line that names it, and a measured
value with its evidence lines.

A suppressed cell is counted as the range below the threshold, at the end the caller asks for
(``indicators`` says which end each indicator takes); evidence names the published number and
the bound used, never more than what is published.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from cohortgate.models.application import Application
from cohortgate.models.blacklist import Blacklist
from cohortgate.models.common import Text
from cohortgate.models.dataset import Dataset
from cohortgate.models.stats import Cell, DatasetStats, StatTable


@dataclass(frozen=True)
class CreditRecord:
    """The applicant's usage record at the data centre (R22, R25); filled by the lifecycle."""

    on_time_outputs: int = 0
    late_outputs: int = 0
    missing_outputs: int = 0
    verified_destructions: int = 0
    violations: int = 0
    earlier_approvals: int = 0


@dataclass(frozen=True)
class IndicatorInputs:
    datasets: Mapping[str, Dataset]  # catalog datasets by id
    stats: Mapping[str, DatasetStats]  # published statistics by dataset id
    blacklist: Blacklist
    today: date
    credit: CreditRecord = field(default_factory=CreditRecord)


@dataclass
class _Measured:
    value: float | None
    evidence: list[Text]
    minimum: bool = False  # scored the scale's minimum whatever the value (the blacklist)


def _t(zh: str, en: str) -> Text:
    return Text(zh=zh, en=en)


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# --- published counts ---------------------------------------------------------------------------


def _stats_file(dataset: str) -> str:
    return f"catalog/stats/{dataset}.json"


def _range(stats: DatasetStats) -> tuple[int, int]:
    """The true counts a suppressed cell may hold under the file's published policy."""
    return (0 if stats.policy.zeros_sensitive else 1), stats.policy.threshold


def _cell_count(stats: DatasetStats, cell_value: int | None, what: str, upper: bool) -> _Count:
    rounding = stats.policy.rounding
    file = _stats_file(stats.dataset)
    if cell_value is not None:
        note = f"已发布，取整到 {rounding}" if rounding > 1 else "已发布"
        note_en = f"published, rounded to {rounding}" if rounding > 1 else "published"
        return _Count(
            cell_value,
            _t(
                f"{file}：{what} = {cell_value}（{note}）",
                f"{file}: {what} = {cell_value} ({note_en})",
            ),
        )
    low, high = _range(stats)
    bound = high if upper else low
    side, side_en = ("上界", "upper") if upper else ("下界", "lower")
    return _Count(
        bound,
        _t(
            f"{file}：{what} 已抑制，按阈值以下区间 {low}–{high} 计，取{side} {bound}",
            f"{file}: {what} is suppressed; counted as the range {low}–{high} below the "
            f"threshold, using the {side_en} bound {bound}",
        ),
    )


@dataclass(frozen=True)
class _Count:
    value: int
    evidence: Text


def _by_disease(stats: DatasetStats) -> StatTable | None:
    return next((t for t in stats.tables if [d.name for d in t.dimensions] == ["disease"]), None)


def _disease_cells(stats: DatasetStats) -> dict[str, Cell] | None:
    table = _by_disease(stats)
    return None if table is None else {c.key[0]: c for c in table.cells}


def _excluded(app: Application) -> set[str]:
    return set(app.selection.exclusion.diseases) if app.selection.exclusion else set()


def _selected(app: Application, available: set[str]) -> set[str]:
    """The selection's diseases among ``available`` (all of them when it names none)."""
    chosen = set(app.selection.inclusion.diseases) or available
    return (chosen & available) - _excluded(app)


def _no_stats(dataset: str) -> Text:
    return _t(
        f"{_stats_file(dataset)} 不存在：该数据集没有发布的统计",
        f"{_stats_file(dataset)} does not exist: the dataset has no published statistics",
    )
