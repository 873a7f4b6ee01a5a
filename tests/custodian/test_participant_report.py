"""The participant report (R33, R35): the projects that received one participant's data, in
plain Chinese, as self-contained HTML and PDF in the custodian zone; nothing for an unknown id."""

from __future__ import annotations

import argparse
import hashlib
from datetime import date
from pathlib import Path

import git
import pytest
import yaml
from cohort_fixtures import read

from cohortgate.cli import participant_report as report_command
from cohortgate.custodian.participants.report import RESULTS_KIND, gather, render_html
from cohortgate.custodian.vault.store import Vault
from cohortgate.layout import Layout
from cohortgate.models.application import DeliveryMethod
from cohortgate.models.dataset import PrivacyLevel
from cohortgate.models.lifecycle import EventKind
from cohortgate.models.release import Package, ReleasedVariable, ReleaseManifest, Treatment

TODAY = date(2026, 11, 1)
A1, A2 = "A-2026-0001", "A-2026-0002"
R11, R12, R21 = "R-2026-0001-01", "R-2026-0001-02", "R-2026-0002-01"
HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
SUMMARY = "本研究希望了解罕见病患儿从出现症状到确诊需要多长时间，帮助医生更早发现疾病。" * 2
CITATION = "数据来源：儿童罕见病队列（示例引用）"


def _patients(cohort: Path, count: int) -> list[str]:
    ids = [pid for (pid,) in read(cohort, "patient", "patient_id")]
    return sorted(ids)[:count]


def _manifest(release: str, application: str, level: PrivacyLevel, created: str) -> str:
    enclave = level is PrivacyLevel.L3
    manifest = ReleaseManifest(
        release=release,
        application=application,
        privacy_level=level,
        delivery=DeliveryMethod.LOCAL_DATABASE if enclave else DeliveryMethod.ENCRYPTED_EMAIL,
        variables=[
            ReleasedVariable(table="patient", name="patient_id", treatment=Treatment.PSEUDONYMISED),
            ReleasedVariable(table="patient", name="birth_date", treatment=Treatment.AGE_BANDED),
            ReleasedVariable(table="patient", name="name", treatment=Treatment.DROPPED),
            ReleasedVariable(table="diagnosis", name="orpha_code", treatment=Treatment.KEPT),
        ],
        rows={"patient": 120, "diagnosis": 120},
        files={"patient.csv": "a" * 64, "diagnosis.csv": "b" * 64},
        package=None
        if enclave
        else Package(name=f"{release}.tar.age", sha256="c" * 64, bytes=2048),
        recipient=None if enclave else "age1" + "q" * 58,
        risk={"k": 5, "average_prosecutor_risk": 0.01},
        access_start=created,
        access_end="2027-06-30",
        created_on=created,
        vault_log_head="0" * 64,
        enclave=enclave,
    )
    return yaml.safe_dump(
        manifest.model_dump(mode="json", exclude_none=True), allow_unicode=True, sort_keys=False
    )


def _application(root: Path, application: str, title: str) -> Path:
    folder = root / "submissions" / application[2:6] / application
    (folder / "releases").mkdir(parents=True)
    text = yaml.safe_dump(
        {"id": application, "title": title, "lay_summary_zh": SUMMARY}, allow_unicode=True
    )
    (folder / "application.yaml").write_text(text, "utf-8")
    return folder


def _event(folder: Path, day: str, kind: str, **fields: object) -> None:
    events = folder / "events"
    events.mkdir(exist_ok=True)
    data: dict[str, object] = {
        "kind": kind,
        "application": folder.name,
        "at": day,
        "by": "pi@example.edu.cn",
    }
    data.update(fields)
    (events / f"{day}-{kind}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")


class World:
    def __init__(self, tmp_path: Path, cohort: Path) -> None:
        self.root = tmp_path / "repo"
        self.lay = Layout(self.root)
        self.cohort = cohort
        self.vault = Vault.create(tmp_path / "vault")
        self.out = tmp_path / "reports"
        self.alice, self.bob, self.carol = _patients(cohort, 3)
        one = _application(self.root, A1, "儿童罕见病确诊时间研究")
        two = _application(self.root, A2, HOSTILE)
        for folder, release, level, created in (
            (one, R11, PrivacyLevel.L2, "2026-03-01"),
            (one, R12, PrivacyLevel.L2, "2026-05-01"),
            (two, R21, PrivacyLevel.L3, "2026-04-01"),
        ):
            path = folder / "releases" / f"{release}.yaml"
            path.write_text(_manifest(release, folder.name, level, created), "utf-8")
            self.vault.new_release(release, folder.name)
        self.vault.record_members(R11, [self.alice, self.bob])
        self.vault.record_members(R12, [self.bob])
        self.vault.record_members(R21, [self.alice])
        attachment = folder_file = one / "events" / "manuscript.pdf"
        folder_file.parent.mkdir()
        attachment.write_bytes(b"%PDF-1.4 manuscript")
        digest = hashlib.sha256(attachment.read_bytes()).hexdigest()
        _event(
            one,
            "2026-10-01",
            "outputs",
            citation=CITATION,
            attachments={"events/manuscript.pdf": digest},
        )
        _event(
            one,
            "2026-12-01",
            "outputs",
            citation="以后才提交的成果",
            attachments={"events/manuscript.pdf": digest},
        )
        self.one, self.two = one, two

    def run(self, patient: str, *more: str) -> int:
        argv = [
            patient,
            "--today",
            TODAY.isoformat(),
            "--root",
            str(self.root),
            "--cohort",
            str(self.cohort),
            "--vault",
            str(self.vault.path),
            "--out",
            str(self.out),
            *more,
        ]
        parser = argparse.ArgumentParser(prog=f"cohortgate {report_command.NAME}")
        report_command.add_arguments(parser)
        return report_command.run(parser.parse_args(argv))


@pytest.fixture
def world(tmp_path: Path, cohort_path: Path) -> World:
    return World(tmp_path, cohort_path)


def test_the_report_lists_exactly_the_participants_releases(world: World) -> None:
    report, findings = gather(world.lay, world.vault, world.cohort, world.alice, TODAY)
    assert findings == [] and report is not None
    assert [u.release for u in report.uses] == [R11, R21]  # by release date
    report_bob, _ = gather(world.lay, world.vault, world.cohort, world.bob, TODAY)
    assert report_bob is not None
    assert [u.release for u in report_bob.uses] == [R11, R12]
    first = report.uses[0]
    assert first.outputs and first.outputs[0].on == "2026-10-01"
    assert len(first.outputs) == 1  # the event dated after --today is not reported yet
    assert report.uses[1].enclave and report.uses[1].outputs == []


def test_a_participant_in_no_release_gets_a_report_saying_so(world: World) -> None:
    report, findings = gather(world.lay, world.vault, world.cohort, world.carol, TODAY)
    assert findings == [] and report is not None and report.uses == []
    assert "没有任何研究项目获得过您的数据" in render_html(report)


def test_the_command_writes_escaped_chinese_html_and_a_pdf(world: World) -> None:
    assert world.run(world.alice) == 0
    stem = f"participant-{world.alice}-{TODAY.isoformat()}"
    page = (world.out / f"{stem}.html").read_text("utf-8")
    pdf = (world.out / f"{stem}.pdf").read_bytes()
    assert sorted(p.name for p in world.out.iterdir()) == [f"{stem}.html", f"{stem}.pdf"]
    for path in world.out.iterdir():
        assert path.stat().st_mode & 0o777 == 0o600
    assert world.out.stat().st_mode & 0o777 == 0o700
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert '<html lang="zh">' in page and "<h1>您的数据使用情况报告</h1>" in page
    assert "共有 2 个研究项目获得过您的数据" in page
    assert "儿童罕见病确诊时间研究" in page and SUMMARY in page and CITATION in page
    assert "以后才提交的成果" not in page
    assert "您的编号换成了只在这个项目里使用的代码" in page  # the pseudonym, in plain words
    assert "数据没有以文件形式离开数据中心" in page  # the L3 enclave release
    assert '<th scope="col">' in page and '<th scope="row">' in page
    # the hostile title is shown as text, never as markup
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img" in page
    # self-contained: no external stylesheet, script, font or image
    assert "http" not in page and "<link" not in page and "url(" not in page
    assert R12 not in page  # bob's release only


def test_an_unknown_participant_is_refused_and_nothing_is_written(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    log_before = (world.vault.path / "log.jsonl").read_bytes()
    assert world.run("P99999999") == 1
    assert "participants.unknown-patient" in capsys.readouterr().out
    assert not world.out.exists()
    assert (world.vault.path / "log.jsonl").read_bytes() == log_before


def test_a_missing_manifest_refuses_the_whole_report(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    (world.two / "releases" / f"{R21}.yaml").unlink()
    assert world.run(world.alice) == 1
    out = capsys.readouterr().out
    assert "participants.release-record" in out and R21 in out
    assert not world.out.exists()


def test_a_report_folder_inside_git_is_refused(world: World, tmp_path: Path) -> None:
    git.Repo.init(tmp_path / "work")
    world.out = tmp_path / "work" / "reports"
    assert world.run(world.alice) == 1
    assert not world.out.exists()
    (tmp_path / "work" / ".gitignore").write_text("/reports/\n")
    assert world.run(world.alice) == 0


def test_an_opted_out_participant_is_told_and_the_log_names_nobody(world: World) -> None:
    world.vault.record_optout(world.alice, date(2026, 6, 1), "家长要求退出")
    assert world.run(world.alice) == 0
    assert world.run(world.bob) == 0
    page = (world.out / f"participant-{world.alice}-{TODAY.isoformat()}.html").read_text("utf-8")
    assert "您已于 2026-06-01 退出" in page
    log = (world.vault.path / "log.jsonl").read_text("utf-8")
    for pid in (world.alice, world.bob, world.carol):
        assert pid not in log
    assert "家长要求退出" not in log


@pytest.mark.skipif(
    all(kind.value != RESULTS_KIND for kind in EventKind),
    reason=f"models.lifecycle has no '{RESULTS_KIND}' event kind yet (R35)",
)
def test_results_returned_to_participants_appear(world: World) -> None:
    _event(world.one, "2026-10-15", RESULTS_KIND, results_zh="一种饮食疗法对多数患儿有效。")
    report, findings = gather(world.lay, world.vault, world.cohort, world.alice, TODAY)
    assert findings == [] and report is not None
    assert [n.text for n in report.uses[0].results] == ["一种饮食疗法对多数患儿有效。"]
