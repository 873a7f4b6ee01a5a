"""``cohortgate audit``: the whole history verified offline, from git and (``--vault``) the vault.

Every decision backed by valid sign-offs when it was recorded, every release by an approving
decision on the version released and by both signed agreements, every closed application by
verified destruction, and every lifecycle event as ``cohortgate track --check`` judges it
(``cohortgate.lifecycle.audit``). With ``--vault DIR`` (on the custodian's machine): the vault's
log chain intact and still holding each manifest's anchored head, each release in the vault,
every vault file and every package in the custodian's outbox as the log (and the manifest)
recorded it, and no release made after a participant's withdrawal that includes them
(``cohortgate.custodian.vault.audit``); the custodian identity (``--identity``) opens the vault.

Exit 0 when clean, 1 with findings (errors), 2 on usage errors (a bad date, no repository) and
when the custodian identity is missing, unsafe or wrong (the finding says which file and why).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cohortgate.cli import options

NAME = "audit"
HELP = "审计全部历史：决定、发布、销毁与数据保管库 / verify the whole history, offline"
FORMATS = ("text", "json", "github")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--today", metavar="YYYY-MM-DD", help="the day to audit as of (default: today)"
    )
    parser.add_argument(
        "--vault",
        type=Path,
        metavar="DIR",
        help="also check the custodian's vault (on the custodian's machine only)",
    )
    options.add_identity(parser)
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    options.add_root(parser)


def run(args: argparse.Namespace) -> int:
    import json

    from cohortgate.findings import has_errors, sort_findings
    from cohortgate.gitread.read import ReviewInputError, commit_of, open_repo
    from cohortgate.layout import layout
    from cohortgate.lifecycle.audit import audit_history
    from cohortgate.lifecycle.commands import CommandError, parse_day

    try:
        today = parse_day(args.today)
        lay = layout(args.root)
        repo = open_repo(lay.root)
        head = commit_of(repo, "HEAD")
    except CommandError as exc:
        print(f"cohortgate audit: {exc}", file=sys.stderr)
        return exc.exit_code
    except ReviewInputError as exc:
        print(f"cohortgate audit: {exc.finding.message}", file=sys.stderr)
        return 2
    report = audit_history(repo, lay, head=head, today=today)
    unopened = False  # the custodian identity cannot open the vault: exit 2
    if args.vault is not None:
        from cohortgate.custodian.vault.audit import ReleaseAnchor, audit_vault
        from cohortgate.custodian.vault.codes import IDENTITY_CODES

        anchors = [
            ReleaseAnchor(
                r.release, r.path, r.created_on, r.vault_log_head, _package_sha256(head, r.path)
            )
            for r in report.releases
        ]
        outbox = lay.custodian / "outbox"
        found = audit_vault(args.vault, anchors, outbox=outbox, identity=args.identity)
        unopened = any(f.code in IDENTITY_CODES for f in found)
        report.findings = sort_findings(report.findings + found)
    if args.format == "json":
        sys.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        from cohortgate.findings.render import REPORTER_BY_NAME

        sys.stdout.write(REPORTER_BY_NAME[args.format](report.findings))
        if args.format == "text":
            checked = report.to_dict()["checked"]
            print(
                f"audit of {report.head[:12]} as of {today}: {checked['applications']} "
                f"application(s), {checked['decisions']} decision(s), {checked['releases']} "
                f"release(s), {checked['closed']} closed; {len(report.findings)} finding(s)"
                + ("" if args.vault is not None else " (vault not checked: --vault DIR)")
            )
    if unopened:
        return 2
    return 1 if has_errors(report.findings) else 0


def _package_sha256(head: Any, path: str) -> str | None:
    """The sealed package's SHA-256 the manifest at ``path`` records at ``head`` (or None)."""
    import yaml

    try:
        doc = yaml.safe_load(head.tree[path].data_stream.read())
    except (KeyError, yaml.YAMLError):
        return None
    package = doc.get("package") if isinstance(doc, dict) else None
    return str(package["sha256"]) if isinstance(package, dict) and "sha256" in package else None
