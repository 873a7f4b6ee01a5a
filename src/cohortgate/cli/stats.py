"""``cohortgate stats``: count, protect and write each dataset's summary statistics (custodian).

Reads the cohort (row-level, custodian only), counts each catalog dataset's tables, applies
disclosure control (``cohortgate.disclosure``; policy from ``cohortgate.policy``) and writes
``catalog/stats/<dataset>.json``. It then audits what it wrote exactly as ``audit-stats`` and
the site build will: a failure there is a bug in disclosure control, reported with exit 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cohortgate.cli import options
from cohortgate.findings import Finding, has_errors, sort_findings
from cohortgate.findings.render import REPORTER_BY_NAME
from cohortgate.layout import Layout, layout
from cohortgate.policy import DEFAULT_DISCLOSURE, DISCLOSURE_PRESETS

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


def opted_out(lay: Layout, vault: Path | None) -> list[str]:
    """The opt-out registry of the vault (R32), or [] when there is no vault yet.
    ValueError with the reason when the vault exists but cannot be used."""
    from cohortgate.custodian.participants.optout import excluded_ids
    from cohortgate.custodian.vault.store import Vault, VaultError, default_vault

    where = vault or default_vault(lay.root)
    if vault is None and not where.exists():
        return []
    try:
        return excluded_ids(Vault.open(where))
    except VaultError as exc:
        raise ValueError(f"{where.name}: {exc} ({exc.hint})") from None


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
        write_stats,
    )
    from cohortgate.disclosure.audit import audit_file
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
    try:
        excluded = opted_out(lay, args.vault)
    except ValueError as exc:
        print(f"cohortgate stats: {exc}", file=sys.stderr)
        return 2
    written = []
    try:
        with Engine.open(cohort, read_only=True, display=shown) as engine:
            engine.exclude(excluded)
            counts = CachedCounts(engine)
            for loaded in catalog.datasets:
                dataset = loaded.dataset
                previous = committed_version(lay, stats_path(lay, dataset.id))
                stats = dataset_stats(dataset, counts, policy, labels, previous)
                path = write_stats(lay, stats)
                written.append(path)
                hidden = sum(c.value is None for t in stats.tables for c in t.cells)
                cells = sum(len(t.cells) for t in stats.tables)
                population = "suppressed" if stats.population is None else stats.population
                print(
                    f"{lay.rel(path)}: population {population}, {len(stats.tables)} tables, "
                    f"{cells} cells, {hidden} suppressed ({policy.name})"
                )
    except CohortError as exc:
        print(f"cohortgate stats: {exc}", file=sys.stderr)
        return 2
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
