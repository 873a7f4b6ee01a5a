"""Load YAML (and JSON) strictly, keeping where every value stands in the file.

Rules, each one a finding rather than a traceback:

* at most ``MAX_FILE_BYTES``; UTF-8 only; no tabs for indentation;
* no duplicate keys (YAML would silently keep the last);
* no anchors or aliases (they let a small file expand exponentially);
* at most ``MAX_DEPTH`` levels of nesting;
* scalars follow YAML 1.2's core schema: ``true``/``false`` only, decimal integers, and dates
  stay strings so that JSON Schema's ``format: date`` applies (``yes``, ``on``, ``2024-01-01``
  are strings).

The result is plain data (dict, list, str, int, float, bool, None) plus a map from paths to
``(line, column)``, so that any later check can name the line it is about.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cohortgate import codes_loading as C
from cohortgate.findings import Finding, json_path

MAX_FILE_BYTES = 2_000_000  # a form or catalog entry is a few KB; 2 MB leaves ample room
MAX_DEPTH = 32  # the deepest real document (a dataset's variable dictionary) has 6 levels

try:  # libyaml's parser is ~10x faster; the pure-Python one gives the same marks
    _Base: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc]
    """Composes only: every scalar is resolved by ``_scalar`` (YAML 1.2 core), not by PyYAML's
    YAML 1.1 resolvers (which turn ``yes`` into true and ``2024-01-01`` into a date)."""

    _TAGS: dict[Any, str] = {  # noqa: RUF012
        yaml.ScalarNode: "tag:yaml.org,2002:str",
        yaml.SequenceNode: "tag:yaml.org,2002:seq",
        yaml.MappingNode: "tag:yaml.org,2002:map",
    }

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return self._TAGS[kind]


Path_ = tuple[str | int, ...]
_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
# a float has a point or an exponent; digits alone with a leading zero ('0755') stay strings
_FLOAT = re.compile(
    r"[-+]?(\.[0-9]+|(0|[1-9][0-9]*)\.[0-9]*)([eE][-+]?[0-9]+)?"
    r"|[-+]?(0|[1-9][0-9]*)[eE][-+]?[0-9]+"
)


class LoadError(Exception):
    """The file cannot be read as data at all; carries the finding that says why."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


@dataclass
class Document:
    """A loaded file: its data and where each path of it stands."""

    file: str
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: Sequence[str | int]) -> tuple[int, int]:
        """(line, column) of ``path``, or of its nearest ancestor that has a position."""
        parts = tuple(path)
        while parts:
            if parts in self.positions:
                return self.positions[parts]
            parts = parts[:-1]
        return self.positions.get((), (1, 1))

    def finding(self, code: Any, path: Sequence[str | int], **params: Any) -> Finding:
        """A finding of ``code`` placed at ``path`` of this document."""
        line, column = self.locate(path)
        return code.at(self.file, line, column, json_path(path), **params)  # type: ignore[no-any-return]


def read_text(path: Path, display: str) -> str:
    """The file's text, or ``LoadError`` for missing, too large or not UTF-8."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise LoadError(C.FILE_MISSING.at(display, what="file")) from None
    if size > MAX_FILE_BYTES:
        raise LoadError(C.FILE_TOO_LARGE.at(display, size=size, limit=MAX_FILE_BYTES))
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise LoadError(
            C.FILE_NOT_UTF8.at(
                display, line, column, byte=f"0x{raw[exc.start]:02x}", offset=exc.start
            )
        ) from None


def load_yaml_file(path: Path, display: str | None = None) -> Document:
    display = display or path.as_posix()
    return load_yaml_text(read_text(path, display), display)


def load_yaml_text(text: str, display: str) -> Document:
    text = text.removeprefix("\ufeff")
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise LoadError(_syntax_finding(exc, display, text)) from None
    except yaml.YAMLError as exc:  # pragma: no cover - reader errors without a mark
        raise LoadError(C.YAML_SYNTAX.at(display, 1, 1, problem=str(exc), hint="")) from None
    except RecursionError:
        raise LoadError(C.YAML_TOO_DEEP.at(display, 1, 1, limit=MAX_DEPTH)) from None
    doc = Document(display, None)
    if node is None:
        doc.data = None
        doc.positions[()] = (1, 1)
        return doc
    doc.data = _Builder(doc).build(node, (), 0)
    return doc


def require_mapping(doc: Document) -> dict[str, Any]:
    if not isinstance(doc.data, dict):
        kind = "empty" if doc.data is None else f"a {type(doc.data).__name__}"
        raise LoadError(doc.finding(C.YAML_NOT_MAPPING, (), kind=kind))
    return doc.data


class _Builder:
    """Plain data from the composed node tree, recording each path's (line, column)."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.seen: set[int] = set()

    def build(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        self.doc.positions[path] = _mark(node)
        return self._value(node, path, depth)

    def _value(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise LoadError(self._at(C.YAML_TOO_DEEP, node, path, limit=MAX_DEPTH))
        if id(node) in self.seen:  # the composer shares the node of an anchor with its aliases
            raise LoadError(self._at(C.YAML_ALIAS, node, path))
        self.seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        positions = self.doc.positions
        if isinstance(node, yaml.SequenceNode):
            items = []
            for i, item in enumerate(node.value):
                child = (*path, i)
                mark = item.start_mark
                positions[child] = (mark.line + 1, mark.column + 1)
                items.append(self._value(item, child, depth + 1))
            return items
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key == "<<" and not key_node.style:  # a merge key: aliases by another name
                raise LoadError(self._at(C.YAML_ALIAS, key_node, path))
            if not isinstance(key, str):
                raise LoadError(
                    self._at(
                        C.YAML_SYNTAX,
                        key_node,
                        path,
                        problem="a mapping key must be a plain word",
                        hint="Write keys as simple names followed by a colon, e.g. 'title:'.",
                    )
                )
            child = (*path, key)
            mark = key_node.start_mark
            if key in out:
                first = positions[child][0]
                raise LoadError(
                    self._at(C.YAML_DUPLICATE_KEY, key_node, child, key=key, first_line=first)
                )
            positions[child] = (mark.line + 1, mark.column + 1)
            out[key] = self._value(value_node, child, depth + 1)
        return out

    def _at(self, code: Any, node: yaml.Node, path: Path_, **params: Any) -> Finding:
        line, column = _mark(node)
        return code.at(self.doc.file, line, column, json_path(path), **params)  # type: ignore[no-any-return]


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


def _scalar(node: yaml.ScalarNode) -> Any:
    """YAML 1.2 core schema for plain scalars; quoted and block scalars are strings."""
    value: str = node.value
    if node.style:
        return value
    if value in _NULLS:
        return None
    if value in _BOOLS:
        return _BOOLS[value]
    first = value[:1]
    if first.isdigit() or first in "-+.":
        if _INT.fullmatch(value):
            return int(value)
        if _FLOAT.fullmatch(value):
            return float(value)
    return value


def _syntax_finding(exc: yaml.MarkedYAMLError, display: str, text: str) -> Finding:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or "not valid YAML"
    lines = text.splitlines()
    bad_line = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in problem or "\t" in bad_line[: max(column, 1)]:
        return C.YAML_TAB.at(display, line, column)
    context = f" ({exc.context})" if exc.context else ""
    return C.YAML_SYNTAX.at(
        display,
        line,
        column,
        problem=f"{problem}{context}",
        hint="Check the indentation and the colon after each key on this line and the one above; "
        "text containing ': ' or starting with a special character must be quoted.",
    )
