"""The strict YAML loader: every malformed input is a located finding, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from cohortgate.files.loading import (
    MAX_FILE_BYTES,
    MAX_VALUES,
    LoadError,
    load_yaml_file,
    load_yaml_text,
    require_mapping,
)


def _error(text: str) -> tuple[str, int]:
    with pytest.raises(LoadError) as info:
        load_yaml_text(text, "x.yaml")
    return info.value.finding.code, info.value.finding.line


def test_values_and_positions() -> None:
    doc = load_yaml_text("a: 1\nb:\n  - x\n  - {c: 2024-01-01}\nd: yes\ne: 1.5\nf: ~\n", "x.yaml")
    assert doc.data == {
        "a": 1,
        "b": ["x", {"c": "2024-01-01"}],
        "d": "yes",  # YAML 1.2: only true/false are booleans
        "e": 1.5,
        "f": None,
    }
    assert doc.locate(("b", 1, "c")) == (4, 6)
    assert doc.locate(("b", 1, "missing")) == (4, 5)  # nearest ancestor: the mapping
    assert doc.locate(("d",)) == (5, 1)


def test_quoted_numbers_stay_strings() -> None:
    assert load_yaml_text('a: "31"\nb: 0755\n', "x.yaml").data == {"a": "31", "b": "0755"}


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("a: 1\nb: 2\na: 3\n", "yaml.duplicate-key", 3),
        ("a:\n\tb: 1\n", "yaml.tab", 2),
        ("a: &x [1, 2]\nb: *x\n", "yaml.alias", 1),
        ("base: &b {x: 1}\nc:\n  <<: *b\n", "yaml.alias", 3),
        ("a: [1, 2\nb: 3\n", "yaml.syntax", 2),
        ("a: b: c\n", "yaml.syntax", 1),
        ("? [1, 2]\n: x\n", "yaml.syntax", 1),
    ],
)
def test_malformed(text: str, code: str, line: int) -> None:
    assert _error(text) == (code, line)


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    code, _ = _error("\n".join(lines) + "\n")
    assert code == "yaml.alias"


def test_deep_nesting() -> None:
    assert _error("a: " + "[" * 200 + "]" * 200 + "\n")[0] == "yaml.too-deep"


def test_very_deep_nesting_does_not_overflow() -> None:
    assert _error("[" * 100_000 + "]" * 100_000)[0] in {"yaml.too-deep", "yaml.syntax"}


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes("title: 儿童\nname: ".encode() + b"\xff\xfe\n")
    with pytest.raises(LoadError) as info:
        load_yaml_file(path, "a.yaml")
    assert (info.value.finding.code, info.value.finding.line) == ("file.not-utf8", 2)


def test_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * (MAX_FILE_BYTES + 1))
    with pytest.raises(LoadError) as info:
        load_yaml_file(path, "big.yaml")
    assert info.value.finding.code == "file.too-large"


def test_missing(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as info:
        load_yaml_file(tmp_path / "nope.yaml", "nope.yaml")
    assert info.value.finding.code == "file.missing"


def test_byte_order_mark_is_accepted() -> None:
    assert load_yaml_text("\ufeffa: 1\n", "x.yaml").data == {"a": 1}


# -- hardening (issue 3): each mistake named in plain words, at the line to change ----------------


@pytest.mark.parametrize(
    ("text", "line", "column", "cause"),
    [
        ("id: 1\ntitle 儿童研究\nb: 2\n", 2, 1, "the colon after the key is missing"),
        ("id: 1\ntitle:儿童研究\nb: 2\n", 2, 6, "no space after the colon"),
        ("id: 1\n标题：儿童研究\nb: 2\n", 2, 3, "full-width colon"),
        ('id: "A-2026\ntitle: x\n', 1, 5, 'the quote " opened here is never closed'),
        ('id: "A-2026\ntitle: x\nb: "y"\n', 1, 5, "not closed on its line"),
        ("title: 'it's'\n", 1, 11, "ends it early"),
        ('path: "C:\\data"\n', 1, 10, "'\\d' in double quotes is not an escape sequence"),
        ("genes: [SMN1, SMN2\nb: 1\n", 2, 2, "the '[' on line 1 (column 8) is not closed"),
        ("age: {min: 1\nb: 1\n", 2, 2, "the '{' on line 1 (column 6) is not closed"),
        ("title: 研究: 儿童\n", 1, 10, "a value that contains ': ' must be quoted"),
        ("a:\n  b: 1\n    c: 2\n", 3, 6, "indented more than the key above it"),
        ("a:\n  b: 1\n c: 2\n", 3, 2, "bad indentation"),
        ("team:\n  - name: a\n   role: x\n", 3, 4, "bad indentation in a list"),
        ("a: 1\n- b\n", 2, 1, "a list item '- ' where a key was expected"),
        (": x\n", 1, 1, "the key before ':' is missing"),
        ("a: [1]]\n", 1, 7, "a closing ']' without an opening one"),
        ("title: @home\n", 1, 8, "cannot start with '@'"),
        ("a: 1\n...\nb: 2\n", 3, 1, "text after the end of the document"),
    ],
)
def test_syntax_errors_name_their_cause(text: str, line: int, column: int, cause: str) -> None:
    with pytest.raises(LoadError) as info:
        load_yaml_text(text, "x.yaml")
    finding = info.value.finding
    assert (finding.code, finding.line, finding.column) == ("yaml.syntax", line, column)
    assert cause in finding.message
    assert "(YAML parser: " in finding.message  # the parser's own words stay, for searching


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("a: 1\n---\nb: 2\n", "yaml.multiple-documents", 2),
        ("---\na: 1\n---\na: 2\n", "yaml.multiple-documents", 3),
        ("a: !!python/object/apply:os.system [id]\n", "yaml.tag", 1),
        ("a: !!str 1\n", "yaml.tag", 1),
        ("a:\n  b: !custom x\n", "yaml.tag", 2),
        ("a: 1\nb: *nowhere\n", "yaml.alias", 2),
        ("a: &x 1\n*x : 2\n", "yaml.alias", 1),
        ("a:\n  b:\n  \tc: 1\n", "yaml.tab", 3),
        ("a: 1\nb: x\x00y\n", "file.control-character", 2),
        ("a: '\ufffe'\n", "file.control-character", 1),
        ("a: " + "[" * 2_000 + "\n", "yaml.too-deep", 1),
    ],
)
def test_more_malformed(text: str, code: str, line: int) -> None:
    assert _error(text) == (code, line)


def test_too_many_values() -> None:
    code, line = _error("a: 1\nb: [" + "0," * MAX_VALUES + "0]\n")
    assert (code, line) == ("yaml.too-many-values", 2)
    assert len(load_yaml_text("b: [" + "0," * 1_000 + "0]\n", "x.yaml").data["b"]) == 1_001


def test_tags_are_shown_as_written() -> None:
    with pytest.raises(LoadError) as info:
        load_yaml_text("a: !!binary aGk=\n", "x.yaml")
    assert "'!!binary'" in info.value.finding.message


def test_a_long_duplicate_key_is_shortened_in_the_message() -> None:
    key = "k" * 500
    with pytest.raises(LoadError) as info:
        load_yaml_text(f'"{key}": 1\n"{key}": 2\n', "x.yaml")
    assert len(info.value.finding.message) < 200


def test_huge_integers_stay_text() -> None:
    digits = "9" * 10_000  # more digits than Python converts: kept as written
    assert load_yaml_text(f"a: {digits}\nb: 12\n", "x.yaml").data == {"a": digits, "b": 12}


def test_crlf_and_cr_line_endings_keep_lines() -> None:
    for newline in ("\r\n", "\r"):
        doc = load_yaml_text(newline.join(["a: 1", "b:", "  - x", ""]), "x.yaml")
        assert doc.data == {"a": 1, "b": ["x"]}
        assert doc.locate(("b", 0)) == (3, 5)


@pytest.mark.parametrize(
    ("raw", "encoding", "line", "column"),
    [
        ("标题: 儿童\n".encode("utf-16"), "UTF-16", 1, 1),
        ("title: x\n".encode("utf-16-le"), "UTF-16", 1, 1),  # no byte-order mark
        ("title: x\n".encode("utf-32"), "UTF-32", 1, 1),
        ("id: 1\ntitle: 儿童罕见病\n".encode("gbk"), "GBK/GB18030 (Chinese Windows)", 2, 8),
    ],
)
def test_other_encodings_are_named(
    raw: bytes, encoding: str, line: int, column: int, tmp_path: Path
) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(raw)
    with pytest.raises(LoadError) as info:
        load_yaml_file(path, "a.yaml")
    finding = info.value.finding
    assert (finding.code, finding.line, finding.column) == ("file.wrong-encoding", line, column)
    assert encoding in finding.message


def test_a_bad_byte_after_utf8_text_is_located_in_characters(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes("名字: 李".encode() + b"\xe9\n")  # UTF-8 before it: not a GBK file
    with pytest.raises(LoadError) as info:
        load_yaml_file(path, "a.yaml")
    finding = info.value.finding
    assert (finding.code, finding.line, finding.column) == ("file.not-utf8", 1, 6)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("", "empty"),
        ("- a\n", "a list"),
        ("hello\n", "a single piece of text"),
        ("3\n", "a single number"),
    ],
)
def test_not_a_mapping_says_what_it_is(text: str, kind: str) -> None:
    with pytest.raises(LoadError) as info:
        require_mapping(load_yaml_text(text, "x.yaml"))
    assert f"the document is {kind}," in info.value.finding.message
