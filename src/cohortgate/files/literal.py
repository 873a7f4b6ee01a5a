"""Whether a YAML file could hold a given word at all, from its bytes alone: ``may_hold``.

Looking up one dataset among 200 files, or the applications that request it among 1,000,
need not parse every file: a file can only load with a value equal to a word if the word's
bytes are in it, or if it writes a value in a way that hides them. In YAML (what
``files.loading`` accepts: UTF-8, no tags, no aliases) the only such way is an escape inside a
double-quoted scalar (``"ds-\\x61"``), which needs a backslash. Line folding turns a line break
into a space or nothing only between words, so a word without white space cannot be spelt
across lines without a backslash either.

So ``may_hold`` is exact in one direction: when it says False, the file (if it loads) holds no
value equal to any of the words. When it says True the file must be loaded to know. Words with
white space, quotes or a backslash are always answered True.
"""

from __future__ import annotations

from collections.abc import Iterable

_PLAIN = frozenset(
    "!#$%&()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~"
)


def may_hold(raw: bytes, words: Iterable[str]) -> bool:
    """False only when no value of the YAML file ``raw`` can equal any of ``words``."""
    if b"\\" in raw:
        return True
    return any(not word or not set(word) <= _PLAIN or word.encode("ascii") in raw for word in words)
