"""One GA4GH phenopacket (schema v2) read into a case the cohort can hold, or refused (R2, R7).

The schema itself is the ``phenopackets`` package's (protobuf): a document it does not accept
(unknown field, wrong type) is refused whole (``intake.not-a-phenopacket``), as is a v1 document
or one without an id. What is read from an accepted document, by the schema's own meaning:

- the subject's sex (``M``/``F``; ``UNKNOWN_SEX``, ``OTHER_SEX`` and none stay missing) and age
  at the last encounter, an ISO 8601 duration in months (``durations``); a value that is not a
  duration stays missing, with a warning;
- phenotypic features, observed or ``excluded``, with their onset age; each id is checked
  against the HPO release the installed packages ship (``ontology.index``): an old id is
  loaded as its current term (warning), an unknown one is left out (warning);
- diagnoses (``interpretations[].diagnosis.disease`` and ``diseases[].term``), OMIM, ORPHA or
  MONDO by syntax; any other code is left out (warning); none is mapped by guess;
- variants with the gene, the HGVS expressions, the genome assembly and VCF coordinates, the
  zygosity and the ACMG class.

Nothing is invented: what the document lacks stays ``None``. Findings are located at the file
and the JSON path of the value (``$.phenotypicFeatures[3].type.id``).
"""

from __future__ import annotations

import importlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from cohortgate.custodian.intake import codes as C
from cohortgate.custodian.intake.durations import DurationError, months
from cohortgate.findings import Finding
from cohortgate.ontology.index import OntologyIndex

# untyped (protobuf): the schema's own parser, which refuses unknown fields and wrong types
json_format: Any = importlib.import_module("google.protobuf.json_format")
Phenopacket: Any = importlib.import_module("phenopackets.schema.v2").Phenopacket

DISEASE_CODE = re.compile(r"^(OMIM:\d{6}|ORPHA:\d{1,7}|MONDO:\d{7})$")
HPO_ID = re.compile(r"^HP:\d{7}$")
SEXES = {"MALE": "M", "FEMALE": "F"}


@dataclass(frozen=True)
class Feature:
    hpo: str
    excluded: bool
    onset_months: float | None = None


@dataclass(frozen=True)
class Variant:
    gene: str | None
    hgvs: tuple[str, ...]
    assembly: str | None
    chrom: str | None
    pos: int | None
    ref: str | None
    alt: str | None
    zygosity: str | None
    acmg: str | None


@dataclass(frozen=True)
class Case:
    source_id: str  # the document's id, as the source wrote it
    file: str
    sex: str | None
    age_months: float | None  # at the last encounter
    onset_months: float | None
    features: tuple[Feature, ...] = ()
    diseases: tuple[str, ...] = ()
    variants: tuple[Variant, ...] = ()


@dataclass
class _Reader:
    file: str
    index: OntologyIndex
    findings: list[Finding] = field(default_factory=list)

    def age(self, value: Any, path: str) -> float | None:
        """Months of an ``Age`` element (``{"age": {"iso8601duration": ...}}``), or None."""
        text = (
            (value or {}).get("age", {}).get("iso8601duration") if isinstance(value, dict) else None
        )
        if text is None:
            return None
        try:
            return months(text)
        except DurationError as exc:
            self.findings.append(
                C.BAD_AGE.at(self.file, path=f"{path}.age.iso8601duration", problem=str(exc))
            )
            return None

    def feature(self, item: dict[str, Any], path: str) -> Feature | None:
        term = item.get("type", {})
        hpo, label = str(term.get("id", "")), str(term.get("label", ""))
        where = f"{path}.type.id"
        found = self.index.resolve_hpo(hpo) if HPO_ID.match(hpo) else None
        if found is not None and found.obsolete:  # an obsolete term: its replacement, if any
            found = self.index.resolve_hpo(found.replaced_by) if found.replaced_by else None
        if found is None:
            self.findings.append(C.HPO_UNKNOWN.at(self.file, path=where, term=hpo, label=label))
            return None
        if found.id != hpo:
            self.findings.append(
                C.HPO_OBSOLETE.at(
                    self.file, path=where, term=hpo, current=found.id, label=found.name
                )
            )
        onset = self.age(item.get("onset"), f"{path}.onset")
        return Feature(found.id, bool(item.get("excluded", False)), onset)

    def disease(self, term: dict[str, Any], path: str) -> str | None:
        code = str(term.get("id", ""))
        if DISEASE_CODE.match(code):
            return code
        self.findings.append(C.BAD_DISEASE.at(self.file, path=f"{path}.id", code=code))
        return None


def read_phenopacket(
    data: bytes, file: str, index: OntologyIndex
) -> tuple[Case | None, list[Finding]]:
    """The case in ``data`` (the bytes of ``file``), or None; and the findings."""
    try:
        document = json.loads(data)
    except UnicodeDecodeError as exc:
        return None, [
            C.NOT_JSON.at(file, problem=f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        ]
    except json.JSONDecodeError as exc:
        return None, [C.NOT_JSON.at(file, exc.lineno, exc.colno, problem=exc.msg)]
    if not isinstance(document, dict):
        return None, [C.NOT_A_PHENOPACKET.at(file, problem="the document is not a JSON object")]
    try:
        json_format.ParseDict(document, Phenopacket(), ignore_unknown_fields=False)
    except (json_format.ParseError, ValueError, TypeError) as exc:
        return None, [C.NOT_A_PHENOPACKET.at(file, problem=str(exc).splitlines()[0][:300])]
    version = str(document.get("metaData", {}).get("phenopacketSchemaVersion", ""))
    if not re.match(r"^2(\.\d+)*$", version):
        return None, [
            C.SCHEMA_VERSION.at(file, path="$.metaData.phenopacketSchemaVersion", version=version)
        ]
    if not str(document.get("id", "")).strip():
        return None, [C.NO_ID.at(file, path="$.id")]
    reader = _Reader(file, index)
    return _case(document, reader), reader.findings


def _case(document: dict[str, Any], reader: _Reader) -> Case:
    subject = document.get("subject", {})
    features = [
        reader.feature(item, f"$.phenotypicFeatures[{n}]")
        for n, item in enumerate(document.get("phenotypicFeatures", []))
    ]
    diseases: list[str | None] = []
    variants: list[Variant] = []
    onsets: list[float] = []
    for n, item in enumerate(document.get("interpretations", [])):
        diagnosis = item.get("diagnosis", {})
        path = f"$.interpretations[{n}].diagnosis"
        if "disease" in diagnosis:
            diseases.append(reader.disease(diagnosis["disease"], f"{path}.disease"))
        for genomic in diagnosis.get("genomicInterpretations", []):
            variants.append(_variant(genomic))
    for n, item in enumerate(document.get("diseases", [])):
        diseases.append(reader.disease(item.get("term", {}), f"$.diseases[{n}].term"))
        onset = reader.age(item.get("onset"), f"$.diseases[{n}].onset")
        if onset is not None:
            onsets.append(onset)
    return Case(
        source_id=str(document["id"]),
        file=reader.file,
        sex=SEXES.get(str(subject.get("sex", ""))),
        age_months=reader.age(subject.get("timeAtLastEncounter"), "$.subject.timeAtLastEncounter"),
        onset_months=min(onsets) if onsets else None,
        features=tuple(f for f in features if f is not None),
        diseases=tuple(dict.fromkeys(d for d in diseases if d is not None)),
        variants=tuple(variants),
    )


def _variant(genomic: dict[str, Any]) -> Variant:
    interpretation = genomic.get("variantInterpretation", {})
    descriptor = interpretation.get("variationDescriptor", {})
    vcf = descriptor.get("vcfRecord", {})
    position = vcf.get("pos")
    return Variant(
        gene=descriptor.get("geneContext", {}).get("symbol"),
        hgvs=tuple(
            str(e["value"])
            for e in descriptor.get("expressions", [])
            if "hgvs" in str(e.get("syntax", ""))
        ),
        assembly=vcf.get("genomeAssembly"),
        chrom=vcf.get("chrom"),
        pos=int(position) if position is not None else None,
        ref=vcf.get("ref"),
        alt=vcf.get("alt"),
        zygosity=descriptor.get("allelicState", {}).get("label"),
        acmg=interpretation.get("acmgPathogenicityClassification"),
    )
