"""The joined gate (R28) on a large release, against pycanon on the same joined table.

The release: ``--patients`` children (100,000) with ``--visits`` visits each (10), as the
release pipeline holds it before its gate: a person table (pseudonym, shifted birth date, sex,
region), a diagnosis table (Orphanet code, Zipf-distributed over 24 diseases), a visit table
(pseudonym, visit pseudonym, shifted visit date, weight) and a lab table (60 % of the visits,
linked by the visit pseudonym, dated). The joined view has 14 quasi-identifiers: the 4 of the
person tables and 5 per event table (count, first date, first date relative to birth, the
sequence of dates, the sequence of intervals); the gate evaluates the 469 combinations of up to
3 of them and the full set (the whole risk suite).

Contenders, each in a fresh process of its own started from the harness's launcher
(``--child``), after loading its input (pickled once by this process); the call is timed as its
first call in that process, imports included:

- ``ours joined gate``: from the released tables: build the joined view, evaluate every
  combination and the full set (``risk.joined_gate.joined_report``), the findings;
- ``ours combinations``: on the joined table (the view's integer codes, a pandas DataFrame):
  k (``suite.k_anonymity``) of every ``--every``-th combination of up to 3 quasi-identifiers
  and of the full set;
- ``pycanon combinations`` (peer, pycanon 1.3.5 ``k_anonymity``): the same k on the same
  DataFrame, one call per combination (pycanon takes about 1.5 s per combination at 100,000
  rows: all 470 would take some 12 minutes per run, hence the sample; ``--every 1`` for all).

The answers must agree (every k). Goals (the joined-gate brief): the joined gate <= 10 s and
<= 2 GB (the whole process, tables included) on 2 cores; the ratio to pycanon is reported.

    python -m benchmarks.bench_joined_gate [--patients 100000] [--visits 10] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
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

SEED = 20261202
CONTENDERS = ("ours joined gate", "ours combinations", "pycanon combinations")
REGIONS = ("North", "Northeast", "East", "Central", "South", "Southwest", "Northwest")
LAB_SHARE = 0.6


def _hex(rng: Any, count: int) -> Any:
    """``count`` distinct-looking 128-bit pseudonyms in hex (as the release's HMACs look)."""
    import numpy as np

    words = rng.integers(0, 1 << 63, size=(count, 2), dtype=np.int64)
    return np.array([f"{a:016x}{b:016x}" for a, b in words.tolist()], dtype=object)


def release(patients: int, visits: int, seed: int = SEED) -> dict[str, dict[str, Any]]:
    """The released tables (module doc), vectorised."""
    import numpy as np

    rng = np.random.default_rng(seed)
    ids = _hex(rng, patients)
    birth = np.datetime64("2005-01-01") + rng.integers(0, 7500, patients).astype("timedelta64[D]")
    ranks = 1.0 / np.arange(1, 25)
    orpha = np.array([f"ORPHA:{1000 + 37 * i}" for i in range(24)], dtype=object)
    owner = np.repeat(np.arange(patients), visits)
    gaps = rng.exponential(120.0, (patients, visits)).astype(np.int64) + 1  # days between
    gaps[:, 0] = rng.integers(30, 3650, patients)  # the first visit: days after birth
    days = (birth[:, None] + np.cumsum(gaps, axis=1).astype("timedelta64[D]")).reshape(-1)
    visit_ids = _hex(rng, len(owner))
    labs = rng.random(len(owner)) < LAB_SHARE
    return {
        "patient": {
            "patient_id": ids,
            "birth_date": birth,
            "sex": np.array(["F", "M"], dtype=object)[rng.integers(0, 2, patients)],
            "region": np.array(REGIONS, dtype=object)[rng.integers(0, len(REGIONS), patients)],
        },
        "diagnosis": {
            "patient_id": ids,
            "orpha_code": orpha[rng.choice(24, patients, p=ranks / ranks.sum())],
        },
        "visit": {
            "patient_id": ids[owner],
            "visit_id": visit_ids,
            "visit_date": days,
            "weight_kg": np.round(rng.normal(30, 8, len(owner)), 1),
        },
        "lab_result": {
            "patient_id": ids[owner][labs],
            "visit_id": visit_ids[labs],
            "sample_date": days[labs],
            "value": np.round(rng.lognormal(5, 1, int(labs.sum())), 1),
        },
    }


def spec() -> Any:
    from cohortgate.custodian.risk.joined import EventTable, JoinSpec

    return JoinSpec.of(
        {"patient": ["birth_date", "sex", "region"], "diagnosis": ["orpha_code"]},
        [EventTable("visit", "visit_date"), EventTable("lab_result", "sample_date", "lab")],
        birth=("patient", "birth_date"),
    )


def combinations(names: Sequence[str], every: int = 1) -> list[tuple[str, ...]]:
    """Every ``every``-th combination of up to 3 quasi-identifiers, and the full set."""
    from cohortgate.custodian.risk.joined_gate import combinations_of

    return [*combinations_of(list(names), 3)[::every], tuple(names)]


def call(what: str, data: Any, every: int = 1) -> Callable[[], Any]:
    """One contender, as a call that imports what it needs."""

    def ours_gate() -> Any:
        from cohortgate.custodian.risk.joined import joined_view
        from cohortgate.custodian.risk.joined_gate import joined_gate, joined_report

        report = joined_report(joined_view(data, spec()))
        findings = joined_gate(report)
        summary = report.summary()
        return {
            "persons": report.persons,
            "combinations": len(report.combinations),
            "failing": len(report.failing),
            "k": summary["k"],
            "full_k": summary["full_set"]["k"],
            "full_uniques": summary["full_set"]["sample_uniques"],
            "findings": len(findings),
        }

    def ours_combinations() -> Any:
        from cohortgate.custodian.risk.suite import k_anonymity

        return [k_anonymity(data, list(c)) for c in combinations(list(data.columns), every)]

    def pycanon_combinations() -> Any:
        import pycanon.anonymity as pa

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            chosen = combinations(list(data.columns), every)
            return [int(pa.k_anonymity(data, list(c))) for c in chosen]

    return {
        "ours joined gate": ours_gate,
        "ours combinations": ours_combinations,
        "pycanon combinations": pycanon_combinations,
    }[what]


def inputs(patients: int, visits: int) -> tuple[Path, Path]:
    folder = ROOT / "build" / "benchmarks"
    return (
        folder / f"joined-{patients}x{visits}.pkl",
        folder / f"joined-{patients}x{visits}-view.pkl",
    )


def child(what: str, patients: int, visits: int, every: int) -> int:
    """One contender in a fresh process: its input loaded, then the first call."""
    tables_file, view_file = inputs(patients, visits)
    if what == "ours joined gate":
        with open(tables_file, "rb") as f:
            data = pickle.load(f)
    else:
        import pandas as pd

        data = pd.read_pickle(view_file)
    result, timing = first_call(call(what, data, every))
    print(json.dumps({"what": what, "result": result, **timing}))
    return 0


def prepare(patients: int, visits: int) -> dict[str, Any]:
    """Write both inputs; the joined table is the view's codes as a DataFrame."""
    import pandas as pd

    from cohortgate.custodian.risk.joined import joined_view

    tables_file, view_file = inputs(patients, visits)
    tables_file.parent.mkdir(parents=True, exist_ok=True)
    tables = release(patients, visits)
    with open(tables_file, "wb") as f:
        pickle.dump(tables, f, protocol=pickle.HIGHEST_PROTOCOL)
    view = joined_view(tables, spec())
    pd.DataFrame(view.table()).to_pickle(view_file)
    return {"rows": {t: len(c["patient_id"]) for t, c in tables.items()}, "qis": view.names}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--visits", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--every",
        type=int,
        default=10,
        help="k on every n-th combination (and the full set) for the pycanon comparison: "
        "pycanon takes about 1.5 s per combination at 100,000 rows",
    )
    parser.add_argument("--child", choices=CONTENDERS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.patients, args.visits, args.every)
    made = prepare(args.patients, args.visits)

    def contender(what: str) -> Callable[[], Usage]:
        argv = python_module(
            "benchmarks.bench_joined_gate",
            *("--patients", str(args.patients), "--visits", str(args.visits)),
            *("--every", str(args.every), "--child", what),
        )
        return lambda: measure(argv, codes=(0,))

    runs = interleave({what: contender(what) for what in CONTENDERS}, args.repeats)
    said = {what: [told(r) for r in used] for what, used in runs.items()}
    # same answers first: a fast wrong answer is no result
    answers = {json.dumps(r["result"]) for w in CONTENDERS[1:] for r in said[w]}
    assert len(answers) == 1, "ours and pycanon disagree on some combination's k"
    ks = said["ours combinations"][-1]["result"]
    gate = said["ours joined gate"][-1]["result"]
    assert gate["k"] <= min(ks[:-1]) and gate["full_k"] == ks[-1]
    compared = len(ks)

    def call_s(what: str) -> float:
        return statistics.median(r["seconds"] for r in said[what])

    gate_s = call_s("ours joined gate")
    gate_rss = median(runs["ours joined gate"], "rss_mb")
    ratio = call_s("pycanon combinations") / call_s("ours combinations")
    ok = gate_s <= 10 and gate_rss <= 2048
    all_peer = call_s("pycanon combinations") * (gate["combinations"] + 1) / compared
    rows = [
        (
            "release",
            f"{args.patients:,} patients x {args.visits} visits: "
            + ", ".join(f"{t} {n:,} rows" for t, n in made["rows"].items()),
        ),
        (
            "joined view",
            f"{len(made['qis'])} quasi-identifiers, {gate['combinations']} combinations of up "
            f"to 3 + the full set; min k {gate['k']}, {gate['failing']} failing; full set "
            f"k = {gate['full_k']}, {gate['full_uniques']:,} sample uniques",
        ),
        ("machine", f"{os.cpu_count()} CPUs, load (1 min) {os.getloadavg()[0]:.2f}"),
        ("ours joined gate, first call (import included)", f"{gate_s:.2f} s (goal <= 10 s)"),
        (
            "ours combinations (k), first call",
            f"{call_s('ours combinations'):.2f} s ({compared} combinations: every "
            f"{args.every}th and the full set)",
        ),
        ("pycanon combinations (k, peer), first call", f"{call_s('pycanon combinations'):.2f} s"),
        ("ratio pycanon / ours on the joined table", f"{ratio:.1f}x"),
        (
            "pycanon, all combinations (extrapolated)",
            f"{all_peer:.0f} s: {all_peer / gate_s:.0f}x our whole joined gate (which also "
            "builds the view and runs the full suite)",
        ),
        *[(f"whole process: {what}", line(runs[what])) for what in CONTENDERS],
        ("process peak RSS, ours joined gate", f"{gate_rss:.0f} MB (goal <= 2048)"),
        ("goals", verdict(ok)),
        (
            "first calls (s)",
            "; ".join(f"{w}: {[round(r['seconds'], 2) for r in said[w]]}" for w in CONTENDERS),
        ),
    ]
    data: dict[str, Any] = dict(report("the joined gate against pycanon", rows))
    data["goal_met"] = ok
    data["first_call_s"] = {w: call_s(w) for w in CONTENDERS}
    data["process_rss_mb"] = {w: median(runs[w], "rss_mb") for w in CONTENDERS}
    save("joined_gate", data)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
