"""Ages as the GA4GH Phenopacket schema writes them: ISO 8601 durations (``P3Y6M``, ``P10D``,
``P2W``), in months. Only the date part is an age; a time part (``T...``) is refused, as are
fractions on anything but the last unit, negative and empty durations."""

from __future__ import annotations

import re

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<years>\d+(?:[.,]\d+)?)Y)?(?:(?P<months>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<weeks>\d+(?:[.,]\d+)?)W)?(?:(?P<days>\d+(?:[.,]\d+)?)D)?$"
)
DAYS_PER_MONTH = 365.2425 / 12  # the mean Gregorian month


class DurationError(ValueError):
    """Not an ISO 8601 duration of years, months, weeks and days."""


def months(text: str) -> float:
    """The duration ``text`` in months (years x 12, days / the mean month); DurationError
    says what is wrong."""
    match = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise DurationError(
            f"'{text}' is not an ISO 8601 duration of years, months, weeks and days "
            "(e.g. P3Y6M, P10D)"
        )
    parts = {k: v for k, v in match.groupdict().items() if v is not None}
    fractional = [k for k, v in parts.items() if "." in v or "," in v]
    if fractional and fractional[-1] != list(parts)[-1]:
        raise DurationError(f"'{text}': only the last unit may have a fraction")
    value = {k: float(v.replace(",", ".")) for k, v in parts.items()}
    return (
        value.get("years", 0.0) * 12
        + value.get("months", 0.0)
        + (value.get("weeks", 0.0) * 7 + value.get("days", 0.0)) / DAYS_PER_MONTH
    )
