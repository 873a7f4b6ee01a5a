"""The signed agreements of an application: ``submissions/<year>/<id>/agreements.yaml`` (R17).

An approved applicant signs a data use agreement and a confidentiality agreement before any data
leave the data centre. The custodian generates both texts (``agreements/*.md`` and ``.pdf`` in the
application's folder), the parties sign a printed or digitally signed copy, and the custodian
files that copy in the folder and records here, for each kind, which generated text was signed
(its SHA-256: the version) and the SHA-256 of the signed copy. The release refuses when a kind is
missing, a signed copy changed, or the text generated now differs from the one signed.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from cohortgate.models.common import IsoDate, NonEmpty, Strict
from cohortgate.models.review import ApplicationRef, RelPath, Sha256


class AgreementKind(StrEnum):
    """The two agreements of R17."""

    DATA_USE = "data_use"  # 数据使用协议: rights and duties, period, destruction, citation
    CONFIDENTIALITY = "confidentiality"  # 保密协议: every team member's duty of confidence


class AgreementRecord(Strict):
    """One signed agreement."""

    kind: AgreementKind
    version: Sha256 = Field(
        description="SHA-256 of the generated Markdown text that was signed (agreements/*.md)"
    )
    signed_copy: RelPath = Field(
        description="The signed copy: a file in the application's folder, e.g. "
        "agreements/signed/data-use-agreement.pdf"
    )
    signed_copy_sha256: Sha256 = Field(description="SHA-256 of the signed copy when recorded")
    signed_on: IsoDate = Field(description="The day the last party signed")
    parties: list[NonEmpty] = Field(
        min_length=1, description="Who signed: the data centre, the institution, each person"
    )


class SignedAgreements(Strict):
    """``agreements.yaml``: at most one record per kind, in the order of ``AgreementKind``."""

    application: ApplicationRef
    agreements: list[AgreementRecord] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_per_kind(self) -> SignedAgreements:
        kinds = [record.kind for record in self.agreements]
        if len(kinds) != len(set(kinds)):
            raise ValueError("each kind of agreement is recorded at most once")
        return self

    def get(self, kind: AgreementKind) -> AgreementRecord | None:
        return next((r for r in self.agreements if r.kind is kind), None)
