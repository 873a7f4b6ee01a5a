"""The registry of finding codes: complete, documented on the site, and no dead codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from cohortgate.codes import load_all
from cohortgate.findings.codes import (
    Code,
    Texts,
    catalogs,
    chinese,
    declare,
    placeholders,
    same_placeholders,
)
from cohortgate.site.pages_reference import page

SRC = Path(__file__).resolve().parents[1] / "src" / "cohortgate"
TESTS = Path(__file__).resolve().parent
CODE_ID = re.compile(r"^[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*$")
DECLARED = re.compile(r"^([A-Z][A-Z0-9_]*) = declare\(\s*(?:#[^\n]*\n\s*)?\"([^\"]+)\"", re.M)


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
    assert english.zh is None  # no catalog entry for a code no room declares
    chinese = Texts("标题", "原因。", "{file} 是 {what}", "修改 {what}。")
    both = Code(**{**english.__dict__, "zh_texts": chinese})
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


def test_every_code_has_its_chinese_texts_in_its_room_s_catalog() -> None:
    """Every code has Chinese texts (the rooms' ``codes.zh.yaml``) with the same placeholders
    as the English ones; no catalog holds a code nobody declares, and each code's texts sit in
    the catalog next to the codes.py that declares it."""
    codes = load_all()
    catalogued = chinese()
    assert sorted(set(codes) - set(catalogued)) == []  # untranslated
    assert sorted(set(catalogued) - set(codes)) == []  # translated but never declared
    wrong = [
        code.id
        for code in codes.values()
        if not same_placeholders(catalogued[code.id], code.template, code.hint)
    ]
    assert wrong == []
    for catalog in catalogs():
        room = Path(str(catalog)).parent
        declared = DECLARED.findall((room / "codes.py").read_text("utf-8"))
        in_catalog = set(yaml.safe_load(catalog.read_text("utf-8")))
        assert in_catalog == {code_id for _name, code_id in declared}, room


def test_a_chinese_text_fills_its_template() -> None:
    for code in load_all().values():
        zh = code.zh
        assert zh is not None and zh.title and zh.description and zh.template, code.id
        params = {name: "x" for name in placeholders(code.template) | placeholders(code.hint)}
        try:
            finding = code.at("f", **params)
        except (KeyError, IndexError, ValueError, TypeError):
            continue  # a template with format specs ({n:.1f}) takes numbers: checked by use
        assert finding.message_zh and (finding.hint_zh or not code.hint), code.id
