"""What the browser tests share: where Chromium and axe-core are, how to watch a page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
MERMAID = REPO / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
# what the online application form vendors (cohortgate.site.apply_form.VENDOR)
FORM_SCRIPTS = [
    REPO / "node_modules" / "@json-editor" / "json-editor" / "dist" / "jsoneditor.js",
    REPO / "node_modules" / "ajv-dist" / "dist" / "ajv2020.min.js",
    REPO / "node_modules" / "ajv-i18n" / "localize" / "zh" / "index.js",
    REPO / "node_modules" / "js-yaml" / "dist" / "browser" / "js-yaml.umd.min.js",
]
PREFIX = "/cohortgate/"  # the path of site_url in mkdocs.yml: absolute links need it
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@dataclass
class Watched:
    """A page, with every request that left the loopback host and every script error."""

    page: Any
    base: str
    external: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, path: str) -> Any:
        self.page.goto(self.base + path, wait_until="networkidle")
        return self.page


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def watch(browser: Any, base: str, **context_options: Any) -> Iterator[Watched]:
    """A fresh page that records requests leaving 127.0.0.1 and script errors, and fails the
    test if there were any (use as the body of a generator fixture: ``yield from watch(...)``)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **context_options)
    page = context.new_page()
    seen = Watched(page, base)

    def on_request(request: Any) -> None:
        if not request.url.startswith(("http://127.0.0.1:", "data:", "blob:")):
            seen.external.append(request.url)

    page.on("request", on_request)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    yield seen
    context.close()
    assert seen.external == [], "requests left the host"
    assert seen.errors == [], "script errors"


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    violations: list[dict[str, Any]] = page.evaluate(
        "async tags => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target)}))",
        AXE_TAGS,
    )
    return [v for v in violations if v["impact"] in ("serious", "critical")]
