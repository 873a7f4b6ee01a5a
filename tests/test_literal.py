"""``files.literal.may_hold``: never says 'cannot hold' about a file that loads with the word.

Hypothesis writes documents holding a word in every way PyYAML can emit a string (plain,
single- and double-quoted, literal, folded; wrapped at any width) and in hand-made spellings
that hide the word's bytes (escapes, line folding), and checks that the prefilter lets every
such file through to the real loader.
"""

from __future__ import annotations

import string

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cohortgate.files.literal import may_hold
from cohortgate.files.loading import LoadError, load_yaml_text

WORDS = st.text(string.ascii_letters + string.digits + "-_.:", min_size=1, max_size=24)
STYLES = st.sampled_from([None, "'", '"', "|", ">"])


def _values(data: object) -> list[str]:
    if isinstance(data, dict):
        return [v for item in data.values() for v in _values(item)]
    if isinstance(data, list):
        return [v for item in data for v in _values(item)]
    return [data] if isinstance(data, str) else []


@settings(max_examples=300, deadline=None)
@given(
    word=WORDS,
    style=STYLES,
    width=st.integers(min_value=2, max_value=80),
    flow=st.booleans(),
)
def test_every_emitted_spelling_is_let_through(
    word: str, style: str | None, width: int, flow: bool
) -> None:
    raw = yaml.dump(
        {"datasets": [{"dataset": word}]},
        default_style=style,
        width=width,
        default_flow_style=flow,
        allow_unicode=True,
    ).encode("utf-8")
    try:
        doc = load_yaml_text(raw.decode("utf-8"), "f.yaml")
    except LoadError:
        return  # a file that does not load holds nothing
    if word in _values(doc.data):
        assert may_hold(raw, [word])


@settings(max_examples=200, deadline=None)
@given(word=WORDS, cut=st.integers(min_value=0, max_value=24), escape=st.sampled_from("xuU"))
def test_hidden_spellings_are_let_through(word: str, cut: int, escape: str) -> None:
    """Escapes and folded line breaks in double quotes: the word's bytes are not in the file."""
    cut = min(cut, len(word))
    digits = {"x": 2, "u": 4, "U": 8}[escape]
    hidden = (
        word[:cut] + f"\\{escape}{ord(word[cut]):0{digits}x}" + word[cut + 1 :]
        if cut < len(word)
        else word
    )
    folded = f'"{word[:cut]}\\\n  {word[cut:]}"'
    for text in (f'dataset: "{hidden}"\n', f"dataset: {folded}\n"):
        doc = load_yaml_text(text, "f.yaml")
        assert doc.data == {"dataset": word}
        assert may_hold(text.encode("utf-8"), [word])


def test_a_file_without_the_word_is_skipped() -> None:
    raw = b"datasets:\n- dataset: ds-other\n  variables: []\n"
    assert not may_hold(raw, ["ds-iem-labs"])
    assert may_hold(raw, ["ds-other"])
    assert not may_hold(raw, [])


def test_words_it_cannot_judge_are_always_let_through() -> None:
    raw = b"title: x\n"
    for word in ("two words", "it's", 'say "x"', "back\\slash", "中文", ""):
        assert may_hold(raw, [word])
