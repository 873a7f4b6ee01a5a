"""Findings speak the reader's language: Chinese or English, from ``--lang`` or the locale."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest
from catalog_examples import EXAMPLES, build_root

from cohortgate.findings import Finding
from cohortgate.findings.codes import Both, Code, Texts
from cohortgate.findings.language import from_environment
from cohortgate.findings.markdown import render_markdown
from cohortgate.findings.render import render_github, render_text

CODE = Code(
    "catalog.demo",
    "Demo",
    "Why.",
    "dataset {id} is broken",
    "Repair {id}.",
    zh_texts=Texts("示例", "原因。", "数据集 {id} 有误", "请修改 {id}。"),
)
FINDING = CODE.at("catalog/datasets/a.yaml", 3, 1, id="ds-a")


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),  # LC_ALL wins, as in gettext
        ({"LC_MESSAGES": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ({"COHORTGATE_LANG": "zh", "LC_ALL": "en_US.UTF-8"}, "zh"),
        ({"COHORTGATE_LANG": "fr", "LANG": "zh_CN"}, "zh"),  # an unknown choice is ignored
    ],
)
def test_the_language_comes_from_the_environment(env: dict[str, str], lang: str) -> None:
    assert from_environment(env) == lang


def test_a_finding_carries_both_languages() -> None:
    assert FINDING.text("zh") == ("数据集 ds-a 有误", "请修改 ds-a。")
    assert FINDING.text("en") == ("dataset ds-a is broken", "Repair ds-a.")
    english_only = Finding("f", 1, 1, "x.y", "message", "hint")
    assert english_only.text("zh") == ("message", "hint")  # English is the fallback


def test_text_speaks_one_language() -> None:
    zh = render_text([FINDING], "zh")
    assert "数据集 ds-a 有误" in zh and "提示: 请修改 ds-a。" in zh and "1 个错误，0 个警告" in zh
    assert "broken" not in zh
    en = render_text([FINDING], "en")
    assert "dataset ds-a is broken" in en and "数据集" not in en


def test_github_and_markdown_carry_chinese_first() -> None:
    annotation = render_github([FINDING])
    assert annotation.index("数据集 ds-a 有误") < annotation.index("dataset ds-a is broken")
    summary = render_markdown([FINDING])
    assert summary.index("数据集 ds-a 有误") < summary.index("dataset ds-a is broken")


def _validate(root: Path, *argv: str, env: dict[str, str]) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("COHORTGATE_LANG", "LC_ALL")}
    done = subprocess.run(
        [sys.executable, "-m", "cohortgate", *argv],
        cwd=root,
        env={**clean, "COHORTGATE_NO_CACHE": "1", **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    return done.stdout


@pytest.mark.parametrize(
    ("argv", "env", "lang"),
    [
        (("validate",), {"LANG": "zh_CN.UTF-8"}, "zh"),
        (("validate",), {"LANG": "en_US.UTF-8"}, "en"),
        (("validate", "--lang", "zh"), {"LANG": "en_US.UTF-8"}, "zh"),
        (("--lang", "en", "validate"), {"LANG": "zh_CN.UTF-8"}, "en"),
    ],
)
def test_validate_speaks_the_chosen_language(
    tmp_path: Path, argv: tuple[str, ...], env: dict[str, str], lang: str
) -> None:
    build_root(EXAMPLES / "invalid" / "unknown-orpha", tmp_path)
    out = _validate(tmp_path, *argv, "--root", str(tmp_path), env=env)
    counts = "个错误" if lang == "zh" else "error(s)"
    assert counts in out.splitlines()[-1]
    has_chinese = any("\u4e00" <= c <= "\u9fff" for line in out.splitlines()[:-1] for c in line)
    assert has_chinese is (lang == "zh")


def test_an_unknown_language_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    from cohortgate.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["validate", "--lang", "fr"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_the_parser_accepts_lang_after_the_command() -> None:
    from cohortgate.cli import build_parser

    args = build_parser().parse_args(["validate", "--lang", "zh"])
    assert isinstance(args, argparse.Namespace) and args.lang == "zh"
    assert build_parser().parse_args(["--lang", "en", "validate"]).lang == "en"
    assert build_parser().parse_args(["validate"]).lang is None


def test_a_phrase_of_the_check_fills_each_language() -> None:
    code = Code("catalog.demo2", "T", "D", "{id} is {why}", zh_texts=Texts("T", "D", "{id} {why}"))
    finding = code.at("f", id="ds-a", why=Both(zh="已停用", en="retired"))
    assert finding.text("en")[0] == "ds-a is retired"
    assert finding.text("zh")[0] == "ds-a 已停用"
