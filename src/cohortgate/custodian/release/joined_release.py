"""A row-level release judged the way its recipient can use it: joined per person (R28).

After each table has been generalised on its own (``pipeline``), the recipient can still join
every table through the release's pseudonym and read each child's history: the number of
visits, the month of the first one, the sequence of visit months, the intervals between them.
``protect`` describes that joined record (``join_spec``), de-identifies the release until every
combination of up to the policy's number of quasi-identifiers of it meets the policy
(``deid.longitudinal``), and, when the recipient already holds releases (the same team or
institution, or this application's earlier releases), until the union of all of them does too
(``deid.union``), carrying over whom the earlier releases suppressed so that suppression stays
consistent between them.

What the recipient can join is read from the release itself (``join_spec``).

Everything returned stays on the custodian's side but the tables: ``dropped`` and
``timing_suppressed`` are cohort ids, for the vault and the next release to this recipient.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cohortgate.custodian.deid.longitudinal import (
    InformationLoss,
    LongitudinalError,
    deidentify_longitudinal,
)
from cohortgate.custodian.deid.union import deidentify_next
from cohortgate.custodian.release import codes as C
from cohortgate.custodian.release.join_spec import KEY, cohort_ids_of, join_spec
from cohortgate.custodian.release.prepared import PATIENT_KEY, ROW_KEY, Prepared, Table
from cohortgate.custodian.risk.joined import JoinSpec, joined_view
from cohortgate.custodian.risk.joined_gate import JoinedReport, joined_gate, joined_report
from cohortgate.custodian.risk.policy import RiskPolicy
from cohortgate.custodian.risk.union import Linked, union_gate, union_report
from cohortgate.models.dataset import Variable


@dataclass(frozen=True)
class Earlier:
    """What the recipient already holds: their releases (joined views, pseudonyms mapped to
    cohort ids, from the vault) and whom those suppressed (cohort ids)."""

    releases: tuple[Linked, ...] = ()
    dropped: frozenset[str] = frozenset()
    timing_suppressed: frozenset[str] = frozenset()
    levels: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Protected:
    tables: dict[str, Table]
    report: JoinedReport  # the joined gate on this release
    union: JoinedReport | None  # and on the union with the earlier releases
    loss: InformationLoss
    levels: dict[str, int]
    dropped: frozenset[str]  # cohort ids: the vault only
    timing_suppressed: frozenset[str]  # cohort ids: the vault only


def protect(
    tables: Mapping[str, Table],
    spec: JoinSpec,
    parents: Mapping[str, tuple[str, str]],
    policy: RiskPolicy,
    *,
    name: str,
    cohort_ids: Mapping[str, str],
    seed: int,
    earlier: Earlier | None = None,
) -> Protected:
    earlier = earlier or Earlier()
    """The release de-identified until the joined gate passes, alone and with ``earlier``
    (raises ``LongitudinalError`` when it cannot)."""
    options: dict[str, Any] = {"seed": seed, "parents": dict(parents)}
    if not earlier.releases:
        done = deidentify_longitudinal(
            tables,
            spec,
            policy,
            cohort_ids=cohort_ids,
            drop=_pseudonyms(earlier.dropped, cohort_ids),
            suppress_timing=_pseudonyms(earlier.timing_suppressed, cohort_ids),
            **options,
        )
        return Protected(
            tables=done.tables,
            report=done.report,
            union=None,
            loss=done.loss,
            levels=done.levels,
            dropped=frozenset(cohort_ids[p] for p in done.dropped),
            timing_suppressed=frozenset(cohort_ids[p] for p in done.timing_suppressed),
        )
    following = deidentify_next(
        tables,
        spec,
        policy,
        name=name,
        cohort_ids=cohort_ids,
        earlier=earlier.releases,
        earlier_dropped=earlier.dropped,
        earlier_timing=earlier.timing_suppressed,
        start=_start(earlier.levels, spec),
        **options,
    )
    done = following.release
    return Protected(
        tables=done.tables,
        report=done.report,
        union=following.union,
        loss=done.loss,
        levels=done.levels,
        dropped=following.dropped,
        timing_suppressed=following.timing_suppressed,
    )


def _pseudonyms(cohort: frozenset[str], cohort_ids: Mapping[str, str]) -> set[str]:
    return {p for p, c in cohort_ids.items() if c in cohort}


def _start(levels: Mapping[str, int], spec: JoinSpec) -> dict[str, int]:
    """An earlier release's levels, for the dimensions this release has."""
    names = {q for t in spec.events for q in t.quasi_identifiers()} | {"time"}
    names |= {qi for _t, _c, qi in spec.person_names()}
    return {d: int(level) for d, level in levels.items() if d in names}


def final_reports(
    tables: Mapping[str, Table],
    spec: JoinSpec,
    policy: RiskPolicy,
    *,
    name: str,
    cohort_ids: Mapping[str, str],
    earlier: Earlier,
) -> tuple[JoinedReport, JoinedReport | None]:
    """The joined gate on what actually leaves (after the watermark), alone and in the union."""
    view = joined_view({t: tables[t] for t in spec.tables()}, spec)
    alone = joined_report(view, policy)
    if not earlier.releases:
        return alone, None
    linked = Linked(name, view, cohort_ids)
    return alone, union_report([*earlier.releases, linked], policy)


def protect_release(
    works: Mapping[str, Table],
    kinds: Mapping[str, Mapping[str, Variable]],
    watermark_key: bytes,
    policy: RiskPolicy,
    where: str,
    earlier: Earlier,
    prepared: Prepared,
) -> Protected | None:
    """The release de-identified as its recipient joins it (``protect``); None when
    nothing in it can be joined. A release the search cannot protect is refused."""
    released = {n: {c: v for c, v in t.items() if c not in (ROW_KEY,)} for n, t in works.items()}
    found = join_spec(released, kinds)
    if found is None:
        return None
    spec, parents = found
    seed = int.from_bytes(hashlib.sha256(watermark_key + b"joined").digest()[:4], "big")
    try:
        protected = protect(
            works,
            spec,
            parents,
            policy,
            name=where,
            cohort_ids=cohort_ids_of(works, PATIENT_KEY),
            seed=seed,
            earlier=earlier,
        )
    except LongitudinalError as exc:
        prepared.findings.append(C.JOINED_UNPROTECTABLE.at(where, problem=str(exc)))
        return None
    prepared.suppression = {
        "seed": seed,
        "levels": dict(protected.levels),
        "dropped": sorted(protected.dropped),
        "timing_suppressed": sorted(protected.timing_suppressed),
    }
    prepared.spec = spec
    return protected


def final_joined(
    prepared: Prepared, joined: Protected, policy: RiskPolicy, where: str, earlier: Earlier
) -> None:
    """The joined gate, alone and with the earlier releases, on what actually leaves."""
    assert prepared.spec is not None
    tables = {
        name: {**table, KEY: np.asarray(prepared.trace[name][KEY])}
        for name, table in prepared.released.items()
    }
    ids = cohort_ids_of(prepared.trace, PATIENT_KEY)
    alone, union = final_reports(
        tables, prepared.spec, policy, name=where, cohort_ids=ids, earlier=earlier
    )
    prepared.findings += joined_gate(alone, policy, where=f"{where}:joined")
    prepared.risk["joined"] = alone.summary()
    prepared.risk["joined_loss"] = joined.loss.summary()
    if union is not None:
        names = [r.name for r in earlier.releases]
        prepared.findings += union_gate(union, policy, where=f"{where}:union", earlier=names)
        prepared.risk["union"] = {"releases": len(names) + 1, **union.summary()}
