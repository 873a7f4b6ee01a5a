"""What ``cohortgate agreements`` does with its arguments."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from cohortgate.catalog.load import load_catalog
from cohortgate.custodian.release.agreements import (
    AgreementError,
    record_signed,
    render_agreements,
    write_agreements,
)
from cohortgate.custodian.release.approval import load_file
from cohortgate.findings import Finding, has_errors
from cohortgate.findings.render import REPORTER_BY_NAME
from cohortgate.layout import application_folder, layout
from cohortgate.lifecycle.machine import add_months
from cohortgate.models.application import Application
from cohortgate.models.dataset import PrivacyClass
from cohortgate.models.review import Decision
from cohortgate.policy import TRACKING_MONTHS


class AgreementUsageError(Exception):
    """Bad arguments: one line on stderr, exit 2."""


def _day(text: str | None, flag: str) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise AgreementUsageError(f"{flag} '{text}' is not a date; write YYYY-MM-DD") from None


def run_agreements(args: argparse.Namespace) -> int:
    lay = layout(args.root)
    argument = args.submission
    try:
        folder = lay.root / application_folder(lay, argument)
    except ValueError as exc:
        raise AgreementUsageError(str(exc)) from None
    if not (folder / "application.yaml").is_file():
        raise AgreementUsageError(f"'{argument}' has no application.yaml")
    display = lay.rel(folder)
    findings: list[Finding] = []
    try:
        if args.record:
            if args.copy is None:
                raise AgreementUsageError("--record needs --copy FILE")
            copy = args.copy if args.copy.is_absolute() else Path.cwd() / args.copy
            record_signed(
                folder, args.record, copy, _day(args.signed_on, "--signed-on"), args.party
            )
            print(f"recorded the signed {args.record} agreement of {display}", file=sys.stderr)
        else:
            findings = _generate(lay.root, folder, display, args)
    except AgreementError as exc:
        findings = exc.findings
    sys.stdout.write(REPORTER_BY_NAME[args.format](findings))
    return 1 if has_errors(findings) else 0


def _generate(root: Path, folder: Path, display: str, args: argparse.Namespace) -> list[Finding]:
    app, findings = load_file(
        folder / "application.yaml", f"{display}/application.yaml", Application
    )
    decision, more = load_file(folder / "decision.yaml", f"{display}/decision.yaml", Decision)
    findings += more
    if not isinstance(app, Application) or not isinstance(decision, Decision):
        return findings
    catalog, _problems = load_catalog(layout(root), with_stats=False)
    datasets = {d.dataset.id: d.dataset for d in catalog.datasets}
    requested = {(v.table, v.name) for d in app.datasets for v in d.variables}
    genetic = any(
        var.privacy is PrivacyClass.GENETIC
        for d in app.datasets
        if d.dataset in datasets
        for table in datasets[d.dataset].tables
        for var in table.variables
        if (table.source, var.name) in requested
    )
    start = _day(args.start, "--start")
    texts = render_agreements(
        app,
        decision,
        custodian=args.custodian,
        access_start=start,
        access_end=add_months(start, TRACKING_MONTHS),
        datasets_titles={i: d.title.zh for i, d in datasets.items()},
        institutions={i.id: i.name.zh for i in catalog.institutions},
        genetic=genetic,
    )
    for path in write_agreements(folder, texts):
        print(f"wrote {path.name}", file=sys.stderr)
    return []
