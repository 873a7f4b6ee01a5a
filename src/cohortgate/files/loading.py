"""Load YAML (and JSON) strictly, keeping where every value stands in the file.

Rules, each one a finding rather than a traceback (see ``textfile`` for how a file is read):

* a regular file (no symbolic link, pipe or device) of at most ``MAX_FILE_BYTES``, UTF-8, with
  no control characters; no tabs for indentation;
* one document per file; no duplicate keys (YAML would silently keep the last);
* no anchors or aliases (they let a small file expand exponentially) and no tags;
* at most ``MAX_DEPTH`` levels of nesting and ``MAX_VALUES`` values;
* scalars follow YAML 1.2's core schema: ``true``/``false`` only, decimal integers, and dates
  stay strings so that JSON Schema's ``format: date`` applies (``yes``, ``on``, ``2024-01-01``
  are strings).

The document is built from the parser's event stream, without recursion and without building
YAML's node tree first: every limit is enforced as soon as it is crossed, so memory and time stay
bounded by the limits, whatever the input. A syntax error is explained in plain words
(``yaml_syntax``).

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

from cohortgate.files import codes as C
from cohortgate.files import textfile
from cohortgate.files.textfile import LoadError
from cohortgate.files.yaml_syntax import syntax_finding
from cohortgate.findings import Finding, json_path
from cohortgate.findings.codes import Both

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_VALUES",
    "Document",
    "LoadError",
    "load_yaml_file",
    "load_yaml_text",
    "read_text",
    "require_mapping",
]

MAX_FILE_BYTES = 2_000_000  # a form or catalog entry is a few KB; 2 MB leaves ample room
MAX_DEPTH = 32  # the deepest real document (a dataset's variable dictionary) has 6 levels
# The largest real document (a dataset's published statistics) holds ~8,000 values in 100 KB;
# 2 MB of such JSON would hold ~150,000. The limit bounds memory for hostile input such as 2 MB
# of '[0,0,0,...]', which would otherwise make a million values and take ~600 MB: cut at the
# limit it takes ~80 MB and half a second.
MAX_VALUES = 200_000
_KEY_SHOWN = 80  # characters of a key quoted in a message
_STANDARD_TAG = "tag:yaml.org,2002:"  # written '!!'

try:  # libyaml's parser is ~10x faster; the pure-Python one gives the same marks
    _Parser: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Parser = yaml.SafeLoader


Path_ = tuple[str | int, ...]
_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
# a float has a point or an exponent; digits alone with a leading zero ('0755') stay strings
_FLOAT = re.compile(
    r"[-+]?(\.[0-9]+|(0|[1-9][0-9]*)\.[0-9]*)([eE][-+]?[0-9]+)?"
    r"|[-+]?(0|[1-9][0-9]*)[eE][-+]?[0-9]+"
)


@dataclass
class Document:
    """A loaded file: its data and where each path of it stands."""

    file: str
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    # Positions as a remembered document stores them ([line, column, *path] each), turned into
    # ``positions`` only when a finding asks where something is: most documents never do.
    stored_positions: list[list[Any]] | None = field(default=None, repr=False, compare=False)

    def locate(self, path: Sequence[str | int]) -> tuple[int, int]:
        """(line, column) of ``path``, or of its nearest ancestor that has a position."""
        if self.stored_positions is not None:
            for stored in self.stored_positions:  # a malformed entry is skipped, never raised
                if isinstance(stored, list) and len(stored) >= 2:
                    self.positions[tuple(stored[2:])] = (stored[0], stored[1])
            self.stored_positions = None
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
    """The file's text, or ``LoadError`` for a missing, special, too large or non-UTF-8 file."""
    return textfile.read_text(path, display, MAX_FILE_BYTES)


def load_yaml_file(path: Path, display: str | None = None) -> Document:
    display = display or path.as_posix()
    return load_yaml_text(read_text(path, display), display)


def load_yaml_text(text: str, display: str) -> Document:
    """The document in ``text``, or ``LoadError`` with the first problem found in it."""
    text = text.removeprefix("\ufeff")
    textfile.check_characters(text, display)
    builder = _Builder(Document(display, None))
    try:
        for event in yaml.parse(text, Loader=_Parser):
            builder.feed(event)
    except yaml.MarkedYAMLError as exc:
        if "maximum nesting depth" in (exc.problem or ""):  # libyaml's own limit, at 1000
            mark = exc.problem_mark
            line, column = _line_column(mark) if mark else (1, 1)
            raise LoadError(C.YAML_TOO_DEEP.at(display, line, column, limit=MAX_DEPTH)) from None
        raise LoadError(syntax_finding(exc, display, text)) from None
    except yaml.YAMLError as exc:  # pragma: no cover - reader errors: prevented by the checks
        raise LoadError(C.YAML_SYNTAX.at(display, 1, 1, problem=str(exc), hint="")) from None
    return builder.doc


def require_mapping(doc: Document) -> dict[str, Any]:
    if not isinstance(doc.data, dict):
        raise LoadError(doc.finding(C.YAML_NOT_MAPPING, (), kind=_kind(doc.data)))
    return doc.data


def _kind(data: Any) -> Both:
    if data is None:
        return Both(zh="空的", en="empty")
    if isinstance(data, list):
        return Both(zh="一个列表", en="a list")
    if isinstance(data, bool):
        return Both(zh="单个 true/false 值", en="a single true/false value")
    if isinstance(data, int | float):
        return Both(zh="单个数字", en="a single number")
    return Both(zh="单独一段文本", en="a single piece of text")


@dataclass
class _Open:
    """A mapping or sequence whose end the parser has not reached yet."""

    value: dict[str, Any] | list[Any]
    path: Path_
    key: str | None = None  # in a mapping: the key whose value comes next


class _Builder:
    """Plain data from the parser's events, recording each path's (line, column).

    Positions: the root at its start; a sequence item at its start; a mapping entry at its key.
    """

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.doc.positions[()] = (1, 1)
        self.stack: list[_Open] = []
        self.anchors: dict[str, Any] = {}  # name -> the mark of its node
        self.documents = 0
        self.values = 0

    def feed(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.CollectionEndEvent):
            self.stack.pop()
        elif isinstance(event, yaml.AliasEvent):
            mark = self.anchors.get(event.anchor or "", event.start_mark)
            raise LoadError(self._at(C.YAML_ALIAS, mark, self._next_path()))
        elif isinstance(event, yaml.NodeEvent):
            self._node(event)
        elif isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise LoadError(self._at(C.YAML_MULTIPLE_DOCUMENTS, event.start_mark, ()))

    def _node(self, event: yaml.NodeEvent) -> None:
        mark = event.start_mark
        if event.anchor is not None:  # harmless alone; refused where an alias repeats it
            self.anchors[event.anchor] = mark
        tag = getattr(event, "tag", None)
        if tag is not None:
            tag = "!!" + tag.removeprefix(_STANDARD_TAG) if tag.startswith(_STANDARD_TAG) else tag
            raise LoadError(self._at(C.YAML_TAG, mark, self._next_path(), tag=_short(tag)))
        self.values += 1
        if self.values > MAX_VALUES:
            raise LoadError(self._at(C.YAML_TOO_MANY_VALUES, mark, (), limit=MAX_VALUES))
        top = self.stack[-1] if self.stack else None
        if top is not None and isinstance(top.value, dict) and top.key is None:
            self._key(event, top)
            return
        path = self._next_path()
        if len(self.stack) > MAX_DEPTH:
            raise LoadError(self._at(C.YAML_TOO_DEEP, mark, path, limit=MAX_DEPTH))
        value: Any
        if isinstance(event, yaml.ScalarEvent):
            value = _scalar(event)
        else:
            value = {} if isinstance(event, yaml.MappingStartEvent) else []
        if top is None:
            self.doc.data = value
            self.doc.positions[()] = _line_column(mark)
        elif isinstance(top.value, list):
            self.doc.positions[path] = _line_column(mark)
            top.value.append(value)
        else:
            top.value[str(top.key)] = value
            top.key = None
        if not isinstance(event, yaml.ScalarEvent):
            self.stack.append(_Open(value, path))

    def _key(self, event: yaml.NodeEvent, top: _Open) -> None:
        mark = event.start_mark
        if not isinstance(event, yaml.ScalarEvent):
            raise LoadError(
                self._at(
                    C.YAML_SYNTAX,
                    mark,
                    top.path,
                    problem=Both(
                        zh="映射的键必须是一个普通的词", en="a mapping key must be a plain word"
                    ),
                    hint=Both(
                        zh="键写成简单的名称，后面跟一个冒号，例如 'title:'。",
                        en="Write keys as simple names followed by a colon, e.g. 'title:'.",
                    ),
                )
            )
        key: str = event.value
        if key == "<<" and not event.style:  # a merge key: aliases by another name
            raise LoadError(self._at(C.YAML_ALIAS, mark, top.path))
        path = (*top.path, key)
        assert isinstance(top.value, dict)
        if key in top.value:
            first = self.doc.positions[path][0]
            raise LoadError(
                self._at(C.YAML_DUPLICATE_KEY, mark, path, key=_short(key), first_line=first)
            )
        self.doc.positions[path] = _line_column(mark)
        top.key = key

    def _next_path(self) -> Path_:
        """The path of the value that the next event would give."""
        if not self.stack:
            return ()
        top = self.stack[-1]
        if isinstance(top.value, list):
            return (*top.path, len(top.value))
        return top.path if top.key is None else (*top.path, top.key)

    def _at(self, code: Any, mark: Any, path: Path_, **params: Any) -> Finding:
        line, column = _line_column(mark)
        return code.at(self.doc.file, line, column, json_path(path), **params)  # type: ignore[no-any-return]


def _line_column(mark: Any) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def _short(text: str) -> str:
    return text if len(text) <= _KEY_SHOWN else text[: _KEY_SHOWN - 1] + "…"


_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


def _scalar(event: yaml.ScalarEvent) -> Any:
    """YAML 1.2 core schema for plain scalars; quoted and block scalars are strings."""
    value: str = event.value
    if event.style:
        return value
    if value in _NULLS:
        return None
    if value in _BOOLS:
        return _BOOLS[value]
    first = value[:1]
    if first.isdigit() or first in "-+.":
        if _INT.fullmatch(value):
            try:
                return int(value)
            except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
                return value
        if _FLOAT.fullmatch(value):
            return float(value)
    return value
