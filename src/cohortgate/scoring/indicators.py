"""Computed indicators of the rubric, each with the evidence for its number (R14, Table 1).

Only public inputs are read: the catalog's datasets, the disclosure-controlled statistics in
``catalog/stats/`` (never the cohort database), the application form, the blacklist and the
credit record. A suppressed cell is counted as the range below the threshold (1..threshold, or
0..threshold when zeros are suppressed too), at the end that is conservative for the indicator:
value indicators take lower bounds, risk indicators upper bounds (or, for rarity, the lower
bound, since rarer is riskier). Evidence names the published number and the bound used, never
more than what is published.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cohortgate.models.application import Application
from cohortgate.models.common import Text
from cohortgate.models.rubric import Indicator, Measure, Rubric
from cohortgate.scoring.evidence import (
    CreditRecord,
    IndicatorInputs,
    _cell_count,
    _disease_cells,
    _excluded,
    _Measured,
    _n,
    _no_stats,
    _range,
    _selected,
    _stats_file,
    _t,
)
from cohortgate.scoring.fees import FeeEstimate, estimate_fee
from cohortgate.scoring.leak_risk import (
    _credit_points,
    _identifying_points,
    _protection_points,
    _selection_patients,
    _smallest_disease_count,
    blacklist_entries,
)

__all__ = [
    "ComputedIndicator",
    "CreditRecord",
    "IndicatorInputs",
    "blacklist_entries",
    "compute_indicators",
]


@dataclass(frozen=True)
class ComputedIndicator:
    id: str
    value: float | None  # the measured quantity; None: could not be measured (scored minimum)
    score: int
    evidence: tuple[Text, ...]


def compute_indicators(
    rubric: Rubric, app: Application, inputs: IndicatorInputs
) -> list[ComputedIndicator]:
    """Every computed indicator of ``rubric`` for ``app``, in the rubric's order."""
    fee = estimate_fee(rubric, app, inputs.datasets)
    out = []
    for ind in rubric.computed_indicators():
        assert ind.measure is not None  # the model guarantees it for computed indicators
        measured = _MEASURES[ind.measure](ind, app, inputs, fee)
        if measured.minimum:
            score = rubric.scale.min
        elif measured.value is None:
            score = rubric.scale.min
            measured.evidence.append(
                _t(
                    f"无法测量：按最低分 {score} 计",
                    f"could not be measured: scored the minimum, {score}",
                )
            )
        else:
            score = ind.band_score(measured.value)
            measured.evidence.append(_band_line(ind, measured.value, score))
        out.append(ComputedIndicator(ind.id, measured.value, score, tuple(measured.evidence)))
    return out


def _band_line(ind: Indicator, value: float, score: int) -> Text:
    band = next(b for b in ind.bands if b.up_to is None or value <= b.up_to)
    where = "（超过最后一个分界）" if band.up_to is None else f" ≤ {_n(band.up_to)}"
    where_en = "above the last bound" if band.up_to is None else f"≤ {_n(band.up_to)}"
    return _t(
        f"{_n(value)} 落在分档{where} → {score} 分（rubric/rubric.yaml）",
        f"{_n(value)} falls in the band {where_en} → score {score} (rubric/rubric.yaml)",
    )


# --- scientific value ---------------------------------------------------------------------------


def _dataset_patients(
    ind: Indicator, app: Application, inputs: IndicatorInputs, fee: FeeEstimate
) -> _Measured:
    evidence: list[Text] = []
    counts = [0]
    for request in app.datasets:
        stats = inputs.stats.get(request.dataset)
        if stats is None:
            evidence.append(_no_stats(request.dataset))
            continue
        count = _cell_count(stats, stats.population, "population", upper=False)
        evidence.append(count.evidence)
        counts.append(count.value)
    if len(app.datasets) > 1:
        evidence.append(
            _t(
                "同一患者可能出现在多个数据集中：取最大者作为下界",
                "one patient may be in several datasets: the largest is the lower bound",
            )
        )
    return _Measured(float(max(counts)), evidence)


def _diseases_covered(
    ind: Indicator, app: Application, inputs: IndicatorInputs, fee: FeeEstimate
) -> _Measured:
    evidence: list[Text] = []
    present: set[str] = set()
    for request in app.datasets:
        stats = inputs.stats.get(request.dataset)
        cells = None if stats is None else _disease_cells(stats)
        if stats is not None and cells is not None:
            low = _range(stats)[0]
            found = {
                code
                for code, cell in cells.items()
                if (cell.value or 0) > 0 or (cell.suppressed and low > 0)
            }
            where = f"{_stats_file(request.dataset)} by_disease"
        else:
            dataset = inputs.datasets.get(request.dataset)
            found = set(dataset.orpha_codes()) if dataset else set()
            where = f"catalog/datasets/{request.dataset}.yaml diseases"
            if stats is None:
                evidence.append(_no_stats(request.dataset))
        listed = ", ".join(sorted(found)) or "—"
        evidence.append(_t(f"{where}：{listed}", f"{where}: {listed}"))
        present |= found
    covered = _selected(app, present)
    named = app.selection.inclusion.diseases
    scope = "研究对象所选病种" if named else "研究对象未限定病种：计数据集全部病种"
    scope_en = "diseases of the selection" if named else "no diseases selected: all of them"
    if excluded := sorted(_excluded(app) & present):
        scope += f"，除去排除标准中的 {', '.join(excluded)}"
        scope_en += f", without the excluded {', '.join(excluded)}"
    listed = ", ".join(sorted(covered)) or "—"
    evidence.append(_t(f"{scope}：{listed}", f"{scope_en}: {listed}"))
    return _Measured(float(len(covered)), evidence)


# --- cost ---------------------------------------------------------------------------------------


def _fee_hours(
    ind: Indicator, app: Application, inputs: IndicatorInputs, fee: FeeEstimate
) -> _Measured:
    return _Measured(fee.hours, list(fee.evidence))


_MEASURES: dict[
    Measure, Callable[[Indicator, Application, IndicatorInputs, FeeEstimate], _Measured]
] = {
    Measure.DATASET_PATIENTS: _dataset_patients,
    Measure.DISEASES_COVERED: _diseases_covered,
    Measure.PROTECTION_POINTS: _protection_points,
    Measure.CREDIT_POINTS: _credit_points,
    Measure.SELECTION_PATIENTS: _selection_patients,
    Measure.IDENTIFYING_POINTS: _identifying_points,
    Measure.SMALLEST_DISEASE_COUNT: _smallest_disease_count,
    Measure.FEE_HOURS: _fee_hours,
}
