"""The re-identification gate's risk suite against pycanon on the same table.

Peer: pycanon 1.3.6 (``pycanon.anonymity.k_anonymity`` and ``l_diversity``), called on the same
pandas DataFrame in the same process, interleaved with ours (medians). The table is the
research note's synthetic paediatric rare-disease extract (privacy-anchors.md, appendix A:
age, sex, province, diagnosis, onset year, ethnic group as quasi-identifiers; gene as the
sensitive field), plus a numeric sensitive field (age at onset) for the ordered t-closeness.

Goals (issue 5): full suite <= 5 s; k >= 17x and distinct l >= 48x faster than pycanon;
peak memory <= 1.5 GB. Peak RSS is measured in a child process per contender (table
generation included, shown separately); the suite's own allocations with tracemalloc.

    python -m benchmarks.bench_risk [--rows 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import tracemalloc
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import ROOT, alternate, child_usage, python_module, report, save
from cohortgate.custodian.risk import distinct_l_diversity, k_anonymity, risk_report

SEED = 20240601
REF_YEAR = 2024
N_PROV, N_DIAG, N_GENE = 34, 200, 300
QI = ["age", "sex", "province", "diagnosis", "onset_year", "ethnic"]
SA = ["gene"]
SUITE_SA = ["gene", "onset_age"]


def table(rows: int, seed: int = SEED) -> Any:
    """The research note's generator (same distributions), vectorised."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    age = rng.integers(0, 19, rows)
    sex = rng.choice(np.array(["F", "M"], dtype=object), rows)
    w_prov = rng.dirichlet(np.ones(N_PROV) * 2.0)
    provinces = np.array([f"P{i:02d}" for i in range(N_PROV)], dtype=object)
    prov = provinces[rng.choice(N_PROV, rows, p=w_prov)]
    ranks = np.arange(1, N_DIAG + 1)
    w_diag = 1.0 / ranks**1.1
    w_diag /= w_diag.sum()
    diag_codes = np.array([f"ORPHA:{1000 + 37 * i}" for i in range(N_DIAG)], dtype=object)
    d_idx = rng.choice(N_DIAG, rows, p=w_diag)
    onset_age = (rng.random(rows) * (age + 1)).astype(np.int64)
    onset_year = REF_YEAR - age + onset_age
    genes = np.array([f"GENE{i:03d}" for i in range(N_GENE)], dtype=object)
    n_genes = rng.integers(1, 4, N_DIAG)
    pool = np.stack([rng.choice(N_GENE, 3, replace=False) for _ in range(N_DIAG)])
    pick = (rng.random(rows) * n_genes[d_idx]).astype(np.int64)
    gene = genes[pool[d_idx, pick]]
    w_eth = np.r_[0.91, np.full(55, 0.09 / 55)]
    ethnic = np.array([f"E{i:02d}" for i in range(56)], dtype=object)[rng.choice(56, rows, p=w_eth)]
    return pd.DataFrame(
        {
            "age": age.astype(str).astype(object),
            "sex": sex,
            "province": prov,
            "diagnosis": diag_codes[d_idx],
            "onset_year": onset_year.astype(str).astype(object),
            "ethnic": ethnic,
            "gene": gene,
            "onset_age": onset_age,
        }
    )


def contenders(df: Any) -> dict[str, Any]:
    import pycanon.anonymity as pa

    def quiet(fn: Any) -> Any:
        def run() -> Any:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return fn()

        return run

    return {
        "ours k": lambda: k_anonymity(df, QI),
        "pycanon k": quiet(lambda: pa.k_anonymity(df, QI)),
        "ours distinct l": lambda: distinct_l_diversity(df, QI, SA),
        "pycanon distinct l": quiet(lambda: pa.l_diversity(df, QI, SA)),
        "ours full suite": lambda: risk_report(df, QI, SUITE_SA, population_size=10 * len(df)),
    }


def table_file(rows: int) -> Path:
    return ROOT / "build" / "benchmarks" / f"risk-table-{rows}.pkl"


def child(what: str, rows: int) -> int:
    """One contender in a process of its own, for its peak RSS (the table is unpickled, which
    peaks lower than generating it)."""
    import pandas as pd

    df = pd.read_pickle(table_file(rows))
    loaded = _status_mb("VmRSS")
    reset = _reset_peak()
    result = None if what == "load" else contenders(df)[what]()
    peak = _status_mb("VmHWM") if reset else None
    print(
        json.dumps(
            {"what": what, "loaded_mb": loaded, "call_peak_mb": peak, "result": str(result)[:80]}
        )
    )
    return 0


def _status_mb(field: str) -> float | None:
    """A line of /proc/self/status in MB (Linux), else None."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) so that it measures the call alone (Linux)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.rows)

    df = table(args.rows)
    ours = risk_report(df, QI, SUITE_SA, population_size=10 * args.rows)
    runs = contenders(df)
    # same answers first: a fast wrong answer is no result
    import pycanon.anonymity as pa

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert ours.k == pa.k_anonymity(df, QI)
        assert distinct_l_diversity(df, QI, SA) == pa.l_diversity(df, QI, SA)
    runs["ours full suite"]()  # warm our code paths; pycanon is not warmed (too slow)
    timings = alternate(runs, args.repeats, warmup=False)

    tracemalloc.start()
    risk_report(df, QI, SUITE_SA, population_size=10 * args.rows)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    table_file(args.rows).parent.mkdir(parents=True, exist_ok=True)
    df.to_pickle(table_file(args.rows))

    rss: dict[str, float] = {}
    during: dict[str, str] = {}
    for what in ("load", "ours full suite", "pycanon k"):
        used = child_usage(
            python_module("benchmarks.bench_risk", "--rows", str(args.rows), "--child", what)
        )
        rss[what] = used.rss_mb
        told = json.loads(used.out.strip().splitlines()[-1])
        if told["call_peak_mb"] is not None and told["loaded_mb"] is not None:
            during[what] = (
                f"{told['call_peak_mb']:.0f} MB (table loaded: {told['loaded_mb']:.0f} MB)"
            )
        else:
            during[what] = "n/a (needs Linux /proc)"

    def med(name: str) -> float:
        return timings[name].median

    k_ratio = med("pycanon k") / med("ours k")
    l_ratio = med("pycanon distinct l") / med("ours distinct l")
    full = med("ours full suite")
    rows = [
        (
            "table",
            f"{args.rows:,} rows x {len(QI)} quasi-identifiers, {ours.classes:,} classes, "
            f"{ours.sample_uniques:,} sample uniques, k = {ours.k}",
        ),
        ("ours k, median", f"{med('ours k'):.3f} s"),
        ("pycanon k (peer), median", f"{med('pycanon k'):.2f} s"),
        ("ratio k", f"{k_ratio:.1f}x faster (goal >= 17x)"),
        ("ours distinct l, median", f"{med('ours distinct l'):.3f} s"),
        ("pycanon distinct l (peer), median", f"{med('pycanon distinct l'):.2f} s"),
        ("ratio distinct l", f"{l_ratio:.1f}x faster (goal >= 48x)"),
        (
            "ours full suite, median",
            f"{full:.2f} s (k, distinct/entropy/recursive l, t, beta on {len(SUITE_SA)} "
            f"sensitive fields, risks, Zayatz, k without each QI; goal <= 5 s)",
        ),
        (
            "full suite / pycanon k + l",
            f"{(med('pycanon k') + med('pycanon distinct l')) / full:.1f}x",
        ),
        ("suite's own allocations (tracemalloc)", f"{traced_peak / 2**20:.0f} MB peak"),
        ("process peak RSS: unpickling the table only", f"{rss['load']:.0f} MB"),
        (
            "process peak RSS: table + ours full suite",
            f"{rss['ours full suite']:.0f} MB (goal <= 1536)",
        ),
        ("process peak RSS: table + pycanon k", f"{rss['pycanon k']:.0f} MB"),
        ("peak RSS during ours full suite", during["ours full suite"]),
        ("peak RSS during pycanon k", during["pycanon k"]),
        (
            "runs (s)",
            "; ".join(f"{t.name}: {[round(x, 3) for x in t.runs]}" for t in timings.values()),
        ),
    ]
    save("risk", report("re-identification risk suite against pycanon", rows))
    ok = k_ratio >= 17 and l_ratio >= 48 and full <= 5 and rss["ours full suite"] <= 1536
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
