"""A disk that refuses a write (read-only, full, no permission) is a finding naming the file and
exit 2 for ``cohortgate stats`` and ``cohortgate optout``, never an internal error; the files
stay as they were. Leftovers of a killed run are recovered with a warning."""

from __future__ import annotations

import errno
import json
import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from cohort_fixtures import read
from test_stats import INSTITUTIONS_YAML, dataset

from cohortgate.cli import main
from cohortgate.custodian.vault.store import Vault
from cohortgate.layout import Layout

TODAY = date(2026, 11, 1)


@pytest.fixture
def repo(tmp_path: Path) -> Layout:
    lay = Layout(tmp_path / "repo")
    lay.datasets.mkdir(parents=True)
    lay.institutions.write_text(INSTITUTIONS_YAML, encoding="utf-8")
    data = dataset(("patient", "diagnosis")).model_dump(mode="json", exclude_none=True)
    (lay.datasets / "ds-test.yaml").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return lay


def _refuse(monkeypatch: pytest.MonkeyPatch, point: str, code: int, when: str = "") -> None:
    real = getattr(os, point)

    def refused(*args: Any, **kwargs: Any) -> Any:
        if when in str(args[0]):
            raise OSError(code, os.strerror(code))
        return real(*args, **kwargs)

    monkeypatch.setattr(os, point, refused)


def test_stats_on_a_read_only_disk_is_a_finding_and_exit_2(
    repo: Layout,
    cohort_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["stats", "--root", str(repo.root), "--cohort", str(cohort_path)]
    assert main(argv) == 0
    before = (repo.stats / "ds-test.json").read_bytes()
    capsys.readouterr()
    _refuse(monkeypatch, "mkdir", errno.EROFS, ".stats.staging")
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert (
        "catalog/stats: error file.write-failed: cannot write catalog/stats: the file system is "
        "read-only"
    ) in out
    assert "internal error" not in err and "previous files are intact" in err
    assert (repo.stats / "ds-test.json").read_bytes() == before
    assert sorted(p.name for p in repo.stats.parent.iterdir()) == [
        "datasets",
        "institutions.yaml",
        "stats",
    ]


def test_stats_recovers_what_a_killed_run_left(
    repo: Layout, cohort_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["stats", "--root", str(repo.root), "--cohort", str(cohort_path)]
    assert main(argv) == 0
    staging = repo.stats.with_name(".stats.staging")
    staging.mkdir()
    (staging / "ds-test.json").write_text("{half", "utf-8")
    capsys.readouterr()
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "catalog/stats: warning file.recovered" in out and "no findings" in out
    assert not staging.exists()


def test_optout_on_a_full_disk_is_a_message_and_exit_2(
    cohort_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = read(cohort_path, "consent", "patient_id", "broad_consent_date", "withdrawal_date")
    pid, consented = next(
        (p, c) for p, c, w in rows if c is not None and w is None and c < TODAY - timedelta(400)
    )
    where = tmp_path / "vault"
    Vault.create(where)
    before = (where / "log.jsonl").read_bytes()
    on = (consented + timedelta(days=30)).isoformat()
    argv = ["optout", pid, "--on", on, "--today", TODAY.isoformat(), "--vault", str(where)]
    argv += ["--cohort", str(cohort_path), "--root", str(tmp_path)]
    _refuse(monkeypatch, "write", errno.ENOSPC)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "cannot write vault/log.jsonl: the disk is full" in err  # the read is logged first
    assert "internal error" not in err
    monkeypatch.undo()
    assert (where / "log.jsonl").read_bytes() == before
    assert not (where / "optouts.json").exists()
    assert main(argv) == 0
    assert list(Vault.open(where).optouts()) == [pid]
