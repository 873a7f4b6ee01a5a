"""The measuring harness shared by the benchmarks, and helpers for their child processes.

Every measured program, ours and the peer's alike, runs in a fresh process of its own, started
from ``launch.py``: a bare interpreter of a few MB that starts the program and waits for it.
Never from the benchmark process itself: Linux keeps ``ru_maxrss`` across ``exec`` and a
forked child starts from its parent's high-water mark, so a program started by a benchmark
that holds 800 MB would be reported at 800 MB or more whatever it used (``/bin/true`` "uses"
815 MB; ``tests/benchmarks/test_harness.py``). The peak RSS reported here is the program's own.

Both sides get the same treatment: no warm-up, a fresh process per run, runs interleaved
(ours, peer, ours, peer, ...) so that a change in machine load hits both alike, medians. Goals
are judged on such cold, first-call runs: ``cold`` empties a repository's ``build/cache/`` and
``COLD_ENV`` turns the caches off, as on a clean clone and in CI.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LAUNCH = Path(__file__).resolve().with_name("launch.py")
# Caches off (the parse cache, remembered audit verdicts, review/track/audit run memory): what a
# clean clone and the CI workflows (COHORTGATE_NO_CACHE=1) run with.
COLD_ENV = {"COHORTGATE_NO_CACHE": "1"}


@dataclass
class Usage:
    wall: float  # seconds, from the program's start to its exit
    cpu: float  # user + system seconds of the program (and the children it waited for)
    rss_mb: float  # the program's own peak RSS (the largest of it and its waited-for children)
    out: str
    err: str = ""
    code: int = 0


class TimedOut(Exception):
    """The program ran longer than the time it was given, and was stopped."""


def child_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The benchmark's environment for a child: ``benchmarks`` importable from any working
    directory (cohortgate itself is installed from ``src/``), plus ``env``."""
    return {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1", **(env or {})}


def measure(
    argv: Sequence[str],
    env: dict[str, str] | None = None,
    cwd: Path = ROOT,
    *,
    stdin: Path | None = None,
    timeout: float | None = None,
    codes: Sequence[int] = (0, 1),
) -> Usage:
    """Run ``argv`` in ``cwd`` in a fresh process started from the launcher; its wall and CPU
    time, its own peak RSS, stdout and stderr. An exit code outside ``codes`` is an error;
    past ``timeout`` seconds the program (and its children) are killed: ``TimedOut``."""
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.NamedTemporaryFile("r", suffix=".usage") as result,
        open(stdin or os.devnull, "rb") as given,
    ):
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", str(LAUNCH), result.name, *argv],
            stdin=given,
            stdout=out,
            stderr=err,
            cwd=cwd,
            env=child_env(env),
            start_new_session=True,  # the launcher and the program: one group to stop
        )
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise TimedOut(f"{' '.join(argv)}: over {timeout:.0f} s") from None
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
        fields = result.read().split()
        if proc.returncode != 0 or len(fields) != 4:
            raise SystemExit(f"the launcher failed ({proc.returncode}):\n{stderr[-2000:]}")
    wall, cpu, maxrss_kib, status = (
        float(fields[0]),
        float(fields[1]),
        int(fields[2]),
        int(fields[3]),
    )
    code = os.waitstatus_to_exitcode(status)
    if code not in codes:
        raise SystemExit(f"{' '.join(argv)} failed ({code}):\n{stderr[-2000:]}")
    return Usage(wall, cpu, maxrss_kib / 1024, stdout, stderr, code)


def interleave(contenders: dict[str, Callable[[], Usage]], repeats: int) -> dict[str, list[Usage]]:
    """Each contender ``repeats`` times, interleaved (A B A B ...), each call a fresh process
    (``measure``); no warm-up for anyone."""
    runs: dict[str, list[Usage]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, run in contenders.items():
            runs[name].append(run())
    return runs


def median(runs: Sequence[Usage], field: str = "wall") -> float:
    values: list[float] = [getattr(run, field) for run in runs]
    return statistics.median(values)


def line(runs: Sequence[Usage]) -> str:
    """Median wall and CPU time and peak RSS of fresh-process runs, for a report row."""
    wall, cpu, rss = (median(runs, f) for f in ("wall", "cpu", "rss_mb"))
    return f"{wall:.3f} s wall, {cpu:.3f} s CPU, peak RSS {rss:.0f} MB (median of {len(runs)})"


def walls(runs: Sequence[Usage]) -> str:
    return ", ".join(f"{r.wall:.3f}" for r in runs)


def cold(root: Path) -> None:
    """Empty a repository's ``build/cache/`` (parse cache, audit verdicts, run memory)."""
    shutil.rmtree(root / "build" / "cache", ignore_errors=True)


def program(name: str, module: str) -> list[str]:
    """The console script beside this interpreter (how users run it), else ``-m module``."""
    script = Path(sys.executable).parent / name
    return [str(script)] if script.exists() else [sys.executable, "-m", module]


def python_module(*args: str) -> list[str]:
    return [sys.executable, "-m", *args]


def report(title: str, rows: list[tuple[str, str]]) -> dict[str, str]:
    width = max(len(k) for k, _ in rows)
    print(f"\n## {title}")
    for key, value in rows:
        print(f"  {key.ljust(width)}  {value}")
    return dict(rows)


def figures(
    ok: bool, ours_s: float, peer_s: float, ours: Sequence[Usage], peer: Sequence[Usage]
) -> dict[str, object]:
    """The machine-readable part of a benchmark's record: the goal, both times and both sides'
    own peak memory (median)."""
    return {
        "goal_met": ok,
        "ours_s": ours_s,
        "peer_s": peer_s,
        "ours_rss_mb": median(ours, "rss_mb"),
        "peer_rss_mb": median(peer, "rss_mb"),
    }


def save(name: str, data: dict[str, Any]) -> None:
    out = ROOT / "build" / "benchmarks"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(data, indent=2, ensure_ascii=False), "utf-8")


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


# --- in a child process (a library call measured in a process of its own) ---------------------


def status_mb(field: str) -> float | None:
    """A line of /proc/self/status in MB (VmRSS: now, VmHWM: peak; Linux), else None."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for row in status:
                if row.startswith(field + ":"):
                    return int(row.split()[1]) / 1024
    except OSError:
        pass
    return None


def reset_peak() -> bool:
    """Reset this process's peak-RSS mark (VmHWM) to its current RSS (Linux), so that a later
    ``status_mb("VmHWM")`` measures what came after."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def first_call(call: Callable[[], Any]) -> tuple[Any, dict[str, Any]]:
    """In a child, after its input is loaded: run ``call`` once, the first time in this process
    (``call`` imports what it needs: the import is part of what every run of a command pays);
    its result, and its seconds, the RSS before and the peak during it."""
    before = status_mb("VmRSS")
    reset = reset_peak()
    start = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - start
    peak = status_mb("VmHWM") if reset else None
    return result, {"seconds": seconds, "input_mb": before, "call_peak_mb": peak}


def told(used: Usage) -> dict[str, Any]:
    """The JSON a child printed last."""
    data: dict[str, Any] = json.loads(used.out.strip().splitlines()[-1])
    return data


# ``cohortgate`` under cProfile: main() itself, so that the profile is written even for the
# commands whose console script leaves the process at once (``cli.LEAVE_AT_ONCE``).
_PROFILED_MAIN = "import sys\nfrom cohortgate.cli import main\nsys.exit(main(sys.argv[1:]))\n"


def profile_rows(
    cli_args: list[str], cwd: Path, env: dict[str, str], out: Path, top: int = 20
) -> list[tuple[str, str]]:
    """``cohortgate <cli_args>`` once under cProfile in ``cwd``, cold: the total, the time spent
    importing, and the cohortgate functions with the most cumulative time."""
    import pstats

    script = out.with_suffix(".main.py")
    script.write_text(_PROFILED_MAIN, "utf-8")
    cold(cwd)
    measure(
        [sys.executable, "-m", "cProfile", "-o", str(out), str(script), *cli_args],
        {**env, **COLD_ENV},
        cwd,
    )
    table = pstats.Stats(str(out)).stats  # type: ignore[attr-defined]
    total = max(ct for _, _, _, ct, _ in table.values())
    rows = [("profiled run (cold), total", f"{total:.2f} s (cProfile adds overhead)")]
    imports = [ct for (_f, _, n), (_, _, _, ct, _) in table.items() if n == "_find_and_load"]
    rows.append(("  of which imports (outermost)", f"{max(imports, default=0):.2f} s"))
    ours = [
        (ct, nc, f"{Path(f).relative_to(ROOT / 'src').as_posix()}:{lineno} {name}")
        for (f, lineno, name), (_, nc, _, ct, _) in table.items()
        if "/src/cohortgate/" in f
    ]
    for ct, calls, where in sorted(ours, reverse=True)[:top]:
        rows.append((f"  {where}", f"{ct:.3f} s cumulative, {calls} call(s)"))
    return rows
