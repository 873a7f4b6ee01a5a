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

No peer: no other tool does this pipeline; the figures are absolute (time per stage, and the
peak RSS of a child process doing all of it, the table alone shown separately).

    python -m benchmarks.bench_release_l2 [--rows 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from benchmarks.common import child_usage, python_module, report, save
from cohortgate.custodian.diseases import DISEASES
from cohortgate.custodian.release import hierarchies as h
from cohortgate.custodian.release.deidentify import ReleaseKeys, deidentify
from cohortgate.custodian.release.generalise import generalise
from cohortgate.custodian.risk import risk_report
from cohortgate.models.common import Text
from cohortgate.models.dataset import PrivacyClass, Variable, VariableType

SEED = 20240801
D, Q, S, OTHER = (
    PrivacyClass.DIRECT_IDENTIFIER,
    PrivacyClass.QUASI_IDENTIFIER,
    PrivacyClass.SENSITIVE,
    PrivacyClass.OTHER,
)
STR, CAT, DATE, INT, DEC, CODE, TEXT = (
    VariableType.STRING,
    VariableType.CATEGORY,
    VariableType.DATE,
    VariableType.INTEGER,
    VariableType.DECIMAL,
    VariableType.CODE,
    VariableType.TEXT,
)
COLUMNS: dict[str, tuple[PrivacyClass, VariableType]] = {
    "patient_id": (D, STR),
    "name": (D, STR),
    "id_number": (D, STR),
    "phone": (D, STR),
    "address": (D, STR),
    "medical_record_no": (D, STR),
    "insurance_no": (D, STR),
    "guardian_name": (D, STR),
    "birth_date": (Q, DATE),
    "sex": (Q, CAT),
    "province": (Q, CODE),
    "enrolled_date": (Q, DATE),
    "orpha_code": (S, CODE),
    "diagnosis_date": (Q, DATE),
    "onset_age_months": (S, INT),
    "confirmation": (S, CAT),
    "visit_id": (D, STR),
    "visit_date": (Q, DATE),
    "weight_kg": (S, DEC),
    "notes": (S, TEXT),
}
QI = ["birth_date", "diagnosis_date", "sex", "region", "orpha_code", "onset_age_band"]


def classes() -> dict[str, dict[str, Variable]]:
    return {
        "record": {
            name: Variable(name=name, label=Text(zh=name, en=name), type=kind, privacy=privacy)
            for name, (privacy, kind) in COLUMNS.items()
        }
    }


def _ids(prefix: str, numbers: np.ndarray[Any, Any], width: int) -> np.ndarray[Any, Any]:
    """Strings as Python objects (what ``fetchnumpy`` returns), without a wide ``<U`` copy."""
    return np.array([f"{prefix}{n:0{width}d}" for n in numbers.tolist()], dtype=object)


def table(rows: int, seed: int = SEED) -> dict[str, np.ndarray[Any, Any]]:
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
    """The three stages; their times and what they produced."""
    keys = ReleaseKeys(secrets.token_bytes(32), secrets.token_bytes(32))
    times: dict[str, float] = {}
    start = time.perf_counter()
    deid = deidentify({"record": data}, classes(), "L2", keys)
    times["deidentify"] = time.perf_counter() - start
    out = deid.tables["record"]
    hierarchies = {
        "birth_date": h.date(out["birth_date"]),
        "diagnosis_date": h.date(out["diagnosis_date"]),
        "sex": h.sex(),
        "region": h.region(),
        "orpha_code": h.diagnosis(out["orpha_code"]),
        "onset_age_band": h.age_band(),
    }
    start = time.perf_counter()
    result = generalise(out, hierarchies, 5, sensitive=["confirmation"], l=2)
    times["generalise"] = time.perf_counter() - start
    start = time.perf_counter()
    gate = risk_report(result.table, QI, ["confirmation"])
    times["gate"] = time.perf_counter() - start
    times["total"] = sum(times.values())
    return {
        "times": times,
        "columns": len(out),
        "levels": result.level_names,
        "suppressed": result.suppressed,
        "nodes": f"{result.nodes_evaluated}/{result.nodes_total}",
        "k": gate.k,
        "l": gate.distinct_l,
        "loss": result.loss,
    }


def _status(field: str) -> float:
    """A memory figure of this process from /proc (VmRSS: now, VmHWM: peak), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(what: str, rows: int) -> int:
    data = table(rows)
    after_table = _status("VmRSS")
    with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
        refs.write("5")  # Linux: reset the peak (VmHWM) to the current RSS
    result = release(data) if what == "release" else {}
    peak = _status("VmHWM")
    print(json.dumps({"what": what, "k": result.get("k"), "table_mb": after_table, "peak": peak}))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.rows)

    start = time.perf_counter()
    data = table(args.rows)
    built = time.perf_counter() - start
    runs = [release(data) for _ in range(args.repeats)]
    last = runs[-1]

    def median(stage: str) -> float:
        return float(np.median([r["times"][stage] for r in runs]))

    usage = {
        what: child_usage(
            python_module("benchmarks.bench_release_l2", "--rows", str(args.rows), "--child", what)
        )
        for what in ("load", "release")
    }
    rss = {what: used.rss_mb for what, used in usage.items()}
    measured = json.loads(usage["release"].out.strip().splitlines()[-1])
    table_mb, release_peak = measured["table_mb"], measured["peak"]
    rows = [
        ("table", f"{args.rows:,} rows x {len(data)} columns, built with numpy in {built:.1f} s"),
        ("deidentify (L2), median", f"{median('deidentify'):.2f} s"),
        ("generalise (k=5, l=2, 6 QIs), median", f"{median('generalise'):.2f} s"),
        ("gate: full risk report, median", f"{median('gate'):.2f} s"),
        ("whole L2 de-identification, median", f"{median('total'):.2f} s"),
        (
            "result",
            f"{last['columns']} columns released, levels {last['levels']}, "
            f"{last['suppressed']:,} suppressed, {last['nodes']} nodes evaluated, "
            f"k = {last['k']}, l = {last['l']}, loss {last['loss']:.4f}",
        ),
        ("peak RSS: building the table only", f"{rss['load']:.0f} MB"),
        ("peak RSS of the whole child (table building included)", f"{rss['release']:.0f} MB"),
        (
            "peak RSS during the release",
            f"{release_peak:.0f} MB (the table alone holds {table_mb:.0f} MB: the release "
            f"adds {release_peak - table_mb:.0f} MB at its peak)",
        ),
        ("runs total (s)", str([round(r["times"]["total"], 2) for r in runs])),
    ]
    save("release_l2", report("whole L2 de-identification", rows))
    return 0 if last["k"] >= 5 else 1


if __name__ == "__main__":
    sys.exit(main())
