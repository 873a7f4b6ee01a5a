"""Identity (look-alike characters, free-mail, domains), attachment paths, the PDF writer and the
blacklist file."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import jsonschema
import pytest

from cohortgate.applications.attachments import leaves_folder
from cohortgate.applications.identity import ascii_twin, describe, within
from cohortgate.files.loading import load_yaml_file
from cohortgate.files.modelcheck import check_model
from cohortgate.files.pdf import minimal_pdf, wrap
from cohortgate.layout import Layout
from cohortgate.models.application import Application
from cohortgate.models.blacklist import Blacklist, BlacklistEntry
from cohortgate.policy import FREE_MAIL_DOMAINS


@pytest.mark.parametrize(
    ("char", "text"),
    [
        ("а", "U+0430 CYRILLIC SMALL LETTER A (looks like 'a')"),
        ("ｅ", "U+FF45 FULLWIDTH LATIN SMALL LETTER E (looks like 'e')"),
        ("é", "U+00E9 LATIN SMALL LETTER E WITH ACUTE (looks like 'e')"),
        ("ο", "U+03BF GREEK SMALL LETTER OMICRON (looks like 'o')"),
        ("\u200b", "U+200B ZERO WIDTH SPACE (invisible)"),
        ("陈", "U+9648 CJK UNIFIED IDEOGRAPH-9648"),
    ],
)
def test_non_ascii_characters_are_named(char: str, text: str) -> None:
    assert describe(char).en == text


def test_non_ascii_characters_are_named_in_chinese_too() -> None:
    assert describe("а", 3).zh == "U+0430 CYRILLIC SMALL LETTER A（形似“a”，第 3 个字符）"
    assert describe("\u200b").zh == "U+200B ZERO WIDTH SPACE（不可见）"
    assert describe("\u200b", 19).en == "U+200B ZERO WIDTH SPACE (invisible) at position 19"


def test_ascii_twins() -> None:
    assert [ascii_twin(c) for c in "аеорсху＠．"] == list("aeopcxy@.")
    assert ascii_twin("陈") is None


def test_the_issue_s_free_mail_domains_are_refused() -> None:
    named = "qq.com 163.com 126.com gmail.com outlook.com hotmail.com sina.com sohu.com yahoo.com"
    named += " foxmail.com icloud.com 139.com aliyun.com yeah.net"
    assert set(named.split()) <= FREE_MAIL_DOMAINS
    assert within("vip.163.com", FREE_MAIL_DOMAINS) == "163.com"
    assert within("not163.com", FREE_MAIL_DOMAINS) is None
    assert within("research.bch.com.cn", ["bch.com.cn"]) == "bch.com.cn"
    assert within("bch.com.cn.evil.org", ["bch.com.cn"]) is None


@pytest.mark.parametrize(
    ("path", "leaves"),
    [
        ("protocol.pdf", False),
        ("docs/protocol.pdf", False),
        ("docs/../protocol.pdf", True),
        ("../A-2026-0001/protocol.pdf", True),
        ("/etc/passwd", True),
        ("C:\\data\\protocol.pdf", True),
        ("..\\protocol.pdf", True),
        ("~/protocol.pdf", True),
    ],
)
def test_paths_that_leave_the_folder(path: str, leaves: bool) -> None:
    assert leaves_folder(path) is leaves


def test_minimal_pdf_has_exact_offsets() -> None:
    data = minimal_pdf(["研究方案 Research protocol (A-2026-0001)", "x" * 10] * 40, "标题 title")
    assert data.startswith(b"%PDF-1.4\n") and data.endswith(b"%%EOF\n")
    start = int(re.search(rb"startxref\n(\d+)\n", data).group(1))  # type: ignore[union-attr]
    assert data[start:].startswith(b"xref\n")
    rows = re.findall(rb"(\d{10}) 00000 n ", data[start:])
    for number, offset in enumerate(rows, start=1):
        assert data[int(offset) :].startswith(f"{number} 0 obj\n".encode())
    assert b"/Count 2" in data  # 80 lines: two pages


def test_wrap_keeps_every_character() -> None:
    text = "描述经典型苯丙酮尿症和甲基丙二酸血症cblC型患儿的确诊月龄分布。 " + "word " * 40
    lines = wrap(text)
    assert len(lines) > 2
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def _script(repo_root: Path) -> object:
    spec = importlib.util.spec_from_file_location(
        "example_attachments", repo_root / "scripts" / "example_attachments.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_example_attachments_are_what_the_script_generates(repo_root: Path) -> None:
    """The committed PDFs are generated from the forms (run scripts/example_attachments.py)."""
    script = _script(repo_root)
    folders = sorted(p.parent for p in (repo_root / "submissions").glob("*/*/application.yaml"))
    assert len(folders) >= 2
    for folder in folders:
        app = Application.model_validate(load_yaml_file(folder / "application.yaml").data)
        assert (folder / app.protocol.document).read_bytes() == script.protocol(app)  # type: ignore[attr-defined]
        if app.ethics:
            assert (folder / app.ethics.letter).read_bytes() == script.ethics_letter(app)  # type: ignore[attr-defined]


def test_the_blacklist_file_loads_and_lists_no_real_institution(repo_layout: Layout) -> None:
    path = repo_layout.rubric / "blacklist.yaml"
    doc = load_yaml_file(path)
    blacklist, problems = check_model(doc, Blacklist)
    assert problems == [] and blacklist is not None
    known = {i["id"] for i in load_yaml_file(repo_layout.institutions).data["institutions"]}
    assert not {e.institution for e in blacklist.entries} & known
    schema = json.loads((repo_layout.schemas / "blacklist.schema.json").read_text("utf-8"))
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(doc.data)) == []


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"reason": "r"}, "names a person_email, an institution or both"),
        ({"institution": "x", "reason": "r", "scope": "listed"}, "exactly when scope is 'listed'"),
        ({"institution": "x", "reason": "r", "datasets": ["ds-a"]}, "exactly when scope"),
    ],
)
def test_blacklist_entries_are_complete(entry: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BlacklistEntry.model_validate({**entry, "listed_on": "2026-01-01", "decided_by": ["a"]})
