"""The independent audit of published statistics (``cohortgate audit-stats``).

It reads only what is published (the JSON file, and its previous version in git) and trusts no
mark that ``cohortgate stats`` wrote: a cell counts as suppressed when its value is null,
whatever its ``suppressed`` flag says. One function per rule, all listed in ``RULES``:

* the policy summary names a preset and repeats its numbers (``privacy.unknown-policy``,
  ``privacy.policy-mismatch``); the preset's numbers are what the other rules enforce;
* suppression marks agree with values (``privacy.cell-state``);
* no published count is small (``privacy.small-cell``), every count is rounded
  (``privacy.not-rounded``), totals are sums of published values (``privacy.total-mismatch``);
* additive tables have one cell per combination of categories (``privacy.table-shape``) and
  fit the population (``privacy.population``);
* for every suppressed cell of the linked additive tables (and a null population), the
  attacker's LP over everything published (``disclosure.attack``) leaves an interval at least
  the protection width wide (``privacy.recoverable-cell``), and the published numbers have a
  solution at all (``privacy.inconsistent``).

Differencing against the previous version is ``disclosure.differencing``;
``audit_catalog_stats`` runs everything on every file of ``catalog/stats/`` and is what the
site build calls before it publishes a single number.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from pathlib import Path

import numpy as np

from cohortgate.catalog.load import load_stats, stats_positions
from cohortgate.disclosure import codes as P
from cohortgate.disclosure.attack import Attacker, Inconsistent, published_bounds
from cohortgate.disclosure.differencing import (
    History,
    check_revision,
    compare,
    previous_version,
)
from cohortgate.disclosure.issues import Issue, locate, where
from cohortgate.disclosure.linkage import Block, link
from cohortgate.disclosure.verdicts import Verdicts, for_site
from cohortgate.findings import Finding, sort_findings
from cohortgate.layout import Layout
from cohortgate.models.stats import DatasetStats, StatTable
from cohortgate.policy import DEFAULT_DISCLOSURE, DISCLOSURE_PRESETS, DisclosurePolicy

SUMMARY_FIELDS = ("threshold", "rounding", "zeros_sensitive", "protection_width")


def preset_of(stats: DatasetStats) -> tuple[DisclosurePolicy, list[Issue]]:
    """The preset the file names (the default preset if it names none we know)."""
    named = stats.policy.preset
    policy = DISCLOSURE_PRESETS.get(named)
    if policy is None:
        known = ", ".join(sorted(DISCLOSURE_PRESETS))
        issue = Issue(P.UNKNOWN_POLICY, ("policy", "preset"), {"preset": named, "known": known})
        return DISCLOSURE_PRESETS[DEFAULT_DISCLOSURE], [issue]
    issues = [
        Issue(
            P.POLICY_MISMATCH,
            ("policy", name),
            {
                "preset": named,
                "field": name,
                "expected": getattr(policy, name),
                "value": getattr(stats.policy, name),
            },
        )
        for name in SUMMARY_FIELDS
        if getattr(stats.policy, name) != getattr(policy, name)
    ]
    return policy, issues


def _small_range(policy: DisclosurePolicy) -> str:
    return f"{0 if policy.zeros_sensitive else 1} to {policy.threshold}"


def check_values(stats: DatasetStats, policy: DisclosurePolicy) -> list[Issue]:
    """Cell states, small counts and rounding, for every published number."""
    issues: list[Issue] = []
    numbers: list[tuple[tuple[str | int, ...], str, int]] = []
    if stats.population is not None:
        numbers.append((("population",), where(None), stats.population))
    for i, table in enumerate(stats.tables):
        for j, cell in enumerate(table.cells):
            path: tuple[str | int, ...] = ("tables", i, "cells", j, "value")
            name = where(table.id, cell.key)
            if cell.value is None and not cell.suppressed:
                problem = "has no value but is not marked suppressed"
                issues.append(Issue(P.CELL_STATE, path, {"where": name, "problem": problem}))
            if cell.value is not None:
                if cell.suppressed:
                    problem = f"is marked suppressed but publishes the value {cell.value}"
                    issues.append(Issue(P.CELL_STATE, path, {"where": name, "problem": problem}))
                numbers.append((path, name, cell.value))
    for path, name, value in numbers:
        params = {"where": name, "value": value, "preset": policy.name}
        if policy.is_small(value):
            issues.append(Issue(P.SMALL_CELL, path, {**params, "small": _small_range(policy)}))
        if policy.rounding > 1 and value % policy.rounding:
            issues.append(Issue(P.NOT_ROUNDED, path, {**params, "rounding": policy.rounding}))
    return issues


def check_totals(stats: DatasetStats, policy: DisclosurePolicy) -> list[Issue]:
    issues = []
    for i, table in enumerate(stats.tables):
        expected = sum(c.value for c in table.cells if c.value is not None)
        if table.total != expected:
            params = {"table": table.id, "total": table.total, "expected": expected}
            issues.append(Issue(P.TOTAL_MISMATCH, ("tables", i, "total"), params))
    return issues


def check_shapes(stats: DatasetStats, policy: DisclosurePolicy) -> list[Issue]:
    """Additive tables: one cell per combination of categories, categories unique."""
    issues = []
    for i, table in enumerate(stats.tables):
        for problem, path in _shape_problems(table):
            issues.append(
                Issue(P.TABLE_SHAPE, ("tables", i, *path), {"table": table.id, "problem": problem})
            )
    return issues


def _shape_problems(table: StatTable) -> list[tuple[str, tuple[str | int, ...]]]:
    out: list[tuple[str, tuple[str | int, ...]]] = []
    for d, dim in enumerate(table.dimensions):
        codes = [c.code for c in dim.categories]
        for code in sorted({c for c in codes if codes.count(c) > 1}):
            out.append((f"category '{code}' of '{dim.name}' is listed twice", ("dimensions", d)))
    names = [d.name for d in table.dimensions]
    if len(set(names)) != len(names):
        out.append(("a dimension is listed twice", ("dimensions",)))
    allowed = [{c.code for c in d.categories} for d in table.dimensions]
    seen: set[tuple[str, ...]] = set()
    for j, cell in enumerate(table.cells):
        key = tuple(cell.key)
        if len(key) != len(allowed) or any(k not in a for k, a in zip(key, allowed, strict=False)):
            out.append((f"cell key {list(key)} does not fit the dimensions", ("cells", j, "key")))
        elif key in seen:
            out.append((f"cell {list(key)} is listed twice", ("cells", j, "key")))
        seen.add(key)
    if table.additive:
        every = itertools.product(*[[c.code for c in d.categories] for d in table.dimensions])
        missing = [list(k) for k in every if k not in seen]
        if missing:
            shown = ", ".join(str(k) for k in missing[:3]) + (" ..." if len(missing) > 3 else "")
            out.append((f"{len(missing)} cell(s) missing: {shown}", ("cells",)))
    return out


def check_population(stats: DatasetStats, policy: DisclosurePolicy) -> list[Issue]:
    """Each additive table's published values, within rounding, can add up to the population."""
    if stats.population is None:
        return []
    pop_low, pop_high = published_bounds(policy, np.array([stats.population], np.int64))
    issues = []
    for i, table in enumerate(stats.tables):
        if not table.additive:
            continue
        values = np.array([c.value for c in table.cells if c.value is not None], np.int64)
        low, high = published_bounds(policy, values)
        total_low = float(low.sum())
        hidden = any(c.value is None for c in table.cells)
        total_high = float("inf") if hidden else float(high.sum())
        if total_low > pop_high[0] or total_high < pop_low[0]:
            params = {
                "table": table.id,
                "population": stats.population,
                "low": int(total_low),
                "high": "any number" if hidden else int(total_high),
            }
            issues.append(Issue(P.POPULATION, ("tables", i, "total"), params))
    return issues


def check_protection(stats: DatasetStats, policy: DisclosurePolicy) -> list[Issue]:
    """The attacker's LP for every suppressed cell of the linked additive tables."""
    additive = [(i, t) for i, t in enumerate(stats.tables) if t.additive]
    if not additive:
        return []
    blocks = [Block((), ())]
    for _, t in additive:
        dims = tuple(d.name for d in t.dimensions)
        if len(set(dims)) != len(dims):
            continue
        blocks.append(Block(dims, tuple(tuple(c.code for c in d.categories) for d in t.dimensions)))
    linkage = link(blocks)
    n = linkage.size
    lower, upper = np.zeros(n), np.full(n, np.inf)  # unknown until published
    values = np.zeros(n, np.int64)
    known = np.zeros(n, np.bool_)
    places: dict[int, tuple[tuple[str | int, ...], str]] = {0: (("population",), where(None))}
    if stats.population is not None:
        values[0], known[0] = stats.population, True
    targets = [] if stats.population is not None else [0]
    block = 1
    for i, t in additive:
        if len(set(d.name for d in t.dimensions)) != len(t.dimensions):
            continue
        index = [{c.code: k for k, c in enumerate(d.categories)} for d in t.dimensions]
        shape = linkage.blocks[block].shape
        for j, cell in enumerate(t.cells):
            try:
                local = tuple(index[d][code] for d, code in enumerate(cell.key))
            except (KeyError, IndexError):
                continue
            if len(local) != len(shape):
                continue
            var = int(linkage.offsets[block] + np.ravel_multi_index(local, shape))
            places[var] = (("tables", i, "cells", j, "value"), where(t.id, cell.key))
            if cell.value is None:
                targets.append(var)
            else:
                values[var], known[var] = cell.value, True
        block += 1
    low, high = published_bounds(policy, values[known])
    lower[known], upper[known] = low, high
    attacker = Attacker(linkage, lower, upper)
    try:
        exposures = attacker.exposed(sorted(set(targets)), policy.protection_width)
    except Inconsistent:
        return [Issue(P.INCONSISTENT, ("population",), {"dataset": stats.dataset})]
    issues = []
    for e in exposures:
        path, name = places[e.var]
        params = {
            "where": name,
            "low": e.low,
            "high": e.high,
            "width": e.width,
            "protection": policy.protection_width,
        }
        issues.append(Issue(P.RECOVERABLE_CELL, path, params))
    return issues


Rule = Callable[[DatasetStats, DisclosurePolicy], list[Issue]]
# The audit, in the order it reads a file. check_protection needs consistent tables, so it runs
# only when the rules before it found no shape or population problem.
RULES: tuple[Rule, ...] = (check_values, check_totals, check_shapes, check_population)


def audit_stats(stats: DatasetStats) -> list[Issue]:
    """Every issue of one dataset's published statistics (differencing aside)."""
    policy, issues = preset_of(stats)
    for rule in RULES:
        issues += rule(stats, policy)
    if not any(i.code in (P.TABLE_SHAPE, P.POPULATION) for i in issues):
        issues += check_protection(stats, policy)
    return issues


def audit_file(
    path: Path,
    display: str,
    root: Path | None = None,
    against: str | None = None,
    history: History | None = None,
    verdicts: Verdicts | None = None,
) -> list[Finding]:
    """Audit one statistics file; with ``root``, also against its previous version in git.

    ``history`` (of the repository at ``root``) serves many files from one repository;
    ``verdicts`` skips re-proving a file whose exact bytes already passed (site build only).
    """
    stats, findings = load_stats(path, display)
    if stats is None:
        return findings
    data = path.read_bytes() if verdicts is not None else b""
    if verdicts is not None and verdicts.passed(data):
        issues = []
    else:
        issues = audit_stats(stats)
        if verdicts is not None and not issues:
            verdicts.remember(data)
    if root is not None:
        if history is None:
            previous = previous_version(root, path, against)
        else:
            previous = history.previous(path)
        if previous is not None:
            policy, _ = preset_of(stats)
            issues += compare(stats, previous[1], policy, previous[0])
    return findings + locate(issues, display, lambda: stats_positions(path, display))


def audit_catalog_stats(
    lay: Layout, against: str | None = None, differencing: bool = True, memo: bool = False
) -> list[Finding]:
    """The audit of every ``catalog/stats/*.json``; the site publishes none if any error.

    ``RevisionError`` when ``against`` names no commit (a usage error, checked first).
    ``memo`` remembers clean verdicts locally (``disclosure.verdicts``); the independent
    ``cohortgate audit-stats`` leaves it off.
    """
    verdicts = for_site(lay) if memo else None
    if differencing and against:
        check_revision(lay.root, against)
    findings: list[Finding] = []
    root = lay.root if differencing else None
    with History(lay.root, against) if differencing else contextlib.nullcontext() as history:
        for path in sorted(lay.stats.glob("*.json")):
            findings += audit_file(path, lay.rel(path), root, against, history, verdicts)
    if verdicts is not None:
        verdicts.save()
    return sort_findings(findings)
