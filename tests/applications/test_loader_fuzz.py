"""Random documents through the loader (hypothesis): no traceback, ever.

(a) Random text and bytes: ``load_yaml_text`` (and ``textfile.decode``) return a Document or
    raise ``LoadError`` with a located loader finding, nothing else.
(b) Random data dumped by PyYAML loads back equal, with a position for every value. PyYAML
    writes YAML 1.1 and quotes what YAML 1.1 would read as another type; the loader reads YAML
    1.2's core schema, so text that only YAML 1.2 reads as a number (``1e5``) is left out of the
    strategy, and ``inf``/``nan`` (not JSON data) are left out of the floats.
(c) Random mutations of an application (a key deleted or renamed, a value of another type, a
    character inserted or deleted) through the model check and the application loader: findings,
    never an exception.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cohortgate.applications.load import load_application
from cohortgate.codes import load_all
from cohortgate.files import textfile
from cohortgate.files.loading import Document, LoadError, load_yaml_text
from cohortgate.files.modelcheck import check_model
from cohortgate.layout import Layout
from cohortgate.models.application import Application

EXAMPLES = Path(__file__).parent / "examples"
TEMPLATE = Path(__file__).resolve().parents[2] / "src" / "cohortgate" / "applications"
FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
LOADER_CODES = {code for code in load_all() if code.split(".")[0] in ("file", "yaml")}

# -- (a) random text ----------------------------------------------------------------------------

YAML_PUNCTUATION = [*":-?[]{},#&*!|>'\"%@`\\ \t\n\r", "<<", "---", "...", ": ", "- "]
characters = st.one_of(
    st.sampled_from(YAML_PUNCTUATION),
    st.characters(),  # any character
    st.characters(categories=["Cc", "Cs", "Zl", "Zp", "Co"]),  # controls, surrogates, breaks
    st.characters(min_codepoint=0, max_codepoint=0x1F),  # C0 controls
    st.sampled_from(["\x85", "\u2028", "\u2029", "\ufeff", "\ufffe", "：", "，", "　"]),
    st.sampled_from(["a", "b", "key", "1", "0755", "2026-01-01", "yes", "null", "标题"]),
)
random_text = st.lists(characters, max_size=80).map("".join)


def _lines(text: str) -> int:
    return textfile.position(text, len(text))[0] + 1


def _check_outcome(text: str) -> Document | None:
    try:
        doc = load_yaml_text(text, "x.yaml")
    except LoadError as exc:
        finding = exc.finding
        assert finding.code in LOADER_CODES, finding
        assert 0 <= finding.line <= _lines(text) and finding.column >= 0, finding
        assert finding.file == "x.yaml"
        return None
    assert all(0 < line <= _lines(text) for line, _ in doc.positions.values())
    return doc


@FUZZ
@given(random_text)
def test_random_text_loads_or_gives_a_finding(text: str) -> None:
    _check_outcome(text)


@FUZZ
@given(
    st.lists(
        st.sampled_from(["a:", " b:", "  - c", "- ", "  d: [", "]", "{e: 1}", "'f"]), max_size=12
    ),
    random_text,
)
def test_random_yaml_shapes_load_or_give_a_finding(lines: list[str], noise: str) -> None:
    text = "\n".join(lines)
    _check_outcome(text)
    _check_outcome(text + noise)


@FUZZ
@given(st.binary(max_size=200))
def test_random_bytes_decode_or_give_a_finding(raw: bytes) -> None:
    try:
        text = textfile.decode(raw, "x.yaml")
    except LoadError as exc:
        assert exc.finding.code in {"file.not-utf8", "file.wrong-encoding"}
        return
    _check_outcome(text)


# -- (b) round trip -------------------------------------------------------------------------------


def _stays_text(value: str) -> bool:
    """Whether YAML 1.2's core schema reads ``value``, written plain, as text."""
    try:
        data = load_yaml_text(f"- {value}\n", "x.yaml").data
    except LoadError:
        return True  # PyYAML will quote or escape it
    return data == [value]


texts = st.text(max_size=30).filter(_stays_text)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=30,
)


def _paths(data: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _paths(value, (*path, i))
    return found


@FUZZ
@given(documents, st.booleans(), st.booleans())
def test_dumped_data_loads_back_equal(data: Any, flow: bool, unicode: bool) -> None:
    text = yaml.safe_dump(data, allow_unicode=unicode, default_flow_style=flow)
    # PyYAML's emitter does not always read back its own output (a key of one U+0085, written
    # with allow_unicode, comes back as a space): those are PyYAML's cases, not the loader's
    assume(yaml.safe_load(text) == data)
    doc = load_yaml_text(text, "x.yaml")
    assert doc.data == data
    assert all(path in doc.positions for path in _paths(data))


# -- (c) mutated applications ----------------------------------------------------------------


def _base_text() -> str:
    """A valid application from the corpus when there is one, else the template."""
    valid = sorted((EXAMPLES / "valid").glob("*/application.yaml"))
    return (valid[0] if valid else TEMPLATE / "template.yaml").read_text("utf-8")


BASE_TEXT = _base_text()
BASE = load_yaml_text(BASE_TEXT, "application.yaml")
BASE_PATHS = [p for p in _paths(BASE.data) if p]
other_values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.sampled_from(["zh", "en", "name", "x"]), scalars, max_size=2),
    st.just("A-2026-0100"),
    st.just("ｌｉｎ@chfudan.edu.cn"),  # full-width look-alikes
    st.just("../../../etc/passwd"),
)


def _mutate(data: Any, path: tuple[str | int, ...], action: str, value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict) and head in data:
        copy = dict(data)
        if rest:
            copy[head] = _mutate(copy[head], rest, action, value)
        elif action == "delete":
            del copy[head]
        elif action == "rename":
            copy[f"{head}_x"] = copy.pop(head)
        else:
            copy[head] = value
        return copy
    if isinstance(data, list) and isinstance(head, int) and head < len(data):
        items = list(data)
        if rest:
            items[head] = _mutate(items[head], rest, action, value)
        elif action == "delete":
            del items[head]
        else:
            items[head] = value
        return items
    return data


@FUZZ
@given(
    st.sampled_from(BASE_PATHS),
    st.sampled_from(["delete", "rename", "replace"]),
    other_values,
)
def test_mutated_data_gives_findings_not_exceptions(
    path: tuple[str | int, ...], action: str, value: Any
) -> None:
    data = _mutate(BASE.data, path, action, value)
    doc = Document("application.yaml", data, dict(BASE.positions))
    _, findings = check_model(doc, Application)
    assert all(f.code == "schema.invalid" and f.line >= 1 for f in findings)


@FUZZ
@given(st.data())
def test_mutated_text_gives_findings_not_exceptions(tmp_path: Path, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(BASE_TEXT)))
    cut = data.draw(st.integers(0, 3))
    insert = data.draw(st.lists(characters, max_size=3).map("".join))
    text = BASE_TEXT[:position] + insert + BASE_TEXT[position + cut :]
    assume(text != BASE_TEXT)
    doc = _check_outcome(text)
    if doc is not None:
        check_model(doc, Application)
    folder = tmp_path / "submissions" / "2026" / "A-2026-0100"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "application.yaml").write_text(text, "utf-8", errors="surrogatepass")
    loaded = load_application(Layout(tmp_path), folder)
    assert loaded.form is not None or loaded.findings
