"""``cohortgate stats``: count, protect and write each dataset's summary statistics (custodian).

Reads the cohort (row-level, custodian only), counts each catalog dataset's tables, applies
disclosure control (``cohortgate.disclosure``; policy from ``cohortgate.policy``) and writes
every ``catalog/stats/<dataset>.json`` in one transaction (all old or all new, whatever kills
the run; ``files.transaction.write_files``). It then audits what it wrote exactly as ``audit-stats``
and the site build will: a failure there is a bug in disclosure control, reported with exit 1.
A disk that refuses the write (read-only, full, no permission) is a finding naming the file,
exit 2; what was recovered of a killed earlier run (here or in the vault) is a warning.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cohortgate.cli import options
from cohortgate.findings import Finding, has_errors, sort_findings
from cohortgate.findings.render import REPORTER_BY_NAME
from cohortgate.layout import Layout, layout
from cohortgate.policy import DEFAULT_DISCLOSURE, DISCLOSURE_PRESETS

if TYPE_CHECKING:
    from cohortgate.files.atomic import Recovery
    from cohortgate.models.stats import DatasetStats

NAME = "stats"
HELP = "计算并保护各数据集的汇总统计 / count and protect each dataset's summary statistics"

DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.add_cohort(parser)
    parser.add_argument(
        "--policy",
        choices=sorted(DISCLOSURE_PRESETS),
        default=DEFAULT_DISCLOSURE,
        help=f"disclosure policy preset (default: {DEFAULT_DISCLOSURE})",
    )
    options.add_vault(
        parser,
        "the custodian's vault whose opt-out registry is applied (default: "
        "<custodian dir>/vault, when it exists)",
    )
    options.add_format(parser)
    options.add_root(parser)


def refusal(cohort: Path, shown: str) -> str | None:
    """Why ``cohort`` cannot be read as a cohort database, or None."""
    if not cohort.is_file():
        return (
            f"队列数据库不存在 / {shown} does not exist: generate it with "
            "`cohortgate cohort generate`, or point --cohort (or COHORTGATE_CUSTODIAN_DIR) "
            "at it"
        )
    with cohort.open("rb") as handle:
        header = handle.read(12)
    if header[8:12] != DUCKDB_MAGIC:
        return (
            f"不是 DuckDB 数据库 / {shown} is not a DuckDB database: regenerate it with "
            "`cohortgate cohort generate`"
        )
    return None


def opted_out(lay: Layout, vault: Path | None, notes: list[Finding] | None = None) -> list[str]:
    """The opt-out registry of the vault (R32), or [] when there is no vault yet.
    ValueError with the reason when the vault exists but cannot be used; what opening it
    recovered of a killed command is added to ``notes``."""
    from cohortgate.custodian.participants.optout import excluded_ids
    from cohortgate.custodian.vault.store import Vault, VaultError, default_vault

    where = vault or default_vault(lay.root)
    if vault is None and not where.exists():
        return []
    try:
        opened = Vault.open(where)
        if notes is not None:
            notes += opened.recovered
        return excluded_ids(opened)
    except VaultError as exc:
        raise ValueError(f"{where.name}: {exc} ({exc.hint})") from None


def write_all_stats(
    lay: Layout, all_stats: Sequence[DatasetStats]
) -> tuple[list[Path], list[Recovery]]:
    """Write each ``catalog/stats/<dataset>.json`` in one transaction (all old or all new,
    whatever kills the run; the folder's other files stay): the paths, and what was recovered
    of a killed earlier run. ``files.atomic.WriteError`` when the disk refuses."""
    from cohortgate.custodian.cohort.stats import stats_path
    from cohortgate.disclosure.output import dumps_stats
    from cohortgate.files.transaction import write_files

    files = {f"{s.dataset}.json": dumps_stats(s).encode("utf-8") for s in all_stats}
    return [stats_path(lay, s.dataset) for s in all_stats], write_files(lay.stats, files)


def run(args: argparse.Namespace) -> int:
    # Imported here (DuckDB, numpy, scipy): every command loads this module to build the parser.
    from cohortgate.catalog.load import load_catalog
    from cohortgate.custodian.cohort.engine import CohortError, Engine
    from cohortgate.custodian.cohort.stats import (
        CachedCounts,
        Labels,
        committed_version,
        dataset_stats,
        ontology_labels,
        stats_path,
    )
    from cohortgate.disclosure.audit import audit_file
    from cohortgate.files.atomic import WriteError
    from cohortgate.models.common import Text

    lay = layout(args.root)
    cohort = args.cohort or lay.cohort_db
    shown = lay.rel(cohort)  # never a path of this machine in a message
    problem = refusal(cohort, shown)
    if problem:
        print(f"cohortgate stats: {problem}", file=sys.stderr)
        return 2
    catalog, findings = load_catalog(lay, with_stats=False)
    render = REPORTER_BY_NAME[args.format]
    if has_errors(findings):
        sys.stdout.write(render(sort_findings(findings)))
        print(
            "cohortgate stats: 目录有错误 / fix the catalog first (`cohortgate validate`)",
            file=sys.stderr,
        )
        return 1
    policy = DISCLOSURE_PRESETS[args.policy]
    institutions: dict[str, Text] = {i.id: i.name for i in catalog.institutions}
    needs_hpo = any(t.source == "phenotype" for d in catalog.datasets for t in d.dataset.tables)
    labels = Labels(institutions, ontology_labels() if needs_hpo else (lambda h: Text(zh=h, en=h)))
    notes: list[Finding] = []
    try:
        excluded = opted_out(lay, args.vault, notes)
    except ValueError as exc:
        print(f"cohortgate stats: {exc}", file=sys.stderr)
        return 2
    computed = []
    try:
        with Engine.open(cohort, read_only=True, display=shown) as engine:
            engine.exclude(excluded)
            counts = CachedCounts(engine)
            for loaded in catalog.datasets:
                dataset = loaded.dataset
                previous = committed_version(lay, stats_path(lay, dataset.id))
                computed.append(dataset_stats(dataset, counts, policy, labels, previous))
    except CohortError as exc:
        print(f"cohortgate stats: {exc}", file=sys.stderr)
        return 2
    try:
        written, recovered = write_all_stats(lay, computed)
    except WriteError as exc:
        sys.stdout.write(render(sort_findings([*notes, exc.finding(lay.rel(exc.target))])))
        print(
            "cohortgate stats: 统计未写入 / the statistics were not written; the previous "
            "files are intact",
            file=sys.stderr,
        )
        return 2
    notes += [r.finding(lay.rel(r.path)) for r in recovered]
    if notes:
        sys.stdout.write(render(sort_findings(notes)))
    for path, stats in zip(written, computed, strict=True):
        hidden = sum(c.value is None for t in stats.tables for c in t.cells)
        cells = sum(len(t.cells) for t in stats.tables)
        population = "suppressed" if stats.population is None else stats.population
        print(
            f"{lay.rel(path)}: population {population}, {len(stats.tables)} tables, "
            f"{cells} cells, {hidden} suppressed ({policy.name})"
        )
    audit: list[Finding] = []
    for path in written:
        audit += audit_file(path, lay.rel(path), lay.root)
    if has_errors(audit):
        sys.stdout.write(render(sort_findings(audit)))
        print(
            "cohortgate stats: 刚写出的统计未通过审计 / the statistics just written fail the "
            "audit: this is a bug in disclosure control; do not publish them",
            file=sys.stderr,
        )
        return 1
    print(f"{len(written)} statistics file(s) written and audited: no findings")
    return 0
