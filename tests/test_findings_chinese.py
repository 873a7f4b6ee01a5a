"""A Chinese finding is Chinese throughout: the phrases a check builds itself (a suggestion, a
state, a reason, a fix, a YAML parser's explanation) fill the Chinese template in Chinese
(``findings.codes.Both``); only data stays as it is (ids, file names, quoted input, HPO and
Orphanet names, the parser's own words, in quotes).

Representative failing inputs go through ``cohortgate validate --lang zh`` in a process of their
own, and no run of three or more English words may remain outside quotes and ids.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
APPLICATIONS = REPO / "tests" / "applications" / "examples" / "invalid"
CATALOGS = REPO / "tests" / "catalog" / "examples"
FOLDER = "submissions/2026/A-2026-0100"
RECEIVED = "2026-03-09"  # the day the example applications were received (their corpus's)

# Quoted text is data (user input, ids, names, the parser's words): it may be in any language;
# so is an ontology term's name in brackets after its id: HP:0001252（Hypotonia）.
_DATA = re.compile(
    r"“[^”]*”|‘[^’]*’|'[^'\n]*'|\"[^\"\n]*\"|`[^`\n]*`"
    r"|(?:HP|ORPHA):[0-9]+ ?[（(][^）)]*[）)]"
)
# Chinese characters and full-width punctuation break a run of English words.
_TOKEN = re.compile(
    r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+|[^\s\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+"
)
_CJK = re.compile(r"[\u3400-\u9fff]")
# A word: letters only, at least one small letter (``PDF``, ``HPO``, ``ORPHA:70``, ``ds-iem-labs``,
# ``lab_result`` and ``hpo.jax.org`` are acronyms and ids, not words).
_WORD = re.compile(r"[A-Za-z]*[a-z][A-Za-z]*")


def english_runs(text: str) -> list[str]:
    """Every run of three or more English words, separated by spaces only, outside quotes."""
    runs: list[str] = []
    run: list[str] = []

    def close() -> None:
        if len(run) >= 3:
            runs.append(" ".join(run))
        run.clear()

    for token in _TOKEN.findall(_DATA.sub(" ", text)):
        bare = token.lstrip("(").rstrip(",;:.!?)")
        if not _WORD.fullmatch(bare):
            close()
            continue
        if bare != token.lstrip("("):  # punctuation after the word ends the run with it
            run.append(bare)
            close()
        else:
            run.append(bare)
    close()
    return runs


def test_the_detector_sees_english_and_spares_data() -> None:
    assert english_runs("数据集“ds-iem-lab”不在数据目录中") == []
    assert english_runs("您是否想写“ds-iem-labs”？请使用：ds-a, ds-b, ds-c。") == []
    assert english_runs("HP:0000057 在 HPO 2025-01-16 中已废弃；见 hpo.jax.org") == []
    assert english_runs("（YAML 解析器原文：“did not find expected key”）") == []
    assert english_runs("表有：diagnosis, lab_result, visit。") == []  # a list of ids
    assert english_runs("请替换为 HP:0001252（Mode of inheritance）。") == []  # an id's name
    assert english_runs("提示: Did you mean 'x'? Use one of these.") == [
        "Did you mean",
        "Use one of these",
    ]
    assert english_runs("原申请 A-1 has no decision yet") == ["has no decision yet"]
    assert english_runs("交付方式不适用于 level L2 with genetic data") == ["with genetic data"]


def _application(case: str, root: Path) -> list[str]:
    shutil.copytree(REPO / "catalog", root / "catalog", ignore=shutil.ignore_patterns("stats"))
    shutil.copytree(REPO / "rubric", root / "rubric")
    control = shutil.ignore_patterns("expected.txt", "setup.yaml")
    shutil.copytree(APPLICATIONS / case, root / FOLDER, ignore=control)
    return ["--received", RECEIVED, str(root / FOLDER)]


def _catalog(case: str, root: Path) -> list[str]:
    datasets = root / "catalog" / "datasets"
    datasets.mkdir(parents=True)
    shutil.copy(CATALOGS / "base" / "institutions.yaml", root / "catalog" / "institutions.yaml")
    for path in sorted((CATALOGS / "invalid" / case).glob("*.yaml")):
        shutil.copy(path, datasets / path.name)
    return []


def _validate_zh(root: Path, paths: list[str]) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("COHORTGATE_LANG", "LC_ALL")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cohortgate",
            "validate",
            "--lang",
            "zh",
            "--root",
            str(root),
            *paths,
        ],
        cwd=root,
        env={**env, "COHORTGATE_NO_CACHE": "1", "LANG": "en_US.UTF-8"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    return done.stdout


@pytest.mark.parametrize(
    ("kind", "case", "says"),
    [
        # an unknown dataset, with a suggestion and the list of research datasets
        (
            "application",
            "unknown-dataset",
            ["您是否想写“ds-iem-labs”？", "请使用以下研究数据集之一"],
        ),
        # obsolete, secondary and unknown HPO terms, an unknown gene
        ("application", "unknown-hpo-and-gene", ["在 HPO 2025-01-16 中已废弃", "HPO 术语", "基因"]),
        ("catalog", "obsolete-hpo", ["已废弃的术语", "请替换为"]),
        # attachments that are not PDFs reviewers can open
        ("application", "attachment-encrypted", ["文件已加密", "不受保护的副本"]),
        ("application", "attachment-empty", ["文件是空的"]),
        # YAML syntax errors explained, the parser's own words kept in quotes
        ("application", "loader-apostrophe-in-single-quotes", ["带引号的值", "YAML 解析器原文"]),
        ("application", "loader-missing-colon", ["YAML 解析器原文"]),
        # a look-alike character named by its Unicode name (data), described in Chinese
        ("application", "email-zero-width", ["不可见", "去掉不可见字符"]),
        # a DUO use condition not met, with a reason and a fix built by the check
        ("application", "duo-disease-specific-no-disease", ["纳入标准没有写明任何疾病"]),
        ("application", "duo-non-profit-payment", ["不属于非营利、非商业用途"]),
    ],
)
def test_chinese_findings_hold_no_english_phrase(
    tmp_path: Path, kind: str, case: str, says: list[str]
) -> None:
    paths = _application(case, tmp_path) if kind == "application" else _catalog(case, tmp_path)
    out = _validate_zh(tmp_path, paths)
    lines = out.splitlines()
    assert lines[-1].endswith("个警告"), out  # the summary, in Chinese
    findings = [line for line in lines[:-1] if line.strip()]
    assert findings and all(_CJK.search(line) for line in findings), out
    for phrase in says:
        assert phrase in out, out
    assert [run for line in findings for run in english_runs(line)] == [], out
