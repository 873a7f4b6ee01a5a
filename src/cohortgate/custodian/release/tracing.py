"""``cohortgate trace FILE``: which release did a leaked table come from (R25)?

Every release the vault holds is a candidate, one per released table: its watermark key, the
table as released before the mark, the custodian's row and patient keys and the watermark
plan. ``trace.trace`` re-finds the leaked rows among them and names the release whose marks
they carry, with the probability that the accusation is false.
"""

from __future__ import annotations

from pathlib import Path

from cohortgate.custodian.release.prepared import PATIENT_KEY, ROW_KEY
from cohortgate.custodian.trace import codes as codes_trace
from cohortgate.custodian.trace.tracer import (
    CandidateRelease,
    LeakReadError,
    TraceResult,
    read_leak_csv,
    trace,
    trace_findings,
)
from cohortgate.custodian.trace.watermark import WatermarkPlan
from cohortgate.custodian.vault.store import Vault
from cohortgate.findings import Finding


def candidates(vault: Vault) -> list[CandidateRelease]:
    found: list[CandidateRelease] = []
    for release_id in vault.releases():
        meta = vault.release_meta(release_id)
        tables = meta.get("tables") or []
        if not tables:
            continue  # an aggregate or enclave release: nothing portable to trace
        keys = vault.keys(release_id)
        for table in tables:
            arrays = vault.arrays(release_id, f"trace-{table.replace('_', '-')}")
            found.append(
                CandidateRelease(
                    release_id=release_id,
                    watermark_key=keys.watermark_key,
                    original={c: v for c, v in arrays.items() if c not in (ROW_KEY, PATIENT_KEY)},
                    row_keys=arrays[ROW_KEY].tolist(),
                    patient_keys=arrays[PATIENT_KEY].tolist(),
                    plan=WatermarkPlan.from_dict(meta["plans"][table]),
                )
            )
    return found


def trace_file(path: Path, vault: Vault, display: str) -> tuple[TraceResult | None, list[Finding]]:
    try:
        leak = read_leak_csv(path)
    except (LeakReadError, OSError, UnicodeDecodeError) as exc:
        line = getattr(exc, "line", 0)
        return None, [codes_trace.UNREADABLE.at(display, line, what=str(exc))]
    result = trace(leak, candidates(vault))
    return result, trace_findings(result, display, tuple(leak))
