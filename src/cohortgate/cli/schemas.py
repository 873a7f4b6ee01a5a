"""``cohortgate schemas``: write or check the JSON Schemas generated from the models."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cohortgate.layout import layout

NAME = "schemas"
HELP = "write the JSON Schemas generated from the models (or --check that they are current)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="fail if a schema is out of date")
    parser.add_argument("--root", type=Path, default=None, help="repository root")


def run(args: argparse.Namespace) -> int:
    # Imported here (the models): every command loads this module to build the parser.
    from cohortgate.models.schemas import check_schemas, write_schemas

    lay = layout(args.root)
    if args.check:
        drifts = check_schemas(lay)
        for drift in drifts:
            print(f"{drift.file}: {drift.reason}; run `cohortgate schemas` and commit the result")
        if not drifts:
            print("schemas are up to date")
        return 1 if drifts else 0
    written = write_schemas(lay)
    for path in written:
        print(f"wrote {lay.rel(path)}")
    if not written:
        print("schemas are up to date", file=sys.stdout)
    return 0
