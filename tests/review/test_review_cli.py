"""The review commands end to end: ``review``, ``sheet``, ``decide``, ``approve-change``,
``rule-changes`` and ``quarter`` on a real repository with signed commits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from review_world import APP, FOLDER, World

from cohortgate.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _sign_written(world: World, path: str, signer: str) -> None:
    world.repo.git.add(path)
    options = ["gpg.format=ssh", f"user.signingkey={world.keys[signer].public_path}"]
    world.repo.git(c=options).commit("-S", "-q", "-m", f"review by {signer}")


def _score(world: World, path: str, value: int = 5) -> None:
    target = world.root / path
    text = target.read_text("utf-8").replace(": null", f": {value}")
    text = text.replace("comments: FILL-IN", "comments: Necessary and proportionate.")
    target.write_text(text.replace("recommendation: revise", "recommendation: approve"), "utf-8")


def _reviewed_by(world: World, capsys: pytest.CaptureFixture[str], *who: str) -> None:
    for member in who:
        code, _out, err = _run(
            capsys,
            "sheet",
            APP,
            "--reviewer",
            member,
            "--today",
            "2026-11-20",
            "--root",
            str(world.root),
        )
        assert code == 0, err
        path = f"{FOLDER}/reviews/{member}.yaml"
        _score(world, path)
        _sign_written(world, path, member)


def test_review_text_json_markdown(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    _reviewed_by(world, capsys, "dave", "bob", "erin")
    root = str(world.root)
    code, out, _ = _run(capsys, "review", APP, "--today", "2026-11-29", "--root", root)
    assert code == 0
    assert "academic: 2/2" in out and "the rule gives: approve" in out
    code, out, _ = _run(
        capsys, "review", APP, "--today", "2026-11-29", "--format", "json", "--root", root
    )
    data = json.loads(out)
    assert data["outcome"] == "approve" and data["quorum"]["met"] is True
    assert {s["member"] for s in data["signoffs"]} == {"bob", "dave", "erin"}
    assert data["fee"]["total"] > 0 and data["computed_indicators"]
    code, out, _ = _run(
        capsys, "review", FOLDER, "--today", "2026-11-29", "--format", "markdown", "--root", root
    )
    assert out.startswith("<!-- cohortgate-review -->")
    assert "| academic | 2 | 2 |" in out


def test_review_refuses_with_exit_1(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.sign_sheet("dave", signer="mallory")
    code, out, _ = _run(capsys, "review", APP, "--root", str(world.root), "--format", "github")
    assert code == 1
    assert out.startswith("::error file=submissions/2026/A-2026-0001/reviews/dave.yaml")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["review", "A-2026-0999"], "no application here"),
        (["review", "nonsense"], "is not an application"),
        (["review", APP, "--today", "29.11.2026"], "is not a date"),
        (["review", APP, "--base", "no-such-branch"], "'no-such-branch' is not a commit"),
        (
            [
                "decide",
                APP,
                "--chair",
                "alice",
                "--decision",
                "approve",
                "--quarter",
                "2026Q4",
                "--reasons",
                "x",
                "--today",
                "2026-11-29",
            ],
            "no quorum",
        ),
        (
            [
                "decide",
                APP,
                "--chair",
                "dave",
                "--decision",
                "approve",
                "--quarter",
                "2026Q4",
                "--reasons",
                "x",
            ],
            "is not a chair",
        ),
        (["sheet", APP, "--reviewer", "nobody"], "is not a member"),
        (["quarter", "2026Q5"], "is not a quarter"),
        (
            ["approve-change", "--base", "HEAD", "--chair", "alice", "--reason", "x"],
            "no governed path",
        ),
    ],
)
def test_bad_input_is_a_message_not_a_traceback(
    world: World, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _out, err = _run(capsys, *argv, "--root", str(world.root))
    assert code in (1, 2)
    assert message in err
    assert "Traceback" not in err and "internal error" not in err


def test_not_a_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _run(capsys, "review", APP, "--root", str(tmp_path))
    assert code == 2 and "not the root of a git repository" in err


def test_decide_writes_what_the_rules_allow(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    _reviewed_by(world, capsys, "dave", "bob", "erin")
    root = str(world.root)
    code, _out, err = _run(
        capsys,
        "decide",
        APP,
        "--chair",
        "alice",
        "--decision",
        "approve",
        "--quarter",
        "2026Q4",
        "--reasons",
        "Minuted at the meeting.",
        "--today",
        "2026-11-25",
        "--root",
        root,
    )
    assert code == 0, err
    _sign_written(world, f"{FOLDER}/decision.yaml", "alice")
    code, out, _ = _run(
        capsys, "review", APP, "--today", "2026-11-29", "--format", "json", "--root", root
    )
    assert code == 0
    assert json.loads(out)["decision"] == {
        "decision": "approve",
        "quarter": "2026Q4",
        "decided_on": "2026-11-25",
        "chair": "alice",
        "commit": world.repo.head.commit.hexsha,
        "valid": True,
    }


def test_sheet_refresh_keeps_scores(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    _reviewed_by(world, capsys, "dave")
    form = world.root / FOLDER / "application.yaml"
    world.commit({f"{FOLDER}/application.yaml": form.read_text("utf-8") + "\n"})
    code, _out, _err = _run(capsys, "sheet", APP, "--reviewer", "dave", "--root", str(world.root))
    assert code == 0
    text = (world.root / FOLDER / "reviews" / "dave.yaml").read_text("utf-8")
    assert ": null" not in text and "Necessary and proportionate." in text


def test_rule_changes_and_approve_change(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(world.root)
    rubric = world.root / "rubric" / "rubric.yaml"
    world.commit({"rubric/rubric.yaml": rubric.read_text("utf-8") + "# changed\n"})
    code, out, _ = _run(capsys, "rule-changes", "--base", world.base, "--root", root)
    assert code == 1 and out.count("review.rule-change-unapproved") == 2
    for chair in ("alice", "frank"):
        code, _out, err = _run(
            capsys,
            "approve-change",
            "--base",
            world.base,
            "--chair",
            chair,
            "--reason",
            "ok",
            "--root",
            root,
        )
        assert code == 0, err
        _sign_written(world, f"rubric/approvals/{chair}.yaml", chair)
    code, out, _ = _run(capsys, "rule-changes", "--base", world.base, "--root", root)
    assert code == 0, out


def test_quarter_agenda(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    _reviewed_by(world, capsys, "dave", "bob", "erin")
    root = str(world.root)
    code, out, err = _run(
        capsys, "quarter", "2026Q4", "--today", "2026-11-29", "--format", "json", "--root", root
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["cutoff"] == "2026-12-16" or data["cutoff"].startswith("2026-12")
    on_agenda = {item["application"] for item in data["agenda"]}
    assert APP in on_agenda
    first = next(i for i in data["agenda"] if i["application"] == APP)
    assert first["outcome"] == "approve"
    code, out, _ = _run(capsys, "quarter", "2026Q4", "--today", "2026-11-29", "--root", root)
    assert "2026Q4" in out and APP in out
