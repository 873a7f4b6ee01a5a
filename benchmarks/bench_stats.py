"""`cohortgate stats` on a large cohort against the bare DuckDB GROUP BY queries it issues.

Peer: the same GROUP BY queries, run alone through the engine on the same file in the same
process (what any hand-written SQL report would cost). Goal: stats <= 2x the peer's time.
Peak memory of each is measured in a child process of its own.

    python -m benchmarks.bench_stats [--patients 1000000]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import ROOT, alternate, peak_rss_mb, python_module, report, save
from cohortgate.catalog.load import load_catalog
from cohortgate.custodian.engine import Engine, Population
from cohortgate.custodian.stats import CachedCounts, Labels, dataset_stats, ontology_labels
from cohortgate.custodian.synth import generate
from cohortgate.disclosure.audit import audit_stats
from cohortgate.disclosure.output import dumps_stats
from cohortgate.layout import Layout
from cohortgate.policy import DEFAULT_DISCLOSURE, DISCLOSURE_PRESETS

SEED = 20240201


Rows = list[tuple[tuple[str, ...], int]]


class Recorder:
    """An engine that remembers which counts were asked for."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.queries: list[tuple[Population, tuple[str, ...]]] = []

    def count(
        self, population: Population, dims: Sequence[str]
    ) -> list[tuple[tuple[str, ...], int]]:
        self.queries.append((population, tuple(dims)))
        return self.engine.count(population, dims)

    def population_size(self, population: Population) -> int:
        self.queries.append((population, ()))
        return self.engine.population_size(population)


def cohort_file(patients: int) -> Path:
    path = ROOT / "build" / "benchmarks" / f"cohort-{patients}.duckdb"
    if not path.exists():
        print(f"generating a {patients:,}-patient cohort (once; reused later) ...", flush=True)
        generate(path, patients, SEED, display=path.name)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    cohort = cohort_file(args.patients)
    lay = Layout(ROOT)
    catalog, _ = load_catalog(lay, with_stats=False)
    policy = DISCLOSURE_PRESETS[DEFAULT_DISCLOSURE]
    labels = Labels({i.id: i.name for i in catalog.institutions}, ontology_labels())
    datasets = [d.dataset for d in catalog.datasets]

    with Engine.open(cohort, read_only=True, display=cohort.name) as engine:
        recorder = Recorder(engine)
        cached = CachedCounts(recorder)
        for dataset in datasets:
            dataset_stats(dataset, cached, policy, labels)
        queries = list(dict.fromkeys(recorder.queries))  # what stats really sends, once each

        def bare() -> None:
            for population, dims in queries:
                engine.count(population, dims)

        def stats() -> None:
            counts = CachedCounts(engine)
            for dataset in datasets:
                published = dataset_stats(dataset, counts, policy, labels)
                dumps_stats(published)
                assert audit_stats(published) == []

        timings = alternate({"bare GROUP BY": bare, "cohortgate stats": stats}, args.repeats)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(ROOT / "catalog", root / "catalog", ignore=shutil.ignore_patterns("stats"))
        shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
        stats_wall, stats_rss, _ = peak_rss_mb(
            python_module("cohortgate", "stats", "--root", str(root), "--cohort", str(cohort))
        )
        listed = root / "queries.json"
        listed.write_text(
            json.dumps([[p.orpha_codes, p.institutions, dims] for p, dims in queries]), "utf-8"
        )
        bare_wall, bare_rss, _ = peak_rss_mb(
            python_module("benchmarks.bare_queries", str(cohort), str(listed))
        )
    ratio = timings["cohortgate stats"].median / timings["bare GROUP BY"].median
    rows = [
        (
            "cohort",
            f"{args.patients:,} patients, {len(datasets)} datasets, "
            f"{len(queries)} distinct GROUP BY queries",
        ),
        ("bare GROUP BY (peer), median", f"{timings['bare GROUP BY'].median:.2f} s"),
        (
            "cohortgate stats, median",
            f"{timings['cohortgate stats'].median:.2f} s "
            "(counts + disclosure control + JSON + audit)",
        ),
        ("ratio stats / peer", f"{ratio:.2f}x (goal <= 2x)"),
        ("whole `cohortgate stats` process", f"{stats_wall:.1f} s, peak RSS {stats_rss:.0f} MB"),
        ("whole bare-queries process", f"{bare_wall:.1f} s, peak RSS {bare_rss:.0f} MB"),
        ("memory ratio", f"{stats_rss / bare_rss:.2f}x"),
    ]
    save("stats", report("stats on a large cohort", rows))
    return 0 if ratio <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
