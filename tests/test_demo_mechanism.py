"""The governance part of ``cohortgate demo`` on a small cohort: real ssh-keygen keys, real git
signatures, a real vault. Two applications are decided by signed commits and released, a leak
of the L2 release is traced back to it, the audit is clean, and the user's repository (here a
copy of the catalog, rubric and submissions, committed) is left exactly as it was."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

from cohortgate.cli import main
from cohortgate.cli.demo_application import L1_APP, L2_APP
from cohortgate.cli.demo_mechanism import PLANS, run_mechanism
from cohortgate.custodian.cohort.synth import generate
from cohortgate.layout import Layout
from cohortgate.models.release import ReleaseManifest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("catalog", "rubric", "submissions", "mkdocs.yml", ".gitignore")


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture
def user_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The parts of the repository the demo reads, committed in a repository of their own; the
    temporary folder (the custodian identity's place) inside the test's own."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    root = tmp_path / "user"
    root.mkdir()
    for name in COPIED:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, root / name)
        else:
            shutil.copy(ROOT / name, root / name)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "-c", "user.name=u", "-c", "user.email=u@example.org", "commit", "-qm", "base")
    return root


def test_the_demo_decides_releases_traces_and_audits(
    user_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cohort = generate(tmp_path / "cohort.duckdb", 2_000, 20240201).path
    head = git(user_repo, "rev-parse", "HEAD")

    status = run_mechanism(Layout(user_repo), main, cohort)
    out = capsys.readouterr().out
    assert status == 0, out

    demo = user_repo / "build" / "demo"
    repo = demo / "repo"
    signers = str(demo / "allowed_signers")
    for plan in PLANS:
        folder = f"submissions/2026/{plan.app}"
        # The decision: the chair's commit, SSH-signed with the key made at demo time.
        decision = git(repo, "log", "-1", "--format=%H", "--", f"{folder}/decision.yaml")
        shown = git(repo, "log", "-1", "--format=%G? %GS", decision)
        assert shown.split() == ["G", f"{plan.chair}@damc.example"]
        assert git(repo, "show", "--format=", "--name-only", decision) == f"{folder}/decision.yaml"
        # Every sheet: its reviewer's signed commit.
        for who in plan.reviewers:
            sheet = git(repo, "log", "-1", "--format=%H", "--", f"{folder}/reviews/{who}.yaml")
            assert git(repo, "log", "-1", "--format=%G? %GS", sheet).split()[0] == "G"
        # The release: one manifest, committed after the signed decision, which it released
        # unchanged.
        manifests = sorted((repo / folder / "releases").glob("R-*.yaml"))
        assert [m.name for m in manifests] == [f"R-{plan.app[2:]}-01.yaml"]
        manifest = ReleaseManifest.model_validate(yaml.safe_load(manifests[0].read_text()))
        assert manifest.application == plan.app and manifest.package is not None
        released = git(repo, "log", "-1", "--format=%H", "--", f"{folder}/releases")
        git(repo, "merge-base", "--is-ancestor", decision, released)
        assert git(repo, "diff", decision, released, "--", f"{folder}/decision.yaml") == ""
        package = demo / "custodian" / "outbox" / manifest.package.name
        assert package.is_file()
    assert git(repo, "config", "gpg.ssh.allowedSignersFile") == signers
    assert "privacy level L1" in out and "privacy level L2" in out
    assert f"the leaked table came from release R-{L2_APP[2:]}-01" in out
    assert "audit of " in out and "2 release(s)" in out and "0 finding(s)" in out
    assert L1_APP in out
    # The user's repository: no commit, nothing changed or added but build/ (ignored).
    assert git(user_repo, "rev-parse", "HEAD") == head
    assert git(user_repo, "status", "--porcelain") == ""
    assert not (user_repo / "custodian").exists()
