"""The rows of one chunk of synthetic patients, table by table, loaded through the engine.

Dates are handled as int64 days since 1970-01-01 and become ``datetime64[D]`` at loading;
``NO_DATE`` (numpy's NaT) is SQL NULL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cohortgate.custodian.cohort.diseases import DISEASES
from cohortgate.custodian.cohort.engine import Engine
from cohortgate.custodian.cohort.notes import MENTIONS, visit_notes
from cohortgate.custodian.cohort.variants import Pool, draw, zygosity

CUTOFF = int(np.datetime64("2025-12-31", "D").astype(np.int64))  # the data's "today"
NO_DATE = np.iinfo(np.int64).min

PHENOTYPES = (3, 8)  # recorded phenotypes per patient, inclusive
PHENOTYPE_EXPONENT = 0.6  # a disease's k-th most cited phenotype is k**-0.6 as likely
VISIT_P = 0.2  # visits per patient: geometric with mean 5, capped below
MAX_VISITS = 20
OWN_INSTITUTION = 0.92  # visits at the contributing hospital (the rest elsewhere in the network)
VISIT_TYPES = ("outpatient", "inpatient", "emergency")
VISIT_TYPE_SHARES = (0.8, 0.17, 0.03)
LAB_RATE = 0.6  # visits with the disease's monitoring lab
TREATMENT_ENDED = 0.25

# Approximate median height (cm) and weight (kg) of Chinese children by age (years).
AGES = [0, 0.5, 1, 2, 3, 5, 8, 10, 12, 15, 18, 21]
HEIGHT = {
    True: [50, 68, 76, 88, 96, 110, 128, 139, 151, 170, 174, 175],
    False: [49, 66, 74, 86, 95, 109, 127, 139, 152, 159, 161, 161],
}
WEIGHT = {
    True: [3.3, 8.0, 9.9, 12.5, 14.3, 18.5, 26.0, 33.0, 41.0, 56.0, 63.0, 65.0],
    False: [3.2, 7.4, 9.2, 11.9, 13.9, 18.0, 25.0, 32.5, 42.0, 51.0, 53.0, 54.0],
}

Columns = dict[str, NDArray[Any]]


@dataclass(frozen=True)
class Prepared:
    hpo: list[NDArray[np.str_]]  # per disease (index into DISEASES): its usable HPO terms
    pools: dict[str, Pool]  # per gene: its synthetic variants


@dataclass(frozen=True)
class Context:
    skeleton: dict[str, NDArray[Any]]
    prepared: Prepared
    institutions: tuple[str, ...]


def _dates(days: NDArray[np.int64]) -> NDArray[np.datetime64]:
    return days.astype("datetime64[D]")


def _by_patient(who: NDArray[np.int64], columns: Columns) -> Columns:
    order = np.argsort(who, kind="stable")
    return {name: values[order] for name, values in columns.items()}


def write_chunk(
    engine: Engine, ctx: Context, start: int, stop: int, rng: np.random.Generator
) -> None:
    s = {name: values[start:stop] for name, values in ctx.skeleton.items()}
    _patients(engine, ctx, s)
    _phenotypes(engine, ctx, s, rng)
    _variants(engine, ctx, s, rng)
    _visits(engine, ctx, s, start, rng)
    _treatments(engine, s, rng)


def _patients(engine: Engine, ctx: Context, s: Columns) -> None:
    disease = s["disease"]
    engine.load("patient", {
        **{key: s[key] for key in ("patient_id", "name", "id_number", "phone", "address",
                                   "medical_record_no", "insurance_no", "guardian_name")},
        "birth_date": _dates(s["birth"]),
        "sex": np.where(s["male"], "M", "F"),
        "province": s["province"],
        "institution_id": np.array(ctx.institutions)[s["institution"]],
        "enrolled_date": _dates(s["enrolled"]),
    })  # fmt: skip
    engine.load("diagnosis", {
        "patient_id": s["patient_id"],
        "orpha_code": np.array([d.orpha for d in DISEASES])[disease],
        "icd10": np.array([d.icd10 for d in DISEASES])[disease],
        "diagnosis_date": _dates(s["diagnosed"]),
        "onset_age_months": s["onset"].astype(np.int32),
        "confirmation": s["confirmation"],
    })  # fmt: skip
    engine.load("consent", {
        "patient_id": s["patient_id"],
        "broad_consent_date": _dates(s["enrolled"]),
        "withdrawal_date": _dates(np.where(s["withdrawn"], s["withdrawal"], NO_DATE)),
    })  # fmt: skip


def _phenotypes(engine: Engine, ctx: Context, s: Columns, rng: np.random.Generator) -> None:
    """3-8 distinct phenotypes per patient from the disease's annotations, sampled without
    replacement (Gumbel top-k), the most cited ones most often."""
    who_parts, hpo_parts = [], []
    for j, terms in enumerate(ctx.prepared.hpo):
        rows = np.flatnonzero(s["disease"] == j)
        if not len(rows) or not len(terms):
            continue
        keys = -PHENOTYPE_EXPONENT * np.log(np.arange(1, len(terms) + 1)) + rng.gumbel(
            size=(len(rows), len(terms))
        )
        top = np.argsort(-keys, axis=1)[:, : PHENOTYPES[1]]
        count = np.minimum(rng.integers(PHENOTYPES[0], PHENOTYPES[1] + 1, len(rows)), len(terms))
        keep = np.arange(top.shape[1])[None, :] < count[:, None]
        who_parts.append(np.broadcast_to(rows[:, None], top.shape)[keep])
        hpo_parts.append(terms[top[keep]])
    who = np.concatenate(who_parts) if who_parts else np.zeros(0, dtype=np.int64)
    hpo = np.concatenate(hpo_parts) if hpo_parts else np.zeros(0, dtype="U10")
    observed = np.maximum(s["birth"][who], s["diagnosed"][who] - rng.integers(0, 121, len(who)))
    engine.load("phenotype", _by_patient(who, {
        "patient_id": s["patient_id"][who], "hpo_id": hpo, "observed_date": _dates(observed),
    }))  # fmt: skip


def _variants(engine: Engine, ctx: Context, s: Columns, rng: np.random.Generator) -> None:
    who_parts: list[NDArray[np.int64]] = []
    parts: dict[str, list[NDArray[np.str_]]] = {"gene": [], "hgvs": [], "zyg": [], "acmg": []}
    for j, spec in enumerate(DISEASES):
        rows = np.flatnonzero((s["disease"] == j) & s["genotyped"])
        if not spec.genes or not len(rows):
            continue
        shares = np.array([share for _, share in spec.genes])
        pick = rng.choice(len(spec.genes), len(rows), p=shares / shares.sum())
        for g, (gene, _) in enumerate(spec.genes):
            sub = rows[pick == g]
            if not len(sub):
                continue
            who, hgvs, zyg, acmg = draw(
                ctx.prepared.pools[gene], zygosity(spec.inheritance, s["male"][sub], rng), rng
            )
            who_parts.append(sub[who])
            for key, values in (("gene", np.full(len(who), gene)), ("hgvs", hgvs), ("zyg", zyg),
                                ("acmg", acmg)):  # fmt: skip
                parts[key].append(values)
    if not who_parts:
        return
    who = np.concatenate(who_parts)
    engine.load("variant", _by_patient(who, {
        "patient_id": s["patient_id"][who],
        "gene_symbol": np.concatenate(parts["gene"]),
        "hgvs_c": np.concatenate(parts["hgvs"]),
        "zygosity": np.concatenate(parts["zyg"]),
        "acmg_class": np.concatenate(parts["acmg"]),
    }))  # fmt: skip


def _visits(engine: Engine, ctx: Context, s: Columns, start: int, rng: np.random.Generator) -> None:
    k = len(s["patient_id"])
    counts = np.minimum(rng.geometric(VISIT_P, k), MAX_VISITS)
    owner = np.repeat(np.arange(k), counts)
    index = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
    u = rng.random(len(owner))
    u[index == 0] = 0.0  # the first visit is on the day of enrolment
    u = u[np.lexsort((u, owner))]
    enrolled = s["enrolled"][owner]
    day = enrolled + np.floor(u * (CUTOFF - enrolled + 1)).astype(np.int64)
    age_days = day - s["birth"][owner]
    age = age_days / 365.25
    male = s["male"][owner]
    disease = s["disease"][owner]
    growth = np.array([spec.growth for spec in DISEASES])[disease]
    z_height, z_weight = rng.normal(size=k)[owner], rng.normal(size=k)[owner]
    height = np.where(male, np.interp(age, AGES, HEIGHT[True]), np.interp(age, AGES, HEIGHT[False]))
    height = np.round(height * growth[:, 0] * (1 + 0.04 * z_height), 1)
    weight = np.where(male, np.interp(age, AGES, WEIGHT[True]), np.interp(age, AGES, WEIGHT[False]))
    weight = np.round(weight * growth[:, 1] * (1 + 0.1 * z_weight), 1)
    visit_type = np.array(VISIT_TYPES)[
        rng.choice(len(VISIT_TYPES), len(owner), p=VISIT_TYPE_SHARES)
    ]
    own = rng.random(len(owner)) < OWN_INSTITUTION
    institution = np.where(
        own, s["institution"][owner], rng.integers(0, len(ctx.institutions), len(owner))
    )
    number = (start + owner + 1).astype(np.int64) * 100 + index + 1
    visit_id = np.strings.add("V", np.strings.zfill(number.astype("U10"), 10))
    mentions = {key: s[key] for _, key, _ in MENTIONS}
    engine.load("visit", {
        "visit_id": visit_id,
        "patient_id": s["patient_id"][owner],
        "institution_id": np.array(ctx.institutions)[institution],
        "visit_date": _dates(day),
        "visit_type": visit_type,
        "weight_kg": weight,
        "height_cm": height,
        "notes": visit_notes(visit_type, age_days, weight, height, owner, mentions, rng),
    })  # fmt: skip
    _labs(engine, s, owner, visit_id, day, disease, rng)


def _labs(
    engine: Engine,
    s: Columns,
    owner: NDArray[np.int64],
    visit_id: NDArray[np.str_],
    day: NDArray[np.int64],
    disease: NDArray[np.int64],
    rng: np.random.Generator,
) -> None:
    rows_parts, code, value, unit = [], [], [], []
    for j, spec in enumerate(DISEASES):
        for lab in spec.labs:
            rows = np.flatnonzero((disease == j) & (rng.random(len(owner)) < LAB_RATE))
            rows_parts.append(rows)
            code.append(np.full(len(rows), lab.loinc))
            unit.append(np.full(len(rows), lab.unit))
            raw = np.exp(rng.normal(np.log(lab.median), lab.spread, len(rows)))
            value.append(np.round(raw, lab.decimals))
    if not rows_parts:
        return
    rows = np.concatenate(rows_parts)
    engine.load("lab_result", _by_patient(rows, {
        "patient_id": s["patient_id"][owner[rows]],
        "visit_id": visit_id[rows],
        "analyte": np.concatenate(code),
        "value": np.concatenate(value),
        "unit": np.concatenate(unit),
        "sample_date": _dates(day[rows]),
    }))  # fmt: skip


def _treatments(engine: Engine, s: Columns, rng: np.random.Generator) -> None:
    who_parts, names, atcs = [], [], []
    for j, spec in enumerate(DISEASES):
        rows = np.flatnonzero(s["disease"] == j)
        for treatment in spec.treatments:
            take = rows[rng.random(len(rows)) < treatment.fraction]
            who_parts.append(take)
            names.append(np.full(len(take), treatment.name))
            atcs.append(np.full(len(take), treatment.atc))
    if not who_parts:
        return
    who = np.concatenate(who_parts)
    begin = np.minimum(s["diagnosed"][who] + rng.integers(0, 181, len(who)), CUTOFF)
    end = begin + rng.integers(30, 1500, len(who))
    ended = (rng.random(len(who)) < TREATMENT_ENDED) & (end <= CUTOFF)
    engine.load("treatment", _by_patient(who, {
        "patient_id": s["patient_id"][who],
        "treatment": np.concatenate(names),
        "atc_code": np.concatenate(atcs),
        "start_date": _dates(begin),
        "end_date": _dates(np.where(ended, end, NO_DATE)),
    }))  # fmt: skip
