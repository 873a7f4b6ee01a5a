"""`cohortgate audit`: the whole history verified offline, from git and the vault (issue 6, 7).

Real repositories (tests/review's world: the real catalog and rubric, a roster with ssh-keygen
keys), real signed commits and a real vault. A clean history passes; each violation is found
with its own code.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from audit_world import audit, close, errors, run_cli
from lifecycle_world import RELEASE, LifeWorld, manifest
from review_world import FOLDER, dump

from cohortgate.custodian.vault.audit import ReleaseAnchor, audit_vault
from cohortgate.custodian.vault.store import Vault
from cohortgate.models.lifecycle import State

FORM = f"{FOLDER}/application.yaml"
SECOND = "R-2026-0001-02"


def _edit_form(life: LifeWorld) -> None:
    root = life.world.root
    text = (root / FORM).read_text("utf-8")
    life.commit({FORM: text.replace("\ntitle: ", "\n# a late edit\ntitle: ", 1)})


def test_a_closed_lifecycle_audits_clean(
    life: LifeWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    life.released()
    close(life)
    report = audit(life)
    assert report.findings == []
    assert [(v.valid, v.at_head) for v in report.decisions] == [(True, True)]
    assert [r.release for r in report.releases] == [RELEASE]
    assert run_cli(life, "--today", "2028-06-01") == 0
    assert "1 closed; 0 finding(s)" in capsys.readouterr().out
    assert run_cli(life, "--today", "2028-06-01", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["checked"] == {"applications": 2, "decisions": 1, "releases": 1, "closed": 1}


def test_a_decision_without_quorum_is_unbacked(
    life: LifeWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    life.world.sign_sheet("dave", scores=life.world.role_scores("dave", 5))
    life.world.decide("approve")  # one sheet: no quorum
    report = audit(life)
    assert errors(report) == ["audit.decision-unbacked"]
    finding = next(f for f in report.findings if f.code == "audit.decision-unbacked")
    assert finding.file == f"{FOLDER}/decision.yaml"
    assert "review.decision-no-quorum" in finding.message
    assert run_cli(life, "--today", "2028-06-01", "--format", "github") == 1
    assert "::error file=submissions/2026/A-2026-0001/decision.yaml" in capsys.readouterr().out


def test_a_superseded_decision_is_judged_at_its_own_commit(life: LifeWorld) -> None:
    """Valid when recorded, the application changed since, a newer valid decision: clean.
    The first decision is stale at HEAD but was valid at its commit."""
    life.approve()
    _edit_form(life)
    life.approve()  # new sheets on the new version and a new decision
    report = audit(life)
    assert report.findings == []
    assert [(v.valid, v.at_head) for v in report.decisions] == [(True, True), (True, False)]


def test_a_release_before_the_agreements(life: LifeWorld) -> None:
    life.approve()
    life.release()  # no agreements.yaml yet
    life.agree(signed_on="2026-12-20")
    report = audit(life)
    assert "audit.release-without-agreements" in errors(report)
    finding = next(f for f in report.findings if f.code == "audit.release-without-agreements")
    assert "without agreements.yaml" in finding.message


def test_agreements_signed_after_the_release_day(life: LifeWorld) -> None:
    life.approve()
    life.agree(signed_on="2026-12-20")  # committed first, but signed after created_on
    life.release()
    report = audit(life)
    assert "audit.release-without-agreements" in errors(report)


def test_a_release_of_a_version_nobody_approved(life: LifeWorld) -> None:
    life.approve()
    life.agree()
    _edit_form(life)  # the decision no longer names these files
    life.release()
    report = audit(life)
    assert "audit.release-without-decision" in errors(report)
    finding = next(f for f in report.findings if f.code == "audit.release-without-decision")
    assert "application.yaml changed" in finding.message


def test_a_release_after_a_revise_decision(life: LifeWorld) -> None:
    for who in ("dave", "bob", "erin"):
        life.world.sign_sheet(who, scores=life.world.role_scores(who, 5))
    life.world.decide("revise")
    life.agree()
    life.release()
    report = audit(life)
    finding = next(f for f in report.findings if f.code == "audit.release-without-decision")
    assert "'revise' decision" in finding.message


def test_a_changed_manifest(life: LifeWorld) -> None:
    life.released()
    path = f"{FOLDER}/releases/{RELEASE}.yaml"
    life.commit({path: dump(manifest(rows={"labs": 121}))})
    assert errors(audit(life)) == ["audit.manifest-changed"]


def test_closing_without_verified_destruction(life: LifeWorld) -> None:
    life.released()
    life.outputs("2027-06-01")
    life.event("completion-notice", "2027-07-01", "applicant")
    life.event("closure", "2027-07-10", "alice")  # no certificate, no verification
    assert errors(audit(life)) == ["lifecycle.no-destruction"]


def test_a_release_after_the_closure_reopens_the_destruction(life: LifeWorld) -> None:
    """A second release dated after the closure: the closure no longer covers every release."""
    life.released()
    close(life)
    life.release(SECOND, created_on="2027-08-01", access_start="2027-08-01")
    report = audit(life)
    assert "lifecycle.no-destruction" in errors(report)
    assert report.lifecycles[0].state is not State.CLOSED


# --- the vault ---------------------------------------------------------------------------------


def _vault(tmp_path: Path, members: list[str]) -> Vault:
    vault = Vault.create(tmp_path / "vault")
    vault.new_release(RELEASE, "A-2026-0001")
    vault.record_members(RELEASE, members)
    return vault


def _anchor(head: str, made: date = date(2026, 12, 10)) -> ReleaseAnchor:
    return ReleaseAnchor(RELEASE, f"{FOLDER}/releases/{RELEASE}.yaml", made, head)


def test_the_vault_vouches_for_a_clean_release(life: LifeWorld, tmp_path: Path) -> None:
    vault = _vault(tmp_path, ["P-0001", "P-0002"])
    life.approve()
    life.agree()
    life.release(vault_log_head=vault.head())
    assert run_cli(life, "--today", "2028-06-01", "--vault", str(vault.path)) == 0
    assert audit_vault(vault.path, [_anchor(vault.head())]) == []


def test_a_release_made_after_a_withdrawal(tmp_path: Path) -> None:
    vault = _vault(tmp_path, ["P-0001", "P-0002", "P-0003"])
    head = vault.head()
    vault.record_optout("P-0002", date(2026, 12, 1), "withdrew consent")
    vault.record_optout("P-0003", date(2026, 12, 10), None)  # the release's own day: not before
    found = audit_vault(vault.path, [_anchor(head)])
    assert [f.code for f in found] == ["audit.release-after-withdrawal"]
    assert "includes 1 participant(s)" in found[0].message
    assert "P-0002" not in found[0].message + found[0].hint  # counts, never ids


def test_an_anchored_head_missing_from_the_log(tmp_path: Path) -> None:
    vault = _vault(tmp_path, ["P-0001"])
    found = audit_vault(vault.path, [_anchor("ab" * 32)])
    assert [f.code for f in found] == ["audit.vault-head-missing"]


def test_a_tampered_log(tmp_path: Path) -> None:
    vault = _vault(tmp_path, ["P-0001"])
    log = vault.path / "log.jsonl"
    lines = log.read_text("utf-8").splitlines()
    lines[1] = lines[1].replace('"release.keys"', '"release.kays"')
    log.write_text("\n".join(lines) + "\n", "utf-8")
    found = audit_vault(vault.path, [_anchor("ab" * 32)])
    assert [f.code for f in found] == ["audit.vault-unusable"]
    assert "line 2" in found[0].message


def test_releases_missing_on_either_side(tmp_path: Path) -> None:
    vault = _vault(tmp_path, ["P-0001"])
    other = ReleaseAnchor(
        SECOND, f"{FOLDER}/releases/{SECOND}.yaml", date(2027, 1, 5), vault.head()
    )
    found = audit_vault(vault.path, [other])
    assert sorted(f.code for f in found) == [
        "audit.release-not-in-vault",
        "audit.vault-release-unpublished",
    ]


def test_usage_errors_exit_2(life: LifeWorld) -> None:
    assert run_cli(life, "--today", "2028-13-01") == 2


def test_a_vault_without_an_opt_out_registry_is_noted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = _vault(tmp_path, ["P-0001"])
    head = vault.head()
    monkeypatch.delattr(Vault, "optouts")
    found = audit_vault(vault.path, [_anchor(head)])
    assert [(f.code, str(f.severity)) for f in found] == [("audit.optouts-unavailable", "warning")]
