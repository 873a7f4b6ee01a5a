"""The public release manifest: what left the custodian, in git, without participant data.

``submissions/<year>/<id>/releases/<release-id>.yaml`` records one release (R17, R18, R25, R28,
R31): which variables left and how each was treated, how many rows per table, the SHA-256 of
every plaintext file and of the encrypted package, the recipient's age public key, the access
period, the re-identification figures and the vault log's head at release time (the anchor that
makes a later truncation of the custodian's log detectable).

Nothing in it can hold a list of participants: unknown keys are refused, every list and mapping
is bounded, names are short identifiers, and the free-form ``risk`` mapping (filled from
``cohortgate.custodian.risk.suite.RiskReport.to_dict()``) is bounded in depth, length and size.
"""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, JsonValue, StringConstraints, field_validator, model_validator

from cohortgate.models.application import DeliveryMethod
from cohortgate.models.common import IsoDate, Strict
from cohortgate.models.dataset import PrivacyLevel

RELEASE_ID = r"^R-20[0-9]{2}-[0-9]{4}-[0-9]{2}$"
APPLICATION_ID = r"^A-20[0-9]{2}-[0-9]{4}$"
ReleaseId = Annotated[str, StringConstraints(pattern=RELEASE_ID)]
ApplicationId = Annotated[str, StringConstraints(pattern=APPLICATION_ID)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
# An age X25519 recipient: "age1" and 58 Bech32 characters.
AgeRecipient = Annotated[str, StringConstraints(pattern=r"^age1[02-9ac-hj-np-z]{58}$")]
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
FileName = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$", max_length=128)
]

# Bounds that leave no room for participant-level data (a release has a few tables and at
# most a few hundred variables; a risk report a few dozen figures).
MAX_VARIABLES = 1000
MAX_TABLES = 100
MAX_FILES = 200
MAX_RISK_BYTES = 16 * 1024
MAX_RISK_LIST = 64
MAX_RISK_DEPTH = 5
MAX_RISK_STRING = 200


def application_of(release_id: str) -> str:
    """``R-2026-0001-01`` -> ``A-2026-0001``."""
    return "A" + release_id[1:-3]


def release_prefix(application_id: str) -> str:
    """``A-2026-0001`` -> ``R-2026-0001-``: what every release id of the application begins with."""
    return "R" + application_id[1:] + "-"


class Treatment(StrEnum):
    """What de-identification did to a variable (R5, R16)."""

    KEPT = "kept"  # released as it is (L1 tables, or a non-identifying field)
    PSEUDONYMISED = "pseudonymised"  # keyed per-release pseudonym (HMAC-SHA-256)
    DATE_SHIFTED = "date_shifted"  # keyed per-patient offset, intervals kept
    GENERALISED_MONTH = "generalised_month"  # date -> year and month
    GENERALISED_YEAR = "generalised_year"  # date -> year
    AGE_BANDED = "age_banded"  # age -> band (pediatric bands)
    REGION_GENERALISED = "region_generalised"  # region -> a coarser level
    GENERALISED = "generalised"  # another hierarchy of the generalisation step
    SUPPRESSED = "suppressed"  # some values or records suppressed to reach k / l
    AGGREGATED = "aggregated"  # only in disclosure-controlled tables (L1)
    DROPPED = "dropped"  # requested but not released (direct identifier, free text)


class ReleasedVariable(Strict):
    table: Identifier = Field(description="Cohort table")
    name: Identifier = Field(description="Column in that table")
    treatment: Treatment


class Package(Strict):
    """The encrypted file handed to the recipient."""

    name: FileName = Field(description="File name, e.g. R-2026-0001-01.tar.age")
    sha256: Sha256 = Field(description="SHA-256 of the encrypted bytes")
    bytes: int = Field(ge=1, description="Size of the encrypted file")


def _bounded(value: Any, depth: int = 0) -> str | None:
    """The first bound ``value`` breaks, or None."""
    if depth > MAX_RISK_DEPTH:
        return f"nested deeper than {MAX_RISK_DEPTH} levels"
    if isinstance(value, str) and len(value) > MAX_RISK_STRING:
        return f"a text longer than {MAX_RISK_STRING} characters"
    if isinstance(value, list):
        if len(value) > MAX_RISK_LIST:
            return f"a list of {len(value)} items (at most {MAX_RISK_LIST})"
        return next((p for p in (_bounded(v, depth + 1) for v in value) if p), None)
    if isinstance(value, dict):
        if len(value) > MAX_RISK_LIST:
            return f"a mapping of {len(value)} keys (at most {MAX_RISK_LIST})"
        items = [*value.keys(), *value.values()]
        return next((p for p in (_bounded(v, depth + 1) for v in items) if p), None)
    return None


class ReleaseManifest(Strict):
    """One release, as recorded in git (R17, R18, R25, R28, R31)."""

    release: ReleaseId = Field(description="R-<year>-<nnnn>-<mm>: the application and a sequence")
    application: ApplicationId
    privacy_level: PrivacyLevel
    delivery: DeliveryMethod
    variables: list[ReleasedVariable] = Field(min_length=1, max_length=MAX_VARIABLES)
    rows: dict[Identifier, Annotated[int, Field(ge=0)]] = Field(
        min_length=1, max_length=MAX_TABLES, description="Rows released per table"
    )
    files: dict[FileName, Sha256] = Field(
        min_length=1, max_length=MAX_FILES, description="SHA-256 of every plaintext file"
    )
    package: Package | None = Field(
        default=None, description="The encrypted package; absent exactly for enclave releases"
    )
    recipient: AgeRecipient | None = Field(
        default=None,
        description="The recipient's age public key (age1…); required unless enclave",
    )
    risk: dict[str, JsonValue] = Field(
        description="Aggregate re-identification figures (the risk module's RiskReport)"
    )
    access_start: IsoDate
    access_end: IsoDate
    created_on: IsoDate
    vault_log_head: Sha256 = Field(description="Hash of the vault log's last entry at release")
    enclave: bool = Field(
        description="True: the data stay in an enclave workspace (L3, genetic data; R18)"
    )
    approved_at: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{40}$",
        description="The commit at which the approval was verified from git (R13-R16)",
    )
    reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="A re-release: why the recipient needs a new copy (R19, R20)",
    )

    @field_validator("access_start", "access_end", "created_on")
    @classmethod
    def _calendar_date(cls, value: str) -> str:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a calendar date (YYYY-MM-DD)") from None
        return value

    @field_validator("risk", mode="before")
    @classmethod
    def _plain_json(cls, value: Any) -> Any:
        """Tuples (``RiskReport.to_dict()``) become lists; NaN and other objects are refused."""
        try:
            return json.loads(json.dumps(value, allow_nan=False))
        except (TypeError, ValueError) as error:
            raise ValueError(f"risk must be plain JSON figures ({error})") from None

    @field_validator("risk")
    @classmethod
    def _small_risk(cls, value: dict[str, JsonValue]) -> dict[str, JsonValue]:
        problem = _bounded(value)
        if problem:
            raise ValueError(f"risk holds {problem}: only aggregate figures belong here")
        size = len(json.dumps(value, allow_nan=False, separators=(",", ":")))
        if size > MAX_RISK_BYTES:
            raise ValueError(f"risk takes {size} bytes (at most {MAX_RISK_BYTES})")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ReleaseManifest:
        if application_of(self.release) != self.application:
            raise ValueError(
                f"release {self.release} does not belong to application {self.application} "
                f"(expected {application_of(self.release)})"
            )
        if self.access_end <= self.access_start:
            raise ValueError(
                f"access_end {self.access_end} must come after access_start {self.access_start}"
            )
        if self.privacy_level is PrivacyLevel.L3 and not self.enclave:
            raise ValueError("an L3 release never leaves as a file (R18): set enclave: true")
        if self.enclave and self.package is not None:
            raise ValueError("an enclave release has no package: remove 'package'")
        if not self.enclave and self.package is None:
            raise ValueError("a release that leaves as a file needs 'package' (or enclave: true)")
        if not self.enclave and self.recipient is None:
            raise ValueError("a packaged release needs the recipient's age key in 'recipient'")
        if self.package is not None and self.package.name in self.files:
            raise ValueError(f"'{self.package.name}' is the package, not a plaintext file")
        return self
