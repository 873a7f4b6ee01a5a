"""The ``cohortgate`` command: a thin adapter over the library.

Each subcommand is one module with ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``run(args) -> int``. Exit codes: 0 clean, 1 findings, 2 usage or internal error. Tracebacks
only with ``--debug``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType

from cohortgate import __version__
from cohortgate.cli import options
from cohortgate.findings import language

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


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"cohortgate.cli.{name}")


def _command_in(argv: Sequence[str]) -> str | None:
    """The subcommand (its module's name) that ``argv`` runs, or None (help, a typo, none)."""
    rest = list(argv)
    while rest and rest[0].startswith("-"):
        rest = rest[2:] if rest[0] == "--lang" else rest[1:]  # the only option with a value
    wanted = rest[0].replace("-", "_") if rest else ""
    return wanted if wanted in SUBCOMMANDS else None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole parser; given the ``argv`` to parse, only the subcommand it runs is imported
    and set up in full (the others are listed by name: a command starts in a tenth of the
    time)."""
    parser = argparse.ArgumentParser(
        prog="cohortgate",
        description="Data sharing for a pediatric rare-disease cohort, as the expert consensus "
        "prescribes.",
    )
    parser.add_argument("--version", action="version", version=f"cohortgate {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    options.add_lang(parser, default=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    only = None if argv is None else _command_in(argv)
    for name in SUBCOMMANDS:
        if only is not None and name != only:
            sub.add_parser(name.replace("_", "-"))
            continue
        module = _module(name)
        p = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


# Commands that hold a whole history in memory until they return (documents, models, the walk,
# verdicts). They run with the cyclic garbage collector off (it would traverse those objects
# again and again to find nothing: 1.3 s of 4 s in a track of 1,000 applications, the same peak
# memory without it), and the console script ends their process without freeing the memory
# object by object (another 1.3 s). They write their files before they return (atomically)
# and close what they open; nothing is left for exit handlers.
LEAVE_AT_ONCE = frozenset({"track", "audit", "review"})
_ran: list[str] = []  # the command main() ran, for entry()


def main(argv: Sequence[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    parser = build_parser(given)
    args = parser.parse_args(given)
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        return 2
    _ran.append(args.command)
    if getattr(args, "lang", None):
        language.use(args.lang)
    collecting = gc.isenabled()
    if args.command in LEAVE_AT_ONCE:
        gc.disable()  # their objects live until the end: nothing for the collector to find
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
    finally:
        if collecting:
            gc.enable()


def entry() -> None:
    """The console script and ``python -m cohortgate``: ``main()``, then the exit."""
    code = main()
    if _ran and _ran[-1] in LEAVE_AT_ONCE:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to say
                stream.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
