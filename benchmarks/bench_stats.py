"""`cohortgate stats` on a large cohort against the bare DuckDB GROUP BY queries it issues.

Peer: the same GROUP BY queries, run alone through the engine on the same file
(``benchmarks.bare_queries``: what any hand-written SQL report would cost). Both are whole
processes, fresh, started from the harness's launcher (each one's own peak RSS), interleaved, no
warm-up; medians. Ours is the command as the custodian runs it, cold (a fresh copy of the
catalog, no ``build/cache/``, ``COHORTGATE_NO_CACHE=1``): loading the catalog, the counts,
disclosure control, writing and auditing the JSON. Goal: stats <= 2x the peer's time.

The queries are the distinct ones `cohortgate stats` sends, recorded once in this process (not
timed) and handed to the peer as a JSON list.

    python -m benchmarks.bench_stats [--patients 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.common import (
    COLD_ENV,
    ROOT,
    Usage,
    figures,
    interleave,
    line,
    measure,
    median,
    program,
    python_module,
    report,
    save,
    verdict,
    walls,
)

if TYPE_CHECKING:
    from cohortgate.custodian.cohort.engine import Engine
from cohortgate.custodian.cohort.sql import Population

SEED = 20240201
GOAL_RATIO = 2.0


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
    from cohortgate.custodian.cohort.synth import generate

    path = ROOT / "build" / "benchmarks" / f"cohort-{patients}.duckdb"
    if not path.exists():
        print(f"generating a {patients:,}-patient cohort (once; reused later) ...", flush=True)
        generate(path, patients, SEED, display=path.name)
    return path


def record_queries(cohort: Path) -> tuple[int, list[tuple[Population, tuple[str, ...]]]]:
    """The datasets, and the distinct queries `cohortgate stats` sends for them."""
    from cohortgate.catalog.load import load_catalog
    from cohortgate.custodian.cohort.engine import Engine
    from cohortgate.custodian.cohort.stats import (
        CachedCounts,
        Labels,
        dataset_stats,
        ontology_labels,
    )
    from cohortgate.layout import Layout
    from cohortgate.policy import DEFAULT_DISCLOSURE, DISCLOSURE_PRESETS

    catalog, _ = load_catalog(Layout(ROOT), with_stats=False)
    policy = DISCLOSURE_PRESETS[DEFAULT_DISCLOSURE]
    labels = Labels({i.id: i.name for i in catalog.institutions}, ontology_labels())
    datasets = [d.dataset for d in catalog.datasets]
    with Engine.open(cohort, read_only=True, display=cohort.name) as engine:
        recorder = Recorder(engine)
        cached = CachedCounts(recorder)
        for dataset in datasets:
            dataset_stats(dataset, cached, policy, labels)
    return len(datasets), list(dict.fromkeys(recorder.queries))


def fresh_root(parent: Path, n: int) -> Path:
    """A copy of the catalog without its statistics, as `cohortgate stats` finds it."""
    root = parent / f"repo-{n}"
    shutil.copytree(ROOT / "catalog", root / "catalog", ignore=shutil.ignore_patterns("stats"))
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    cohort = cohort_file(args.patients)
    datasets, queries = record_queries(cohort)

    with tempfile.TemporaryDirectory() as tmp:
        listed = Path(tmp) / "queries.json"
        listed.write_text(
            json.dumps([[p.orpha_codes, p.institutions, dims] for p, dims in queries]), "utf-8"
        )
        made = iter(range(1_000_000))
        stats = [*program("cohortgate", "cohortgate"), "stats", "--cohort", str(cohort)]
        bare = python_module("benchmarks.bare_queries", str(cohort), str(listed))

        def ours() -> Usage:
            root = fresh_root(Path(tmp), next(made))
            return measure([*stats, "--root", str(root)], COLD_ENV, cwd=root, codes=(0,))

        runs = interleave({"ours": ours, "peer": lambda: measure(bare, codes=(0,))}, args.repeats)
        said = runs["ours"][-1].out.strip().splitlines()[-1]
    ours_t, peer_t = median(runs["ours"]), median(runs["peer"])
    ratio = ours_t / peer_t
    ok = ratio <= GOAL_RATIO
    rows = [
        (
            "cohort",
            f"{args.patients:,} patients, {datasets} datasets, "
            f"{len(queries)} distinct GROUP BY queries",
        ),
        ("command", "cohortgate stats --cohort C --root R (cold: fresh catalog copy, no cache)"),
        ("peer command", "python -m benchmarks.bare_queries C QUERIES.json"),
        ("machine load (1 min)", f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"),
        ("bare GROUP BY queries (peer), whole process", line(runs["peer"])),
        ("cohortgate stats, whole process, cold", f"{line(runs['ours'])} ({said})"),
        ("ratio stats / peer", f"{ratio:.2f}x wall (goal <= {GOAL_RATIO:.0f}x: {verdict(ok)})"),
        (
            "memory ratio stats / peer",
            f"{median(runs['ours'], 'rss_mb') / median(runs['peer'], 'rss_mb'):.2f}x peak RSS",
        ),
        ("runs, stats (s)", walls(runs["ours"])),
        ("runs, peer (s)", walls(runs["peer"])),
    ]
    data: dict[str, object] = dict(report("stats on a large cohort", rows))
    data.update(figures(ok, ours_t, peer_t, runs["ours"], runs["peer"]))
    save("stats", data)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
