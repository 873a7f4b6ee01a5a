"""Each dataset's summary statistics, counted from the cohort and put through disclosure control.

For a catalog dataset: its population (patients with one of its diseases, from one of its
institutions, consent not withdrawn; ``engine.Population``) is counted by the engine for each
table below, the true counts become ``disclosure.CountTable``s with bilingual labels, and
``disclosure.disclose`` turns them into the publishable ``DatasetStats``. True counts never
leave this function; only the result is written, to ``catalog/stats/<dataset>.json``.

The categories of a dimension never depend on the data where a public list exists (the
dataset's diseases and institutions, the two sexes, the age bands of ``policy.AGE_BANDS``, the
34 provinces of GB/T 2260): a category that appeared only when someone had it would say so. An
``unknown`` category is added when some patients have no value. Onset years are the observed
years, with the earliest and latest years pooled ("2008 or earlier", "2024 or later") until
each end holds more than ``threshold`` patients, so that the range shows no lone early or late
case. Gene and phenotype tables are top lists (``policy.TOP_GENES``, ``TOP_PHENOTYPES``),
published only when the dataset exposes the cohort's ``variant`` or ``phenotype`` table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cohortgate.custodian.cohort.engine import MISSING
from cohortgate.custodian.cohort.sql import Population
from cohortgate.disclosure.differencing import RevisionError, previous_version
from cohortgate.disclosure.output import dumps_stats
from cohortgate.disclosure.suppress import disclose
from cohortgate.disclosure.tables import CountTable
from cohortgate.files.atomic import write_text
from cohortgate.layout import Layout
from cohortgate.models.common import Text
from cohortgate.models.dataset import Dataset
from cohortgate.models.regions import PROVINCES, province_label
from cohortgate.models.stats import Category, DatasetStats, Dimension
from cohortgate.policy import AGE_BANDS, TOP_GENES, TOP_PHENOTYPES, DisclosurePolicy

Rows = list[tuple[tuple[str, ...], int]]


class CountSource(Protocol):
    """What this module needs of ``custodian.cohort.engine.Engine``."""

    def count(self, population: Population, dims: Sequence[str]) -> Rows: ...

    def population_size(self, population: Population) -> int: ...


class CachedCounts:
    """An engine's counts, remembered: datasets with the same population share their queries."""

    def __init__(self, engine: CountSource) -> None:
        self.engine = engine
        self._counts: dict[tuple[Population, tuple[str, ...]], Rows] = {}
        self._sizes: dict[Population, int] = {}

    def count(self, population: Population, dims: Sequence[str]) -> Rows:
        key = (population, tuple(dims))
        if key not in self._counts:
            self._counts[key] = self.engine.count(population, dims)
        return self._counts[key]

    def population_size(self, population: Population) -> int:
        if population not in self._sizes:
            self._sizes[population] = self.engine.population_size(population)
        return self._sizes[population]


@dataclass(frozen=True)
class TableSpec:
    id: str
    dims: tuple[str, ...]
    title: Text
    additive: bool = True
    top: int | None = None
    needs: str | None = None  # cohort table the dataset must expose


def _t(zh: str, en: str) -> Text:
    return Text(zh=zh, en=en)


# The tables of every dataset, in the order the site shows them.
TABLES: tuple[TableSpec, ...] = (
    TableSpec("by_disease", ("disease",), _t("按疾病", "Patients by disease")),
    TableSpec("by_sex", ("sex",), _t("按性别", "Patients by sex")),
    TableSpec("by_age_band", ("age_band",), _t("按诊断年龄", "Patients by age at diagnosis")),
    TableSpec("by_province", ("province",), _t("按省份", "Patients by province")),
    TableSpec("by_onset_year", ("onset_year",), _t("按起病年份", "Patients by year of onset")),
    TableSpec("by_institution", ("institution",), _t("按机构", "Patients by institution")),
    TableSpec("disease_x_sex", ("disease", "sex"), _t("疾病 × 性别", "Disease × sex")),
    TableSpec(
        "disease_x_age_band",
        ("disease", "age_band"),
        _t("疾病 × 诊断年龄", "Disease × age at diagnosis"),
    ),
    TableSpec(
        "disease_x_province", ("disease", "province"), _t("疾病 × 省份", "Disease × province")
    ),
    TableSpec(
        "by_gene",
        ("gene",),
        _t("携带变异最多的基因", "Genes with the most patients carrying a variant"),
        additive=False,
        top=TOP_GENES,
        needs="variant",
    ),
    TableSpec(
        "top_phenotypes",
        ("phenotype",),
        _t("最常见的表型（HPO）", "Most frequent phenotypes (HPO)"),
        additive=False,
        top=TOP_PHENOTYPES,
        needs="phenotype",
    ),
)

DIMENSION_LABELS: dict[str, Text] = {
    "disease": _t("疾病", "Disease"),
    "sex": _t("性别", "Sex"),
    "age_band": _t("诊断年龄", "Age at diagnosis"),
    "province": _t("省份", "Province"),
    "onset_year": _t("起病年份", "Year of onset"),
    "institution": _t("机构", "Institution"),
    "gene": _t("基因", "Gene"),
    "phenotype": _t("表型（HPO）", "Phenotype (HPO)"),
}
SEXES: dict[str, Text] = {"M": _t("男", "Male"), "F": _t("女", "Female")}
UNKNOWN = _t("未知", "Unknown")


def age_band_label(label: str, low: int, high: int) -> Text:
    if low == 0:
        return _t(f"不满{high}岁", f"under {high} year{'s' if high > 1 else ''}")
    if high >= 150:
        return _t(f"{low}岁及以上", f"{low} years and over")
    return _t(f"{low}–{high - 1}岁", f"{low}–{high - 1} years")


@dataclass(frozen=True)
class Labels:
    """Names of categories that come from outside the dataset file."""

    institutions: Mapping[str, Text]  # institution id -> name (catalog/institutions.yaml)
    phenotype: Callable[[str], Text]  # HPO id -> label


def ontology_labels() -> Callable[[str], Text]:
    """HPO labels from the ontology index; English only (HPO has no Chinese labels here)."""
    from cohortgate.ontology import load_index

    index = load_index()

    def label(hpo: str) -> Text:
        term = index.resolve_hpo(hpo)
        name = term.name if term and term.name else hpo
        return _t(name, name)

    return label


def population_of(dataset: Dataset) -> Population:
    return Population(tuple(dataset.orpha_codes()), tuple(dataset.institutions))


def count_tables(
    dataset: Dataset, engine: CountSource, policy: DisclosurePolicy, labels: Labels
) -> tuple[int, list[CountTable]]:
    """The population size and every table's true counts (custodian side only)."""
    population = population_of(dataset)
    size = engine.population_size(population)
    exposed = {t.source for t in dataset.tables}
    specs = [s for s in TABLES if s.needs is None or s.needs in exposed]
    one_way = {dim: engine.count(population, (dim,)) for s in specs for dim in s.dims}
    fixed: dict[str, list[Category]] = {
        "disease": [Category(code=d.orpha, label=d.name) for d in dataset.diseases],
        "sex": [Category(code=c, label=t) for c, t in SEXES.items()],
        "age_band": [Category(code=n, label=age_band_label(n, lo, hi)) for n, lo, hi in AGE_BANDS],
        "province": [Category(code=c, label=province_label(c)) for c in PROVINCES],
        "institution": [
            Category(code=i, label=labels.institutions.get(i, _t(i, i)))
            for i in dataset.institutions
        ],
    }
    dims: dict[str, Dimension] = {}
    recode: dict[str, dict[str, str]] = {}  # onset years pooled into their category
    for dim, rows in one_way.items():
        if dim in fixed:
            categories = with_extras(fixed[dim], rows)
        elif dim == "onset_year":
            categories, recode[dim] = pooled_years(rows, policy)
        elif dim == "gene":
            categories = [Category(code=k[0], label=_t(k[0], k[0])) for k, _ in rows]
        else:  # phenotype
            categories = [Category(code=k[0], label=labels.phenotype(k[0])) for k, _ in rows]
        dims[dim] = Dimension(name=dim, label=DIMENSION_LABELS[dim], categories=categories)
    tables = []
    for spec in specs:
        if any(not dims[d].categories for d in spec.dims):
            continue  # e.g. nobody genotyped: no gene table
        rows = one_way[spec.dims[0]] if len(spec.dims) == 1 else engine.count(population, spec.dims)
        rows = [(_recoded(key, spec.dims, recode), n) for key, n in rows]
        tables.append(
            CountTable.from_rows(
                spec.id, spec.title, [dims[d] for d in spec.dims], spec.additive, rows, spec.top
            )
        )
    return size, tables


def with_extras(categories: list[Category], rows: Rows) -> list[Category]:
    """The fixed categories, then any other value found (``unknown`` last)."""
    known = {c.code for c in categories}
    extra = sorted({k[0] for k, _ in rows if k[0] not in known and k[0] != MISSING})
    out = categories + [Category(code=c, label=_t(c, c)) for c in extra]
    if any(k[0] == MISSING for k, _ in rows):
        out.append(Category(code=MISSING, label=UNKNOWN))
    return out


def pooled_years(rows: Rows, policy: DisclosurePolicy) -> tuple[list[Category], dict[str, str]]:
    years = sorted((int(k[0]), n) for k, n in rows if k[0] != MISSING)
    first, cum = 0, 0
    while first < len(years):  # pool the earliest years until they are not small
        cum += years[first][1]
        first += 1
        if not policy.is_small(cum):
            break
    last, cum = len(years), 0
    while last > first:  # and the latest years
        last -= 1
        cum += years[last][1]
        if not policy.is_small(cum):
            break
    if policy.is_small(cum) and last < len(years):  # the tail stayed small: pool it downwards
        first, last = len(years), len(years)
    groups: list[tuple[str, Text, list[int]]] = []
    head = [y for y, _ in years[:first]]
    if head:
        end = head[-1]
        groups.append(
            (str(end), _t(f"{end}年", str(end)), head)
            if len(head) == 1
            else (f"<={end}", _t(f"{end}年及以前", f"{end} or earlier"), head)
        )
    groups += [(str(y), _t(f"{y}年", str(y)), [y]) for y, _ in years[first:last]]
    tail = [y for y, _ in years[last:]]
    if tail:
        start = tail[0]
        groups.append(
            (str(start), _t(f"{start}年", str(start)), tail)
            if len(tail) == 1
            else (f">={start}", _t(f"{start}年及以后", f"{start} or later"), tail)
        )
    categories = [Category(code=code, label=label) for code, label, _ in groups]
    recode = {str(y): code for code, _, members in groups for y in members}
    if any(k[0] == MISSING for k, _ in rows):
        categories.append(Category(code=MISSING, label=UNKNOWN))
    return categories, recode


def _recoded(
    key: tuple[str, ...], dims: Sequence[str], recode: dict[str, dict[str, str]]
) -> tuple[str, ...]:
    return tuple(recode.get(d, {}).get(k, k) for d, k in zip(dims, key, strict=True))


def dataset_stats(
    dataset: Dataset,
    engine: CountSource,
    policy: DisclosurePolicy,
    labels: Labels,
    previous: DatasetStats | None = None,
) -> DatasetStats:
    """The publishable statistics of one dataset."""
    size, tables = count_tables(dataset, engine, policy, labels)
    return disclose(dataset.id, size, tables, policy, previous)


def stats_path(lay: Layout, dataset_id: str) -> Path:
    return lay.stats / f"{dataset_id}.json"


def committed_version(lay: Layout, path: Path) -> DatasetStats | None:
    """The version at git HEAD, which the audit compares a regenerated file with."""
    try:
        found = previous_version(lay.root, path, "HEAD")
    except RevisionError:  # no commit yet
        return None
    return found[1] if found else None


def write_stats(lay: Layout, stats: DatasetStats) -> Path:
    """Write ``catalog/stats/<dataset>.json`` atomically, in the stable layout."""
    path = stats_path(lay, stats.dataset)
    write_text(path, dumps_stats(stats))
    return path
