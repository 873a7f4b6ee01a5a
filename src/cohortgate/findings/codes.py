"""Finding codes: each declared once with a title, a description (which requirement it
serves), a message template and a hint template, in English; its Chinese texts live beside it in
the room's message catalog ``codes.zh.yaml``.

Checks make findings only through ``Code.at``, which fills both languages. Every domain declares
its own codes in its ``codes.py``; ``cohortgate.codes`` collects them into the registry the
site's error reference is generated from. Translators edit the catalogs alone; a test checks that
every code has its Chinese texts with the same ``{placeholders}`` as the English ones.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Formatter
from typing import Any

import yaml

from cohortgate.findings import Finding, Severity

CATALOG = "codes.zh.yaml"  # one per room, next to its codes.py


@dataclass(frozen=True)
class Texts:
    """A code's texts in one language: title, description, message template and hint."""

    title: str
    description: str
    template: str
    hint: str = ""


@dataclass(frozen=True)
class Both:
    """A phrase that fills a placeholder, in both languages: a check that builds words of its own
    (a reason, a state, a suggestion) passes them as ``Both(zh=..., en=...)`` so that the Chinese
    message is Chinese throughout. Any other value fills both templates as it is."""

    zh: str
    en: str

    def __str__(self) -> str:
        return self.en


def _in(lang: str, params: dict[str, Any]) -> dict[str, Any]:
    return {k: (getattr(v, lang) if isinstance(v, Both) else v) for k, v in params.items()}


@dataclass(frozen=True)
class Code:
    id: str
    title: str
    description: str
    template: str
    hint: str = ""
    severity: Severity = Severity.ERROR
    zh_texts: Texts | None = None  # given here (tests), else the room's catalog has them
    catalog: str | None = None  # the declaring room's codes.zh.yaml, read first

    @property
    def zh(self) -> Texts | None:
        """The Chinese texts: given, or from the declaring room's catalog, or from any catalog
        (read only when the room's lacks them); None where none exist."""
        if self.zh_texts is not None:
            return self.zh_texts
        found = _catalog(self.catalog).get(self.id) if self.catalog else None
        return found or chinese().get(self.id)

    def texts(self, lang: str) -> Texts:
        """The code's texts in ``lang`` (``zh`` or ``en``), English where no Chinese exists."""
        zh = self.zh if lang == "zh" else None
        return zh or Texts(self.title, self.description, self.template, self.hint)

    def at(
        self,
        file: str,
        line: int = 0,
        column: int = 0,
        path: str = "$",
        **params: Any,
    ) -> Finding:
        """A finding of this code at a place; ``params`` fill the message and hint templates,
        in English and in Chinese."""
        zh, en_params, zh_params = self.zh, _in("en", params), _in("zh", params)
        return Finding(
            file=file,
            line=line,
            column=column,
            code=self.id,
            message=self.template.format(**en_params),
            hint=self.hint.format(**en_params),
            path=path,
            severity=self.severity,
            message_zh=zh.template.format(**zh_params) if zh else "",
            hint_zh=zh.hint.format(**zh_params) if zh else "",
        )


CODES: dict[str, Code] = {}


def declare(
    id: str,
    title: str,
    description: str,
    template: str,
    hint: str = "",
    severity: Severity = Severity.ERROR,
    *,
    zh: Texts | None = None,
) -> Code:
    """Declare a code; its Chinese texts come from the room's ``codes.zh.yaml`` (``zh`` here
    only where a code has no catalog, as in tests)."""
    if id in CODES:
        raise ValueError(f"finding code {id} declared twice")
    if zh is not None and not same_placeholders(zh, template, hint):
        raise ValueError(f"finding code {id}: the Chinese texts have other placeholders")
    module = sys._getframe(1).f_globals.get("__file__")  # the room's codes.py
    catalog = str(Path(module).with_name(CATALOG)) if module else None
    code = Code(id, title, description, template, hint, severity, zh, catalog)
    CODES[id] = code
    return code


def same_placeholders(zh: Texts, template: str, hint: str) -> bool:
    return placeholders(zh.template) == placeholders(template) and placeholders(
        zh.hint
    ) == placeholders(hint)


def placeholders(template: str) -> set[str]:
    """The ``{names}`` a template fills."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def catalogs() -> list[Traversable]:
    """Every room's ``codes.zh.yaml`` in the installed package."""
    found: list[Traversable] = []
    pending = [resources.files("cohortgate")]
    while pending:
        folder = pending.pop()
        for item in folder.iterdir():
            if item.is_dir() and item.name != "__pycache__":
                pending.append(item)
            elif item.name == CATALOG:
                found.append(item)
    return sorted(found, key=str)


def _entries(catalog: Traversable) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(catalog.read_text("utf-8"), Loader=loader) or {}


@cache
def _catalog(path: str) -> dict[str, Texts]:
    """The Chinese texts of one room's catalog (read once; none when it has no catalog)."""
    try:
        entries = _entries(Path(path))
    except FileNotFoundError:
        return {}
    return {code_id: Texts(**entry) for code_id, entry in entries.items()}


@cache
def chinese() -> dict[str, Texts]:
    """The Chinese texts of every code, by id, from the rooms' catalogs (read once)."""
    texts: dict[str, Texts] = {}
    for catalog in catalogs():
        for code_id, entry in _entries(catalog).items():
            if code_id in texts:
                raise ValueError(f"{catalog}: code {code_id} has Chinese texts twice")
            texts[code_id] = Texts(**entry)
    return texts
