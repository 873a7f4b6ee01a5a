"""What a release will write, still in memory: the product of ``pipeline.prepare``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy.typing as npt

from cohortgate.custodian.risk.joined import JoinSpec
from cohortgate.findings import Finding
from cohortgate.models.dataset import PrivacyLevel
from cohortgate.models.release import Treatment

Table = dict[str, npt.NDArray[Any]]
ROW_KEY, PATIENT_KEY = "row_key", "patient_key"  # vault-only columns of the trace arrays


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
    released: dict[str, Table] = field(default_factory=dict)  # the tables as they leave
    # the joined de-identification: seed, levels and the cohort ids it suppressed (vault only)
    suppression: dict[str, Any] = field(default_factory=dict)
    spec: JoinSpec | None = None  # what the recipient can join
