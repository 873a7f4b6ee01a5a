"""`cohortgate validate` on one application, as a whole process, in a repository with 1,000
applications and 200 datasets.

Peer: `check-jsonschema --schemafile site/schemas/application.schema.json` on the same file:
a whole process that loads the YAML and checks it against the published schema, nothing more.
cohortgate does far more (line-aware strict loading, the model, the catalog's datasets and
variables, the institutions and their e-mail domains, the blacklist, ontology codes, the
attachments, the parent application and overlaps with the other applications).
Goals: under 1 s, and at most 1.5x check-jsonschema's time.

The goals are judged cold, as on a clean clone and in CI: a fresh process, the repository's
``build/cache/`` emptied before each run and ``COHORTGATE_NO_CACHE=1``. Both sides run in fresh
processes started from the harness's launcher (their own peak RSS), interleaved, no warm-up;
medians. What the installation prepares is in place for both, as on a clean clone after
``scripts/bootstrap``: the peer's compiled modules (pip's install) and ours (compileall), and
the HPO/Orphanet index in the user's cache. The repository here is not a git repository: the
overlap check asks the history only about approved applications, and none is. A warm run (the
parse cache under ``build/cache/`` filled by the run before, as on a reviewer's machine) is
shown beside it and judges nothing.

    python -m benchmarks.bench_application [--applications 1000] [--datasets 200] [--profile]

With --profile (or when a goal is missed) one more cold run under cProfile shows where the
time goes.
"""

from __future__ import annotations

import argparse
import json
import os
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
    profile_rows,
    program,
    report,
    save,
    verdict,
    walls,
)

SCHEMA = "site/schemas/application.schema.json"
GOAL_SECONDS, GOAL_RATIO = 1.0, 1.5


def build_repository(applications: int, datasets: int) -> tuple[Path, str]:
    from benchmarks.synthetic_catalog import write_catalog
    from benchmarks.synthetic_submissions import write_submissions

    root = write_catalog(ROOT / "build" / "benchmarks" / "application-repo", datasets)
    shutil.copytree(ROOT / "rubric", root / "rubric")
    _, source = write_submissions(root, applications)
    return root, source


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="always profile one run")
    args = parser.parse_args(argv)
    root, source = build_repository(args.applications, args.datasets)
    cold(root)
    target = f"submissions/2026/A-2026-{(args.applications + 1) // 2:04d}/application.yaml"
    cohortgate = program("cohortgate", "cohortgate")
    ours = [*cohortgate, "validate", target]
    peer = [*program("check-jsonschema", "check_jsonschema"), "--schemafile", SCHEMA, target]

    def ours_cold() -> Usage:
        cold(root)
        return measure(ours, COLD_ENV, cwd=root)

    def ours_warm() -> Usage:  # not judged: the cache filled by an untimed run just before
        measure(ours, cwd=root)
        return measure(ours, cwd=root)

    def start() -> Usage:
        return measure([sys.executable, "-c", "pass"], cwd=root)

    def cli() -> Usage:
        return measure([*cohortgate, "--version"], cwd=root)

    runs = interleave(
        {
            "ours": ours_cold,
            "peer": lambda: measure(peer, cwd=root),
            "warm": ours_warm,
            "start": start,
            "cli": cli,
        },
        args.repeats,
    )
    cold(root)
    findings = json.loads(measure([*ours, "--format", "json"], COLD_ENV, cwd=root).out)
    peer_says = runs["peer"][-1].out.strip().splitlines()
    elsewhere = sorted({f["file"] for f in findings} - {target})
    if elsewhere:
        print(f"validate reported on other files too: {elsewhere[:5]}", file=sys.stderr)
        return 2

    ours_t, peer_t = median(runs["ours"]), median(runs["peer"])
    ratio = ours_t / peer_t
    ok = ours_t < GOAL_SECONDS and ratio <= GOAL_RATIO
    codes = sorted({f["code"] for f in findings})
    rows = [
        (
            "repository",
            f"{args.applications:,} applications (from {source}), {args.datasets} datasets",
        ),
        ("command (cwd: the repository)", f"cohortgate validate {target}"),
        ("peer command", f"check-jsonschema --schemafile {SCHEMA} {target}"),
        ("machine load (1 min)", f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"),
        ("check-jsonschema (peer)", f"{line(runs['peer'])} ({peer_says[-1]})"),
        (
            "cohortgate validate, cold (no build/cache/, COHORTGATE_NO_CACHE=1)",
            f"{line(runs['ours'])} (goal < {GOAL_SECONDS:.0f} s)",
        ),
        ("ratio cohortgate / peer", f"{ratio:.2f}x wall (goal <= {GOAL_RATIO}x)"),
        ("goals", verdict(ok)),
        ("ratio of CPU times", f"{median(runs['ours'], 'cpu') / median(runs['peer'], 'cpu'):.2f}x"),
        (
            "ratio of peak RSS",
            f"{median(runs['ours'], 'rss_mb') / median(runs['peer'], 'rss_mb'):.2f}x",
        ),
        ("runs, cohortgate cold (s)", walls(runs["ours"])),
        ("runs, check-jsonschema (s)", walls(runs["peer"])),
        ("cohortgate validate, warm parse cache (not judged)", line(runs["warm"])),
        ("bare interpreter start", line(runs["start"])),
        ("`cohortgate --version` (CLI imports)", line(runs["cli"])),
        ("findings on the file", f"{len(findings)} ({', '.join(codes) or 'none'})"),
    ]
    if args.profile or not ok:
        rows += profile_rows(["validate", target], root, {}, root.parent / "application.prof")
    data: dict[str, object] = dict(report("one application among many", rows))
    data.update(figures(ok, ours_t, peer_t, runs["ours"], runs["peer"]))
    save("application", data)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
