"""The cohort's tables and columns: what the catalog's variable dictionaries describe.

This is public knowledge (names and types only, no data). The custodian's engine creates the
DuckDB tables from it, and ``cohortgate validate`` checks that every catalog variable names a
column that exists here with a compatible type.
"""

from __future__ import annotations

# table -> column -> DuckDB type. One primary diagnosis per patient keeps the statistics
# tables additive (each patient is counted in exactly one disease).
COHORT_SCHEMA: dict[str, dict[str, str]] = {
    "patient": {
        "patient_id": "VARCHAR",  # cohort record id: 'P' + 8 digits
        "name": "VARCHAR",
        "id_number": "VARCHAR",  # 18-digit resident ID (GB 11643), valid check digit
        "phone": "VARCHAR",  # 11-digit mobile number
        "address": "VARCHAR",
        "medical_record_no": "VARCHAR",
        "insurance_no": "VARCHAR",
        "guardian_name": "VARCHAR",
        "birth_date": "DATE",
        "sex": "VARCHAR",  # 'M' | 'F'
        "province": "VARCHAR",  # GB/T 2260 two-digit code
        "institution_id": "VARCHAR",  # contributing hospital (catalog institution id)
        "enrolled_date": "DATE",
    },
    "diagnosis": {
        "patient_id": "VARCHAR",
        "orpha_code": "VARCHAR",  # 'ORPHA:70'
        "icd10": "VARCHAR",
        "diagnosis_date": "DATE",
        "onset_age_months": "INTEGER",
        "confirmation": "VARCHAR",  # 'genetic' | 'biochemical' | 'clinical'
    },
    "phenotype": {
        "patient_id": "VARCHAR",
        "hpo_id": "VARCHAR",
        "observed_date": "DATE",
    },
    "variant": {
        "patient_id": "VARCHAR",
        "gene_symbol": "VARCHAR",
        "hgvs_c": "VARCHAR",
        "zygosity": "VARCHAR",  # 'heterozygous' | 'homozygous' | 'hemizygous' | ...
        "acmg_class": "VARCHAR",  # 'pathogenic' | 'likely_pathogenic' | 'vus'
    },
    "visit": {
        "visit_id": "VARCHAR",
        "patient_id": "VARCHAR",
        "institution_id": "VARCHAR",
        "visit_date": "DATE",
        "visit_type": "VARCHAR",  # 'outpatient' | 'inpatient' | 'emergency'
        "weight_kg": "DOUBLE",
        "height_cm": "DOUBLE",
        "notes": "VARCHAR",  # free text
    },
    "lab_result": {
        "patient_id": "VARCHAR",
        "visit_id": "VARCHAR",
        "analyte": "VARCHAR",  # LOINC code
        "value": "DOUBLE",
        "unit": "VARCHAR",
        "sample_date": "DATE",
    },
    "treatment": {
        "patient_id": "VARCHAR",
        "treatment": "VARCHAR",
        "atc_code": "VARCHAR",
        "start_date": "DATE",
        "end_date": "DATE",
    },
    # Custodian only: never described by a catalog dataset, never published.
    "consent": {
        "patient_id": "VARCHAR",
        "broad_consent_date": "DATE",
        "withdrawal_date": "DATE",
    },
}

CUSTODIAN_ONLY_TABLES = frozenset({"consent"})
