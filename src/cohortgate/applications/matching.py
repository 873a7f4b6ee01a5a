"""Match an application's purpose against each dataset's use conditions (GA4GH DUO), one
condition at a time, as DUO-based matchers do: each condition gets a result record saying
whether it is met, not met, or left to the committee, and why.

What is decided here, per term:

* NRES, GRU, HMB: met (every application is health research on a rare-disease cohort).
* DS (disease-specific research): every disease of the selection must fall under one of the
  condition's diseases in the disease hierarchy; a selection that names no disease is not met.
* RS 'paediatric': the selection's age at diagnosis is bounded by
  ``policy.PAEDIATRIC_MAX_AGE_YEARS``; other research types are left to the committee.
* NPUNCU, NPU, NCU: the purpose is non-profit and not an out-of-scope request for payment.
* IRB: an ethics approval valid on the day the application was received is given (the day
  ``validate`` judges on: the office's receipt, never the form's 'submitted').
* GSO (genetic studies only): genetic variables or genes are part of the request.
* Everything else (PUB, COL, MOR, TS, US, PS, IS, RTN, GS, CC, NMDS, POA, NPOA) binds the user
  through the data use agreement (R17) or needs the committee's judgement: 'review'.

The disease hierarchy is pluggable (``DiseaseHierarchy``). The ontology index carries no
Orphanet classification, so the default, ``DeclaredHierarchy``, derives "is a" from what the
catalog declares: a disease is-a itself; a DS disease that the dataset also declares is a
specific disease, under which no other falls; a DS code that the dataset does not declare is a
group (e.g. ORPHA:68381 rare neuromuscular disease), under which the catalog asserts that the
dataset's declared diseases fall; anything else is unknown, and unknown is not met. An
implementation reading Orphanet's classification (en_product3) can replace it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from cohortgate.applications import codes as C
from cohortgate.catalog.duo import DUO_TERMS
from cohortgate.findings.codes import Both
from cohortgate.models.application import Application, OutOfScopeReason
from cohortgate.models.dataset import Dataset, PrivacyClass, UseCondition
from cohortgate.policy import ETHICS_REQUIRED_LEVELS, PAEDIATRIC_MAX_AGE_YEARS

Loc = tuple[str | int, ...]


NO_FIX = Both(zh="", en="")


class Match(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    REVIEW = "review"  # an obligation of the data use agreement, or the committee's judgement


@dataclass(frozen=True)
class ConditionResult:
    dataset: str
    index: int  # position in the dataset's use_conditions
    term: str  # DUO id
    shorthand: str
    status: Match
    reason: Both
    fix: Both = NO_FIX  # what to change in the application when not met
    path: Loc = ()  # where in the application the mismatch is
    covered_by: str | None = None  # the code of a finding that reports the same problem


class DiseaseHierarchy(Protocol):
    def is_a(self, disease: str, ancestor: str) -> bool | None:
        """True or False when known; None when the hierarchy cannot tell."""


@dataclass(frozen=True)
class DeclaredHierarchy:
    declared: frozenset[str]

    def is_a(self, disease: str, ancestor: str) -> bool | None:
        if disease == ancestor:
            return True
        if ancestor in self.declared:
            return False  # two specific diseases of the dataset
        if disease in self.declared:
            return True  # a group named only by the condition covers the dataset's diseases
        return None


HierarchyFactory = Callable[[Dataset], DiseaseHierarchy]


def declared_hierarchy(dataset: Dataset) -> DiseaseHierarchy:
    return DeclaredHierarchy(frozenset(dataset.orpha_codes()))


Outcome = tuple[Match, Both, Both, Loc, str | None]  # status, reason, fix, path, covered_by
Matcher = Callable[[Application, Dataset, UseCondition, DiseaseHierarchy], Outcome]


def _always(app: Application, ds: Dataset, cond: UseCondition, h: DiseaseHierarchy) -> Outcome:
    reason = Both(
        zh="对本队列开展的健康研究属于该许可的范围",
        en="health research on the cohort is within this permission",
    )
    return Match.MET, reason, NO_FIX, (), None


def _review(app: Application, ds: Dataset, cond: UseCondition, h: DiseaseHierarchy) -> Outcome:
    reason = Both(
        zh="通过数据使用协议约束使用者，或需由委员会判断",
        en="binds the user through the data use agreement, or needs the committee's judgement",
    )
    return Match.REVIEW, reason, NO_FIX, (), None


def _disease_specific(
    app: Application, ds: Dataset, cond: UseCondition, h: DiseaseHierarchy
) -> Outcome:
    allowed = ", ".join(cond.diseases)
    path: Loc = ("selection", "inclusion", "diseases")
    fix = Both(
        zh=f"把 selection.inclusion.diseases 限于 {allowed} 之下的疾病。",
        en=f"Limit selection.inclusion.diseases to diseases under {allowed}.",
    )
    selected = app.selection.inclusion.diseases
    if not selected:
        reason = Both(
            zh=f"纳入标准没有写明任何疾病，而这些数据只能用于 {allowed} 的研究",
            en=f"the selection names no disease, and the data may serve research on {allowed} only",
        )
        fix = Both(
            zh=f"在 selection.inclusion.diseases 中列出所研究的疾病（{allowed} 之下的）。",
            en=f"List the diseases studied (under {allowed}) in selection.inclusion.diseases.",
        )
        return Match.NOT_MET, reason, fix, path, None
    for n, orpha in enumerate(selected):
        answers = [h.is_a(orpha, ancestor) for ancestor in cond.diseases]
        if True in answers:
            continue
        if None in answers:
            reason = Both(
                zh=f"没有 Orphanet 疾病分类，无法判断 {orpha} 是否属于 {allowed}",
                en=f"whether {orpha} falls under {allowed} cannot be decided without the "
                "Orphanet classification",
            )
        else:
            reason = Both(zh=f"{orpha} 不在 {allowed} 之中", en=f"{orpha} is not one of {allowed}")
        return Match.NOT_MET, reason, fix, (*path, n), None
    reason = Both(
        zh=f"所选的每种疾病都属于 {allowed}", en=f"every selected disease falls under {allowed}"
    )
    return Match.MET, reason, NO_FIX, (), None


def _research_type(
    app: Application, ds: Dataset, cond: UseCondition, h: DiseaseHierarchy
) -> Outcome:
    if (cond.research_type or "").casefold() not in ("paediatric", "pediatric"):
        return _review(app, ds, cond, h)
    limit = PAEDIATRIC_MAX_AGE_YEARS
    ages = app.selection.inclusion.age_at_diagnosis
    high = ages.max_years if ages else None
    if high is not None and high <= limit:
        reason = Both(
            zh=f"纳入标准把诊断年龄限于 {high:g} 岁及以下",
            en=f"the selection is limited to an age at diagnosis of {high:g} years or less",
        )
        return Match.MET, reason, NO_FIX, (), None
    path: Loc = ("selection", "inclusion", "age_at_diagnosis")
    said = (
        Both(zh="没有年龄上限", en="no upper age")
        if high is None
        else Both(zh=f"年龄上限为 {high:g} 岁", en=f"an upper age of {high:g} years")
    )
    reason = Both(
        zh=f"仅限儿科研究，但纳入标准{said.zh}",
        en=f"paediatric research only, but the selection has {said.en}",
    )
    fix = Both(
        zh=f"把 selection.inclusion.age_at_diagnosis.max_years 设为 {limit} 或以下。",
        en=f"Set selection.inclusion.age_at_diagnosis.max_years to {limit} or less.",
    )
    return Match.NOT_MET, reason, fix, path if ages else ("selection", "inclusion"), None


def _non_profit(app: Application, ds: Dataset, cond: UseCondition, h: DiseaseHierarchy) -> Outcome:
    if not app.non_profit:
        reason = Both(zh="研究目的不是非营利的", en="the purpose is not non-profit")
        fix = Both(zh="设为 non_profit: true。", en="Set non_profit: true.")
        return Match.NOT_MET, reason, fix, ("non_profit",), C.NOT_NON_PROFIT.id
    if app.out_of_scope and app.out_of_scope.reason is OutOfScopeReason.PAYMENT:
        reason = Both(
            zh="用于医疗费用结算的申请不属于非营利、非商业用途",
            en="a request for payment purposes is not non-profit, non-commercial use",
        )
        fix = Both(
            zh="用于医疗费用结算的申请不能使用该数据集；请把它从 datasets 中删除。",
            en="Requests for payment purposes cannot use this dataset; remove it from 'datasets'.",
        )
        return Match.NOT_MET, reason, fix, ("out_of_scope", "reason"), None
    reason = Both(zh="研究目的为非营利研究", en="the purpose is non-profit research")
    return Match.MET, reason, NO_FIX, (), None


def _ethics(
    app: Application,
    ds: Dataset,
    cond: UseCondition,
    h: DiseaseHierarchy,
    on: date | None = None,
) -> Outcome:
    covered = C.ETHICS_MISSING.id if app.privacy_level in ETHICS_REQUIRED_LEVELS else None
    fix = Both(
        zh="添加 ethics 部分，写明所在机构伦理委员会的批准，并附上伦理批件（PDF）。",
        en="Add an 'ethics' section with the approval of your institution's ethics committee "
        "and its letter (PDF).",
    )
    if app.ethics is None:
        reason = Both(zh="没有提供伦理批件", en="no ethics approval is given")
        return Match.NOT_MET, reason, fix, ("privacy_level",), covered
    try:
        start, end = (
            date.fromisoformat(app.ethics.approved_on),
            date.fromisoformat(app.ethics.valid_until),
        )
        valid = start <= (on or date.today()) <= end
    except ValueError:
        valid = False
    if not valid:
        reason = Both(
            zh="伦理批件在收到申请之日不在有效期内",
            en="the ethics approval is not valid on the day the application was received",
        )
        return Match.NOT_MET, reason, fix, ("ethics",), C.ETHICS_NOT_VALID.id
    reason = Both(
        zh="提供了在收到申请之日有效的伦理批件",
        en="an ethics approval valid on the day it was received is given",
    )
    return Match.MET, reason, NO_FIX, (), None


def _genetic_only(
    app: Application, ds: Dataset, cond: UseCondition, h: DiseaseHierarchy
) -> Outcome:
    genetic = {(t.source, v.name) for t, v in ds.variables() if v.privacy is PrivacyClass.GENETIC}
    requested = {(v.table, v.name) for r in app.datasets if r.dataset == ds.id for v in r.variables}
    if requested & genetic or app.selection.inclusion.genes:
        return (
            Match.MET,
            Both(zh="该申请是遗传学研究", en="the request is a genetic study"),
            NO_FIX,
            (),
            None,
        )
    reason = Both(
        zh="仅限遗传学研究，但申请既没有遗传变量，也没有基因",
        en="genetic studies only, but the request asks for no genetic variable and no gene",
    )
    fix = Both(
        zh="请申请研究所分析的遗传变量，或改用其他数据集。",
        en="Request the genetic variables the study analyses, or use another dataset.",
    )
    return Match.NOT_MET, reason, fix, ("datasets",), None


MATCHERS: dict[str, Matcher] = {
    "DUO:0000004": _always,  # NRES
    "DUO:0000042": _always,  # GRU
    "DUO:0000006": _always,  # HMB
    "DUO:0000007": _disease_specific,  # DS
    "DUO:0000012": _research_type,  # RS
    "DUO:0000018": _non_profit,  # NPUNCU
    "DUO:0000045": _non_profit,  # NPU
    "DUO:0000046": _non_profit,  # NCU
    "DUO:0000021": _ethics,  # IRB
    "DUO:0000016": _genetic_only,  # GSO
}


def match_conditions(
    app: Application,
    dataset: Dataset,
    hierarchy: DiseaseHierarchy | None = None,
    received: date | None = None,
) -> list[ConditionResult]:
    """One result per use condition of ``dataset``; ethics approval (IRB) is judged on the day
    the application was ``received`` (no day: today)."""
    tree = hierarchy or declared_hierarchy(dataset)
    results = []
    for i, cond in enumerate(dataset.use_conditions):
        term = DUO_TERMS.get(cond.code)
        shorthand = term.shorthand if term else cond.code
        matcher = MATCHERS.get(cond.code, _review)
        if matcher is _ethics:
            status, reason, fix, path, covered = _ethics(app, dataset, cond, tree, received)
        else:
            status, reason, fix, path, covered = matcher(app, dataset, cond, tree)
        results.append(
            ConditionResult(dataset.id, i, cond.code, shorthand, status, reason, fix, path, covered)
        )
    return results
