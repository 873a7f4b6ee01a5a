"""De-identifying a release for a recipient who already holds others (R28).

The earlier releases are out: only the new one can change. ``deidentify_next`` starts from what
they did, so that the releases agree: the persons they suppressed (cohort ids, from the vault)
are suppressed again, the same way (``longitudinal.carried``); every dimension starts at least
at the earlier release's level (``start``); the rows that count bands drop are drawn per cohort
id (the same rows as before); and the persons the earlier releases hold are never newly
suppressed (``frozen``: a person present there and absent here would stand out). It then
de-identifies the new release until its own joined gate passes
(``longitudinal.deidentify_longitudinal``), puts it beside the earlier ones in the union check
(``risk.union``), and, while the union fails, suppresses in the new release the persons the
union puts at risk (their event dates first, then the persons) and starts again. When the
persons at risk cannot be suppressed (absent from the new release, or frozen), the new release
is made coarser instead (``COARSER``: every dimension one level up, then all at the top, where
it adds nothing to link on); a person still at risk after that is an error, with the count.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cohortgate.custodian.deid.longitudinal import (
    Longitudinal,
    LongitudinalError,
    carried,
    deidentify_longitudinal,
)
from cohortgate.custodian.risk.joined import JoinSpec, joined_view
from cohortgate.custodian.risk.joined_gate import JoinedReport
from cohortgate.custodian.risk.policy import DEFAULT_RISK_POLICY, RiskPolicy
from cohortgate.custodian.risk.union import Linked, union_assessment

ROUNDS = 5  # de-identifications of the new release at most, besides the coarsening steps
TOP = 1 << 10  # above every ladder's height: ``deidentify_longitudinal`` clamps to the top
# When the union fails for persons the new release cannot suppress: every dimension one level
# coarser than the last attempt, then every dimension at the top of its ladder (the new release
# then adds nothing to link on, and the union is as safe as the earlier releases).
COARSER = (
    lambda levels: {d: level + 1 for d, level in levels.items()},
    lambda levels: dict.fromkeys(levels, TOP),
)


@dataclass(frozen=True)
class NextRelease:
    release: Longitudinal  # the new release, de-identified
    union: JoinedReport  # the joined gate on all the recipient's releases together
    linked: Linked  # the new release as the next one's ``earlier`` entry
    dropped: frozenset[str]  # cohort ids: for the vault, and the next release
    timing_suppressed: frozenset[str]  # cohort ids


def deidentify_next(
    tables: Mapping[str, Mapping[str, Any]],
    spec: JoinSpec,
    policy: RiskPolicy = DEFAULT_RISK_POLICY,
    *,
    name: str,
    cohort_ids: Mapping[str, str],
    earlier: Sequence[Linked],
    earlier_dropped: Collection[str] = (),
    earlier_timing: Collection[str] = (),
    start: Mapping[str, int] | None = None,
    **options: Any,
) -> NextRelease:
    """The new release ``name`` (pseudonym -> cohort id: ``cohort_ids``) de-identified so that
    it passes the joined gate alone and with ``earlier`` (module doc). ``earlier_dropped`` and
    ``earlier_timing`` are cohort ids; ``options`` go to ``deidentify_longitudinal``."""
    drop = set(carried(earlier_dropped, cohort_ids))
    timing = set(carried(earlier_timing, cohort_ids)) - drop
    pseudonym_of = {c: p for p, c in cohort_ids.items()}
    shared = {r.cohort_ids[p] for r in earlier for p in r.view.persons.tolist()}
    frozen = set(carried(shared, cohort_ids)) - drop - timing
    coarser = 0
    for _ in range(ROUNDS + len(COARSER)):
        result = deidentify_longitudinal(
            tables,
            spec,
            policy,
            start=start,
            drop=drop,
            suppress_timing=timing,
            cohort_ids=cohort_ids,
            frozen=frozen,
            **options,
        )
        view = joined_view({t: result.tables[t] for t in spec.tables()}, spec)
        linked = Linked(name, view, cohort_ids)
        union = union_assessment([*earlier, linked], policy)
        if union.report.passes:
            return NextRelease(
                release=result,
                union=union.report,
                linked=linked,
                dropped=frozenset(cohort_ids[p] for p in result.dropped),
                timing_suppressed=frozenset(cohort_ids[p] for p in result.timing_suppressed),
            )
        at_risk = np.asarray(union.persons, dtype=object)
        outside = [c for c in at_risk[union.at_risk].tolist() if c not in pseudonym_of]
        hide = {
            pseudonym_of[c] for c in at_risk[union.at_risk_timing].tolist() if c in pseudonym_of
        }
        leave = {
            pseudonym_of[c] for c in at_risk[union.at_risk_other].tolist() if c in pseudonym_of
        }
        more_drop = (leave | (hide & (timing | set(result.timing_suppressed)))) - drop - frozen
        more_timing = hide - timing - drop - more_drop - frozen
        if not more_drop and not more_timing:
            # the persons at risk are held by the earlier releases as they are: only a coarser
            # new release protects them, one level more on every dimension, then the top
            if coarser < len(COARSER):
                start = COARSER[coarser](result.levels)
                coarser += 1
                continue
            held = len(outside) + len((hide | leave) & frozen)
            raise LongitudinalError(
                f"{held} person(s) at risk in the union are held by the earlier releases as they "
                f"are: release {name} cannot protect them (coarsen its levels or selection)"
            )
        drop |= more_drop
        timing = (timing | more_timing) - drop
    raise LongitudinalError(
        f"release {name} does not pass the union check in {ROUNDS + len(COARSER)} rounds"
    )
