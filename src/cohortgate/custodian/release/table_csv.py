"""A released table as the file its recipient gets: plain arrays and CSV (UTF-8, a header row,
empty cells for missing values, dates as YYYY-MM-DD, numbers in their shortest form)."""

from __future__ import annotations

import csv
import io
from typing import Any

import numpy as np
import numpy.typing as npt

from cohortgate.custodian.release.prepared import Table


def plain(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """DuckDB's masked NULLs filled (NaT, NaN, None): the watermark and CSV need plain arrays."""
    if isinstance(values, np.ma.MaskedArray):
        data = values.data.copy()
        if data.dtype.kind == "M":
            data[values.mask] = np.datetime64("NaT")
        elif data.dtype.kind == "f":
            data[values.mask] = np.nan
        else:
            data = data.astype(object)
            data[values.mask] = None
        return np.asarray(data)
    return np.asarray(values)


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = list(table)
    writer.writerow(names)
    columns = [table[n] for n in names]
    for i in range(len(columns[0]) if columns else 0):
        writer.writerow([cell(column[i]) for column in columns])
    return out.getvalue().encode("utf-8")


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, np.datetime64):
        return "" if np.isnat(value) else str(value.astype("datetime64[D]"))
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else f"{value:g}"
    return str(value)
