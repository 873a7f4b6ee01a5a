"""The cohort's SQL vocabulary: the expressions of the statistics' dimensions, the population
a dataset's statistics count, and the structured selection of an extraction, as standard SQL
with ``?`` parameters (values only, never names). ``engine`` runs them; nothing else builds SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cohortgate.policy import AGE_BANDS


@dataclass(frozen=True)
class Population:
    orpha_codes: tuple[str, ...]
    institutions: tuple[str, ...]


AGE_YEARS = (
    "(EXTRACT(YEAR FROM d.diagnosis_date) - EXTRACT(YEAR FROM p.birth_date)"
    " - CASE WHEN EXTRACT(MONTH FROM d.diagnosis_date) * 100 + EXTRACT(DAY FROM d.diagnosis_date)"
    " < EXTRACT(MONTH FROM p.birth_date) * 100 + EXTRACT(DAY FROM p.birth_date)"
    " THEN 1 ELSE 0 END)"
)
AGE_BAND = (
    "CASE "
    + " ".join(
        f"WHEN {AGE_YEARS} >= {low} AND {AGE_YEARS} < {high} THEN '{label}'"
        for label, low, high in AGE_BANDS
    )
    + " END"
)
ONSET_YEAR = (
    "CAST(EXTRACT(YEAR FROM p.birth_date)"
    " + FLOOR((EXTRACT(MONTH FROM p.birth_date) - 1 + d.onset_age_months) / 12.0) AS INTEGER)"
)

# dimension -> (SQL expression, join it needs)
DIMENSIONS: dict[str, tuple[str, str]] = {
    "disease": ("d.orpha_code", ""),
    "sex": ("p.sex", ""),
    "age_band": (AGE_BAND, ""),
    "province": ("p.province", ""),
    "onset_year": (ONSET_YEAR, ""),
    "institution": ("p.institution_id", ""),
    "gene": ("v.gene_symbol", "JOIN variant v ON v.patient_id = p.patient_id"),
    "phenotype": ("ph.hpo_id", "JOIN phenotype ph ON ph.patient_id = p.patient_id"),
}

POPULATION = """
FROM patient p
JOIN diagnosis d ON d.patient_id = p.patient_id
JOIN consent c ON c.patient_id = p.patient_id
{joins}
WHERE d.orpha_code IN ({codes}) AND p.institution_id IN ({institutions})
  AND c.broad_consent_date IS NOT NULL AND c.withdrawal_date IS NULL
"""
OPT_OUT_VIEW = "cohortgate_opt_out"

AGE_MONTHS = (
    "((EXTRACT(YEAR FROM d.diagnosis_date) - EXTRACT(YEAR FROM p.birth_date)) * 12"
    " + EXTRACT(MONTH FROM d.diagnosis_date) - EXTRACT(MONTH FROM p.birth_date)"
    " - CASE WHEN EXTRACT(DAY FROM d.diagnosis_date) < EXTRACT(DAY FROM p.birth_date)"
    " THEN 1 ELSE 0 END)"
)


@dataclass(frozen=True)
class CohortCriteria:
    """Structured criteria; a patient matches when every given (non-empty) field matches."""

    orpha_codes: tuple[str, ...] = ()
    min_age_years: float | None = None
    max_age_years: float | None = None
    sexes: tuple[str, ...] = ()
    hpo_ids: tuple[str, ...] = ()
    genes: tuple[str, ...] = ()
    diagnosed_from: str | None = None  # ISO date, inclusive
    diagnosed_to: str | None = None  # ISO date, inclusive

    @property
    def empty(self) -> bool:
        return self == CohortCriteria()


@dataclass(frozen=True)
class CohortSelection:
    inclusion: CohortCriteria
    exclusion: CohortCriteria | None = None
    # R2, R16: the requested datasets. A patient is in scope when one of them holds both the
    # patient's diagnosis and the contributing institution; None: no restriction (statistics
    # and tests), an empty tuple: nobody.
    scope: tuple[Population, ...] | None = None


def criteria_sql(criteria: CohortCriteria) -> tuple[list[str], list[Any]]:
    """One SQL condition per given field, with its parameters (values only, never names)."""
    conditions: list[str] = []
    params: list[Any] = []

    def among(expr: str, values: tuple[str, ...]) -> None:
        if values:
            conditions.append(f"{expr} IN ({placeholders(len(values))})")
            params.extend(values)

    among("d.orpha_code", criteria.orpha_codes)
    among("p.sex", criteria.sexes)
    if criteria.min_age_years is not None:
        conditions.append(f"{AGE_MONTHS} >= ?")
        params.append(criteria.min_age_years * 12)
    if criteria.max_age_years is not None:
        conditions.append(f"{AGE_MONTHS} <= ?")
        params.append(criteria.max_age_years * 12)
    for table, column, values in (
        ("phenotype", "hpo_id", criteria.hpo_ids),
        ("variant", "gene_symbol", criteria.genes),
    ):
        if values:
            conditions.append(
                f"EXISTS (SELECT 1 FROM {table} x WHERE x.patient_id = p.patient_id"
                f" AND x.{column} IN ({placeholders(len(values))}))"
            )
            params.extend(values)
    if criteria.diagnosed_from is not None:
        conditions.append("d.diagnosis_date >= CAST(? AS DATE)")
        params.append(criteria.diagnosed_from)
    if criteria.diagnosed_to is not None:
        conditions.append("d.diagnosis_date <= CAST(? AS DATE)")
        params.append(criteria.diagnosed_to)
    return conditions, params


def selection_sql(selection: CohortSelection, opt_out: bool) -> tuple[str, list[Any]]:
    """``SELECT p.patient_id ...`` of the selected, consenting, not opted-out patients."""
    where = ["c.broad_consent_date IS NOT NULL", "c.withdrawal_date IS NULL"]
    if opt_out:
        where.append(f"p.patient_id NOT IN (SELECT patient_id FROM {OPT_OUT_VIEW})")
    include, params = criteria_sql(selection.inclusion)
    where.extend(include)
    if selection.scope is not None:
        parts = ["FALSE"]
        for population in selection.scope:
            codes, places = population.orpha_codes, population.institutions
            if not codes or not places:
                parts.append("FALSE")
                continue
            parts.append(
                f"(d.orpha_code IN ({placeholders(len(codes))})"
                f" AND p.institution_id IN ({placeholders(len(places))}))"
            )
            params.extend([*codes, *places])
        where.append(f"({' OR '.join(parts)})")
    if selection.exclusion is not None and not selection.exclusion.empty:
        exclude, more = criteria_sql(selection.exclusion)
        # unknown (NULL) does not match an exclusion criterion: the patient stays
        where.append(f"NOT COALESCE(({' AND '.join(exclude)}), FALSE)")
        params.extend(more)
    sql = (
        "SELECT DISTINCT p.patient_id FROM patient p"
        " JOIN diagnosis d ON d.patient_id = p.patient_id"
        " JOIN consent c ON c.patient_id = p.patient_id"
        f" WHERE {' AND '.join(where)}"
    )
    return sql, params


def placeholders(n: int) -> str:
    return ", ".join("?" for _ in range(n))
