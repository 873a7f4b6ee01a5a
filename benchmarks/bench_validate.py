"""`cohortgate validate` on a catalog of 200 datasets x 100 variables, as a whole process.

Peer: what a plain schema check does with the same files, in this process: PyYAML (libyaml)
plus jsonschema against the published catalog-dataset schema (the work check-jsonschema does).
cohortgate does far more (line-aware loading, duplicate keys, ontology codes, cohort columns,
privacy classes, DUO terms). Goal: the whole `cohortgate validate` process under 2 s.

The synthetic datasets widen their first table with CRF items that the cohort does not have,
so every dataset also yields `catalog.unknown-column` findings: validation here includes
reporting them.

    python -m benchmarks.bench_validate [--datasets 200] [--variables 100]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Sequence

import jsonschema
import yaml

from benchmarks.common import ROOT, alternate, peak_rss_mb, python_module, report, save
from benchmarks.synthetic_catalog import write_catalog
from cohortgate.catalog.checks import validate_catalog
from cohortgate.layout import Layout


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--variables", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    root = write_catalog(
        ROOT / "build" / "benchmarks" / "validate-catalog", args.datasets, args.variables
    )
    shutil.rmtree(root / "catalog" / "stats")  # statistics have their own benchmark
    lay = Layout(root)
    files = sorted(lay.datasets.glob("*.yaml"))
    schema = json.loads((ROOT / "site" / "schemas" / "catalog-dataset.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)

    def peer() -> None:
        for path in files:
            data = yaml.load(path.read_text("utf-8"), Loader=yaml.CSafeLoader)
            for _ in validator.iter_errors(data):
                pass

    def ours() -> None:
        validate_catalog(lay)

    timings = alternate({"PyYAML + jsonschema": peer, "cohortgate checks": ours}, args.repeats)
    walls = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        _, rss, out = peak_rss_mb(
            python_module("cohortgate", "validate", "--root", str(root), "--format", "json")
        )
        walls.append(time.perf_counter() - start)
    findings = json.loads(out)
    codes = sorted({f["code"] for f in findings})
    walls.sort()
    whole = walls[len(walls) // 2]
    startup, _, _ = peak_rss_mb([sys.executable, "-c", "pass"])
    peer_t, ours_t = timings["PyYAML + jsonschema"].median, timings["cohortgate checks"].median
    clean_root = write_catalog(
        ROOT / "build" / "benchmarks" / "validate-catalog-clean", args.datasets, 0
    )
    shutil.rmtree(clean_root / "catalog" / "stats")
    clean = []
    for _ in range(args.repeats):
        wall, _, out = peak_rss_mb(
            python_module("cohortgate", "validate", "--root", str(clean_root), "--format", "json")
        )
        clean.append(wall)
    clean.sort()
    clean_findings = len(json.loads(out))
    rows = [
        ("catalog", f"{len(files)} datasets x {args.variables} variables"),
        ("PyYAML + jsonschema (peer), in process", f"{peer_t:.2f} s"),
        ("cohortgate catalog checks, in process", f"{ours_t:.2f} s"),
        ("ratio checks / peer", f"{ours_t / peer_t:.2f}x"),
        (
            "whole `cohortgate validate` process",
            f"{whole:.2f} s, peak RSS {rss:.0f} MB (goal < 2 s)",
        ),
        ("bare interpreter start", f"{startup:.2f} s"),
        ("findings reported", f"{len(findings)} ({', '.join(codes)})"),
        (
            "same 200 datasets, only their real variables (a clean catalog)",
            f"{clean[len(clean) // 2]:.2f} s whole process, {clean_findings} findings",
        ),
    ]
    save("validate", report("catalog validation", rows))
    return 0 if whole < 2 else 1


if __name__ == "__main__":
    sys.exit(main())
