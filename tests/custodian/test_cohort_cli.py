"""``cohortgate cohort generate|info``: a thin adapter with clear errors and no tracebacks."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from cohortgate.cli import cohort


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="cohortgate cohort")
    cohort.add_arguments(parser)
    return cohort.run(parser.parse_args(argv))


def test_generate_then_info(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COHORTGATE_CUSTODIAN_DIR", str(tmp_path / "vault"))
    assert run("generate", "--patients", "300", "--seed", "3", "--root", str(tmp_path)) == 0
    out = capsys.readouterr().out
    assert "cohort.duckdb" in out and "300 patients" in out and "seed 3" in out
    assert (tmp_path / "vault" / "cohort.duckdb").is_file()

    assert run("info", "--root", str(tmp_path)) == 0
    out = capsys.readouterr().out
    assert "patient" in out and "300" in out and "consent" in out


def test_generate_to_a_chosen_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "custodian" / "small.duckdb"
    assert run("generate", "--patients", "50", "--out", str(out), "--root", str(tmp_path)) == 0
    assert "custodian/small.duckdb" in capsys.readouterr().out
    assert run("info", "--cohort", str(out), "--root", str(tmp_path)) == 0


def test_info_without_a_cohort(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "custodian" / "cohort.duckdb"
    assert run("info", "--cohort", str(missing), "--root", str(tmp_path)) == 2
    err = capsys.readouterr().err
    assert "custodian/cohort.duckdb does not exist" in err
    assert "cohortgate cohort generate" in err and "Traceback" not in err


def test_info_on_a_file_that_is_not_a_cohort(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "custodian" / "cohort.duckdb"
    bad.parent.mkdir()
    bad.write_bytes(b"\x00not a database\x00" * 100)
    assert run("info", "--cohort", str(bad), "--root", str(tmp_path)) == 2
    err = capsys.readouterr().err
    assert "custodian/cohort.duckdb is not a DuckDB database" in err
    assert str(tmp_path) not in err


@pytest.mark.parametrize("patients", ["0", "-5", "many"])
def test_a_bad_patient_count_is_a_usage_error(patients: str) -> None:
    with pytest.raises(SystemExit) as info:
        run("generate", "--patients", patients)
    assert info.value.code == 2


def test_an_action_is_required() -> None:
    with pytest.raises(SystemExit) as info:
        run()
    assert info.value.code == 2
