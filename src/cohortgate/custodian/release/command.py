"""What ``cohortgate release`` and ``cohortgate trace`` do with their arguments: open the vault,
show progress (rich, on stderr) and a final summary, print the findings."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

from cohortgate.custodian.participants.optout import excluded_ids
from cohortgate.custodian.release.run import ReleaseOutcome, release
from cohortgate.custodian.risk.policy import DEFAULT_RISK_POLICY
from cohortgate.custodian.vault.store import Vault, VaultError, default_vault
from cohortgate.findings import Finding, has_errors, sort_findings
from cohortgate.findings.render import REPORTER_BY_NAME
from cohortgate.layout import Layout, application_folder, layout


class ReleaseUsageError(Exception):
    """Bad arguments or an unusable vault: one line on stderr, exit 2."""


def _day(text: str | None, flag: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ReleaseUsageError(f"{flag} '{text}' is not a date; write YYYY-MM-DD") from None


def _folder(lay: Layout, argument: str) -> Path:
    try:
        folder = lay.root / application_folder(lay, argument)
    except ValueError as exc:
        raise ReleaseUsageError(str(exc)) from None
    if not (folder / "application.yaml").is_file():
        raise ReleaseUsageError(f"'{argument}' has no application.yaml")
    return folder.resolve()


def _vault(lay: Layout, path: Path | None, create: bool) -> Vault:
    where = path or default_vault(lay.root)
    try:
        if create and not where.exists():
            return Vault.create(where)
        return Vault.open(where)
    except VaultError as exc:
        hint = f" ({exc.hint})" if getattr(exc, "hint", "") else ""
        raise ReleaseUsageError(f"{where.name}: {exc}{hint}") from None


def _print(findings: list[Finding], fmt: str) -> None:
    sys.stdout.write(REPORTER_BY_NAME[fmt](sort_findings(findings)))


def _summary(outcome: ReleaseOutcome, console: Console) -> None:
    prepared = outcome.prepared
    if outcome.manifest is None or prepared is None:
        return
    table = Table(title=f"{outcome.release_id}", show_header=True)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in sorted(prepared.rows.items()):
        table.add_row(name, f"{rows:,}")
    console.print(table)
    console.print(f"participants: {len(prepared.members):,} (recorded in the vault only)")
    if outcome.package is not None:
        console.print(f"package: {outcome.package.name} (encrypted to the recipient)")
    if outcome.workspace is not None:
        console.print(f"enclave workspace: {outcome.workspace.name}")
    console.print(f"manifest: {outcome.manifest.name} (commit it with the application)")


def run_release(args: argparse.Namespace) -> int:
    lay = layout(args.root)
    folder = _folder(lay, args.submission)
    today = _day(args.today, "--today") or date.today()
    start = _day(args.start, "--start")
    policy = DEFAULT_RISK_POLICY
    if args.k is not None or args.l is not None:
        policy = replace(
            policy,
            k_min=args.k if args.k is not None else policy.k_min,
            l_min=args.l if args.l is not None else policy.l_min,
        )
    vault = _vault(lay, args.vault, create=True)
    try:  # R32: nobody who withdrew goes into a later release
        excluded = excluded_ids(vault)
    except VaultError as exc:
        raise ReleaseUsageError(f"{vault.path.name}: {exc} ({exc.hint})") from None
    cohort = args.cohort or lay.cohort_db
    console = Console(stderr=True)
    with console.status("release") as status:
        outcome = release(
            lay,
            folder,
            cohort=cohort,
            vault=vault,
            recipient=args.recipient,
            today=today,
            start=start,
            policy=policy,
            excluded_ids=excluded,
            step=lambda text: status.update(text),
            at=args.at,
            reason=getattr(args, "reason", None),
            base=getattr(args, "base", None),
        )
    _print([*vault.recovered, *outcome.findings], args.format)
    _summary(outcome, console)
    if outcome.disk_error:
        return 2
    return 1 if has_errors(outcome.findings) or outcome.manifest is None else 0


def run_trace(args: argparse.Namespace) -> int:
    from cohortgate.custodian.release.tracing import trace_file

    lay = layout(args.root)
    vault = _vault(lay, args.vault, create=False)
    console = Console(stderr=True)
    with console.status("tracing"):
        try:
            result, findings = trace_file(args.file, vault, args.file.name)
        except VaultError as exc:  # the custodian's identity missing, unsafe or another key
            raise ReleaseUsageError(f"{vault.path.name}: {exc} ({exc.hint})") from None
    _print([*vault.recovered, *findings], args.format)
    return 0 if result is not None and result.release_id is not None else 1
