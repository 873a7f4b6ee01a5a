"""The ``cohortgate`` command: a thin adapter over the library.

Each subcommand is one module with ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``run(args) -> int``. Exit codes: 0 clean, 1 findings, 2 usage or internal error. Tracebacks
only with ``--debug``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType

from cohortgate import __version__

# One line per subcommand, in the order ``--help`` lists them.
SUBCOMMANDS = (
    "validate",
    "new",
    "changed",
    "review",
    "sheet",
    "decide",
    "quarter",
    "rule_changes",
    "approve_change",
    "fetch_reviews",
    "track",
    "event",
    "audit",
    "cohort",
    "agreements",
    "release",
    "trace",
    "optout",
    "participant_report",
    "stats",
    "audit_stats",
    "site",
    "schemas",
    "demo",
)


def _modules() -> list[ModuleType]:
    return [importlib.import_module(f"cohortgate.cli.{name}") for name in SUBCOMMANDS]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cohortgate",
        description="Data sharing for a pediatric rare-disease cohort, as the expert consensus "
        "prescribes.",
    )
    parser.add_argument("--version", action="version", version=f"cohortgate {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _modules():
        p = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        code: int = args._run(args)
        return code
    except KeyboardInterrupt:
        print("interrupted; nothing was written half-way", file=sys.stderr)
        return 2
    except Exception as exc:  # the edge: turn "cannot continue" into a message
        if args.debug:
            traceback.print_exc()
        else:
            print(
                f"cohortgate: internal error: {exc!r} (run with --debug for details)",
                file=sys.stderr,
            )
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
