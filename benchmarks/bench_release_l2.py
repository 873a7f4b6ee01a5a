"""A whole L2 de-identification of 1,000,000 rows x 20 columns: time and peak memory.

The table is built synthetically with numpy (not through DuckDB: generating and extracting a
million-patient cohort would take minutes and measure the generator, not the release), in the
shape ``Engine.extract`` returns: one row per patient of the patient and diagnosis tables
joined, plus a visit; 20 columns, the catalog's privacy classes. The stages, each timed:

1. ``deidentify`` at L2: 7 direct identifiers and the free-text notes dropped, patient and
   visit ids replaced by keyed 128-bit pseudonyms (HMAC-SHA-256), 4 date columns shifted by the
   patient's keyed offset, age banded, province generalised to region;
2. ``generalise`` for k = 5 and distinct l = 2 (confirmation) over 6 quasi-identifiers (birth
   and diagnosis dates at day level, sex, region, Orphanet code, onset age band), at most 5 %
   suppressed, the diagnosis code kept when feasible;
3. the re-identification gate's full ``risk_report`` on the result.

No peer: no other tool does this pipeline; the figures are absolute. Every run is a fresh
process of its own started from the harness's launcher (``--child release``): it loads the
table (built once and pickled by this process), then runs the three stages once, the first
time in that process, each stage importing its module (what every release pays); nothing is
warmed up. Stage times are medians over the runs; memory is the process's own peak (the
table included), and the peak during the release alone (the kernel's peak mark reset once the
table is loaded). A process that only loads the table (``--child load``) shows what the table
alone costs.

    python -m benchmarks.bench_release_l2 [--rows 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import secrets
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.common import (
    ROOT,
    interleave,
    line,
    measure,
    median,
    python_module,
    report,
    reset_peak,
    save,
    status_mb,
    told,
)

if TYPE_CHECKING:
    import numpy as np

SEED = 20240801
# name: (privacy class, variable type), as ``cohortgate.models.dataset`` spells them
COLUMNS: dict[str, tuple[str, str]] = {
    "patient_id": ("direct_identifier", "string"),
    "name": ("direct_identifier", "string"),
    "id_number": ("direct_identifier", "string"),
    "phone": ("direct_identifier", "string"),
    "address": ("direct_identifier", "string"),
    "medical_record_no": ("direct_identifier", "string"),
    "insurance_no": ("direct_identifier", "string"),
    "guardian_name": ("direct_identifier", "string"),
    "birth_date": ("quasi_identifier", "date"),
    "sex": ("quasi_identifier", "category"),
    "province": ("quasi_identifier", "code"),
    "enrolled_date": ("quasi_identifier", "date"),
    "orpha_code": ("sensitive", "code"),
    "diagnosis_date": ("quasi_identifier", "date"),
    "onset_age_months": ("sensitive", "integer"),
    "confirmation": ("sensitive", "category"),
    "visit_id": ("direct_identifier", "string"),
    "visit_date": ("quasi_identifier", "date"),
    "weight_kg": ("sensitive", "decimal"),
    "notes": ("sensitive", "text"),
}
QI = ["birth_date", "diagnosis_date", "sex", "region", "orpha_code", "onset_age_band"]


def classes() -> dict[str, dict[str, Any]]:
    from cohortgate.models.common import Text
    from cohortgate.models.dataset import PrivacyClass, Variable, VariableType

    return {
        "record": {
            name: Variable(
                name=name,
                label=Text(zh=name, en=name),
                type=VariableType(kind),
                privacy=PrivacyClass(privacy),
            )
            for name, (privacy, kind) in COLUMNS.items()
        }
    }


def _ids(prefix: str, numbers: np.ndarray[Any, Any], width: int) -> np.ndarray[Any, Any]:
    """Strings as Python objects (what ``fetchnumpy`` returns), without a wide ``<U`` copy."""
    import numpy as np

    return np.array([f"{prefix}{n:0{width}d}" for n in numbers.tolist()], dtype=object)


def table(rows: int, seed: int = SEED) -> dict[str, np.ndarray[Any, Any]]:
    import numpy as np

    from cohortgate.custodian.cohort.diseases import DISEASES
    from cohortgate.custodian.deid import hierarchies as h

    rng = np.random.default_rng(seed)
    codes = np.array([d.orpha for d in DISEASES], dtype=object)
    zipf = 1 / np.arange(1, len(codes) + 1)
    provinces = np.array(sorted(h.REGIONS), dtype=object)
    birth = np.datetime64("2005-01-01") + rng.integers(0, 7500, rows).astype("timedelta64[D]")
    onset = rng.gamma(1.5, 14, rows).astype(np.int64)
    diagnosis = birth + (onset * 30 + rng.integers(0, 400, rows)).astype("timedelta64[D]")
    enrolled = diagnosis + rng.integers(0, 200, rows).astype("timedelta64[D]")
    numbers = rng.permutation(rows) + 1
    return {
        "patient_id": _ids("P", numbers, 8),
        "name": _ids("Name-", rng.integers(0, 10**6, rows), 6),
        "id_number": _ids("310101", rng.integers(0, 10**12, rows), 12),
        "phone": _ids("13", rng.integers(0, 10**9, rows), 9),
        "address": _ids("Synthetic Road ", rng.integers(0, 10**4, rows), 4),
        "medical_record_no": _ids("MR", numbers, 9),
        "insurance_no": _ids("INS", numbers, 10),
        "guardian_name": _ids("Guardian-", rng.integers(0, 10**6, rows), 6),
        "birth_date": birth,
        "sex": rng.choice(np.array(["F", "M"], dtype=object), rows),
        "province": provinces[rng.integers(0, len(provinces), rows)],
        "enrolled_date": enrolled,
        "orpha_code": codes[rng.choice(len(codes), rows, p=zipf / zipf.sum())],
        "diagnosis_date": diagnosis,
        "onset_age_months": onset,
        "confirmation": rng.choice(
            np.array(["genetic", "biochemical", "clinical"], dtype=object), rows
        ),
        "visit_id": _ids("V", numbers, 9),
        "visit_date": enrolled + rng.integers(0, 300, rows).astype("timedelta64[D]"),
        "weight_kg": np.round(rng.normal(20, 8, rows).clip(2, 120), 1),
        "notes": _ids("synthetic note ", rng.integers(0, 10**5, rows), 5),
    }


def release(data: dict[str, np.ndarray[Any, Any]]) -> dict[str, Any]:
    """The three stages, each importing its module; their times and what they produced."""
    times: dict[str, float] = {}
    start = time.perf_counter()
    from cohortgate.custodian.deid.deidentify import ReleaseKeys, deidentify

    keys = ReleaseKeys(secrets.token_bytes(32), secrets.token_bytes(32))
    deid = deidentify({"record": data}, classes(), "L2", keys)
    times["deidentify"] = time.perf_counter() - start
    out = deid.tables["record"]
    start = time.perf_counter()
    from cohortgate.custodian.deid import hierarchies as h
    from cohortgate.custodian.deid.generalise import generalise

    hierarchies = {
        "birth_date": h.date(out["birth_date"]),
        "diagnosis_date": h.date(out["diagnosis_date"]),
        "sex": h.sex(),
        "region": h.region(),
        "orpha_code": h.diagnosis(out["orpha_code"]),
        "onset_age_band": h.age_band(),
    }
    result = generalise(out, hierarchies, 5, sensitive=["confirmation"], l=2)
    times["generalise"] = time.perf_counter() - start
    start = time.perf_counter()
    from cohortgate.custodian.risk.suite import risk_report

    gate = risk_report(result.table, QI, ["confirmation"])
    times["gate"] = time.perf_counter() - start
    times["total"] = sum(times.values())
    return {
        "times": times,
        "columns": len(out),
        "levels": result.level_names,
        "suppressed": int(result.suppressed),
        "nodes": f"{result.nodes_evaluated}/{result.nodes_total}",
        "k": int(gate.k),
        "l": int(gate.distinct_l),
        "loss": float(result.loss),
    }


def table_file(rows: int) -> Path:
    return ROOT / "build" / "benchmarks" / f"release-table-{rows}.pkl"


def child(what: str, rows: int) -> int:
    """In a fresh process: the table loaded (numpy only: nothing of cohortgate is imported
    yet), then (``release``) the release, once."""
    start = time.perf_counter()
    with table_file(rows).open("rb") as handle:
        data = pickle.load(handle)
    built = time.perf_counter() - start
    after_table = status_mb("VmRSS")
    reset = reset_peak()  # the peak (VmHWM) from here on: the release alone
    result = release(data) if what == "release" else {}
    peak = status_mb("VmHWM") if reset else None
    print(
        json.dumps(
            {"what": what, "built_s": built, "table_mb": after_table, "peak": peak, **result},
            default=str,
        )
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", choices=("load", "release"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.rows)

    start = time.perf_counter()
    data = table(args.rows)
    built = time.perf_counter() - start
    table_file(args.rows).parent.mkdir(parents=True, exist_ok=True)
    with table_file(args.rows).open("wb") as handle:
        pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
    del data

    def run(what: str) -> Any:
        argv = python_module(
            "benchmarks.bench_release_l2", "--rows", str(args.rows), "--child", what
        )
        return lambda: measure(argv, codes=(0,))

    runs = interleave({"release": run("release")}, args.repeats)
    loaded = run("load")()
    said = [told(r) for r in runs["release"]]
    last = said[-1]

    def stage(name: str) -> float:
        return statistics.median(r["times"][name] for r in said)

    peaks = [r["peak"] for r in said]
    during = (
        "n/a (needs Linux /proc)"
        if None in peaks
        else f"{max(peaks):.0f} MB (the table alone holds {last['table_mb']:.0f} MB: the release "
        f"adds {max(peaks) - last['table_mb']:.0f} MB at its peak)"
    )
    rows = [
        (
            "table",
            f"{args.rows:,} rows x {len(COLUMNS)} columns, built with numpy in {built:.1f} s "
            f"(here), unpickled in {statistics.median(r['built_s'] for r in said):.1f} s "
            "(in each run's process)",
        ),
        ("machine load (1 min)", f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"),
        ("deidentify (L2), first call (import included)", f"{stage('deidentify'):.2f} s"),
        ("generalise (k=5, l=2, 6 QIs), first call", f"{stage('generalise'):.2f} s"),
        ("gate: full risk report, first call", f"{stage('gate'):.2f} s"),
        ("whole L2 de-identification, first call", f"{stage('total'):.2f} s"),
        (
            "result",
            f"{last['columns']} columns released, levels {last['levels']}, "
            f"{last['suppressed']:,} suppressed, {last['nodes']} nodes evaluated, "
            f"k = {last['k']}, l = {last['l']}, loss {last['loss']:.4f}",
        ),
        ("whole process: loading the table only", line([loaded])),
        ("whole process: table + release", line(runs["release"])),
        ("peak RSS during the release", during),
        ("runs total (s)", str([round(r["times"]["total"], 2) for r in said])),
    ]
    data: dict[str, Any] = dict(report("whole L2 de-identification", rows))
    data["release_s"] = stage("total")
    data["process_rss_mb"] = median(runs["release"], "rss_mb")
    data["table_only_rss_mb"] = loaded.rss_mb
    save("release_l2", data)
    return 0 if last["k"] >= 5 else 1


if __name__ == "__main__":
    sys.exit(main())
