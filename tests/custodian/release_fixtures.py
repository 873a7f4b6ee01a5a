"""An L2 release of the session's synthetic cohort as the release pipeline holds it before its
gate (extracted, de-identified: keyed pseudonyms, keyed date shift, regions), the joined view's
specification for it, and the custodian's map of its pseudonyms to cohort ids."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cohortgate.catalog.load import load_catalog
from cohortgate.custodian.deid.deidentify import Keyed, ReleaseKeys, deidentify, variable_classes
from cohortgate.custodian.release.extract import CohortCriteria, CohortSelection, extract
from cohortgate.custodian.risk.joined import EventTable, JoinSpec
from cohortgate.layout import Layout

# the selection of test_release_command's L2 application; Duchenne patients have lab results
DISEASES = ("ORPHA:739", "ORPHA:15", "ORPHA:98896", "ORPHA:70")
VARIABLES = {
    "patient": ["birth_date", "sex", "province"],
    "diagnosis": ["orpha_code"],
    "visit": ["visit_id", "visit_date", "weight_kg"],
    "lab_result": ["visit_id", "sample_date", "value"],
}
# what a recipient can join: the person tables' quasi-identifiers (the diagnosis is known to
# anyone who knows the child), visits and lab results dated, times relative to the birth date
SPEC = JoinSpec.of(
    {"patient": ["birth_date", "sex", "region"], "diagnosis": ["orpha_code"]},
    [EventTable("visit", "visit_date"), EventTable("lab_result", "sample_date", "lab")],
    birth=("patient", "birth_date"),
)
PARENTS = {"lab_result": ("visit", "visit_id")}


@dataclass(frozen=True)
class Release:
    tables: dict[str, dict[str, Any]]  # what the recipient receives
    raw: dict[str, dict[str, Any]]  # the extract: true dates, cohort ids (custodian only)
    cohort_ids: dict[str, str]  # pseudonym -> cohort id (the vault)


def keys(label: str) -> ReleaseKeys:
    """Fixed keys per release label (tests are deterministic; every release has its own)."""
    return ReleaseKeys(
        hashlib.sha256(f"pseudonym:{label}".encode()).digest(),
        hashlib.sha256(f"date-shift:{label}".encode()).digest(),
    )


def classes(layout: Layout) -> Any:
    catalog, findings = load_catalog(layout, with_stats=False)
    assert findings == []
    return variable_classes(d.dataset for d in catalog.datasets)


def l2_release(
    cohort: Path, known: Any, label: str, diseases: tuple[str, ...] = DISEASES
) -> Release:
    selection = CohortSelection(CohortCriteria(orpha_codes=diseases))
    raw = extract(cohort, selection, VARIABLES).tables
    release_keys = keys(label)
    done = deidentify(raw, known, "L2", release_keys)
    ids = sorted({str(p) for p in raw["patient"]["patient_id"].tolist()})
    pseudonyms = Keyed(release_keys.pseudonym).pseudonyms(ids)
    return Release(done.tables, raw, dict(zip(pseudonyms, ids, strict=True)))
