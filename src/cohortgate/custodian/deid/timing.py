"""The transformations of a release's tables that the longitudinal de-identification searches
over (R28): one level per dimension, and two sets of persons.

Dimensions (``Dimension``), each a ladder from what the release holds to nothing:

- a person quasi-identifier (``person``): its generalisation hierarchy (``hierarchies``: sex,
  region, province, diagnosis, age band, or value -> ``*``); a date (the birth date) climbs
  the time ladder instead;
- ``time``: every event table's date column, day -> month -> quarter -> year -> span of
  ``timeline.SPAN_YEARS`` years -> ``*`` (dates already coarser stay as they are);
- ``<events>.count`` per event table: the number of rows a person keeps is the largest floor
  of ``policy.COUNT_FLOORS[level]`` not above their count; the rows dropped are drawn from the
  seed, the person (their cohort id when given, so that two releases of a person drop the
  same rows) and the row's rank in date order. Rows of a child table that point at a dropped
  row (a lab result's ``visit_id``) go with it; a parent table comes before its children in
  the specification's events.

Persons ``dropped`` leave every table; persons whose ``timing`` is suppressed keep their rows
with every event date replaced by ``*``. ``Release.apply`` gives the tables at a node, and
``Release.loss`` the node's information loss: Iyengar's loss summed over the cells of the
person quasi-identifiers and of the event tables' rows (a generalised value loses the share of
its domain its label covers, a date the share of the column's range; a dropped row loses every
cell), over those cells.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cohortgate.custodian.deid import hierarchies as H
from cohortgate.custodian.deid.policy import COUNT_FLOORS
from cohortgate.custodian.risk import timeline as T
from cohortgate.custodian.risk.joined import JoinSpec

pd: Any = importlib.import_module("pandas")  # untyped; present wherever the custodian runs

Tables = Mapping[str, Mapping[str, npt.NDArray[Any]]]
Released = dict[str, dict[str, npt.NDArray[Any]]]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
PERSON, DATE, TIME, COUNT = "person", "date", "time", "count"
# days under a label of each unit (day, month, quarter, year, span; a suppressed date covers
# the column's whole range)
UNIT_DAYS = (1.0, 30.4375, 91.3125, 365.25, 365.25 * T.SPAN_YEARS, 365.25 * T.SPAN_YEARS)


@dataclass(frozen=True)
class Dimension:
    name: str  # the quasi-identifier (person, date), "time", or "<events>.count"
    kind: str
    height: int  # number of levels
    start: int = 0  # for dates and time: the unit of level 0
    table: str = ""
    column: str = ""

    def level_name(self, level: int, hierarchy: H.Hierarchy | None = None) -> str:
        if self.kind in (DATE, TIME):
            return T.Unit(self.start + level).name.lower()
        if self.kind == COUNT:
            floors = COUNT_FLOORS[level]
            return "exact" if not floors else "floors " + "/".join(map(str, floors))
        return hierarchy.levels[level] if hierarchy is not None else str(level)


def hierarchy_for(name: str, values: npt.NDArray[Any], *, dates: bool = False) -> H.Hierarchy:
    """The generalisation hierarchy of a quasi-identifier, by its name (the release pipeline's
    choice too); with ``dates``, a column of dates gets the date hierarchy."""
    if name.endswith("_band"):
        return H.age_band()
    if name == "sex":
        return H.sex()
    if name == "region":
        return H.region()
    if name == "province":
        return H.province()
    if name == "orpha_code":
        return H.diagnosis(values)
    if dates and np.asarray(values).dtype.kind == "M":
        return H.date(values)
    return H.flat(values)


def is_date(values: npt.NDArray[Any]) -> bool:
    """A column of released dates (``datetime64`` or date labels, see ``risk.timeline``)."""
    values = np.asarray(values)
    if values.dtype.kind == "M":
        return True
    if values.dtype.kind != "O":
        return False
    try:
        return bool(T.parse(np.asarray(pd.unique(pd.Series(values, dtype=object)))).timed.any())
    except ValueError:
        return False


class Release:
    """A release's tables and the dimensions of its joined view (module doc)."""

    def __init__(
        self,
        tables: Tables,
        spec: JoinSpec,
        *,
        seed: int = 0,
        hierarchies: Mapping[str, H.Hierarchy] | None = None,
        parents: Mapping[str, tuple[str, str]] | None = None,
        person_keys: Mapping[str, str] | None = None,
    ) -> None:
        self.tables = {name: dict(table) for name, table in tables.items()}
        self.spec = spec
        self.parents = dict(parents or {})
        keys = {n: np.asarray(t[spec.key], dtype=object) for n, t in self.tables.items()}
        codes, persons = pd.factorize(np.concatenate(list(keys.values())), use_na_sentinel=False)
        self.persons = np.asarray(persons, dtype=object)
        self.owner: dict[str, IntArray] = {}
        at = 0
        for name, values in keys.items():
            self.owner[name] = np.asarray(codes[at : at + len(values)], dtype=np.int64)
            at += len(values)
        self.dims: list[Dimension] = []
        self.hierarchies: dict[str, H.Hierarchy] = {}
        self._base: dict[str, IntArray] = {}
        for table, column, qi in spec.person_names():
            values = self.tables[table][column]
            if is_date(values):
                unit = int(T.parse(values).coarsest)
                self.dims.append(Dimension(qi, DATE, T.Unit.ALL - unit + 1, unit, table, column))
                continue
            given = (hierarchies or {}).get(qi)
            h = given if given is not None else hierarchy_for(column, values)
            try:
                base = h.encode(values)
            except ValueError:  # generalised already (a group, '*'): value -> '*' from there
                h = H.flat(values)
                base = h.encode(values)
            self.hierarchies[qi] = h
            self._base[qi] = base
            self.dims.append(Dimension(qi, PERSON, h.height, 0, table, column))
        dated = [e for e in spec.events if e.date]
        if dated:
            unit = min(int(T.parse(self.tables[e.table][e.date or ""]).coarsest) for e in dated)
            self.dims.append(Dimension("time", TIME, T.Unit.ALL - unit + 1, unit))
        stable = [str((person_keys or {}).get(p, p)) for p in self.persons.tolist()]
        self._priority: dict[str, npt.NDArray[np.uint64]] = {}
        for event in spec.events:
            self.dims.append(Dimension(f"{event.prefix}.count", COUNT, len(COUNT_FLOORS)))
            self._priority[event.table] = self._draw(event.table, event.date, stable, seed)
        self._cache: dict[tuple[str, int], npt.NDArray[Any]] = {}
        self._count_loss: dict[tuple[str, int], float] = {}

    @property
    def size(self) -> int:
        return len(self.persons)

    def _draw(self, table: str, date: str | None, stable: list[str], seed: int) -> Any:
        """Each row's draw for the count bands: a keyed hash of the seed, the table, the
        person's stable key (the cohort id when given) and the row's rank among the person's
        rows in date order, so that two releases of one person drop the same rows."""
        owner = self.owner[table]
        dates = T.parse(self.tables[table][date]).start if date else np.zeros(len(owner))
        order = np.lexsort((np.arange(len(owner)), dates, owner))
        counts = np.bincount(owner, minlength=self.size)
        rank = np.empty(len(owner), dtype=np.uint64)
        rank[order] = (np.arange(len(owner)) - (np.cumsum(counts) - counts)[owner[order]]).astype(
            np.uint64
        )
        salt = f"{seed}\0{table}\0".encode()
        person = np.array(
            [
                int.from_bytes(hashlib.blake2b(salt + k.encode(), digest_size=8).digest())
                for k in stable
            ],
            dtype=np.uint64,
        )
        return _mix(person[owner] ^ (rank * np.uint64(0x9E3779B97F4A7C15)))

    def dimension(self, name: str) -> Dimension:
        return next(d for d in self.dims if d.name == name)

    def _labels(self, dim: Dimension, level: int) -> npt.NDArray[Any]:
        """A person quasi-identifier's column at ``level`` (cached)."""
        key = (dim.name, level)
        if key not in self._cache:
            values = self.tables[dim.table][dim.column]
            if dim.kind == DATE:
                self._cache[key] = T.coarsen(values, T.Unit(dim.start + level))
            else:
                self._cache[key] = self.hierarchies[dim.name].table[level][self._base[dim.name]]
        return self._cache[key]

    def _dates(self, table: str, column: str, unit: T.Unit) -> npt.NDArray[Any]:
        key = (f"{table}\0{column}", int(unit))
        if key not in self._cache:
            self._cache[key] = T.coarsen(self.tables[table][column], unit)
        return self._cache[key]

    def _banded(self, table: str, level: int, keep: BoolArray) -> BoolArray:
        """``keep`` less the rows beyond each person's floor at ``level``."""
        floors = np.asarray(COUNT_FLOORS[level], dtype=np.int64)
        if not len(floors):
            return keep
        rows = np.flatnonzero(keep)
        owner = self.owner[table][rows]
        order = np.lexsort((self._priority[table][rows], owner))
        counts = np.bincount(owner, minlength=self.size)
        first = np.cumsum(counts) - counts
        rank = np.empty(len(rows), dtype=np.int64)
        rank[order] = np.arange(len(rows)) - first[owner[order]]
        index = np.searchsorted(floors, counts, side="right") - 1
        floor = np.where(index >= 0, floors[np.maximum(index, 0)], counts)
        out = keep.copy()
        out[rows[rank >= floor[owner]]] = False
        return out

    def apply(self, levels: Mapping[str, int], dropped: BoolArray, timing: BoolArray) -> Released:
        """The release's tables at ``levels``, without the ``dropped`` persons and with the
        event dates of the ``timing`` persons suppressed (module doc)."""
        return self.apply_rows(levels, dropped, timing)[0]

    def apply_rows(
        self, levels: Mapping[str, int], dropped: BoolArray, timing: BoolArray
    ) -> tuple[Released, dict[str, BoolArray]]:
        """``apply``, and per table which of its rows are kept."""
        keep = {name: ~dropped[owner] for name, owner in self.owner.items()}
        for event in self.spec.events:
            parent = self.parents.get(event.table)
            if parent is not None and parent[0] in keep:
                links = np.asarray(self.tables[parent[0]][parent[1]], dtype=object)
                own = np.asarray(self.tables[event.table][parent[1]], dtype=object)
                orphan = pd.Series(own).isin(set(links[~keep[parent[0]]].tolist())).to_numpy()
                keep[event.table] = keep[event.table] & ~orphan
            level = levels.get(f"{event.prefix}.count", 0)
            keep[event.table] = self._banded(event.table, level, keep[event.table])
        replaced: dict[tuple[str, str], npt.NDArray[Any]] = {}
        for dim in self.dims:
            if dim.kind in (PERSON, DATE):
                replaced[(dim.table, dim.column)] = self._labels(dim, levels.get(dim.name, 0))
        time = next((d for d in self.dims if d.kind == TIME), None)
        for event in self.spec.events:
            if event.date and time is not None:
                unit = T.Unit(time.start + levels.get("time", 0))
                replaced[(event.table, event.date)] = self._dates(event.table, event.date, unit)
        out: Released = {}
        for name, table in self.tables.items():
            mask = keep[name]
            out[name] = {c: np.asarray(replaced.get((name, c), v))[mask] for c, v in table.items()}
            hidden = timing[self.owner[name][mask]]
            for event in self.spec.events:
                if event.table == name and event.date and hidden.any():
                    out[name][event.date] = _suppressed(out[name][event.date], hidden)
        return out, keep

    def loss(self, levels: Mapping[str, int]) -> float:
        """The node's information loss before suppression (module doc), in [0, 1]: lost cells
        over the cells of the person quasi-identifiers and of the event tables' rows."""
        lost = 0.0
        for dim in self.dims:
            level = levels.get(dim.name, 0)
            if dim.kind == PERSON:
                lost += float(
                    self.hierarchies[dim.name].leaf_loss(level)[self._base[dim.name]].sum()
                )
            elif dim.kind == DATE:
                lost += self._date_loss(dim.table, dim.column, T.Unit(dim.start + level))
            elif dim.kind == TIME:
                unit = T.Unit(dim.start + level)
                lost += sum(
                    self._date_loss(e.table, e.date, unit) for e in self.spec.events if e.date
                )
            else:
                event = next(e for e in self.spec.events if f"{e.prefix}.count" == dim.name)
                width = len(self.tables[event.table])
                lost += self.rows_dropped(dim.name, level) * len(self.owner[event.table]) * width
        return lost / self.cells if self.cells else 0.0

    @property
    def cells(self) -> int:
        persons = sum(len(self.owner[d.table]) for d in self.dims if d.kind in (PERSON, DATE))
        events = sum(len(self.owner[e.table]) * len(self.tables[e.table]) for e in self.spec.events)
        return persons + events

    def _date_loss(self, table: str, column: str, unit: T.Unit) -> float:
        """Iyengar's loss of a date column coarsened to ``unit``, summed over its cells: (days
        under the label - 1) / (days of the column's range - 1), less what it had already."""
        key = (f"{table}\0{column}\0loss", int(unit))
        if key not in self._cache:
            times = T.parse(self.tables[table][column])
            timed = times.timed
            if not timed.any():
                self._cache[key] = np.zeros(1)
            else:
                domain = float(times.start[timed].max() - times.start[timed].min()) + UNIT_DAYS[-1]
                width = np.minimum(np.asarray(UNIT_DAYS, dtype=np.float64), domain)
                width[T.Unit.ALL] = domain
                before = (width[times.unit[timed]] - 1) / max(domain - 1, 1)
                after = (width[np.maximum(times.unit[timed], int(unit))] - 1) / max(domain - 1, 1)
                self._cache[key] = np.array([float((after - before).sum())])
        return float(self._cache[key][0])

    def rows_dropped(self, name: str, level: int) -> float:
        """The share of an event table's rows that its count bands at ``level`` drop."""
        key = (name, level)
        if key not in self._count_loss:
            event = next(e for e in self.spec.events if f"{e.prefix}.count" == name)
            rows = len(self.owner[event.table])
            all_rows = np.ones(rows, dtype=np.bool_)
            kept = int(self._banded(event.table, level, all_rows).sum())
            self._count_loss[key] = (rows - kept) / rows if rows else 0.0
        return self._count_loss[key]


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """SplitMix64's finaliser (Steele et al. 2014): well-spread 64-bit draws from keys."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return np.asarray(x ^ (x >> np.uint64(31)), dtype=np.uint64)


def _suppressed(values: npt.NDArray[Any], hidden: BoolArray) -> npt.NDArray[np.object_]:
    """Dates as labels (ISO days when ``datetime64``), ``*`` where ``hidden``."""
    values = np.asarray(values)
    if values.dtype.kind == "M":
        days = values.astype("datetime64[D]")
        labels = np.datetime_as_string(days).astype(object)
        labels[np.isnat(days)] = None
    else:
        labels = values.astype(object, copy=True)
    labels[hidden] = T.SUPPRESSED
    return np.asarray(labels)
