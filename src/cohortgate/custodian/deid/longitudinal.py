"""De-identification of a release's longitudinal quasi-identifiers until the joined gate
passes (R28), and what it cost.

``deidentify_longitudinal`` searches the levels of ``deid.timing``'s dimensions (person
quasi-identifiers, event dates, visit counts in bands) greedily, as Datafly and ARX's heuristic
search do, from the release as it is (or from ``start``, e.g. an earlier release's levels):

1. at the current node, build the joined view (``risk.joined``) and assess it
   (``risk.joined_gate.assess``); if the gate passes, stop;
2. if the persons at risk fit the suppression budgets, suppress locally, in rounds: persons
   at risk on a combination with event times lose their event dates (``*``), the others
   (and those whose dates are suppressed already) leave the release; stop once the gate
   passes within the budgets (``policy.MAX_TIMING_SUPPRESSION`` of persons without dates,
   ``policy.MAX_SUPPRESSION`` of persons dropped);
3. otherwise raise one dimension one level: the one that removes the most risk per unit of
   information loss (``Release.loss``), the risk being the persons at risk summed over the
   failing combinations (``Assessment.risk_mass``: graded, where one combination such as the
   whole visit sequence holds nearly everyone at risk); ties to the least risk left, then to
   the order of the dimensions; go to 1.

The top of every ladder makes every combination a single class, so the search ends; the
budgets bound suppression, not generalisation. Nothing is random but the choice of the rows a
count band drops, drawn from ``seed`` (and the persons' cohort ids when given): the same
tables and seed give the same release.

``carried`` turns an earlier release's suppressed persons (cohort ids, from the vault) into
this release's pseudonyms, so that a person suppressed once stays suppressed (``drop`` and
``suppress_timing``); ``risk.union`` checks the releases together and ``deid.union`` drives
a later release through it. ``start`` levels are relative to the release's own units (a date
column already coarsened starts higher): give an earlier release's ``levels`` only when both
releases came through the same per-table generalisation.
"""

from __future__ import annotations

import importlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from cohortgate.custodian.deid import hierarchies as H
from cohortgate.custodian.deid.policy import MAX_SUPPRESSION, MAX_TIMING_SUPPRESSION
from cohortgate.custodian.deid.timing import DATE, PERSON, Release
from cohortgate.custodian.risk import timeline as T
from cohortgate.custodian.risk.joined import JoinSpec, joined_view
from cohortgate.custodian.risk.joined_gate import Assessment, JoinedReport, assess
from cohortgate.custodian.risk.policy import DEFAULT_RISK_POLICY, RiskPolicy

pd: Any = importlib.import_module("pandas")  # untyped; present wherever the custodian runs

Tables = Mapping[str, Mapping[str, npt.NDArray[Any]]]
BoolArray = npt.NDArray[np.bool_]
ROUNDS = 8  # local suppression rounds at one node (each may expose a few more persons)


class LongitudinalError(ValueError):
    """The joined gate cannot be met (only when the search is given too few steps)."""


@dataclass(frozen=True)
class InformationLoss:
    """What the de-identification cost, as counts (shares in ``summary``)."""

    persons: int
    persons_dropped: int
    persons_timing_suppressed: int  # kept, with every event date suppressed
    event_rows: int
    event_rows_dropped: int  # by count bands and dropped persons
    date_values: int  # event dates and person dates of the kept rows
    date_values_generalised: int  # coarser than released before (not suppressed)
    date_values_suppressed: int
    person_values: int  # person quasi-identifier values of the kept persons
    person_values_generalised: int
    levels: dict[str, str] = field(default_factory=dict)
    loss: float = 0.0  # the search's objective at the chosen node (Release.loss)

    def summary(self) -> dict[str, Any]:
        def share(part: int, whole: int) -> float:
            return round(part / whole, 6) if whole else 0.0

        return {
            "persons_dropped": share(self.persons_dropped, self.persons),
            "persons_timing_suppressed": share(self.persons_timing_suppressed, self.persons),
            "event_rows_dropped": share(self.event_rows_dropped, self.event_rows),
            "date_values_generalised": share(self.date_values_generalised, self.date_values),
            "date_values_suppressed": share(self.date_values_suppressed, self.date_values),
            "person_values_generalised": share(self.person_values_generalised, self.person_values),
            "levels": dict(self.levels),
            "loss": round(self.loss, 6),
        }


@dataclass(frozen=True)
class Longitudinal:
    tables: dict[str, dict[str, npt.NDArray[Any]]]
    report: JoinedReport
    loss: InformationLoss
    levels: dict[str, int]  # dimension -> level (pass as ``start`` to a later release)
    dropped: frozenset[str]  # pseudonyms: the vault only
    timing_suppressed: frozenset[str]  # pseudonyms: the vault only
    steps: int


@dataclass
class _Node:
    levels: dict[str, int]
    assessment: Assessment
    loss: float
    persons: npt.NDArray[np.object_]  # the view's persons (pseudonyms), in its order

    @property
    def at_risk(self) -> int:
        return int(self.assessment.at_risk.sum())


class _Search:
    def __init__(self, release: Release, policy: RiskPolicy, budgets: tuple[int, int]) -> None:
        self.release, self.policy = release, policy
        self.max_timing, self.max_drop = budgets
        self.index = pd.Index(release.persons)
        self.frozen = np.zeros(release.size, dtype=np.bool_)

    def node(
        self,
        levels: dict[str, int],
        dropped: BoolArray,
        timing: BoolArray,
        before: _Node | None = None,
        full: bool = False,
    ) -> _Node:
        tables = self.release.apply(levels, dropped, timing)
        spec = self.release.spec
        view = joined_view({t: tables[t] for t in spec.tables()}, spec)
        lent = None if before is None else before.assessment
        assessment = assess(view, self.policy, full=full, before=lent)
        return _Node(levels, assessment, self.release.loss(levels), view.persons)

    def persons_of(self, node: _Node, mask: BoolArray) -> BoolArray:
        """A mask over the view's persons as a mask over the release's persons."""
        out = np.zeros(self.release.size, dtype=np.bool_)
        out[self.index.get_indexer(node.persons[mask])] = True
        return out

    def suppress(
        self, node: _Node, dropped: BoolArray, timing: BoolArray
    ) -> tuple[BoolArray, BoolArray, Assessment] | None:
        """Local suppression at ``node`` within the budgets (module doc), or None."""
        dropped, timing = dropped.copy(), timing.copy()
        current = node
        for _ in range(ROUNDS):
            if current.assessment.report.passes:
                final = self.node(node.levels, dropped, timing, full=True)  # with the suite
                return dropped, timing, final.assessment
            hide = self.persons_of(current, current.assessment.at_risk_timing) & ~timing
            leave = self.persons_of(current, current.assessment.at_risk) & ~hide
            if ((hide | leave) & self.frozen).any():
                return None
            timing |= hide
            dropped |= leave
            if (timing & ~dropped).sum() > self.max_timing or dropped.sum() > self.max_drop:
                return None
            current = self.node(node.levels, dropped, timing)
        if not current.assessment.report.passes:
            return None
        return dropped, timing, self.node(node.levels, dropped, timing, full=True).assessment

    def step(self, current: _Node, dropped: BoolArray, timing: BoolArray) -> _Node | None:
        """The next node up (module doc, 3), or None at the top of every ladder."""
        best: tuple[tuple[float, int, int], _Node] | None = None
        for order, dim in enumerate(self.release.dims):
            level = current.levels.get(dim.name, 0)
            if level + 1 >= dim.height:
                continue
            trial = self.node({**current.levels, dim.name: level + 1}, dropped, timing, current)
            gained = current.assessment.risk_mass - trial.assessment.risk_mass
            cost = max(trial.loss - current.loss, 1e-6)
            score = (-gained / cost if gained > 0 else 0.0, trial.assessment.risk_mass, order)
            if best is None or score < best[0]:
                best = (score, trial)
        return None if best is None else best[1]


def carried(earlier: Iterable[str], cohort_ids: Mapping[str, str]) -> frozenset[str]:
    """This release's pseudonyms of the persons an earlier release suppressed: ``earlier`` are
    cohort ids (the vault keeps them), ``cohort_ids`` maps this release's pseudonyms to cohort
    ids. Pass the result as ``drop`` (or ``suppress_timing``) so that suppression stays
    consistent across the recipient's releases."""
    wanted = set(earlier)
    return frozenset(p for p, c in cohort_ids.items() if c in wanted)


def deidentify_longitudinal(
    tables: Tables,
    spec: JoinSpec,
    policy: RiskPolicy = DEFAULT_RISK_POLICY,
    *,
    seed: int = 0,
    hierarchies: Mapping[str, H.Hierarchy] | None = None,
    parents: Mapping[str, tuple[str, str]] | None = None,
    start: Mapping[str, int] | None = None,
    drop: Collection[str] = (),
    suppress_timing: Collection[str] = (),
    max_drop: float = MAX_SUPPRESSION,
    max_timing: float = MAX_TIMING_SUPPRESSION,
    max_steps: int = 100,
    cohort_ids: Mapping[str, str] | None = None,
    frozen: Collection[str] = (),
) -> Longitudinal:
    """The release's tables de-identified until the joined gate passes (module doc).
    ``parents`` maps a child event table to (parent table, link column), e.g. lab results to
    ``("visit", "visit_id")``; ``drop`` and ``suppress_timing`` are pseudonyms suppressed from
    the start (``carried``); ``start`` the lowest level of each dimension; ``cohort_ids``
    (pseudonym -> cohort id) makes the rows count bands drop the same in every release of a
    person; ``frozen`` persons (those an earlier release holds as they are) are never newly
    suppressed: at risk, they are protected by generalisation."""
    release = Release(
        tables, spec, seed=seed, hierarchies=hierarchies, parents=parents, person_keys=cohort_ids
    )
    n = release.size
    dropped = np.isin(release.persons, np.asarray(list(drop), dtype=object))
    timing = np.isin(release.persons, np.asarray(list(suppress_timing), dtype=object)) & ~dropped
    # the budgets bound what this search suppresses, beyond what it was given
    budgets = (int(max_timing * n + 1e-9) + int(timing.sum()), int(max_drop * n + 1e-9))
    search = _Search(release, policy, (budgets[0], budgets[1] + int(dropped.sum())))
    search.frozen = np.isin(release.persons, np.asarray(list(frozen), dtype=object))
    levels = {d.name: min(int((start or {}).get(d.name, 0)), d.height - 1) for d in release.dims}
    current = search.node(levels, dropped, timing)
    for steps in range(max_steps):
        if current.at_risk <= search.max_timing + search.max_drop:
            done = search.suppress(current, dropped, timing)
            if done is not None:
                return _result(release, current.levels, *done, steps, current.loss)
        following = search.step(current, dropped, timing)
        if following is None:
            break
        current = following
    raise LongitudinalError(
        f"the joined gate is not met after {max_steps} steps of generalisation "
        f"(persons at risk: {current.at_risk} of {n})"
    )


def _result(
    release: Release,
    levels: dict[str, int],
    dropped: BoolArray,
    timing: BoolArray,
    assessment: Assessment,
    steps: int,
    loss: float,
) -> Longitudinal:
    tables, rows = release.apply_rows(levels, dropped, timing)
    return Longitudinal(
        tables=tables,
        report=assessment.report,
        loss=_information_loss(release, tables, rows, levels, (dropped, timing), loss),
        levels=dict(levels),
        dropped=frozenset(release.persons[dropped].tolist()),
        timing_suppressed=frozenset(release.persons[timing & ~dropped].tolist()),
        steps=steps,
    )


def _information_loss(
    release: Release,
    out: Mapping[str, Mapping[str, npt.NDArray[Any]]],
    rows: Mapping[str, BoolArray],
    levels: Mapping[str, int],
    suppressed_persons: tuple[BoolArray, BoolArray],
    loss: float,
) -> InformationLoss:
    dropped, timing = suppressed_persons
    spec = release.spec
    before = sum(len(release.owner[e.table]) for e in spec.events)
    after = sum(int(rows[e.table].sum()) for e in spec.events)
    columns = [(e.table, e.date) for e in spec.events if e.date]
    columns += [(d.table, d.column) for d in release.dims if d.kind == DATE]
    values = generalised = hidden = 0
    for table, name in columns:
        old = T.parse(release.tables[table][name]).take(np.flatnonzero(rows[table]))
        new = T.parse(out[table][name])
        gone = (new.unit == T.Unit.ALL) & (old.unit != T.Unit.ALL)
        values += len(new.unit)
        hidden += int(gone.sum())
        generalised += int(((new.unit > old.unit) & ~gone).sum())
    person_values = person_generalised = 0
    for dim in release.dims:
        if dim.kind != PERSON:
            continue
        h = release.hierarchies[dim.name]
        base = h.encode(release.tables[dim.table][dim.column])[rows[dim.table]]
        level = levels.get(dim.name, 0)
        person_values += len(base)
        person_generalised += int((h.table[level][base] != h.table[0][base]).sum())
    return InformationLoss(
        persons=release.size,
        persons_dropped=int(dropped.sum()),
        persons_timing_suppressed=int((timing & ~dropped).sum()),
        event_rows=before,
        event_rows_dropped=before - after,
        date_values=values,
        date_values_generalised=generalised,
        date_values_suppressed=hidden,
        person_values=person_values,
        person_values_generalised=person_generalised,
        levels={
            d.name: d.level_name(levels.get(d.name, 0), release.hierarchies.get(d.name))
            for d in release.dims
        },
        loss=loss,
    )
