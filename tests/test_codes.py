"""The registry of finding codes: complete, documented on the site, and no dead codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cohortgate.codes import load_all
from cohortgate.findings.codes import Code, Texts, declare
from cohortgate.site.pages_reference import page

SRC = Path(__file__).resolve().parents[1] / "src" / "cohortgate"
TESTS = Path(__file__).resolve().parent
CODE_ID = re.compile(r"^[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*$")
DECLARED = re.compile(r"^([A-Z][A-Z0-9_]*) = declare\(\s*\"([^\"]+)\"", re.M)


def test_every_code_is_well_formed() -> None:
    codes = load_all()
    assert len(codes) >= 40
    for code in codes.values():
        assert CODE_ID.match(code.id), code.id
        assert code.title and code.description and code.template, code.id


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_code_is_on_the_reference_page(lang: str) -> None:
    text = page(lang)
    for code in load_all().values():
        assert f"{{#{code.id.replace('.', '-')}}}" in text, code.id


def test_no_code_is_declared_but_never_used() -> None:
    sources = {p: p.read_text("utf-8") for p in SRC.rglob("*.py")}
    unused = []
    declaring = [p for p in sources if p.name == "codes.py" and DECLARED.search(sources[p])]
    assert len(declaring) >= 15  # every room's codes were read: the check is not vacuous
    for path, text in sources.items():
        if path.name != "codes.py":
            continue
        for name, code_id in DECLARED.findall(text):
            uses = sum(
                len(re.findall(rf"\b{name}\b", other)) for p, other in sources.items() if p != path
            )
            if uses == 0 and len(re.findall(rf"\b{name}\b", text)) < 2:
                unused.append(code_id)
    assert unused == []


def test_codes_in_expected_reports_are_declared() -> None:
    codes = load_all()
    seen = set()
    for expected in TESTS.rglob("expected*.txt"):
        for match in re.finditer(
            r"\b((?:file|yaml|json|schema|catalog|application|privacy|site)\.[a-z0-9-]+)",
            expected.read_text("utf-8"),
        ):
            seen.add(match.group(1))
    assert seen, "the example corpora name codes"
    seen.discard("application.yaml")  # the form's file name, not a code
    assert sorted(seen - set(codes)) == []


def test_a_code_may_carry_its_chinese_texts() -> None:
    english = Code("demo.one", "Title", "Why.", "{file} is {what}", "Fix {what}.")
    chinese = Texts("标题", "原因。", "{file} 是 {what}", "修改 {what}。")
    both = Code(**{**english.__dict__, "zh": chinese})
    assert both.texts("zh") == chinese
    assert both.texts("en").template == "{file} is {what}"
    assert english.texts("zh").title == "Title"  # no Chinese declared: English


def test_a_chinese_template_must_have_the_same_placeholders() -> None:
    with pytest.raises(ValueError, match="other placeholders"):
        declare("demo.mismatch", "T", "D", "{file} is {what}", zh=Texts("T", "D", "{file}"))
    assert "demo.mismatch" not in load_all()


def test_a_chinese_hint_must_have_the_same_placeholders() -> None:
    with pytest.raises(ValueError, match="other placeholders"):
        declare("demo.hint", "T", "D", "{x}", "Fix {y}.", zh=Texts("T", "D", "{x}", "修改。"))
