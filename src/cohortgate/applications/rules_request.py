"""Checks of what an application asks for: datasets, variables, level, delivery, selection
(R4, R5, R7, R9, R16, R18, R29)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from cohortgate.applications import codes as C
from cohortgate.applications.context import Context, Loc, requested, requested_variables
from cohortgate.applications.load import Form
from cohortgate.findings import Finding
from cohortgate.findings.codes import Both
from cohortgate.models.application import DeliveryMethod
from cohortgate.models.dataset import DataClass, Dataset, PrivacyClass, PrivacyLevel
from cohortgate.policy import DELIVERY_BY_LEVEL, ENCLAVE_DELIVERY, PSEUDONYMISED_AT_L2


def _research(ctx: Context) -> list[Dataset]:
    """Every research dataset of the catalog (read only when a request needs a suggestion:
    checking one application loads the datasets it asks for, no more)."""
    return [
        ld.dataset for ld in ctx.catalog.datasets if ld.dataset.data_class is DataClass.RESEARCH
    ]


def datasets_are_research_data(form: Form, ctx: Context) -> Iterator[Finding]:
    for i, request in enumerate(form.app.datasets):
        loc = ("datasets", i, "dataset")
        ds = ctx.catalog.dataset(request.dataset)
        if ds is None:
            research = _research(ctx)
            close = difflib.get_close_matches(request.dataset, [d.id for d in research], n=1)
            guess = did_you_mean(close[0]) if close else ""
            known = ", ".join(d.id for d in research)
            yield form.at(C.UNKNOWN_DATASET, loc, id=request.dataset, suggestion=guess, known=known)
        elif ds.data_class is not DataClass.RESEARCH:
            mine = set(ds.orpha_codes())
            others = [d.id for d in _research(ctx) if mine & set(d.orpha_codes())]
            listed = ", ".join(others)
            alternatives = (
                Both(zh=f"（疾病相同的有：{listed}）", en=f" (with the same diseases: {listed})")
                if others
                else ""
            )
            yield form.at(
                C.NOT_RESEARCH_DATA,
                loc,
                id=ds.id,
                data_class=ds.data_class,
                alternatives=alternatives,
            )


def requested_once(form: Form, ctx: Context) -> Iterator[Finding]:
    seen: dict[tuple[str, ...], Loc] = {}
    for i, request in enumerate(form.app.datasets):
        items: list[tuple[str, str, Loc]] = [
            ("dataset", request.dataset, ("datasets", i, "dataset"))
        ]
        items += [
            ("variable", f"{request.dataset}:{v.table}.{v.name}", ("datasets", i, "variables", j))
            for j, v in enumerate(request.variables)
        ]
        for kind, name, loc in items:
            first = seen.setdefault((kind, name), loc)
            if first != loc:
                line = form.doc.locate(first)[0]
                shown = Both(zh="数据集" if kind == "dataset" else "变量", en=kind)
                yield form.at(C.DUPLICATE_REQUEST, loc, kind=shown, name=name, first=line)


def variables_exist(form: Form, ctx: Context) -> Iterator[Finding]:
    for i, ds in requested(form, ctx):
        tables = {t.source: [v.name for v in t.variables] for t in ds.tables}
        for j, wanted in enumerate(form.app.datasets[i].variables):
            names = tables.get(wanted.table)
            if names is not None and wanted.name in names:
                continue
            if names is None:
                loc: Loc = ("datasets", i, "variables", j, "table")
                close = difflib.get_close_matches(wanted.table, list(tables), n=1)
                listed = ", ".join(tables)
                known = Both(
                    zh=f"“{ds.id}”的表有：{listed}。",
                    en=f"The tables of '{ds.id}' are: {listed}.",
                )
            else:
                loc = ("datasets", i, "variables", j, "name")
                close = difflib.get_close_matches(wanted.name, names, n=1)
                listed = ", ".join(names)
                known = Both(
                    zh=f"“{ds.id}”的表“{wanted.table}”有：{listed}。",
                    en=f"Table '{wanted.table}' of '{ds.id}' has: {listed}.",
                )
            guess = did_you_mean(close[0]) if close else ""
            params = {"table": wanted.table, "name": wanted.name, "dataset": ds.id}
            yield form.at(C.UNKNOWN_VARIABLE, loc, suggestion=guess, known=known, **params)


def level_offered(form: Form, ctx: Context) -> Iterator[Finding]:
    level = form.app.privacy_level
    for i, ds in requested(form, ctx):
        if level not in ds.privacy_levels:
            levels = ", ".join(ds.privacy_levels)
            yield form.at(
                C.LEVEL_NOT_OFFERED,
                ("datasets", i, "dataset"),
                dataset=ds.id,
                level=level,
                levels=levels,
            )


def level_covers_variables(form: Form, ctx: Context) -> Iterator[Finding]:
    level = form.app.privacy_level
    for loc, wanted, var in requested_variables(form, ctx):
        params = {"table": wanted.table, "name": wanted.name}
        where = (*loc, "name")
        if var.privacy is PrivacyClass.DIRECT_IDENTIFIER:
            if level is PrivacyLevel.L1:
                yield form.at(C.IDENTIFIER_AT_L1, where, **params)
            elif level is PrivacyLevel.L2 and var.name not in PSEUDONYMISED_AT_L2:
                yield form.at(C.IDENTIFIER_NEEDS_L3, where, **params)
        elif var.privacy is PrivacyClass.GENETIC and level is PrivacyLevel.L1:
            yield form.at(C.GENETIC_NEEDS_L2, where, **params)


def delivery_fits_level(form: Form, ctx: Context) -> Iterator[Finding]:
    app = form.app
    level = str(app.privacy_level)
    genetic = any(v.privacy is PrivacyClass.GENETIC for _, _, v in requested_variables(form, ctx))
    allowed = DELIVERY_BY_LEVEL[level]
    what = Both(zh=f"{level} 级别", en=f"level {level}")
    if genetic and level != "L1":  # genetic data at L1 are reported by level_covers_variables
        allowed = allowed & ENCLAVE_DELIVERY
        what = Both(zh=f"含遗传数据的 {level} 级别", en=f"level {level} with genetic data")
    if app.delivery not in allowed:
        names = ", ".join(m.value for m in DeliveryMethod if m.value in allowed)
        yield form.at(
            C.DELIVERY_NOT_ALLOWED, ("delivery",), delivery=app.delivery, what=what, allowed=names
        )


def selection_in_datasets(form: Form, ctx: Context) -> Iterator[Finding]:
    asked = [ds for _, ds in requested(form, ctx)]
    if not asked:
        return
    held = {code for ds in asked for code in ds.orpha_codes()}
    names = ", ".join(ds.id for ds in asked)
    for n, orpha in enumerate(form.app.selection.inclusion.diseases):
        if orpha in held:
            continue
        holders = [
            ld.dataset.id
            for ld in ctx.catalog.datasets
            if ld.dataset.data_class is DataClass.RESEARCH and orpha in ld.dataset.orpha_codes()
        ]
        listed = ", ".join(holders)
        fix = (
            Both(
                zh=f"请申请包含该疾病的数据集（{listed}），或把它从 selection.inclusion.diseases "
                "中删除。",
                en=f"Request a dataset that holds it ({listed}), or remove it from "
                "selection.inclusion.diseases.",
            )
            if holders
            else Both(
                zh="数据目录中没有哪个研究数据集包含该疾病；请把它从 "
                "selection.inclusion.diseases 中删除。",
                en="No research dataset of the catalog holds it; remove it from "
                "selection.inclusion.diseases.",
            )
        )
        yield form.at(
            C.DISEASE_NOT_IN_DATASETS,
            ("selection", "inclusion", "diseases", n),
            orpha=orpha,
            datasets=names,
            fix=fix,
        )


def selection_terms_known(form: Form, ctx: Context) -> Iterator[Finding]:
    version = ctx.index.hpo_version
    for part, criteria in (
        ("inclusion", form.app.selection.inclusion),
        ("exclusion", form.app.selection.exclusion),
    ):
        if criteria is None:
            continue
        for n, hpo in enumerate(criteria.hpo):
            term, loc = ctx.index.hpo(hpo), ("selection", part, "hpo", n)
            primary = ctx.index.resolve_hpo(hpo) if term is None else None
            if primary is not None:
                state = Both(
                    zh=f"是 HPO {version} 中 {primary.id} 的次要编号",
                    en=f"is a secondary id of {primary.id} in HPO {version}",
                )
                fix = Both(
                    zh=f"请改用主编号 {primary.id}（{primary.name}）。",
                    en=f"Use the primary id {primary.id} ({primary.name}).",
                )
            elif term is None:
                state = Both(
                    zh=f"不是 HPO {version} 中的术语", en=f"is not a term of HPO {version}"
                )
                fix = Both(
                    zh="请在 hpo.jax.org 上查找该术语并复制其编号（HP: 加七位数字）。",
                    en="Find the term on hpo.jax.org and copy its id (HP: and seven digits).",
                )
            elif term.obsolete:
                new = ctx.index.hpo(term.replaced_by) if term.replaced_by else None
                state = Both(zh=f"在 HPO {version} 中已废弃", en=f"is obsolete in HPO {version}")
                fix = (
                    Both(
                        zh=f"请替换为 {new.id}（{new.name}）。",
                        en=f"Replace it with {new.id} ({new.name}).",
                    )
                    if new
                    else Both(zh="请选择一个现行术语。", en="Choose a current term.")
                )
            else:
                continue
            params = {"kind": _HPO_TERM, "value": hpo, "state": state, "fix": fix}
            yield form.at(C.UNKNOWN_TERM, loc, **params)
        for n, gene in enumerate(criteria.genes):
            if not ctx.index.is_gene(gene):
                state = Both(
                    zh=f"不是 HPO {version} 注释的基因",
                    en=f"is not a gene that HPO {version} annotates",
                )
                fix = Both(
                    zh="请使用该基因经 HGNC 批准的符号（genenames.org），例如 SMN1 或 DMD。",
                    en="Use the gene's approved HGNC symbol (genenames.org), e.g. SMN1 or DMD.",
                )
                params = {"kind": _GENE, "value": gene, "state": state, "fix": fix}
                yield form.at(C.UNKNOWN_TERM, ("selection", part, "genes", n), **params)


_HPO_TERM = Both(zh="HPO 术语", en="HPO term")
_GENE = Both(zh="基因", en="gene")


def did_you_mean(close: str) -> Both:
    """The suggestion that starts a hint: ``Did you mean 'x'? ``."""
    return Both(zh=f"您是否想写“{close}”？", en=f"Did you mean '{close}'? ")
