"""Digests stream: ``review`` of a 400 MB attachment stays well under 200 MB of memory.

It took 851 MB when every blob was read whole to be hashed. The attachment is a file with a
hole (no disk, little time); the review runs in a subprocess, which reports the peak resident
set of its own address space (``VmHWM`` of ``/proc/self/status``; git's processes are not
counted, only Python's). Not ``getrusage(RUSAGE_SELF).ru_maxrss``: Linux carries a parent's
peak into a child across fork and exec, so after a few hundred tests it reports pytest's own
peak. No timing is measured.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from review_world import FOLDER, World

BIG = 400 * 1024 * 1024
LIMIT_KB = 200 * 1024
# The peak resident set of this process's own address space, in kB (Linux).
HIGH_WATER = """
def high_water():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
"""
PEAK = (
    HIGH_WATER
    + """
import json, sys
from cohortgate.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
print(json.dumps({"code": code, "kb": high_water()}), file=sys.stderr)
"""
)
DIGESTS = (
    HIGH_WATER
    + """
import json, sys
from pathlib import Path
from cohortgate.custodian.release.approval import reviewed_digests
found = reviewed_digests(Path(sys.argv[1]))
print(json.dumps({"found": found, "kb": high_water()}))
"""
)

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/status").is_file(), reason="the peak resident set is read from /proc"
)


def _zeros_sha256(size: int) -> str:
    digest, block = hashlib.sha256(), bytes(1024 * 1024)
    for _ in range(size // len(block)):
        digest.update(block)
    return digest.hexdigest()


def _peak(script: str, *argv: str) -> tuple[dict[str, object], str]:
    env = {**os.environ, "COHORTGATE_NO_CACHE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", script, *argv], capture_output=True, text=True, env=env, check=False
    )
    lines = [line for line in done.stderr.splitlines() if line.startswith("{")]
    report = json.loads(lines[-1] if lines else done.stdout.splitlines()[-1])
    return report, done.stdout


def test_review_of_a_400_mb_attachment_stays_under_200_mb(world: World) -> None:
    folder = world.root / FOLDER
    with (folder / "appendix.pdf").open("wb") as handle:
        handle.truncate(BIG)
    world.repo.git(c="core.loosecompression=1").add(f"{FOLDER}/appendix.pdf")
    world.commit({f"{FOLDER}/README.txt": "the appendix is large"})
    report, out = _peak(
        PEAK,
        "review",
        "A-2026-0001",
        "--root",
        str(world.root),
        "--base",
        world.base,
        "--today",
        "2026-11-29",
        "--format",
        "json",
    )
    data = json.loads(out)
    assert data["files"]["appendix.pdf"] == _zeros_sha256(BIG)  # hashed, and correctly
    assert "review.unbound-file" in {f["code"] for f in data["findings"]}
    assert report["code"] == 1
    assert isinstance(report["kb"], int) and report["kb"] < LIMIT_KB, report


def test_the_working_tree_digest_streams_too(tmp_path: Path) -> None:
    folder = tmp_path / "A-2026-0001"
    folder.mkdir()
    with (folder / "protocol.pdf").open("wb") as handle:
        handle.truncate(BIG)
    report, _out = _peak(DIGESTS, str(folder))
    assert report["found"] == {"protocol.pdf": _zeros_sha256(BIG)}
    assert isinstance(report["kb"], int) and report["kb"] < LIMIT_KB, report
