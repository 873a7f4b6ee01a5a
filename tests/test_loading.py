"""The strict YAML loader: every malformed input is a located finding, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from cohortgate.loading import MAX_FILE_BYTES, LoadError, load_yaml_file, load_yaml_text


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
