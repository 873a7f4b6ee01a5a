"""``cohortgate release`` and ``cohortgate trace`` end to end: a real DuckDB cohort, a real
vault, real age keys, the real catalog, and an application with a decision and signed
agreements; every refusal leaves nothing behind."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pyrage
import pytest
import yaml

from cohortgate.cli import main
from cohortgate.custodian.release.agreements import (
    record_signed,
    render_agreements,
    write_agreements,
)
from cohortgate.custodian.release.approval import reviewed_digests
from cohortgate.custodian.release.package import unpack
from cohortgate.models.application import Application
from cohortgate.models.release import ReleaseManifest
from cohortgate.models.review import Decision

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2026-11-29"
L2_ID = "A-2026-0003"
L2_VARIABLES = [
    ("patient", "patient_id"),
    ("patient", "birth_date"),
    ("patient", "sex"),
    ("patient", "medical_record_no"),
    ("visit", "patient_id"),
    ("visit", "visit_date"),
    ("visit", "weight_kg"),
    ("visit", "height_cm"),
    ("visit", "notes"),
    ("diagnosis", "patient_id"),
    ("diagnosis", "orpha_code"),
]


def _l2_application() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "submissions/2026/A-2026-0001/application.yaml").read_text())
    data.update(
        id=L2_ID,
        privacy_level="L2",
        delivery="encrypted_email",
        datasets=[
            {
                "dataset": "ds-followup-visits",
                "variables": [
                    {"table": t, "name": n, "justification": "growth trajectories"}
                    for t, n in L2_VARIABLES
                ],
            }
        ],
        selection={"inclusion": {"diseases": ["ORPHA:739", "ORPHA:15", "ORPHA:98896", "ORPHA:70"]}},
    )
    return data


def _decide_and_sign(folder: Path, app_id: str, outcome: str = "approve") -> None:
    app = Application.model_validate(yaml.safe_load((folder / "application.yaml").read_text()))
    decision = Decision(
        application=app_id,
        quarter="2026Q4",
        decided_on="2026-11-25",
        decision=outcome,  # type: ignore[arg-type]
        files=reviewed_digests(folder),
        reasons="Approved at the quarterly meeting.",
    )
    text = yaml.safe_dump(decision.model_dump(mode="json"), allow_unicode=True, sort_keys=False)
    (folder / "decision.yaml").write_text(text, "utf-8")
    if outcome != "approve":
        return
    texts = render_agreements(
        app,
        decision,
        custodian="数据中心",
        access_start=date(2026, 11, 29),
        access_end=date(2027, 5, 29),
        datasets_titles={d.dataset: d.dataset for d in app.datasets},
        genetic=app_id == "A-2026-0002",
    )
    write_agreements(folder, texts)
    for kind, name in (("data_use", "dua"), ("confidentiality", "nda")):
        copy = folder / "agreements" / f"signed-{name}.pdf"
        copy.write_bytes(b"%PDF-1.4 signed " + name.encode())
        record_signed(folder, kind, copy, date(2026, 11, 28), ["数据中心", app.applicant.name])


@pytest.fixture(scope="module")
def identity() -> Any:
    return pyrage.x25519.Identity.generate()


@pytest.fixture
def root(tmp_path: Path, cohort_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "catalog", root / "catalog")
    (root / "rubric").mkdir()
    shutil.copy(ROOT / "rubric" / "blacklist.yaml", root / "rubric" / "blacklist.yaml")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    (root / "custodian").mkdir()
    shutil.copy(cohort_path, root / "custodian" / "cohort.duckdb")
    for app_id in ("A-2026-0001", "A-2026-0002"):
        shutil.copytree(ROOT / "submissions/2026" / app_id, root / "submissions/2026" / app_id)
        _decide_and_sign(root / "submissions/2026" / app_id, app_id)
    folder = root / "submissions/2026" / L2_ID
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "submissions/2026/A-2026-0001/protocol.pdf", folder / "protocol.pdf")
    shutil.copy(
        ROOT / "submissions/2026/A-2026-0001/ethics-letter.pdf", folder / "ethics-letter.pdf"
    )
    (folder / "application.yaml").write_text(
        yaml.safe_dump(_l2_application(), allow_unicode=True, sort_keys=False), "utf-8"
    )
    _decide_and_sign(folder, L2_ID)
    return root


def _release(root: Path, app_id: str, *extra: str, recipient: str | None = None) -> int:
    argv = [
        "release",
        app_id,
        "--root",
        str(root),
        "--today",
        TODAY,
        "--vault",
        str(root.parent / "vault"),
    ]
    if recipient:
        argv += ["--recipient", recipient]
    return main([*argv, *extra])


def _nothing_written(root: Path, app_id: str) -> None:
    assert not list((root / "submissions/2026" / app_id).glob("releases/*"))
    assert not list((root / "custodian").glob(f"outbox/R-{app_id[2:]}-*"))


def test_l2_release_then_trace_a_leak(
    root: Path, identity: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    recipient = str(identity.to_public())
    assert _release(root, L2_ID, recipient=recipient) == 0, capsys.readouterr()
    manifests = list((root / "submissions/2026" / L2_ID / "releases").glob("*.yaml"))
    assert [m.name for m in manifests] == ["R-2026-0003-01.yaml"]
    manifest = ReleaseManifest.model_validate(yaml.safe_load(manifests[0].read_text()))
    assert manifest.recipient == recipient and not manifest.enclave
    treatments = {(v.table, v.name): v.treatment.value for v in manifest.variables}
    assert treatments[("patient", "medical_record_no")] == "dropped"
    assert treatments[("visit", "notes")] == "dropped"
    assert treatments[("patient", "patient_id")] == "pseudonymised"
    assert all(figures["k"] >= 5 for figures in manifest.risk.values())  # type: ignore[index]
    text = manifests[0].read_text()
    assert "P0" not in text  # no cohort id in the public manifest
    sealed = (root / "custodian" / "outbox" / "R-2026-0003-01.tar.age").read_bytes()
    files = unpack(sealed, str(identity))
    assert sorted(files) == ["diagnosis.csv", "patient.csv", "visit.csv"]
    visits = list(csv.DictReader(io.StringIO(files["visit.csv"].decode())))
    assert "notes" not in visits[0] and len(visits[0]["patient_id"]) == 32
    assert not any(
        row["patient_id"].startswith("P") and row["patient_id"][1:].isdigit() for row in visits
    )
    # A leak: 200 rows, the pseudonym dropped, columns reordered.
    leak = tmp_path / "leak.csv"
    names = [n for n in visits[0] if n != "patient_id"][::-1]
    with leak.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=names, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(visits[:200])
    capsys.readouterr()
    code = main(["trace", str(leak), "--root", str(root), "--vault", str(root.parent / "vault")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "R-2026-0003-01" in out


def test_l1_release_is_aggregate(
    root: Path, identity: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _release(root, "A-2026-0001", recipient=str(identity.to_public())) == 0, (
        capsys.readouterr()
    )
    sealed = (root / "custodian" / "outbox" / "R-2026-0001-01.tar.age").read_bytes()
    files = unpack(sealed, str(identity))
    assert list(files) == ["ds-iem-labs.stats.json"]
    assert b'"suppressed"' in files["ds-iem-labs.stats.json"]


def test_genetic_data_go_to_an_enclave(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _release(root, "A-2026-0002") == 0, capsys.readouterr()
    manifest = yaml.safe_load(
        (root / "submissions/2026/A-2026-0002/releases/R-2026-0002-01.yaml").read_text()
    )
    assert manifest["enclave"] is True and "package" not in manifest
    assert list((root / "custodian" / "enclave" / "R-2026-0002-01").glob("*.csv"))
    assert not list((root / "custodian").glob("outbox/*"))


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("revise", "release.not-approved"),
        ("changed", "release.not-approved"),
        ("blacklisted", "release.blacklisted"),
        ("unsigned", "agreement.not-signed"),
        ("late", "release.period-over"),
        ("missing-variable", "release.variable-not-in-cohort"),
        ("not-duckdb", "release.cohort-unusable"),
        ("bad-recipient", "release.bad-recipient"),
    ],
)
def test_refusals_write_nothing(
    root: Path, identity: Any, capsys: pytest.CaptureFixture[str], setup: str, code: str
) -> None:
    folder = root / "submissions/2026" / L2_ID
    recipient = str(identity.to_public())
    extra: list[str] = []
    if setup == "revise":
        _decide_and_sign(folder, L2_ID, "revise")
    elif setup == "changed":
        (folder / "protocol.pdf").write_bytes(b"%PDF-1.4 another protocol")
    elif setup == "blacklisted":
        (root / "rubric" / "blacklist.yaml").write_text(
            "entries:\n  - person_email: chen.siyuan@xinhuamed.com.cn\n    reason: leak\n"
            "    listed_on: '2026-06-01'\n    decided_by: [chairs]\n",
            "utf-8",
        )
    elif setup == "unsigned":
        (folder / "agreements.yaml").unlink()
    elif setup == "late":
        extra = ["--start", "2025-01-01"]
    elif setup == "missing-variable":
        data = _l2_application()
        data["datasets"][0]["variables"].append(
            {"table": "visit", "name": "blood_type", "justification": "x"}
        )
        (folder / "application.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
        _decide_and_sign(folder, L2_ID)
    elif setup == "not-duckdb":
        (root / "custodian" / "cohort.duckdb").write_bytes(b"not a database")
    elif setup == "bad-recipient":
        recipient = "age1notakey"
    status = _release(root, L2_ID, *extra, recipient=recipient)
    out = capsys.readouterr().out
    assert status == 1, out
    assert code in out
    _nothing_written(root, L2_ID)


def test_tampered_vault_is_refused(
    root: Path, identity: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _release(root, "A-2026-0001", recipient=str(identity.to_public())) == 0
    log = root.parent / "vault" / "log.jsonl"
    lines = log.read_text().splitlines()
    lines[1] = lines[1].replace('"op":"', '"op":"x', 1)
    log.write_text("\n".join(lines) + "\n")
    capsys.readouterr()
    assert _release(root, L2_ID, recipient=str(identity.to_public())) == 2
    assert "vault" in capsys.readouterr().err
    _nothing_written(root, L2_ID)


def test_agreements_command_generates_and_records(
    root: Path, identity: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = root / "submissions/2026" / L2_ID
    shutil.rmtree(folder / "agreements")
    (folder / "agreements.yaml").unlink()
    base = ["--root", str(root)]
    assert main(["agreements", L2_ID, "--start", TODAY, *base]) == 0, capsys.readouterr()
    generated = sorted(p.name for p in (folder / "agreements").iterdir())
    assert generated == [
        "confidentiality-agreement.md",
        "confidentiality-agreement.pdf",
        "data-use-agreement.md",
        "data-use-agreement.pdf",
    ]
    assert _release(root, L2_ID, recipient=str(identity.to_public())) == 1  # not signed yet
    assert "agreement.not-signed" in capsys.readouterr().out
    for kind, name in (("data_use", "dua"), ("confidentiality", "nda")):
        copy = folder / "agreements" / f"signed-{name}.pdf"
        copy.write_bytes(b"%PDF-1.4 scanned, signed " + name.encode())
        argv = ["agreements", L2_ID, "--record", kind, "--copy", str(copy)]
        argv += ["--signed-on", "2026-11-28", "--party", "数据中心", "--party", "陈思远", *base]
        assert main(argv) == 0, capsys.readouterr()
    assert _release(root, L2_ID, recipient=str(identity.to_public())) == 0, capsys.readouterr()
    # A signed copy replaced afterwards is caught before the next release.
    (folder / "agreements" / "signed-dua.pdf").write_bytes(b"%PDF-1.4 another text")
    capsys.readouterr()
    assert _release(root, L2_ID, recipient=str(identity.to_public())) == 1
    assert "agreement.signed-copy-changed" in capsys.readouterr().out
