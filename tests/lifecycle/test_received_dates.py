"""Dates from a trusted party, not from the form (issue item 4).

The data management office's signed 'received' event (or, in CI, the pull request's creation
time passed as ``--received``) dates a submission; ethics approval and funding are judged on
it, again on the decision's day and on the release day, never on the form's 'submitted'. Dates
after the receipt or after today are refused where they appear. Real git repositories and real
ssh-keygen signatures (tests/review/review_world.py).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from lifecycle_world import LifeWorld
from review_world import FOLDER, dump

from cohortgate.applications.collect import collect
from cohortgate.findings import Finding
from cohortgate.layout import Layout
from cohortgate.models.lifecycle import Fact

RECEIVED = "2026-03-05"
CHECKED = date(2026, 11, 29)


def form(life: LifeWorld) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (life.world.root / FOLDER / "application.yaml").read_text()
    )
    return data


def change_form(life: LifeWorld, when: str = "2026-03-02T09:00:00+00:00", **fields: Any) -> None:
    data = form(life)
    for key, value in fields.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key].update(value)
        else:
            data[key] = value
    life.commit({f"{FOLDER}/application.yaml": dump(data)}, when=when)


def validate(life: LifeWorld, **options: Any) -> list[Finding]:
    root = life.world.root
    return collect(Layout(root), [root / FOLDER], today=options.pop("today", CHECKED), **options)


def of(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


# --- the 'received' event ---------------------------------------------------------------------


def test_the_received_event_dates_the_form(life: LifeWorld) -> None:
    life.event("received", RECEIVED, "erin")  # a member of the data management committee
    lc = life.life(CHECKED)
    assert lc.replay.received is not None and lc.replay.received.event.at == RECEIVED
    form_step = next(a.step for a in lc.replay.applied if a.step.trigger is Fact.FORM)
    assert form_step.day == date(2026, 3, 5)  # not the form's 'submitted' (2026-03-02)


def test_a_received_event_signed_without_the_role_is_refused(life: LifeWorld) -> None:
    life.event("received", RECEIVED, "dave")  # the academic committee
    lc = next(x for x in life.histories(CHECKED).lifecycles if x.folder == FOLDER)
    role = of(lc.findings, "lifecycle.event-role")
    assert len(role) == 1 and "data management committee" in role[0].message
    assert lc.replay.received is None
    # validate does not take the day from it either: judged on today, and says so
    change_form(life, ethics={"valid_until": "2026-03-04"})
    found = of(validate(life), "application.ethics-not-valid")
    assert len(found) == 1 and "today: no received date" in found[0].message


def test_a_second_received_event_is_refused(life: LifeWorld) -> None:
    life.event("received", RECEIVED, "erin")
    life.event("received", "2026-03-09", "frank")
    lc = next(x for x in life.histories(CHECKED).lifecycles if x.folder == FOLDER)
    assert [f.code for f in lc.findings] == ["lifecycle.guard-failed"]
    assert lc.replay.received is not None and lc.replay.received.event.at == RECEIVED


# --- validity judged on the received day ----------------------------------------------------------


def test_expired_ethics_with_a_back_dated_submitted_is_refused(life: LifeWorld) -> None:
    # The approval ran out on 2026-03-03; the applicant writes 'submitted: 2026-03-02'.
    change_form(life, ethics={"valid_until": "2026-03-03"}, submitted="2026-03-02")
    life.event("received", RECEIVED, "erin")
    findings = validate(life)
    found = of(findings, "application.ethics-not-valid")
    assert len(found) == 1, findings
    assert found[0].path == "$.ethics.valid_until" and found[0].line > 0
    assert (
        "2026-03-05" in found[0].message and "received by the data management" in found[0].message
    )
    assert f"{FOLDER}/events/{RECEIVED}-received.yaml" in found[0].message
    assert not of(findings, "application.date-after-receipt")


def test_expired_ethics_judged_on_received_option(life: LifeWorld) -> None:
    change_form(life, ethics={"valid_until": "2026-03-03"}, funding={"end": "2026-03-04"})
    findings = validate(life, received=date(2026, 3, 5))
    ethics = of(findings, "application.ethics-not-valid")
    funding = of(findings, "application.funding-not-current")
    assert len(ethics) == 1 and "--received" in ethics[0].message
    assert len(funding) == 1 and funding[0].path == "$.funding.end"
    # the same form, received the day before the approval ran out, passes
    assert not of(validate(life, received=date(2026, 3, 2)), "application.ethics-not-valid")


def test_without_a_received_date_judged_on_today_and_said(life: LifeWorld) -> None:
    change_form(life, ethics={"valid_until": "2026-06-30"})
    found = of(validate(life, today=date(2026, 7, 1)), "application.ethics-not-valid")
    assert len(found) == 1
    assert "2026-07-01 (today: no received date" in found[0].message
    assert "今天" in found[0].message_zh
    assert not of(validate(life, today=date(2026, 6, 30)), "application.ethics-not-valid")


def test_the_cli_takes_the_pull_requests_creation_time(life: LifeWorld) -> None:
    from cohortgate.applications.dating import received_day

    assert received_day("2026-03-05") == date(2026, 3, 5)
    assert received_day("2026-03-04T17:30:00Z") == date(2026, 3, 5)  # 01:30 in Beijing
    assert received_day("2026-03-05T10:00:00+08:00") == date(2026, 3, 5)


def test_validate_cli_received_option(life: LifeWorld, capsys: Any) -> None:
    from cohortgate.cli import main

    change_form(life, ethics={"valid_until": "2026-03-03"})
    root = str(life.world.root)
    argv = ["validate", "--root", root, "--today", "2026-11-29", "--format", "json"]
    assert main([*argv, "--received", "2026-03-04T17:30:00Z", str(life.world.root / FOLDER)]) == 1
    assert "application.ethics-not-valid" in capsys.readouterr().out
    assert main([*argv, "--received", "not-a-day", str(life.world.root / FOLDER)]) == 2


# --- dates after the receipt or after today ------------------------------------------------------


def test_a_submitted_after_the_receipt_is_refused(life: LifeWorld) -> None:
    change_form(life, submitted="2026-03-10")
    life.event("received", RECEIVED, "erin")
    found = of(validate(life), "application.date-after-receipt")
    assert len(found) == 1 and found[0].path == "$.submitted" and found[0].line > 0
    assert "2026-03-10" in found[0].message and RECEIVED in found[0].message


def test_a_future_submitted_is_refused(life: LifeWorld) -> None:
    change_form(life, submitted="2026-12-20")
    found = of(validate(life, today=date(2026, 12, 1)), "application.date-after-receipt")
    assert len(found) == 1 and found[0].path == "$.submitted"
    assert "today (2026-12-01)" in found[0].message


def test_a_future_received_event_does_not_count(life: LifeWorld) -> None:
    life.event("received", "2026-12-20", "erin")
    lc = next(x for x in life.histories(CHECKED).lifecycles if x.folder == FOLDER)
    assert "lifecycle.event-future" in [f.code for f in lc.findings]
    assert lc.replay.received is None


# --- at the decision ----------------------------------------------------------------------------


def test_a_future_reviewed_on_does_not_count(life: LifeWorld) -> None:
    world = life.world
    world.sign_sheet("dave", scores=world.role_scores("dave", 5), reviewed_on="2026-12-15")
    report = world.review()  # today: 2026-11-29
    found = [f for f in report.findings if f.code == "review.sheet-future"]
    assert len(found) == 1 and found[0].file == f"{FOLDER}/reviews/dave.yaml"
    assert found[0].path == "$.reviewed_on" and found[0].line > 0
    assert not report.valid_signoffs


def test_ethics_expired_at_the_decision_is_refused(life: LifeWorld) -> None:
    change_form(life, ethics={"valid_until": "2026-11-22"})
    life.approve()  # decided on 2026-11-25
    report = life.world.review()
    found = [f for f in report.findings if f.code == "review.lapsed-at-decision"]
    assert len(found) == 1 and found[0].path == "$.ethics.valid_until"
    assert found[0].file == f"{FOLDER}/application.yaml" and "2026-11-25" in found[0].message
    assert report.decision_valid is False


def test_in_force_at_the_decision_the_decision_stands(life: LifeWorld) -> None:
    life.approve()
    report = life.world.review()
    assert not [f for f in report.findings if f.code == "review.lapsed-at-decision"]
    assert report.decision_valid is True


# --- at the release ----------------------------------------------------------------------------


def _approved_folder(tmp_path: Path, valid_until: str) -> tuple[Path, Path]:
    from cohortgate.custodian.release.agreements import (
        record_signed,
        render_agreements,
        write_agreements,
    )
    from cohortgate.custodian.release.approval import reviewed_digests
    from cohortgate.models.application import Application
    from cohortgate.models.review import Decision

    source = Path(__file__).resolve().parents[2]
    root = tmp_path / "repo"
    folder = root / FOLDER
    folder.parent.mkdir(parents=True)
    shutil.copytree(source / FOLDER, folder)
    data = yaml.safe_load((folder / "application.yaml").read_text())
    data["ethics"]["valid_until"] = valid_until
    (folder / "application.yaml").write_text(dump(data), "utf-8")
    app = Application.model_validate(data)
    decision = Decision(
        application=app.id,
        quarter="2026Q4",
        decided_on="2026-11-25",
        decision="approve",  # type: ignore[arg-type]
        files=reviewed_digests(folder),
        reasons="Approved at the quarterly meeting.",
    )
    (folder / "decision.yaml").write_text(dump(decision.model_dump(mode="json")), "utf-8")
    texts = render_agreements(
        app,
        decision,
        custodian="数据中心",
        access_start=date(2026, 11, 29),
        access_end=date(2027, 5, 29),
        datasets_titles={d.dataset: d.dataset for d in app.datasets},
        genetic=False,
    )
    write_agreements(folder, texts)
    for kind, name in (("data_use", "dua"), ("confidentiality", "nda")):
        copy = folder / "agreements" / f"signed-{name}.pdf"
        copy.write_bytes(b"%PDF-1.4 signed " + name.encode())
        record_signed(folder, kind, copy, date(2026, 11, 28), ["数据中心", app.applicant.name])
    return root, folder


def test_ethics_expired_at_the_release_is_refused(tmp_path: Path) -> None:
    from cohortgate.custodian.release.approval import approved

    root, folder = _approved_folder(tmp_path, "2026-12-10")
    found, findings = approved(root, folder, date(2026, 12, 1))
    assert found is not None, findings
    found, findings = approved(root, folder, date(2026, 12, 11))
    assert found is None
    lapsed = [f for f in findings if f.code == "release.approval-lapsed"]
    assert len(lapsed) == 1 and lapsed[0].path == "$.ethics.valid_until"
    assert "the day of the release (today) 2026-12-11" in lapsed[0].message


def test_ethics_expired_at_the_decision_is_refused_at_release(tmp_path: Path) -> None:
    from cohortgate.custodian.release.approval import approved

    root, folder = _approved_folder(tmp_path, "2026-11-20")
    found, findings = approved(root, folder, date(2026, 11, 29))
    assert found is None
    lapsed = [f for f in findings if f.code == "release.approval-lapsed"]
    assert len(lapsed) == 1 and "the day of the decision 2026-11-25" in lapsed[0].message
