"""The per-person view a recipient can join from a release's tables (R28).

A release's tables share its pseudonym: whoever receives them can join them into one record
per person. Besides the person tables' quasi-identifiers (birth date, sex, region, diagnosis:
tables with at most one row per person), that record holds what the event tables (visits, lab
results) say about each person's history; for every event table ``t``:

- ``t.count``: how many rows the person has;
- ``t.first``: the first event's date as released (a shifted day, month, quarter, ...);
- ``t.first_age``: the first event relative to the released birth date, at the coarser unit of
  the two (exact whatever the date shift: one offset moves all of a patient's dates);
- ``t.sequence``: the sorted sequence of the released event dates;
- ``t.intervals``: the sequence of intervals between consecutive events (invariant under any
  shift, so it also links releases whose shifts differ).

A person without rows in a table has a value of their own ("absent", "no event"); a suppressed
(``'*'``) or missing date compares equal to any other such date. Every column is coded as
integers once; ``joined.gate`` evaluates the combinations. Nothing here returns a row: the view
stays on the custodian's machine, the report built from it holds aggregates only.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from cohortgate.custodian.risk import timeline as T
from cohortgate.custodian.risk.classes import IntArray, column, encode, factorize_keys

pd: Any = importlib.import_module("pandas")  # untyped; present wherever the custodian runs

Tables = Mapping[str, Mapping[str, npt.NDArray[Any]]]
COUNT, FIRST, FIRST_AGE, SEQUENCE, INTERVALS = (
    "count", "first", "first_age", "sequence", "intervals"
)  # fmt: skip
TIMING = (FIRST, FIRST_AGE, SEQUENCE, INTERVALS)  # the QIs that carry event times


@dataclass(frozen=True)
class EventTable:
    """A table with any number of rows per person, and the column that dates its rows."""

    table: str
    date: str | None = None  # None: only the number of rows counts
    name: str | None = None  # prefix of its quasi-identifiers (default: the table's name)

    @property
    def prefix(self) -> str:
        return self.name or self.table

    def quasi_identifiers(self) -> tuple[str, ...]:
        kinds = (COUNT, *TIMING) if self.date else (COUNT,)
        return tuple(f"{self.prefix}.{kind}" for kind in kinds)


@dataclass(frozen=True)
class JoinSpec:
    """What a recipient joins: person tables (at most one row per person) and the columns of
    them an attacker may know, event tables, the birth date the event times are relative to,
    and the pseudonym column every table carries."""

    person: tuple[tuple[str, tuple[str, ...]], ...]
    events: tuple[EventTable, ...] = ()
    birth: tuple[str, str] | None = None  # (table, column)
    key: str = "patient_id"

    @classmethod
    def of(
        cls,
        person: Mapping[str, Sequence[str]],
        events: Iterable[EventTable] = (),
        birth: tuple[str, str] | None = None,
        key: str = "patient_id",
    ) -> JoinSpec:
        return cls(tuple((t, tuple(c)) for t, c in person.items()), tuple(events), birth, key)

    def tables(self) -> list[str]:
        names = [t for t, _ in self.person] + [e.table for e in self.events]
        if self.birth is not None:
            names.append(self.birth[0])
        return list(dict.fromkeys(names))

    def person_names(self) -> list[tuple[str, str, str]]:
        """(table, column, quasi-identifier name): the column, or ``table.column`` when two
        person tables hold a column of that name."""
        pairs = [(t, c) for t, cols in self.person for c in cols]
        seen = [c for _, c in pairs]
        return [(t, c, c if seen.count(c) == 1 else f"{t}.{c}") for t, c in pairs]


@dataclass(frozen=True)
class JoinedView:
    """One row per person (custodian side only): the integer codes of every quasi-identifier
    and how many codes it has."""

    persons: npt.NDArray[np.object_]  # the release's pseudonyms, one per person
    codes: dict[str, tuple[IntArray, int]]
    timing: frozenset[str] = field(default_factory=frozenset)  # QIs that carry event times

    @property
    def size(self) -> int:
        return len(self.persons)

    @property
    def names(self) -> list[str]:
        return list(self.codes)

    def table(self) -> dict[str, IntArray]:
        """The codes as a table the risk suite (or pycanon, as a DataFrame) reads."""
        return {name: codes for name, (codes, _) in self.codes.items()}


def _owners(tables: Tables, spec: JoinSpec) -> tuple[npt.NDArray[np.object_], dict[str, IntArray]]:
    """The persons (first appearance order) and, per table, the person index of each row."""
    missing = [t for t in spec.tables() if t not in tables]
    if missing:
        raise ValueError(f"the release has no table {', '.join(missing)} to join")
    keys = {t: np.asarray(column(tables[t], spec.key), dtype=object) for t in spec.tables()}
    every = np.concatenate(list(keys.values())) if keys else np.zeros(0, dtype=object)
    codes, persons = pd.factorize(every, use_na_sentinel=False)
    owners, at = {}, 0
    for name, values in keys.items():
        owners[name] = np.asarray(codes[at : at + len(values)], dtype=np.int64)
        at += len(values)
    return np.asarray(persons, dtype=object), owners


def _per_person(table: str, owner: IntArray, persons: int) -> None:
    if len(owner) and int(np.bincount(owner, minlength=persons).max()) > 1:
        raise ValueError(f"table {table!r} has several rows for a person: give it as events")


def _dense(values: IntArray) -> tuple[IntArray, int]:
    uniq, inverse = np.unique(values, return_inverse=True)
    return inverse.astype(np.int64).reshape(-1), len(uniq)


def joined_view(tables: Tables, spec: JoinSpec) -> JoinedView:
    """The per-person view of ``tables`` under ``spec`` (module doc)."""
    persons, owners = _owners(tables, spec)
    n = len(persons)
    codes: dict[str, tuple[IntArray, int]] = {}
    for table, name, qi in spec.person_names():
        owner = owners[table]
        _per_person(table, owner, n)
        values, m = encode(column(tables[table], name))
        scattered = np.full(n, m, dtype=np.int64)  # m: no row in this table
        scattered[owner] = values
        codes[qi] = _dense(scattered)
    birth = T.Times(np.full(n, T.MISSING_UNIT, dtype=np.int8), np.zeros(n, dtype=np.int64))
    if spec.birth is not None:
        table, name = spec.birth
        _per_person(table, owners[table], n)
        given = T.parse(column(tables[table], name))
        birth.unit[owners[table]] = given.unit
        birth.start[owners[table]] = given.start
    timing: set[str] = set()
    for event in spec.events:
        owner = owners[event.table]
        derived = _event_codes(tables[event.table], event, owner, n, birth)
        for kind, value in derived.items():
            codes[f"{event.prefix}.{kind}"] = value
            if kind in TIMING:
                timing.add(f"{event.prefix}.{kind}")
    return JoinedView(persons, codes, frozenset(timing))


def _event_codes(
    table: Mapping[str, npt.NDArray[Any]],
    event: EventTable,
    owner: IntArray,
    n: int,
    birth: T.Times,
) -> dict[str, tuple[IntArray, int]]:
    """The longitudinal quasi-identifiers of one event table."""
    out = {COUNT: _dense(np.bincount(owner, minlength=n).astype(np.int64))}
    if event.date is None:
        return out
    times = T.parse(column(table, event.date))
    unit = times.coarsest
    # one code per released label: equal labels, equal (unit, first day)
    label, _ = factorize_keys(times.start * 8 + times.unit.astype(np.int64) + 1)
    order = T.index_at(times, unit)
    sort = np.lexsort((label, order, owner))
    owner_s, order_s = owner[sort], order[sort]
    starts = np.flatnonzero(np.r_[True, owner_s[1:] != owner_s[:-1]]) if len(sort) else sort
    who = owner_s[starts]
    none = int(label.max()) + 1 if len(label) else 0
    first = np.full(n, none, dtype=np.int64)  # no event
    first[who] = label[sort][starts]
    out[FIRST] = _dense(first)
    out[FIRST_AGE] = _dense(_relative(times.take(sort[starts]), birth, who, n, unit))
    out[SEQUENCE] = T.sequence_ids(owner_s, label[sort], n, presorted=True)
    step = np.diff(order_s, prepend=T.NO_TIME)
    untimed = (order_s == T.NO_TIME) | (np.r_[T.NO_TIME, order_s[:-1]] == T.NO_TIME)
    step = np.where(untimed, -1, step)  # -1: an interval nobody can compute
    step[starts] = -2  # the first event: no interval before it
    out[INTERVALS] = T.sequence_ids(owner_s, _dense(step)[0], n, presorted=True)
    return out


def _relative(first: T.Times, birth: T.Times, who: IntArray, n: int, unit: T.Unit) -> IntArray:
    """The first event minus the birth date, at the coarser unit of the two columns."""
    coarse = T.Unit(max(int(unit), int(birth.coarsest)))
    event_at, birth_at = T.index_at(first, coarse), T.index_at(birth.take(who), coarse)
    known = (event_at != T.NO_TIME) & (birth_at != T.NO_TIME)
    out = np.full(n, T.NO_TIME - 1, dtype=np.int64)  # no event
    out[who] = np.where(known, event_at - birth_at, T.NO_TIME)
    return out
