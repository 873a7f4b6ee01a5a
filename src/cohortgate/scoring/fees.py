"""The fee estimate of an application (R34: cost-recovery fees; Table 1: cost of providing data).

For each stage of the rubric's fee schedule (extraction, cleaning, de-identification, transfer):
hours = (base + per dataset × datasets + per variable × variables) × the privacy level's
multiplier × the delivery method's multiplier; amount = hours × hourly rate, rounded half up to
whole yuan. The total adds the fixed part. Arithmetic is decimal, so the estimate is exactly
what a person computes by hand from ``rubric/rubric.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from cohortgate.models.application import Application
from cohortgate.models.common import Text
from cohortgate.models.dataset import Dataset
from cohortgate.models.rubric import Rubric, StageFee


@dataclass(frozen=True)
class StageCost:
    id: str  # the stage, e.g. "extraction"
    label: Text
    hours: float
    rate: float  # per hour, in the schedule's currency
    amount: int  # whole yuan


@dataclass(frozen=True)
class FeeEstimate:
    stages: tuple[StageCost, ...]
    fixed: int
    total: int  # fixed + the stages' amounts, whole yuan
    hours: float  # the stages' hours together
    currency: str
    evidence: tuple[Text, ...]


def _dec(value: float | int) -> Decimal:
    return Decimal(str(value))


def _yuan(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")


def estimate_fee(rubric: Rubric, app: Application, datasets: Mapping[str, Dataset]) -> FeeEstimate:
    """The estimate for ``app`` under ``rubric.fees``; ``datasets`` name the requested data."""
    n_datasets = len(app.datasets)
    n_variables = sum(len(r.variables) for r in app.datasets)
    names = ", ".join(
        f"{r.dataset} ({len(r.variables)})"
        + ("" if r.dataset in datasets else " [not in the catalog / 不在数据目录中]")
        for r in app.datasets
    )
    evidence = [
        Text(
            zh=f"申请 {n_datasets} 个数据集、{n_variables} 个变量：{names}；隐私级别 "
            f"{app.privacy_level}，交付方式 {app.delivery}",
            en=f"{n_datasets} dataset(s), {n_variables} variable(s) requested: {names}; "
            f"privacy level {app.privacy_level}, delivery {app.delivery}",
        )
    ]
    stages: list[StageCost] = []
    hours_total = Decimal(0)
    for fee in rubric.fees.stages:
        hours, line = _stage_hours(fee, app, n_datasets, n_variables)
        amount = _yuan(hours * _dec(fee.hourly_rate))
        stages.append(StageCost(fee.stage.value, fee.label, float(hours), fee.hourly_rate, amount))
        hours_total += hours
        rate = _num(_dec(fee.hourly_rate))
        evidence.append(
            Text(
                zh=f"{fee.label.zh}：{line} = {_num(hours)} 小时 × {rate} 元/小时 = {amount} 元",
                en=f"{fee.label.en}: {line} = {_num(hours)} h × {rate} CNY/h = {amount} CNY",
            )
        )
    fixed = _yuan(_dec(rubric.fees.fixed))
    total = fixed + sum(s.amount for s in stages)
    evidence.append(
        Text(
            zh=f"固定部分 {fixed} 元；合计 {total} 元，{_num(hours_total)} 小时"
            "（rubric/rubric.yaml fees，仅回收成本，R34）",
            en=f"fixed part {fixed} CNY; total {total} CNY, {_num(hours_total)} h "
            "(rubric/rubric.yaml fees; cost recovery only, R34)",
        )
    )
    return FeeEstimate(
        stages=tuple(stages),
        fixed=fixed,
        total=total,
        hours=float(hours_total),
        currency=rubric.fees.currency,
        evidence=tuple(evidence),
    )


def _stage_hours(
    fee: StageFee, app: Application, n_datasets: int, n_variables: int
) -> tuple[Decimal, str]:
    base, per_ds, per_var = (
        _dec(fee.base_hours),
        _dec(fee.hours_per_dataset),
        _dec(fee.hours_per_variable),
    )
    level = _dec(fee.level_multiplier.get(app.privacy_level, 1))
    delivery = _dec(fee.delivery_multiplier.get(app.delivery, 1))
    hours = (base + per_ds * n_datasets + per_var * n_variables) * level * delivery
    line = (
        f"({_num(base)} + {_num(per_ds)} × {n_datasets} + {_num(per_var)} × {n_variables})"
        f" × {_num(level)} × {_num(delivery)}"
    )
    return hours, line
