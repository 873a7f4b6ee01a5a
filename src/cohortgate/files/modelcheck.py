"""Validate loaded data against a pydantic model; each error becomes a located finding."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from cohortgate.files import codes as C
from cohortgate.files.loading import Document
from cohortgate.findings import Finding

M = TypeVar("M", bound=BaseModel)

_HINTS = {
    "missing": "Add the field '{field}'; see the schema reference for what it holds.",
    "extra_forbidden": "Remove '{field}' or fix its spelling; the schema lists the allowed keys.",
    "string_pattern_mismatch": "Use the expected form, e.g. ORPHA:70, HP:0001250, ICD-10 G12.1.",
    "enum": "Use one of the allowed values listed in the message.",
    "literal_error": "Use one of the allowed values listed in the message.",
    "int_type": "Write a whole number without quotes.",
    "int_parsing": "Write a whole number without quotes.",
    "bool_type": "Write true or false without quotes.",
    "string_type": "Write text, in quotes if it contains ':' or starts with a special character.",
    "list_type": "Write a list: one '- item' per line, indented under the key.",
    "dict_type": "Write 'key: value' lines indented under the key.",
    "model_type": "Write 'key: value' lines indented under the key.",
    "too_short": "Add at least one entry.",
}


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
        message = f"required field '{field}' is missing"
    elif kind == "extra_forbidden":
        message = f"unknown field '{field}'"
    elif kind.startswith("value_error"):
        message = message.removeprefix("Value error, ")
    hint = _HINTS.get(kind, "Compare with the schema reference and the examples.").format(
        field=field
    )
    if kind == "missing":  # point at the mapping that lacks the field
        path = path[:-1] if path and path[-1] == field else path
    return doc.finding(C.SCHEMA, path, message=message, hint=hint)
