"""``cohortgate cohort``: generate the synthetic cohort, or show what a cohort database holds.

Runs on the custodian's machine: the cohort lives in the custodian directory, never in git.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cohortgate.layout import Layout, layout

NAME = "cohort"
HELP = (
    "生成合成队列或查看队列库 generate the synthetic cohort (custodian side) or show what it holds"
)

DEFAULT_PATIENTS = 20_000
DEFAULT_SEED = 20240201


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=Path, default=None, help="repository root")
    actions = parser.add_subparsers(dest="cohort_action", metavar="ACTION", required=True)
    gen = actions.add_parser(
        "generate",
        parents=[common],
        help="生成合成队列 write a synthetic cohort database (deterministic for a seed)",
        description="Write a DuckDB database of synthetic patients to the custodian directory. "
        "Every record is generated; the same seed gives the same cohort.",
    )
    gen.add_argument(
        "--patients",
        type=_positive,
        default=DEFAULT_PATIENTS,
        help=f"number of patients (default {DEFAULT_PATIENTS:,})",
    )
    gen.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    gen.add_argument(
        "--out",
        type=Path,
        default=None,
        help="database file (default: <custodian dir>/cohort.duckdb)",
    )
    info = actions.add_parser(
        "info",
        parents=[common],
        help="队列概况 row counts of every table of a cohort database",
        description="Open a cohort database read-only and print the row count of each table.",
    )
    info.add_argument(
        "--cohort",
        type=Path,
        default=None,
        help="database file (default: <custodian dir>/cohort.duckdb)",
    )


def run(args: argparse.Namespace) -> int:
    # Imported here (DuckDB, numpy): every command loads this module to build the parser.
    from cohortgate.custodian.cohort.engine import CohortError

    lay = layout(args.root)
    try:
        if args.cohort_action == "generate":
            return _generate(lay, args.out or lay.cohort_db, args.patients, args.seed)
        return _info(lay, args.cohort or lay.cohort_db)
    except (CohortError, OSError) as exc:
        print(f"cohortgate cohort: {exc}", file=sys.stderr)
        return 2


def _generate(lay: Layout, path: Path, patients: int, seed: int) -> int:
    from cohortgate.custodian.cohort.synth import generate

    shown = lay.rel(path)
    summary = generate(path, patients, seed, display=shown)
    rate = summary.withdrawn / summary.patients
    print(f"已生成合成队列 generated synthetic cohort: {shown}")
    print(
        f"  {summary.patients:,} patients 患者 · seed {summary.seed} · "
        f"{summary.diseases} diseases 病种 · {rate:.1%} withdrew consent 撤回同意 · "
        f"{summary.seconds:.1f} s"
    )
    print("  " + " · ".join(f"{table} {count:,}" for table, count in summary.rows.items()))
    return 0


def _info(lay: Layout, path: Path) -> int:
    from cohortgate.custodian.cohort.engine import Engine

    shown = lay.rel(path)
    with Engine.open(path, display=shown) as engine:
        counts = engine.row_counts()
    print(f"{shown} (rows per table 各表行数)")
    width = max(len(table) for table in counts)
    for table, count in counts.items():
        print(f"  {table:<{width}}  {count:>12,}")
    return 0
