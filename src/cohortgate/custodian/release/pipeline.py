"""From an approved application to the content of a release, in memory (R5, R16, R18, R25,
R28, R31).

- L1: aggregate tables only. Each requested dataset, restricted to the selection's diseases, is
  counted and put through the disclosure-control engine of the published statistics
  (``custodian.cohort.stats.dataset_stats``): the same suppression and rounding, then the same
  audit.
- L2, portable: extract the approved variables of the selected patients (R16, withdrawn and
  opted-out excluded, R32) → de-identify (keyed pseudonyms, keyed date shift, bands, regions,
  no identifiers, no free text) → generalise each table's quasi-identifiers to k-anonymity
  and l-diversity with bounded suppression → the re-identification gate (R28) → the
  per-recipient watermark (R25) → the gate again on what leaves → CSV files.
- L3 and genetic data: never a portable file (R18, R29): the extract goes into an enclave
  workspace on the custodian's side.

Nothing is written here: ``run`` writes the vault, the package and the manifest once this has
succeeded, so that a refusal leaves no trace but its findings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from cohortgate.custodian.deid import hierarchies as H
from cohortgate.custodian.deid.deidentify import (
    Deidentified,
    NotPortable,
    deidentify,
    variable_classes,
)
from cohortgate.custodian.deid.deidentify import ReleaseKeys as DeidKeys
from cohortgate.custodian.deid.generalise import generalise
from cohortgate.custodian.deid.timing import hierarchy_for
from cohortgate.custodian.release.aggregate import aggregate
from cohortgate.custodian.release.extract import extract, selection_of, variables_of
from cohortgate.custodian.release.joined_release import (
    Earlier,
    final_joined,
    protect_release,
)
from cohortgate.custodian.release.prepared import PATIENT_KEY, ROW_KEY, Prepared, Table
from cohortgate.custodian.release.table_csv import plain, to_csv
from cohortgate.custodian.risk.gate import gate
from cohortgate.custodian.risk.policy import RiskPolicy
from cohortgate.custodian.risk.suite import risk_report
from cohortgate.custodian.trace.watermark import embed, plan_for
from cohortgate.custodian.vault.store import ReleaseKeys
from cohortgate.findings import has_errors
from cohortgate.models.application import Application
from cohortgate.models.dataset import Dataset, PrivacyClass, PrivacyLevel, Variable
from cohortgate.models.release import Treatment

MAX_ROUNDS = 5  # generalisation rounds until no patient more is suppressed (usually 2)
# Risk figures that go into the public manifest (aggregates only; see models.release).
RISK_FIELDS = (
    "rows", "quasi_identifiers", "sensitive", "classes", "k", "sample_uniqueness",
    "prosecutor", "journalist", "marketer", "population_uniqueness",
)  # fmt: skip


def _treatment(text: str) -> Treatment:
    """The manifest's word for what de-identification did to a column."""
    for prefix, treatment in (
        ("keyed pseudonym", Treatment.PSEUDONYMISED),
        ("dropped", Treatment.DROPPED),
        ("shifted", Treatment.DATE_SHIFTED),
        ("generalised to month", Treatment.GENERALISED_MONTH),
        ("generalised to year", Treatment.GENERALISED_YEAR),
        ("pediatric age band", Treatment.AGE_BANDED),
        ("generalised to geographic region", Treatment.REGION_GENERALISED),
    ):
        if text.startswith(prefix):
            return treatment
    return Treatment.KEPT


def _hierarchy(name: str, values: npt.NDArray[Any]) -> H.Hierarchy:
    return hierarchy_for(name, values, dates=True)


def _classes_after(
    table: str, deid: Deidentified, classes: Mapping[str, Mapping[str, Variable]]
) -> dict[str, PrivacyClass]:
    """The privacy class of each released column (renamed columns keep their source's)."""
    return {c: v.privacy for c, v in _variables_after(table, deid, classes).items()}


def _variables_after(
    table: str, deid: Deidentified, classes: Mapping[str, Mapping[str, Variable]]
) -> dict[str, Variable]:
    """The catalog variable of each released column (renamed columns keep their source's)."""
    found: dict[str, Variable] = {}
    for t in deid.treatments:
        if t.table == table and t.output is not None and t.name in classes.get(table, {}):
            found[t.output] = classes[table][t.name]
    return found


def _requested_datasets(app: Application, datasets: Mapping[str, Dataset]) -> list[Dataset]:
    return [datasets[d.dataset] for d in app.datasets if d.dataset in datasets]


def prepare(
    app: Application,
    datasets: Mapping[str, Dataset],
    cohort: Path,
    keys: ReleaseKeys,
    policy: RiskPolicy,
    excluded_ids: Sequence[str] = (),
    where: str = "release",
    earlier: Earlier | None = None,
) -> Prepared:
    """The release's content for ``app``, ``earlier`` what its recipient already holds
    (raises the extraction and de-identification errors; the caller turns them into findings
    with ``deidentify.finding_for``)."""
    earlier = earlier or Earlier()
    requested = _requested_datasets(app, datasets)
    selection, unapplied = selection_of(app, requested)
    if app.privacy_level is PrivacyLevel.L1:
        return aggregate(app, requested, cohort, selection, excluded_ids)
    classes = variable_classes(requested)
    extracted = extract(cohort, selection, variables_of(app), excluded_ids, unapplied)
    tables = {
        name: {c: plain(v) for c, v in cols.items()} for name, cols in extracted.tables.items()
    }
    requested_genetic = any(
        classes.get(v.table, {}).get(v.name) is not None
        and classes[v.table][v.name].privacy is PrivacyClass.GENETIC
        for d in app.datasets
        for v in d.variables
    )
    # L3 and genetic data stay in the custodian's enclave (R18, R29), de-identified and gated
    # like a portable release all the same (R31): the researcher there sees pseudonyms.
    enclave = app.privacy_level is PrivacyLevel.L3 or requested_genetic
    deid_keys = DeidKeys(pseudonym=keys.pseudonym_key, date_shift=keys.date_shift_key)
    try:
        deid = deidentify(tables, classes, app.privacy_level, deid_keys, portable=not enclave)
    except NotPortable:
        enclave = True
        deid = deidentify(tables, classes, app.privacy_level, deid_keys, portable=False)
    prepared = _row_level(
        app, tables, deid, classes, keys, policy, list(extracted.patients), where, earlier
    )
    prepared.enclave = enclave
    return prepared


def _row_level(
    app: Application,
    raw: Mapping[str, Table],
    deid: Deidentified,
    classes: Mapping[str, Mapping[str, Variable]],
    keys: ReleaseKeys,
    policy: RiskPolicy,
    members: list[str],
    where: str,
    earlier: Earlier,
) -> Prepared:
    prepared = Prepared(app.privacy_level, enclave=False, members=members)
    treated = {(t.table, t.name): _treatment(t.treatment) for t in deid.treatments}
    # A patient whose records one table suppresses leaves every table; that can break another
    # table's classes, so generalise again without them until nobody more is suppressed.
    removed: set[str] = set()
    generalised: dict[str, Table] = {}
    for _round in range(MAX_ROUNDS):
        generalised, more = _generalise_all(deid, raw, classes, policy, removed, treated)
        if more <= removed:
            break
        removed |= more
    works: dict[str, Table] = {}
    for name, work in generalised.items():
        keep = ~np.isin(np.asarray(work[PATIENT_KEY], dtype=object), list(removed))
        works[name] = {c: np.asarray(v)[keep] for c, v in work.items()}
    kinds_of = {name: _classes_after(name, deid, classes) for name in works}
    known = {name: _variables_after(name, deid, classes) for name in works}
    joined = protect_release(works, known, keys.watermark_key, policy, where, earlier, prepared)
    if joined is not None:
        works = joined.tables
        removed |= set(joined.dropped)
    # An event table's rows are visits, not children: its quasi-identifiers are judged per
    # child, in the joined view (number, first, sequence and intervals of the visits).
    events = {e.table for e in prepared.spec.events} if prepared.spec is not None else set()
    for name, work in works.items():
        kinds = kinds_of[name]
        released = {c: v for c, v in work.items() if c not in (ROW_KEY, PATIENT_KEY)}
        qis = [c for c in released if kinds.get(c) is PrivacyClass.QUASI_IDENTIFIER]
        sensitive = [c for c in released if kinds.get(c) is PrivacyClass.SENSITIVE]
        plan = plan_for(released, qis)
        marked = embed(
            released,
            key=keys.watermark_key,
            row_keys=np.asarray(work[ROW_KEY], dtype=object).tolist(),
            patient_keys=np.asarray(work[PATIENT_KEY], dtype=object).tolist(),
            plan=plan,
            quasi_identifiers=qis,
        )
        if qis and len(released[qis[0]]):
            report = risk_report(marked.table, qis, sensitive, policy=policy, impact=True)
            figures = report.to_dict()
            prepared.risk[name] = {k: figures[k] for k in RISK_FIELDS if k in figures}
            if name in events:  # per visit, not per child: the joined gate judges the child
                prepared.risk[name]["judged_by"] = "joined"
            else:
                prepared.findings += gate(report, policy, where=f"{where}:{name}")
        prepared.files[f"{name}.csv"] = to_csv(marked.table)
        prepared.released[name] = marked.table
        prepared.rows[name] = len(next(iter(marked.table.values()))) if marked.table else 0
        prepared.trace[name] = {**released, ROW_KEY: work[ROW_KEY], PATIENT_KEY: work[PATIENT_KEY]}
        prepared.plans[name] = plan.to_dict()
    if joined is not None:
        final_joined(prepared, joined, policy, where, earlier)
    # R33: a child is "used" by exactly the releases whose rows hold them
    prepared.members = sorted(
        {str(c) for t in prepared.trace.values() for c in np.asarray(t[PATIENT_KEY]).tolist()}
    )
    prepared.variables = [(t, n, treatment) for (t, n), treatment in sorted(treated.items())]
    if has_errors(prepared.findings):
        prepared.files.clear()
    return prepared


def _generalise_all(
    deid: Deidentified,
    raw: Mapping[str, Table],
    classes: Mapping[str, Mapping[str, Variable]],
    policy: RiskPolicy,
    removed: set[str],
    treated: dict[tuple[str, str], Treatment],
) -> tuple[dict[str, Table], set[str]]:
    """Every table generalised for k and l, without the ``removed`` patients; and the
    patients whose records this round suppressed."""
    generalised: dict[str, Table] = {}
    suppressed: set[str] = set()
    for name, table in deid.tables.items():
        ids = np.asarray(raw[name]["patient_id"], dtype=object)
        keep = ~np.isin(ids, list(removed))
        work: Table = {c: np.asarray(v)[keep] for c, v in table.items()}
        work[PATIENT_KEY] = ids[keep]
        work[ROW_KEY] = _row_keys(name, ids)[keep]
        kinds = _classes_after(name, deid, classes)
        qis = [c for c in table if kinds.get(c) is PrivacyClass.QUASI_IDENTIFIER]
        sensitive = [c for c in table if kinds.get(c) is PrivacyClass.SENSITIVE]
        if qis and len(work[PATIENT_KEY]):
            result = generalise(
                work,
                {q: _hierarchy(q, work[q]) for q in qis},
                policy.k_min,
                sensitive=sensitive,
                l=policy.l_min if sensitive else 1,
            )
            suppressed |= set(np.asarray(work[PATIENT_KEY])[~result.kept].tolist())
            work = result.table
            for q, level in result.transformation.items():
                if level > 0:
                    source = next(
                        (t.name for t in deid.treatments if t.output == q and t.table == name), q
                    )
                    treated[(name, source)] = Treatment.GENERALISED
        generalised[name] = work
    return generalised, suppressed


def _row_keys(table: str, ids: npt.NDArray[Any]) -> npt.NDArray[np.object_]:
    """A stable key per extracted row: the cohort id, the table and the row's rank for that
    patient (the extract is sorted). Vault only; never released."""
    keys = np.empty(len(ids), dtype=object)
    seen: dict[str, int] = {}
    for i, pid in enumerate(np.asarray(ids, dtype=object).tolist()):
        rank = seen.get(pid, 0)
        seen[pid] = rank + 1
        keys[i] = f"{pid}/{table}/{rank}"
    return keys


def manifest_risk(prepared: Prepared) -> dict[str, Any]:
    """The risk figures as plain JSON (numpy scalars converted)."""
    return dict(json.loads(json.dumps(prepared.risk, default=_jsonable)))


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple | set):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON")
