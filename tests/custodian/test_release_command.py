"""``cohortgate release`` and ``cohortgate trace`` end to end: a real DuckDB cohort, a real
vault, real age keys, the real catalog, and applications approved in a real git repository
(signed sheets and a chair's signed decision, real ssh-keygen keys: ``signed_release_world``)
with signed agreements; every refusal leaves nothing behind."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from git import Repo
from signed_release_world import (
    GENETIC,
    L1,
    SignedWorld,
    build_signed_world,
    l2_application,
)
from signed_release_world import (
    L2 as L2_ID,
)

from cohortgate.cli import main
from cohortgate.custodian.release.package import unpack
from cohortgate.models.release import ReleaseManifest
from signing import Commit, Key

TODAY = "2026-11-29"


@pytest.fixture
def world(repo: Repo, commit: Commit, keys: dict[str, Key], cohort_path: Path) -> SignedWorld:
    """The three applications, each approved (signed sheets, alice's signed decision) and with
    its agreements signed, committed; the cohort in the custodian's zone."""
    world = build_signed_world(repo, commit, keys, cohort_path)
    for app_id in (L1, GENETIC, L2_ID):
        world.approve(app_id)
    return world


@pytest.fixture
def root(world: SignedWorld) -> Path:
    return world.root


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
    assert manifest.approved_at == Repo(root).head.commit.hexsha  # the commit verified
    treatments = {(v.table, v.name): v.treatment.value for v in manifest.variables}
    assert treatments[("patient", "medical_record_no")] == "dropped"
    assert treatments[("visit", "notes")] == "dropped"
    assert treatments[("patient", "patient_id")] == "pseudonymised"
    tables = {n: f for n, f in manifest.risk.items() if n not in ("joined", "joined_loss")}
    assert sorted(tables) == ["patient", "visit"]  # the tables with quasi-identifiers
    assert all(figures["k"] >= 5 for figures in tables.values())  # type: ignore[index]
    joined: Any = manifest.risk["joined"]  # the tables joined by the pseudonym (R28)
    assert joined["passes"] and joined["k"] >= 5 and "visit.sequence" in joined["quasi_identifiers"]
    print(yaml.safe_dump(manifest.risk["joined_loss"]))
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
    extract = sorted((root / "custodian" / "enclave" / "R-2026-0002-01").glob("*.csv"))
    assert extract
    for path in extract:  # pseudonymised (R31): no cohort id, no direct identifier
        rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))
        assert rows and all(len(row["patient_id"]) == 32 for row in rows)
        assert "medical_record_no" not in rows[0]
    assert manifest["risk"]["joined"]["passes"] is True  # gated like a portable release
    assert not list((root / "custodian").glob("outbox/*"))


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("revise", "release.not-approved"),
        ("changed", "release.uncommitted"),
        ("blacklisted", "release.blacklisted"),
        ("unsigned", "agreement.not-signed"),
        ("late", "release.period-over"),
        ("missing-variable", "release.variable-not-in-cohort"),
        ("not-duckdb", "release.cohort-unusable"),
        ("bad-recipient", "release.bad-recipient"),
    ],
)
def test_refusals_write_nothing(
    world: SignedWorld,
    root: Path,
    identity: Any,
    capsys: pytest.CaptureFixture[str],
    setup: str,
    code: str,
) -> None:
    folder = root / "submissions/2026" / L2_ID
    recipient = str(identity.to_public())
    extra: list[str] = []
    if setup == "revise":
        world.decide(L2_ID, "revise")  # alice's signed decision, now 'revise'
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
        data = l2_application()
        data["datasets"][0]["variables"].append(
            {"table": "visit", "name": "blood_type", "justification": "x"}
        )
        form = f"submissions/2026/{L2_ID}/application.yaml"
        world.commit({form: yaml.safe_dump(data, allow_unicode=True)})
        world.approve(L2_ID)  # the revised form, reviewed and approved again
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
