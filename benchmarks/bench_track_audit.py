"""`cohortgate track` and `cohortgate audit` as whole processes over a repository of 1,000
applications, 5,000 signed events and 20,000 commits; and how they grow with the history.

The repository (``benchmarks.lifecycle_repo``): the real catalog and rubric, a roster of 12
members and an applicant with keys made by ssh-keygen; for each released application five
signed score sheets, a signed decision, agreements, a release manifest and its signed events;
unsigned filler commits up to the size. Events are a quarter of the commits at every size
(5,000 at 20,000), or ``--events`` at every size: then only the history grows (unsigned
commits revising other applications). Goal: under 5 s each, judged cold as in CI (the
track workflow sets ``COHORTGATE_NO_CACHE=1``) and on a new clone: the repository's
``build/cache/`` emptied before each run and the caches off, so every signature is verified,
every document parsed, the history walked. Median of ``--repeats`` cold runs. A warm run (the
run memory filled by an untimed run just before) is shown beside it and judges nothing.

    python -m benchmarks.bench_track_audit [--applications 1000] [--sizes 5000,10000,20000]
        [--repeats 3] [--timeout 900] [--events N] [--profile]

Every run is a fresh process started from the harness's launcher: its own peak RSS (the
largest of the program and the git processes it waited for), CPU time including theirs. A run
longer than ``--timeout`` seconds is stopped and reported as such.

Peer: git itself verifying the same SSH signatures against the same allowed signers, as one
process of its own over every signed commit of the history (``git log --no-walk=unsorted
--stdin --format=%H%G?...``, which runs ssh-keygen for each commit): what one verification
pass of track or audit would cost with git. Its verdicts are checked against cohortgate's
(``signatures.verify_commits``, in this process, untimed) before any figure is reported.
``--profile`` prints the cohortgate functions with the most cumulative time in one cold audit
run at the smallest size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import (
    COLD_ENV,
    ROOT,
    TimedOut,
    Usage,
    cold,
    measure,
    profile_rows,
    report,
    save,
    verdict,
)
from benchmarks.lifecycle_repo import TODAY, LifecycleRepo, applicant_key, build, plan
from benchmarks.review_repo import GIT_ENV, make_keys

GOAL_SECONDS = 5.0
WORK = ROOT / "build" / "benchmarks"


def command(name: str) -> list[str]:
    """The command as users run it (``python -m cohortgate``: the console script's exit)."""
    return [sys.executable, "-m", "cohortgate", name, "--today", TODAY]


def run(argv: list[str], cwd: Path, timeout: float, env: dict[str, str]) -> Usage | None:
    """A fresh-process run (``common.measure``), or None when it ran out of time."""
    try:
        return measure(argv, {**GIT_ENV, **env}, cwd, timeout=timeout)
    except TimedOut:
        return None


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


def measure_commands(
    repo: LifecycleRepo, repeats: int, timeout: float
) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for name in ("track", "audit"):
        runs: list[Usage | None] = []
        while len(runs) < repeats and (not runs or runs[-1] is not None):
            cold(repo.root)
            runs.append(run(command(name), repo.root, timeout, COLD_ENV))
        first = runs[0]
        if first is not None and name == "audit" and "0 finding(s)" not in first.out:
            raise SystemExit(f"the audit of the benchmark repository found problems:\n{first.out}")
        warm: list[Usage | None] = []
        if first is not None:
            cold(repo.root)
            if run(command(name), repo.root, timeout, {}) is not None:  # fills the run memory
                warm.append(run(command(name), repo.root, timeout, {}))
        results[name] = {"cold": figures(runs), "warm": figures(warm)}
    return results


def signed_commits(repo: LifecycleRepo) -> list[str]:
    """Every commit of the history that carries a signature header."""
    from git import Repo

    from cohortgate.signatures.payloads import signed_payloads

    with Repo(repo.root) as git_repo:
        shas = git_repo.git.rev_list("HEAD").split()
        return [p.sha for p in signed_payloads(git_repo, shas) if p.signature is not None]


def peer(repo: LifecycleRepo, timeout: float) -> dict[str, Any]:
    """git verifying every signed commit of the history, in a process of its own; its
    verdicts checked against ours (computed here, untimed)."""
    from git import Repo

    from cohortgate.lifecycle.history import trusted_signers
    from cohortgate.signatures import verify as signatures
    from cohortgate.signatures.git import SIGNATURE_FORMAT
    from cohortgate.signatures.signers import allowed_signers

    every = signed_commits(repo)
    os.environ.update(GIT_ENV)
    with Repo(repo.root) as git_repo:
        who, _ = trusted_signers(git_repo.head.commit)
        assert who is not None
        roster = who.combined
        keys = signatures.roster_keys(roster)
        fingerprints = {mid: key.fingerprint for mid, key in keys.items()}
        ours = signatures.verify_commits(git_repo, every, roster)
    with tempfile.TemporaryDirectory(prefix="cohortgate-bench-signers-") as tmp:
        signers_file = Path(tmp) / "allowed_signers"
        signers_file.write_text(allowed_signers(roster, keys=keys), "utf-8")
        revisions = Path(tmp) / "signed-commits"
        revisions.write_text("\n".join(every) + "\n", "ascii")
        options = [
            f"gpg.ssh.allowedSignersFile={signers_file}",
            "gpg.format=ssh",
            "gpg.ssh.program=ssh-keygen",
            "log.showSignature=false",
        ]
        argv = ["git", *[a for o in options for a in ("-c", o)], "log", "--no-walk=unsorted"]
        argv += ["--stdin", f"--format=%H%x00{SIGNATURE_FORMAT}%x1e"]
        try:
            used = measure(argv, GIT_ENV, repo.root, stdin=revisions, timeout=timeout, codes=(0,))
        except TimedOut:
            return {"signed_commits": len(every), "timed_out": True}
    by_sha = {}
    for record in used.out.split("\x1e"):
        fields = [field.strip() for field in record.strip("\n").split("\x00")]
        if len(fields) == 5:
            sha, code, principal, fingerprint, trust = fields
            by_sha[sha] = signatures.verdict_of(
                sha, code, principal, fingerprint, trust, roster, fingerprints
            )
    theirs = [by_sha.get(sha) for sha in every]
    same = [(v.status, v.principal, v.fingerprint) for v in ours] == [
        (v.status, v.principal, v.fingerprint) if v else None for v in theirs
    ]
    if not same:
        raise SystemExit("git and cohortgate disagree on a signature of the benchmark repository")
    return {
        "signed_commits": len(every),
        "git_s": round(used.wall, 2),
        "git_cpu_s": round(used.cpu, 2),
        "git_rss_mb": round(used.rss_mb, 1),
        "git_ms_per_commit": round(1000 * used.wall / len(every), 2),
    }


def profile(repo: LifecycleRepo, top: int = 20) -> list[tuple[str, str]]:
    """One cold audit run under cProfile: the cohortgate functions with the most cumulative
    time."""
    args = ["audit", "--today", TODAY]
    return profile_rows(args, repo.root, GIT_ENV, WORK / "track_audit.prof", top)


def _named(events: int | None) -> str:
    return "" if events is None else f"-e{events}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--sizes", default="5000,10000,20000", help="history lengths (commits)")
    parser.add_argument("--repeats", type=int, default=3, help="cold runs per command and size")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per run")
    parser.add_argument(
        "--events",
        type=int,
        help="the same number of events at every size (default: a quarter of the commits), "
        "to see the history's length alone",
    )
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
        results = measure_commands(repo, args.repeats, args.timeout)
        against = peer(repo, args.timeout)
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
            ("machine load (1 min)", f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"),
        ]
        git_s = against.get("git_s")
        for name, result in results.items():
            ours_s = result["cold"].get("wall_s")
            met = ours_s is not None and ours_s < GOAL_SECONDS
            result["goal_met"] = met
            rows.append(
                (
                    f"{name}, cold (no build/cache/, COHORTGATE_NO_CACHE=1)",
                    f"{shown(result['cold'])} (goal < {GOAL_SECONDS:.0f} s: {verdict(met)})",
                )
            )
            if ours_s is not None and git_s:
                rows.append((f"ratio {name} / peer", f"{ours_s / git_s:.2f}x wall"))
            rows.append((f"{name}, warm run memory (not judged)", shown(result["warm"])))
        if git_s is None:
            rows.append(("git verifying every signed commit (peer)", "timed out"))
        else:
            rows.append(
                (
                    "git verifying every signed commit (peer), one process",
                    f"{git_s:.2f} s wall, {against['git_cpu_s']:.2f} s CPU, peak RSS "
                    f"{against['git_rss_mb']:.0f} MB ({against['signed_commits']} commits, "
                    f"{against['git_ms_per_commit']} ms each; same verdicts as ours)",
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
    largest = data["sizes"][str(sizes[-1])]
    return 0 if largest["track"]["goal_met"] and largest["audit"]["goal_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
