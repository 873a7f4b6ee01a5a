"""The fingerprint code: keyed +-1 marks per carrier cell, and the exact tail of a score.

Choice of code. Each recipient's fingerprint is a keyed pseudo-random +-1 sequence indexed by
carrier cells: cell c of the release with watermark key K carries

    selected(c) = HMAC-SHA-256(K, domain | stable key of c)[byte 2j] < share * 256
    mark(c)     = +1 if that digest's byte 2j+1 is odd else -1

(j the cell's slot: the carrier column's place in the release's plan). A leak is scored
against a candidate release by reading each matched carrier as a bit y in {-1, 0, +1} (0: the
value is neither one step up nor one step down from the original, i.e. altered or unmarked)
and summing y * mark. This is the bias-free "symmetric" accusation of a Tardos-style code
with every bias p = 1/2, and it is chosen over a full Tardos code with random biases because:

- its false-accusation probability is exact and needs no assumption about the attacker: an
  innocent candidate's marks come from a key that is independent of everything in the leak
  (the leak was made from other keys' copies), so, given the readings, its agreements on the
  n read carriers follow Binomial(n, 1/2) exactly (HMAC modelled as a pseudo-random
  function). The tail is computed exactly (``scipy.special.bdtrc``), not bounded by
  Hoeffding's exp(-2 t^2 / n), which would need ~1.6x more carriers for the same guarantee;
- the goal is tracing one recipient out of 1,000 from a 200-row leak; Tardos' collusion
  resistance costs a code length growing with c^2 for c colluders (>= 100 c^2 ln(n/eps)
  originally, ~pi^2/2 c^2 ln(1/eps) symmetric), far beyond the ~300-600 carriers a 200-row leak
  holds for c >= 3. With this code a coalition can at best erase the marks where its copies
  differ; it can never make an innocent recipient's score large (same independence argument),
  so the false-accusation guarantee holds against any coalition. What collusion can do is
  lower the colluders' own scores (averaging two copies erases the half of the cells where
  they differ and leaves both colluders' marks on the other half: both still score).

Decision rule: with m candidate releases and a global false-accusation target eps, a candidate
is accused when P(Binomial(n, 1/2) >= agreements) <= eps / m. By the union bound the chance
that ANY innocent candidate is accused is at most eps.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import special

Marks = npt.NDArray[np.int8]

ROW_DOMAIN = b"cohortgate/watermark/v1/row\x00"
PATIENT_DOMAIN = b"cohortgate/watermark/v1/patient\x00"
_SLOTS_PER_DIGEST = 16  # 32 bytes: one selection byte and one sign byte per slot


def _digests(key: bytes, domain: bytes, ids: Sequence[Any], block: int) -> npt.NDArray[np.uint8]:
    prefix = domain + bytes([block])
    raw = b"".join(hmac.digest(key, prefix + str(i).encode(), "sha256") for i in ids)
    return np.frombuffer(raw, dtype=np.uint8).reshape(len(ids), 32)


def keyed_marks(
    key: bytes, domain: bytes, ids: Sequence[Any], slots: int, share: float
) -> npt.NDArray[np.int8]:
    """The marks of ``slots`` cells for each id: an int8 array (len(ids), slots) with 0 for a
    cell the keyed hash did not select and +-1 for a selected one."""
    if len(key) < 16:
        raise ValueError("a watermark key has at least 16 bytes (the vault issues 32)")
    if not 0.0 < share <= 1.0:
        raise ValueError(f"carrier share {share} is not in (0, 1]")
    n = len(ids)
    out = np.zeros((n, slots), dtype=np.int8)
    if n == 0 or slots == 0:
        return out
    limit = round(share * 256)
    for block in range((slots + _SLOTS_PER_DIGEST - 1) // _SLOTS_PER_DIGEST):
        width = min(_SLOTS_PER_DIGEST, slots - block * _SLOTS_PER_DIGEST)
        digest = _digests(key, domain, ids, block).astype(np.int16)
        selected = digest[:, 0 : 2 * width : 2] < limit
        sign = np.where(digest[:, 1 : 2 * width : 2] & 1, 1, -1)
        start = block * _SLOTS_PER_DIGEST
        out[:, start : start + width] = np.where(selected, sign, 0)
    return out


def row_marks(key: bytes, row_keys: Sequence[Any], slots: int, share: float) -> Marks:
    """Marks of the measurement cells of rows with these stable keys, one column per slot."""
    return keyed_marks(key, ROW_DOMAIN, row_keys, slots, share)


def patient_marks(key: bytes, patient_keys: Sequence[Any], share: float) -> Marks:
    """The extra day (-1, +1; 0 when not selected) of each patient's whole date shift."""
    unique, inverse = np.unique(
        np.asarray(patient_keys, dtype=object).astype(str), return_inverse=True
    )
    marks = keyed_marks(key, PATIENT_DOMAIN, list(unique), 1, share)[:, 0]
    return marks[inverse.reshape(-1)]


# --- the score's distribution ----------------------------------------------------------------


def innocent_tail(carriers: Any, agreements: Any) -> npt.NDArray[np.float64]:
    """P(Binomial(carriers, 1/2) >= agreements), exactly: the chance that an innocent
    candidate agrees with the leak on at least that many of ``carriers`` read cells."""
    n = np.asarray(carriers, dtype=np.int64)
    a = np.asarray(agreements, dtype=np.int64)
    tail = np.where(a <= 0, 1.0, special.bdtrc(np.maximum(a - 1, 0), n, 0.5))
    return np.asarray(np.where(a > n, 0.0, tail), dtype=np.float64)


def accusation_threshold(carriers: int, level: float) -> int:
    """The fewest agreements out of ``carriers`` whose innocent tail is at most ``level``
    (``carriers + 1`` when even full agreement is not enough)."""
    a = np.arange(carriers + 2)
    ok = np.nonzero(innocent_tail(np.full(a.shape, carriers), a) <= level)[0]
    return int(ok[0]) if ok.size else carriers + 1


def miss_probability(carriers: int, agree: float, level: float) -> float:
    """The chance that the guilty release, agreeing on each read carrier independently with
    probability ``agree``, stays below the accusation threshold: P(Binomial(n, agree) < a*)."""
    threshold = accusation_threshold(carriers, level)
    if threshold == 0:
        return 0.0
    return float(special.bdtr(np.int64(threshold - 1), np.int64(carriers), agree))
