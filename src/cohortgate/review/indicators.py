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

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from cohortgate.models.application import Application, Certification
from cohortgate.models.blacklist import Blacklist, BlacklistEntry, BlacklistScope
from cohortgate.models.common import Text
from cohortgate.models.dataset import Dataset, PrivacyClass
from cohortgate.models.rubric import Indicator, Measure, Rubric
from cohortgate.models.stats import Cell, DatasetStats, StatTable
from cohortgate.review.fees import FeeEstimate, estimate_fee


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


@dataclass(frozen=True)
class ComputedIndicator:
    id: str
    value: float | None  # the measured quantity; None: could not be measured (scored minimum)
    score: int
    evidence: tuple[Text, ...]


@dataclass
class _Measured:
    value: float | None
    evidence: list[Text]
    minimum: bool = False  # scored the scale's minimum whatever the value (the blacklist)


def _t(zh: str, en: str) -> Text:
    return Text(zh=zh, en=en)


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


# --- leak risk ----------------------------------------------------------------------------------

_CERTIFICATION_PARAMETER = {
    Certification.MLPS_2: "certification_mlps_level_2",
    Certification.MLPS_3: "certification_mlps_level_3",
    Certification.ISO_27001: "certification_iso_27001",
}


def _protection_points(
    ind: Indicator, app: Application, inputs: IndicatorInputs, fee: FeeEstimate
) -> _Measured:
    p = ind.parameters
    dp = app.data_protection
    where = "application.yaml data_protection"
    items: list[tuple[str, str, float]] = [
        ("存储加密", "encryption at rest", p["encryption_at_rest"] if dp.encryption_at_rest else 0),
        (
            "传输加密",
            "encryption in transit",
            p["encryption_in_transit"] if dp.encryption_in_transit else 0,
        ),
    ]
    cert = _CERTIFICATION_PARAMETER.get(dp.certification)
    items.append(
        (f"认证 {dp.certification}", f"certification {dp.certification}", p[cert] if cert else 0)
    )
    valid_days = int(p["training_valid_days"])
    trained = dp.training_completed_on
    age = None if trained is None else (inputs.today - date.fromisoformat(trained)).days
    current = age is not None and 0 <= age <= valid_days
    state = "无" if trained is None else f"{trained}（{age} 天前）"
    state_en = "none" if trained is None else f"{trained} ({age} days before {inputs.today})"
    items.append(
        (
            f"培训 {state}，有效期 {valid_days} 天",
            f"training {state_en}, valid {valid_days} days",
            p["training"] if current else 0,
        )
    )
    evidence = [
        _t(f"{where}：{zh} → {_n(points)} 分", f"{where}: {en} → {_n(points)} point(s)")
        for zh, en, points in items
    ]
    return _Measured(float(sum(points for *_, points in items)), evidence)


def blacklist_entries(app: Application, blacklist: Blacklist) -> list[BlacklistEntry]:
    """The entries that apply to a person or an institution of ``app`` (R25)."""
    requested = {r.dataset for r in app.datasets}
    emails = {p.email.lower() for p in app.people()}
    institutions = {p.institution for p in app.people()}
    return [
        entry
        for entry in blacklist.entries
        if (entry.scope is BlacklistScope.ALL or requested & set(entry.datasets))
        and (
            (entry.person_email is not None and entry.person_email.lower() in emails)
            or (entry.institution is not None and entry.institution in institutions)
        )
    ]


def _credit_points(
    ind: Indicator, app: Application, inputs: IndicatorInputs, fee: FeeEstimate
) -> _Measured:
    p, c = ind.parameters, inputs.credit
    parts = [
        ("on_time_output", c.on_time_outputs),
        ("late_output", c.late_outputs),
        ("missing_output", c.missing_outputs),
        ("verified_destruction", c.verified_destructions),
        ("violation", c.violations),
        ("earlier_approval", c.earlier_approvals),
    ]
    points = p["start"] + sum(p[name] * count for name, count in parts)
    terms = " ".join(f"{name}×{count}" for name, count in parts)
    evidence = [
        _t(
            f"信用记录：起点 {_n(p['start'])}；{terms} → {_n(points)} 分",
            f"credit record: start {_n(p['start'])}; {terms} → {_n(points)} point(s)",
        )
    ]
    listed = blacklist_entries(app, inputs.blacklist)
    for entry in listed:
        who = entry.person_email or entry.institution
        evidence.append(
            _t(
                f"rubric/blacklist.yaml：{who} 自 {entry.listed_on} 起列入黑名单（R25）→ 最低分",
                f"rubric/blacklist.yaml: {who} blacklisted since {entry.listed_on} (R25) → "
                "the lowest score",
            )
        )
    return _Measured(float(points), evidence, minimum=bool(listed))


def _selection_patients(
    ind: Indicator, app: Application, inputs: IndicatorInputs, fee: FeeEstimate
) -> _Measured:
    evidence: list[Text] = []
    total = 0
    for request in app.datasets:
        stats = inputs.stats.get(request.dataset)
        if stats is None:
            evidence.append(_no_stats(request.dataset))
            return _Measured(None, evidence)
        cells = _disease_cells(stats)
        named = app.selection.inclusion.diseases or _excluded(app)
        if cells is None or not named:
            count = _cell_count(stats, stats.population, "population", upper=True)
            evidence.append(count.evidence)
            total += count.value
            continue
        for code in sorted(_selected(app, set(cells))):
            count = _cell_count(stats, cells[code].value, code, upper=True)
            evidence.append(count.evidence)
            total += count.value
        if missing := sorted(set(app.selection.inclusion.diseases) - set(cells)):
            evidence.append(
                _t(
                    f"{_stats_file(request.dataset)}：{', '.join(missing)} 不在该数据集中，计 0",
                    f"{_stats_file(request.dataset)}: {', '.join(missing)} not in the dataset, "
                    "counted 0",
                )
            )
    evidence.append(
        _t(
            "年龄、性别、表型、基因等其他条件未计入（多个数据集时人数相加）：结果是上界",
            "age, sex, phenotype, gene and other criteria are not applied (and several "
            "datasets are added up): the count is an upper bound",
        )
    )
    return _Measured(float(total), evidence)


_IDENTIFYING = (PrivacyClass.DIRECT_IDENTIFIER, PrivacyClass.QUASI_IDENTIFIER, PrivacyClass.GENETIC)


def _identifying_points(
    ind: Indicator, app: Application, inputs: IndicatorInputs, fee: FeeEstimate
) -> _Measured:
    evidence: list[Text] = []
    points = 0.0
    for request in app.datasets:
        dataset = inputs.datasets.get(request.dataset)
        classes = {
            (t.source, v.name): v.privacy for t, v in (dataset.variables() if dataset else [])
        }
        for var in request.variables:
            name = f"{request.dataset}/{var.table}.{var.name}"
            privacy = classes.get((var.table, var.name))
            if privacy is None:
                weight = ind.parameters["direct_identifier"]
                evidence.append(
                    _t(
                        f"{name} 不在数据字典中：按直接标识符计 {_n(weight)} 分",
                        f"{name} is not in the dictionary: counted as a direct identifier, "
                        f"{_n(weight)} point(s)",
                    )
                )
            elif privacy in _IDENTIFYING:
                weight = ind.parameters[privacy.value]
                evidence.append(
                    _t(
                        f"catalog/datasets/{request.dataset}.yaml：{name} 为 {privacy} → "
                        f"{_n(weight)} 分",
                        f"catalog/datasets/{request.dataset}.yaml: {name} is {privacy} → "
                        f"{_n(weight)} point(s)",
                    )
                )
            else:
                continue
            points += weight
    if not evidence:
        evidence.append(
            _t(
                "所申请变量均不是标识符、准标识符或基因数据",
                "no requested variable is an identifier, quasi-identifier or genetic",
            )
        )
    return _Measured(points, evidence)


def _smallest_disease_count(
    ind: Indicator, app: Application, inputs: IndicatorInputs, fee: FeeEstimate
) -> _Measured:
    evidence: list[Text] = []
    lower: dict[str, _Count] = {}
    for request in app.datasets:
        stats = inputs.stats.get(request.dataset)
        cells = None if stats is None else _disease_cells(stats)
        if stats is None or cells is None:
            evidence.append(
                _no_stats(request.dataset)
                if stats is None
                else _t(
                    f"{_stats_file(request.dataset)} 没有按病种的表",
                    f"{_stats_file(request.dataset)} has no table by disease",
                )
            )
            continue
        for code in _selected(app, set(cells)):
            count = _cell_count(stats, cells[code].value, code, upper=False)
            if code not in lower or count.value > lower[code].value:
                lower[code] = count  # a patient may be in several datasets: the largest
    if not lower:
        evidence.append(
            _t(
                "所申请数据集中没有所选病种的公开人数",
                "no published count for a selected disease in the requested datasets",
            )
        )
        return _Measured(None, evidence)
    rarest = min(lower, key=lambda code: (lower[code].value, code))
    evidence.append(lower[rarest].evidence)
    evidence += [c.evidence for code, c in sorted(lower.items()) if code != rarest]
    return _Measured(float(lower[rarest].value), evidence)


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
