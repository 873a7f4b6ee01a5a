"""The synthetic cohort: deterministic, faithful to the ontology, shaped like a real registry."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import yaml
from cohort_fixtures import PATIENTS, SEED
from cohort_fixtures import read as rows

from cohortgate.custodian.cohort import synth
from cohortgate.custodian.cohort.diseases import DISEASES
from cohortgate.custodian.cohort.engine import CohortError, Engine
from cohortgate.custodian.cohort.identifiers import id_number_is_valid, parse_id_number
from cohortgate.custodian.cohort.regions import PROVINCES
from cohortgate.custodian.cohort.synth import GenerationSummary, generate
from cohortgate.models.cohort import COHORT_SCHEMA
from cohortgate.ontology import load_index

SPEC = {d.orpha: d for d in DISEASES}


def digest(path: Path) -> str:
    with Engine.open(path) as engine:
        return engine.digest()


def test_same_seed_same_cohort(cohort_path: Path, tmp_path: Path) -> None:
    again = generate(tmp_path / "again.duckdb", PATIENTS, SEED)
    assert digest(again.path) == digest(cohort_path)


def test_another_seed_another_cohort(cohort_path: Path, tmp_path: Path) -> None:
    other = generate(tmp_path / "other.duckdb", PATIENTS, SEED + 1)
    assert digest(other.path) != digest(cohort_path)


def test_row_counts(cohort: GenerationSummary) -> None:
    counts = cohort.rows
    assert set(counts) == set(COHORT_SCHEMA)
    assert counts["patient"] == counts["diagnosis"] == counts["consent"] == PATIENTS
    assert 3 * PATIENTS <= counts["phenotype"] <= 8 * PATIENTS
    assert PATIENTS <= counts["visit"] <= 20 * PATIENTS
    assert counts["lab_result"] > 0 and counts["treatment"] > 0 and counts["variant"] > 0
    with Engine.open(cohort.path) as engine:
        assert engine.row_counts() == counts


def test_every_disease_is_in_the_ontology_with_its_name() -> None:
    index = load_index()
    assert 15 <= len(DISEASES) <= 25
    for spec in DISEASES:
        info = index.disease(spec.orpha)
        assert info is not None and info.name == spec.name, spec.orpha
        assert {gene for gene, _ in spec.genes} <= set(info.genes), spec.orpha


def test_codes_phenotypes_and_genes_come_from_the_ontology(cohort_path: Path) -> None:
    index = load_index()
    disease_of = dict(rows(cohort_path, "diagnosis", "patient_id", "orpha_code"))
    assert set(disease_of.values()) == set(SPEC)  # 2,000 patients reach every disease
    annotated = {code: set(index.disease(code).hpo) for code in SPEC}
    genes = {code: set(index.disease(code).genes) for code in SPEC}
    per_patient: defaultdict[object, set[object]] = defaultdict(set)
    for patient, hpo in rows(cohort_path, "phenotype", "patient_id", "hpo_id"):
        term = index.hpo(str(hpo))
        assert term is not None and not term.obsolete
        assert hpo in annotated[str(disease_of[patient])]
        assert hpo not in per_patient[patient]  # no phenotype twice
        per_patient[patient].add(hpo)
    assert {len(terms) for terms in per_patient.values()} <= set(range(3, 9))
    assert len(per_patient) == PATIENTS
    for patient, gene in rows(cohort_path, "variant", "patient_id", "gene_symbol"):
        assert gene in genes[str(disease_of[patient])]


def test_diseases_follow_a_skewed_frequency(cohort_path: Path) -> None:
    counts = Counter(code for (code,) in rows(cohort_path, "diagnosis", "orpha_code"))
    first, last = counts[DISEASES[0].orpha], counts[DISEASES[-1].orpha]
    assert first > 10 * last
    assert counts.most_common(1)[0][0] == DISEASES[0].orpha


def test_about_two_percent_withdraw(cohort_path: Path) -> None:
    consent = rows(cohort_path, "consent", "broad_consent_date", "withdrawal_date")
    withdrawn = [w for c, w in consent if w is not None]
    assert 0.01 <= len(withdrawn) / PATIENTS <= 0.03
    assert all(c is not None for c, _ in consent)
    assert all(w >= c for c, w in consent if w is not None)


def test_identifiers_are_valid_unique_and_agree_with_the_patient(cohort_path: Path) -> None:
    patients = rows(cohort_path, "patient", "id_number", "birth_date", "sex", "province", "phone")
    assert len({p[0] for p in patients}) == len({p[4] for p in patients}) == PATIENTS
    for number, born, sex, province, phone in patients:
        parsed = parse_id_number(str(number))
        assert parsed is not None, number
        assert parsed.birth_date == born
        assert parsed.male == (sex == "M")
        assert str(number)[:2] == {"71": "83"}.get(str(province), province)
        assert len(str(phone)) == 11


def test_people_places_and_dates_are_plausible(cohort_path: Path) -> None:
    catalog = Path(__file__).resolve().parents[2] / "catalog" / "institutions.yaml"
    listed = {
        i["id"] for i in yaml.safe_load(catalog.read_text("utf-8"))["institutions"] if i["member"]
    }
    assert set(synth.INSTITUTION_IDS) == listed  # only members contribute data (R2, R3)
    patients = rows(cohort_path, "patient", "birth_date", "province", "institution_id")
    assert {p[2] for p in patients} <= listed
    assert {p[1] for p in patients} <= {p.code for p in PROVINCES}
    assert all(date(2005, 1, 1) <= p[0] <= date(2025, 12, 31) for p in patients)
    born = {pid: b for pid, b in rows(cohort_path, "patient", "patient_id", "birth_date")}
    for pid, diagnosed, onset in rows(
        cohort_path, "diagnosis", "patient_id", "diagnosis_date", "onset_age_months"
    ):
        assert born[pid] <= diagnosed <= date(2025, 12, 31)
        assert 0 <= onset <= (diagnosed - born[pid]).days / 30


def test_sex_follows_inheritance(cohort_path: Path) -> None:
    sex = dict(rows(cohort_path, "patient", "patient_id", "sex"))
    by_disease: defaultdict[str, Counter[object]] = defaultdict(Counter)
    for pid, code in rows(cohort_path, "diagnosis", "patient_id", "orpha_code"):
        by_disease[str(code)][sex[pid]] += 1
    dmd, rett = by_disease["ORPHA:98896"], by_disease["ORPHA:778"]
    assert dmd["M"] / sum(dmd.values()) > 0.95
    assert rett["F"] / sum(rett.values()) > 0.95


def test_zygosity_is_consistent_with_inheritance(cohort_path: Path) -> None:
    sex = dict(rows(cohort_path, "patient", "patient_id", "sex"))
    disease = dict(rows(cohort_path, "diagnosis", "patient_id", "orpha_code"))
    variants: defaultdict[object, list[tuple[object, object]]] = defaultdict(list)
    for pid, hgvs, zygosity in rows(cohort_path, "variant", "patient_id", "hgvs_c", "zygosity"):
        assert str(hgvs).startswith("c.")
        variants[pid].append((hgvs, zygosity))
    genotyped = len(variants) / PATIENTS
    assert 0.6 <= genotyped <= 0.8
    for pid, found in variants.items():
        inheritance = SPEC[str(disease[pid])].inheritance
        kinds = {z for _, z in found}
        assert len(kinds) == 1
        kind = kinds.pop()
        if inheritance == "AR":
            assert (kind, len(found)) in {("homozygous", 1), ("compound_heterozygous", 2)}
            assert len({h for h, _ in found}) == len(found)
        elif inheritance == "AD":
            assert kind == "heterozygous"
        else:
            assert kind == ("hemizygous" if sex[pid] == "M" else "heterozygous")


def test_visits_grow_with_the_child(cohort_path: Path) -> None:
    born = dict(rows(cohort_path, "patient", "patient_id", "birth_date"))
    visits = rows(cohort_path, "visit", "patient_id", "visit_date", "height_cm", "weight_kg")
    per_patient = Counter(v[0] for v in visits)
    assert set(per_patient.values()) <= set(range(1, 21)) and len(per_patient) == PATIENTS
    ages = np.array([(v[1] - born[v[0]]).days for v in visits])
    assert np.corrcoef(ages, [float(v[2]) for v in visits])[0, 1] > 0.8
    assert np.corrcoef(ages, [float(v[3]) for v in visits])[0, 1] > 0.8


def test_some_notes_carry_identifiers(cohort_path: Path) -> None:
    notes = [str(n) for (n,) in rows(cohort_path, "visit", "notes") if n is not None]
    assert notes
    with_id = [n for n in notes if "身份证号" in n]
    assert with_id
    number = with_id[0].split("身份证号")[1][:18]
    assert id_number_is_valid(number)


def test_labs_and_treatments_use_their_codes(cohort_path: Path) -> None:
    disease = dict(rows(cohort_path, "diagnosis", "patient_id", "orpha_code"))
    for pid, analyte in rows(cohort_path, "lab_result", "patient_id", "analyte"):
        assert analyte in {lab.loinc for lab in SPEC[str(disease[pid])].labs}
    for pid, atc in rows(cohort_path, "treatment", "patient_id", "atc_code"):
        assert atc in {t.atc for t in SPEC[str(disease[pid])].treatments}


def test_generation_replaces_the_file_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "custodian" / "cohort.duckdb"
    generate(target, 50, 1)
    first = digest(target)
    generate(target, 60, 1)
    assert digest(target) != first
    assert [p.name for p in target.parent.iterdir()] == ["cohort.duckdb"]


def test_a_drifted_ontology_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    renamed = dataclasses.replace(DISEASES[0], name="Duchenne dystrophy")
    monkeypatch.setattr(synth, "DISEASES", (renamed, *DISEASES[1:]))
    with pytest.raises(CohortError, match="ORPHA:98896 should be 'Duchenne dystrophy'"):
        generate(tmp_path / "cohort.duckdb", 10, 1)
    assert not list(tmp_path.iterdir())
