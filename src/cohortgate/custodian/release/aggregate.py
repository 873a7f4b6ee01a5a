"""L1: the aggregate tables an approved protocol asks for (R5, R16), computed from the cohort
through the disclosure control of the published statistics (issue 13).

**Population.** Per requested dataset: the patients of the release's selection (the
application's criteria and the datasets' scope, ``CohortSelection``) whose diagnosis is one of
the dataset's diseases (those the selection names, when it names some) and whose contributing
institution is one of its institutions; withdrawn and opted-out patients left out (R32).

**Tables.** Each requested variable is counted once per stratum of ``datasets[].strata``
(default: by disease), as distinct patients per combination of categories
(``Engine.aggregate_counts``). A stratum names the dimensions of
``models.application.STRATA_DIMENSIONS`` or requested variables. What a variable counts by:

- the dataset's diseases, the two sexes, the provinces or the institutions for the columns the
  site's statistics count (``diagnosis.orpha_code`` is the ``disease`` dimension, and so on);
- the catalog's list of values of a categorical variable, with any other value found;
- the years of a date, the earliest and latest pooled as the site pools years of onset;
- the ``policy.AGE_BANDS`` of an age (``*age_months``, ``*age_years``);
- the observed values of any other categorical variable, those of a small number of patients
  pooled into ``other`` (always listed, so that its presence says nothing);
- for any other number: whether it is recorded. No policy bands exist for it yet, and the
  disclosure module has no rule for summary statistics (means, medians, quantiles), so an L1
  release gives counts only; ``unknown`` counts the patients without a value.

Every table is additive: each patient counts in exactly one cell, so that disclosure control
links all tables through their shared dimensions. ``patient`` and ``diagnosis`` hold one value
per patient; from a table with several rows per patient (visits, laboratory results) a patient
counts under the combination of its values (``13965-9+14875-9``; small combinations pooled
into ``other``), under its earliest year for a date, as recorded when any row has a value.
(Counting a patient once per value would make the tables non-additive, and a suppressed cell
could then be subtracted back from the same variable's other strata.) Free text, direct
identifiers and genetic variables are never counted (listed as dropped).

**Disclosure.** The tables and the population go through ``disclosure.suppress.disclose``
(small cells, complementary suppression over the linked tables, rounding, totals from the
published values), then through the audit ``disclosure.audit.audit_stats``; any issue of the
audit is an error of the release. One ``<dataset>.stats.json`` per dataset, in the layout of the
site's statistics. **Members** (R33): the patients counted in a released number: the population
when it is published, and every table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cohortgate.custodian.cohort.engine import MISSING, Engine, ExtractError
from cohortgate.custodian.cohort.sql import CohortSelection, Population
from cohortgate.custodian.cohort.stats import (
    DIMENSION_LABELS,
    SEXES,
    Rows,
    age_band_label,
    pooled_years,  # the site's pooling of early and late years, reused for every year
    with_extras,  # the site's fixed categories plus any other value found
)
from cohortgate.custodian.release.prepared import Prepared
from cohortgate.disclosure.audit import audit_stats
from cohortgate.disclosure.issues import locate
from cohortgate.disclosure.output import dumps_stats
from cohortgate.disclosure.suppress import disclose
from cohortgate.disclosure.tables import CountTable
from cohortgate.findings import has_errors
from cohortgate.models.application import STRATA_DIMENSIONS, Application, DatasetRequest
from cohortgate.models.common import Text
from cohortgate.models.dataset import (
    Dataset,
    PrivacyClass,
    PrivacyLevel,
    Variable,
    VariableType,
)
from cohortgate.models.regions import PROVINCES, province_label
from cohortgate.models.release import Treatment
from cohortgate.models.stats import Category, Dimension
from cohortgate.policy import AGE_BANDS, DEFAULT_DISCLOSURE, DISCLOSURE_PRESETS, DisclosurePolicy

DEFAULT_STRATA: tuple[tuple[str, ...], ...] = (("disease",),)
PER_PATIENT = frozenset({"patient", "diagnosis"})  # one row per patient (models.cohort)
# Columns that are a dimension of the site's statistics: counted, and linked, as that one.
SAME_AS = {
    ("diagnosis", "orpha_code"): "disease",
    ("patient", "sex"): "sex",
    ("patient", "province"): "province",
    ("patient", "institution_id"): "institution",
}
OTHER, RECORDED = "other", "recorded"
NUMBERS = (VariableType.INTEGER, VariableType.DECIMAL)


def _t(zh: str, en: str) -> Text:
    return Text(zh=zh, en=en)


@dataclass(frozen=True)
class Dim:
    name: str  # in the published tables
    key: str  # what the engine groups by
    label: Text
    kind: str = "fixed"  # how categories are found: fixed | years | observed
    fixed: tuple[Category, ...] = ()  # listed first, whatever the data


@dataclass
class Counted:
    """One dataset's true counts (custodian side) and who is in them."""

    size: int = 0
    tables: list[CountTable] = field(default_factory=list)
    patients: dict[str, list[str]] = field(default_factory=dict)  # "" = the population
    variables: set[tuple[str, str]] = field(default_factory=set)  # (table, name) counted


def _named(name: str, dataset: Dataset, diseases: Sequence[str]) -> Dim:
    """A dimension of the site's statistics."""
    if name == "onset_year":
        return Dim(name, name, DIMENSION_LABELS[name], kind="years")
    fixed = {
        "disease": [Category(code=d.orpha, label=d.name) for d in dataset.diseases],
        "sex": [Category(code=c, label=t) for c, t in SEXES.items()],
        "age_band": _bands(),
        "province": [Category(code=c, label=province_label(c)) for c in PROVINCES],
        "institution": [Category(code=i, label=_t(i, i)) for i in dataset.institutions],
    }[name]
    if name == "disease":
        fixed = [c for c in fixed if c.code in diseases]
    return Dim(name, name, DIMENSION_LABELS[name], fixed=tuple(fixed))


def _bands() -> list[Category]:
    return [Category(code=n, label=age_band_label(n, lo, hi)) for n, lo, hi in AGE_BANDS]


def _variable(table: str, var: Variable, dataset: Dataset, diseases: Sequence[str]) -> Dim | None:
    """How a requested variable is counted (module doc); None: never counted."""
    if (table, var.name) in SAME_AS:
        return _named(SAME_AS[(table, var.name)], dataset, diseases)
    never = (PrivacyClass.DIRECT_IDENTIFIER, PrivacyClass.GENETIC)
    if var.type is VariableType.TEXT or var.privacy in never:
        return None
    name, column, label = f"{table}_{var.name}", f"{table}.{var.name}", var.label
    # several rows per patient: combinations of values may appear, small ones are pooled
    listing = "fixed" if table in PER_PATIENT else "observed"

    def shown(zh: str, en: str) -> Text:
        return _t(f"{label.zh}（{zh}）", f"{label.en} ({en})")

    if var.type is VariableType.DATE:
        first = table not in PER_PATIENT
        what = shown("最早年份", "earliest year") if first else shown("年份", "year")
        return Dim(name, f"{column}:year", what, kind="years")
    if var.type in NUMBERS and (
        var.name.endswith(("age_months", "age_years")) or var.name == "age"
    ):
        key = f"{column}:age_band_{'months' if var.name.endswith('age_months') else 'years'}"
        return Dim(name, key, shown("年龄段", "age band"), listing, tuple(_bands()))
    if var.type in NUMBERS:
        recorded = (Category(code=RECORDED, label=_t("有记录", "recorded")),)
        return Dim(
            name, f"{column}:recorded", shown("是否有记录", "recorded or not"), fixed=recorded
        )
    listed = tuple(Category(code=c, label=t) for c, t in var.values.items())
    return Dim(name, column, label, listing if listed else "observed", listed)


def _categories(
    dim: Dim, rows: Rows, policy: DisclosurePolicy
) -> tuple[list[Category], dict[str, str]]:
    """A dimension's categories from its one-way counts, and the values pooled (-> category)."""
    if dim.kind == "years":
        return pooled_years(rows, policy)
    if dim.kind == "fixed":
        return with_extras(list(dim.fixed), rows), {}
    listed = {c.code for c in dim.fixed}
    seen = [(k[0], n) for k, n in rows if k[0] != MISSING and k[0] not in listed]
    kept = sorted(v for v, n in seen if not policy.is_small(n))
    pooled = {v: OTHER for v, n in seen if policy.is_small(n)}
    categories = [
        *dim.fixed,
        *(Category(code=v, label=_t(v, v)) for v in kept),
        Category(code=OTHER, label=_t("其他", "other")),
    ]
    if any(k[0] == MISSING for k, _ in rows):
        categories.append(Category(code=MISSING, label=_t("未知", "unknown")))
    return categories, pooled


def _strata(
    request: DatasetRequest,
    dims: Mapping[tuple[str, str], Dim | None],
    named: Callable[[str], Dim],
) -> list[list[Dim]]:
    """The request's strata as dimensions (ExtractError for a name that is neither)."""
    out = []
    for stratum in request.strata or DEFAULT_STRATA:
        found = []
        for name in stratum:
            table, _, column = name.partition(".")
            dim = named(name) if name in STRATA_DIMENSIONS else dims.get((table, column))
            if dim is None:
                raise ExtractError(
                    f"stratum '{name}' of dataset '{request.dataset}' is neither a dimension "
                    "nor a requested variable that can be counted"
                )
            found.append(dim)
        out.append(found)
    return out


def _tables(variables: Iterable[Dim], strata: Sequence[Sequence[Dim]]) -> list[list[Dim]]:
    """One table per variable and stratum; a dimension once, a set of dimensions once."""
    out: list[list[Dim]] = []
    seen: set[frozenset[str]] = set()
    for var in variables:
        for stratum in strata:
            dims = list({d.name: d for d in (var, *stratum)}.values())
            names = frozenset(d.name for d in dims)
            if names not in seen:
                seen.add(names)
                out.append(dims)
    return out


def _count(
    engine: Engine,
    selection: CohortSelection,
    dataset: Dataset,
    request: DatasetRequest,
    diseases: Sequence[str],
    excluded_ids: Sequence[str],
    policy: DisclosurePolicy,
) -> Counted:
    catalog = {(t.source, v.name): v for t, v in dataset.variables()}
    dims: dict[tuple[str, str], Dim | None] = {}
    for wanted in request.variables:
        var = catalog.get((wanted.table, wanted.name))
        if var is None:
            raise ExtractError(
                f"dataset '{dataset.id}' has no variable {wanted.table}.{wanted.name}"
            )
        dims[(wanted.table, wanted.name)] = _variable(wanted.table, var, dataset, diseases)
    counted = Counted(variables={k for k, d in dims.items() if d is not None})
    strata = _strata(request, dims, lambda name: _named(name, dataset, diseases))
    specs = _tables([d for d in dims.values() if d is not None], strata)
    within = Population(tuple(diseases), tuple(dataset.institutions))
    rows, counted.patients[""] = engine.aggregate_counts(selection, (), within, excluded_ids)
    counted.size = rows[0][1]
    categories: dict[str, tuple[list[Category], dict[str, str]]] = {}
    for dim in {d.name: d for spec in specs for d in spec}.values():
        one_way, _ = engine.aggregate_counts(selection, (dim.key,), within, excluded_ids)
        categories[dim.name] = _categories(dim, one_way, policy)
    for spec in specs:
        if any(not categories[d.name][0] for d in spec):
            continue  # e.g. no date recorded at all
        table_id = "_x_".join(d.name for d in spec) if len(spec) > 1 else f"by_{spec[0].name}"
        recode = {d.key: categories[d.name][1] for d in spec if categories[d.name][1]}
        keys = [d.key for d in spec]
        rows, counted.patients[table_id] = engine.aggregate_counts(
            selection, keys, within, excluded_ids, recode
        )
        dimensions = [
            Dimension(name=d.name, label=d.label, categories=categories[d.name][0]) for d in spec
        ]
        title = _t(" × ".join(d.label.zh for d in spec), " × ".join(d.label.en for d in spec))
        counted.tables.append(CountTable.from_rows(table_id, title, dimensions, True, rows))
    return counted


def aggregate(
    app: Application,
    requested: Sequence[Dataset],
    cohort: Path,
    selection: CohortSelection,
    excluded_ids: Sequence[str],
) -> Prepared:
    """The L1 release of ``app`` (raises ``ExtractError`` for a variable or stratum that
    cannot be counted; an audit issue is an error finding of the result)."""
    policy = DISCLOSURE_PRESETS[DEFAULT_DISCLOSURE]
    prepared = Prepared(PrivacyLevel.L1, enclave=False)
    wanted = set(selection.inclusion.orpha_codes)
    datasets = {d.id: d for d in requested}
    members: set[str] = set()
    aggregated: set[tuple[str, str]] = set()
    tables = cells = hidden = 0
    with Engine.open(cohort) as engine:
        for request in app.datasets:
            dataset = datasets.get(request.dataset)
            if dataset is None:
                continue
            diseases = [d for d in dataset.orpha_codes() if not wanted or d in wanted]
            if not diseases:
                continue
            counted = _count(engine, selection, dataset, request, diseases, excluded_ids, policy)
            aggregated |= counted.variables
            stats = disclose(dataset.id, counted.size, counted.tables, policy)
            name = f"{dataset.id}.stats.json"
            prepared.findings += locate(audit_stats(stats), name, dict)
            prepared.files[name] = dumps_stats(stats).encode("utf-8")
            prepared.rows[dataset.id.replace("-", "_")] = len(stats.tables)
            released = [""] if stats.population is not None else []
            for table_id in [*released, *(t.id for t in stats.tables)]:
                members.update(counted.patients[table_id])
            tables += len(stats.tables)
            cells += sum(len(t.cells) for t in stats.tables)
            hidden += sum(c.suppressed for t in stats.tables for c in t.cells)
    prepared.members = sorted(members)
    prepared.variables = [
        (t, n, Treatment.AGGREGATED if (t, n) in aggregated else Treatment.DROPPED)
        for t, n in dict.fromkeys((v.table, v.name) for d in app.datasets for v in d.variables)
    ]
    prepared.risk = {
        "aggregate": {
            "policy": policy.name,
            "tables": tables,
            "cells": cells,
            "cells_suppressed": hidden,
        }
    }
    if has_errors(prepared.findings):
        prepared.files.clear()
    return prepared
