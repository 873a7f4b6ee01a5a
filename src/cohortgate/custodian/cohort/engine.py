"""The one narrow door to the cohort: every SQL statement of the project is in this module.

DuckDB is the embedded default. A national cohort with genome-scale variant tables may live in
Spark SQL or Trino instead; to make that a change of this module only, the queries use standard
SQL (joins, ``IN`` lists, ``COUNT(DISTINCT)``, ``CASE``, ``EXTRACT``, ``CAST``, ``FLOOR``,
``information_schema``) and ``?`` parameters. The DuckDB-specific parts are marked ``DuckDB:``
below: connecting, bulk-loading numpy arrays through a registered view, and ``CHECKPOINT``.
Column types are those of ``COHORT_SCHEMA`` (VARCHAR, DATE, INTEGER, DOUBLE); Spark SQL spells
VARCHAR as STRING, so a Spark backend maps that one name. Only ``count`` and ``extract`` take
outside values, and they bind them as parameters; table, column and dimension names come from
the schema and ``DIMENSIONS``, never from input (``extract`` checks requested names against
the schema and then uses the schema's spelling).

Statistics count DISTINCT patients of a :class:`Population` -- patients whose (single,
primary) diagnosis is one of its Orphanet codes, whose contributing institution is one of its
institutions, who gave broad consent and have not withdrawn it -- grouped by dimensions:

- ``disease``: ``diagnosis.orpha_code``
- ``sex``: ``patient.sex`` ('M' or 'F')
- ``age_band``: age in full years at diagnosis, labelled with ``policy.AGE_BANDS``
- ``province``: ``patient.province`` (GB/T 2260 code)
- ``onset_year``: the year of ``birth_date`` plus ``onset_age_months``
- ``institution``: ``patient.institution_id``
- ``gene``: ``variant.gene_symbol``; only genotyped patients, and a patient with variants in
  two genes counts in both (not additive)
- ``phenotype``: ``phenotype.hpo_id``; a patient counts once per recorded phenotype (not
  additive)

A missing value (SQL NULL) is reported as ``MISSING``.

Extraction (``extract``, R16 minimum necessary, R32 withdrawal) returns, per requested table,
only the requested columns plus ``patient_id``, only for the patients of a
:class:`CohortSelection`: broad consent given and not withdrawn, not in the opt-out list, every
given inclusion field matched and not every given exclusion field matched. Within one field
any listed value matches (``IN``; phenotypes and genes: ``EXISTS`` a row with one of them). Age
at diagnosis is in full months (``_AGE_MONTHS``) divided by 12, both bounds inclusive. A
patient needs a diagnosis row and a consent row. The opt-out list is bound as a registered
one-column relation (DuckDB:), any size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import numpy as np

from cohortgate.models.cohort import COHORT_SCHEMA, CUSTODIAN_ONLY_TABLES
from cohortgate.policy import AGE_BANDS

REGENERATE = "regenerate it with `cohortgate cohort generate`"
MISSING = "unknown"


class CohortError(Exception):
    """The cohort database cannot be used; the message says why and what to do."""


class ExtractError(ValueError):
    """A requested table or column is not in the cohort (or may never leave it)."""


@dataclass(frozen=True)
class Population:
    orpha_codes: tuple[str, ...]
    institutions: tuple[str, ...]


_AGE_YEARS = (
    "(EXTRACT(YEAR FROM d.diagnosis_date) - EXTRACT(YEAR FROM p.birth_date)"
    " - CASE WHEN EXTRACT(MONTH FROM d.diagnosis_date) * 100 + EXTRACT(DAY FROM d.diagnosis_date)"
    " < EXTRACT(MONTH FROM p.birth_date) * 100 + EXTRACT(DAY FROM p.birth_date)"
    " THEN 1 ELSE 0 END)"
)
_AGE_BAND = (
    "CASE "
    + " ".join(
        f"WHEN {_AGE_YEARS} >= {low} AND {_AGE_YEARS} < {high} THEN '{label}'"
        for label, low, high in AGE_BANDS
    )
    + " END"
)
_ONSET_YEAR = (
    "CAST(EXTRACT(YEAR FROM p.birth_date)"
    " + FLOOR((EXTRACT(MONTH FROM p.birth_date) - 1 + d.onset_age_months) / 12.0) AS INTEGER)"
)

# dimension -> (SQL expression, join it needs)
DIMENSIONS: dict[str, tuple[str, str]] = {
    "disease": ("d.orpha_code", ""),
    "sex": ("p.sex", ""),
    "age_band": (_AGE_BAND, ""),
    "province": ("p.province", ""),
    "onset_year": (_ONSET_YEAR, ""),
    "institution": ("p.institution_id", ""),
    "gene": ("v.gene_symbol", "JOIN variant v ON v.patient_id = p.patient_id"),
    "phenotype": ("ph.hpo_id", "JOIN phenotype ph ON ph.patient_id = p.patient_id"),
}

_POPULATION = """
FROM patient p
JOIN diagnosis d ON d.patient_id = p.patient_id
JOIN consent c ON c.patient_id = p.patient_id
{joins}
WHERE d.orpha_code IN ({codes}) AND p.institution_id IN ({institutions})
  AND c.broad_consent_date IS NOT NULL AND c.withdrawal_date IS NULL
"""
_LOAD_VIEW = "cohortgate_load"
_OPT_OUT_VIEW = "cohortgate_opt_out"
_STATS_OPT_OUT_VIEW = "cohortgate_stats_opt_out"  # the registry, for every count (R32)

_AGE_MONTHS = (
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


def _criteria_sql(criteria: CohortCriteria) -> tuple[list[str], list[Any]]:
    """One SQL condition per given field, with its parameters (values only, never names)."""
    conditions: list[str] = []
    params: list[Any] = []

    def among(expr: str, values: tuple[str, ...]) -> None:
        if values:
            conditions.append(f"{expr} IN ({_placeholders(len(values))})")
            params.extend(values)

    among("d.orpha_code", criteria.orpha_codes)
    among("p.sex", criteria.sexes)
    if criteria.min_age_years is not None:
        conditions.append(f"{_AGE_MONTHS} >= ?")
        params.append(criteria.min_age_years * 12)
    if criteria.max_age_years is not None:
        conditions.append(f"{_AGE_MONTHS} <= ?")
        params.append(criteria.max_age_years * 12)
    for table, column, values in (
        ("phenotype", "hpo_id", criteria.hpo_ids),
        ("variant", "gene_symbol", criteria.genes),
    ):
        if values:
            conditions.append(
                f"EXISTS (SELECT 1 FROM {table} x WHERE x.patient_id = p.patient_id"
                f" AND x.{column} IN ({_placeholders(len(values))}))"
            )
            params.extend(values)
    if criteria.diagnosed_from is not None:
        conditions.append("d.diagnosis_date >= CAST(? AS DATE)")
        params.append(criteria.diagnosed_from)
    if criteria.diagnosed_to is not None:
        conditions.append("d.diagnosis_date <= CAST(? AS DATE)")
        params.append(criteria.diagnosed_to)
    return conditions, params


def _selection_sql(selection: CohortSelection, opt_out: bool) -> tuple[str, list[Any]]:
    """``SELECT p.patient_id ...`` of the selected, consenting, not opted-out patients."""
    where = ["c.broad_consent_date IS NOT NULL", "c.withdrawal_date IS NULL"]
    if opt_out:
        where.append(f"p.patient_id NOT IN (SELECT patient_id FROM {_OPT_OUT_VIEW})")
    include, params = _criteria_sql(selection.inclusion)
    where.extend(include)
    if selection.exclusion is not None and not selection.exclusion.empty:
        exclude, more = _criteria_sql(selection.exclusion)
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


def _plain(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """A fetched column without a mask: NULL is None (strings), NaT (dates), NaN (numbers;
    an integer column with NULLs becomes float64)."""
    if not isinstance(values, np.ma.MaskedArray):
        return np.asarray(values)
    if not values.mask.any():
        return np.asarray(values.data)
    kind = values.dtype.kind
    if kind == "M":
        return np.asarray(values.filled(np.datetime64("NaT")))
    if kind in "iuf":
        return np.asarray(np.ma.filled(values.astype(np.float64), np.nan))
    return np.asarray(np.ma.filled(values.astype(object), None))


def _placeholders(n: int) -> str:
    return ", ".join("?" for _ in range(n))


def _connect(path: Path, display: str, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)  # DuckDB: embedded file
    except duckdb.Error as exc:
        text = str(exc).replace(str(path), display)
        if "not a valid DuckDB database" in text:
            raise CohortError(f"{display} is not a DuckDB database: {REGENERATE}") from None
        if "lock" in text.lower():
            raise CohortError(f"{display} is in use by another process: {text}") from None
        raise CohortError(f"{display} cannot be opened ({text}): {REGENERATE}") from None


class Engine:
    """A connection to one cohort database. Use ``open`` or ``create``, then ``with``."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, display: str) -> None:
        self._con = connection
        self.display = display
        self._excluding = False

    def exclude(self, patient_ids: Sequence[str]) -> None:
        """Leave these patients out of every later count (the opt-out registry, R32): the
        consent table knows withdrawals recorded at the hospitals, the registry those recorded
        by the data centre."""
        ids = np.asarray(sorted(set(patient_ids)) or [""], dtype=object)
        self._con.register(_STATS_OPT_OUT_VIEW, {"patient_id": ids})  # DuckDB: a numpy scan
        self._excluding = bool(patient_ids)

    @classmethod
    def open(cls, path: Path, read_only: bool = True, display: str | None = None) -> Engine:
        """Open an existing cohort and check that every table and column of the schema exists."""
        shown = display or str(path)
        if not path.is_file():
            raise CohortError(
                f"{shown} does not exist: generate it with `cohortgate cohort "
                "generate` (or set COHORTGATE_CUSTODIAN_DIR)"
            )
        engine = cls(_connect(path, shown, read_only), shown)
        try:
            engine._check_schema()
        except BaseException:
            engine.close()
            raise
        return engine

    @classmethod
    def create(cls, path: Path, display: str | None = None) -> Engine:
        """Create a new, empty cohort with the tables of ``COHORT_SCHEMA``."""
        shown = display or str(path)
        if path.exists():
            raise CohortError(f"{shown} already exists; remove it first")
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = cls(_connect(path, shown, read_only=False), shown)
        for table, columns in COHORT_SCHEMA.items():
            body = ", ".join(f"{name} {kind}" for name, kind in columns.items())
            engine._con.execute(f"CREATE TABLE {table} ({body})")
        return engine

    def __enter__(self) -> Engine:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._con.close()

    def _check_schema(self) -> None:
        try:
            rows = self._con.execute(
                "SELECT table_name, column_name, data_type FROM information_schema.columns"
            ).fetchall()
        except duckdb.Error as exc:
            raise CohortError(f"{self.display} cannot be read ({exc}): {REGENERATE}") from None
        found = {(table, column): kind for table, column, kind in rows}
        tables = {table for table, _ in found}
        for table, columns in COHORT_SCHEMA.items():
            if table not in tables:
                raise CohortError(f"{self.display} has no table {table}: {REGENERATE}")
            for column, kind in columns.items():
                actual = found.get((table, column))
                if actual is None:
                    raise CohortError(
                        f"{self.display}: table {table} has no column {column}: {REGENERATE}"
                    )
                if actual.upper() != kind:
                    raise CohortError(
                        f"{self.display}: column {table}.{column} is {actual}, expected {kind}: "
                        f"{REGENERATE}"
                    )

    # -- loading ---------------------------------------------------------------------------

    def load(self, table: str, columns: Mapping[str, np.ndarray[Any, Any]]) -> int:
        """Append rows given column-wise as numpy arrays (all columns of the table, any order).

        Strings may be ``<U`` or object arrays (None is NULL); dates are ``datetime64`` (NaT is
        NULL); NaN in a float column is NULL.
        """
        expected = COHORT_SCHEMA[table]
        if set(columns) != set(expected):
            raise ValueError(f"load({table}): columns {sorted(columns)} != {sorted(expected)}")
        data: dict[str, np.ndarray[Any, Any]] = {}
        for name, values in columns.items():
            if values.dtype.kind == "U":  # DuckDB reads Python strings far faster than UCS-4
                values = values.astype(object)
            elif values.dtype.kind == "M":  # DuckDB: its numpy scan reads datetime64[s], not [D]
                values = values.astype("datetime64[s]")
            data[name] = values
        select = ", ".join(f"CAST({name} AS {kind})" for name, kind in expected.items())
        self._con.register(_LOAD_VIEW, data)  # DuckDB: scan a dict of numpy arrays
        try:
            self._con.execute(
                f"INSERT INTO {table} ({', '.join(expected)}) SELECT {select} FROM {_LOAD_VIEW}"
            )
        finally:
            self._con.unregister(_LOAD_VIEW)
        return len(next(iter(data.values()))) if data else 0

    def checkpoint(self) -> None:
        self._con.execute("CHECKPOINT")  # DuckDB: write everything into the file

    # -- reading ---------------------------------------------------------------------------

    def row_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for table in COHORT_SCHEMA:
            row = self._con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
            counts[table] = int(row[0]) if row else 0
        return counts

    def rows(self, table: str, columns: Sequence[str] = ()) -> Iterator[tuple[Any, ...]]:
        """Every row of ``table`` (all columns in schema order, or ``columns``), streamed."""
        if table not in COHORT_SCHEMA:
            raise ValueError(f"no table {table!r} in the cohort schema")
        wanted = list(columns or COHORT_SCHEMA[table])
        unknown = [c for c in wanted if c not in COHORT_SCHEMA[table]]
        if unknown:
            raise ValueError(f"{table} has no column(s) {unknown}")
        cursor = self._con.execute(f"SELECT {', '.join(wanted)} FROM {table}")
        while batch := cursor.fetchmany(50_000):
            yield from batch

    def digest(self) -> str:
        """SHA-256 of every row of every table in a canonical order (equal content, equal
        digest). Reads the whole cohort: meant for tests and audits of small cohorts."""
        sha = hashlib.sha256()
        for table, columns in COHORT_SCHEMA.items():
            order = ", ".join(str(i) for i in range(1, len(columns) + 1))
            cursor = self._con.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}")
            sha.update(f"{table}\n".encode())
            while batch := cursor.fetchmany(50_000):
                for row in batch:
                    sha.update(repr(row).encode())
        return sha.hexdigest()

    def count(
        self, population: Population, dims: Sequence[str]
    ) -> list[tuple[tuple[str, ...], int]]:
        """Distinct patients of ``population`` per combination of ``dims`` that occurs, sorted
        by key. With no dims: one row ``((), size)``."""
        unknown = [dim for dim in dims if dim not in DIMENSIONS]
        if unknown:
            raise ValueError(f"unknown dimension(s) {unknown}; known: {sorted(DIMENSIONS)}")
        if not population.orpha_codes or not population.institutions:
            return [((), 0)] if not dims else []
        exprs = [f"CAST({DIMENSIONS[dim][0]} AS VARCHAR)" for dim in dims]
        joins = "\n".join(dict.fromkeys(DIMENSIONS[dim][1] for dim in dims if DIMENSIONS[dim][1]))
        sql = (
            f"SELECT {', '.join([*exprs, 'COUNT(DISTINCT p.patient_id)'])}"
            + _POPULATION.format(
                joins=joins,
                codes=_placeholders(len(population.orpha_codes)),
                institutions=_placeholders(len(population.institutions)),
            )
            + (
                f"  AND p.patient_id NOT IN (SELECT patient_id FROM {_STATS_OPT_OUT_VIEW})\n"
                if self._excluding
                else ""
            )
            + (f"GROUP BY {', '.join(exprs)}" if exprs else "")
        )
        params = [*population.orpha_codes, *population.institutions]
        rows = self._con.execute(sql, params).fetchall()
        result = [
            (tuple(MISSING if v is None else str(v) for v in row[:-1]), int(row[-1]))
            for row in rows
        ]
        return sorted(result)

    def population_size(self, population: Population) -> int:
        return self.count(population, ())[0][1]

    # -- extraction (R16, R32) -------------------------------------------------------------

    def extract(
        self,
        selection: CohortSelection,
        variables: Mapping[str, Sequence[str]],
        excluded_ids: Sequence[str] = (),
    ) -> dict[str, dict[str, np.ndarray[Any, Any]]]:
        """Per requested table: ``patient_id`` and the requested columns (schema order), only
        for the selected patients (see the module doc), rows sorted. Dates come back as
        ``datetime64``; NULLs as described in ``_plain``."""
        for table, columns in variables.items():
            if table not in COHORT_SCHEMA or table in CUSTODIAN_ONLY_TABLES:
                raise ExtractError(f"the cohort has no table {table!r} that may be released")
            unknown = [c for c in columns if c not in COHORT_SCHEMA[table]]
            if unknown:
                raise ExtractError(
                    f"the cohort's table {table!r} has no column(s) {', '.join(unknown)}"
                )
        opted_out = [str(i) for i in dict.fromkeys(excluded_ids)]
        chosen, params = _selection_sql(selection, bool(opted_out))
        opt_out = {"patient_id": np.asarray(opted_out or [""], dtype=object)}
        self._con.register(_OPT_OUT_VIEW, opt_out)  # DuckDB: scan a dict of numpy arrays
        result: dict[str, dict[str, np.ndarray[Any, Any]]] = {}
        try:
            for table, columns in variables.items():
                wanted = ["patient_id"] + [
                    c for c in COHORT_SCHEMA[table] if c in set(columns) and c != "patient_id"
                ]
                order = ", ".join(str(i) for i in range(1, len(wanted) + 1))
                sql = (
                    f"SELECT {', '.join(f't.{c}' for c in wanted)} FROM {table} t"
                    f" WHERE t.patient_id IN ({chosen}) ORDER BY {order}"
                )
                fetched = self._con.execute(sql, params).fetchnumpy()
                result[table] = {c: _plain(fetched[c]) for c in wanted}
        finally:
            self._con.unregister(_OPT_OUT_VIEW)
        return result
