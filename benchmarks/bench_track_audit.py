"""`cohortgate track` and `cohortgate audit` as whole processes over a repository of 1,000
applications, 5,000 signed events and 20,000 commits; and how they grow with the history.

The repository (``benchmarks.lifecycle_repo``): the real catalog and rubric, a roster of 12
members and an applicant with keys made by ssh-keygen; for each released application five
signed score sheets, a signed decision, agreements, a release manifest and its signed events;
unsigned filler commits up to the size. Events are a quarter of the commits at every size
(5,000 at 20,000), or ``--events`` at every size: then only the history grows (unsigned
commits revising other applications). Goal: under 5 s each (median wall, warm).

    python -m benchmarks.bench_track_audit [--applications 1000] [--sizes 5000,10000,20000]
        [--repeats 3] [--timeout 900] [--events N] [--peer-sample 200] [--profile]

"Cold" is the first run with the repository's ``build/cache/`` emptied (no parse cache, no
run memory: every signature verified, every document parsed, the history walked); "warm" the
median of the runs after it (``review.run_memory``). A run longer than ``--timeout`` seconds is
stopped and reported as such.

Peer, in this process: git itself verifying the same SSH signatures against the same allowed
signers (``review.git_signatures``: ``git log --format=%G?...``, which runs ssh-keygen for each
commit), on ``--peer-sample`` signed commits, against ``review.signatures`` on the same commits
(no memory); the per-commit ratio, and git's time extrapolated to every signed commit of the
history, which is what one verification pass of track or audit would cost with git.
``--profile`` prints the cohortgate functions with the most cumulative time in one audit run at
the smallest size.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, Usage, profile_rows, report, save
from benchmarks.lifecycle_repo import TODAY, LifecycleRepo, applicant_key, build, plan
from benchmarks.review_repo import GIT_ENV, make_keys

GOAL_SECONDS = 5.0
WORK = ROOT / "build" / "benchmarks"


def command(name: str) -> list[str]:
    """The command as users run it (``python -m cohortgate``: the console script's exit)."""
    return [sys.executable, "-m", "cohortgate", name, "--today", TODAY]


def child_env() -> dict[str, str]:
    return {**GIT_ENV, "PYTHONPATH": str(ROOT / "src")}


def run(argv: list[str], cwd: Path, timeout: float) -> Usage | None:
    """The child's wall and CPU time and peak RSS (``os.wait4``: this child alone; git and
    ssh-keygen grandchildren are not counted in CPU or RSS), or None when it ran out of time."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            stdout=out,
            stderr=err,
            text=True,
            cwd=cwd,
            env={**os.environ, **child_env()},
            start_new_session=True,
        )
        expired = threading.Event()

        def stop() -> None:
            expired.set()
            os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, stop)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        wall = time.perf_counter() - start
        if expired.is_set():
            return None
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if code not in (0, 1):
            raise SystemExit(f"{argv[:2]} failed ({code}):\n{err.read()[-2000:]}")
        return Usage(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read())


def empty_cache(repo: LifecycleRepo) -> None:
    shutil.rmtree(repo.root / "build" / "cache", ignore_errors=True)


def figures(runs: Sequence[Usage | None]) -> dict[str, Any]:
    done = [r for r in runs if r is not None]
    if not done:
        return {"timed_out": len(runs)}
    return {
        "wall_s": round(statistics.median(r.wall for r in done), 3),
        "cpu_s": round(statistics.median(r.cpu for r in done), 3),
        "peak_rss_mb": round(max(r.rss_mb for r in done), 1),
        "runs": len(done),
        "timed_out": len(runs) - len(done),
    }


def shown(data: dict[str, Any]) -> str:
    if "wall_s" not in data:
        late = data["timed_out"]
        return f"timed out ({late} run(s))" if late else "not run (the cold run timed out)"
    late = f", {data['timed_out']} timed out" if data["timed_out"] else ""
    return (
        f"{data['wall_s']:.2f} s wall, {data['cpu_s']:.2f} s CPU, peak RSS "
        f"{data['peak_rss_mb']:.0f} MB ({data['runs']} run(s){late})"
    )


def measure(repo: LifecycleRepo, repeats: int, timeout: float) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for name in ("track", "audit"):
        empty_cache(repo)
        cold = run(command(name), repo.root, timeout)
        if cold is not None and name == "audit" and "0 finding(s)" not in cold.out:
            raise SystemExit(f"the audit of the benchmark repository found problems:\n{cold.out}")
        warm = [] if cold is None else [run(command(name), repo.root, timeout)]
        while cold is not None and len(warm) < repeats and warm[-1] is not None:
            warm.append(run(command(name), repo.root, timeout))
        results[name] = {"cold": figures([cold]), "warm": figures(warm)}
    return results


def signed_commits(repo: LifecycleRepo) -> list[str]:
    """Every commit of the history that carries a signature header."""
    from git import Repo

    from cohortgate.review.signed_payloads import signed_payloads

    with Repo(repo.root) as git_repo:
        shas = git_repo.git.rev_list("HEAD").split()
        return [p.sha for p in signed_payloads(git_repo, shas) if p.signature is not None]


def peer(repo: LifecycleRepo, sample: int) -> dict[str, Any]:
    """git's verification against ours, on the same signed commits, in this process."""
    from git import Repo

    from cohortgate.lifecycle.history import trusted_signers
    from cohortgate.review import signatures
    from cohortgate.review.git_signatures import git_verify_commits

    every = signed_commits(repo)
    step = max(1, len(every) // sample)
    chosen = every[::step][:sample]
    os.environ.update(GIT_ENV)
    with Repo(repo.root) as git_repo:
        who, _ = trusted_signers(git_repo.head.commit)
        assert who is not None
        start = time.perf_counter()
        theirs = git_verify_commits(git_repo, chosen, who.combined)
        git_s = time.perf_counter() - start
        signatures._JUDGED.clear()
        start = time.perf_counter()
        ours = signatures.verify_commits(git_repo, chosen, who.combined)
        ours_s = time.perf_counter() - start
        signatures._JUDGED.clear()
        start = time.perf_counter()
        signatures.verify_commits(git_repo, every, who.combined)
        all_s = time.perf_counter() - start
    same = [(v.status, v.principal, v.fingerprint) for v in ours] == [
        (v.status, v.principal, v.fingerprint) for v in theirs
    ]
    if not same:
        raise SystemExit("git and cohortgate disagree on a signature of the benchmark repository")
    return {
        "sample": len(chosen),
        "signed_commits": len(every),
        "git_ms_per_commit": round(1000 * git_s / len(chosen), 2),
        "ours_ms_per_commit": round(1000 * ours_s / len(chosen), 3),
        "ratio": round(git_s / ours_s, 1),
        "git_all_s_extrapolated": round(git_s / len(chosen) * len(every), 1),
        "ours_all_s": round(all_s, 2),
    }


def profile(repo: LifecycleRepo, top: int = 20) -> list[tuple[str, str]]:
    """One audit run under cProfile: the cohortgate functions with the most cumulative time."""
    args = ["audit", "--today", TODAY]
    return profile_rows(args, repo.root, child_env(), WORK / "track_audit.prof", top)


def _named(events: int | None) -> str:
    return "" if events is None else f"-e{events}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--sizes", default="5000,10000,20000", help="history lengths (commits)")
    parser.add_argument("--repeats", type=int, default=3, help="warm runs per command and size")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per run")
    parser.add_argument(
        "--events",
        type=int,
        help="the same number of events at every size (default: a quarter of the commits), "
        "to see the history's length alone",
    )
    parser.add_argument("--peer-sample", type=int, default=200, help="commits git verifies")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--rebuild", action="store_true", help="rebuild existing repositories")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    keys_dir = WORK / "lifecycle-keys"
    keys_dir.mkdir(parents=True, exist_ok=True)
    keys = {p.stem: p for p in keys_dir.glob("*.pub") if p.stem != "applicant"}
    if len(keys) < 12:
        keys = make_keys(keys_dir)
    applicant = applicant_key(keys_dir)
    data: dict[str, Any] = {
        "goal_seconds": GOAL_SECONDS,
        "applications": args.applications,
        "today": TODAY,
        "sizes": {},
    }
    for size in sizes:
        target = WORK / f"lifecycle-{args.applications}-{size}{_named(args.events)}"
        released, events = plan(size, args.events)
        marker = target / ".git" / "bench-built"
        if args.rebuild or not marker.exists():
            repo = build(target, keys, applicant, args.applications, size, args.events)
            marker.write_text(
                f"{repo.build_seconds:.1f} {repo.sign_seconds:.1f} {repo.signed}\n", "ascii"
            )
        else:
            seconds, signing, count = marker.read_text("ascii").split()
            repo = LifecycleRepo(
                target,
                args.applications,
                released,
                events,
                int(count),
                size,
                float(seconds),
                float(signing),
            )
        signed = repo.signed
        results = measure(repo, args.repeats, args.timeout)
        against = peer(repo, args.peer_sample)
        entry = {
            "commits": size,
            "released_applications": released,
            "events": events,
            "signed_commits": signed,
            "build_seconds": round(repo.build_seconds, 1),
            "ssh_keygen_sign_ms": round(1000 * repo.sign_seconds / signed, 1) if signed else None,
            **results,
            "peer": against,
        }
        data["sizes"][str(size)] = entry
        rows = [
            (
                "repository",
                f"{args.applications} applications, {released} released, {events} "
                f"events, {signed} signed of {size} commits (built in {repo.build_seconds:.0f} s)",
            ),
        ]
        for name, result in results.items():
            rows.append((f"{name} cold", shown(result["cold"])))
            rows.append((f"{name} warm", shown(result["warm"])))
        rows.append(
            (
                "signatures: git (peer) vs ours",
                f"{against['git_ms_per_commit']} ms vs {against['ours_ms_per_commit']} ms per "
                f"commit ({against['ratio']}x, {against['sample']} commits); all "
                f"{against['signed_commits']}: git ~{against['git_all_s_extrapolated']} s "
                f"(extrapolated), ours {against['ours_all_s']} s",
            )
        )
        report(f"track and audit at {size} commits", rows)
        save(f"track_audit{_named(args.events)}", data)
    if args.profile:
        smallest = WORK / f"lifecycle-{args.applications}-{sizes[0]}{_named(args.events)}"
        released, events = plan(sizes[0], args.events)
        rows = profile(
            LifecycleRepo(smallest, args.applications, released, events, 0, sizes[0], 0, 0)
        )
        data["profile"] = dict(rows)
        report(f"profile of audit at {sizes[0]} commits", rows)
    save(f"track_audit{_named(args.events)}", data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
