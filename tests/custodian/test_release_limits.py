"""Time and people (R19–R21, R25): re-releases need a reason and are limited, and a violation
the chairs signed blacklists the person it names, whatever the spelling of their address.

Through the real CLI on a real repository with real ssh-keygen signatures
(``signed_release_world``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from git import Repo
from signed_release_world import (
    APPLICANT_EMAIL,
    L1,
    SignedWorld,
    build_signed_world,
    dump,
    folder_of,
    release_json,
)
from signed_release_world import L2 as L2_ID

from cohortgate.custodian.vault.store import Vault
from cohortgate.policy import MAX_RERELEASES
from signing import Commit, Key

TODAY = "2026-11-29"


@pytest.fixture
def world(repo: Repo, commit: Commit, keys: dict[str, Key], cohort_path: Path) -> SignedWorld:
    return build_signed_world(repo, commit, keys, cohort_path)


def release(
    world: SignedWorld,
    identity: Any,
    capsys: pytest.CaptureFixture[str],
    app_id: str = L1,
    *extra: str,
) -> tuple[int, list[dict[str, Any]]]:
    return release_json(world, identity, capsys, app_id, *extra)


def manifests(world: SignedWorld, app_id: str = L1) -> list[dict[str, Any]]:
    return [
        yaml.safe_load(p.read_text("utf-8"))
        for p in sorted(world.folder(app_id).glob("releases/*.yaml"))
    ]


def errors(findings: list[dict[str, Any]]) -> list[str]:
    return [f["code"] for f in findings if f["severity"] == "error"]


def test_a_rerelease_needs_a_reason_and_is_limited(
    world: SignedWorld, identity: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    world.approve(L1)
    status, findings = release(world, identity, capsys)
    assert status == 0, findings
    status, findings = release(world, identity, capsys)
    assert (status, errors(findings)) == (1, ["release.rerelease-reason"])
    assert "R-2026-0001-01" in findings[-1]["message"]
    assert len(manifests(world)) == 1  # the refusal wrote nothing
    for n in range(MAX_RERELEASES):
        why = f"the recipient's copy {n} was damaged in transit"
        status, findings = release(world, identity, capsys, L1, "--reason", why)
        assert status == 0, findings
        assert manifests(world)[-1]["reason"] == why
    before = manifests(world)
    status, findings = release(world, identity, capsys, L1, "--reason", "once more")
    assert (status, errors(findings)) == (1, ["release.rerelease-limit"])
    assert f"allows {MAX_RERELEASES} re-release(s)" in findings[-1]["message"]
    assert "再发布" in findings[-1]["message_zh"]
    assert manifests(world) == before


def _violation(world: SignedWorld, app_id: str, email: str) -> None:
    """The custodian's release of ``app_id`` committed, then alice's signed violation naming
    ``email`` (R25)."""
    folder = folder_of(app_id)
    world.repo.git.add(f"{folder}/releases")
    env = {"GIT_AUTHOR_DATE": "2026-11-29T10:00:00+00:00"}
    env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"]
    world.repo.git.commit("--no-gpg-sign", "-q", "-m", f"release of {app_id}", env=env)
    entry = {
        "person_email": email,
        "reason": "A leaked table carried this release's watermark.",
        "listed_on": TODAY,
        "decided_by": ["Alice", "Frank"],
    }
    event = {
        "kind": "violation",
        "application": app_id,
        "at": TODAY,
        "by": "alice",
        "reasons": "Leak traced to the release (R24, R25).",
        "blacklist": entry,
    }
    world.commit(
        {f"{folder}/events/{TODAY}-violation.yaml": dump(event)},
        signer="alice",
        when="2026-11-29T12:00:00+00:00",
    )


@pytest.mark.parametrize(
    "email",
    [APPLICANT_EMAIL.replace("@", "+leak@"), "Chen.SiYuan@xinhuamed.com.cn"],
    ids=["plus-tag", "case"],
)
def test_a_signed_violation_blacklists_the_person(
    world: SignedWorld, identity: Any, capsys: pytest.CaptureFixture[str], email: str
) -> None:
    world.approve(L2_ID)
    status, findings = release(world, identity, capsys, L2_ID)
    assert status == 0, findings
    _violation(world, L2_ID, email)
    world.approve(L1)
    status, findings = release(world, identity, capsys)
    assert (status, errors(findings)) == (1, ["release.blacklisted"]), findings
    assert APPLICANT_EMAIL in findings[-1]["message"]
    assert "watermark" in findings[-1]["message"]
    assert findings[-1]["file"] == f"{folder_of(L2_ID)}/events/{TODAY}-violation.yaml"
    assert manifests(world) == []


def test_an_unsigned_violation_blacklists_nobody(
    world: SignedWorld, identity: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only a violation a chair signed counts: one committed unsigned names nobody."""
    world.approve(L2_ID)
    status, findings = release(world, identity, capsys, L2_ID)
    assert status == 0, findings
    folder = folder_of(L2_ID)
    world.repo.git.add(f"{folder}/releases")
    world.repo.git.commit("--no-gpg-sign", "-q", "-m", "release")
    event = {
        "kind": "violation",
        "application": L2_ID,
        "at": TODAY,
        "by": "alice",
        "reasons": "Written by hand.",
        "blacklist": {"person_email": APPLICANT_EMAIL, "reason": "x", "listed_on": TODAY},
    }
    world.commit({f"{folder}/events/{TODAY}-violation.yaml": dump(event)}, signer=None)
    world.approve(L1)
    status, findings = release(world, identity, capsys)
    assert status == 0, findings


def test_an_unfinished_release_is_discarded_and_not_counted(
    world: SignedWorld, identity: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run stopped after the vault's transaction and before the manifest (simulated: the
    manifest removed, the package left): the next release says so, removes the package, records
    the release as abandoned (no participant went into it) and needs no --reason."""
    world.approve(L2_ID)
    status, findings = release(world, identity, capsys, L2_ID)
    assert status == 0, findings
    first = "R-2026-0003-01"
    (world.folder(L2_ID) / "releases" / f"{first}.yaml").unlink()
    package = world.root / "custodian" / "outbox" / f"{first}.tar.age"
    assert package.is_file()
    vault = Vault.open(world.root.parent / "vault")
    member = vault.members(first)[0]
    status, findings = release(world, identity, capsys, L2_ID)
    assert status == 0, findings
    [note] = [f for f in findings if f["code"] == "release.unfinished"]
    assert note["severity"] == "warning" and first in note["message"]
    assert not package.exists()
    assert [m["release"] for m in manifests(world, L2_ID)] == ["R-2026-0003-02"]
    vault = Vault.open(world.root.parent / "vault")
    assert first in vault.abandoned()
    assert first not in vault.releases_of(member)
    # settled once: the next release neither warns about it nor records it again
    status, findings = release(world, identity, capsys, L2_ID, "--reason", "copy lost")
    assert status == 0, findings
    assert "release.unfinished" not in {f["code"] for f in findings}
    ops = [e["op"] for e in Vault.open(world.root.parent / "vault").log.entries()]
    assert ops.count("release.abandoned") == 1
