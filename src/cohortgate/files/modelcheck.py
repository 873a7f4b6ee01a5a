"""Validate loaded data against a pydantic model; each error becomes a located finding."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from cohortgate.files import codes as C
from cohortgate.files.loading import Document
from cohortgate.findings import Finding
from cohortgate.findings.codes import Both
from cohortgate.findings.escape import INVISIBLE_ERROR

M = TypeVar("M", bound=BaseModel)

_HINTS = {  # pydantic's error type: (Chinese, English); '{field}' is the field's name
    "missing": (
        "请添加字段“{field}”；它应填写什么，见模式参考。",
        "Add the field '{field}'; see the schema reference for what it holds.",
    ),
    "extra_forbidden": (
        "请删除“{field}”或更正其拼写；模式列出了允许的键。",
        "Remove '{field}' or fix its spelling; the schema lists the allowed keys.",
    ),
    "string_pattern_mismatch": (
        "请使用规定的格式，例如 ORPHA:70、HP:0001250、ICD-10 G12.1。",
        "Use the expected form, e.g. ORPHA:70, HP:0001250, ICD-10 G12.1.",
    ),
    "enum": (
        "请使用消息中列出的允许值之一。",
        "Use one of the allowed values listed in the message.",
    ),
    "literal_error": (
        "请使用消息中列出的允许值之一。",
        "Use one of the allowed values listed in the message.",
    ),
    "int_type": ("请写一个不带引号的整数。", "Write a whole number without quotes."),
    "int_parsing": ("请写一个不带引号的整数。", "Write a whole number without quotes."),
    "bool_type": ("请写不带引号的 true 或 false。", "Write true or false without quotes."),
    "string_type": (
        "请写文本；如含有“:”或以特殊字符开头，请加引号。",
        "Write text, in quotes if it contains ':' or starts with a special character.",
    ),
    "list_type": (
        "请写成列表：每行一个“- 项”，缩进在键下面。",
        "Write a list: one '- item' per line, indented under the key.",
    ),
    "dict_type": (
        "请写成缩进在键下面的“key: value”行。",
        "Write 'key: value' lines indented under the key.",
    ),
    "model_type": (
        "请写成缩进在键下面的“key: value”行。",
        "Write 'key: value' lines indented under the key.",
    ),
    "too_short": ("请至少添加一项。", "Add at least one entry."),
    INVISIBLE_ERROR: (
        "请删除该字符（看不见时请重新输入整段文字）：它会让审查人看到的与存储的内容不同。",
        "Remove it (retype the text if you cannot see it): it makes what a reviewer reads "
        "differ from what is stored.",
    ),
}
_OTHER = ("请对照模式参考和示例。", "Compare with the schema reference and the examples.")


def check_model(doc: Document, model: type[M]) -> tuple[M | None, list[Finding]]:
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        return None, [_finding(doc, err) for err in exc.errors(include_url=False)]


def _finding(doc: Document, err: Any) -> Finding:
    loc = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
    # pydantic appends the validator or union member name to the loc; keep the data path part
    path: list[str | int] = []
    node: Any = doc.data
    for part in loc:
        if (
            isinstance(node, dict)
            and isinstance(part, str)
            and (part in node or err["type"] == "missing")
        ):
            path.append(part)
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            path.append(part)
            node = node[part]
    kind = err["type"]
    field = str(loc[-1]) if loc else ""
    message = err["msg"]
    if kind == "missing":
        message = Both(zh=f"缺少必填字段“{field}”", en=f"required field '{field}' is missing")
    elif kind == "extra_forbidden":
        message = Both(zh=f"未知字段“{field}”", en=f"unknown field '{field}'")
    elif kind == INVISIBLE_ERROR:
        ctx = err.get("ctx", {})
        where = f"{ctx.get('codepoint', '')} {ctx.get('name', '')}"
        message = Both(
            zh=f"第 {ctx.get('position')} 个字符是 {where}，一个不可见字符或控制字符",
            en=f"character {ctx.get('position')} is {where}, an invisible or control character",
        )
    elif kind.startswith("value_error"):
        message = message.removeprefix("Value error, ")
    zh, en = _HINTS.get(kind, _OTHER)
    hint = Both(zh=zh.format(field=field), en=en.format(field=field))
    if kind == "missing":  # point at the mapping that lacks the field
        path = path[:-1] if path and path[-1] == field else path
    return doc.finding(C.SCHEMA, path, message=message, hint=hint)
