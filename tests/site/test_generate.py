"""The generator: a page per dataset and language, only published values, refusals as findings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from site_fixture import pku_stats, write_stats

from cohortgate.findings import Finding, Severity
from cohortgate.layout import Layout
from cohortgate.models.stats import Cell
from cohortgate.policy import DEFAULT_DISCLOSURE, DISCLOSURE_PRESETS
from cohortgate.site import pages_stats
from cohortgate.site.generate import dictionary_path, generate
from cohortgate.site.labels import LANGS

IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)]+\.svg)\)")


def generated(lay: Layout) -> Path:
    result, findings = generate(lay)
    assert findings == []
    assert result is not None
    return result.docs


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def test_every_dataset_has_a_page_in_every_language(root: Layout) -> None:
    docs = generated(root)
    for lang in LANGS:
        assert (docs / lang / "datasets" / "index.md").is_file()
        for ds in ("ds-pku", "ds-sma"):
            assert (docs / lang / "datasets" / f"{ds}.md").is_file()


def test_both_languages_have_the_same_pages(root: Layout) -> None:
    docs = generated(root)
    trees = {
        lang: sorted(p.relative_to(docs / lang).as_posix() for p in (docs / lang).rglob("*"))
        for lang in LANGS
    }
    assert trees["zh"] == trees["en"]
    assert "mechanism/process.md" in trees["zh"]


def test_suppressed_cells_read_suppressed_never_zero(root: Layout) -> None:
    docs = generated(root)
    stats = pku_stats()
    suppressed = sum(c.suppressed for t in stats.tables for c in t.cells)
    for lang, word in (("zh", "已抑制"), ("en", "suppressed")):
        page = (docs / lang / "datasets" / "ds-pku.md").read_text("utf-8")
        cells = re.findall(r'<td class="cg-num cg-sup">([^<]*)</td>', page)
        assert cells == [word] * suppressed


def test_a_suppressed_cell_never_shows_its_value() -> None:
    """Even a file that (wrongly) keeps a value beside ``suppressed: true`` shows no number."""
    cell = Cell(key=["F"], value=3, suppressed=True)
    assert pages_stats.shown(cell) is None
    assert pages_stats.cell_html(cell, "zh") == '<td class="cg-num cg-sup">已抑制</td>'


def test_totals_are_labelled_as_sums_of_published_values(root: Layout) -> None:
    page = (generated(root) / "en" / "datasets" / "ds-pku.md").read_text("utf-8")
    assert 'Total (sum of published values)</th><td class="cg-num">115</td>' in page
    assert "the rows do not add up to the population" in page  # the non-additive table


def test_charts_exist_and_carry_alt_text(root: Layout) -> None:
    docs = generated(root)
    for lang in LANGS:
        page = docs / lang / "datasets" / "ds-pku.md"
        images = IMAGE.findall(page.read_text("utf-8"))
        assert len(images) == len(pku_stats().tables)
        for alt, src in images:
            assert len(alt) > 10
            assert (page.parent / src).resolve().is_file()


def test_policy_numbers_come_from_the_policy_module(root: Layout) -> None:
    docs = generated(root)
    policy = DISCLOSURE_PRESETS[DEFAULT_DISCLOSURE]
    for lang in LANGS:
        text = (docs / lang / "mechanism" / "statistics.md").read_text("utf-8")
        assert "{{" not in text
        assert f"`{policy.name}`" in text
        assert str(policy.threshold) in text and str(policy.protection_width) in text
    for path in (root.site_sources).rglob("*.md"):  # the sources name no number by value
        source = path.read_text("utf-8")
        assert "opensafely" not in source.lower(), path


def test_the_diagram_page_gets_the_vendored_mermaid(root: Layout) -> None:
    docs = generated(root)
    for lang in LANGS:
        text = (docs / lang / "mechanism" / "process.md").read_text("utf-8")
        assert '<script src="../../assets/vendor/mermaid.min.js"></script>' in text
        assert (docs / lang / "assets" / "vendor" / "mermaid.min.js").is_file()


def test_no_resource_from_another_host_in_generated_pages(root: Layout) -> None:
    docs = generated(root)
    resource = re.compile(r'<(?:img|script|link|iframe|source)\b[^>]*(?:src|href)="https?://')
    for path in docs.rglob("*.md"):
        text = path.read_text("utf-8")
        assert not resource.search(text), path
        assert not re.search(r"!\[[^\]]*\]\(https?://", text), path


def test_the_medical_dictionary_keeps_disease_names_whole(root: Layout) -> None:
    generated(root)
    words = dictionary_path(root).read_text("utf-8").split("\n")
    assert "苯丙酮尿症 20000 nz" in words and "脊髓性肌萎缩症 20000 nz" in words
    assert not any(w.startswith("出生日期") for w in words)  # ordinary labels stay out
    jieba = pytest.importorskip("jieba")
    jieba.setLogLevel(40)
    tokenizer = jieba.Tokenizer()
    with dictionary_path(root).open("rb") as handle:
        tokenizer.load_userdict(handle)
    assert "苯丙酮尿症" in tokenizer.lcut("苯丙酮尿症随访队列")


def test_statistics_failing_the_audit_stop_the_build(root: Layout) -> None:
    refusal = Finding("catalog/stats/ds-pku.json", 12, 9, "privacy.small-cell", "3 <= 7")

    result, findings = generate(root, lambda lay: [refusal])
    assert result is None
    assert codes(findings) == ["privacy.small-cell", "site.stats-refused"]
    assert not (root.build / "docs").exists()


def test_an_audit_warning_does_not_stop_the_build(root: Layout) -> None:
    note = Finding("catalog/stats/ds-pku.json", 1, 1, "x.note", "fyi", severity=Severity.WARNING)
    result, findings = generate(root, lambda lay: [note])
    assert result is not None and findings == [note]


def test_the_audit_refuses_a_small_published_count(root: Layout) -> None:
    stats = pku_stats()
    table = stats.tables[0]
    small = table.model_copy(
        update={"cells": [Cell(key=["F"], value=3), table.cells[1]], "total": 58}
    )
    write_stats(root, stats.model_copy(update={"tables": [small, *stats.tables[1:]]}))
    result, findings = generate(root)
    assert result is None
    assert {"privacy.small-cell", "site.stats-refused"} <= set(codes(findings))
    assert not (root.build / "docs").exists()


def test_statistics_of_an_unknown_dataset_are_refused(root: Layout) -> None:
    write_stats(root, pku_stats().model_copy(update={"dataset": "ds-gone"}))
    result, findings = generate(root)
    assert result is None
    assert codes(findings) == ["site.stats-unknown-dataset"]


def test_a_page_in_one_language_only_is_a_finding(root: Layout) -> None:
    (root.site_sources / "zh" / "extra.md").write_text("# 额外\n", "utf-8")
    result, findings = generate(root)
    assert result is None
    assert codes(findings) == ["site.missing-translation"]
    assert findings[0].file == "site/zh/extra.md"
    assert "site/en/extra.md" in findings[0].hint


def test_an_unknown_placeholder_is_a_located_finding(root: Layout) -> None:
    page = root.site_sources / "en" / "mechanism" / "scoring.md"
    page.write_text(page.read_text("utf-8") + "\nAt most {{ policy.NO_SUCH_NUMBER }}.\n", "utf-8")
    result, findings = generate(root)
    assert result is None
    [finding] = findings
    assert finding.code == "site.unknown-placeholder"
    assert finding.file == "site/en/mechanism/scoring.md"
    assert finding.line == len(page.read_text("utf-8").splitlines())
    assert "policy.TRACKING_MONTHS" in finding.hint


def test_a_missing_mermaid_script_is_a_finding(root: Layout) -> None:
    (root.root / "node_modules" / "mermaid" / "dist" / "mermaid.min.js").unlink()
    result, findings = generate(root)
    assert result is None
    assert codes(findings) == ["site.vendor-missing"]
    assert "npm ci" in findings[0].hint


def test_a_failed_run_keeps_the_previous_tree(root: Layout) -> None:
    docs = generated(root)
    (root.site_sources / "zh" / "extra.md").write_text("# 额外\n", "utf-8")
    assert generate(root)[0] is None
    assert (docs / "zh" / "datasets" / "ds-pku.md").is_file()
