"""The site built from the repository's own catalog and committed statistics, in Chromium.

The other browser tests use a small fixture catalog; these check what researchers really see:
every dataset listed, real disease names found by the Chinese search, charts that load, and
no serious accessibility violation on the real pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import PREFIX, REPO, Watched, serious_violations, watch

from cohortgate.catalog.load import load_catalog
from cohortgate.layout import Layout

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Layout]]:
    from site_fixture import make_root

    from cohortgate.site.build import build
    from cohortgate.site.serve import serve_in_thread

    lay = make_root(tmp_path_factory.mktemp("real-site"), REPO / "catalog")
    built, findings = build(lay, strict=True)
    assert built is not None and findings == []
    server, url = serve_in_thread(built.site, PREFIX)
    yield url, lay
    server.shutdown()
    server.server_close()


@pytest.fixture
def page_on(browser: Any, real: tuple[str, Layout]) -> Iterator[Watched]:
    yield from watch(browser, real[0])


def test_every_catalog_dataset_is_listed(page_on: Watched, real: tuple[str, Layout]) -> None:
    catalog, _ = load_catalog(real[1])
    page = page_on.open("datasets/")
    text = page.inner_text("article")
    for loaded in catalog.datasets:
        assert loaded.dataset.title.zh in text
    assert len(catalog.datasets) >= 6


@pytest.mark.parametrize(
    ("term", "dataset"),
    [
        ("杜氏肌营养不良", "ds-nmd-genetics"),
        ("苯丙酮尿症", "ds-iem-labs"),
        ("肝豆状核变性", "ds-iem-labs"),
        ("结节性硬化症", "ds-epilepsy-genetics"),
    ],
)
def test_the_chinese_search_finds_real_diseases(page_on: Watched, term: str, dataset: str) -> None:
    page = page_on.open("")
    page.locator("input.md-search__input").click()
    page.fill("input.md-search__input", term)
    page.keyboard.press("End")
    page.wait_for_selector(".md-search-result__item")
    links = page.locator(".md-search-result__item a").evaluate_all("as => as.map(a => a.href)")
    assert any(f"/datasets/{dataset}/" in href for href in links), links[:5]


def test_real_statistics_show_charts_and_suppressed_cells(page_on: Watched) -> None:
    page = page_on.open("datasets/ds-epilepsy-genetics/")
    charts = page.locator("img[src*='assets/charts/']")
    assert charts.count() >= 5
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=chart.element_handle()
        )
    assert page.locator("td.cg-sup").count() > 0  # small cells exist and are shown as such


REAL_PAGES = ["", "datasets/", "mechanism/"] + [
    f"datasets/{path.stem}/" for path in sorted((REPO / "catalog" / "datasets").glob("*.yaml"))
]


@pytest.mark.parametrize("lang", ["", "en/"])
@pytest.mark.parametrize("path", REAL_PAGES)
def test_real_pages_have_no_serious_accessibility_violation(
    page_on: Watched, lang: str, path: str
) -> None:
    page = page_on.open(lang + path)
    assert serious_violations(page) == []
