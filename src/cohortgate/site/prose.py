"""Hand-written pages (``site/zh``, ``site/en``): paired, with policy numbers filled in.

A prose page names a policy number through a placeholder, never by value:
``{{ disclosure.threshold }}`` (a field of the default disclosure policy),
``{{ policy.TOP_GENES }}`` (a constant of ``cohortgate.policy``) or
``{{ disclosure.presets_table }}`` (every preset as a table); ``{{ badge.genetic }}`` and
``{{ badge.L2 }}`` write the badges the generated pages use. A page with a ``mermaid`` code
block gets the vendored mermaid script, served by the site itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cohortgate import policy
from cohortgate.findings import Finding
from cohortgate.layout import Layout
from cohortgate.site import codes as C
from cohortgate.site.html import badge
from cohortgate.site.labels import LANGS, PRIVACY_CLASS, PRIVACY_LEVEL, pick

PLACEHOLDER = re.compile(r"\{\{\s*([a-z]+)\.([A-Za-z0-9_]+)\s*\}\}")
MERMAID_FENCE = "```mermaid"
MERMAID_JS = "assets/vendor/mermaid.min.js"


@dataclass(frozen=True)
class ProsePage:
    path: str  # relative to site/<lang>/, posix
    lang: str
    text: str


def _yes_no(value: bool, lang: str) -> str:
    if lang == "zh":
        return "是" if value else "否"
    return "yes" if value else "no"


def _zeros_rule(sensitive: bool, lang: str) -> str:
    if lang == "zh":
        return "计数为 0 的单元格也不公布" if sensitive else "计数为 0 的单元格照常公布"
    return "cells counting 0 are withheld too" if sensitive else "cells counting 0 are published"


def presets_table(lang: str) -> str:
    if lang == "zh":
        head = "| 规则 | 不公布的计数 | 取整到 | 0 也抑制 | 保护区间宽度 | 来源 |"
    else:
        head = "| Rule | Counts withheld | Rounded to | Zeros too | Protection width | Source |"
    rows = [head, "|---|---|---|---|---|---|"]
    for p in policy.DISCLOSURE_PRESETS.values():
        mark = " **（默认）**" if lang == "zh" else " **(default)**"
        default = mark if p.name == policy.DEFAULT_DISCLOSURE else ""
        withheld = f"≤ {p.threshold}"
        rows.append(
            f"| `{p.name}`{default} | {withheld} | {p.rounding} | "
            f"{_yes_no(p.zeros_sensitive, lang)} | {p.protection_width} | {p.source} |"
        )
    return "\n".join(rows)


def values(lang: str) -> dict[str, str]:
    """Every placeholder a prose page may use, with its value in ``lang``."""
    default = policy.DISCLOSURE_PRESETS[policy.DEFAULT_DISCLOSURE]
    out = {
        "disclosure.preset": default.name,
        "disclosure.threshold": str(default.threshold),
        "disclosure.threshold_plus_one": str(default.threshold + 1),
        "disclosure.rounding": str(default.rounding),
        "disclosure.protection_width": str(default.protection_width),
        "disclosure.zeros_rule": _zeros_rule(default.zeros_sensitive, lang),
        "disclosure.source": default.source,
        "disclosure.presets_table": presets_table(lang),
        "policy.age_bands": "、".join(band[0] for band in policy.AGE_BANDS)
        if lang == "zh"
        else ", ".join(band[0] for band in policy.AGE_BANDS),
    }
    for cls, pair in PRIVACY_CLASS.items():
        out[f"badge.{cls.value}"] = badge(cls.value.replace("_", "-"), pick(pair, lang))
    for level, pair in PRIVACY_LEVEL.items():
        out[f"badge.{level.value}"] = badge(
            "level-" + level.value.lower(), level.value, pick(pair, lang)
        )
    for name in dir(policy):
        value = getattr(policy, name)
        if name.isupper() and isinstance(value, int | str) and not isinstance(value, bool):
            out[f"policy.{name}"] = str(value)
    return out


def depth_prefix(path: str) -> str:
    """Relative prefix from the page's URL (directory URLs) back to the site root."""
    parts = path.split("/")
    depth = len(parts) - 1 if parts[-1] == "index.md" else len(parts)
    return "../" * depth


def fill(text: str, path: str, lang: str, display: str) -> tuple[str, list[Finding]]:
    known = values(lang)
    findings: list[Finding] = []

    def replace(match: re.Match[str]) -> str:
        key = f"{match.group(1)}.{match.group(2)}"
        if key in known:
            return known[key]
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        findings.append(
            C.SITE_UNKNOWN_PLACEHOLDER.at(
                display, line, column, placeholder=key, known=", ".join(sorted(known))
            )
        )
        return match.group(0)

    out = PLACEHOLDER.sub(replace, text)
    if MERMAID_FENCE in out:
        script = f'<script src="{depth_prefix(path)}{MERMAID_JS}"></script>\n\n'
        out = _after_front_matter(out, script)
    return out, findings


def _after_front_matter(text: str, insert: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            cut = end + 5
            return text[:cut] + "\n" + insert + text[cut:]
    return insert + text


def load(lay: Layout) -> tuple[list[ProsePage], list[Finding]]:
    """The prose pages of both languages, filled; findings for unpaired pages and placeholders."""
    roots = {lang: lay.site_sources / lang for lang in LANGS}
    found = {lang: _md_files(root) for lang, root in roots.items()}
    findings: list[Finding] = []
    zh, en = found["zh"], found["en"]
    for path in sorted(zh ^ en):
        present, missing = ("zh", "en") if path in zh else ("en", "zh")
        findings.append(
            C.SITE_MISSING_TRANSLATION.at(
                lay.rel(roots[present] / path), page=path, present=present, missing=missing
            )
        )
    pages: list[ProsePage] = []
    for lang in LANGS:
        for path in sorted(found[lang]):
            file = roots[lang] / path
            text, problems = fill(file.read_text("utf-8"), path, lang, lay.rel(file))
            findings += problems
            pages.append(ProsePage(path, lang, text))
    return pages, findings


def _md_files(root: Path) -> set[str]:
    if not root.is_dir():
        return set()
    return {p.relative_to(root).as_posix() for p in root.rglob("*.md")}


def uses_mermaid(pages: list[ProsePage]) -> bool:
    return any(MERMAID_FENCE in p.text for p in pages)
