"""The built site in headless Chromium (Debian's, driven by Playwright), served on loopback.

Skips with a reason when /usr/bin/chromium or node_modules/axe-core is missing; CI installs both
(``apt-get install chromium fonts-noto-cjk`` and ``npm ci``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import (
    AXE,
    CHROMIUM,
    FLAGS,
    FORM_SCRIPTS,
    MERMAID,
    PREFIX,
    REPO,
    Watched,
    watch,
)

sys.path.insert(0, str(REPO / "tests" / "site"))  # the small catalog of the site tests


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    missing = [str(p) for p in (CHROMIUM, AXE, MERMAID, *FORM_SCRIPTS) if not p.is_file()]
    for item in items:
        if item.get_closest_marker("browser") and missing:
            item.add_marker(
                pytest.mark.skip(
                    reason=f"browser tests need {', '.join(missing)}: "
                    "apt-get install chromium fonts-noto-cjk; npm ci"
                )
            )


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from site_fixture import make_root

    from cohortgate.site.build import build
    from cohortgate.site.serve import serve_in_thread

    lay = make_root(tmp_path_factory.mktemp("browser-site"))
    built, findings = build(lay, strict=True)
    assert built is not None and findings == []
    server, url = serve_in_thread(built.site, PREFIX)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=FLAGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def watched(browser: Any, base_url: str) -> Iterator[Watched]:
    yield from watch(browser, base_url)
