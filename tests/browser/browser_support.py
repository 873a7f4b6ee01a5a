"""What the browser tests share: where Chromium and axe-core are, how to watch a page."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
MERMAID = REPO / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
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
