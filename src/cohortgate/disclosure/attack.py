"""The attacker's linear programme: how narrowly can a suppressed cell be pinned down?

This is sdcTable's ``attack()``: the attacker knows every published number, the policy and the
equations that link the additive tables (``disclosure.linkage``). For a suppressed cell she
minimises and maximises its value over every table of true counts consistent with what was
published. The cell is protected when the feasible interval is at least the policy's
protection width.

What the attacker knows about each variable (``published_bounds``):

* a published count ``v`` is the rounding of a true count in ``policy.rounding_interval(v)``;
  since it was published, the true count is not small either (she knows the policy), so the
  interval is cut to its non-small part (for OpenSAFELY a published 0 means exactly 0);
* a suppressed cell is any count ``>= 0``; it is never known whether it was small or a
  complement, so nothing more;
* every additive cell is at most the population, which is at most the sum of the upper bounds
  of any table; this finite cap is implied by the equations and only keeps the LP bounded.

Counts are integers, so an LP optimum is rounded inwards (``ceil`` of the minimum, ``floor`` of
the maximum): the attacker's interval is never wider than she can really claim.

Cost: two LPs per suppressed cell is the exact answer, but most cells are proven protected
without their own LP. Every LP solution is a feasible table; for each cell the smallest and
largest values seen in any feasible table are an inner bound of its interval, so a cell whose
seen values already differ by the protection width is protected. ``Attacker.exposed`` first
solves LPs that push all unproven cells up, down, then in random directions, as long as each
round proves at least two cells (cheaper than their own LPs), and solves the two exact LPs only
for cells these rounds did not prove. Making a cell suppressed only
widens the feasible set, so everything seen stays valid while secondary suppression goes on.

Solver: one HiGHS model per attacker (``highspy``), loaded once. A solve changes only the
objective and ``release`` only widens bounds and adds columns, so HiGHS starts each solve from
the optimal basis of the one before, which stays feasible (primal simplex), instead of from
scratch. Which optimal table a solve returns may depend on that start; no result does: seen
values are only inner bounds, and a cell is reported exposed only by its own exact optima.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from highspy import HighsModelStatus, HighsStatus
from highspy._core import _Highs
from numpy.typing import NDArray

from cohortgate.disclosure.linkage import Linkage
from cohortgate.policy import DisclosurePolicy

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

EPS = 1e-6  # solver tolerance when reading an integer off an LP optimum
FALLBACK_CAP = 1e7  # only when no table bounds the population (every table has a hole)
MAX_BATCH_ROUNDS = 200
BATCH_MIN = 3  # below this many unproven cells, go straight to exact LPs
PRIMAL_SIMPLEX = 4  # HiGHS simplex_strategy: re-solves start from a primal feasible basis


class Inconsistent(Exception):
    """The published numbers admit no table of true counts: they were not produced together."""


@dataclass(frozen=True)
class Exposure:
    var: int
    low: int
    high: int

    @property
    def width(self) -> int:
        return self.high - self.low


def published_bounds(policy: DisclosurePolicy, values: IntArray) -> tuple[FloatArray, FloatArray]:
    """The attacker's interval of the true count behind each published value (vectorised)."""
    v = np.asarray(values, dtype=np.int64)
    base = policy.rounding
    if base > 1:
        low = np.maximum(v - base // 2, 0)
        high = v - base // 2 + base - 1
    else:
        low, high = v.copy(), v.copy()
    big_low = np.maximum(low, policy.threshold + 1)
    zero_ok = (low <= 0) & (not policy.zeros_sensitive)
    has_big = big_low <= high
    out_low = np.where(has_big, np.where(zero_ok, 0, big_low), 0)
    out_high = np.where(has_big, high, 0)
    # No non-small count rounds to v (a hand-edited small value): fall back to the rounding
    # interval; the small-cell check reports the value itself.
    impossible = ~has_big & ~zero_ok
    out_low = np.where(impossible, low, out_low)
    out_high = np.where(impossible, high, out_high)
    return out_low.astype(np.float64), out_high.astype(np.float64)


def published_interval(policy: DisclosurePolicy, value: int | None) -> tuple[float, float]:
    """The attacker's interval for one published value (``None``: suppressed)."""
    if value is None:
        return 0.0, float("inf")
    low, high = published_bounds(policy, np.array([value], dtype=np.int64))
    return float(low[0]), float(high[0])


def _ok(status: HighsStatus) -> None:
    if status == HighsStatus.kError:
        raise RuntimeError("attacker LP failed: HiGHS rejected a change to the model")


class Attacker:
    """The LP over one dataset's linked additive tables, with a memory of feasible tables."""

    def __init__(self, linkage: Linkage, lower: FloatArray, upper: FloatArray) -> None:
        self.linkage = linkage
        self.matrix = linkage.matrix
        self.lower = np.asarray(lower, dtype=np.float64).copy()
        self._open = ~np.isfinite(np.asarray(upper, dtype=np.float64))  # no upper bound known
        self.upper = np.asarray(upper, dtype=np.float64).copy()
        n = linkage.size
        self.cap = FALLBACK_CAP
        self._recap()
        self.seen_low = np.full(n, np.inf)
        self.seen_high = np.full(n, -np.inf)
        self.lp_count = 0
        self._rng = np.random.default_rng(20240601)  # fixed: the same input, the same LPs
        self._columns = sp.csc_matrix(self.matrix)
        self._highs: _Highs | None = None
        self._cols = np.zeros(0, dtype=np.int64)  # the variable of each column of the LP
        self._rhs = np.zeros(self.matrix.shape[0])  # the right-hand sides given to HiGHS
        self._stale = True  # bounds changed since the LP was last brought up to date

    def _recap(self) -> None:
        """Bound the open variables by the smallest table sum the published values bound."""
        upper = np.where(self._open, np.inf, self.upper)
        if upper.size:
            sums = np.add.reduceat(upper, self.linkage.offsets[:-1])
            finite = sums[np.isfinite(sums)]
            self.cap = float(finite.min()) if finite.size else FALLBACK_CAP
        self.upper = np.where(self._open, self.cap, self.upper)

    def absorb(self, point: FloatArray) -> None:
        """Remember a feasible table (an LP solution, or the true counts)."""
        self.seen_low = np.minimum(self.seen_low, point)
        self.seen_high = np.maximum(self.seen_high, point)

    def release(self, var: int) -> None:
        """The variable becomes a suppressed cell: any count from 0 to the cap.

        Bounds only widen (the cap never falls), so the LP only gains columns.
        """
        self.lower[var] = 0.0
        self._open[var] = True
        self._recap()
        self._stale = True

    def proven(self, vars: IntArray, width: int) -> NDArray[np.bool_]:
        high = np.floor(self.seen_high[vars] + EPS)
        low = np.ceil(self.seen_low[vars] - EPS)
        return np.asarray(high - low >= width)

    def _model(self) -> _Highs:
        """The LP in HiGHS, brought up to date after ``release``; ``Inconsistent`` if infeasible.

        One row per equation, one column per variable whose value is not known exactly (known
        ones move to the right-hand side): without rounding (UK Biobank, UK LLC) a few hundred
        columns instead of every cell of every table. The raw binding ``_Highs`` is used: the
        ``highspy.Highs`` wrapper prints a banner on stdout before output can be turned off.
        """
        if self._highs is None:
            self._highs = _Highs()
            self._highs.setOptionValue("output_flag", False)
            self._highs.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
            rows, empty = self.matrix.shape[0], np.zeros(0, dtype=np.int64)
            zeros = np.zeros(rows)
            _ok(self._highs.addRows(rows, zeros, zeros, 0, np.zeros(rows, np.int64), empty, []))
        if self._stale:
            self._update(self._highs)
            self._stale = False
        return self._highs

    def _update(self, highs: _Highs) -> None:
        """Columns for the variables no longer known, then the bounds and right-hand sides."""
        free = np.flatnonzero(self.lower < self.upper)
        new = free[~np.isin(free, self._cols)]  # the known set only shrinks (see release)
        if new.size:
            part = sp.csc_matrix(self._columns[:, new])
            low, high, costs = self.lower[new], self.upper[new], np.zeros(new.size)
            starts, index, nnz = part.indptr[:-1], part.indices, part.nnz
            _ok(highs.addCols(new.size, costs, low, high, nnz, starts, index, part.data))
            self._cols = np.concatenate([self._cols, new])
        cols = self._cols
        known = np.ones(self.linkage.size, dtype=np.bool_)
        known[cols] = False
        rhs = -(self._columns @ np.where(known, self.lower, 0.0))
        used = abs(self.matrix) @ (~known).astype(np.float64) > 0
        if np.any(np.abs(rhs[~used]) > EPS):  # an equation of known numbers only
            raise Inconsistent("the published numbers contradict each other")
        rhs[~used] = 0.0
        for row in np.flatnonzero(rhs != self._rhs).tolist():
            _ok(highs.changeRowBounds(row, rhs[row], rhs[row]))
        self._rhs = rhs
        low, high = self.lower[cols], self.upper[cols]
        _ok(highs.changeColsBounds(cols.size, np.arange(cols.size), low, high))

    def solve(self, objective: FloatArray) -> FloatArray:
        """A feasible table minimising ``objective``; ``Inconsistent`` if there is none."""
        highs = self._model()
        cols = self._cols
        x: FloatArray = self.lower.copy()
        if cols.size:
            self.lp_count += 1
            _ok(highs.changeColsCost(cols.size, np.arange(cols.size), objective[cols]))
            highs.run()
            status = highs.getModelStatus()
            if status not in (HighsModelStatus.kOptimal, HighsModelStatus.kInfeasible):
                highs.clearSolver()  # should a warm start go wrong: once more from scratch
                highs.run()
                status = highs.getModelStatus()
            if status == HighsModelStatus.kInfeasible:
                raise Inconsistent("the published numbers contradict each other")
            if status != HighsModelStatus.kOptimal:
                raise RuntimeError(f"attacker LP failed: {highs.modelStatusToString(status)}")
            x[cols] = highs.getSolution().col_value
        self.absorb(x)
        return x

    def interval(self, var: int) -> tuple[int, int]:
        """The exact integer interval of one variable."""
        objective = np.zeros(self.linkage.size)
        objective[var] = -1.0
        high = self.solve(objective)[var]
        objective[var] = 1.0
        low = self.solve(objective)[var]
        return int(np.ceil(low - EPS)), int(np.floor(high + EPS))

    def prove(self, targets: Sequence[int] | IntArray, width: int) -> IntArray:
        """Batch rounds: LPs that push all unproven targets at once; returns those left."""
        todo = np.asarray(targets, dtype=np.int64)
        todo = todo[~self.proven(todo, width)]
        for round_ in range(MAX_BATCH_ROUNDS):
            if todo.size < BATCH_MIN:
                break
            if round_ == 0:
                signs = np.full(todo.size, -1.0)  # push everything up
            elif round_ == 1:
                signs = np.full(todo.size, 1.0)  # and down
            else:
                signs = self._rng.choice(np.array([-1.0, 1.0]), size=todo.size)
            objective = np.zeros(self.linkage.size)
            objective[todo] = signs
            self.solve(objective)
            left = todo[~self.proven(todo, width)]
            slow = round_ >= 1 and todo.size - left.size < 2  # exact LPs are now cheaper
            todo = left
            if slow:
                break
        return todo

    def exposure(self, var: int, width: int) -> Exposure | None:
        """The exact interval of ``var`` if it is narrower than ``width``, else None."""
        one = np.array([var], dtype=np.int64)
        if self.proven(one, width)[0]:
            return None
        objective = np.zeros(self.linkage.size)
        objective[var] = -1.0
        high = self.solve(objective)[var]
        if self.proven(one, width)[0]:
            return None
        objective[var] = 1.0
        low = self.solve(objective)[var]
        if self.proven(one, width)[0]:
            return None
        return Exposure(var, int(np.ceil(low - EPS)), int(np.floor(high + EPS)))

    def exposed(self, targets: Sequence[int] | IntArray, width: int) -> list[Exposure]:
        """Targets whose interval is narrower than ``width``, in target order, exactly."""
        out = []
        for var in self.prove(targets, width).tolist():
            found = self.exposure(var, width)
            if found:
                out.append(found)
        return out
