"""Load the catalog (``catalog/``) into models, turning every problem into a located finding."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from cohortgate.files import codes as C
from cohortgate.files.loading import Document, LoadError, load_yaml_file, load_yaml_text, read_text
from cohortgate.files.modelcheck import check_model
from cohortgate.files.parse_cache import ParseCache, for_layout
from cohortgate.findings import Finding
from cohortgate.layout import Layout
from cohortgate.models.dataset import Dataset
from cohortgate.models.institution import Institution, InstitutionRegistry
from cohortgate.models.stats import DatasetStats


@dataclass
class LoadedDataset:
    dataset: Dataset
    file: str  # relative to the repository root
    positions: dict[tuple[str | int, ...], tuple[int, int]] = field(default_factory=dict)


@dataclass
class Catalog:
    institutions: list[Institution] = field(default_factory=list)
    datasets: list[LoadedDataset] = field(default_factory=list)
    stats: dict[str, DatasetStats] = field(default_factory=dict)  # dataset id -> statistics

    def institution(self, id: str) -> Institution | None:
        return next((i for i in self.institutions if i.id == id), None)

    def dataset(self, id: str) -> Dataset | None:
        return next((d.dataset for d in self.datasets if d.dataset.id == id), None)


def load_catalog(
    lay: Layout, *, with_stats: bool = True, datasets: bool = True
) -> tuple[Catalog, list[Finding]]:
    """Everything under ``catalog/`` that loads; findings for everything that does not.

    Parsed files come from the local cache (``parse_cache``) when their bytes match. Without
    ``datasets`` only the institutions are loaded (see ``catalog.partial``)."""
    catalog = Catalog()
    findings: list[Finding] = []
    cache = for_layout(lay)
    try:
        doc = cache.document(lay.institutions, lay.rel(lay.institutions))
        registry, problems = check_model(doc, InstitutionRegistry)
        findings += problems
        if registry:
            catalog.institutions = list(registry.institutions)
    except LoadError as exc:
        findings.append(exc.finding)
    paths = sorted(lay.datasets.glob("*.yaml")) if datasets else []
    for loaded, problems in _load_datasets([(p, lay.rel(p)) for p in paths], cache):
        findings += problems
        if loaded:
            catalog.datasets.append(loaded)
    if with_stats:
        for path in sorted(lay.stats.glob("*.json")):
            stats, problems = load_stats(path, lay.rel(path))
            findings += problems
            if stats:
                catalog.stats[stats.dataset] = stats
    return catalog, findings


# Parsing YAML is most of the cost of a large catalog; from this many files on, the work is
# spread over the machine's cores (each file is independent of the others).
PARALLEL_FROM = 48


def _load_one(
    item: tuple[Path, str, ParseCache | None],
) -> tuple[LoadedDataset | None, list[Finding]]:
    return load_dataset(*item)


def _can_fork() -> bool:
    import multiprocessing as mp

    return "fork" in mp.get_all_start_methods()


def _load_datasets(
    items: list[tuple[Path, str]], cache: ParseCache
) -> list[tuple[LoadedDataset | None, list[Finding]]]:
    """Each dataset file loaded, in the order of ``items``: those the cache holds here, the
    others (parsed, and then cached) spread over the cores when there are many."""
    done = {path: cache.cached_document(path, display) for path, display in items}
    missing = [(path, display, cache) for path, display in items if done[path] is None]
    workers = min(os.cpu_count() or 1, 8)
    if len(missing) < PARALLEL_FROM or workers < 2 or not _can_fork():
        parsed = [load_dataset(*item) for item in missing]
    else:
        chunk = max(1, len(missing) // (workers * 4))
        import multiprocessing as mp  # late: most commands load a few datasets, in-process
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
            parsed = list(pool.map(_load_one, missing, chunksize=chunk))
    fresh = {item[0]: result for item, result in zip(missing, parsed, strict=True)}
    out = []
    for path, _ in items:
        doc = done[path]
        out.append(fresh[path] if doc is None else _dataset_of(doc))
    return out


def load_dataset(
    path: Path, display: str, cache: ParseCache | None = None
) -> tuple[LoadedDataset | None, list[Finding]]:
    try:
        doc = cache.document(path, display) if cache else load_yaml_file(path, display)
    except LoadError as exc:
        return None, [exc.finding]
    return _dataset_of(doc)


def _dataset_of(doc: Document) -> tuple[LoadedDataset | None, list[Finding]]:
    display = doc.file
    dataset, problems = check_model(doc, Dataset)
    if dataset is None:
        return None, problems
    return LoadedDataset(dataset, display, doc.positions), problems


def load_stats(path: Path, display: str) -> tuple[DatasetStats | None, list[Finding]]:
    """JSON is parsed fast; only a file with problems is re-read with the line-aware loader."""
    try:
        text = read_text(path, display)
    except LoadError as exc:
        return None, [exc.finding]
    try:  # pydantic's own JSON parser: one pass, no intermediate Python objects
        return DatasetStats.model_validate_json(text), []
    except ValueError:
        pass
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [C.JSON_SYNTAX.at(display, exc.lineno, exc.colno, problem=exc.msg)]
    try:  # JSON is YAML: re-read with positions to say where the problem is
        doc = load_yaml_text(text, display)
    except LoadError as exc:
        return None, [exc.finding]
    return check_model(doc, DatasetStats)


def stats_positions(path: Path, display: str) -> dict[tuple[str | int, ...], tuple[int, int]]:
    """Line positions of a statistics file, for findings about its content."""
    try:
        return load_yaml_text(read_text(path, display), display).positions
    except LoadError:
        return {}
