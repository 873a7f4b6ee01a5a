"""Differential test: the gate's attribute-disclosure figures equal pycanon's on 1,000 random
tables (seeded; 1..300 rows, log-uniform, 1..4 quasi-identifiers, 1..2 sensitive fields,
categorical and numeric values). A failure names the table's seed; rebuild it with
``random_table(seed)``.

Deliberate differences, documented in ``cohortgate.custodian.risk.metrics``:
- recursive (c,l): ours sorts value counts descending (the published definition, ARX);
  pycanon sorts ascending. pycanon's c is compared with ``descending=False``, and ours with a
  brute-force count of the definition.
- entropy l: we report exp(H) as a float, pycanon ``int(exp(H))``; floors agree up to 1e-9.
- t-closeness of a numeric field with one value: pycanon divides by zero, ours is 0.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
import pycanon.anonymity as pa
import pytest

from cohortgate.custodian.risk.classes import column
from cohortgate.custodian.risk.suite import classes_of, metrics, risk_report

TABLES = 1000
CHUNK = 100
LETTERS = np.array(list("abcdefgh"), dtype=object)


def random_table(seed: int) -> tuple[pd.DataFrame, list[str], list[str]]:
    rng = np.random.default_rng(seed)
    # log-uniform sizes: every size from 1 to 300 occurs, small tables (where edge cases live)
    # more often, and pycanon's per-class loops stay within the test's time budget
    rows = min(int(np.exp(rng.uniform(0.0, np.log(301.0)))), 300)
    n_qi = int(rng.integers(1, 5))
    n_sa = int(rng.integers(1, 3))
    data: dict[str, Any] = {}
    for i in range(n_qi):
        card = int(rng.integers(1, 7))
        codes = rng.integers(0, card, rows)
        data[f"q{i}"] = LETTERS[codes] if rng.random() < 0.5 else codes
    for j in range(n_sa):
        card = int(rng.integers(1, 7))
        codes = rng.integers(0, card, rows)
        kind = rng.integers(0, 3)
        if kind == 0:
            data[f"s{j}"] = LETTERS[codes]  # categorical: equal distance
        elif kind == 1:
            data[f"s{j}"] = codes * 7 - 3  # integers: ordered distance
        else:
            data[f"s{j}"] = np.round(rng.normal(size=card), 3)[codes]  # floats, unordered codes
    return pd.DataFrame(data), [f"q{i}" for i in range(n_qi)], [f"s{j}" for j in range(n_sa)]


def brute_recursive_c(df: pd.DataFrame, qi: list[str], sa: str, ell: int) -> int | None:
    worst = 0
    for _, group in df.groupby(qi):
        counts = sorted(Counter(group[sa].tolist()).values(), reverse=True)
        if len(counts) < ell:
            return None
        c = 1
        while not counts[0] < c * sum(counts[ell - 1 :]):
            c += 1
        worst = max(worst, c)
    return worst


def pycanon_figures(df: pd.DataFrame, qi: list[str], sa: list[str]) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out: dict[str, Any] = {
            "k": pa.k_anonymity(df, qi),
            "l": pa.l_diversity(df, qi, sa),
            "entropy_l": pa.entropy_l_diversity(df, qi, sa),
            "c_l": pa.recursive_c_l_diversity(df, qi, sa),
            "beta": pa.basic_beta_likeness(df, qi, sa),
        }
        try:
            out["t"] = pa.t_closeness(df, qi, sa)
        except ZeroDivisionError:
            out["t"] = None  # a numeric sensitive field with a single value
    return out


def compare(seed: int) -> list[str]:
    df, qi, sa = random_table(seed)
    theirs = pycanon_figures(df, qi, sa)
    ours = risk_report(df, qi, sa, impact=False)
    problems = []

    def differ(what: str, mine: Any, peer: Any) -> None:
        problems.append(f"seed {seed} ({len(df)} rows, qi={qi}, sa={sa}): {what} {mine} != {peer}")

    if ours.k != theirs["k"]:
        differ("k", ours.k, theirs["k"])
    if ours.distinct_l != theirs["l"]:
        differ("distinct l", ours.distinct_l, theirs["l"])
    entropy = min(s.entropy_l for s in ours.sensitive_figures)
    if theirs["entropy_l"] not in {math.floor(entropy + 1e-9), math.floor(entropy - 1e-9)}:
        differ("entropy l", entropy, theirs["entropy_l"])
    beta = max(s.basic_beta for s in ours.sensitive_figures)
    if not math.isclose(beta, theirs["beta"], rel_tol=1e-9, abs_tol=1e-12):
        differ("basic beta", beta, theirs["beta"])
    t = ours.t_closeness
    assert t is not None
    if theirs["t"] is None:
        single = [s for s in ours.sensitive_figures if s.numeric and s.distinct_values == 1]
        if not single:
            differ("t-closeness (pycanon divided by zero)", t, None)
    elif not math.isclose(t, theirs["t"], rel_tol=1e-9, abs_tol=1e-12):
        differ("t-closeness", t, theirs["t"])
    c_peer, l_peer = theirs["c_l"]
    classes = classes_of(df, qi)
    if l_peer > 1:
        counts = [classes.sensitive(s, column(df, s)) for s in sa]
        c_asc = max(metrics.recursive_c(classes, c, l_peer, descending=False) or 0 for c in counts)
        if c_asc != c_peer:
            differ("recursive c (pycanon's ascending order)", c_asc, c_peer)
        for s, c in zip(sa, counts, strict=True):
            mine = metrics.recursive_c(classes, c, l_peer)
            brute = brute_recursive_c(df, qi, s, l_peer)
            if mine != brute:
                differ(f"recursive c of {s} (definition, l={l_peer})", mine, brute)
    elif not math.isnan(c_peer):
        differ("recursive c when l = 1", None, c_peer)
    return problems


@pytest.mark.parametrize("start", range(0, TABLES, CHUNK))
def test_equal_to_pycanon(start: int) -> None:
    problems = [p for seed in range(start, start + CHUNK) for p in compare(seed)]
    assert problems == []


def test_the_tables_vary() -> None:
    """Guard against a vacuous pass: the seeds produce the shapes the docstring promises."""
    shapes = [random_table(seed) for seed in range(200)]
    assert {len(q) for _, q, _ in shapes} == {1, 2, 3, 4}
    assert {len(s) for _, _, s in shapes} == {1, 2}
    assert min(len(df) for df, _, _ in shapes) < 10 < 250 < max(len(df) for df, _, _ in shapes)
    kinds = {str(df[s].dtype) for df, _, sa in shapes for s in sa}
    assert {"object", "int64", "float64"} <= kinds
    ks = {risk_report(df, q, s, impact=False).k for df, q, s in shapes[:50]}
    assert 1 in ks and max(ks) > 5
