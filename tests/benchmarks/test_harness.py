"""The benchmark harness reports a measured program's own peak memory, whatever the size of the
benchmark process that starts it (``benchmarks/common.py``, ``benchmarks/launch.py``).

Real processes: this test process holds about 500 MB while it measures. A program forked off it
would start from its 500 MB high-water mark (Linux keeps ``ru_maxrss`` across ``exec``), which
is how every memory figure of the benchmarks used to be the benchmark's own size.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
HELD_MB = 500
PAGE = 4096


def _load_harness() -> ModuleType:
    """``benchmarks/common.py`` by path (pytest does not put the repository root on sys.path)."""
    spec = importlib.util.spec_from_file_location("bench_common", ROOT / "benchmarks/common.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


harness = _load_harness()
linux = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux /proc")


def _resident_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for row in status:
            if row.startswith("VmRSS:"):
                return int(row.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


@pytest.fixture
def held() -> Iterator[None]:
    """About 500 MB resident in this process while the test runs: every page written, not
    merely reserved (the block stays out of the test's arguments and of any failure report)."""
    block = bytearray(HELD_MB * 2**20)
    block[::PAGE] = b"\x01" * len(range(0, len(block), PAGE))
    assert _resident_mb() > HELD_MB
    yield
    del block


@linux
@pytest.mark.usefixtures("held")
def test_a_tiny_program_is_measured_tiny_beside_a_big_benchmark() -> None:
    used = harness.measure(["/bin/true"])
    assert used.code == 0
    assert used.rss_mb < 20, f"/bin/true measured at {used.rss_mb:.0f} MB"


@linux
@pytest.mark.usefixtures("held")
def test_a_program_is_measured_at_its_own_peak() -> None:
    grow = (
        "import sys; b = bytearray(100 * 2**20); "
        "b[::4096] = b'x' * len(range(0, len(b), 4096)); sys.exit(1)"
    )
    used = harness.measure([sys.executable, "-c", grow])
    assert used.code == 1
    assert 100 < used.rss_mb < 200, f"a 100 MB program measured at {used.rss_mb:.0f} MB"
