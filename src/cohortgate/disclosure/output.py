"""The layout of a statistics file: stable, diff-friendly JSON.

Keys sorted, two-space indent, UTF-8 text as is (Chinese labels stay readable), and one line
per cell, per category and per bilingual label, so that a new version of the statistics shows
in ``git diff`` as the cells that changed and a finding can point at the line of one cell. The
same model always gives the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

from cohortgate.models.stats import DatasetStats

ONE_LINE_ITEMS = frozenset({"cells", "categories"})  # list items under these keys: one line each
ONE_LINE_VALUES = frozenset({"label", "title"})  # bilingual texts: one line


def dumps_stats(stats: DatasetStats) -> str:
    return _emit(stats.model_dump(mode="json"), 0, None) + "\n"


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))


def _emit(value: Any, depth: int, key: str | None) -> str:
    pad = "  " * (depth + 1)
    end = "  " * depth
    if key in ONE_LINE_VALUES:
        return _compact(value)
    if isinstance(value, dict) and value:
        items = [f"{pad}{json.dumps(k)}: {_emit(value[k], depth + 1, k)}" for k in sorted(value)]
        return "{\n" + ",\n".join(items) + "\n" + end + "}"
    if isinstance(value, list) and value:
        if key in ONE_LINE_ITEMS:
            items = [pad + _compact(v) for v in value]
        else:
            items = [pad + _emit(v, depth + 1, None) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + end + "]"
    return _compact(value)
