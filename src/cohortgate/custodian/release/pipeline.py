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

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from cohortgate.custodian.cohort.engine import Engine
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
from cohortgate.custodian.release.extract import extract, selection_of, variables_of
from cohortgate.custodian.risk.gate import gate
from cohortgate.custodian.risk.policy import RiskPolicy
from cohortgate.custodian.risk.suite import risk_report
from cohortgate.custodian.trace.watermark import embed, plan_for
from cohortgate.custodian.vault.store import ReleaseKeys
from cohortgate.findings import Finding, has_errors
from cohortgate.models.application import Application
from cohortgate.models.dataset import Dataset, PrivacyClass, PrivacyLevel, Variable
from cohortgate.models.release import Treatment

Table = dict[str, npt.NDArray[Any]]
MAX_ROUNDS = 5  # generalisation rounds until no patient more is suppressed (usually 2)
ROW_KEY, PATIENT_KEY = "row_key", "patient_key"  # vault-only columns of the trace arrays
# Risk figures that go into the public manifest (aggregates only; see models.release).
RISK_FIELDS = (
    "rows", "quasi_identifiers", "sensitive", "classes", "k", "sample_uniqueness",
    "prosecutor", "journalist", "marketer", "population_uniqueness",
)  # fmt: skip


@dataclass
class Prepared:
    """Everything a release will write, still in memory."""

    level: PrivacyLevel
    enclave: bool
    files: dict[str, bytes] = field(default_factory=dict)  # plaintext files of the release
    variables: list[tuple[str, str, Treatment]] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    members: list[str] = field(default_factory=list)  # cohort ids: the vault only
    risk: dict[str, Any] = field(default_factory=dict)
    trace: dict[str, Table] = field(default_factory=dict)  # per table: original + keys
    plans: dict[str, dict[str, Any]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


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


def _plain(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """DuckDB's masked NULLs filled (NaT, NaN, None): the watermark and CSV need plain arrays."""
    if isinstance(values, np.ma.MaskedArray):
        data = values.data.copy()
        if data.dtype.kind == "M":
            data[values.mask] = np.datetime64("NaT")
        elif data.dtype.kind == "f":
            data[values.mask] = np.nan
        else:
            data = data.astype(object)
            data[values.mask] = None
        return np.asarray(data)
    return np.asarray(values)


def _hierarchy(name: str, values: npt.NDArray[Any]) -> H.Hierarchy:
    return hierarchy_for(name, values, dates=True)


def _classes_after(
    table: str, deid: Deidentified, classes: Mapping[str, Mapping[str, Variable]]
) -> dict[str, PrivacyClass]:
    """The privacy class of each released column (renamed columns keep their source's)."""
    found: dict[str, PrivacyClass] = {}
    for t in deid.treatments:
        if t.table == table and t.output is not None and t.name in classes.get(table, {}):
            found[t.output] = classes[table][t.name].privacy
    return found


def _csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = list(table)
    writer.writerow(names)
    columns = [table[n] for n in names]
    for i in range(len(columns[0]) if columns else 0):
        writer.writerow([_cell(column[i]) for column in columns])
    return out.getvalue().encode("utf-8")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, np.datetime64):
        return "" if np.isnat(value) else str(value.astype("datetime64[D]"))
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else f"{value:g}"
    return str(value)


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
) -> Prepared:
    """The release's content for ``app`` (raises the extraction and de-identification errors;
    the caller turns them into findings with ``deidentify.finding_for``)."""
    selection, unapplied = selection_of(app)
    if app.privacy_level is PrivacyLevel.L1:
        return _aggregate(app, datasets, cohort, selection, excluded_ids)
    requested = _requested_datasets(app, datasets)
    classes = variable_classes(requested)
    extracted = extract(cohort, selection, variables_of(app), excluded_ids, unapplied)
    tables = {
        name: {c: _plain(v) for c, v in cols.items()} for name, cols in extracted.tables.items()
    }
    requested_genetic = any(
        classes.get(v.table, {}).get(v.name) is not None
        and classes[v.table][v.name].privacy is PrivacyClass.GENETIC
        for d in app.datasets
        for v in d.variables
    )
    if app.privacy_level is PrivacyLevel.L3 or requested_genetic:
        return _enclave(app, tables, extracted.patients)
    deid_keys = DeidKeys(pseudonym=keys.pseudonym_key, date_shift=keys.date_shift_key)
    try:
        deid = deidentify(tables, classes, app.privacy_level, deid_keys)
    except NotPortable:
        return _enclave(app, tables, extracted.patients)
    return _row_level(app, tables, deid, classes, keys, policy, list(extracted.patients), where)


def _row_level(
    app: Application,
    raw: Mapping[str, Table],
    deid: Deidentified,
    classes: Mapping[str, Mapping[str, Variable]],
    keys: ReleaseKeys,
    policy: RiskPolicy,
    members: list[str],
    where: str,
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
    for name, work in generalised.items():
        keep = ~np.isin(np.asarray(work[PATIENT_KEY], dtype=object), list(removed))
        work = {c: np.asarray(v)[keep] for c, v in work.items()}
        kinds = _classes_after(name, deid, classes)
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
            prepared.findings += gate(report, policy, where=f"{where}:{name}")
            figures = report.to_dict()
            prepared.risk[name] = {k: figures[k] for k in RISK_FIELDS if k in figures}
        prepared.files[f"{name}.csv"] = _csv(marked.table)
        prepared.rows[name] = len(next(iter(marked.table.values()))) if marked.table else 0
        prepared.trace[name] = {**released, ROW_KEY: work[ROW_KEY], PATIENT_KEY: work[PATIENT_KEY]}
        prepared.plans[name] = plan.to_dict()
    prepared.members = sorted(set(prepared.members) - removed)
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


def _enclave(app: Application, tables: Mapping[str, Table], patients: Sequence[str]) -> Prepared:
    prepared = Prepared(app.privacy_level, enclave=True, members=sorted(patients))
    for name, table in tables.items():
        prepared.files[f"{name}.csv"] = _csv(dict(table))
        prepared.rows[name] = len(table["patient_id"])
    prepared.variables = [
        (v.table, v.name, Treatment.KEPT) for d in app.datasets for v in d.variables
    ]
    return prepared


def _aggregate(
    app: Application,
    datasets: Mapping[str, Dataset],
    cohort: Path,
    selection: Any,
    excluded_ids: Sequence[str],
) -> Prepared:
    from cohortgate.custodian.cohort.stats import Labels, dataset_stats
    from cohortgate.models.common import Text
    from cohortgate.policy import DEFAULT_DISCLOSURE, DISCLOSURE_PRESETS

    prepared = Prepared(PrivacyLevel.L1, enclave=False)
    wanted = set(selection.inclusion.orpha_codes)
    labels = Labels({}, lambda h: Text(zh=h, en=h))
    with Engine.open(cohort) as engine:
        for dataset in _requested_datasets(app, datasets):
            diseases = [d for d in dataset.diseases if not wanted or d.orpha in wanted]
            if not diseases:
                continue
            restricted = dataset.model_copy(update={"diseases": diseases})
            policy = DISCLOSURE_PRESETS[DEFAULT_DISCLOSURE]
            stats = dataset_stats(restricted, engine, policy, labels)
            text = stats.model_dump_json(indent=2) + "\n"
            prepared.files[f"{dataset.id}.stats.json"] = text.encode("utf-8")
            prepared.rows[dataset.id.replace("-", "_")] = len(stats.tables)
    members = extract(cohort, selection, {"patient": []}, excluded_ids).patients
    prepared.members = sorted(members)
    prepared.variables = [
        (v.table, v.name, Treatment.AGGREGATED) for d in app.datasets for v in d.variables
    ]
    prepared.risk = {
        "aggregate": {"policy": DEFAULT_DISCLOSURE, "tables": sum(prepared.rows.values())}
    }
    return prepared


def manifest_risk(prepared: Prepared) -> dict[str, Any]:
    """The risk figures as plain JSON (numpy scalars converted)."""
    return dict(json.loads(json.dumps(prepared.risk, default=_jsonable)))


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple | set):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON")
