"""``cohortgate new``: scaffold an application, ``submissions/<year>/<id>/application.yaml``.

Without ``--id`` the next free id of the year is taken. The form is the commented, bilingual
template; fill in every FILL-IN and 0000-00-00, add the protocol (and the ethics letter) as PDF
beside it, and run ``cohortgate validate`` on the folder.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from cohortgate.cli import options
from cohortgate.layout import layout

NAME = "new"
HELP = "新建申请 / scaffold a new application from the commented template"
NEXT_STEPS = (
    "下一步：填写每个 FILL-IN 和 0000-00-00，把研究方案和伦理批件（PDF）放进同一文件夹，然后运行\n"
    "next: fill in every FILL-IN and 0000-00-00, put the protocol and the ethics letter (PDF)\n"
    "beside the form, then run\n"
    "  cohortgate validate {folder}"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--id", dest="app_id", metavar="ID", help="e.g. A-2026-0008 (default: next free)"
    )
    parser.add_argument("--year", type=int, help="year of the id (default: this year)")
    options.add_root(parser)


def _usage(message: str) -> int:
    print(f"cohortgate new: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    # Imported here (the models): every command loads this module to build the parser.
    from cohortgate.applications.scaffold import ID_PATTERN, create, next_id

    lay = layout(args.root)
    today = date.today()
    if args.app_id:
        match = ID_PATTERN.match(args.app_id)
        if match is None:
            return _usage(
                f"'{args.app_id}' is not an application id: write A-<year>-<four digits>, "
                f"e.g. A-{today.year}-0008"
            )
        if args.year is not None and args.year != int(match.group(1)):
            return _usage(f"--year {args.year} differs from the year of --id {args.app_id}")
        app_id = args.app_id
    else:
        year = args.year if args.year is not None else today.year
        if not 2000 <= year <= 2099:
            return _usage(f"--year {year} is not a year of this century")
        try:
            app_id = next_id(lay, year)
        except ValueError as exc:
            return _usage(str(exc))
    try:
        path = create(lay, app_id, today)
    except FileExistsError:
        folder = lay.rel(lay.submissions / app_id[2:6] / app_id)
        return _usage(
            f"{folder}/ already exists; choose another --id, or leave --id out to take the "
            "next free one"
        )
    shown = lay.rel(path)
    print(f"已创建 / created {shown}")
    print(NEXT_STEPS.format(folder=lay.rel(path.parent)))
    return 0
