"""Free-text visit notes, in the clinic's shorthand, built column-wise.

A few notes mention the patient's name, phone number, ID number, address, record number or
guardian: the realistic hazard that free text carries identifiers past a column-level
de-identification. ``IDENTIFIER_RATE`` sets how many.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

NOTE_RATE = 0.4  # share of visits with a note
IDENTIFIER_RATE = 0.03  # share of notes that mention a direct identifier

OPENINGS = {"outpatient": "门诊随访。", "inpatient": "入院。", "emergency": "急诊就诊。"}
FINDINGS = (
    "一般情况可，",
    "精神反应可，",
    "未诉特殊不适，",
    "家长诉近期睡眠欠佳，",
    "近一周有发热、咳嗽，",
    "运动发育较前进步，",
    "饮食控制依从性一般，",
    "近期食欲下降，",
)
PLANS = (
    "继续目前治疗，3个月后复诊。",
    "继续目前治疗，6个月后复诊。",
    "完善相关检查。",
    "建议康复训练，定期随访。",
    "调整用药剂量，1个月后复查。",
)
# (prefix, identifier key, suffix)
MENTIONS = (
    ("家长联系电话", "phone", "。"),
    ("身份证号", "id_number", "。"),
    ("监护人", "guardian_name", "陪同就诊。"),
    ("患儿", "name", "由家属陪同。"),
    ("现住址", "address", "。"),
    ("病案号", "medical_record_no", "。"),
)

StrArray = NDArray[np.str_]


def _cat(parts: Sequence[StrArray | str]) -> StrArray:
    out = np.asarray(parts[0])
    for part in parts[1:]:
        out = np.strings.add(out, part)
    return out


def _choose(options: Sequence[str], n: int, rng: np.random.Generator) -> StrArray:
    return np.array(options)[rng.integers(0, len(options), n)]


def visit_notes(
    visit_types: StrArray,
    age_days: NDArray[np.int64],
    weight: NDArray[np.float64],
    height: NDArray[np.float64],
    owner: NDArray[np.int64],
    identifiers: dict[str, StrArray],
    rng: np.random.Generator,
) -> NDArray[np.object_]:
    """One note per visit, or None. ``owner`` is each visit's patient (an index into the
    ``identifiers`` arrays, one per key of ``MENTIONS``)."""
    has_note = rng.random(len(visit_types)) < NOTE_RATE
    rows = np.flatnonzero(has_note)
    n = len(rows)
    days = age_days[rows]
    years, months = days // 365, (days % 365) // 30
    opening = np.empty(n, dtype="U8")
    for kind, text in OPENINGS.items():
        opening[visit_types[rows] == kind] = text
    notes = _cat(
        [
            opening,
            "患儿",
            years.astype("U2"),
            "岁",
            months.astype("U2"),
            "月，",
            _choose(FINDINGS, n, rng),
            "体重",
            weight[rows].astype("U6"),
            "kg，身高",
            height[rows].astype("U6"),
            "cm。",
            _choose(PLANS, n, rng),
        ]
    )
    hazard = np.flatnonzero(rng.random(n) < IDENTIFIER_RATE)
    which = rng.integers(0, len(MENTIONS), len(hazard))
    mention = np.full(n, "", dtype="U80")
    for i, (prefix, key, suffix) in enumerate(MENTIONS):
        chosen = hazard[which == i]
        mention[chosen] = _cat([prefix, identifiers[key][owner[rows[chosen]]], suffix])
    notes = np.strings.add(notes, mention)
    out = np.full(len(visit_types), None, dtype=object)
    out[rows] = notes.astype(object)
    return out
