"""``cohortgate release SUBMISSION``: the custodian's whole release, or nothing.

1. proves the approval from git (``verified``): the committees' own verification at the commit
   released from (HEAD, or ``at``), and the application on disk exactly that commit's;
   then checks (``approval``): approved for this version, both agreements signed, nobody on
   the team blacklisted, the access period not over, a valid age recipient (unless enclave);
2. computes the release in memory (``pipeline``) with fresh per-release keys, and refuses it
   when the re-identification gate does (the report names what to generalise);
3. only then writes: the vault (keys, members, trace arrays, metadata; every step in its
   hash-chained log), the encrypted package into the custodian's outbox (or the enclave
   workspace), and last the public manifest ``<application>/releases/<release-id>.yaml``.
   Each file is written atomically; an interrupted or refused run leaves no package and no
   manifest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from cohortgate.catalog.load import load_catalog
from cohortgate.custodian.cohort.engine import CohortError, ExtractError
from cohortgate.custodian.deid.deidentify import DeidentifyError, finding_for
from cohortgate.custodian.deid.generalise import GeneralisationError
from cohortgate.custodian.release import codes as C
from cohortgate.custodian.release.approval import approved
from cohortgate.custodian.release.package import package
from cohortgate.custodian.release.period import access_period
from cohortgate.custodian.release.pipeline import manifest_risk, prepare
from cohortgate.custodian.release.prepared import Prepared
from cohortgate.custodian.release.recipient import (
    SUPPRESSED,
    earlier_for,
    keys_for,
    releases_of,
    rerelease_findings,
    settle_unfinished,
    spec_record,
    suppression_arrays,
)
from cohortgate.custodian.release.verified import prove_approval
from cohortgate.custodian.risk.policy import DEFAULT_RISK_POLICY, RiskPolicy
from cohortgate.custodian.vault.chain import VaultError
from cohortgate.custodian.vault.store import ReleaseKeys, Vault
from cohortgate.files import atomic, transaction
from cohortgate.findings import Finding, has_errors
from cohortgate.layout import Layout
from cohortgate.models.application import Application
from cohortgate.models.release import Package, ReleasedVariable, ReleaseManifest, release_prefix
from cohortgate.policy import MAX_EXTENSIONS

Step = Callable[[str], None]


@dataclass
class ReleaseOutcome:
    findings: list[Finding] = field(default_factory=list)
    release_id: str | None = None
    disk_error: bool = False  # a write the disk refused (exit 2): nothing half-written
    manifest: Path | None = None
    package: Path | None = None
    workspace: Path | None = None
    prepared: Prepared | None = None


def next_release_id(folder: Path, vault: Vault, application: str) -> str:
    """``R-<year>-<nnnn>-<mm>``: one more than any release of the application so far."""
    prefix = release_prefix(application)
    taken = {p.stem for p in (folder / "releases").glob(f"{prefix}*.yaml")}
    taken |= {r for r in vault.releases() if r.startswith(prefix)}
    number = max((int(r.rsplit("-", 1)[1]) for r in taken), default=0) + 1
    return f"{prefix}{number:02d}"


def _check_recipient(recipient: str | None, where: str) -> list[Finding]:
    if recipient is None:
        return [C.BAD_RECIPIENT.at(where, problem="no recipient key given (--recipient age1…)")]
    try:
        package({"check": b""}, [recipient])
    except ValueError as exc:
        return [C.BAD_RECIPIENT.at(where, problem=str(exc))]
    return []


def release(
    lay: Layout,
    folder: Path,
    *,
    cohort: Path,
    vault: Vault,
    recipient: str | None,
    today: date,
    start: date | None = None,
    policy: RiskPolicy = DEFAULT_RISK_POLICY,
    excluded_ids: Sequence[str] = (),
    step: Step = lambda _text: None,
    at: str = "HEAD",
    reason: str | None = None,
    base: str | None = None,
) -> ReleaseOutcome:
    outcome = ReleaseOutcome()
    step(f"verifying the approval from git at {at}")
    proof, findings = prove_approval(lay, folder, at=at, today=today, base=base)
    outcome.findings += findings
    if proof is None:
        return outcome
    if proof.report.app is not None:  # a run stopped after the vault's transaction
        try:
            outcome.findings += settle_unfinished(lay, vault, proof.report.app.id, folder)
        except VaultError as exc:
            outcome.findings.append(exc.finding(vault.path.name))
            outcome.disk_error = True
            return outcome
    step("checking the agreements, the blacklist and the access period")
    found, findings = approved(
        lay.root,
        folder,
        today,
        committed_blacklist=proof.blacklist,
        violations=proof.violations,
    )
    outcome.findings += findings
    if found is None:
        return outcome
    app, display = found.app, found.display
    period = access_period(lay, display, at=at, today=today, start=start or today)
    start, end = period.start, period.end
    if today > end:
        outcome.findings.append(
            C.PERIOD_OVER.at(
                display,
                end=end.isoformat(),
                today=today.isoformat(),
                max_extensions=MAX_EXTENSIONS,
            )
        )
        return outcome
    earlier_releases = releases_of(folder, app.id)
    outcome.findings += rerelease_findings(earlier_releases, app.id, reason, display)
    if has_errors(outcome.findings):
        return outcome
    catalog, _problems = load_catalog(lay, with_stats=False)
    datasets = {d.dataset.id: d.dataset for d in catalog.datasets}
    try:
        keys = keys_for(vault, earlier_releases)
        earlier = earlier_for(lay, vault, app)
    except VaultError as exc:  # the custodian's identity is needed to read earlier releases
        outcome.findings.append(exc.finding(vault.path.name))
        outcome.disk_error = True
        return outcome
    release_id = next_release_id(folder, vault, app.id)
    outcome.release_id = release_id
    step(f"extracting and de-identifying {release_id}")
    try:
        prepared = prepare(
            app, datasets, cohort, keys, policy, excluded_ids, where=release_id, earlier=earlier
        )
    except CohortError as exc:
        outcome.findings.append(C.COHORT_UNUSABLE.at(display, problem=str(exc)))
        return outcome
    except (ExtractError, DeidentifyError, GeneralisationError) as exc:
        made = finding_for(exc, f"{display}/application.yaml")
        outcome.findings.append(made or C.COHORT_UNUSABLE.at(display, problem=str(exc)))
        return outcome
    outcome.prepared = prepared
    outcome.findings += prepared.findings
    if has_errors(prepared.findings):
        return outcome  # the gate refused: nothing is written
    if not prepared.enclave:
        outcome.findings += _check_recipient(recipient, display)
        if has_errors(outcome.findings):
            return outcome
    step(f"writing {release_id}")
    try:
        _write(
            lay,
            folder,
            vault,
            app,
            release_id,
            keys,
            prepared,
            recipient,
            (today, start, end),
            outcome,
            reason=reason,
            approved_at=proof.commit,
        )
    except atomic.WriteError as exc:  # read-only or full disk: say which file, exit 2
        outcome.findings.append(exc.finding(lay.rel(exc.target)))
        outcome.disk_error = True
    except VaultError as exc:
        outcome.findings.append(exc.finding(vault.path.name))
        outcome.disk_error = True
    return outcome


def _write(
    lay: Layout,
    folder: Path,
    vault: Vault,
    app: Application,
    release_id: str,
    keys: ReleaseKeys,
    prepared: Prepared,
    recipient: str | None,
    days: tuple[date, date, date],
    outcome: ReleaseOutcome,
    *,
    reason: str | None = None,
    approved_at: str | None = None,
) -> None:
    """Everything is computed and validated first (the package, the manifest); then the vault,
    the package or workspace, and last the manifest are written."""
    today, start, end = days
    sealed = None if prepared.enclave else package(prepared.files, [recipient or ""])
    target = lay.custodian / "outbox" / f"{release_id}.tar.age"
    manifest = ReleaseManifest(
        release=release_id,
        application=app.id,
        privacy_level=prepared.level,
        delivery=app.delivery,
        variables=[
            ReleasedVariable(table=t, name=n, treatment=tr) for t, n, tr in prepared.variables
        ],
        rows=prepared.rows,
        files={name: hashlib.sha256(data).hexdigest() for name, data in prepared.files.items()},
        package=None
        if sealed is None
        else Package(
            name=target.name, sha256=hashlib.sha256(sealed).hexdigest(), bytes=len(sealed)
        ),
        recipient=None if prepared.enclave else recipient,
        risk=manifest_risk(prepared),
        access_start=start.isoformat(),
        access_end=end.isoformat(),
        created_on=today.isoformat(),
        vault_log_head="0" * 64,  # the real head once the vault is written
        enclave=prepared.enclave,
        reason=reason.strip() if reason else None,
        approved_at=approved_at,
    )
    meta: dict[str, Any] = {
        "application": app.id,
        "recipient": recipient,
        "plans": prepared.plans,
    }
    arrays = {f"trace-{t.replace('_', '-')}": a for t, a in prepared.trace.items()}
    if prepared.spec is not None:  # what the union check of a later release rebuilds
        record = dict(prepared.suppression)
        suppressed = suppression_arrays(record.pop("dropped"), record.pop("timing_suppressed"))
        meta["joined"] = {**spec_record(prepared.spec), **record}
        arrays[SUPPRESSED] = suppressed  # cohort ids: encrypted like the trace arrays
    vault.write_release(  # keys, members, trace arrays, metadata: one vault transaction
        release_id,
        app.id,
        keys,
        members=prepared.members,
        arrays=arrays,
        meta={**meta, "tables": sorted(prepared.trace)},
        package_sha256=None if manifest.package is None else manifest.package.sha256,
    )
    if sealed is None:
        workspace = lay.custodian / "enclave" / release_id
        workspace.mkdir(parents=True, mode=0o700, exist_ok=True)
        transaction.write_files(workspace, prepared.files, mode=0o600)
        outcome.workspace = workspace
        rows = sum(prepared.rows.values())
        outcome.findings.append(
            C.ENCLAVE_ONLY.at(release_id, release=release_id, rows=rows, tables=len(prepared.rows))
        )
    else:
        target.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        atomic.write_bytes(target, sealed, mode=0o600)
        outcome.package = target
    manifest = manifest.model_copy(update={"vault_log_head": vault.head()})
    path = folder / "releases" / f"{release_id}.yaml"
    text = (
        f"# 数据发布清单 / Release manifest {release_id} (no participant-level data)\n"
        + yaml.safe_dump(
            manifest.model_dump(mode="json", exclude_none=True), allow_unicode=True, sort_keys=False
        )
    )
    atomic.write_text(path, text)
    outcome.manifest = path
