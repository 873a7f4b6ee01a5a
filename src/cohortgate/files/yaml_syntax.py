"""Say in plain words why the YAML parser stopped: a missing colon, an unclosed quote or bracket,
bad indentation.

libyaml's messages ("could not find expected ':' while scanning a simple key") describe the
parser's state, not the writer's mistake, and often point at the line after the mistake. Each
rule below recognises one usual mistake from the parser's problem and context and from the text
of the lines involved; it names the cause, points at the line to change and says how to fix it.
What no rule recognises keeps the parser's own words. The parser's words are kept at the end of
every message, for searching the web.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import yaml

from cohortgate.files import codes as C
from cohortgate.findings import Finding

GENERIC_HINT = (
    "Check the indentation and the colon after each key on this line and the one above; "
    "text containing ': ' or starting with a special character must be quoted."
)
QUOTE_HINT = (
    "Put the whole value in quotes. Inside '...' write an apostrophe as two (''); inside "
    '"..." write a double quote as \\".'
)
UNCLOSED_HINT = (
    "Close the quote where the value ends, on the same line. Inside '...' write an apostrophe "
    'as two (\'\'); inside "..." write a double quote as \\".'
)
INDENT_HINT = (
    "Keys of one mapping start in the same column, and a nested mapping is indented under "
    "its key (two spaces per level); compare with the lines above."
)
# a key followed by a full-width colon, as Chinese input methods type it: '标题：' or 'title：'
_FULLWIDTH_KEY = re.compile(r"^\s*(?:-\s+)?[^\s'\"#:：-][^:：#]*?(：)")
_NO_SPACE_KEY = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w-]*(:)[^\s:]")


@dataclass(frozen=True)
class _Error:
    """A parser error with 1-based positions and the text around it."""

    problem: str
    context: str
    line: int
    column: int
    context_line: int
    context_column: int
    lines: list[str]

    def text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def char(self) -> str:
        return self.text(self.line)[self.column - 1 : self.column]


# A rule returns (line, column, cause, hint), or None when it does not recognise the error.
_Result = tuple[int, int, str, str] | None


def syntax_finding(exc: yaml.MarkedYAMLError, display: str, text: str) -> Finding:
    """The finding for a parser error: ``yaml.tab`` or ``yaml.syntax`` with the likely cause."""
    problem_mark = exc.problem_mark or exc.context_mark
    context_mark = exc.context_mark or problem_mark
    err = _Error(
        problem=exc.problem or "not valid YAML",
        context=exc.context or "",
        line=problem_mark.line + 1 if problem_mark else 1,
        column=problem_mark.column + 1 if problem_mark else 1,
        context_line=context_mark.line + 1 if context_mark else 1,
        context_column=context_mark.column + 1 if context_mark else 1,
        lines=text.splitlines(),
    )
    if _is_tab(err):
        return C.YAML_TAB.at(display, err.line, err.column)
    words = err.problem + (f" {err.context}" if err.context else "")
    for rule in RULES:
        found = rule(err)
        if found:
            line, column, cause, hint = found
            message = f"{cause} (YAML parser: {words})"
            return C.YAML_SYNTAX.at(display, line, column, problem=message, hint=hint)
    return C.YAML_SYNTAX.at(display, err.line, err.column, problem=words, hint=GENERIC_HINT)


def _is_tab(err: _Error) -> bool:
    line = err.text(err.line)
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    return "\t" in err.problem or "\t" in indent or err.char() == "\t"


def full_width_colon(err: _Error) -> _Result:
    for line in dict.fromkeys((err.context_line, err.line - 1, err.line)):
        match = _FULLWIDTH_KEY.match(err.text(line))
        if match:
            return (
                line,
                match.start(1) + 1,
                "the key is followed by a full-width colon '：'; YAML needs the ASCII colon ':'",
                "Type the colon in half-width (English) mode and put a space after it: "
                "'title: 儿童罕见病研究'.",
            )
    return None


def missing_colon(err: _Error) -> _Result:
    if "could not find expected ':'" not in err.problem:
        return None
    line = err.context_line
    match = _NO_SPACE_KEY.match(err.text(line))
    if match:
        return (
            line,
            match.start(1) + 1,
            "there is no space after the colon that ends the key",
            "Write a space after the colon: 'key: value'.",
        )
    return (
        line,
        err.context_column,
        "this line is not 'key: value': the colon after the key is missing, or the line "
        "continues the text above without being indented under its key",
        "Write 'key: value' with a colon and a space. To continue a long text on the next "
        "line, indent it under its key, or write 'key: |' and indent the lines below.",
    )


def unclosed_quote(err: _Error) -> _Result:
    if "quoted scalar" not in err.context or "end of stream" not in err.problem:
        return None
    quote = err.text(err.context_line)[err.context_column - 1 : err.context_column] or "quote"
    return (
        err.context_line,
        err.context_column,
        f"the quote {quote} opened here is never closed",
        UNCLOSED_HINT,
    )


def bad_escape(err: _Error) -> _Result:
    if "unknown escape character" not in err.problem:
        return None
    escaped = err.text(err.line)[err.column : err.column + 1]  # the mark is on the backslash
    return (
        err.line,
        err.column,
        f"'\\{escaped}' in double quotes is not an escape sequence: in \"...\" a backslash "
        "starts one (\\n, \\t, \\\\)",
        "Put text with backslashes in single quotes ('D:\\data'), or double each backslash.",
    )


def unclosed_bracket(err: _Error) -> _Result:
    match = re.search(r"expected ',' or '([\]}])'", err.problem)
    if not match:
        return None
    close = match.group(1)
    opening = "[" if close == "]" else "{"
    return (
        err.line,
        err.column,
        f"the '{opening}' on line {err.context_line} (column {err.context_column}) is not "
        f"closed by '{close}', or a comma is missing between two of its items",
        f"Close it with '{close}' after its last item, separate the items with ', ', and quote "
        "items that contain ',' or ': '.",
    )


def empty_flow_item(err: _Error) -> _Result:
    if "expected node content" not in err.problem:
        return None
    return (
        err.line,
        err.column,
        "an item in brackets is empty or starts with a character that needs quotes",
        "Remove the extra comma, or put the item in quotes.",
    )


def colon_in_value(err: _Error) -> _Result:
    if "mapping values are not allowed" not in err.problem:
        return None
    before = err.text(err.line)[: err.column - 1]
    if re.search(r":\s", before):
        return (
            err.line,
            err.column,
            "a second ': ' on one line: a value that contains ': ' must be quoted",
            'Put the value in quotes: title: "研究: 儿童".',
        )
    if err.column > 1024:
        return (err.line, 1, "a key longer than 1024 characters", "Shorten the key.")
    return (
        err.line,
        err.column,
        "this line is indented more than the key above it, so it is read as that key's value "
        "and cannot hold a key of its own",
        INDENT_HINT,
    )


def unexpected_in_mapping(err: _Error) -> _Result:
    if "did not find expected key" not in err.problem and "<block end>" not in err.problem:
        return None
    line = err.text(err.line)
    indent = len(line) - len(line.lstrip(" "))
    char = err.char()
    if err.column - 1 > indent:  # the parser stopped in the middle of the line
        if char in ("]", "}"):
            return (err.line, err.column, f"a closing '{char}' without an opening one", "")
        before = line[: err.column - 1].rstrip()
        if before.endswith(("'", '"')):
            return _text_after_quote(err, before)
        return None
    if char == ":":
        return (err.line, err.column, "the key before ':' is missing", "Write 'key: value'.")
    if char == "-":
        return (
            err.line,
            err.column,
            "a list item '- ' where a key was expected: a list belongs under a key that ends "
            "with ':', and its items line up",
            INDENT_HINT,
        )
    return (
        err.line,
        err.column,
        f"bad indentation: this line is indented by {indent} space{'' if indent == 1 else 's'}, "
        "which lines it up with no key above it",
        INDENT_HINT,
    )


def _text_after_quote(err: _Error, before: str) -> _Result:
    """The parser read a quoted value up to a closing quote and then found more text: either
    the value holds a quote of its own, or a quote further up was never closed and the value
    ran on to the next quote in the file."""
    quote = before[-1]
    opened = _opening_quote(err, err.line, len(before) - 1, quote)
    if opened is not None and opened[0] < err.line:
        line, column = opened
        return (
            line,
            column,
            f"the quote {quote} opened here is not closed on its line, so the value runs on to "
            f"the next {quote} on line {err.line}",
            UNCLOSED_HINT,
        )
    return (
        err.line,
        len(before),
        f"the quoted value ends at this {quote} but the line goes on: a {quote} inside a value "
        f"in {quote}...{quote} ends it early",
        QUOTE_HINT,
    )


def _opening_quote(err: _Error, line: int, index: int, quote: str) -> tuple[int, int] | None:
    """(line, column) of the quote that the closing quote at ``line``/``index`` (0-based)
    closes, walking back over escaped quotes (\\" in "...", '' in '...')."""
    while line >= 1:
        text = err.text(line)
        i = index - 1
        while i >= 0:
            if text[i] == quote:
                if quote == '"' and _escaped(text, i):
                    pass
                elif quote == "'" and i > 0 and text[i - 1] == "'":
                    i -= 1  # a doubled quote is an apostrophe inside the value
                else:
                    return line, i + 1
            i -= 1
        line -= 1
        index = len(err.text(line))
    return None


def _escaped(text: str, i: int) -> bool:
    backslashes = len(text[:i]) - len(text[:i].rstrip("\\"))
    return backslashes % 2 == 1


def unexpected_in_list(err: _Error) -> _Result:
    if "expected '-' indicator" not in err.problem:
        return None
    return (
        err.line,
        err.column,
        "bad indentation in a list: the items of a list start with '- ' in one column, and "
        "the keys of one item line up with the key right after its '- '",
        INDENT_HINT,
    )


def reserved_start(err: _Error) -> _Result:
    if "cannot start any token" not in err.problem:
        return None
    return (
        err.line,
        err.column,
        f"an unquoted value cannot start with '{err.char()}'",
        "Put the value in quotes.",
    )


def after_document_end(err: _Error) -> _Result:
    if "<document start>" not in err.problem:
        return None
    return (
        err.line,
        err.column,
        "text after the end of the document (a line '...' or a '%' directive above it)",
        "Delete the '...' line; a file holds one document.",
    )


RULES: list[Callable[[_Error], _Result]] = [
    full_width_colon,
    missing_colon,
    unclosed_quote,
    bad_escape,
    unclosed_bracket,
    empty_flow_item,
    colon_in_value,
    unexpected_in_mapping,
    unexpected_in_list,
    reserved_start,
    after_document_end,
]
