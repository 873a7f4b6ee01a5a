"""The synthetic cohort: deterministic for a seed, column-wise with numpy, up to millions.

``generate`` first draws every patient's core record for the whole cohort at once (disease,
sex, dates, province, institution, consent and the unique identifiers), then writes the
patient-level tables and the child tables (phenotypes, variants, visits with notes, labs,
treatments) chunk by chunk, each chunk from its own random stream. The database is written
under a temporary name beside the target and renamed into place when complete, so a
half-written cohort never exists under the real name.

Same seed, same patient count: identical query results (not byte-identical files).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from cohortgate.custodian.cohort import identifiers as ids
from cohortgate.custodian.cohort.diseases import DISEASES
from cohortgate.custodian.cohort.engine import CohortError, Engine
from cohortgate.custodian.cohort.regions import PROVINCES
from cohortgate.custodian.cohort.tables import CUTOFF, Context, Prepared, write_chunk
from cohortgate.custodian.cohort.variants import build_pool
from cohortgate.ontology import load_index

# Contributing hospitals: (catalog institution id, home province, share of patients). Only
# project members contribute data (R2, R3); the ids are the members of catalog/institutions.yaml.
INSTITUTIONS: tuple[tuple[str, str, float], ...] = (
    ("shch", "31", 0.15),  # 上海市儿童医院
    ("fdpch", "31", 0.22),  # 复旦大学附属儿科医院
    ("scmc", "31", 0.18),  # 上海儿童医学中心
    ("xhh", "31", 0.12),  # 新华医院
    ("bch", "11", 0.33),  # 首都医科大学附属北京儿童医院
)
INSTITUTION_IDS = tuple(inst for inst, _, _ in INSTITUTIONS)

ZIPF_EXPONENT = 1.0  # disease k is 1/k as frequent as the most frequent
LOCAL_SHARE = 0.45  # patients from the hospital's own province; the rest by population
RARE_REGION_FACTOR = 0.02  # Taiwan, Hong Kong, Macao residents are rare in mainland hospitals
BIRTH_FIRST, BIRTH_LAST = np.datetime64("2005-01-01"), np.datetime64("2025-06-30")
REGISTRY_START = np.datetime64("2016-01-01")
GENOTYPED = 0.82  # of patients of a disease with causal genes: one has a recorded variant
CN_CONFIRMED = 0.9  # of copy-number/imprinting disease patients: genetically confirmed
WITHDRAWAL_RATE = 0.02
CHUNK = 50_000  # patients per chunk; part of the determinism contract: do not change lightly
MONTH = 30.4375  # days
ENROLMENT_MARGIN = 30  # days between the last possible diagnosis and the data cut-off


@dataclass(frozen=True)
class GenerationSummary:
    path: Path
    patients: int
    seed: int
    diseases: int
    withdrawn: int
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)


def _days(value: np.datetime64) -> int:
    return int(value.astype("datetime64[D]").astype(np.int64))


def _prepare(seed: int) -> Prepared:
    """Each disease's phenotypes and gene pools from the ontology index; refuse on drift."""
    index = load_index()
    hpo: list[NDArray[np.str_]] = []
    for spec in DISEASES:
        info = index.disease(spec.orpha)
        if info is None or info.name != spec.name:
            found = info.name if info else "absent"
            raise CohortError(
                f"the ontology index (HPO {index.hpo_version}) no longer matches the cohort's "
                f"disease list: {spec.orpha} should be {spec.name!r}, is {found!r}; update "
                "cohortgate/custodian/cohort/diseases.py"
            )
        missing = [gene for gene, _ in spec.genes if gene not in info.genes]
        if missing:
            raise CohortError(f"the ontology index lists no gene {missing} for {spec.orpha}")
        terms = [h for h in info.hpo if (t := index.hpo(h)) is not None and not t.obsolete]
        hpo.append(np.array(terms))
    genes = sorted({gene for spec in DISEASES for gene, _ in spec.genes})
    pools = {
        gene: build_pool(
            gene, np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2, i)))
        )
        for i, gene in enumerate(genes)
    }
    return Prepared(hpo=hpo, pools=pools)


def _history(
    disease: NDArray[np.int64], rng: np.random.Generator
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Birth date, onset age (months) and diagnosis date of each patient. Only children
    diagnosed at least ``ENROLMENT_MARGIN`` days before the cut-off are in a registry, so the
    others are drawn again (a younger child with a late-onset disease gets an earlier birth)."""
    onset_table = np.array([s.onset for s in DISEASES], dtype=np.float64)
    delays = np.array([s.delay for s in DISEASES])
    n = len(disease)
    birth, onset, diagnosed = (np.zeros(n, dtype=np.int64) for _ in range(3))
    todo = np.arange(n)
    while len(todo):
        d = disease[todo]
        born = rng.integers(_days(BIRTH_FIRST), _days(BIRTH_LAST) + 1, len(todo))
        months = np.floor(rng.triangular(*(onset_table[d, i] for i in range(3)))).astype(np.int64)
        delay = rng.exponential(delays[d])
        found = born + np.round((months + delay) * MONTH).astype(np.int64)
        birth[todo], onset[todo], diagnosed[todo] = born, months, found
        todo = todo[found > CUTOFF - ENROLMENT_MARGIN]
    return birth, onset, diagnosed


def _skeleton(n: int, rng: np.random.Generator) -> dict[str, NDArray[np.generic]]:
    """Every patient's core record: one row each, for the whole cohort."""
    shares = 1.0 / np.arange(1, len(DISEASES) + 1) ** ZIPF_EXPONENT
    disease = rng.choice(len(DISEASES), n, p=shares / shares.sum())
    spec_male = np.array([s.male for s in DISEASES])
    male = rng.random(n) < spec_male[disease]
    birth, onset, diagnosed = _history(disease, rng)

    institution = rng.choice(len(INSTITUTIONS), n, p=[share for _, _, share in INSTITUTIONS])
    weights = np.array(
        [
            p.population * (RARE_REGION_FACTOR if p.code in ("71", "81", "82") else 1.0)
            for p in PROVINCES
        ]
    )
    province = np.array([p.code for p in PROVINCES])[
        rng.choice(len(PROVINCES), n, p=weights / weights.sum())
    ]
    home = np.array([home for _, home, _ in INSTITUTIONS])[institution]
    province = np.where(rng.random(n) < LOCAL_SHARE, home, province)

    enrolled = np.minimum(
        np.maximum(diagnosed, _days(REGISTRY_START)) + rng.integers(0, 181, n), CUTOFF
    )
    withdrawn = rng.random(n) < WITHDRAWAL_RATE
    withdrawal = enrolled + np.floor(rng.random(n) * (CUTOFF - enrolled + 1)).astype(np.int64)

    has_genes = np.array([bool(s.genes) for s in DISEASES])[disease]
    copy_number = np.array([s.inheritance == "CN" for s in DISEASES])[disease]
    biochemical = np.array([s.biochemical for s in DISEASES])[disease]
    genotyped = has_genes & (rng.random(n) < GENOTYPED)
    confirmation = np.where(
        genotyped | (copy_number & (rng.random(n) < CN_CONFIRMED)),
        "genetic",
        np.where(biochemical, "biochemical", "clinical"),
    )

    birth_dates = birth.astype("datetime64[D]")
    areas = ids.area_codes(province, rng)
    names = ids.person_names(male, rng)
    return {
        "patient_id": np.strings.add("P", np.strings.zfill((np.arange(n) + 1).astype("U8"), 8)),
        "disease": disease,
        "male": male,
        "birth": birth,
        "onset": onset,
        "diagnosed": diagnosed,
        "institution": institution,
        "province": province,
        "enrolled": enrolled,
        "withdrawn": withdrawn,
        "withdrawal": withdrawal,
        "genotyped": genotyped,
        "confirmation": confirmation,
        "name": names,
        "guardian_name": ids.guardian_names(names, male, rng),
        "id_number": ids.id_numbers(areas, birth_dates, male, rng),
        "phone": ids.mobile_numbers(n, rng),
        "address": ids.addresses(province, areas, rng),
        "medical_record_no": ids.medical_record_numbers(n, rng),
        "insurance_no": ids.insurance_numbers(province, rng),
    }


def generate(
    path: Path, patients: int, seed: int, *, display: str | None = None
) -> GenerationSummary:
    """Write a synthetic cohort of ``patients`` patients to ``path`` (replacing it)."""
    if patients < 1:
        raise CohortError("a cohort needs at least one patient")
    started = time.perf_counter()
    prepared = _prepare(seed)
    skeleton = _skeleton(
        patients, np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0,)))
    )
    context = Context(skeleton, prepared, INSTITUTION_IDS)
    path.parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        partial = workdir / path.name
        with Engine.create(partial, display=display) as engine:
            for number, start in enumerate(range(0, patients, CHUNK)):
                rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1, number)))
                write_chunk(engine, context, start, min(start + CHUNK, patients), rng)
            engine.checkpoint()
            rows = engine.row_counts()
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, path)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return GenerationSummary(
        path=path,
        patients=patients,
        seed=seed,
        diseases=len(DISEASES),
        withdrawn=int(skeleton["withdrawn"].sum()),
        seconds=time.perf_counter() - started,
        rows=rows,
    )
