"""What the browser tests share: where Chromium and axe-core are, how to watch a page."""

from __future__ import annotations

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
