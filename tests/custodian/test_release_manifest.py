"""The public release manifest: every field checked, and no room for participant-level data."""

from __future__ import annotations

from typing import Any

import numpy as np
import pydantic
import pytest

from cohortgate.custodian.risk.suite import risk_report
from cohortgate.files.loading import load_yaml_text
from cohortgate.files.modelcheck import check_model
from cohortgate.models.release import ReleaseManifest

RECIPIENT = "age1v6aunj5dvaatphdlcpzjzk9qhc3wct6rx0whd97qrq6rlv5je90s8c0yrd"
DIGEST = "ab" * 32

EXAMPLE = f"""\
release: R-2026-0001-01
application: A-2026-0001
privacy_level: L2
delivery: encrypted_email
variables:
  - {{table: patients, name: patient_id, treatment: pseudonymised}}
  - {{table: patients, name: birth_date, treatment: age_banded}}
  - {{table: patients, name: sex, treatment: kept}}
  - {{table: patients, name: region, treatment: region_generalised}}
  - {{table: diagnoses, name: diagnosed_on, treatment: date_shifted}}
  - {{table: patients, name: name, treatment: dropped}}
rows: {{patients: 212, diagnoses: 340}}
files:
  patients.csv: "{"1" * 64}"
  diagnoses.csv: "{"2" * 64}"
package: {{name: R-2026-0001-01.tar.age, sha256: "{"3" * 64}", bytes: 18322}}
recipient: {RECIPIENT}
risk: {{k: 5, average_prosecutor: 0.031, classes: 41, rows: 212, quasi_identifiers: [sex, age]}}
access_start: "2026-12-01"
access_end: "2027-11-30"
created_on: "2026-11-29"
vault_log_head: "{"4" * 64}"
enclave: false
"""


def _example() -> dict[str, Any]:
    data = load_yaml_text(EXAMPLE, "releases/R-2026-0001-01.yaml").data
    assert isinstance(data, dict)
    return data


def _errors(data: dict[str, Any]) -> str:
    with pytest.raises(pydantic.ValidationError) as caught:
        ReleaseManifest.model_validate(data)
    return str(caught.value)


def test_the_example_is_a_valid_manifest() -> None:
    manifest, findings = check_model(
        load_yaml_text(EXAMPLE, "releases/R-2026-0001-01.yaml"), ReleaseManifest
    )
    assert findings == []
    assert manifest is not None
    assert manifest.rows == {"patients": 212, "diagnoses": 340}
    assert manifest.package is not None and manifest.package.bytes == 18322
    again = ReleaseManifest.model_validate(manifest.model_dump(mode="json"))
    assert again == manifest


def test_an_enclave_release_has_no_package_and_no_recipient() -> None:
    data = _example()
    data.update(privacy_level="L3", delivery="local_database", enclave=True)
    del data["package"], data["recipient"]
    assert ReleaseManifest.model_validate(data).enclave
    data["package"] = _example()["package"]
    assert "an enclave release has no package" in _errors(data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"release": "R-2026-0002-01"}, "does not belong to application A-2026-0001"),
        ({"release": "R-2026-0001-1"}, "String should match pattern"),
        ({"application": "A-26-0001"}, "String should match pattern"),
        ({"access_end": "2026-12-01"}, "access_end 2026-12-01 must come after access_start"),
        ({"access_end": "2026-02-30"}, "'2026-02-30' is not a calendar date"),
        ({"created_on": "29.11.2026"}, "String should match pattern"),
        ({"privacy_level": "L3"}, "an L3 release never leaves as a file (R18)"),
        ({"package": None}, "needs 'package' (or enclave: true)"),
        ({"recipient": None}, "needs the recipient's age key"),
        ({"recipient": "ssh-ed25519 AAAA"}, "String should match pattern"),
        ({"vault_log_head": "xyz"}, "String should match pattern"),
        ({"delivery": "postcard"}, "Input should be"),
        ({"variables": []}, "at least 1 item"),
        ({"rows": {"patients": -1}}, "greater than or equal to 0"),
        ({"files": {"../etc/passwd": DIGEST}}, "String should match pattern"),
        ({"files": {"R-2026-0001-01.tar.age": DIGEST}}, "is the package, not a plaintext file"),
    ],
)
def test_bad_manifests_say_what_is_wrong(change: dict[str, Any], message: str) -> None:
    data = _example()
    data.update(change)
    assert message in _errors(data)


def test_a_variable_treatment_is_from_the_list() -> None:
    data = _example()
    data["variables"][0]["treatment"] = "hashed"
    assert "Input should be 'kept'" in _errors(data)


# --- no room for participant-level data ----------------------------------------------------

PATIENTS = [f"P{i:06d}" for i in range(1, 201)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"members": PATIENTS}, "Extra inputs are not permitted"),
        ({"patients": {"count": 3}}, "Extra inputs are not permitted"),
        ({"risk": {"uniques": PATIENTS}}, "a list of 200 items (at most 64)"),
        ({"risk": {p: 1 for p in PATIENTS}}, "a mapping of 200 keys (at most 64)"),
        ({"risk": {"ids": " ".join(PATIENTS)}}, "a text longer than 200 characters"),
        ({"risk": {"a": [[[[[[PATIENTS[:2]]]]]]]}}, "nested deeper than 5 levels"),
        ({"rows": {f"t{i}": 1 for i in range(101)}}, "at most 100 items"),
        ({"files": {f"{p}.csv": DIGEST for p in PATIENTS}}, "at most 200 items"),
    ],
)
def test_no_field_can_hold_a_list_of_participants(change: dict[str, Any], message: str) -> None:
    data = _example()
    data.update(change)
    if "files" in change:
        data["files"] = {**change["files"], "x.csv": DIGEST}
    assert message in _errors(data)


def test_extra_keys_are_refused_inside_nested_records() -> None:
    data = _example()
    data["variables"][0]["patients"] = PATIENTS[:3]
    data["package"]["members"] = PATIENTS[:3]
    errors = _errors(data)
    assert errors.count("Extra inputs are not permitted") == 2


def test_many_small_lists_cannot_add_up_to_a_participant_list() -> None:
    data = _example()
    ids = [f"P{i:06d}" for i in range(3000)]
    data["risk"] = {f"chunk{i}": ids[i : i + 60] for i in range(0, 3000, 60)}
    assert "bytes (at most 16384)" in _errors(data)


def test_a_real_risk_report_fits() -> None:
    rng = np.random.default_rng(7)
    table = {
        "sex": rng.choice(np.array(["F", "M"]), 500),
        "age_band": rng.choice(np.array(["0-4", "5-9", "10-14", "15-19"]), 500),
        "region": rng.choice(np.array(["north", "south", "east"]), 500),
        "orpha": rng.choice(np.array(["ORPHA:558", "ORPHA:586", "ORPHA:98896"]), 500),
    }
    report = risk_report(table, ["sex", "age_band", "region"], ["orpha"])
    data = _example()
    data["risk"] = report.to_dict()
    manifest = ReleaseManifest.model_validate(data)
    assert manifest.risk["k"] == report.k


def test_risk_must_be_plain_json() -> None:
    data = _example()
    data["risk"] = {"t": float("nan")}
    assert "risk must be plain JSON figures" in _errors(data)
    data["risk"] = {"k": np.int64(5)}
    assert "risk must be plain JSON figures" in _errors(data)


def test_the_json_schema_can_be_generated() -> None:
    schema = ReleaseManifest.model_json_schema()
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) >= {"release", "application", "vault_log_head", "enclave"}
