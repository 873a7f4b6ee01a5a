"""The intake's phenopacket reader on the 6,634 real published cases, as they are, and on
hostile documents derived from them (issue 14: R2, R7).

The real files are unpacked and read once per session. Every one is accepted by the Phenopacket
schema v2; what the rules find in them is reported, never silently changed.
"""

from __future__ import annotations

import copy
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from cohortgate.custodian.intake.durations import DurationError, months
from cohortgate.custodian.intake.phenopacket import Case, read_phenopacket
from cohortgate.findings import Finding, Severity
from cohortgate.ontology.index import OntologyIndex, load_index

STORE = Path(__file__).resolve().parents[3] / "shared" / "data" / "phenopacket-store"
ARCHIVE = STORE / "phenopackets.tar.gz"
REAL = 6_634

Read = dict[str, tuple[Case | None, list[Finding]]]


@pytest.fixture(scope="session")
def index() -> OntologyIndex:
    return load_index()


@pytest.fixture(scope="session")
def real(tmp_path_factory: pytest.TempPathFactory, index: OntologyIndex) -> Read:
    if not ARCHIVE.is_file():
        pytest.fail(f"the real phenopackets are missing: {ARCHIVE.name} beside the repository")
    root = tmp_path_factory.mktemp("phenopackets")
    with tarfile.open(ARCHIVE) as archive:
        archive.extractall(root, filter="data")
    return {
        p.relative_to(root).as_posix(): read_phenopacket(
            p.read_bytes(), p.relative_to(root).as_posix(), index
        )
        for p in sorted(root.rglob("*.json"))
    }


@pytest.fixture(scope="session")
def sample(real: Read, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real document with features, an OMIM diagnosis, a variant and ages (to corrupt)."""
    root = next(tmp_path_factory.getbasetemp().glob("phenopackets*"))
    for name, (case, _findings) in real.items():
        if case and case.variants and case.age_months is not None and len(case.features) > 2:
            return dict(json.loads((root / name).read_text("utf-8")))
    raise AssertionError("no real document with features, variants and an age")


def test_every_real_case_is_read(real: Read) -> None:
    assert len(real) == REAL
    refused = {name: f for name, (case, f) in real.items() if case is None}
    assert refused == {}
    cases = [case for case, _ in real.values() if case is not None]
    assert len({(c.file, c.source_id) for c in cases}) == REAL
    assert sum(bool(c.features) for c in cases) > 0.99 * REAL
    assert sum(any(f.excluded for f in c.features) for c in cases) > 1000  # excluded kept
    assert all(d.split(":")[0] in ("OMIM", "ORPHA", "MONDO") for c in cases for d in c.diseases)
    assert {v.assembly for c in cases for v in c.variants if v.assembly} <= {"hg38", "GRCh38"}
    # nothing invented: cases without an age or a sex stay without one
    assert any(c.age_months is None for c in cases) and any(c.sex is None for c in cases)


def test_what_the_rules_find_is_located_and_only_warned(real: Read, index: OntologyIndex) -> None:
    findings = [f for _case, found in real.values() for f in found]
    assert findings, "the real files hold terms newer than the shipped HPO"
    assert all(f.severity is Severity.WARNING for f in findings)
    assert all(f.file.endswith(".json") and f.path.startswith("$.") for f in findings)
    for finding in findings:
        if finding.code == "intake.hpo-unknown":
            term = finding.message.split(" ", 1)[0]
            assert index.resolve_hpo(term) is None


def _read(document: Any, index: OntologyIndex) -> tuple[Case | None, list[Finding]]:
    return read_phenopacket(json.dumps(document).encode(), "hostile.json", index)


def test_a_broken_json_file_is_located(index: OntologyIndex) -> None:
    case, [finding] = read_phenopacket(b'{"id": "x",\n  "subject": }', "broken.json", index)
    assert case is None and finding.code == "intake.not-json"
    assert (finding.line, finding.column) == (2, 14)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda d: d.update(favouriteColour="blue"), "intake.not-a-phenopacket"),
        (lambda d: d["subject"].update(sex="BOY"), "intake.not-a-phenopacket"),
        (lambda d: d["metaData"].update(phenopacketSchemaVersion="1.0"), "intake.schema-version"),
        (lambda d: d.pop("id"), "intake.no-id"),
    ],
    ids=["unknown-field", "bad-enum", "schema-v1", "no-id"],
)
def test_a_document_the_schema_refuses_is_refused_whole(
    sample: dict[str, Any], index: OntologyIndex, change: Any, code: str
) -> None:
    document = copy.deepcopy(sample)
    change(document)
    case, findings = _read(document, index)
    assert case is None and [f.code for f in findings] == [code]
    assert findings[0].severity is Severity.ERROR and findings[0].hint


def test_values_the_rules_cannot_take_are_left_out_with_a_warning(
    sample: dict[str, Any], index: OntologyIndex
) -> None:
    document = copy.deepcopy(sample)
    old, current = index._one("SELECT id, term FROM alt_ids LIMIT 1")
    document["subject"]["timeAtLastEncounter"] = {"age": {"iso8601duration": "three years"}}
    document["phenotypicFeatures"][0]["type"]["id"] = "HP:9999999"
    document["phenotypicFeatures"][1]["type"]["id"] = old
    document["interpretations"][0]["diagnosis"]["disease"]["id"] = "ICD10:G40"
    case, findings = _read(document, index)
    assert case is not None
    found = {f.code: f for f in findings}
    assert set(found) == {
        "intake.bad-age",
        "intake.hpo-unknown",
        "intake.hpo-replaced",
        "intake.bad-disease-code",
    }
    assert found["intake.bad-age"].path == "$.subject.timeAtLastEncounter.age.iso8601duration"
    assert found["intake.hpo-unknown"].path == "$.phenotypicFeatures[0].type.id"
    assert case.age_months is None  # missing, never guessed
    assert "HP:9999999" not in {f.hpo for f in case.features}
    assert current in {f.hpo for f in case.features} and old not in {f.hpo for f in case.features}
    assert "ICD10:G40" not in case.diseases


@pytest.mark.parametrize(
    ("text", "expected"),
    [("P3Y6M", 42.0), ("P6M", 6.0), ("P1Y", 12.0), ("P1.5Y", 18.0), ("P0D", 0.0)],
)
def test_durations_in_months(text: str, expected: float) -> None:
    assert months(text) == pytest.approx(expected)


def test_weeks_and_days_are_mean_months() -> None:
    assert months("P2W") == pytest.approx(14 / (365.2425 / 12))
    assert months("P1Y2M10D") == pytest.approx(14 + 10 / (365.2425 / 12))


@pytest.mark.parametrize("text", ["P", "3Y", "PT5H", "P1.5Y2M", "P-1Y", "", "P1Y1Y"])
def test_what_is_not_an_age_is_refused(text: str) -> None:
    with pytest.raises(DurationError):
        months(text)
