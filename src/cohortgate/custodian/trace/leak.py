"""The tracer's inputs and results: a leaked CSV read as a columnar table, the candidate
releases it is traced against, and the scores and result of a trace (R25).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from cohortgate.custodian.trace.watermark import WatermarkPlan

Array = npt.NDArray[Any]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class CandidateRelease:
    release_id: str
    watermark_key: bytes
    original: Mapping[str, Array]  # the release table before the mark
    row_keys: Sequence[Any]  # per row: the custodian's stable row key (embed's row_keys)
    patient_keys: Sequence[Any]  # per row: the cohort patient id (embed's patient_keys)
    plan: WatermarkPlan

    @property
    def rows(self) -> int:
        return len(self.row_keys)


@dataclass(frozen=True)
class ReleaseScore:
    release_id: str
    matched_rows: int  # leaked rows re-found among this release's records
    carriers: int  # carriers read (+-1) on those rows
    agreements: int  # read carriers equal to this release's marks
    score: int  # agreements - disagreements
    p_value: float  # chance that an innocent release agrees this often (exact binomial tail)
    bound: float  # p_value times the number of candidates, at most 1: the false-accusation bound


@dataclass(frozen=True)
class TraceResult:
    candidates: int
    leak_rows: int
    level: float  # the accepted false-accusation probability
    best: ReleaseScore | None  # the most likely source (smallest p), None when nothing matched
    runner_up: ReleaseScore | None
    accused: tuple[ReleaseScore, ...]  # every release whose bound is within ``level``
    scores: tuple[ReleaseScore, ...]  # every release with a matched row, most likely first

    @property
    def release_id(self) -> str | None:
        """The release the leak is attributed to, or None when no release reaches the level."""
        return self.accused[0].release_id if self.accused else None

    @property
    def false_accusation(self) -> float:
        return self.best.bound if self.best else 1.0


class LeakReadError(ValueError):
    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def read_leak_csv(path: str | Path) -> dict[str, Array]:
    """A leaked CSV as a columnar table of strings (types follow the candidates at trace
    time). Header required; delimiter comma, semicolon, tab or bar; ragged rows refused."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        sample = handle.read(65536)
        handle.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        rows = list(csv.reader(handle, dialect))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise LeakReadError("the file has no header row naming its columns", 1)
    names = [cell.strip() for cell in rows[0]]
    if "" in names:
        raise LeakReadError(f"column {names.index('') + 1} of the header has no name", 1)
    if len(set(names)) != len(names):
        raise LeakReadError("a column name occurs twice in the header", 1)
    body = [row for row in rows[1:] if any(cell.strip() for cell in row)]
    for line, row in enumerate(rows[1:], start=2):
        if any(cell.strip() for cell in row) and len(row) != len(names):
            raise LeakReadError(f"{len(row)} fields where the header has {len(names)}", line)
    return {
        name: np.array([row[j].strip() for row in body], dtype=object)
        for j, name in enumerate(names)
    }
