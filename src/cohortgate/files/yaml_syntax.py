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
from cohortgate.findings.codes import Both

GENERIC_HINT = Both(
    zh="请检查这一行和上一行的缩进，以及每个键后面的冒号；"
    "含有“: ”或以特殊字符开头的文本必须加引号。",
    en="Check the indentation and the colon after each key on this line and the one above; "
    "text containing ': ' or starting with a special character must be quoted.",
)
_ESCAPES = Both(
    zh="在 '...' 中，撇号要写成两个（''）；在 \"...\" 中，双引号要写成 \\\"。",
    en="Inside '...' write an apostrophe as two (''); inside \"...\" write a double quote as \\\".",
)
QUOTE_HINT = Both(
    zh="把整个值放在引号中。" + _ESCAPES.zh, en="Put the whole value in quotes. " + _ESCAPES.en
)
UNCLOSED_HINT = Both(
    zh="在值结束的地方、在同一行内把引号闭合。" + _ESCAPES.zh,
    en="Close the quote where the value ends, on the same line. " + _ESCAPES.en,
)
INDENT_HINT = Both(
    zh="同一个映射的键从同一列开始，嵌套的映射缩进在它的键下面（每级两个空格）；请与上面几行对照。",
    en="Keys of one mapping start in the same column, and a nested mapping is indented under "
    "its key (two spaces per level); compare with the lines above.",
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
_Result = tuple[int, int, Both, Both] | None


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
            message = Both(
                zh=f"{cause.zh}（YAML 解析器原文：“{words}”）",
                en=f"{cause.en} (YAML parser: {words})",
            )
            return C.YAML_SYNTAX.at(display, line, column, problem=message, hint=hint)
    said = Both(zh=f"YAML 语法错误（解析器原文：“{words}”）", en=words)
    return C.YAML_SYNTAX.at(display, err.line, err.column, problem=said, hint=GENERIC_HINT)


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
                Both(
                    zh="键后面是全角冒号“：”；YAML 需要半角冒号“:”",
                    en="the key is followed by a full-width colon '：'; YAML needs the ASCII "
                    "colon ':'",
                ),
                Both(
                    zh="在半角（英文）输入状态下输入冒号，并在后面加一个空格："
                    "'title: 儿童罕见病研究'。",
                    en="Type the colon in half-width (English) mode and put a space after it: "
                    "'title: 儿童罕见病研究'.",
                ),
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
            Both(
                zh="结束键的冒号后面没有空格",
                en="there is no space after the colon that ends the key",
            ),
            Both(
                zh="在冒号后面加一个空格：'key: value'。",
                en="Write a space after the colon: 'key: value'.",
            ),
        )
    return (
        line,
        err.context_column,
        Both(
            zh="这一行不是 'key: value' 的形式：键后面缺少冒号，或者这一行接续上面的文本，"
            "却没有缩进在它的键下面",
            en="this line is not 'key: value': the colon after the key is missing, or the line "
            "continues the text above without being indented under its key",
        ),
        Both(
            zh="写成带冒号和空格的 'key: value'。长文本要在下一行继续时，把它缩进在键下面，"
            "或写成 'key: |' 并缩进下面的各行。",
            en="Write 'key: value' with a colon and a space. To continue a long text on the next "
            "line, indent it under its key, or write 'key: |' and indent the lines below.",
        ),
    )


def unclosed_quote(err: _Error) -> _Result:
    if "quoted scalar" not in err.context or "end of stream" not in err.problem:
        return None
    quote = err.text(err.context_line)[err.context_column - 1 : err.context_column]
    return (
        err.context_line,
        err.context_column,
        Both(
            zh=f"这里开始的引号 {quote} 一直没有闭合" if quote else "这里开始的引号一直没有闭合",
            en=f"the quote {quote or 'quote'} opened here is never closed",
        ),
        UNCLOSED_HINT,
    )


def bad_escape(err: _Error) -> _Result:
    if "unknown escape character" not in err.problem:
        return None
    escaped = err.text(err.line)[err.column : err.column + 1]  # the mark is on the backslash
    return (
        err.line,
        err.column,
        Both(
            zh=f"双引号中的 '\\{escaped}' 不是转义序列：在 \"...\" 中，"
            "反斜杠表示转义（\\n、\\t、\\\\）",
            en=f"'\\{escaped}' in double quotes is not an escape sequence: in \"...\" a backslash "
            "starts one (\\n, \\t, \\\\)",
        ),
        Both(
            zh="含反斜杠的文本请放在单引号中（'D:\\data'），或把每个反斜杠写成两个。",
            en="Put text with backslashes in single quotes ('D:\\data'), or double each backslash.",
        ),
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
        Both(
            zh=f"第 {err.context_line} 行（第 {err.context_column} 列）的“{opening}”没有用"
            f"“{close}”闭合，或者其中两项之间缺少逗号",
            en=f"the '{opening}' on line {err.context_line} (column {err.context_column}) is not "
            f"closed by '{close}', or a comma is missing between two of its items",
        ),
        Both(
            zh=f"在最后一项后面用“{close}”闭合，各项之间用“, ”分隔，含有“,”或“: ”的项要加引号。",
            en=f"Close it with '{close}' after its last item, separate the items with ', ', and "
            "quote items that contain ',' or ': '.",
        ),
    )


def empty_flow_item(err: _Error) -> _Result:
    if "expected node content" not in err.problem:
        return None
    return (
        err.line,
        err.column,
        Both(
            zh="括号中的某一项是空的，或以需要加引号的字符开头",
            en="an item in brackets is empty or starts with a character that needs quotes",
        ),
        Both(
            zh="删除多余的逗号，或把该项放在引号中。",
            en="Remove the extra comma, or put the item in quotes.",
        ),
    )


def colon_in_value(err: _Error) -> _Result:
    if "mapping values are not allowed" not in err.problem:
        return None
    before = err.text(err.line)[: err.column - 1]
    if re.search(r":\s", before):
        return (
            err.line,
            err.column,
            Both(
                zh="一行中出现了第二个“: ”：含有“: ”的值必须加引号",
                en="a second ': ' on one line: a value that contains ': ' must be quoted",
            ),
            Both(
                zh='把值放在引号中：title: "研究: 儿童"。',
                en='Put the value in quotes: title: "研究: 儿童".',
            ),
        )
    if err.column > 1024:
        return (
            err.line,
            1,
            Both(zh="键的长度超过 1024 个字符", en="a key longer than 1024 characters"),
            Both(zh="请缩短该键。", en="Shorten the key."),
        )
    return (
        err.line,
        err.column,
        Both(
            zh="这一行比上面的键缩进得更多，因此被读作那个键的值，不能再有自己的键",
            en="this line is indented more than the key above it, so it is read as that key's "
            "value and cannot hold a key of its own",
        ),
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
            return (
                err.line,
                err.column,
                Both(
                    zh=f"出现了没有对应开括号的闭括号“{char}”",
                    en=f"a closing '{char}' without an opening one",
                ),
                Both(zh="", en=""),
            )
        before = line[: err.column - 1].rstrip()
        if before.endswith(("'", '"')):
            return _text_after_quote(err, before)
        return None
    if char == ":":
        return (
            err.line,
            err.column,
            Both(zh="“:”前面缺少键", en="the key before ':' is missing"),
            Both(zh="写成 'key: value'。", en="Write 'key: value'."),
        )
    if char == "-":
        return (
            err.line,
            err.column,
            Both(
                zh="在应当是键的地方出现了列表项“- ”：列表应放在以“:”结尾的键下面，且各项对齐",
                en="a list item '- ' where a key was expected: a list belongs under a key that "
                "ends with ':', and its items line up",
            ),
            INDENT_HINT,
        )
    return (
        err.line,
        err.column,
        Both(
            zh=f"缩进错误：这一行缩进了 {indent} 个空格，与上面任何一个键都没有对齐",
            en=f"bad indentation: this line is indented by {indent} "
            f"space{'' if indent == 1 else 's'}, which lines it up with no key above it",
        ),
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
            Both(
                zh=f"这里开始的引号 {quote} 在本行没有闭合，因此值一直延续到第 {err.line} 行的"
                f"下一个 {quote}",
                en=f"the quote {quote} opened here is not closed on its line, so the value runs "
                f"on to the next {quote} on line {err.line}",
            ),
            UNCLOSED_HINT,
        )
    return (
        err.line,
        len(before),
        Both(
            zh=f"带引号的值在这个 {quote} 处结束，但这一行还没完：{quote}...{quote} 中的值里"
            f"出现的 {quote} 会让值提前结束",
            en=f"the quoted value ends at this {quote} but the line goes on: a {quote} inside a "
            f"value in {quote}...{quote} ends it early",
        ),
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
        Both(
            zh="列表缩进错误：列表的各项以“- ”开头且在同一列，每一项的各个键与其“- ”后面的"
            "第一个键对齐",
            en="bad indentation in a list: the items of a list start with '- ' in one column, "
            "and the keys of one item line up with the key right after its '- '",
        ),
        INDENT_HINT,
    )


def reserved_start(err: _Error) -> _Result:
    if "cannot start any token" not in err.problem:
        return None
    return (
        err.line,
        err.column,
        Both(
            zh=f"不加引号的值不能以“{err.char()}”开头",
            en=f"an unquoted value cannot start with '{err.char()}'",
        ),
        Both(zh="把值放在引号中。", en="Put the value in quotes."),
    )


def after_document_end(err: _Error) -> _Result:
    if "<document start>" not in err.problem:
        return None
    return (
        err.line,
        err.column,
        Both(
            zh="文档结束之后还有文本（上面有一行 '...' 或一条 '%' 指令）",
            en="text after the end of the document (a line '...' or a '%' directive above it)",
        ),
        Both(
            zh="删除 '...' 这一行；一个文件只含一个文档。",
            en="Delete the '...' line; a file holds one document.",
        ),
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
