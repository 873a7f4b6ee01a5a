"""Timing and memory helpers shared by the benchmarks."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Timing:
    name: str
    runs: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)


def alternate(
    contenders: dict[str, Callable[[], Any]], repeats: int = 3, warmup: bool = True
) -> dict[str, Timing]:
    """Time each contender ``repeats`` times, interleaved (A B A B ...) so that a change in
    machine load affects both alike. A first untimed round warms caches."""
    if warmup:
        for fn in contenders.values():
            fn()
    timings = {name: Timing(name, []) for name in contenders}
    for _ in range(repeats):
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn()
            timings[name].runs.append(time.perf_counter() - start)
    return timings


@dataclass
class Usage:
    wall: float  # seconds, start to exit
    cpu: float  # user + system seconds of the child: less sensitive to a busy machine
    rss_mb: float  # the child's own peak RSS
    out: str


def child_usage(argv: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> Usage:
    """Run ``argv`` as a child process in ``cwd``; its wall and CPU time, peak RSS and stdout.

    ``os.wait4`` gives the resource usage of exactly this child (``RUSAGE_CHILDREN`` would
    give the largest of all children so far)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv, stdout=out, stderr=err, text=True, cwd=cwd, env={**os.environ, **(env or {})}
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{err.read()[-2000:]}")
        cpu = usage.ru_utime + usage.ru_stime
        return Usage(wall, cpu, usage.ru_maxrss / 1024, out.read())


def peak_rss_mb(
    argv: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT
) -> tuple[float, float, str]:
    """Run ``argv`` as a child process in ``cwd``; return (wall seconds, its own peak RSS in MB,
    stdout)."""
    used = child_usage(argv, env, cwd)
    return used.wall, used.rss_mb, used.out


def python_module(*args: str) -> list[str]:
    return [sys.executable, "-m", *args]


def report(title: str, rows: list[tuple[str, str]]) -> dict[str, str]:
    width = max(len(k) for k, _ in rows)
    print(f"\n## {title}")
    for key, value in rows:
        print(f"  {key.ljust(width)}  {value}")
    return dict(rows)


def save(name: str, data: dict[str, Any]) -> None:
    out = ROOT / "build" / "benchmarks"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(data, indent=2, ensure_ascii=False), "utf-8")


# ``cohortgate`` under cProfile: main() itself, so that the profile is written even for the
# commands whose console script leaves the process at once (``cli.LEAVE_AT_ONCE``).
_PROFILED_MAIN = "import sys\nfrom cohortgate.cli import main\nsys.exit(main(sys.argv[1:]))\n"


def profile_rows(
    cli_args: list[str], cwd: Path, env: dict[str, str], out: Path, top: int = 20
) -> list[tuple[str, str]]:
    """``cohortgate <cli_args>`` once under cProfile in ``cwd``: the total, the time spent
    importing, and the cohortgate functions with the most cumulative time."""
    import pstats

    script = out.with_suffix(".main.py")
    script.write_text(_PROFILED_MAIN, "utf-8")
    child_usage(
        [sys.executable, "-m", "cProfile", "-o", str(out), str(script), *cli_args], env, cwd
    )
    table = pstats.Stats(str(out)).stats  # type: ignore[attr-defined]
    total = max(ct for _, _, _, ct, _ in table.values())
    rows = [("profiled run, total", f"{total:.2f} s (cProfile adds overhead)")]
    imports = [ct for (_f, _, n), (_, _, _, ct, _) in table.items() if n == "_find_and_load"]
    rows.append(("  of which imports (outermost)", f"{max(imports, default=0):.2f} s"))
    ours = [
        (ct, nc, f"{Path(f).relative_to(ROOT / 'src').as_posix()}:{line} {name}")
        for (f, line, name), (_, nc, _, ct, _) in table.items()
        if "/src/cohortgate/" in f
    ]
    for ct, calls, where in sorted(ours, reverse=True)[:top]:
        rows.append((f"  {where}", f"{ct:.3f} s cumulative, {calls} call(s)"))
    return rows
