"""The re-identification gate (R28): a risk report against a policy gives findings; any finding
refuses the release. Each finding names the quasi-identifiers to generalise first: those whose
removal would raise k the most (then lower the number of classes the most), computed by the
report without each quasi-identifier in turn.
"""

from __future__ import annotations

from typing import Any

from cohortgate.custodian.risk import codes
from cohortgate.custodian.risk.policy import DEFAULT_RISK_POLICY, RiskPolicy
from cohortgate.custodian.risk.suite import QuasiIdentifierImpact, RiskReport
from cohortgate.findings import Finding


def generalisation_order(report: RiskReport) -> list[QuasiIdentifierImpact]:
    """Quasi-identifiers, the one whose generalisation helps most first."""
    return sorted(report.impact, key=lambda q: (-q.k_without, q.classes_without, q.name))


def _advice(report: RiskReport, by_classes: bool = False) -> dict[str, Any]:
    """The hint's parameters: which quasi-identifiers to generalise first, and the ranking."""
    order = generalisation_order(report)
    if by_classes:
        order = sorted(report.impact, key=lambda q: (q.classes_without, -q.k_without, q.name))
    if not order:
        names = ", ".join(f"'{q}'" for q in report.quasi_identifiers)
        return {"generalise": f"one of {names}", "ranking": "not computed"}
    best = [
        q
        for q in order
        if (q.k_without, q.classes_without) == (order[0].k_without, order[0].classes_without)
    ]
    generalise = " or ".join(f"'{q.name}'" for q in best) + " first"
    if by_classes:
        ranking = ", ".join(f"{q.name} -> {q.classes_without}" for q in order)
    else:
        ranking = ", ".join(f"{q.name} -> {q.k_without}" for q in order)
    return {"generalise": generalise, "ranking": ranking}


def gate(
    report: RiskReport, policy: RiskPolicy = DEFAULT_RISK_POLICY, where: str = "release"
) -> list[Finding]:
    """Findings for every policy figure the report breaks; empty means the release may go.
    ``where`` is what the findings point at (the release id or its manifest)."""
    findings: list[Finding] = []
    qis = ", ".join(report.quasi_identifiers)
    if report.k < policy.k_min:
        small = sum(b.records for b in report.class_sizes if _upper(b.sizes) < policy.k_min)
        findings.append(
            codes.K_ANONYMITY.at(
                where,
                path="$.risk.k",
                k=report.k,
                k_min=policy.k_min,
                small_records=small,
                qis=qis,
                **_advice(report),
            )
        )
    for figures in report.sensitive_figures:
        if figures.distinct_l < policy.l_min:
            findings.append(
                codes.L_DIVERSITY.at(
                    where,
                    path=f"$.risk.sensitive.{figures.name}.distinct_l",
                    field=figures.name,
                    l=figures.distinct_l,
                    l_min=policy.l_min,
                    **_advice(report),
                )
            )
        if policy.t_max is not None and figures.t_closeness > policy.t_max:
            findings.append(
                codes.T_CLOSENESS.at(
                    where,
                    path=f"$.risk.sensitive.{figures.name}.t_closeness",
                    field=figures.name,
                    t=figures.t_closeness,
                    t_max=policy.t_max,
                    **_advice(report),
                )
            )
    if report.prosecutor.average > policy.average_prosecutor_max:
        findings.append(
            codes.PROSECUTOR_RISK.at(
                where,
                path="$.risk.prosecutor.average",
                average=report.prosecutor.average,
                limit=policy.average_prosecutor_max,
                classes=report.classes,
                rows=report.rows,
                **_advice(report, by_classes=True),
            )
        )
    limit = policy.sample_uniqueness_max
    if limit is not None and report.sample_uniqueness > limit:
        findings.append(
            codes.SAMPLE_UNIQUENESS.at(
                where,
                path="$.risk.sample_uniqueness",
                uniques=report.sample_uniques,
                share=report.sample_uniqueness,
                qis=qis,
                limit=limit,
                **_advice(report),
            )
        )
    return findings


def _upper(label: str) -> int:
    """The largest class size a histogram band holds ('7' -> 7, '11-20' -> 20, '>100' -> big)."""
    if label.startswith(">"):
        return 1 << 62
    return int(label.rsplit("-", 1)[-1])
