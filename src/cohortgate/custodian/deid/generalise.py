"""The generalisation that makes a table k-anonymous and l-diverse at the least loss (R28).

Full-domain generalisation: one level per quasi-identifier (a node of the lattice of
``hierarchies``), then the records of classes smaller than k, or with fewer than l distinct
values of a sensitive field, are suppressed (removed), at most ``max_suppression`` of them.

Loss (declared): Iyengar's loss metric (LM, "Loss" in ARX) with suppression: the mean over all
quasi-identifier cells of (leaves under the cell's generalised value - 1) / (leaves of the
domain - 1); a suppressed record loses 1 in every cell. 0 is the original table, 1 nothing.

Search: exact branch and bound over the lattice. The loss of a node is at least the loss of
its generalisation alone (every record kept), which is separable per quasi-identifier and
computed from the hierarchies without touching the data, and grows with every step up the
lattice. Nodes are visited in order of that bound; the search stops once the bound reaches the
best loss found. Feasibility is monotonic (a generalisation of a feasible node is feasible,
merging classes never makes one smaller or less diverse), so a node whose generalisation was
found infeasible is infeasible without evaluation (ARX's predictive tagging); on meeting an
infeasible node the search climbs from it, one quasi-identifier at a time by binary search
(as OLA does along a path), to the highest infeasible node it can reach, so that one tag
covers a large part of the lattice. Every node not so tagged whose bound is below the best
loss is evaluated, so the result is the exact optimum (tests check it by brute force). The quasi-
identifiers in ``prefer`` are kept as specific as any feasible choice allows: nodes are
searched by their levels first (lexicographically), then by loss ("keep the diagnosis code
whenever a feasible choice allows it").

Evaluation works on the distinct (quasi-identifiers, sensitive values) combinations with their
counts, and each node's classes are integer keys hashed once: vectorised numpy and pandas.
The chosen table is checked with ``cohortgate.custodian.risk.suite`` before it is returned.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from cohortgate.custodian.deid.hierarchies import Hierarchy
from cohortgate.custodian.deid.policy import MAX_SUPPRESSION
from cohortgate.custodian.risk.classes import Table, column, combine, encode, factorize_keys
from cohortgate.custodian.risk.suite import distinct_l_diversity, k_anonymity

_KEY_LIMIT = 1 << 62  # mixed-radix keys stay below this; beyond it they are re-coded first

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Node = tuple[int, ...]


class GeneralisationError(ValueError):
    """No node of the lattice satisfies k and l within the suppression limit."""


@dataclass(frozen=True)
class NodeResult:
    node: Node
    feasible: bool
    suppressed: int  # records in classes that break k or l
    loss: float  # Iyengar's loss with suppression (module doc); inf when infeasible


@dataclass(frozen=True)
class Generalisation:
    transformation: dict[str, int]  # quasi-identifier -> level
    level_names: dict[str, str]  # quasi-identifier -> name of its level
    loss: float
    suppressed: int
    kept: npt.NDArray[np.bool_]  # per input row
    table: dict[str, npt.NDArray[Any]]  # every column, kept rows, QIs as labels
    k: int
    l: int | None  # noqa: E741 - the l of l-diversity; None without sensitive fields
    nodes_total: int
    nodes_evaluated: int
    preferred: dict[str, int] = field(default_factory=dict)


class Lattice:
    """The generalisation lattice of a table (see the module doc); ``evaluate`` one node."""

    def __init__(
        self,
        table: Table,
        hierarchies: Mapping[str, Hierarchy],
        k: int,
        sensitive: Sequence[str] = (),
        l: int = 1,  # noqa: E741
        max_suppression: float = MAX_SUPPRESSION,
    ) -> None:
        if k < 1 or l < 1 or not 0 <= max_suppression <= 1:
            raise ValueError("k and l must be >= 1 and max_suppression within [0, 1]")
        self.names = list(hierarchies)
        if not self.names:
            raise ValueError("no quasi-identifiers (hierarchies) given")
        self.hierarchies = dict(hierarchies)
        self.k, self.l = k, l
        base = [self.hierarchies[n].encode(column(table, n)) for n in self.names]
        self.base = base
        self.rows = len(base[0])
        if self.rows == 0:
            raise ValueError("the table is empty")
        self.allowed = int(np.floor(max_suppression * self.rows + 1e-9))
        sens = [encode(column(table, s)) for s in sensitive] if l > 1 else []
        parts = [
            (b, len(self.hierarchies[n].values)) for b, n in zip(base, self.names, strict=True)
        ]
        ids, count = combine([*parts, *sens], self.rows)
        self.row_combo = ids  # per row: its distinct combination
        first = np.empty(count, dtype=np.int64)
        first[ids] = np.arange(self.rows, dtype=np.int64)  # any row: all share the codes
        self.weight = np.bincount(ids, minlength=count).astype(np.int64)
        self.distinct = [b[first] for b in base]  # base codes of the distinct combinations
        self.sensitive = [(codes[first], m) for codes, m in sens]
        self.heights = [self.hierarchies[n].height for n in self.names]
        self.maps: list[list[tuple[IntArray, int]]] = []
        self.leaf_loss: list[list[FloatArray]] = []  # per QI, per level: loss per base value
        self.mean_loss: list[FloatArray] = []  # per QI, per level: mean loss over all rows
        for j, name in enumerate(self.names):
            h = self.hierarchies[name]
            self.maps.append([h.level_codes(level) for level in range(h.height)])
            per_level = [h.leaf_loss(level) for level in range(h.height)]
            self.leaf_loss.append(per_level)
            counts = np.bincount(base[j], minlength=len(h.values))
            self.mean_loss.append(np.array([float(counts @ x) / self.rows for x in per_level]))

    def nodes(self) -> list[Node]:
        return list(itertools.product(*(range(h) for h in self.heights)))

    def lower_bound(self, node: Node) -> float:
        """The loss if no record were suppressed: a lower bound of the node's loss."""
        return sum(float(self.mean_loss[j][lv]) for j, lv in enumerate(node)) / len(node)

    def class_ids(self, node: Node) -> tuple[IntArray, int]:
        """Class id of each distinct combination under ``node``."""
        size = len(self.weight)
        key = np.zeros(size, dtype=np.int64)
        card = 1
        for j, level in enumerate(node):
            mapping, m = self.maps[j][level]
            if m == 1:
                continue
            if card * m >= _KEY_LIMIT:
                key, card = factorize_keys(key)
            key = key * m + mapping[self.distinct[j]]
            card *= m
        if card <= max(4 * size, 1 << 16):
            return key, card  # small enough to count directly
        return factorize_keys(key)

    def evaluate(self, node: Node) -> NodeResult:
        ids, count = self.class_ids(node)
        dropped = np.flatnonzero(~self._ok(ids, count)[ids])  # few: at most the limit if feasible
        weight = self.weight[dropped]
        suppressed = int(weight.sum())
        feasible = suppressed <= self.allowed and suppressed < self.rows
        if not feasible:
            return NodeResult(node, False, suppressed, float("inf"))
        # loss of every cell generalised, minus the generalisation loss of the suppressed
        # records, plus 1 for each of their cells
        generalised = self.lower_bound(node) * self.rows * len(node) - sum(
            float(self.leaf_loss[j][lv][self.distinct[j][dropped]] @ weight)
            for j, lv in enumerate(node)
        )
        loss = (generalised + suppressed * len(node)) / (self.rows * len(node))
        return NodeResult(node, feasible, suppressed, loss)

    def kept(self, node: Node) -> npt.NDArray[np.bool_]:
        """Per input row: whether it survives the suppression at ``node``."""
        ids, count = self.class_ids(node)
        return np.asarray(self._ok(ids, count)[ids][self.row_combo])

    def _ok(self, ids: IntArray, count: int) -> npt.NDArray[np.bool_]:
        """Per class: at least k records and l distinct values of every sensitive field."""
        sizes = np.bincount(ids, weights=self.weight, minlength=count)
        ok = sizes >= self.k
        for codes, m in self.sensitive:
            if count * m <= max(4 * len(ids), 1 << 16):  # a bitmap of (class, value) pairs
                present = np.zeros(count * m, dtype=np.bool_)
                present[ids * m + codes] = True
                ok &= present.reshape(count, m).sum(axis=1) >= self.l
                continue
            pairs, n_pairs = factorize_keys(ids * m + codes)
            pair_class = np.zeros(n_pairs, dtype=np.int64)
            pair_class[pairs] = ids
            ok &= np.bincount(pair_class, minlength=count) >= self.l
        return np.asarray(ok)


class _Search:
    """State of one search: evaluated nodes, the maximal infeasible nodes found, the best."""

    def __init__(self, lattice: Lattice, preferred: list[int]) -> None:
        self.lattice = lattice
        self.preferred = preferred
        self.free = [j for j in range(len(lattice.names)) if j not in preferred]
        self.results: dict[Node, NodeResult] = {}
        self.infeasible = np.zeros((0, len(lattice.names)), dtype=np.int64)
        self.best: NodeResult | None = None
        self.bound = lattice.lower_bound

    def known_infeasible(self, node: Node) -> bool:
        """Below (or at) a node found infeasible: infeasible by monotonicity."""
        arr = np.asarray(node, dtype=np.int64)
        return bool(len(self.infeasible) and (self.infeasible >= arr).all(axis=1).any())

    def run(self, node: Node) -> NodeResult:
        result = self.results.get(node)
        if result is None:
            result = self.results[node] = self.lattice.evaluate(node)
            if result.feasible and (self.best is None or result.loss < self.best.loss):
                self.best = result
        return result

    def climb(self, node: Node) -> None:
        """From an infeasible node, raise each free quasi-identifier as far as the node stays
        infeasible (binary search per dimension, OLA-style), and remember the node reached:
        everything below it is infeasible. Feasible nodes met on the way are candidates (they
        keep the preferred levels, so they belong to the current group)."""
        current = list(node)
        for j in self.free:
            low, high = current[j], self.lattice.heights[j] - 1
            while low < high:
                mid = (low + high + 1) // 2
                trial = tuple([*current[:j], mid, *current[j + 1 :]])
                if self.best is not None and self.bound(trial) >= self.best.loss:
                    high = mid - 1  # the search will never need it: do not pay for it
                elif self.known_infeasible(trial) or not self.run(trial).feasible:
                    low = mid
                else:
                    high = mid - 1
            current[j] = low
        reached = np.asarray(current, dtype=np.int64)[None, :]
        kept = ~(self.infeasible <= reached).all(axis=1)  # drop entries the new one covers
        self.infeasible = np.vstack([self.infeasible[kept], reached])


def search(lattice: Lattice, prefer: Sequence[str] = ()) -> tuple[NodeResult | None, int]:
    """The best feasible node (module doc) and how many nodes were evaluated."""
    preferred = [lattice.names.index(p) for p in prefer if p in lattice.names]
    state = _Search(lattice, preferred)
    nodes = lattice.nodes()
    bounds = {node: lattice.lower_bound(node) for node in nodes}
    order = sorted(nodes, key=lambda n: (tuple(n[i] for i in preferred), bounds[n], n))
    group: tuple[int, ...] | None = None
    for node in order:
        key = tuple(node[i] for i in preferred)
        if key != group:
            if state.best is not None:
                break  # a more specific preferred level already has a feasible node
            group = key
        if state.best is not None and bounds[node] >= state.best.loss:
            continue  # every later node of this group has a bound at least as large
        if state.known_infeasible(node):
            continue
        if not state.run(node).feasible:
            state.climb(node)
    return state.best, len(state.results)


def generalise(
    table: Table,
    hierarchies: Mapping[str, Hierarchy],
    k: int,
    *,
    sensitive: Sequence[str] = (),
    l: int = 1,  # noqa: E741
    max_suppression: float = MAX_SUPPRESSION,
    prefer: Sequence[str] = ("orpha_code", "diagnosis"),
    columns: Sequence[str] | None = None,
) -> Generalisation:
    """Generalise ``table``'s quasi-identifiers (the keys of ``hierarchies``) to the best
    feasible node and suppress the rest (module doc). The returned table holds ``columns``
    (default: every column of a dict table, else the QIs and sensitive fields)."""
    lattice = Lattice(table, hierarchies, k, sensitive, l, max_suppression)
    best, evaluated = search(lattice, prefer)
    if best is None:
        raise GeneralisationError(
            f"no generalisation of {', '.join(lattice.names)} reaches k = {k}"
            + (f" and l = {l} for {', '.join(sensitive)}" if l > 1 and sensitive else "")
            + f" with at most {lattice.allowed} of {lattice.rows} records suppressed"
        )
    kept = lattice.kept(best.node)
    if isinstance(table, dict):
        names = list(columns) if columns is not None else list(table)
    else:
        names = list(columns) if columns is not None else [*lattice.names, *sensitive]
    out: dict[str, npt.NDArray[Any]] = {}
    for name in names:
        if name in hierarchies:
            j = lattice.names.index(name)
            labels = hierarchies[name].table[best.node[j]][lattice.base[j]]
            out[name] = np.asarray(labels[kept], dtype=object)
        else:
            out[name] = column(table, name)[kept]
    achieved_k = k_anonymity(out, lattice.names)
    achieved_l = distinct_l_diversity(out, lattice.names, sensitive) if sensitive else None
    if achieved_k < k or (achieved_l is not None and l > 1 and achieved_l < l):
        raise AssertionError(f"generalisation gave k = {achieved_k}, l = {achieved_l}")
    return Generalisation(
        transformation=dict(zip(lattice.names, best.node, strict=True)),
        level_names={
            n: hierarchies[n].levels[lv] for n, lv in zip(lattice.names, best.node, strict=True)
        },
        loss=best.loss,
        suppressed=best.suppressed,
        kept=kept,
        table=out,
        k=achieved_k,
        l=achieved_l,
        nodes_total=len(lattice.nodes()),
        nodes_evaluated=evaluated,
        preferred={p: best.node[lattice.names.index(p)] for p in prefer if p in lattice.names},
    )


def only_patients(
    tables: Mapping[str, Mapping[str, npt.NDArray[Any]]], patients: npt.NDArray[Any]
) -> dict[str, dict[str, npt.NDArray[Any]]]:
    """Every table restricted to the rows of ``patients`` (by ``patient_id``): after
    suppressing records of one table, their patients leave the release's other tables too."""
    wanted = np.asarray(patients, dtype=object)
    out: dict[str, dict[str, npt.NDArray[Any]]] = {}
    for name, columns in tables.items():
        mask = np.isin(np.asarray(columns["patient_id"], dtype=object), wanted)
        out[name] = {c: np.asarray(v)[mask] for c, v in columns.items()}
    return out
