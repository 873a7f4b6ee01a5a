"""The one narrow door to the cohort: every SQL statement of the project is run by this module
(its expressions and conditions are built in ``cohort.sql``).

DuckDB is the embedded default. A national cohort with genome-scale variant tables may live in
Spark SQL or Trino instead; to make that a change of this module only, the queries use standard
SQL (joins, ``IN`` lists, ``COUNT(DISTINCT)``, ``CASE``, ``EXTRACT``, ``CAST``, ``FLOOR``,
``information_schema``) and ``?`` parameters. The DuckDB-specific parts are marked ``DuckDB:``
below: connecting, bulk-loading numpy arrays through a registered view, and ``CHECKPOINT``.
Column types are those of ``COHORT_SCHEMA`` (VARCHAR, DATE, INTEGER, DOUBLE); Spark SQL spells
VARCHAR as STRING, so a Spark backend maps that one name. Only ``count``, ``extract`` and
``aggregate_counts`` take outside values, and they bind them as parameters; table, column and
dimension names come from the schema and ``DIMENSIONS``, never from input (``extract`` checks
requested names against the schema and then uses the schema's spelling).

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
at diagnosis is in full months (``AGE_MONTHS``) divided by 12, both bounds inclusive. A
patient needs a diagnosis row and a consent row. The opt-out list is bound as a registered
one-column relation (DuckDB:), any size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import numpy as np

from cohortgate.custodian.cohort.sql import (
    DIMENSIONS,
    OPT_OUT_VIEW,
    POPULATION,
    CohortSelection,
    Population,
    placeholders,
    selection_sql,
)
from cohortgate.models.cohort import COHORT_SCHEMA, CUSTODIAN_ONLY_TABLES
from cohortgate.policy import AGE_BANDS

REGENERATE = "regenerate it with `cohortgate cohort generate`"
MISSING = "unknown"
_LOAD_VIEW = "cohortgate_load"
_STATS_OPT_OUT_VIEW = "cohortgate_stats_opt_out"  # the registry, for every count (R32)


class CohortError(Exception):
    """The cohort database cannot be used; the message says why and what to do."""


class ExtractError(ValueError):
    """A requested table or column is not in the cohort (or may never leave it)."""


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
            + POPULATION.format(
                joins=joins,
                codes=placeholders(len(population.orpha_codes)),
                institutions=placeholders(len(population.institutions)),
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
        chosen, params = selection_sql(selection, bool(opted_out))
        opt_out = {"patient_id": np.asarray(opted_out or [""], dtype=object)}
        self._con.register(OPT_OUT_VIEW, opt_out)  # DuckDB: scan a dict of numpy arrays
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
            self._con.unregister(OPT_OUT_VIEW)
        return result

    # -- aggregate tables of an L1 release (R5, R16, R32) ----------------------------------

    def aggregate_counts(
        self,
        selection: CohortSelection,
        dims: Sequence[str],
        within: Population | None = None,
        excluded_ids: Sequence[str] = (),
        recode: Mapping[str, Mapping[str, str]] | None = None,
    ) -> tuple[list[tuple[tuple[str, ...], int]], list[str]]:
        """Distinct patients of ``selection`` per combination of ``dims`` that occurs, sorted
        by key (no dims: one row ``((), size)``); and the ids of the patients counted, sorted.

        ``within`` narrows the selection to one dataset's population (diagnosis among its
        diseases, contributing institution among its institutions); ``excluded_ids`` are left
        out as in ``extract`` (R32). A dim is a key of ``DIMENSIONS`` or a releasable column
        ``table.column``, as stored or in one form: ``:year`` (of a date),
        ``:age_band_months`` / ``:age_band_years`` (the ``policy.AGE_BANDS`` of an age),
        ``:recorded`` ('recorded' unless NULL). Every dim has one value per patient, so that
        each patient counts in exactly one cell: ``patient`` and ``diagnosis`` hold one row
        per patient; from another table a patient's value is the earliest year (``:year``),
        'recorded' when any row has a value (``:recorded``), else its distinct values sorted
        and joined by '+' (``13965-9+14875-9``); NULL (``MISSING``) without any.
        ``recode`` maps, per dim, values to the category they count in (e.g. pooled years);
        its values are bound as parameters, names come from the schema only.
        """
        joins: list[str] = []
        exprs: list[str] = []
        params: list[Any] = []
        for i, dim in enumerate(dims):
            if dim in DIMENSIONS:
                expr, join = DIMENSIONS[dim]
                if join and join not in joins:
                    joins.append(join)
            else:
                column, _, form = dim.partition(":")
                table, _, name = column.partition(".")
                releasable = table in COHORT_SCHEMA and table not in CUSTODIAN_ONLY_TABLES
                forms = ("", "year", "age_band_months", "age_band_years", "recorded")
                if not releasable or name not in COHORT_SCHEMA[table] or form not in forms:
                    raise ValueError(f"unknown dimension {dim!r}; known: {sorted(DIMENSIONS)}")
                own = {"patient": "p", "diagnosis": "d"}.get(table)
                value = f"{own or 'r'}.{name}"
                years = f"FLOOR({value} / 12.0)" if form == "age_band_months" else f"FLOOR({value})"
                band = " ".join(
                    f"WHEN {years} >= {low} AND {years} < {high} THEN '{label}'"
                    for label, low, high in AGE_BANDS
                )
                formed = {
                    "": value,
                    "year": f"EXTRACT(YEAR FROM {value})",
                    "age_band_months": f"CASE {band} END",
                    "age_band_years": f"CASE {band} END",
                    "recorded": f"CASE WHEN {value} IS NULL THEN NULL ELSE 'recorded' END",
                }[form]
                expr = formed
                if own is None:  # several rows per patient: one value per patient
                    text = f"CAST({formed} AS VARCHAR)"
                    per_patient = {
                        "year": f"MIN({formed})",
                        "recorded": f"CASE WHEN COUNT({value}) > 0 THEN 'recorded' END",
                    }.get(form, f"STRING_AGG(DISTINCT {text}, '+' ORDER BY {text})")
                    joins.append(
                        f"LEFT JOIN (SELECT r.patient_id, {per_patient} AS v FROM {table} r"
                        f" GROUP BY r.patient_id) a{i} ON a{i}.patient_id = p.patient_id"
                    )
                    expr = f"a{i}.v"
            text = f"CAST({expr} AS VARCHAR)"
            groups: dict[str, list[str]] = {}
            for source, target in (recode or {}).get(dim, {}).items():
                groups.setdefault(target, []).append(source)
            if groups:
                cases = " ".join(
                    f"WHEN {text} IN ({placeholders(len(sources))}) THEN CAST(? AS VARCHAR)"
                    for sources in groups.values()
                )
                text = f"CASE {cases} ELSE {text} END"
                for target, sources in groups.items():
                    params.extend([*sources, target])
            exprs.append(text)
        opted_out = [str(i) for i in dict.fromkeys(excluded_ids)]
        chosen, chosen_params = selection_sql(selection, bool(opted_out))
        where, params = [f"p.patient_id IN ({chosen})"], [*params, *chosen_params]
        if within is not None:
            if not within.orpha_codes or not within.institutions:
                return ([((), 0)] if not dims else []), []
            where.append(
                f"d.orpha_code IN ({placeholders(len(within.orpha_codes))})"
                f" AND p.institution_id IN ({placeholders(len(within.institutions))})"
            )
            params.extend([*within.orpha_codes, *within.institutions])
        keys = [f"k{i}" for i in range(len(exprs))]
        columns = [f"{e} AS {k}" for e, k in zip(exprs, keys, strict=True)]
        counted = (
            f"SELECT {', '.join([*columns, 'p.patient_id AS pid'])}"
            " FROM patient p JOIN diagnosis d ON d.patient_id = p.patient_id "
            + " ".join(joins)
            + f" WHERE {' AND '.join(where)}"
        )
        sql = f"SELECT {', '.join([*keys, 'COUNT(DISTINCT pid)'])} FROM ({counted}) counted" + (
            f" GROUP BY {', '.join(keys)}" if keys else ""
        )
        opt_out = {"patient_id": np.asarray(opted_out or [""], dtype=object)}
        self._con.register(OPT_OUT_VIEW, opt_out)  # DuckDB: scan a dict of numpy arrays
        try:
            rows = self._con.execute(sql, params).fetchall()
            ids = self._con.execute(
                f"SELECT DISTINCT pid FROM ({counted}) counted ORDER BY pid", params
            ).fetchall()
        finally:
            self._con.unregister(OPT_OUT_VIEW)
        result = [
            (tuple(MISSING if v is None else str(v) for v in row[:-1]), int(row[-1]))
            for row in rows
        ]
        return sorted(result), [str(row[0]) for row in ids]
