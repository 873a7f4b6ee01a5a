"""Choosing the generalisation for k = 5 against anjana on the same hierarchies.

Peer: anjana 1.2.3 (``anjana.anonymity.k_anonymity_inner``: greedy, generalises the
quasi-identifier with the most distinct values one level at a time, checking k with pycanon,
then suppresses classes smaller than k when at most ``supp_level`` % of records), on the same
pandas DataFrame, the same hierarchies (``custodian.release.hierarchies``, handed to anjana as
its level -> values tables), the same k and the same suppression limit, in the same process,
interleaved with ours (medians).

The table: 100,000 synthetic paediatric records x 5 quasi-identifiers (age band, sex,
province, month of diagnosis, Orphanet code of the cohort's 24 diseases, Zipf-distributed).
Information loss of both results is Iyengar's loss metric with suppression (what ours
minimises, see ``generalise``), recomputed here from each released table and the hierarchies.

Two runs of ours: "ours" minimises the loss alone (the problem anjana solves, greedily), "ours,
diagnosis kept" also keeps the Orphanet code whenever a feasible node allows it (the release's
setting; it may cost loss). Goals (issue 5), on "ours": <= 1 s, >= 18x faster than anjana,
lower information loss. Ours is the exact optimum, so its loss is never higher; where anjana's
greedy path happens to reach the optimal node the two are equal, so the same comparison is also
run once at k = 10 (no medians), where the greedy path misses it.

    python -m benchmarks.bench_generalise [--rows 100000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from benchmarks.common import alternate, report, save
from cohortgate.custodian.diseases import DISEASES
from cohortgate.custodian.release import hierarchies as h
from cohortgate.custodian.release.generalise import generalise
from cohortgate.custodian.risk import k_anonymity
from cohortgate.policy import AGE_BANDS

SEED = 20240715
K = 5
SUPPRESSION = 0.05
QI = ["age_band", "sex", "province", "diagnosis_month", "orpha_code"]


def table(rows: int, seed: int = SEED) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    bands = np.array([label for label, _, _ in AGE_BANDS], dtype=object)
    codes = np.array([d.orpha for d in DISEASES], dtype=object)
    zipf = 1 / np.arange(1, len(codes) + 1)
    provinces = np.array(sorted(h.REGIONS), dtype=object)
    w_prov = rng.dirichlet(np.ones(len(provinces)) * 2.0)
    months = np.datetime64("2016-01") + rng.integers(0, 114, rows)
    return {
        "age_band": bands[rng.choice(6, rows, p=[0.22, 0.33, 0.2, 0.13, 0.08, 0.04])],
        "sex": rng.choice(np.array(["F", "M"], dtype=object), rows),
        "province": provinces[rng.choice(len(provinces), rows, p=w_prov)],
        "diagnosis_month": np.datetime_as_string(months.astype("datetime64[M]")).astype(object),
        "orpha_code": codes[rng.choice(len(codes), rows, p=zipf / zipf.sum())],
    }


def hierarchies(data: dict[str, Any]) -> dict[str, h.Hierarchy]:
    return {
        "age_band": h.age_band(),
        "sex": h.sex(),
        "province": h.province(),
        "diagnosis_month": h.date(data["diagnosis_month"]),
        "orpha_code": h.diagnosis(data["orpha_code"]),
    }


def loss(
    released: dict[str, Any], levels: dict[str, int], hs: dict[str, h.Hierarchy], rows: int
) -> float:
    """Iyengar's loss with suppression, from the released labels (suppressed rows absent)."""
    total = 0.0
    kept = len(released[QI[0]])
    for name in QI:
        leaves = Counter(hs[name].table[levels[name]].tolist())
        domain = len(hs[name].values)
        counts = Counter(np.asarray(released[name]).tolist())
        total += sum(c * (leaves[label] - 1) / (domain - 1) for label, c in counts.items())
    total += (rows - kept) * len(QI)
    return total / (rows * len(QI))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    import pandas as pd
    from anjana.anonymity import k_anonymity_inner  # type: ignore[import-untyped]

    data = table(args.rows)
    hs = hierarchies(data)
    df = pd.DataFrame(data)
    anjana_h = {n: {lv: list(col) for lv, col in enumerate(hs[n].table)} for n in QI}

    def ours() -> Any:
        return generalise(data, hs, K, max_suppression=SUPPRESSION, prefer=())

    def ours_kept() -> Any:
        return generalise(data, hs, K, max_suppression=SUPPRESSION, prefer=("orpha_code",))

    def anjana() -> Any:
        with contextlib.redirect_stdout(io.StringIO()):  # it prints its progress
            return k_anonymity_inner(df, [], list(QI), K, SUPPRESSION * 100, anjana_h)

    mine, kept = ours(), ours_kept()
    theirs, theirs_suppressed, theirs_levels = anjana()
    theirs_table = {n: theirs[n].to_numpy() for n in QI}
    assert mine.k >= K and k_anonymity(theirs_table, QI) >= K  # both valid before timing
    ours_loss = loss(mine.table, mine.transformation, hs, args.rows)
    theirs_loss = loss(theirs_table, theirs_levels, hs, args.rows)
    kept_loss = loss(kept.table, kept.transformation, hs, args.rows)
    assert abs(ours_loss - mine.loss) < 1e-9 and abs(kept_loss - kept.loss) < 1e-9

    timings = alternate(
        {"ours": ours, "ours, diagnosis kept": ours_kept, "anjana": anjana}, args.repeats
    )
    ratio = timings["anjana"].median / timings["ours"].median

    started = time.perf_counter()
    mine10 = generalise(data, hs, 10, max_suppression=SUPPRESSION, prefer=())
    ours10_s = time.perf_counter() - started
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        theirs10, _, levels10 = k_anonymity_inner(df, [], list(QI), 10, SUPPRESSION * 100, anjana_h)
    anjana10_s = time.perf_counter() - started
    theirs10_loss = loss({n: theirs10[n].to_numpy() for n in QI}, levels10, hs, args.rows)
    rows = [
        (
            "table",
            f"{args.rows:,} rows x {len(QI)} quasi-identifiers, k = {K}, "
            f"suppression <= {SUPPRESSION:.0%}",
        ),
        ("ours, median", f"{timings['ours'].median:.3f} s (goal <= 1 s)"),
        ("ours, diagnosis kept, median", f"{timings['ours, diagnosis kept'].median:.3f} s"),
        ("anjana 1.2.3 (peer), median", f"{timings['anjana'].median:.2f} s"),
        ("ratio", f"{ratio:.1f}x faster (goal >= 18x)"),
        (
            "ours: transformation",
            f"{mine.level_names} suppressed {mine.suppressed:,}, "
            f"{mine.nodes_evaluated}/{mine.nodes_total} nodes evaluated",
        ),
        (
            "ours, diagnosis kept: transformation",
            f"{kept.level_names} suppressed {kept.suppressed:,}, "
            f"{kept.nodes_evaluated}/{kept.nodes_total} nodes evaluated",
        ),
        (
            "anjana: transformation",
            f"{ {n: hs[n].levels[lv] for n, lv in theirs_levels.items()} } "
            f"suppressed {theirs_suppressed:,}",
        ),
        (
            "loss (Iyengar LM with suppression)",
            f"ours {ours_loss:.4f}, anjana {theirs_loss:.4f} "
            f"(ours with the diagnosis kept: {kept_loss:.4f})",
        ),
        (
            "k = 10, one run",
            f"ours {ours10_s:.3f} s, loss {mine10.loss:.4f}; anjana {anjana10_s:.1f} s, "
            f"loss {theirs10_loss:.4f}",
        ),
        (
            "runs (s)",
            "; ".join(f"{t.name}: {[round(x, 3) for x in t.runs]}" for t in timings.values()),
        ),
    ]
    save("generalise", report("choosing the generalisation against anjana", rows))
    ok = timings["ours"].median <= 1 and ratio >= 18 and ours_loss <= theirs_loss + 1e-12
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
