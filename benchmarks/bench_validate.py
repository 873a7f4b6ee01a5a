"""`cohortgate validate` on a catalog of 200 datasets x 100 variables, as a whole process.

Peer: a plain schema check of the same files as a whole process of its own
(``python -m benchmarks.bench_validate --peer``): PyYAML (libyaml) plus jsonschema against the
published catalog-dataset schema (the work check-jsonschema does). cohortgate does far more
(line-aware loading, duplicate keys, ontology codes, cohort columns, privacy classes, DUO terms).
Goal: the whole `cohortgate validate` process under 2 s, cold: a fresh process, no
``build/cache/`` and ``COHORTGATE_NO_CACHE=1`` (a clean clone, CI). Both sides run in fresh
processes started from the harness's launcher (their own peak RSS), interleaved, no warm-up;
medians.

The synthetic datasets widen their first table with CRF items that the cohort does not have,
so every dataset also yields `catalog.unknown-column` findings: validation here includes
reporting them. The same datasets with only their real variables are measured beside it.

    python -m benchmarks.bench_validate [--datasets 200] [--variables 100] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import (
    COLD_ENV,
    ROOT,
    Usage,
    cold,
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

GOAL_SECONDS = 2.0
SCHEMA = ROOT / "site" / "schemas" / "catalog-dataset.schema.json"


def peer(folder: Path, schema: Path) -> int:
    """The peer, in its own process: every dataset file loaded by PyYAML's C loader and checked
    against the schema by jsonschema; prints the number of schema errors."""
    import jsonschema
    import yaml

    validator = jsonschema.Draft202012Validator(json.loads(schema.read_text("utf-8")))
    errors = 0
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.load(path.read_text("utf-8"), Loader=yaml.CSafeLoader)
        errors += sum(1 for _ in validator.iter_errors(data))
    print(json.dumps({"files": len(list(folder.glob("*.yaml"))), "schema_errors": errors}))
    return 0


def catalog(name: str, datasets: int, variables: int) -> Path:
    from benchmarks.synthetic_catalog import write_catalog

    root = write_catalog(ROOT / "build" / "benchmarks" / name, datasets, variables)
    shutil.rmtree(root / "catalog" / "stats")  # statistics have their own benchmark
    return root


def compare(root: Path, repeats: int) -> dict[str, list[Usage]]:
    ours_argv = [*program("cohortgate", "cohortgate"), "validate", "--root", str(root)]
    ours_argv += ["--format", "json"]
    peer_argv = python_module(
        "benchmarks.bench_validate", "--peer", str(root / "catalog" / "datasets"), str(SCHEMA)
    )

    def ours() -> Usage:
        cold(root)
        return measure(ours_argv, COLD_ENV)

    return interleave({"ours": ours, "peer": lambda: measure(peer_argv)}, repeats)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--variables", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--peer", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peer:
        return peer(*args.peer)

    wide = compare(catalog("validate-catalog", args.datasets, args.variables), args.repeats)
    clean = compare(catalog("validate-catalog-clean", args.datasets, 0), args.repeats)
    findings = json.loads(wide["ours"][-1].out)
    codes = sorted({f["code"] for f in findings})
    clean_findings = json.loads(clean["ours"][-1].out)
    ours_t, peer_t = median(wide["ours"]), median(wide["peer"])
    ok = ours_t < GOAL_SECONDS
    rows = [
        ("catalog", f"{args.datasets} datasets x {args.variables} variables"),
        (
            "command",
            "cohortgate validate --root R --format json (cold: no build/cache/, "
            "COHORTGATE_NO_CACHE=1)",
        ),
        ("peer command", "python -m benchmarks.bench_validate --peer R/catalog/datasets SCHEMA"),
        ("PyYAML + jsonschema (peer), whole process", line(wide["peer"])),
        (
            "cohortgate validate, whole process, cold",
            f"{line(wide['ours'])} (goal < {GOAL_SECONDS:.0f} s: {verdict(ok)})",
        ),
        ("ratio cohortgate / peer", f"{ours_t / peer_t:.2f}x wall"),
        (
            "ratio of peak RSS",
            f"{median(wide['ours'], 'rss_mb') / median(wide['peer'], 'rss_mb'):.2f}x",
        ),
        ("runs, cohortgate (s)", walls(wide["ours"])),
        ("runs, peer (s)", walls(wide["peer"])),
        ("findings reported", f"{len(findings)} ({', '.join(codes)})"),
        (
            "same datasets, only their real variables (a clean catalog), cold",
            f"{line(clean['ours'])}, {len(clean_findings)} findings; peer "
            f"{median(clean['peer']):.3f} s ({median(clean['ours']) / median(clean['peer']):.2f}x)",
        ),
    ]
    data: dict[str, object] = dict(report("catalog validation", rows))
    data.update(figures(ok, ours_t, peer_t, wide["ours"], wide["peer"]))
    save("validate", data)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
