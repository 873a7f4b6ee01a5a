"""``cohortgate changed`` on real git repositories: exactly the application folders touched."""

from __future__ import annotations

import argparse
from pathlib import Path

import git
import pytest

from cohortgate.ci.changes import application_folder, changed_applications
from cohortgate.cli import changed

A1 = "submissions/2026/A-2026-0001"
A2 = "submissions/2026/A-2026-0002"
A3 = "submissions/2026/A-2026-0003"
A4 = "submissions/2026/A-2026-0004"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")


def commit(repo: git.Repo, message: str, files: dict[str, str] | None = None) -> str:
    root = Path(repo.working_dir)
    write(root, files or {})
    repo.git.add(A=True)
    repo.git.commit(m=message, allow_empty=True)
    return repo.head.commit.hexsha


@pytest.fixture
def repo(tmp_path: Path) -> git.Repo:
    repo = git.Repo.init(tmp_path / "repo", initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test")
        config.set_value("user", "email", "test@example.org")
        config.set_value("commit", "gpgsign", "false")
    (tmp_path / "repo" / "mkdocs.yml").write_text("site_name: t\n", "utf-8")
    commit(
        repo,
        "base",
        {
            "catalog/institutions.yaml": "institutions: []\n",
            "catalog/datasets/ds-a.yaml": "id: ds-a\n",
            "submissions/README.md": "applications\n",
            f"{A1}/application.yaml": "id: A-2026-0001\n",
        },
    )
    return repo


def run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    changed.add_arguments(parser)
    return changed.run(parser.parse_args(argv))


def test_two_new_applications_and_a_catalog_edit(
    repo: git.Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    base = repo.head.commit.hexsha
    head = commit(
        repo,
        "two applications",
        {
            f"{A2}/application.yaml": "id: A-2026-0002\n",
            f"{A2}/protocol.pdf": "%PDF-1.4\n",
            f"{A3}/application.yaml": "id: A-2026-0003\n",
            "catalog/datasets/ds-a.yaml": "id: ds-a\ntitle: changed\n",
        },
    )
    root = repo.working_dir
    assert run_cli(["--root", root, "--base", base, "--head", head]) == 0
    out = capsys.readouterr()
    assert out.out == f"{A2}\n{A3}\n"
    assert "1 changed path(s) outside application folders" in out.err
    assert run_cli(["--root", root, "--base", base, "--head", head, "--null"]) == 0
    assert capsys.readouterr().out == f"{A2}\0{A3}\0"


def test_an_attachment_edit_and_a_removal(repo: git.Repo) -> None:
    base = commit(repo, "second", {f"{A2}/application.yaml": "id: A-2026-0002\n"})
    (Path(repo.working_dir) / A1 / "application.yaml").unlink()
    head = commit(repo, "edit and remove", {f"{A2}/ethics-letter.pdf": "%PDF-1.4\n"})
    changes = changed_applications(Path(repo.working_dir), base, head)
    assert changes.folders == [A2]
    assert changes.removed == [A1]
    assert changes.other == []


def test_only_the_pull_requests_part_of_githubs_merge_commit(
    repo: git.Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the workflow sees: the merge commit, fetched two deep, against its first parent.
    An application merged into main after the branch was made is not the PR's."""
    fork_point = repo.head.commit.hexsha
    repo.git.checkout("-b", "feature")
    commit(repo, "applicant", {f"{A2}/application.yaml": "id: A-2026-0002\n"})
    repo.git.checkout("main")
    commit(repo, "someone else's, merged first", {f"{A4}/application.yaml": "id: A-2026-0004\n"})
    repo.git.checkout("-b", "pull/1/merge")
    repo.git.merge("feature", no_ff=True, m="Merge feature into main")
    clone = git.Repo.clone_from(
        f"file://{repo.working_dir}", tmp_path / "pr", depth=2, branch="pull/1/merge"
    )
    assert clone.git.rev_parse("--is-shallow-repository") == "true"
    assert run_cli(["--root", str(tmp_path / "pr"), "--base", "HEAD^1", "--head", "HEAD"]) == 0
    assert capsys.readouterr().out == f"{A2}\n"
    # three-dot semantics also from the branches themselves
    changes = changed_applications(Path(repo.working_dir), "main", "feature")
    assert changes.folders == [A2]
    assert changed_applications(Path(repo.working_dir), fork_point, "main").folders == [A4]


def test_bad_revision_and_no_repository(
    repo: git.Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["--root", repo.working_dir, "--base", "no-such-branch"]) == 2
    assert "'no-such-branch' is not a commit" in capsys.readouterr().err
    (tmp_path / "plain").mkdir()
    assert run_cli(["--root", str(tmp_path / "plain"), "--base", "HEAD"]) == 2
    assert "is not a git repository" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("path", "folder"),
    [
        (f"{A1}/application.yaml", A1),
        (f"{A1}/attachments/letter.pdf", A1),
        ("submissions/2026/stray.yaml", "submissions/2026/stray.yaml"),
        ("submissions/README.md", None),
        ("catalog/datasets/ds-a.yaml", None),
        ("site/submissions/2026/x/y.md", None),
    ],
)
def test_application_folder(path: str, folder: str | None) -> None:
    assert application_folder(path) == folder
