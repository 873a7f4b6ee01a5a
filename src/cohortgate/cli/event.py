"""``cohortgate event SUBMISSION KIND --by WHO``: write a lifecycle event to sign.

Writes ``events/<today>-<kind>[-n].yaml`` in the application's folder with the SHA-256 of each
``--attach``ed file (committed at HEAD in the same events/ folder). The signer then commits the
file alone, signed: the applicant with the key in rubric/applicants.yaml, committee members and
chairs with their roster key. Exit 1 when the event would not load or an attachment is not
committed, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import sys

from cohortgate.cli import options
from cohortgate.layout import EVENT_KINDS

NAME = "event"
HELP = "写一个生命周期事件以供签名 / write a lifecycle event (outputs, extension, destruction …)"
# Every kind an event file may have (``layout.EVENT_KINDS``, held equal to the models by a
# test) but the participants' results, which `cohortgate participant-report` records.
KINDS = tuple(kind for kind in EVENT_KINDS if kind != "participant-results")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submission", metavar="SUBMISSION", help="application id or folder")
    parser.add_argument("kind", choices=KINDS, metavar="KIND", help=", ".join(KINDS))
    parser.add_argument(
        "--by", required=True, metavar="WHO", help="your member id, or your e-mail (applicant)"
    )
    parser.add_argument("--today", metavar="YYYY-MM-DD", help="the day of the event")
    parser.add_argument("--reasons", help="why (extension request, expiry, violation)")
    parser.add_argument("--new-end", metavar="YYYY-MM-DD", help="extension: the new end")
    parser.add_argument("--release", metavar="R-YYYY-NNNN-NN", help="destruction: the release")
    parser.add_argument("--citation", help="outputs: how the publication cites the source (R23)")
    parser.add_argument(
        "--attach",
        action="append",
        default=[],
        metavar="NAME",
        help="a file committed in the application's events/ folder (repeatable)",
    )
    parser.add_argument("--person", metavar="EMAIL", help="violation: the person to blacklist")
    parser.add_argument("--institution", metavar="ID", help="violation: the institution")
    parser.add_argument("--review-on", metavar="YYYY-MM-DD", help="violation: review date")
    options.add_root(parser)


def run(args: argparse.Namespace) -> int:
    from cohortgate.lifecycle.commands import CommandError, EventRequest, write_event

    try:
        path = write_event(args.root, EventRequest.from_args(args))
    except CommandError as exc:
        print(f"cohortgate event: {exc}", file=sys.stderr)
        return exc.exit_code
    print(f"wrote {path}: check it, then commit it alone, signed (git commit -S)")
    return 0
