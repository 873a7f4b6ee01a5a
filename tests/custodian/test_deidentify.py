"""L2 de-identification of a real extract, with the repository catalog's privacy classes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cohort_fixtures import read

from cohortgate.catalog.load import load_catalog
from cohortgate.custodian.deid.deidentify import (
    Deidentified,
    Keyed,
    NotPortable,
    NotRowLevel,
    ReleaseKeys,
    Unclassified,
    age_bands,
    deidentify,
    finding_for,
    pseudonym,
    shift_days,
    variable_classes,
)
from cohortgate.custodian.deid.hierarchies import REGIONS
from cohortgate.custodian.deid.policy import MAX_SHIFT_DAYS
from cohortgate.custodian.release.extract import CohortCriteria, CohortSelection, extract
from cohortgate.layout import Layout
from cohortgate.models.dataset import Variable

IDENTIFIERS = (
    "name",
    "id_number",
    "phone",
    "address",
    "medical_record_no",
    "insurance_no",
    "guardian_name",
)
VARIABLES = {
    "patient": [*IDENTIFIERS, "birth_date", "sex", "province", "institution_id"],
    "diagnosis": ["orpha_code", "diagnosis_date", "onset_age_months"],
    "visit": ["visit_id", "visit_date", "notes", "weight_kg"],
    "treatment": ["atc_code", "start_date", "end_date"],
}


def _keys() -> ReleaseKeys:
    return ReleaseKeys(secrets.token_bytes(32), secrets.token_bytes(32))


@pytest.fixture(scope="module")
def classes(repo_layout: Layout) -> dict[str, dict[str, Variable]]:
    catalog, findings = load_catalog(repo_layout, with_stats=False)
    assert findings == []
    return variable_classes(d.dataset for d in catalog.datasets)


@pytest.fixture(scope="module")
def extracted(cohort_path: Path) -> dict[str, dict[str, Any]]:
    return extract(cohort_path, CohortSelection(CohortCriteria()), VARIABLES).tables


def _all_strings(result: Deidentified) -> set[str]:
    found: set[str] = set()
    for table in result.tables.values():
        for values in table.values():
            if values.dtype.kind == "O":
                found.update(str(v) for v in values.tolist() if v is not None)
    return found


def test_no_direct_identifier_is_left(
    extracted: dict[str, dict[str, Any]], classes: Any, cohort_path: Path
) -> None:
    result = deidentify(extracted, classes, "L2", _keys())
    assert set(result.tables["patient"]) == {
        "patient_id",
        "birth_date",
        "sex",
        "region",
        "institution_id",
    }
    assert "notes" not in result.tables["visit"]
    strings = _all_strings(result)
    originals = read(cohort_path, "patient", "patient_id", *IDENTIFIERS)
    visit_ids = {v for (v,) in read(cohort_path, "visit", "visit_id")}
    notes = {v for (v,) in read(cohort_path, "visit", "notes") if v}
    leaked = {v for row in originals for v in row if v} & strings
    assert not leaked
    assert not visit_ids & strings
    assert not notes & strings
    # not even as a substring of a released value (e.g. a phone number inside a field)
    phones = {row[3] for row in originals[:200]}
    assert not any(p in s for p in phones for s in strings)
    treatments = {(t.table, t.name): t for t in result.treatments}
    assert treatments[("patient", "name")].output is None
    assert treatments[("visit", "notes")].treatment == "dropped: free text"
    assert treatments[("patient", "province")].output == "region"


def test_pseudonyms_are_128_bit_consistent_and_per_release(
    extracted: dict[str, dict[str, Any]], classes: Any
) -> None:
    keys = _keys()
    one = deidentify(extracted, classes, "L2", keys)
    again = deidentify(extracted, classes, "L2", keys)
    other = deidentify(extracted, classes, "L2", _keys())
    ids = one.tables["patient"]["patient_id"]
    assert all(len(p) == 32 and int(p, 16) >= 0 for p in ids.tolist())
    assert len(set(ids.tolist())) == len(ids)
    original = extracted["patient"]["patient_id"]
    mapping = dict(zip(original.tolist(), ids.tolist(), strict=True))
    for table in ("diagnosis", "visit", "treatment"):
        before = extracted[table]["patient_id"].tolist()
        after = one.tables[table]["patient_id"].tolist()
        assert after == [mapping[p] for p in before]
    assert mapping[original[0]] == pseudonym(keys.pseudonym, original[0])
    assert (one.tables["patient"]["patient_id"] == again.tables["patient"]["patient_id"]).all()
    assert not set(ids.tolist()) & set(other.tables["patient"]["patient_id"].tolist())
    visits = one.tables["visit"]["visit_id"]
    assert not set(visits.tolist()) & set(ids.tolist())


def test_intervals_within_a_patient_stay_exact(
    extracted: dict[str, dict[str, Any]], classes: Any
) -> None:
    keys = _keys()
    result = deidentify(extracted, classes, "L2", keys)
    birth = dict(
        zip(
            extracted["patient"]["patient_id"].tolist(),
            extracted["patient"]["birth_date"].astype("datetime64[D]"),
            strict=True,
        )
    )
    shifted_birth = dict(
        zip(
            result.tables["patient"]["patient_id"].tolist(),
            result.tables["patient"]["birth_date"],
            strict=True,
        )
    )
    before = extracted["treatment"]
    after = result.tables["treatment"]
    start0 = before["start_date"].astype("datetime64[D]")
    end0 = before["end_date"].astype("datetime64[D]")
    both = ~np.isnat(start0) & ~np.isnat(end0)
    assert both.sum() > 50
    assert (after["end_date"][both] - after["start_date"][both] == (end0 - start0)[both]).all()
    for pid, pseudo, s0, s1 in list(
        zip(before["patient_id"], after["patient_id"], start0, after["start_date"], strict=True)
    )[:300]:
        if np.isnat(s0):
            continue
        assert s1 - shifted_birth[pseudo] == s0 - birth[pid]  # age at treatment start exact
        offset = int((s1 - s0).astype(int))
        assert offset == shift_days(keys.date_shift, pid)
        assert 1 <= abs(offset) <= MAX_SHIFT_DAYS
    offsets = {shift_days(keys.date_shift, p) for p in before["patient_id"].tolist()}
    assert len(offsets) > 50  # patients get different offsets


def test_extra_days_are_added(extracted: dict[str, dict[str, Any]], classes: Any) -> None:
    keys = _keys()
    pid = str(extracted["diagnosis"]["patient_id"][0])
    plain = deidentify(extracted, classes, "L2", keys)
    marked = deidentify(extracted, classes, "L2", keys, extra_days={pid: 1})
    first = plain.tables["diagnosis"]["diagnosis_date"][0]
    assert marked.tables["diagnosis"]["diagnosis_date"][0] - first == np.timedelta64(1, "D")
    assert (
        marked.tables["diagnosis"]["diagnosis_date"][1:]
        == plain.tables["diagnosis"]["diagnosis_date"][1:]
    ).all()


@pytest.mark.parametrize(("mode", "width"), [("month", 7), ("year", 4)])
def test_dates_generalised(
    extracted: dict[str, dict[str, Any]], classes: Any, mode: str, width: int
) -> None:
    result = deidentify(extracted, classes, "L2", _keys(), dates=mode)
    original = extracted["diagnosis"]["diagnosis_date"].astype("datetime64[D]")
    released = result.tables["diagnosis"]["diagnosis_date"]
    expected = np.datetime_as_string(original, unit="D")
    assert [str(v) for v in released.tolist()] == [e[:width] for e in expected.tolist()]


def test_ages_banded_and_regions(extracted: dict[str, dict[str, Any]], classes: Any) -> None:
    result = deidentify(extracted, classes, "L2", _keys())
    diagnosis = result.tables["diagnosis"]
    assert "onset_age_months" not in diagnosis
    months = extracted["diagnosis"]["onset_age_months"].tolist()
    bands = diagnosis["onset_age_band"].tolist()
    for m, band in zip(months, bands, strict=True):
        years = m // 12
        low, high = {"<1": (0, 1), "1-4": (1, 5), "5-9": (5, 10), "10-14": (10, 15)}.get(
            band, (15, 200)
        )
        assert low <= years < high
    assert set(bands) >= {"<1", "1-4"}
    provinces = extracted["patient"]["province"].tolist()
    regions = result.tables["patient"]["region"].tolist()
    assert regions == [REGIONS[p] for p in provinces]
    assert len(set(regions)) < len(set(provinces))


def test_age_band_edges() -> None:
    assert age_bands(np.array([0, 0.99, 1, 4.9, 5, 17.5, 18, 30, np.nan])).tolist() == [
        "<1",
        "<1",
        "1-4",
        "1-4",
        "5-9",
        "15-17",
        "18+",
        "18+",
        None,
    ]


def test_levels_l1_and_l3_and_genetic_are_refused(
    cohort_path: Path, extracted: dict[str, dict[str, Any]], classes: Any
) -> None:
    with pytest.raises(NotRowLevel, match="disclosure-control"):
        deidentify(extracted, classes, "L1", _keys())
    with pytest.raises(NotPortable, match="enclave"):
        deidentify(extracted, classes, "L3", _keys())
    genetic = extract(
        cohort_path, CohortSelection(CohortCriteria()), {"variant": ["gene_symbol", "hgvs_c"]}
    ).tables
    with pytest.raises(NotPortable, match="gene_symbol"):
        deidentify(genetic, classes, "L2", _keys())
    enclave = deidentify(genetic, classes, "L2", _keys(), portable=False)
    assert set(enclave.tables["variant"]) == {"patient_id", "gene_symbol", "hgvs_c"}


def test_unclassified_column_is_refused(extracted: dict[str, dict[str, Any]], classes: Any) -> None:
    partial = {t: dict(c) for t, c in classes.items()}
    del partial["visit"]["weight_kg"]
    with pytest.raises(Unclassified, match="weight_kg"):
        deidentify(extracted, partial, "L2", _keys())


def test_keys_must_differ() -> None:
    key = secrets.token_bytes(32)
    with pytest.raises(ValueError, match="differ"):
        ReleaseKeys(key, key)


@pytest.mark.parametrize("size", [16, 32, 64, 100])
def test_keyed_hmac_equals_the_standard_library(size: int) -> None:
    key = secrets.token_bytes(size)
    for message in ("P00000001", "visit_id:V1", "患者", ""):
        expected = hmac.digest(key, message.encode("utf-8"), hashlib.sha256)
        assert Keyed(key).digest(message) == expected
    assert pseudonym(key, "P00000001") == expected_hex(key, "P00000001")


def expected_hex(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


def test_errors_become_findings(extracted: dict[str, dict[str, Any]], classes: Any) -> None:
    with pytest.raises(NotPortable) as caught:
        deidentify(extracted, classes, "L3", _keys())
    finding = finding_for(caught.value, "R-2026-0001-01")
    assert finding is not None and finding.code == "release.not-portable"
    assert "enclave" in finding.message and "enclave" in finding.hint
    assert finding_for(KeyError("other"), "R-2026-0001-01") is None
