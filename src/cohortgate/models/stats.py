"""Published summary statistics of a dataset: ``catalog/stats/<dataset>.json``.

Written by ``cohortgate stats`` (custodian side) after disclosure control; read by the audit and
the site. A suppressed cell has ``value: null`` and ``suppressed: true``; the file never says
whether a suppression was primary or secondary (that would point at the small cells).
"""

from __future__ import annotations

from pydantic import Field, StrictBool

from cohortgate.models.common import Slug, Strict, Text


class Category(Strict):
    code: str = Field(description="Value as stored, e.g. 'ORPHA:70', 'F', '31', '1-4'")
    label: Text


class Dimension(Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Text
    categories: list[Category] = Field(min_length=1)


class Cell(Strict):
    key: list[str] = Field(description="One category code per dimension, in dimension order")
    value: int | None = Field(ge=0, description="Published (rounded) count; null if suppressed")
    suppressed: StrictBool = False


class StatTable(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Text
    dimensions: list[Dimension] = Field(min_length=1)
    additive: StrictBool = Field(
        description="True when every patient of the population is counted in exactly one "
        "cell, so that the table's cells sum to the population (linked tables)"
    )
    cells: list[Cell]
    total: int = Field(ge=0, description="Sum of the published values (never of true counts)")


class DisclosureSummary(Strict):
    preset: str
    threshold: int
    rounding: int
    zeros_sensitive: StrictBool
    protection_width: int


class DatasetStats(Strict):
    dataset: Slug
    policy: DisclosureSummary
    population: int | None = Field(
        ge=0, description="Patients in the dataset, rounded; null if suppressed"
    )
    tables: list[StatTable]
