"""The built site as a reader meets it: catalog, charts, Chinese search, language switch, a11y."""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import Watched, serious_violations

pytestmark = pytest.mark.browser

PAGES = ["datasets/", "datasets/ds-pku/", "mechanism/", "mechanism/process/"]


def visible_rows(page: Any) -> list[str]:
    return page.locator("#cg-catalog tbody tr:visible td:first-child a").all_inner_texts()


@pytest.mark.parametrize(
    ("lang", "titles"),
    [
        ("", ["苯丙酮尿症随访队列", "脊髓性肌萎缩症自然史数据集"]),
        (
            "en/",
            ["Phenylketonuria follow-up cohort", "Spinal muscular atrophy natural history dataset"],
        ),
    ],
)
def test_the_index_lists_the_datasets(watched: Watched, lang: str, titles: list[str]) -> None:
    page = watched.open(lang + "datasets/")
    assert visible_rows(page) == titles


def test_the_index_filters_by_disease_level_and_institution(watched: Watched) -> None:
    page = watched.open("datasets/")
    page.select_option("#cg-f-disease", "ORPHA:70")
    assert visible_rows(page) == ["脊髓性肌萎缩症自然史数据集"]
    assert page.inner_text("#cg-count") == "显示 1 / 2 个数据集"
    page.click("#cg-filter button[type=reset]")
    page.wait_for_function("document.querySelectorAll('#cg-catalog tbody tr[hidden]').length == 0")
    page.select_option("#cg-f-level", "L3")
    assert visible_rows(page) == ["脊髓性肌萎缩症自然史数据集"]
    page.select_option("#cg-f-level", "")
    page.select_option("#cg-f-institution", "wch")
    assert visible_rows(page) == ["脊髓性肌萎缩症自然史数据集"]
    # the filter is in the address, so a link from a dataset page lands filtered
    page = watched.open("datasets/?disease=ORPHA:716")
    assert visible_rows(page) == ["苯丙酮尿症随访队列"]


def test_a_dataset_page_shows_its_charts(watched: Watched) -> None:
    page = watched.open("datasets/ds-pku/")
    charts = page.locator("img[src*='assets/charts/']")
    assert charts.count() == 4
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=chart.element_handle()
        )
        assert "精确数值见下表" in (chart.get_attribute("alt") or "")
    suppressed = page.locator("td.cg-sup")
    assert suppressed.count() > 0
    assert set(suppressed.all_inner_texts()) == {"已抑制"}


@pytest.mark.parametrize(
    ("term", "dataset"), [("苯丙酮尿症", "ds-pku"), ("脊髓性肌萎缩症", "ds-sma")]
)
def test_a_chinese_search_finds_the_disease(watched: Watched, term: str, dataset: str) -> None:
    page = watched.open("")
    page.locator("input.md-search__input").click()
    page.fill("input.md-search__input", term)
    page.keyboard.press("End")  # Material's search listens to key events, not to fill()
    page.wait_for_selector(".md-search-result__item")
    links = page.locator(".md-search-result__item a").evaluate_all("as => as.map(a => a.href)")
    assert any(f"/datasets/{dataset}/" in href for href in links)


def test_the_language_switch_keeps_the_page(watched: Watched) -> None:
    page = watched.open("datasets/ds-pku/")
    page.locator(".md-header__option .md-select").hover()
    page.click("a.md-select__link[hreflang=en]")
    page.wait_for_url(watched.base + "en/datasets/ds-pku/")
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("h1").inner_text() == "Phenylketonuria follow-up cohort"
    page.locator(".md-header__option .md-select").hover()
    page.click("a.md-select__link[hreflang=zh]")
    page.wait_for_url(watched.base + "datasets/ds-pku/")
    assert page.get_attribute("html", "lang") == "zh"


def test_the_process_diagram_renders_from_the_site_itself(watched: Watched) -> None:
    page = watched.open("mechanism/process/")
    # the theme draws the diagram into a closed shadow root: check its size, not its nodes
    page.wait_for_function("document.querySelector('div.mermaid')?.offsetHeight > 300")
    assert page.evaluate("typeof mermaid.render") == "function"  # the vendored copy
    assert "flowchart TD" not in page.inner_text("article")  # no source left as text


@pytest.mark.parametrize("lang", ["", "en/"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violation(watched: Watched, lang: str, path: str) -> None:
    page = watched.open(lang + path)
    # as the reader sees it: a diagram's source block is replaced by its drawing once the
    # theme has rendered it (on a loaded machine, after the network is idle)
    page.wait_for_function("!document.querySelector('.mermaid code')")
    assert serious_violations(page) == []
