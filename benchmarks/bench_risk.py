"""The re-identification gate's risk suite against pycanon on the same table.

Peer: pycanon 1.3.5 (``pycanon.anonymity.k_anonymity`` and ``l_diversity``) on the same pandas
DataFrame. The table is the research note's synthetic paediatric rare-disease extract
(privacy-anchors.md, appendix A: age, sex, province, diagnosis, onset year, ethnic group as
quasi-identifiers; gene as the sensitive field), plus a numeric sensitive field (age at onset)
for the ordered t-closeness.

Every call, ours and pycanon's, runs in a fresh process of its own started from the harness's
launcher (``--child``): the process loads the table (pickled once by this one), then makes the
call once, the first call in that process, importing what it needs (our suite's scipy, pycanon
and its dependencies): what every release pays. Nobody is warmed up. The figure is that first
call, import included; the whole process (interpreter, pandas, unpickling the table, the call)
and its own peak RSS are shown beside it. Runs interleaved, medians.

Goals (issue 5): full suite <= 5 s; k >= 17x and distinct l >= 48x faster than pycanon; peak
memory <= 1.5 GB (the whole process of the full suite, the table included).

    python -m benchmarks.bench_risk [--rows 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import (
    ROOT,
    Usage,
    first_call,
    interleave,
    line,
    measure,
    median,
    python_module,
    report,
    save,
    told,
    verdict,
)

SEED = 20240601
REF_YEAR = 2024
N_PROV, N_DIAG, N_GENE = 34, 200, 300
QI = ["age", "sex", "province", "diagnosis", "onset_year", "ethnic"]
SA = ["gene"]
SUITE_SA = ["gene", "onset_age"]
CONTENDERS = ("ours k", "pycanon k", "ours distinct l", "pycanon distinct l", "ours full suite")


def table(rows: int, seed: int = SEED) -> Any:
    """The research note's generator (same distributions), vectorised."""
    import numpy as np
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


def call(what: str, df: Any) -> Callable[[], Any]:
    """One contender, as a call that imports what it needs."""

    def ours_k() -> Any:
        from cohortgate.custodian.risk.suite import k_anonymity

        return k_anonymity(df, QI)

    def ours_l() -> Any:
        from cohortgate.custodian.risk.suite import distinct_l_diversity

        return distinct_l_diversity(df, QI, SA)

    def ours_suite() -> Any:
        from cohortgate.custodian.risk.suite import risk_report

        report = risk_report(df, QI, SUITE_SA, population_size=10 * len(df))
        return {"k": report.k, "classes": report.classes, "uniques": report.sample_uniques}

    def pycanon_k() -> Any:
        import pycanon.anonymity as pa

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pa.k_anonymity(df, QI)

    def pycanon_l() -> Any:
        import pycanon.anonymity as pa

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pa.l_diversity(df, QI, SA)

    calls = {
        "ours k": ours_k,
        "pycanon k": pycanon_k,
        "ours distinct l": ours_l,
        "pycanon distinct l": pycanon_l,
        "ours full suite": ours_suite,
    }
    return calls[what]


def table_file(rows: int) -> Path:
    return ROOT / "build" / "benchmarks" / f"risk-table-{rows}.pkl"


def child(what: str, rows: int) -> int:
    """One contender in a fresh process: the table loaded, then the first call."""
    import pandas as pd

    df = pd.read_pickle(table_file(rows))
    result, timing = first_call(call(what, df))
    if not isinstance(result, dict):
        result = int(result)
    print(json.dumps({"what": what, "result": result, **timing}))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", choices=CONTENDERS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.rows)

    table_file(args.rows).parent.mkdir(parents=True, exist_ok=True)
    table(args.rows).to_pickle(table_file(args.rows))

    def contender(what: str) -> Callable[[], Usage]:
        argv = python_module("benchmarks.bench_risk", "--rows", str(args.rows), "--child", what)
        return lambda: measure(argv, codes=(0,))

    runs = interleave({what: contender(what) for what in CONTENDERS}, args.repeats)
    said = {what: [told(r) for r in used] for what, used in runs.items()}
    # same answers first: a fast wrong answer is no result
    for ours, theirs in (("ours k", "pycanon k"), ("ours distinct l", "pycanon distinct l")):
        answers = {r["result"] for r in said[ours] + said[theirs]}
        assert len(answers) == 1, (ours, theirs, answers)
    suite = said["ours full suite"][-1]["result"]
    assert suite["k"] == said["pycanon k"][-1]["result"]

    def call_s(what: str) -> float:
        return statistics.median(r["seconds"] for r in said[what])

    def during(what: str) -> str:
        peaks = [r["call_peak_mb"] for r in said[what]]
        loaded = [r["input_mb"] for r in said[what]]
        if None in peaks or None in loaded:
            return "n/a (needs Linux /proc)"
        return f"{max(peaks):.0f} MB at most (table loaded: {max(loaded):.0f} MB)"

    k_ratio = call_s("pycanon k") / call_s("ours k")
    l_ratio = call_s("pycanon distinct l") / call_s("ours distinct l")
    full = call_s("ours full suite")
    suite_rss = median(runs["ours full suite"], "rss_mb")
    ok = k_ratio >= 17 and l_ratio >= 48 and full <= 5 and suite_rss <= 1536
    rows = [
        (
            "table",
            f"{args.rows:,} rows x {len(QI)} quasi-identifiers, {suite['classes']:,} classes, "
            f"{suite['uniques']:,} sample uniques, k = {suite['k']}",
        ),
        ("machine load (1 min)", f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"),
        ("ours k, first call (import included)", f"{call_s('ours k'):.3f} s"),
        ("pycanon k (peer), first call", f"{call_s('pycanon k'):.2f} s"),
        ("ratio k", f"{k_ratio:.1f}x faster (goal >= 17x)"),
        ("ratio k, whole processes", f"{median(runs['pycanon k']) / median(runs['ours k']):.1f}x"),
        ("ours distinct l, first call", f"{call_s('ours distinct l'):.3f} s"),
        ("pycanon distinct l (peer), first call", f"{call_s('pycanon distinct l'):.2f} s"),
        ("ratio distinct l", f"{l_ratio:.1f}x faster (goal >= 48x)"),
        (
            "ratio distinct l, whole processes",
            f"{median(runs['pycanon distinct l']) / median(runs['ours distinct l']):.1f}x",
        ),
        (
            "ours full suite, first call",
            f"{full:.2f} s (k, distinct/entropy/recursive l, t, beta on {len(SUITE_SA)} "
            f"sensitive fields, risks, Zayatz, k without each QI; goal <= 5 s)",
        ),
        (
            "full suite / pycanon k + l",
            f"{(call_s('pycanon k') + call_s('pycanon distinct l')) / full:.1f}x",
        ),
        *[(f"whole process: {what}", line(runs[what])) for what in CONTENDERS],
        ("process peak RSS, ours full suite", f"{suite_rss:.0f} MB (goal <= 1536)"),
        (
            "ratio of process peak RSS, ours k / pycanon k",
            f"{median(runs['ours k'], 'rss_mb') / median(runs['pycanon k'], 'rss_mb'):.2f}x",
        ),
        ("peak RSS during ours full suite", during("ours full suite")),
        ("peak RSS during pycanon k", during("pycanon k")),
        ("goals", verdict(ok)),
        (
            "first calls (s)",
            "; ".join(f"{w}: {[round(r['seconds'], 3) for r in said[w]]}" for w in CONTENDERS),
        ),
    ]
    data: dict[str, Any] = dict(report("re-identification risk suite against pycanon", rows))
    data["goal_met"] = ok
    data["first_call_s"] = {w: call_s(w) for w in CONTENDERS}
    data["process_rss_mb"] = {w: median(runs[w], "rss_mb") for w in CONTENDERS}
    save("risk", data)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
