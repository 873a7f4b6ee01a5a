"""The repository's catalog: it validates clean and describes what the cohort generator writes."""

from __future__ import annotations

import pytest

from cohortgate.catalog.checks import validate_catalog
from cohortgate.catalog.load import Catalog, load_catalog
from cohortgate.custodian.cohort.diseases import DISEASES
from cohortgate.layout import Layout
from cohortgate.models.cohort import COHORT_SCHEMA
from cohortgate.models.dataset import DataClass, PrivacyClass

GENERATED = {spec.orpha: spec for spec in DISEASES}
GENERATED_LABS = {lab.loinc: lab for spec in DISEASES for lab in spec.labs}
INSTITUTIONS = {"shch", "fdpch", "scmc", "xhh", "bch", "gzwcmc", "chcmu", "zjch"}


@pytest.fixture(scope="module")
def catalog(repo_layout: Layout) -> Catalog:
    loaded, findings = load_catalog(repo_layout, with_stats=False)
    assert findings == []
    return loaded


def test_the_catalog_validates_clean(repo_layout: Layout) -> None:
    assert validate_catalog(repo_layout) == []


def test_institutions_are_the_cohorts(catalog: Catalog) -> None:
    assert {i.id for i in catalog.institutions} == INSTITUTIONS
    assert {i.id for i in catalog.institutions if i.member} == {
        "shch",
        "fdpch",
        "scmc",
        "xhh",
        "bch",
    }


def test_enough_datasets_of_every_class(catalog: Catalog) -> None:
    classes = [d.dataset.data_class for d in catalog.datasets]
    assert classes.count(DataClass.RESEARCH) >= 6
    assert DataClass.RAW in classes and DataClass.REGISTRY in classes


def test_diseases_are_those_the_generator_produces(catalog: Catalog) -> None:
    for loaded in catalog.datasets:
        for disease in loaded.dataset.diseases:
            spec = GENERATED.get(disease.orpha)
            assert spec is not None, (loaded.file, disease.orpha)
            assert (disease.name.en, disease.name.zh) == (spec.name, spec.zh), disease.orpha
            assert spec.icd10 in disease.icd10, disease.orpha


def test_every_generated_disease_is_in_some_dataset(catalog: Catalog) -> None:
    covered = {d.orpha for loaded in catalog.datasets for d in loaded.dataset.diseases}
    assert set(GENERATED) <= covered


def test_category_values_are_what_the_generator_writes(catalog: Catalog) -> None:
    for loaded in catalog.datasets:
        ds = loaded.dataset
        for table, var in ds.variables():
            if (table.source, var.name) == ("diagnosis", "orpha_code"):
                assert set(var.values) == set(ds.orpha_codes()), loaded.file
            if (table.source, var.name) == ("lab_result", "analyte"):
                assert set(var.values) <= set(GENERATED_LABS), loaded.file
                for code, meaning in var.values.items():
                    assert meaning.en == GENERATED_LABS[code].name


def test_every_column_of_every_patient_table_is_classed_as_r6_says(catalog: Catalog) -> None:
    """R6: the identifying columns of the cohort are direct identifiers wherever they appear."""
    direct = {"patient_id", "visit_id", "name", "id_number", "phone", "address",
              "medical_record_no", "insurance_no", "guardian_name"}  # fmt: skip
    quasi = {"birth_date", "sex", "province", "institution_id"}
    for loaded in catalog.datasets:
        for table, var in loaded.dataset.variables():
            assert var.name in COHORT_SCHEMA[table.source]
            if var.name in direct:
                assert var.privacy is PrivacyClass.DIRECT_IDENTIFIER, (loaded.file, var.name)
            elif var.name in quasi:
                assert var.privacy is PrivacyClass.QUASI_IDENTIFIER, (loaded.file, var.name)
            elif table.source == "variant":
                assert var.privacy is PrivacyClass.GENETIC, (loaded.file, var.name)
