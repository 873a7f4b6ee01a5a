"""`cohortgate validate` on one application, as a whole process, in a repository with 1,000
applications and 200 datasets.

Peer: `check-jsonschema --schemafile site/schemas/application.schema.json` on the same file:
a whole process that loads the YAML and checks it against the published schema, nothing more.
cohortgate does far more (line-aware strict loading, the model, the catalog's datasets and
variables, the institutions and their e-mail domains, the blacklist, ontology codes, the
attachments, the parent application and overlaps with the other applications).
Goals: under 1 s, and at most 1.5x check-jsonschema's time. Medians of interleaved runs.

cohortgate keeps a local cache of parsed files under the repository's ``build/cache/``
(``cohortgate.parse_cache``). The goal is measured warm (a second run on the same files, as on
a reviewer's or an applicant's machine); cold runs (cache emptied before each, as on a clean CI
clone, which pays for writing the cache too) and uncached runs (``COHORTGATE_NO_CACHE=1``) are
reported beside it.

    python -m benchmarks.bench_application [--applications 1000] [--datasets 200] [--profile]

With --profile (or when a goal is missed) one more run under cProfile shows where the time goes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import ROOT, Usage, child_usage, profile_rows, report, save
from benchmarks.synthetic_catalog import write_catalog
from benchmarks.synthetic_submissions import write_submissions

SCHEMA = "site/schemas/application.schema.json"
GOAL_SECONDS, GOAL_RATIO = 1.0, 1.5


def program(name: str, module: str) -> list[str]:
    """The console script beside this interpreter (how users run it), else ``-m module``."""
    script = Path(sys.executable).parent / name
    return [str(script)] if script.exists() else [sys.executable, "-m", module]


def child_env() -> dict[str, str]:
    """The children import cohortgate from this checkout, whatever the working directory."""
    return {"PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1"}


def build_repository(applications: int, datasets: int) -> tuple[Path, str]:
    root = write_catalog(ROOT / "build" / "benchmarks" / "application-repo", datasets)
    shutil.copytree(ROOT / "rubric", root / "rubric")
    _, source = write_submissions(root, applications)
    return root, source


def stages(root: Path, target: str, repeats: int) -> list[tuple[str, str]]:
    """In this process, with a warm cache: the whole catalog (what ``validate`` of the catalog
    loads), and ``validate_applications`` on one application (which loads only the datasets it
    asks for and the other applications' summaries)."""
    from cohortgate.applications import validate_applications
    from cohortgate.catalog.load import load_catalog
    from cohortgate.layout import Layout

    lay = Layout(root)
    loads, checks = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        load_catalog(lay, with_stats=False)
        middle = time.perf_counter()
        validate_applications(lay, [root / target])
        loads.append(middle - start)
        checks.append(time.perf_counter() - middle)
    return [
        ("in process, warm: load_catalog (all), median", f"{statistics.median(loads):.3f} s"),
        (
            "in process, warm: validate_applications(one), median",
            f"{statistics.median(checks):.3f} s (its datasets, summaries of the others)",
        ),
    ]


def empty_cache(root: Path) -> None:
    shutil.rmtree(root / "build" / "cache", ignore_errors=True)


def profile(root: Path, argv: list[str], top: int = 20) -> list[tuple[str, str]]:
    """One run under cProfile: the cohortgate functions with the most cumulative time."""
    return profile_rows(argv, root, child_env(), root.parent / "application.prof", top)


def median(runs: list[Usage], field: str) -> float:
    values: list[float] = [getattr(run, field) for run in runs]
    return statistics.median(values)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="always profile one run")
    args = parser.parse_args(argv)
    root, source = build_repository(args.applications, args.datasets)
    empty_cache(root)
    target = f"submissions/2026/A-2026-{(args.applications + 1) // 2:04d}/application.yaml"
    cohortgate = program("cohortgate", "cohortgate")
    ours = [*cohortgate, "validate", target]
    peer = [*program("check-jsonschema", "check_jsonschema"), "--schemafile", SCHEMA, target]
    env = child_env()

    # What each one says about the file (also warms the disk cache).
    findings = json.loads(child_usage([*ours, "--format", "json"], env, cwd=root).out)
    peer_says = child_usage(peer, env, cwd=root).out.strip().splitlines()
    elsewhere = sorted({f["file"] for f in findings} - {target})
    if elsewhere:
        print(f"validate reported on other files too: {elsewhere[:5]}", file=sys.stderr)
        return 2

    runs: dict[str, list[Usage]] = {
        "ours": [],
        "peer": [],
        "start": [],
        "cli": [],
        "cold": [],
        "uncached": [],
    }
    for _ in range(args.repeats):  # interleaved, so that a change in load hits both alike
        runs["ours"].append(child_usage(ours, env, cwd=root))
        empty_cache(root)
        runs["cold"].append(child_usage(ours, env, cwd=root))  # and warms it again
        runs["uncached"].append(child_usage(ours, {**env, "COHORTGATE_NO_CACHE": "1"}, cwd=root))
        runs["peer"].append(child_usage(peer, env, cwd=root))
        runs["start"].append(child_usage([sys.executable, "-c", "pass"], cwd=root))
        runs["cli"].append(child_usage([*cohortgate, "--version"], env, cwd=root))
    ours_t, peer_t = median(runs["ours"], "wall"), median(runs["peer"], "wall")
    ratio = ours_t / peer_t
    ok = ours_t < GOAL_SECONDS and ratio <= GOAL_RATIO
    codes = sorted({f["code"] for f in findings})

    def line(name: str) -> str:
        wall, cpu, rss = (median(runs[name], f) for f in ("wall", "cpu", "rss_mb"))
        return f"{wall:.3f} s wall, {cpu:.3f} s CPU, peak RSS {rss:.0f} MB"

    rows = [
        (
            "repository",
            f"{args.applications:,} applications (from {source}), {args.datasets} datasets",
        ),
        ("command (cwd: the repository)", f"cohortgate validate {target}"),
        ("peer command", f"check-jsonschema --schemafile {SCHEMA} {target}"),
        ("machine load (1 min)", f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"),
        ("check-jsonschema (peer), median", f"{line('peer')} ({peer_says[-1]})"),
        (
            "cohortgate validate, warm cache, median",
            f"{line('ours')} (goal < {GOAL_SECONDS:.0f} s)",
        ),
        ("ratio cohortgate / peer", f"{ratio:.2f}x wall (goal <= {GOAL_RATIO}x)"),
        (
            "ratio of CPU times",
            f"{median(runs['ours'], 'cpu') / median(runs['peer'], 'cpu'):.2f}x",
        ),
        ("runs, cohortgate (s)", ", ".join(f"{r.wall:.3f}" for r in runs["ours"])),
        ("runs, check-jsonschema (s)", ", ".join(f"{r.wall:.3f}" for r in runs["peer"])),
        ("cohortgate validate, cold cache (writes it), median", line("cold")),
        ("cohortgate validate, COHORTGATE_NO_CACHE=1, median", line("uncached")),
        ("runs, cold cache (s)", ", ".join(f"{r.wall:.3f}" for r in runs["cold"])),
        ("bare interpreter start, median", line("start")),
        ("`cohortgate --version` (CLI imports), median", line("cli")),
        ("findings on the file", f"{len(findings)} ({', '.join(codes) or 'none'})"),
        *stages(root, target, args.repeats),
    ]
    if args.profile or not ok:
        rows += profile(root, ["validate", target])
    save("application", report("one application among many", rows))
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    sys.exit(main())
