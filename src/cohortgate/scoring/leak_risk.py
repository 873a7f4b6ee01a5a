"""The measures of the leak-risk indicators, each a value with its evidence: the data
protection points, the credit points (the blacklist scores the minimum), the patients the
selection may hold, the identifying variables requested and the rarest selected disease.
"""

from __future__ import annotations

from datetime import date

from cohortgate.models.application import Application, Certification
from cohortgate.models.blacklist import Blacklist, BlacklistEntry, BlacklistScope
from cohortgate.models.common import Text
from cohortgate.models.dataset import PrivacyClass
from cohortgate.models.rubric import Indicator
from cohortgate.scoring.evidence import (
    IndicatorInputs,
    _cell_count,
    _Count,
    _disease_cells,
    _excluded,
    _Measured,
    _n,
    _no_stats,
    _selected,
    _stats_file,
    _t,
)
from cohortgate.scoring.fees import FeeEstimate

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
    people = [p.identity() for p in app.people()]  # one notion of a person (models.person)
    institutions = {p.institution for p in app.people()}
    return [
        entry
        for entry in blacklist.entries
        if (entry.scope is BlacklistScope.ALL or requested & set(entry.datasets))
        and (
            (entry.names_person and any(entry.identity().same_as(p) for p in people))
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
        who = entry.who() or entry.institution
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
