"""Helpers of the governed-change tests: run ``rule-changes`` and ``approve-change`` as a chair
does, commit an edit, lower a dataset's privacy class."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from review_world import World

from cohortgate.cli import main

POLICY = "src/cohortgate/policy.py"
QUORUM = "src/cohortgate/approval/quorum.py"
GOVERNED = "src/cohortgate/approval/governed.py"
DATASET = "catalog/datasets/ds-phenotypes.yaml"
UNAPPROVED = "review.rule-change-unapproved"
LOCATED = "review.governed-change-unapproved"


def rule_changes(
    world: World, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[dict[str, Any]]]:
    """``cohortgate rule-changes --format json``: (exit code, findings)."""
    code = main(
        ["rule-changes", "--base", world.base, "--root", str(world.root), "--format", "json"]
    )
    out, _err = capsys.readouterr()
    assert out, _err
    return code, json.loads(out)


def approve(world: World, capsys: pytest.CaptureFixture[str], *chairs: str) -> None:
    """Each chair writes the approval with ``approve-change`` and commits it alone, signed."""
    for chair in chairs:
        argv = ["approve-change", "--base", world.base, "--chair", chair, "--reason", "agreed"]
        code = main([*argv, "--today", "2026-11-28", "--root", str(world.root)])
        _out, err = capsys.readouterr()
        assert code == 0, err
        path = f"rubric/approvals/{chair}.yaml"
        world.commit({path: (world.root / path).read_text("utf-8")}, signer=chair)


def edit(world: World, path: str, change: Callable[[str], str]) -> int:
    """Commit ``change`` applied to ``path`` (unsigned, like any contributor's commit); the
    1-based number of the first line that differs."""
    before = (world.root / path).read_text("utf-8")
    after = change(before)
    assert after != before
    world.commit({path: after})
    pairs = zip(before.splitlines(), after.splitlines(), strict=False)
    return next((i for i, (a, b) in enumerate(pairs, 1) if a != b), 0)


def lower_privacy(text: str) -> str:
    """observed_date of the phenotype table: quasi_identifier -> other."""
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "- name: observed_date" in line)
    privacy = next(i for i in range(at, len(lines)) if "privacy:" in lines[i])
    lines[privacy] = lines[privacy].replace("quasi_identifier", "other")
    return "".join(lines)
