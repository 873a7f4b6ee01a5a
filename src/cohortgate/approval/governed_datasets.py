"""Which changes to a catalog dataset need both chairs (``approval.governed``): field by field.

A dataset's file is parsed at the merge base and at the head (``models.dataset.Dataset``). The
change is governed when the dataset is added or removed, or when one of the fields that decide
what may be requested and released differs:

- ``id``: the name applications request it by (a new id is another dataset);
- ``data_class``: only research data may be requested at all (R4);
- ``privacy_levels``: the levels at which it may be released (R5);
- ``use_conditions`` and ``use_conditions_note``: the conditions of use applicants accept;
- every variable's ``privacy`` class (R6), by table and variable name: a class changed, a
  variable added or removed (a new column brings a class of its own), a name given twice.

Titles, descriptions, labels, diseases, keywords, units and category values are not governed.
A file that cannot be read as a dataset on either side (broken YAML, a symbolic link, a field
the model refuses) is governed too: what cannot be read cannot be shown unchanged. Values are
compared as parsed, in order: reordering the levels or the conditions counts as a change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from git import Commit

from cohortgate.files.loading import Document
from cohortgate.findings.codes import Both
from cohortgate.gitread.committed import load_model
from cohortgate.gitread.read import blob_sha, read_blob
from cohortgate.models.dataset import Dataset

Place = tuple[str | int, ...]
_NOTHING = Both(zh="", en="")


@dataclass(frozen=True)
class Differences:
    """What differs in the governed fields, and where the first difference stands at the head
    ((0, 0) when the dataset is gone or unreadable there)."""

    what: tuple[Both, ...]
    at: tuple[int, int]


@dataclass(frozen=True)
class _Side:
    """One side of the comparison: absent, unreadable (``problem``) or a dataset."""

    present: bool
    dataset: Dataset | None = None
    doc: Document | None = None
    problem: Both = _NOTHING


def _side(commit: Commit, path: str) -> _Side:
    data = read_blob(commit, path)
    if data is None:
        if blob_sha(commit, path) is None:
            return _Side(False)
        return _Side(True, problem=Both(zh="是符号链接", en="is a symbolic link"))
    dataset, doc, findings = load_model(data, path, Dataset)
    if dataset is None:
        if not findings:
            return _Side(True, problem=Both(zh="不是数据集", en="is not a dataset"))
        zh, en = findings[0].text("zh")[0], findings[0].message
        return _Side(True, problem=Both(zh=zh, en=en))
    return _Side(True, dataset, doc)


def _fields(ds: Dataset) -> dict[str, str]:
    """The governed dataset-level fields, each as canonical JSON."""
    note = ds.use_conditions_note.model_dump() if ds.use_conditions_note else None
    values = {
        "id": ds.id,
        "data_class": ds.data_class.value,
        "privacy_levels": [level.value for level in ds.privacy_levels],
        "use_conditions": [c.model_dump(mode="json") for c in ds.use_conditions],
        "use_conditions_note": note,
    }
    return {
        key: json.dumps(value, ensure_ascii=False, sort_keys=True) for key, value in values.items()
    }


def _classes(ds: Dataset) -> dict[tuple[str, str], list[tuple[str, Place]]]:
    """{(table, variable): [(privacy class, where), ...]} in file order; a variable named twice
    has two entries."""
    found: dict[tuple[str, str], list[tuple[str, Place]]] = {}
    for i, table in enumerate(ds.tables):
        for j, var in enumerate(table.variables):
            place: Place = ("tables", i, "variables", j, "privacy")
            found.setdefault((table.source, var.name), []).append((var.privacy.value, place))
    return found


def _short(value: str) -> str:
    return value if len(value) <= 60 else value[:57] + "..."


def dataset_differences(base: Commit, head: Commit, path: str) -> Differences | None:
    """The governed differences of the dataset at ``path`` from ``base`` to ``head``, or None
    when there are none (only ungoverned fields changed)."""
    before, after = _side(base, path), _side(head, path)
    if not before.present and not after.present:
        return None
    unreadable = [
        Both(
            zh=f"在{zh}中无法读取（{side.problem.zh}）",
            en=f"unreadable at the {name} ({side.problem.en})",
        )
        for name, zh, side in (("base", "基准分支", before), ("head", "最新提交", after))
        if side.present and side.dataset is None
    ]
    if unreadable:
        return Differences(tuple(unreadable), _at(after, ()))
    if before.dataset is None:
        assert after.dataset is not None
        added = Both(zh=f"“{after.dataset.id}”为新增", en=f"'{after.dataset.id}' added")
        return Differences((added,), _at(after, ()))
    if after.dataset is None:
        gone = Both(zh=f"“{before.dataset.id}”已删除", en=f"'{before.dataset.id}' removed")
        return Differences((gone,), (0, 0))
    what: list[Both] = []
    places: list[Place] = []
    old, new = _fields(before.dataset), _fields(after.dataset)
    for key in old:
        if old[key] != new[key]:
            values = f"{_short(old[key])} -> {_short(new[key])}"
            what.append(Both(zh=f"{key} 已修改：{values}", en=f"{key} changed: {values}"))
            places.append((key,))
    old_classes, new_classes = _classes(before.dataset), _classes(after.dataset)
    for table, var in sorted(set(old_classes) | set(new_classes)):
        was = [c for c, _p in old_classes.get((table, var), [])]
        now_at = new_classes.get((table, var), [])
        now = [c for c, _p in now_at]
        if was != now:
            zh = f"{', '.join(was) or '无'} -> {', '.join(now) or '无'}"
            en = f"{', '.join(was) or 'absent'} -> {', '.join(now) or 'absent'}"
            what.append(
                Both(
                    zh=f"{table}.{var} 的隐私分类已修改：{zh}",
                    en=f"privacy class of {table}.{var} changed: {en}",
                )
            )
            places.append(now_at[0][1] if now_at else ("tables",))
    if not what:
        return None
    return Differences(tuple(what), _at(after, places[0]))


def _at(side: _Side, place: Place) -> tuple[int, int]:
    if side.doc is None:
        return (0, 0)
    return side.doc.locate(place)


__all__ = ["Differences", "dataset_differences"]
