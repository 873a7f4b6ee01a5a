"""A real ``mkdocs build --strict`` of both languages on the small fixture catalog."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from site_fixture import make_root

from cohortgate.layout import Layout
from cohortgate.site.build import build

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lay = make_root(tmp_path_factory.mktemp("site"))
    built, findings = build(lay, strict=True)
    assert findings == []
    assert built is not None
    return built.site


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if found.get("id"):
            self.ids.add(str(found["id"]))


def parse(path: Path) -> Tags:
    parser = Tags()
    parser.feed(path.read_text("utf-8"))
    return parser


def pages(site: Path) -> list[Path]:
    """Content pages (404.html uses absolute URLs under site_url: it is served anywhere)."""
    return sorted(
        p for p in site.rglob("*.html") if "assets" not in p.parts and p.name != "404.html"
    )


# <link> relations that make the browser fetch something (canonical/alternate are metadata)
FETCHING_LINKS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "preconnect"}


def test_both_languages_are_built_with_their_language(site: Path) -> None:
    assert re.search(r'<html lang="zh"', (site / "index.html").read_text("utf-8"))
    assert re.search(r'<html lang="en"', (site / "en" / "index.html").read_text("utf-8"))
    zh = {
        p.relative_to(site).as_posix() for p in pages(site) if p.relative_to(site).parts[0] != "en"
    }
    en = {p.relative_to(site / "en").as_posix() for p in pages(site / "en")}
    assert zh == en
    assert {"datasets/ds-pku/index.html", "datasets/ds-sma/index.html"} <= zh


def test_every_local_link_and_image_resolves(site: Path) -> None:
    """MkDocs checks Markdown links; this also checks the raw HTML the generator writes."""
    broken = []
    for page in pages(site):
        tags = parse(page)
        for tag, attrs in tags.tags:
            ref = attrs.get("href") if tag in ("a", "link") else attrs.get("src")
            if not ref or tag not in ("a", "link", "img", "script"):
                continue
            parts = urlsplit(ref)
            if parts.scheme or ref.startswith(("#", "mailto:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {ref}")
            elif (
                parts.fragment
                and target.suffix == ".html"
                and parts.fragment not in parse(target).ids
            ):
                broken.append(f"{page.relative_to(site)}: {ref} (no such anchor)")
    assert broken == []


def test_no_page_loads_anything_from_another_host(site: Path) -> None:
    for page in pages(site):
        for tag, attrs in parse(page).tags:
            if tag == "a":
                continue  # links are navigation, not resources
            if tag == "link" and not FETCHING_LINKS & set((attrs.get("rel") or "").split()):
                continue
            for key in ("src", "href", "srcset", "data"):
                value = attrs.get(key) or ""
                assert not value.startswith(("http:", "https:", "//")), (page, tag, value)


def test_every_image_has_alt_text(site: Path) -> None:
    images = [attrs for page in pages(site) for tag, attrs in parse(page).tags if tag == "img"]
    assert len(images) >= 10
    assert all((attrs.get("alt") or "").strip() for attrs in images)


def test_search_keeps_disease_names_whole(site: Path) -> None:
    index = json.loads((site / "search" / "search_index.json").read_text("utf-8"))
    titles = [doc["title"] for doc in index["docs"] if doc["location"] == "datasets/ds-pku/"]
    assert titles and "苯丙酮尿症" in titles[0].split("\u200b")


def test_schemas_are_published_at_schemas(site: Path, repo_layout: Layout) -> None:
    for schema in sorted(repo_layout.schemas.glob("*.json")):
        assert (site / "schemas" / schema.name).read_bytes() == schema.read_bytes()


def test_a_broken_link_fails_the_strict_build(tmp_path: Path) -> None:
    lay = make_root(tmp_path)
    page = lay.site_sources / "en" / "mechanism" / "rights.md"
    page.write_text(page.read_text("utf-8") + "\nSee [nowhere](nowhere.md).\n", "utf-8")
    built, findings = build(lay, strict=True)
    assert built is None
    assert any("nowhere.md" in f.message for f in findings)
    assert {f.code for f in findings} == {"site.mkdocs"}
    assert all(f.file == "mkdocs.en.yml" for f in findings)
