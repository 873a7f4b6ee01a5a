"""Quarters of the review calendar (R15): ``2026Q4`` runs from 1 October to 31 December 2026."""

from __future__ import annotations

import re
from datetime import date, timedelta

_QUARTER = re.compile(r"^(20[0-9]{2})Q([1-4])$")


def parse_quarter(text: str) -> tuple[int, int]:
    """(year, quarter) of '2026Q4'; ValueError with the expected form otherwise."""
    match = _QUARTER.fullmatch(text.strip().upper())
    if not match:
        raise ValueError(f"'{text}' is not a quarter; write it as YYYYQn, e.g. 2026Q4")
    return int(match.group(1)), int(match.group(2))


def quarter_bounds(text: str) -> tuple[date, date]:
    """First and last day of the quarter."""
    year, quarter = parse_quarter(text)
    start = date(year, 3 * quarter - 2, 1)
    end = (date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)) - timedelta(1)
    return start, end


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def previous_quarter(text: str) -> str:
    start, _end = quarter_bounds(text)
    return quarter_of(start - timedelta(days=1))


def cutoff(text: str, days_before_end: int) -> date:
    """The last day on which an application completes in time for the quarter's meeting."""
    _start, end = quarter_bounds(text)
    return end - timedelta(days=days_before_end)
