"""Minimum-necessary extraction (R16) without withdrawn or opted-out participants (R32).

``selection_of`` turns an application's structured selection into the engine's
:class:`CohortSelection`; the free-text criterion cannot be applied by a query and is handed
back so that the caller can say so (and the custodian apply it by hand or refuse).
``variables_of`` collects the requested columns per cohort table. ``extract`` runs the one
query per table in ``engine.Engine.extract``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cohortgate.custodian.cohort.engine import CohortError, Engine, ExtractError
from cohortgate.custodian.cohort.sql import CohortCriteria, CohortSelection, Population
from cohortgate.custodian.cohort.stats import population_of
from cohortgate.custodian.deid import codes
from cohortgate.findings import Finding
from cohortgate.models.application import Application, Criteria, Selection
from cohortgate.models.dataset import Dataset

__all__ = [
    "CohortCriteria",
    "CohortError",
    "CohortSelection",
    "Extract",
    "ExtractError",
    "criteria_of",
    "extract",
    "selection_of",
    "unapplied_findings",
    "variables_of",
]

Tables = dict[str, dict[str, np.ndarray[Any, Any]]]


def criteria_of(criteria: Criteria) -> CohortCriteria:
    age = criteria.age_at_diagnosis
    return CohortCriteria(
        orpha_codes=tuple(criteria.diseases),
        min_age_years=None if age is None else age.min_years,
        max_age_years=None if age is None else age.max_years,
        sexes=tuple(criteria.sex),
        hpo_ids=tuple(criteria.hpo),
        genes=tuple(criteria.genes),
        diagnosed_from=criteria.diagnosed_from,
        diagnosed_to=criteria.diagnosed_to,
    )


def scope_of(datasets: Sequence[Dataset]) -> tuple[Population, ...]:
    """Each requested dataset as the population its published statistics count (R2, R16):
    its diseases at its contributing institutions."""
    return tuple(population_of(d) for d in datasets)


def selection_of(
    source: Application | Selection, datasets: Sequence[Dataset] | None = None
) -> tuple[CohortSelection, list[str]]:
    """The structured selection, restricted to the ``datasets``' scope when they are given,
    and the free-text criteria it could not apply (inclusion first, each prefixed with
    'inclusion: ' or 'exclusion: ')."""
    selection = source.selection if isinstance(source, Application) else source
    unapplied = []
    if selection.inclusion.text:
        unapplied.append(f"inclusion: {selection.inclusion.text}")
    exclusion = selection.exclusion
    if exclusion is not None and exclusion.text:
        unapplied.append(f"exclusion: {exclusion.text}")
    return (
        CohortSelection(
            inclusion=criteria_of(selection.inclusion),
            exclusion=None if exclusion is None else criteria_of(exclusion),
            scope=None if datasets is None else scope_of(datasets),
        ),
        unapplied,
    )


def unapplied_findings(unapplied: Sequence[str], where: str) -> list[Finding]:
    """A warning per free-text criterion the extraction could not apply."""
    return [
        codes.FREE_TEXT_CRITERION.at(where, path="$.selection", criterion=text)
        for text in unapplied
    ]


def variables_of(application: Application) -> dict[str, list[str]]:
    """Requested columns per cohort table, over all requested datasets, in request order."""
    tables: dict[str, list[str]] = {}
    for request in application.datasets:
        for variable in request.variables:
            columns = tables.setdefault(variable.table, [])
            if variable.name not in columns:
                columns.append(variable.name)
    return tables


@dataclass(frozen=True)
class Extract:
    tables: Tables
    patients: tuple[str, ...]  # every patient id present in any table, sorted
    unapplied: tuple[str, ...]  # free-text criteria no query applied


def extract(
    cohort: Path,
    selection: CohortSelection,
    variables: Mapping[str, Sequence[str]],
    excluded_ids: Sequence[str] = (),
    unapplied: Sequence[str] = (),
    display: str | None = None,
) -> Extract:
    """Open the cohort read-only and extract (raises ``CohortError`` for a file that is not
    a usable cohort, ``ExtractError`` for a requested table or column it does not have)."""
    with Engine.open(cohort, read_only=True, display=display) as engine:
        tables = engine.extract(selection, variables, excluded_ids)
    ids: set[str] = set()
    for table in tables.values():
        ids.update(table["patient_id"].tolist())
    return Extract(tables, tuple(sorted(ids)), tuple(unapplied))
