"""The attacker's persistent HiGHS model against a fresh ``scipy.optimize.linprog`` per cell.

``Attacker`` loads its LP into HiGHS once, re-solves it with a new objective each time and,
when a cell is released (secondary suppression), only adds columns and widens bounds. Here the
same LP is solved from scratch by scipy for every suppressed cell, over the full system (no
known variable substituted out), before and after releases: the integer intervals must agree.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy.optimize import linprog

from cohortgate.disclosure.attack import EPS, Attacker, published_bounds
from cohortgate.disclosure.linkage import Block, Linkage, link
from cohortgate.disclosure.suppress import rounded, small
from cohortgate.policy import DISCLOSURE_PRESETS, DisclosurePolicy


def random_tables(
    seed: int, policy: DisclosurePolicy
) -> tuple[Linkage, np.ndarray, np.ndarray, np.ndarray]:
    """Population, A, B, C, A x B, A x C from a random three-way table; primary suppression."""
    rng = np.random.default_rng(seed)
    shape = tuple(int(n) for n in rng.integers(2, 5, size=3))
    cube = np.where(rng.random(shape) < 0.5, rng.integers(0, 12, shape), rng.integers(0, 90, shape))
    names = ("a", "b", "c")
    codes = [tuple(f"{n}{i}" for i in range(s)) for n, s in zip(names, shape, strict=True)]
    parts = [((0,), (1, 2)), ((1,), (0, 2)), ((2,), (0, 1)), ((0, 1), (2,)), ((0, 2), (1,))]
    blocks = [Block((), ())]
    truth = [np.array([cube.sum()])]
    for dims, summed in parts:
        blocks.append(Block(tuple(names[d] for d in dims), tuple(codes[d] for d in dims)))
        truth.append(cube.sum(axis=summed).ravel())
    counts = np.concatenate(truth).astype(np.int64)
    suppressed = small(policy, counts)
    lower, upper = published_bounds(policy, rounded(policy, counts))
    lower[suppressed], upper[suppressed] = 0.0, np.inf
    return link(blocks), lower, upper, counts


def scipy_interval(attacker: Attacker, var: int) -> tuple[int, int]:
    """The interval of ``var`` by two cold scipy LPs over every variable and equation."""
    matrix = attacker.matrix
    bounds = np.column_stack([attacker.lower, attacker.upper])
    ends = []
    for sign in (1.0, -1.0):
        objective = np.zeros(attacker.linkage.size)
        objective[var] = sign
        rows = matrix.shape[0]
        result = linprog(
            objective,
            A_eq=matrix if rows else None,
            b_eq=np.zeros(rows) if rows else None,
            bounds=bounds,
            method="highs",
        )
        assert result.status == 0, result.message
        ends.append(float(result.x[var]))
    return int(np.ceil(ends[0] - EPS)), int(np.floor(ends[1] + EPS))


@pytest.mark.parametrize("preset", sorted(DISCLOSURE_PRESETS))
@pytest.mark.parametrize("seed", range(4))
def test_intervals_agree_with_scipy_before_and_after_releases(preset: str, seed: int) -> None:
    policy = DISCLOSURE_PRESETS[preset]
    linkage, lower, upper, counts = random_tables(seed, policy)
    attacker = Attacker(linkage, lower, upper)
    hidden = set(np.flatnonzero(np.isinf(upper)).tolist())
    rng = np.random.default_rng(1000 + seed)
    compared = 0
    for _ in range(3):
        for var in sorted(hidden):
            assert attacker.interval(var) == scipy_interval(attacker, var), var
            compared += 1
        published = [v for v in np.flatnonzero(counts > 0).tolist() if v not in hidden]
        for var in rng.choice(published, size=min(3, len(published)), replace=False).tolist():
            attacker.release(var)  # secondary suppression: the LP grows, it is not rebuilt
            hidden.add(var)
    assert compared > 0


def test_the_solver_prints_nothing() -> None:
    """HiGHS stays silent: ``--format json`` output must be JSON only (a fresh process, since
    HiGHS prints its banner at most once per process)."""
    code = (
        "import numpy as np\n"
        "from cohortgate.disclosure.attack import Attacker\n"
        "from cohortgate.disclosure.linkage import Block, link\n"
        "linkage = link([Block((), ()), Block(('sex',), (('M', 'F'),))])\n"
        "attacker = Attacker(linkage, np.array([20.0, 0, 15]), np.array([20.0, np.inf, 15]))\n"
        "print(attacker.interval(1), end='')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr) == (0, "(5, 5)", "")
