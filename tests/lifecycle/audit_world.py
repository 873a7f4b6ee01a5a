"""Helpers of the audit tests: a lifecycle carried to its close, and the audit run on it."""

from __future__ import annotations

import argparse
from datetime import date

from lifecycle_world import LATER, RELEASE, LifeWorld

from cohortgate.cli import audit as audit_cli
from cohortgate.findings import Severity
from cohortgate.layout import Layout
from cohortgate.lifecycle.audit import AuditReport, audit_history


def close(life: LifeWorld, release: str = RELEASE) -> None:
    """Outputs on time, completion notice, certified and verified destruction, closure."""
    life.outputs("2027-06-01")
    life.event("completion-notice", "2027-07-01", "applicant")
    cert = life.attach("certificate.pdf", "%PDF certificate")
    life.event(
        "destruction-certificate", "2027-07-03", "applicant", release=release, attachments=cert
    )
    life.event("destruction-verified", "2027-07-06", "erin", release=release)
    life.event("closure", "2027-07-10", "alice")


def audit(life: LifeWorld, today: date = LATER) -> AuditReport:
    repo = life.world.repo
    return audit_history(repo, Layout(life.world.root), head=repo.head.commit, today=today)


def errors(report: AuditReport) -> list[str]:
    return sorted({f.code for f in report.findings if f.severity is Severity.ERROR})


def run_cli(life: LifeWorld, *argv: str) -> int:
    parser = argparse.ArgumentParser()
    audit_cli.add_arguments(parser)
    args = parser.parse_args(["--root", str(life.world.root), *argv])
    return audit_cli.run(args)
