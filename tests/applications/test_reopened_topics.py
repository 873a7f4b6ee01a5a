"""R21: an application that expired without outputs no longer blocks its topic; the overlap
warning for a new application on the same datasets and diseases goes away."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import cohortgate.applications.validate as applications
from cohortgate.layout import Layout

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def lay(tmp_path: Path) -> Layout:
    shutil.copytree(ROOT / "catalog", tmp_path / "catalog")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    old = tmp_path / "submissions/2026/A-2026-0001"
    shutil.copytree(ROOT / "submissions/2026/A-2026-0001", old)
    new = tmp_path / "submissions/2026/A-2026-0005"
    shutil.copytree(old, new)
    form = new / "application.yaml"
    form.write_text(form.read_text("utf-8").replace("A-2026-0001", "A-2026-0005"), "utf-8")
    return Layout(tmp_path)


def _codes(lay: Layout) -> list[str]:
    folder = lay.root / "submissions/2026/A-2026-0005"
    return [f.code for f in applications.validate_applications(lay, [folder])]


def test_overlap_is_reported_while_the_topic_is_taken(lay: Layout) -> None:
    assert "application.overlapping-application" in _codes(lay)


APPROVED = """\
application: A-2026-0001
quarter: 2026Q2
decided_on: '2026-04-15'
decision: approve
files:
  application.yaml: {digest}
reasons: Approved.
"""


def test_a_reopened_topic_is_no_overlap(lay: Layout, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only an approved application can expire: the history is asked about approved ones."""
    monkeypatch.setattr(applications, "reopened_topics", lambda _lay: frozenset({"A-2026-0001"}))
    assert "application.overlapping-application" in _codes(lay)  # not approved: not reopened
    (lay.root / "submissions/2026/A-2026-0001/decision.yaml").write_text(
        APPROVED.format(digest="0" * 64), "utf-8"
    )
    assert "application.overlapping-application" not in _codes(lay)


def test_outside_git_nothing_is_reopened(lay: Layout) -> None:
    assert applications.reopened_topics(lay) == frozenset()
