"""``cohortgate demo``: the main job, end to end, on the embedded default.

Synthetic cohort (DuckDB, fixed seed) -> disclosure-controlled statistics -> validation of the
catalog, the statistics and the submissions -> the bilingual site -> the mechanism itself, in a
scratch repository under ``build/demo/`` (``demo_mechanism``): an L1 and an L2 application
scored on score sheets and decided, each signed with a member's own SSH key made at demo time,
the agreements recorded, both released from that cohort, a leaked copy of the L2 release traced
back to it, and the whole history audited. Each step is the same subcommand a user would run by
hand; the demo only strings them together and stops at the first step that fails. It never
commits into the user's repository.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cohortgate.cli.cohort import DEFAULT_PATIENTS, DEFAULT_SEED
from cohortgate.layout import layout

NAME = "demo"
HELP = (
    "演示 run the whole job: synthetic cohort, statistics, validation, site, then two "
    "applications signed, decided, released, traced and audited"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=None, help="repository root")
    parser.add_argument(
        "--patients", type=int, default=DEFAULT_PATIENTS, help="patients in the cohort"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument(
        "--fresh", action="store_true", help="regenerate the cohort even if one exists"
    )
    parser.add_argument(
        "--no-mechanism",
        dest="mechanism",
        action="store_false",
        help="stop after the site (no signed review, release, trace or audit)",
    )


def run(args: argparse.Namespace) -> int:
    from cohortgate.cli import main  # the same entry point a user calls

    lay = layout(args.root)
    root = ["--root", str(lay.root)]
    steps: list[tuple[str, list[str]]] = []
    if args.fresh or not lay.cohort_db.exists():
        steps.append(
            (
                "synthetic cohort",
                [
                    "cohort",
                    "generate",
                    "--patients",
                    str(args.patients),
                    "--seed",
                    str(args.seed),
                    *root,
                ],
            )
        )
    else:
        print(f"==> using the existing cohort {lay.rel(lay.cohort_db)} (--fresh regenerates it)")
    steps += [
        ("disclosure-controlled statistics", ["stats", *root]),
        ("validation", ["validate", *root]),
        ("site", ["site", "build", *root]),
    ]
    for title, argv in steps:
        shown = argv[: argv.index("--root")] + argv[argv.index("--root") + 2 :]
        print(f"==> {title}: cohortgate {' '.join(shown)}")
        sys.stdout.flush()
        status = main(argv)
        if status != 0:
            print(f"demo stopped: step '{title}' exited {status}", file=sys.stderr)
            return status
    if args.mechanism:
        from cohortgate.cli.demo_mechanism import run_mechanism

        print()
        status = run_mechanism(lay, main, lay.cohort_db)
        if status != 0:
            return status
    site = lay.build / "site"
    print()
    print(f"The site is in {lay.rel(site)}/ (中文) and {lay.rel(site)}/en/ (English).")
    print(
        f"Serve it with:  .venv/bin/cohortgate site serve   (or: python3 -m http.server -d "
        f"{lay.rel(site)})"
    )
    if args.mechanism:
        demo = lay.build / "demo"
        print(
            f"The signed history is in {lay.rel(demo)}/repo (git log --show-signature there), "
            f"the custodian's zone in {lay.rel(demo)}/custodian/."
        )
    return 0
