"""Options that several subcommands share, declared once."""

from __future__ import annotations

import argparse
from pathlib import Path

from cohortgate.findings.language import LANGUAGES
from cohortgate.findings.render import REPORTER_BY_NAME


def add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        help="repository root (default: found from the current directory)",
    )


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=sorted(REPORTER_BY_NAME),
        default="text",
        help="how findings are printed: text, json, github annotations or a markdown report "
        "(default: text)",
    )
    add_lang(parser)


def add_lang(parser: argparse.ArgumentParser, default: object = argparse.SUPPRESS) -> None:
    """``--lang zh|en``: the language of the findings printed as text (the GitHub annotations
    and the Markdown report carry both). Without it: COHORTGATE_LANG, then the locale."""
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=default,
        help="语言 / language of the findings: zh or en (default: from the locale)",
    )


def add_cohort(parser: argparse.ArgumentParser) -> None:
    """The custodian's cohort database (custodian zone)."""
    parser.add_argument(
        "--cohort",
        type=Path,
        default=None,
        metavar="PATH",
        help="cohort DuckDB file (default: <custodian dir>/cohort.duckdb)",
    )


def add_vault(parser: argparse.ArgumentParser, help: str | None = None) -> None:
    """The custodian's vault (custodian zone); ``help`` says what this command does with it."""
    parser.add_argument(
        "--vault",
        type=Path,
        default=None,
        metavar="PATH",
        help=help or "the vault (default: <custodian dir>/vault)",
    )


def add_identity(parser: argparse.ArgumentParser) -> None:
    """The custodian's identity, the key that opens the vault's sealed records (custodian zone)."""
    parser.add_argument(
        "--identity",
        type=Path,
        default=None,
        metavar="FILE",
        help="the custodian identity that opens the vault's sealed records (default: "
        "$COHORTGATE_CUSTODIAN_IDENTITY, else ~/.config/cohortgate/custodian-identity.txt)",
    )
