"""The catalog checks behind ``cohortgate validate``: one rule per function, one list of them.

Each check takes the loaded catalog (with the ontology index) and yields located findings.
Loading problems (malformed YAML, duplicate keys, wrong types, unknown fields) come from
``catalog.load`` before any check runs; a dataset file that does not load is not checked further.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cohortgate.catalog import codes as C
from cohortgate.catalog.duo import DUO_TERMS, PARAMETERS, DuoKind
from cohortgate.catalog.identifiers import looks_like_identifier
from cohortgate.catalog.load import Catalog, LoadedDataset, load_catalog, load_dataset
from cohortgate.files.loading import Document, LoadError, load_yaml_file
from cohortgate.findings import Finding, sort_findings
from cohortgate.findings.codes import Both, Code
from cohortgate.layout import Layout
from cohortgate.models.cohort import COHORT_SCHEMA, CUSTODIAN_ONLY_TABLES
from cohortgate.models.common import Text
from cohortgate.models.dataset import (
    DataClass,
    PrivacyClass,
    PrivacyLevel,
    Table,
    Variable,
    VariableType,
)
from cohortgate.ontology import OntologyIndex, load_index
from cohortgate.policy import PSEUDONYMISED_AT_L2

# Which DuckDB column types each variable type may describe.
COMPATIBLE_TYPES: dict[VariableType, frozenset[str]] = {
    VariableType.STRING: frozenset({"VARCHAR"}),
    VariableType.CATEGORY: frozenset({"VARCHAR"}),
    VariableType.CODE: frozenset({"VARCHAR"}),
    VariableType.TEXT: frozenset({"VARCHAR"}),
    VariableType.INTEGER: frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT"}),
    VariableType.DECIMAL: frozenset({"FLOAT", "REAL", "DOUBLE", "DECIMAL"}),
    VariableType.DATE: frozenset({"DATE"}),
    VariableType.BOOLEAN: frozenset({"BOOLEAN"}),
}
GENETIC_TABLES = frozenset({"variant"})  # every column but the record key is genetic (R29)

Loc = tuple[str | int, ...]  # a path in a YAML document
_ORPHA = re.compile(r"^ORPHA:[0-9]+$")
_HPO = re.compile(r"^HP:[0-9]{7}$")


@dataclass
class Context:
    catalog: Catalog
    index: OntologyIndex
    institutions_doc: Document | None  # positions in catalog/institutions.yaml


def _at(ld: LoadedDataset, code: Code, path: Sequence[str | int], **params: Any) -> Finding:
    return Document(ld.file, None, ld.positions).finding(code, path, **params)


def _line(ld: LoadedDataset, path: Loc) -> str:
    return f"{ld.file}:{Document(ld.file, None, ld.positions).locate(path)[0]}"


def _variables(ctx: Context) -> Iterator[tuple[LoadedDataset, Loc, Table, Variable]]:
    """Every variable of every dataset, with its path."""
    for ld in ctx.catalog.datasets:
        for ti, table in enumerate(ld.dataset.tables):
            for vi, var in enumerate(table.variables):
                yield ld, ("tables", ti, "variables", vi), table, var


# --- identity and references ------------------------------------------------------------------


def unique_dataset_ids(ctx: Context) -> Iterator[Finding]:
    first: dict[str, LoadedDataset] = {}
    for ld in ctx.catalog.datasets:
        seen = first.setdefault(ld.dataset.id, ld)
        if seen is not ld:
            where = _line(seen, ("id",))
            kind = _KIND["dataset"]
            yield _at(ld, C.DUPLICATE_ID, ("id",), kind=kind, id=ld.dataset.id, first=where)


def unique_institution_ids(ctx: Context) -> Iterator[Finding]:
    doc = ctx.institutions_doc
    first: dict[str, int] = {}
    for i, inst in enumerate(ctx.catalog.institutions):
        seen = first.setdefault(inst.id, i)
        if doc and seen != i:
            where = f"{doc.file}:{doc.locate(('institutions', seen, 'id'))[0]}"
            path = ("institutions", i, "id")
            kind = _KIND["institution"]
            yield doc.finding(C.DUPLICATE_ID, path, kind=kind, id=inst.id, first=where)


def unique_ids_within_dataset(ctx: Context) -> Iterator[Finding]:
    for ld in ctx.catalog.datasets:
        ds = ld.dataset
        items: list[tuple[str, Loc, str]]
        items = [("disease", ("diseases", i, "orpha"), d.orpha) for i, d in enumerate(ds.diseases)]
        items += [("table", ("tables", i, "source"), t.source) for i, t in enumerate(ds.tables)]
        items += [
            ("variable", ("tables", ti, "variables", vi, "name"), f"{t.source}.{v.name}")
            for ti, t in enumerate(ds.tables)
            for vi, v in enumerate(t.variables)
        ]
        first: dict[tuple[str, str], Loc] = {}
        for kind, path, value in items:
            seen = first.setdefault((kind, value), path)
            if seen != path:
                shown = _KIND[kind]
                yield _at(ld, C.DUPLICATE_ID, path, kind=shown, id=value, first=_line(ld, seen))


_KIND = {
    "dataset": Both(zh="数据集", en="dataset"),
    "institution": Both(zh="机构", en="institution"),
    "disease": Both(zh="疾病", en="disease"),
    "table": Both(zh="表", en="table"),
    "variable": Both(zh="变量", en="variable"),
}


def id_matches_file_name(ctx: Context) -> Iterator[Finding]:
    for ld in ctx.catalog.datasets:
        stem = Path(ld.file).stem
        if ld.dataset.id != stem:
            yield _at(ld, C.ID_FILE_MISMATCH, ("id",), id=ld.dataset.id, stem=stem)


def known_member_institutions(ctx: Context) -> Iterator[Finding]:
    known = {i.id: i for i in ctx.catalog.institutions}
    if not known:  # the registry did not load: that finding says enough
        return
    for ld in ctx.catalog.datasets:
        for i, inst_id in enumerate(ld.dataset.institutions):
            inst = known.get(inst_id)
            if inst is None:
                names = ", ".join(sorted(known))
                yield _at(ld, C.UNKNOWN_INSTITUTION, ("institutions", i), id=inst_id, known=names)
            elif not inst.member:
                yield _at(ld, C.NOT_A_MEMBER, ("institutions", i), id=inst_id)


# --- ontology codes (R7) ----------------------------------------------------------------------


def orphanet_codes(ctx: Context) -> Iterator[Finding]:
    version = ctx.index.hpo_version
    by_name: dict[str, str] = {}  # built on the first unknown code only
    for ld in ctx.catalog.datasets:
        ds = ld.dataset
        # (where the code is, the code, the English name given for it, where that name is)
        coded: list[tuple[Loc, str, str | None, Loc]] = [
            (("diseases", i, "orpha"), d.orpha, d.name.en, ("diseases", i, "name", "en"))
            for i, d in enumerate(ds.diseases)
        ]
        coded += [
            (("use_conditions", i, "diseases", j), code, None, ())
            for i, cond in enumerate(ds.use_conditions)
            for j, code in enumerate(cond.diseases)
        ]
        coded += [
            (path, value, meaning.en, (*path, "en"))
            for path, value, meaning in _value_codes(ld)
            if _ORPHA.match(value)
        ]
        for path, orpha, name, name_path in coded:
            info = ctx.index.disease(orpha)
            if info is None:
                by_name = by_name or _orpha_by_name(ctx.index)
                match = by_name.get(_norm(name or ""))
                hint = (
                    Both(
                        zh=f"（Orphanet 中“{name}”的编码是 {match}）",
                        en=f" (Orphanet's '{name}' is {match})",
                    )
                    if match
                    else ""
                )
                yield _at(ld, C.UNKNOWN_ORPHA, path, orpha=orpha, suggestion=hint, version=version)
            elif name is not None and _norm(name) != _norm(info.name):
                params = {"orpha": orpha, "expected": info.name, "given": name}
                yield _at(ld, C.ORPHA_NAME_MISMATCH, name_path, **params)


def hpo_terms(ctx: Context) -> Iterator[Finding]:
    version = ctx.index.hpo_version
    for ld in ctx.catalog.datasets:
        coded: list[tuple[Loc, str]] = [
            (("tables", ti, "variables", vi, "hpo", k), hpo)
            for ti, t in enumerate(ld.dataset.tables)
            for vi, v in enumerate(t.variables)
            for k, hpo in enumerate(v.hpo)
        ]
        coded += [(path, value) for path, value, _ in _value_codes(ld) if _HPO.match(value)]
        for path, hpo in coded:
            term = ctx.index.hpo(hpo)
            primary = ctx.index.resolve_hpo(hpo) if term is None else None
            if primary is not None:  # a secondary (alternative) id merged into another term
                state = Both(zh=f"{primary.id} 的次要编号", en=f"a secondary id of {primary.id}")
                use = Both(
                    zh=f"请改用主编号 {primary.id}（{primary.name}）。",
                    en=f"Use the primary id {primary.id} ({primary.name}).",
                )
                params = {"hpo": hpo, "name": primary.name, "state": state, "replacement": use}
                yield _at(ld, C.OBSOLETE_HPO, path, version=version, **params)
            elif term is None:
                yield _at(ld, C.UNKNOWN_HPO, path, hpo=hpo, version=version)
            elif term.obsolete:
                new = ctx.index.hpo(term.replaced_by) if term.replaced_by else None
                use = (
                    Both(
                        zh=f"请替换为 {new.id}（{new.name}）。",
                        en=f"Replace it with {new.id} ({new.name}).",
                    )
                    if new
                    else Both(
                        zh="HPO 没有给出替代术语；请在 hpo.jax.org 上选择一个现行术语。",
                        en="HPO names no replacement; choose a current term on hpo.jax.org.",
                    )
                )
                state = Both(zh="已废弃的术语", en="obsolete")
                params = {"hpo": hpo, "name": term.name, "state": state, "replacement": use}
                yield _at(ld, C.OBSOLETE_HPO, path, version=version, **params)


def _value_codes(ld: LoadedDataset) -> Iterator[tuple[Loc, str, Text]]:
    """Category values with their meanings: ontology codes among them are checked too."""
    for ti, table in enumerate(ld.dataset.tables):
        for vi, var in enumerate(table.variables):
            for value, meaning in var.values.items():
                yield ("tables", ti, "variables", vi, "values", value), value, meaning


def _orpha_by_name(index: OntologyIndex) -> dict[str, str]:
    infos = (index.disease(orpha) for orpha in index.diseases())
    return {_norm(info.name): info.orpha for info in infos if info}


def did_you_mean(close: str) -> Both:
    """The suggestion that starts a hint: ``Did you mean 'x'? ``."""
    return Both(zh=f"您是否想写“{close}”？", en=f"Did you mean '{close}'? ")


def _norm(name: str) -> str:
    return " ".join(name.casefold().replace("‐", "-").split())


# --- the cohort schema ------------------------------------------------------------------------


def cohort_tables(ctx: Context) -> Iterator[Finding]:
    known = ", ".join(t for t in COHORT_SCHEMA if t not in CUSTODIAN_ONLY_TABLES)
    for ld in ctx.catalog.datasets:
        for ti, table in enumerate(ld.dataset.tables):
            path = ("tables", ti, "source")
            if table.source in CUSTODIAN_ONLY_TABLES:
                yield _at(ld, C.CUSTODIAN_TABLE, path, table=table.source)
            elif table.source not in COHORT_SCHEMA:
                yield _at(ld, C.UNKNOWN_TABLE, path, table=table.source, known=known)


# "Did you mean" costs a string comparison with every column; past this many unknown columns in
# one file the list itself says enough, and the suggestions stop.
MAX_SUGGESTIONS_PER_FILE = 20


def cohort_columns(ctx: Context) -> Iterator[Finding]:
    suggested: dict[str, int] = {}
    for ld, path, table, var in _variables(ctx):
        columns = COHORT_SCHEMA.get(table.source)
        if columns is None or table.source in CUSTODIAN_ONLY_TABLES:
            continue  # reported by cohort_tables
        db_type = columns.get(var.name)
        if db_type is None:
            suggested[ld.file] = suggested.get(ld.file, 0) + 1
            close = (
                difflib.get_close_matches(var.name, columns, n=1)
                if suggested[ld.file] <= MAX_SUGGESTIONS_PER_FILE
                else []
            )
            params = {"name": var.name, "table": table.source, "known": ", ".join(columns)}
            guess = did_you_mean(close[0]) if close else ""
            yield _at(ld, C.UNKNOWN_COLUMN, (*path, "name"), suggestion=guess, **params)
        elif db_type not in COMPATIBLE_TYPES[var.type]:
            types = sorted(t for t, dbs in COMPATIBLE_TYPES.items() if db_type in dbs)
            fits = Both(zh=" 或 ".join(types), en=" or ".join(types))
            params = {"name": var.name, "table": table.source, "db_type": db_type}
            yield _at(ld, C.TYPE_MISMATCH, (*path, "type"), type=var.type, expected=fits, **params)


# --- privacy classes and levels (R4, R5, R6, R29) ---------------------------------------------


def identifiers_classed(ctx: Context) -> Iterator[Finding]:
    for ld, path, _, var in _variables(ctx):
        hit = None if var.privacy is PrivacyClass.DIRECT_IDENTIFIER else looks_like_identifier(var)
        if hit:
            params = {"variable": var.name, "what": hit[0], "evidence": hit[1]}
            yield _at(
                ld, C.IDENTIFIER_NOT_CLASSED, (*path, "privacy"), privacy=var.privacy, **params
            )


def genetic_classed(ctx: Context) -> Iterator[Finding]:
    for ld, path, table, var in _variables(ctx):
        if (
            table.source in GENETIC_TABLES
            and var.name not in PSEUDONYMISED_AT_L2
            and var.privacy is not PrivacyClass.GENETIC
        ):
            params = {"variable": var.name, "privacy": var.privacy}
            yield _at(ld, C.GENETIC_NOT_CLASSED, (*path, "privacy"), **params)


def raw_and_registry_not_shared(ctx: Context) -> Iterator[Finding]:
    for ld in ctx.catalog.datasets:
        ds = ld.dataset
        patient_level = [str(lv) for lv in ds.privacy_levels if lv is not PrivacyLevel.L1]
        if ds.data_class is not DataClass.RESEARCH and patient_level:
            levels = ", ".join(patient_level)
            params = {"data_class": ds.data_class, "levels": levels}
            yield _at(ld, C.SHAREABLE_CLASS, ("privacy_levels",), **params)


def identifiers_need_l3(ctx: Context) -> Iterator[Finding]:
    for ld, path, _, var in _variables(ctx):
        ds = ld.dataset
        if (
            ds.data_class is DataClass.RESEARCH
            and PrivacyLevel.L3 not in ds.privacy_levels
            and var.privacy is PrivacyClass.DIRECT_IDENTIFIER
            and var.name not in PSEUDONYMISED_AT_L2
        ):
            levels = ", ".join(ds.privacy_levels)
            yield _at(ld, C.LEVEL_TOO_LOW, (*path, "name"), variable=var.name, levels=levels)


# --- use conditions (GA4GH DUO) ---------------------------------------------------------------


def use_conditions(ctx: Context) -> Iterator[Finding]:
    known = ", ".join(f"{t.shorthand} ({t.id})" for t in DUO_TERMS.values())
    for ld in ctx.catalog.datasets:
        permissions: list[str] = []
        for i, cond in enumerate(ld.dataset.use_conditions):
            term = DUO_TERMS.get(cond.code)
            if term is None:
                path = ("use_conditions", i, "code")
                yield _at(ld, C.UNKNOWN_DUO, path, term=cond.code, known=known)
                continue
            if term.kind is DuoKind.PERMISSION:
                permissions.append(term.shorthand)
            for parameter in PARAMETERS:
                if getattr(cond, parameter) and parameter != term.parameter:
                    params = {"shorthand": term.shorthand, "term": term.id}
                    path = ("use_conditions", i, parameter)
                    yield _at(ld, C.DUO_PARAMETER, path, parameter=parameter, **params)
        if len(permissions) != 1:
            listed = ", ".join(permissions)
            which = Both(zh=f"（{listed}）", en=f" ({listed})") if permissions else ""
            count = len(permissions)
            yield _at(ld, C.DUO_PERMISSION, ("use_conditions",), count=count, which=which)


Check = Callable[[Context], Iterable[Finding]]

# Every catalog rule, in the order a reviewer reads them.
CATALOG_CHECKS: tuple[Check, ...] = (
    unique_dataset_ids,  # ids are unique: datasets ...
    unique_institution_ids,  # ... institutions ...
    unique_ids_within_dataset,  # ... and the diseases, tables and variables of a dataset
    id_matches_file_name,  # catalog/datasets/<id>.yaml
    known_member_institutions,  # contributors exist and are members (R2, R3)
    orphanet_codes,  # Orphanet codes exist and names match them (R7)
    hpo_terms,  # HPO terms exist and are current (R7)
    cohort_tables,  # tables exist in the cohort; the custodian's consent table is never shown
    cohort_columns,  # columns exist in their table, and types fit
    identifiers_classed,  # what looks like an identifier is classed as one (R6)
    genetic_classed,  # variant columns are genetic (R6, R29)
    raw_and_registry_not_shared,  # raw and registry data: L1 only (R4)
    identifiers_need_l3,  # direct identifiers other than record keys: L3 only (R5)
    use_conditions,  # DUO terms known, one permission, parameters where they belong
)


def validate_catalog(lay: Layout, extra: Sequence[Path] = ()) -> list[Finding]:
    """Load the catalog (plus ``extra`` dataset files) and run every check on it."""
    catalog, findings = load_catalog(lay)
    for path in extra:
        if path.resolve().parent == lay.datasets.resolve():
            continue  # already loaded with the catalog
        loaded, problems = load_dataset(path, lay.rel(path))
        findings += problems
        if loaded:
            catalog.datasets.append(loaded)
    try:
        doc: Document | None = load_yaml_file(lay.institutions, lay.rel(lay.institutions))
    except LoadError:
        doc = None  # already reported by load_catalog
    ctx = Context(catalog, load_index(), doc)
    for check in CATALOG_CHECKS:
        findings += check(ctx)
    return sort_findings(findings)
