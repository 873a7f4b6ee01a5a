"""Synthetic causal variants: well-formed HGVS c. notation, recurrent like real hotspots.

Each gene gets a fixed pool of variants (substitutions, small deletions, duplications,
delins, canonical splice-site changes) at positions within a plausible coding length; patients
draw from the pool with Zipf-like frequencies, so a few variants recur as founder variants do.
The reference bases are random: the notation is valid, the variants are not real.
Zygosity follows the inheritance: autosomal recessive patients are homozygous or compound
heterozygous (two rows), autosomal dominant heterozygous, X-linked boys hemizygous and girls
heterozygous.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

POOL_SIZE = 40
POOL_EXPONENT = 1.1  # Zipf exponent of variant frequencies within a gene
HOMOZYGOUS_SHARE = 0.35  # of autosomal recessive patients (the rest compound heterozygous)
ACMG = ("pathogenic", "likely_pathogenic", "vus")
BASES = "ACGT"

# Approximate coding lengths (bp) of the reference transcripts; 2,000 for any other gene.
CDS_LENGTH = {
    "DMD": 11058, "F8": 7056, "NF1": 8457, "TSC2": 5424, "TSC1": 3495, "SCN1A": 6030,
    "ATP7B": 4398, "GAA": 2859, "PAH": 1359, "MMACHC": 849, "MECP2": 1461, "OTC": 1065,
    "PHEX": 2250, "IDS": 1653, "GBA1": 1611, "GLA": 1290, "IDUA": 1962, "PMM2": 741,
    "PCCA": 2187, "PCCB": 1620, "FGFR3": 2421, "PTPN11": 1782, "SOS1": 4002, "RAF1": 1947,
    "RIT1": 660, "KRAS": 570, "LZTR1": 2523, "SCN1B": 657, "GABRA1": 1371,
}  # fmt: skip


@dataclass(frozen=True)
class Pool:
    hgvs: NDArray[np.str_]
    acmg: NDArray[np.str_]
    weights: NDArray[np.float64]


def _one(rng: np.random.Generator, length: int) -> str:
    pos = int(rng.integers(1, length + 1))
    ref, alt = rng.choice(list(BASES), 2, replace=False)
    kind = rng.choice(["sub", "sub", "sub", "sub", "del", "dels", "dup", "delins", "splice"])
    if kind == "sub":
        return f"c.{pos}{ref}>{alt}"
    if kind == "del":
        return f"c.{pos}del"
    if kind == "dels":
        return f"c.{pos}_{min(pos + int(rng.integers(1, 20)), length)}del"
    if kind == "dup":
        return f"c.{pos}dup"
    if kind == "delins":
        inserted = "".join(rng.choice(list(BASES), 3))
        return f"c.{pos}_{min(pos + 1, length)}delins{inserted}"
    offset = ("+1", "+2", "+5", "-1", "-2")[int(rng.integers(0, 5))]
    return f"c.{min(pos, length - 1)}{offset}{ref}>{alt}"


def build_pool(gene: str, rng: np.random.Generator) -> Pool:
    length = CDS_LENGTH.get(gene, 2000)
    seen: dict[str, None] = {}
    while len(seen) < POOL_SIZE:
        seen.setdefault(_one(rng, length))
    weights = 1.0 / np.arange(1, POOL_SIZE + 1) ** POOL_EXPONENT
    # Frequent (founder) variants are mostly known pathogenic; rare ones include VUS.
    p_vus = np.linspace(0.02, 0.2, POOL_SIZE)
    u = rng.random(POOL_SIZE)
    acmg = np.where(u < 0.65 - p_vus / 2, 0, np.where(u < 1 - p_vus, 1, 2))
    return Pool(np.array(list(seen)), np.array(ACMG)[acmg], weights / weights.sum())


def zygosity(
    inheritance: str, male: NDArray[np.bool_], rng: np.random.Generator
) -> NDArray[np.str_]:
    """Per patient: 'homozygous', 'compound_heterozygous', 'heterozygous' or 'hemizygous'."""
    n = len(male)
    if inheritance == "AR":
        homozygous = rng.random(n) < HOMOZYGOUS_SHARE
        return np.where(homozygous, "homozygous", "compound_heterozygous")
    if inheritance in ("XLR", "XLD", "XL"):
        return np.where(male, "hemizygous", "heterozygous")
    return np.full(n, "heterozygous")


def draw(
    pool: Pool, zygosities: NDArray[np.str_], rng: np.random.Generator
) -> tuple[NDArray[np.int64], NDArray[np.str_], NDArray[np.str_], NDArray[np.str_]]:
    """Variant rows for patients 0..n-1 of one gene: (patient index, hgvs, zygosity, acmg).

    A compound heterozygous patient gets two rows with two different variants.
    """
    n = len(zygosities)
    first = rng.choice(POOL_SIZE, n, p=pool.weights)
    second = (first + rng.integers(1, POOL_SIZE, n)) % POOL_SIZE
    twice = np.flatnonzero(zygosities == "compound_heterozygous")
    who = np.concatenate([np.arange(n), twice])
    which = np.concatenate([first, second[twice]])
    order = np.argsort(who, kind="stable")
    who, which = who[order], which[order]
    return who, pool.hgvs[which], zygosities[who], pool.acmg[which]
