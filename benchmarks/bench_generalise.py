"""Choosing the generalisation for k = 5 against anjana on the same hierarchies.

Peer: anjana 1.2.3 (``anjana.anonymity.k_anonymity_inner``: greedy, generalises the
quasi-identifier with the most distinct values one level at a time, checking k with pycanon,
then suppresses classes smaller than k when at most ``supp_level`` % of records), on the same
table, the same hierarchies (``custodian.deid.hierarchies``, handed to anjana as its level ->
values tables), the same k and the same suppression limit.

The table: 100,000 synthetic paediatric records x 5 quasi-identifiers (age band, sex,
province, month of diagnosis, Orphanet code of the cohort's 24 diseases, Zipf-distributed).
Information loss of both results is Iyengar's loss metric with suppression (what ours
minimises, see ``generalise``), recomputed here from each released table and the hierarchies.

Every call runs in a fresh process of its own started from the harness's launcher
(``--child``): the process loads its input in its library's own form (ours: the columns and the
hierarchies; anjana: a pandas DataFrame and the level tables), then makes the call once, the
first in that process, importing the search's module: nobody is warmed up. The figure is that
first call, import included; the whole process and its own peak RSS are shown beside it. Runs
interleaved, medians.

Two runs of ours: "ours" minimises the loss alone (the problem anjana solves, greedily), "ours,
diagnosis kept" also keeps the Orphanet code whenever a feasible node allows it (the release's
setting; it may cost loss). Goals (issue 5), on "ours": <= 1 s, >= 18x faster than anjana,
lower information loss. Ours is the exact optimum, so its loss is never higher; where anjana's
greedy path happens to reach the optimal node the two are equal, which is reported as "equal"
and does not meet "lower". The same comparison is also run once at k = 10, where the greedy
path misses it.

    python -m benchmarks.bench_generalise [--rows 100000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import pickle
import statistics
import sys
from collections import Counter
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

SEED = 20240715
K = 5
SUPPRESSION = 0.05
QI = ["age_band", "sex", "province", "diagnosis_month", "orpha_code"]
WHO = ("ours", "ours, diagnosis kept", "anjana")
WORK = ROOT / "build" / "benchmarks" / "generalise"
SAME = 1e-12  # losses closer than this are equal


def table(rows: int, seed: int = SEED) -> dict[str, Any]:
    import numpy as np

    from cohortgate.custodian.cohort.diseases import DISEASES
    from cohortgate.custodian.deid import hierarchies as h
    from cohortgate.policy import AGE_BANDS

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


def hierarchies(data: dict[str, Any]) -> dict[str, Any]:
    from cohortgate.custodian.deid import hierarchies as h

    return {
        "age_band": h.age_band(),
        "sex": h.sex(),
        "province": h.province(),
        "diagnosis_month": h.date(data["diagnosis_month"]),
        "orpha_code": h.diagnosis(data["orpha_code"]),
    }


def loss(released: dict[str, Any], levels: dict[str, int], hs: dict[str, Any], rows: int) -> float:
    """Iyengar's loss with suppression, from the released labels (suppressed rows absent)."""
    import numpy as np

    total = 0.0
    kept = len(released[QI[0]])
    for name in QI:
        leaves = Counter(hs[name].table[levels[name]].tolist())
        domain = len(hs[name].values)
        counts = Counter(np.asarray(released[name]).tolist())
        total += sum(c * (leaves[label] - 1) / (domain - 1) for label, c in counts.items())
    total += (rows - kept) * len(QI)
    return total / (rows * len(QI))


def compared(ours: float, theirs: float) -> str:
    if abs(ours - theirs) <= SAME:
        return "equal"
    return "lower" if ours < theirs else "higher"


# --- in a child process ------------------------------------------------------------------------


def child(who: str, k: int, rows: int, out: Path) -> int:
    """One search in a fresh process: its input loaded in its own form, then the first call;
    the released table and levels pickled to ``out`` for the loss."""
    with (WORK / f"input-{rows}.pkl").open("rb") as handle:
        data, anjana_h = pickle.load(handle)
    if who == "anjana":
        import pandas as pd

        df = pd.DataFrame(data)

        def search() -> Any:
            from anjana.anonymity import k_anonymity_inner  # type: ignore[import-untyped]

            with contextlib.redirect_stdout(io.StringIO()):  # it prints its progress
                return k_anonymity_inner(df, [], list(QI), k, SUPPRESSION * 100, anjana_h)

        (theirs, suppressed, levels), timing = first_call(search)
        released = {n: theirs[n].to_numpy() for n in QI}
        facts: dict[str, Any] = {"suppressed": int(suppressed)}
    else:
        hs = hierarchies(data)
        prefer = ("orpha_code",) if who == "ours, diagnosis kept" else ()

        def search() -> Any:
            from cohortgate.custodian.deid.generalise import generalise

            return generalise(data, hs, k, max_suppression=SUPPRESSION, prefer=prefer)

        result, timing = first_call(search)
        released, levels = result.table, result.transformation
        facts = {
            "suppressed": int(result.suppressed),
            "levels": result.level_names,
            "nodes": f"{result.nodes_evaluated}/{result.nodes_total}",
            "loss": result.loss,
        }
    with out.open("wb") as handle:
        pickle.dump((released, dict(levels)), handle)
    print(json.dumps({"who": who, "k": k, **facts, **timing}, default=str))
    return 0


# --- the benchmark -----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", nargs=3, metavar=("WHO", "K", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        who, k, out = args.child
        return child(who, int(k), args.rows, Path(out))

    from cohortgate.custodian.risk.suite import k_anonymity

    WORK.mkdir(parents=True, exist_ok=True)
    data = table(args.rows)
    hs = hierarchies(data)
    anjana_h = {n: {lv: list(col) for lv, col in enumerate(hs[n].table)} for n in QI}
    with (WORK / f"input-{args.rows}.pkl").open("wb") as handle:
        pickle.dump((data, anjana_h), handle)

    def contender(who: str, k: int) -> Callable[[], Usage]:
        out = WORK / f"result-{who.replace(', ', '-').replace(' ', '-')}-{k}.pkl"
        argv = python_module(
            "benchmarks.bench_generalise",
            "--rows",
            str(args.rows),
            "--child",
            who,
            str(k),
            str(out),
        )

        def run() -> Usage:
            used = measure(argv, codes=(0,))
            with out.open("rb") as handle:
                released, levels = pickle.load(handle)
            # a valid result before any time counts: k-anonymous, loss as the search says
            assert k_anonymity(released, QI) >= k, (who, k)
            used.out = json.dumps(
                {**told(used), "loss_recomputed": loss(released, levels, hs, args.rows)}
            )
            return used

        return run

    runs = interleave({who: contender(who, K) for who in WHO}, args.repeats)
    said = {who: [told(r) for r in used] for who, used in runs.items()}
    for who in ("ours", "ours, diagnosis kept"):
        assert abs(said[who][-1]["loss"] - said[who][-1]["loss_recomputed"]) < 1e-9
    at10 = {who: contender(who, 10)() for who in ("ours", "anjana")}
    said10 = {who: told(used) for who, used in at10.items()}

    def call_s(who: str) -> float:
        return statistics.median(r["seconds"] for r in said[who])

    ours_s, anjana_s = call_s("ours"), call_s("anjana")
    ratio = anjana_s / ours_s
    ours_loss = said["ours"][-1]["loss_recomputed"]
    theirs_loss = said["anjana"][-1]["loss_recomputed"]
    kept_loss = said["ours, diagnosis kept"][-1]["loss_recomputed"]
    by_loss = compared(ours_loss, theirs_loss)
    by_loss10 = compared(said10["ours"]["loss_recomputed"], said10["anjana"]["loss_recomputed"])
    ok_time, ok_ratio, ok_loss = ours_s <= 1, ratio >= 18, by_loss == "lower"
    mine, kept, theirs = said["ours"][-1], said["ours, diagnosis kept"][-1], said["anjana"][-1]
    rows = [
        (
            "table",
            f"{args.rows:,} rows x {len(QI)} quasi-identifiers, k = {K}, "
            f"suppression <= {SUPPRESSION:.0%}",
        ),
        ("machine load (1 min)", f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"),
        ("ours, first call (import included)", f"{ours_s:.3f} s (goal <= 1 s)"),
        ("ours, diagnosis kept, first call", f"{call_s('ours, diagnosis kept'):.3f} s"),
        ("anjana 1.2.3 (peer), first call (import included)", f"{anjana_s:.2f} s"),
        ("ratio", f"{ratio:.1f}x faster (goal >= 18x)"),
        *[(f"whole process: {who}", line(runs[who])) for who in WHO],
        (
            "ratio of process peak RSS, ours / anjana",
            f"{median(runs['ours'], 'rss_mb') / median(runs['anjana'], 'rss_mb'):.2f}x",
        ),
        (
            "ours: transformation",
            f"{mine['levels']} suppressed {mine['suppressed']:,}, {mine['nodes']} nodes evaluated",
        ),
        (
            "ours, diagnosis kept: transformation",
            f"{kept['levels']} suppressed {kept['suppressed']:,}, {kept['nodes']} nodes evaluated",
        ),
        ("anjana: suppressed", f"{theirs['suppressed']:,}"),
        (
            "loss (Iyengar LM with suppression)",
            f"ours {ours_loss:.4f}, anjana {theirs_loss:.4f}: ours {by_loss} (goal: lower) "
            f"(ours with the diagnosis kept: {kept_loss:.4f})",
        ),
        (
            "k = 10, one run each",
            f"ours {said10['ours']['seconds']:.3f} s, loss "
            f"{said10['ours']['loss_recomputed']:.4f}; anjana {said10['anjana']['seconds']:.1f} s,"
            f" loss {said10['anjana']['loss_recomputed']:.4f}: ours {by_loss10}",
        ),
        (
            "goals",
            f"time {verdict(ok_time)}, ratio {verdict(ok_ratio)}, loss {verdict(ok_loss)}",
        ),
        (
            "first calls (s)",
            "; ".join(f"{w}: {[round(r['seconds'], 3) for r in said[w]]}" for w in WHO),
        ),
    ]
    data_out: dict[str, Any] = dict(report("choosing the generalisation against anjana", rows))
    data_out["goal_met"] = ok_time and ok_ratio and ok_loss
    data_out["loss"] = by_loss
    data_out["loss_k10"] = by_loss10
    data_out["first_call_s"] = {w: call_s(w) for w in WHO}
    data_out["process_rss_mb"] = {w: median(runs[w], "rss_mb") for w in WHO}
    save("generalise", data_out)
    return 0 if data_out["goal_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
