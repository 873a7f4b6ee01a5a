"""Broken and hostile application files: a located finding and exit 1, never a traceback, a hang
or unbounded memory.

Each CLI case runs the real ``cohortgate validate`` in a subprocess, in a repository made of a
copy of ``catalog/``, with the address space limited to 1 GiB and a 20-second timeout (a guard
against hangs, not a benchmark). The 50 MB file and the 'billion laughs' are what the limits
are for. Below them, the loader's refusals of links and special files, its bounded read and
its acceptance of CRLF line endings are checked on the library itself.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from random import Random
from typing import Any

import pytest

from cohortgate.files import textfile
from cohortgate.files.loading import MAX_FILE_BYTES, LoadError, load_yaml_file, load_yaml_text
from cohortgate.files.modelcheck import check_model
from cohortgate.models.application import Application

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "src" / "cohortgate" / "applications" / "template.yaml"
APP_ID = "A-2026-0101"
ADDRESS_SPACE = 1 << 30  # bytes: the CLI needs ~110 MB of RSS for these cases
TIMEOUT = 20  # seconds

HEAD = """\
# yaml-language-server: $schema=https://cohortgate.github.io/cohortgate/schemas/application.schema.json
id: A-2026-0101
submitted: "2026-03-02"
title: 脊髓性肌萎缩症患儿运动功能与基因型关联研究
"""
HEAD_LINES = HEAD.count("\n")


def _limit_resources() -> None:  # runs in the child, before exec
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with the real catalog and an empty application folder."""
    shutil.copytree(ROOT / "catalog", tmp_path / "catalog")
    (tmp_path / "submissions" / "2026" / APP_ID).mkdir(parents=True)
    return tmp_path


def _form(repo: Path) -> Path:
    return repo / "submissions" / "2026" / APP_ID / "application.yaml"


def _validate(repo: Path, target: str | None = None) -> tuple[int, list[dict[str, Any]], str]:
    """Run the CLI on the application folder; (exit code, findings as JSON, stdout + stderr)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "OPENBLAS_NUM_THREADS": "1"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cohortgate",
            "validate",
            "--root",
            str(repo),
            "--format",
            "json",
            target or f"submissions/2026/{APP_ID}",
        ],
        cwd=repo,
        env=env,
        preexec_fn=_limit_resources,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.returncode == 1, output[-2000:]
    return result.returncode, json.loads(result.stdout), output


def _form_findings(findings: list[dict[str, Any]]) -> list[tuple[str, int]]:
    shown = f"submissions/2026/{APP_ID}/application.yaml"
    return [(f["code"], f["line"]) for f in findings if f["file"] == shown]


# -- generated files: each (bytes of application.yaml, expected code, expected line) -----------


def fifty_megabytes() -> tuple[bytes, str, int]:
    row = "  2026-01-01,shch,ORPHA:70,SMN1,c.840C>T,纯合,运动功能评分 42\n".encode()
    body = HEAD.encode() + b"data_dump: |\n" + row * (50_000_000 // len(row) + 1)
    return body, "file.too-large", 0


def billion_laughs() -> tuple[bytes, str, int]:
    lines = ['lol0: &lol0 ["哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈"]']
    lines += [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 10)}]" for i in range(1, 30)]
    return (HEAD + "\n".join(lines) + "\n").encode(), "yaml.alias", HEAD_LINES + 1


def alias_as_key() -> tuple[bytes, str, int]:
    text = HEAD + "base: &b x\n*b : 1\n"
    return text.encode(), "yaml.alias", HEAD_LINES + 1


def deep_flow() -> tuple[bytes, str, int]:
    return (HEAD + "selection: " + "[" * 1_000_000 + "\n").encode(), "yaml.too-deep", 5


def deep_block() -> tuple[bytes, str, int]:
    levels = "".join("  " * i + f"k{i}:\n" for i in range(1_000))  # 1 MB of indentation
    return (HEAD + levels).encode(), "yaml.too-deep", HEAD_LINES + 34


def many_values() -> tuple[bytes, str, int]:
    genes = ", ".join(["SMN1"] * 320_000)  # 1.9 MB: under the size limit, over the value limit
    return (HEAD + f"genes: [{genes}]\n").encode(), "yaml.too-many-values", HEAD_LINES + 1


def many_documents() -> tuple[bytes, str, int]:
    return (HEAD + "---\na: 1\n" * 100_000).encode(), "yaml.multiple-documents", HEAD_LINES + 1


def nul_byte() -> tuple[bytes, str, int]:
    return (HEAD + "notes: 见附\x00件\n").encode(), "file.control-character", HEAD_LINES + 1


def utf16() -> tuple[bytes, str, int]:
    return HEAD.encode("utf-16"), "file.wrong-encoding", 1


def utf16_without_bom() -> tuple[bytes, str, int]:
    return HEAD.encode("utf-16-le"), "file.wrong-encoding", 1


def gbk() -> tuple[bytes, str, int]:
    return HEAD.encode("gbk"), "file.wrong-encoding", HEAD_LINES


def random_bytes() -> tuple[bytes, str, int]:
    noise = Random(20260302).randbytes(200_000)
    return b"\xff" + noise, "file.not-utf8", 1


def python_tag() -> tuple[bytes, str, int]:
    text = HEAD + 'conflicts_of_interest: !!python/object/apply:os.system ["id"]\n'
    return text.encode(), "yaml.tag", HEAD_LINES + 1


def duplicate_key() -> tuple[bytes, str, int]:
    return (HEAD + "title: 另一个题目\n").encode(), "yaml.duplicate-key", HEAD_LINES + 1


def unclosed_quote() -> tuple[bytes, str, int]:
    return (HEAD + 'notes: "' + "很长的说明" * 100_000 + "\n").encode(), "yaml.syntax", 5


GENERATED: dict[str, Callable[[], tuple[bytes, str, int]]] = {
    f.__name__: f
    for f in (
        fifty_megabytes,
        billion_laughs,
        alias_as_key,
        deep_flow,
        deep_block,
        many_values,
        many_documents,
        nul_byte,
        utf16,
        utf16_without_bom,
        gbk,
        random_bytes,
        python_tag,
        duplicate_key,
        unclosed_quote,
    )
}


@pytest.mark.parametrize("name", GENERATED)
def test_generated_file_gives_one_located_finding(name: str, repo: Path) -> None:
    content, code, line = GENERATED[name]()
    _form(repo).write_bytes(content)
    _, findings, _ = _validate(repo)
    assert _form_findings(findings) == [(code, line)]


def test_a_very_long_line_is_read_and_checked(repo: Path) -> None:
    _form(repo).write_text(HEAD + "lay_summary_zh: " + "很" * 600_000 + "\n", "utf-8")
    _, findings, output = _validate(repo)
    assert ("schema.invalid", HEAD_LINES + 1) in _form_findings(findings)
    assert "很很很很很很很很很很" not in output  # the value is not echoed


# -- links and special files: the application checks may refuse them before the loader does ----

REFUSED = {"file.symlink", "file.not-regular", "application.misplaced", "file.missing"}


def test_a_link_to_a_secret_outside_the_repository(repo: Path, tmp_path_factory: Any) -> None:
    secret = tmp_path_factory.mktemp("elsewhere") / "secret.yaml"
    secret.write_text("password: hunter2-do-not-print\n", "utf-8")
    _form(repo).symlink_to(secret)
    _, findings, output = _validate(repo)
    codes = {code for code, _ in _form_findings(findings)}
    assert codes and codes <= REFUSED
    assert "hunter2" not in output


def test_a_linked_form_named_by_its_own_path(repo: Path, tmp_path_factory: Any) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "application.yaml"
    outside.write_text(f"id: {APP_ID}\nsecret_token: hunter2-do-not-print\n", "utf-8")
    _form(repo).symlink_to(outside)
    _, findings, output = _validate(repo, f"submissions/2026/{APP_ID}/application.yaml")
    assert "secret_token" not in output and "hunter2" not in output
    assert {code for code, _ in _form_findings(findings)} <= REFUSED


def test_a_link_to_an_endless_device(repo: Path) -> None:
    _form(repo).symlink_to("/dev/zero")
    _, findings, _ = _validate(repo)
    assert {code for code, _ in _form_findings(findings)} <= REFUSED


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_does_not_block(repo: Path) -> None:
    os.mkfifo(_form(repo))
    _, findings, _ = _validate(repo)
    assert {code for code, _ in _form_findings(findings)} <= REFUSED


def test_a_folder_named_like_the_form(repo: Path) -> None:
    _form(repo).mkdir()
    _, findings, _ = _validate(repo)
    assert {code for code, _ in _form_findings(findings)} <= REFUSED


def test_the_file_path_itself_is_accepted_as_a_target(repo: Path) -> None:
    _form(repo).write_bytes(nul_byte()[0])
    _, findings, _ = _validate(repo, f"submissions/2026/{APP_ID}/application.yaml")
    assert _form_findings(findings) == [("file.control-character", HEAD_LINES + 1)]


# -- the loader itself --------------------------------------------------------------------------


def _refusal(path: Path) -> tuple[str, int]:
    with pytest.raises(LoadError) as info:
        load_yaml_file(path, "application.yaml")
    return info.value.finding.code, info.value.finding.line


def test_the_loader_does_not_follow_links(tmp_path: Path) -> None:
    target = tmp_path / "real.yaml"
    target.write_text("a: 1\n", "utf-8")
    (tmp_path / "link.yaml").symlink_to(target)
    assert _refusal(tmp_path / "link.yaml") == ("file.symlink", 0)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_the_loader_refuses_special_files(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")  # no writer: opening it for reading would block
    assert _refusal(tmp_path / "pipe.yaml") == ("file.not-regular", 0)
    assert _refusal(tmp_path) == ("file.not-regular", 0)
    assert _refusal(Path("/dev/null")) == ("file.not-regular", 0)


def test_a_large_file_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as out:  # a sparse file: 50 MB that take no disk space
        out.truncate(50_000_000)
    read: list[int] = []
    real_read = os.read
    monkeypatch.setattr(textfile.os, "read", lambda fd, n: read.append(n) or real_read(fd, n))
    assert _refusal(path) == ("file.too-large", 0)
    assert read == []


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux's /proc")
def test_the_read_stops_one_byte_past_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # /proc files claim a size of 0 and hold more: the size check alone would not stop them
    read: list[int] = []
    real_read = os.read
    monkeypatch.setattr(textfile.os, "read", lambda fd, n: read.append(n) or real_read(fd, n))
    with pytest.raises(LoadError) as info:
        textfile.read_text(Path("/proc/self/status"), "status", 100)
    assert info.value.finding.code == "file.too-large"
    assert sum(read) <= 101


def test_a_file_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "edge.yaml"
    path.write_bytes(b"a: " + b"x" * (MAX_FILE_BYTES - 4) + b"\n")
    assert len(load_yaml_file(path).data["a"]) == MAX_FILE_BYTES - 4


def test_crlf_line_endings_are_accepted() -> None:
    text = TEMPLATE.read_text("utf-8")
    assert "\r" not in text
    lf = load_yaml_text(text, "application.yaml")
    crlf = load_yaml_text(text.replace("\n", "\r\n"), "application.yaml")
    assert crlf.data == lf.data
    assert crlf.positions == lf.positions
    assert check_model(crlf, Application)[1] == check_model(lf, Application)[1]


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("a: 1\r\nb: \x00\r\n", 2, 4),
        ("a: 1\rb: \x07\r", 2, 4),
        ("标题: 儿童\nb: 罕见病\x1b\n", 2, 7),
        ("a: '\ud800'\n", 1, 5),
    ],
)
def test_control_characters_are_located(text: str, line: int, column: int) -> None:
    with pytest.raises(LoadError) as info:
        load_yaml_text(text, "x.yaml")
    finding = info.value.finding
    assert (finding.code, finding.line, finding.column) == ("file.control-character", line, column)


# -- the corpus's byte-level cases keep their bytes (an editor or git setting could 'fix' them) --

EXAMPLES = Path(__file__).parent / "examples"


def _bytes_of(kind: str, case: str) -> bytes:
    return (EXAMPLES / kind / case / "application.yaml").read_bytes()


def test_the_byte_level_cases_keep_their_bytes() -> None:
    crlf = _bytes_of("valid", "loader-crlf-line-endings")
    assert crlf.count(b"\r\n") == crlf.count(b"\n") > 50
    assert _bytes_of("invalid", "loader-utf16-with-bom").startswith(b"\xff\xfe")
    assert b"\x00" in _bytes_of("invalid", "loader-nul-byte")
    assert b"\x1b" in _bytes_of("invalid", "loader-control-character")
    assert b"\t" in _bytes_of("invalid", "loader-tab-indentation")
    gbk = _bytes_of("invalid", "loader-gbk-encoding")
    assert "脊髓性肌萎缩症" in gbk.decode("gbk")
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    latin1 = _bytes_of("invalid", "loader-latin1-byte")
    assert b"Ren\xe9 " in latin1
