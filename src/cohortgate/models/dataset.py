"""A catalog dataset: what the cohort holds, who may use it, and every field's privacy class.

One YAML file per dataset under ``catalog/datasets/``. The variable dictionary names cohort
tables and columns: the cohort schema (``cohortgate.models.cohort``) is what it describes.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from cohortgate.models.common import (
    DuoId,
    HpoId,
    Icd10,
    NonEmpty,
    OrphaCode,
    Slug,
    Strict,
    Text,
)


class DataClass(StrEnum):
    """R4: only research data may be shared; raw and registry data are institutional assets."""

    RAW = "raw"  # hospital records: history, labs, imaging, discharge summaries
    REGISTRY = "registry"  # the disease registry itself, structured for the disease
    RESEARCH = "research"  # indicator data for one study (CRF data): shareable after approval


class PrivacyLevel(StrEnum):
    """R5: privacy levels of research data, strictest last."""

    L1 = "L1"  # aggregate / summary data
    L2 = "L2"  # patient-level, identifiers encrypted or generalised
    L3 = "L3"  # patient-level with identifiers


class PrivacyClass(StrEnum):
    """R6: every field is classified."""

    DIRECT_IDENTIFIER = "direct_identifier"  # name, ID number, phone, address, record numbers
    QUASI_IDENTIFIER = "quasi_identifier"  # birth date, sex, region: identify in combination
    SENSITIVE = "sensitive"  # diagnoses, phenotypes, labs, treatments, free text
    GENETIC = "genetic"  # variants: identify the child and the family (R29)
    OTHER = "other"


class VariableType(StrEnum):
    STRING = "string"
    CATEGORY = "category"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    BOOLEAN = "boolean"
    CODE = "code"  # an ontology code (ORPHA, HPO, ICD-10, LOINC, HGVS ...)
    TEXT = "text"  # free text


class Disease(Strict):
    orpha: OrphaCode
    name: Text
    icd10: list[Icd10] = Field(default_factory=list, description="ICD-10 codes where known")


class UseCondition(Strict):
    """A GA4GH Data Use Ontology term, with its modifier where the term takes one."""

    code: DuoId
    diseases: list[OrphaCode] = Field(
        default_factory=list, description="For DUO:0000007 (disease-specific research)"
    )
    research_type: str | None = Field(
        default=None,
        description="For DUO:0000012 (research-specific), e.g. 'paediatric' for "
        "paediatric research only",
    )
    months: int | None = Field(default=None, ge=1, description="For DUO:0000025 (time limit)")

    @model_validator(mode="after")
    def _modifier_fits(self) -> UseCondition:
        if self.code == "DUO:0000007" and not self.diseases:
            raise ValueError("DUO:0000007 (disease-specific research) needs 'diseases'")
        if self.code == "DUO:0000012" and not self.research_type:
            raise ValueError("DUO:0000012 (research-specific restriction) needs 'research_type'")
        if self.code == "DUO:0000025" and not self.months:
            raise ValueError("DUO:0000025 (time limit on use) needs 'months'")
        return self


class Variable(Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Column name in the cohort table")
    label: Text
    type: VariableType
    privacy: PrivacyClass = Field(description="R6 privacy class; shown as a badge on the site")
    unit: str | None = Field(default=None, description="UCUM unit, e.g. 'kg', 'umol/L'")
    hpo: list[HpoId] = Field(
        default_factory=list, description="HPO terms this variable records (R7)"
    )
    values: dict[str, Text] = Field(
        default_factory=dict, description="Meaning of each category value"
    )
    description: Text | None = None


class Table(Strict):
    """One table of the cohort that the dataset exposes, with the variables it exposes."""

    source: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Cohort table name")
    label: Text
    variables: list[Variable] = Field(min_length=1)


class Dataset(Strict):
    id: Slug
    title: Text
    description: Text
    data_class: DataClass
    diseases: list[Disease] = Field(min_length=1)
    institutions: list[Slug] = Field(min_length=1, description="Contributing institutions (ids)")
    privacy_levels: list[PrivacyLevel] = Field(
        min_length=1, description="Levels at which the dataset can be released (R5)"
    )
    use_conditions: list[UseCondition] = Field(min_length=1)
    use_conditions_note: Text | None = None
    keywords: list[NonEmpty] = Field(default_factory=list)
    tables: list[Table] = Field(min_length=1)

    def variables(self) -> list[tuple[Table, Variable]]:
        return [(t, v) for t in self.tables for v in t.variables]

    def orpha_codes(self) -> list[str]:
        return [d.orpha for d in self.diseases]
