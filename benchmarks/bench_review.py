"""`cohortgate review` on an application with 12 signed score sheets, as a whole process, in a
repository with 1,000 applications and 10,000 commits; and how it grows with the history.

The repository (``benchmarks.review_repo``): the real catalog and rubric, a roster of 12
members with keys made by ssh-keygen, 1,000 applications, a history written by git fast-import
(filler commits changing other applications) and, last, the 12 sheets of the target
application, each in its own SSH-signed commit. All 12 sign-offs are valid.

Peer: git alone verifying the same 12 signatures against the same keys, in one process::

    git -c gpg.format=ssh -c gpg.ssh.allowedSignersFile=F log --no-walk --format=%G?%GS SHAS

(and, beside it, ``git verify-commit`` once per commit). cohortgate does much more: loads and
checks the roster and rubric of the base commit, generates and checks the allowed-signers file,
finds the last change of every sheet, checks that each signed commit touches only its sheet and
that the sheet is unchanged since, the digests of the application's files, exclusions, quorum,
the computed indicators from the catalog statistics, the fee and the scores.
Goal: under 2 s at 10,000 commits, judged cold as in CI and on a new clone: the
repository's ``build/cache/`` emptied before each run and ``COHORTGATE_NO_CACHE=1`` (what the
review workflow sets). Every run, ours and the peers', is a fresh process started from the
harness's launcher (its own peak RSS: the largest of the program and the git processes it
waited for), interleaved, no warm-up; medians. A warm run (the run memory under
``build/cache/`` filled by an untimed run just before) is shown beside it and judges nothing.

    python -m benchmarks.bench_review [--applications 1000] [--commits 10000]
        [--sizes 1000,3000,10000,30000] [--buried 5000] [--repeats 5] [--profile]

``--buried N`` also measures the main size with the sheets followed by N later commits (other
pull requests merged since), where finding each sheet's last change walks back through them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import (
    COLD_ENV,
    ROOT,
    Usage,
    cold,
    figures,
    line,
    measure,
    median,
    profile_rows,
    program,
    report,
    save,
    verdict,
    walls,
)
from benchmarks.review_repo import GIT_ENV, TODAY, ReviewRepo, build, make_keys

GOAL_SECONDS = 2.0
WORK = ROOT / "build" / "benchmarks"


def review_argv(repo: ReviewRepo) -> list[str]:
    return [
        *program("cohortgate", "cohortgate"),
        "review",
        repo.target,
        "--base",
        "HEAD",
        "--format",
        "json",
        "--today",
        TODAY,
    ]


def peer_argv(repo: ReviewRepo) -> list[str]:
    """git alone: the 12 signatures verified in one ``git log`` process."""
    options = ["-c", "gpg.format=ssh", "-c", f"gpg.ssh.allowedSignersFile={repo.allowed_signers}"]
    return ["git", *options, "log", "--no-walk=unsorted", "--format=%H %G? %GS", *repo.sheet_shas]


def verify_commit_argv(repo: ReviewRepo) -> list[str]:
    """git alone: ``git verify-commit`` once per commit, as one shell child."""
    options = f"-c gpg.format=ssh -c gpg.ssh.allowedSignersFile='{repo.allowed_signers}'"
    loop = (
        f"for c in {' '.join(repo.sheet_shas)}; do git {options} verify-commit $c || exit 3; done"
    )
    return ["sh", "-c", loop]


def discard(repo: ReviewRepo) -> None:
    shutil.rmtree(repo.root)
    repo.allowed_signers.unlink(missing_ok=True)


def check_review(repo: ReviewRepo, out: str) -> dict[str, Any]:
    import json

    data: dict[str, Any] = json.loads(out)
    statuses = [s["status"] for s in data["signoffs"]]
    if statuses != ["valid"] * len(repo.sheet_shas) or data["findings"]:
        codes = sorted({f["code"] for f in data["findings"]})
        raise SystemExit(f"review did not accept the 12 sheets: {statuses} {codes}")
    return data


def check_peer(repo: ReviewRepo, out: str) -> None:
    lines = out.strip().splitlines()
    good = [line for line in lines if line.split()[1:2] == ["G"]]
    if len(good) != len(repo.sheet_shas):
        raise SystemExit(f"git did not find {len(repo.sheet_shas)} good signatures: {lines}")


@dataclass
class Runs:
    cold: list[Usage]
    peer: list[Usage]
    warm: list[Usage] | None = None
    verify: list[Usage] | None = None


def measure_review(repo: ReviewRepo, repeats: int, full: bool) -> Runs:
    """Interleaved fresh-process runs (a change in machine load hits all alike): ours cold,
    the git peer; ``full`` adds a warm run (not judged) and the per-commit ``verify-commit``
    peer."""
    ours, peer = review_argv(repo), peer_argv(repo)

    def ours_cold() -> Usage:
        cold(repo.root)
        return measure(ours, {**GIT_ENV, **COLD_ENV}, cwd=repo.root)

    runs = Runs([], [], warm=[] if full else None, verify=[] if full else None)
    for _ in range(repeats):
        runs.cold.append(ours_cold())
        check_review(repo, runs.cold[-1].out)
        runs.peer.append(measure(peer, GIT_ENV, cwd=repo.root))
        check_peer(repo, runs.peer[-1].out)
        if runs.warm is not None and runs.verify is not None:
            cold(repo.root)
            measure(ours, GIT_ENV, cwd=repo.root)  # fills the run memory (untimed)
            runs.warm.append(measure(ours, GIT_ENV, cwd=repo.root))
            runs.verify.append(measure(verify_commit_argv(repo), GIT_ENV, cwd=repo.root))
    return runs


def slope(points: Sequence[tuple[int, float]]) -> float:
    """Least-squares seconds per commit."""
    xs, ys = [float(x) for x, _ in points], [y for _, y in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else 0.0


def profile(repo: ReviewRepo, top: int = 20) -> list[tuple[str, str]]:
    """One cold run under cProfile: the cohortgate functions with the most cumulative time."""
    args = review_argv(repo)[len(program("cohortgate", "cohortgate")) :]
    return profile_rows(args, repo.root, GIT_ENV, WORK / "review.prof", top)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--commits", type=int, default=10_000, help="the main size")
    parser.add_argument("--sizes", default="1000,3000,10000,30000", help="history lengths")
    parser.add_argument("--buried", type=int, default=5000, help="later commits (0: skip)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", action="store_true", help="always profile one run")
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s} | {args.commits})

    growth: list[dict[str, Any]] = []
    main_runs: Runs | None = None
    main_repo: ReviewRepo | None = None
    with tempfile.TemporaryDirectory(prefix="cohortgate-bench-keys-") as tmp:
        keys = make_keys(Path(tmp))
        for size in sizes:
            repo = build(WORK / f"review-repo-{size}", keys, args.applications, size, 0, args.seed)
            runs = measure_review(repo, args.repeats, full=size == args.commits)
            growth.append(
                {
                    "commits": size,
                    "build_s": round(repo.build_seconds, 2),
                    "review_median_s": round(median(runs.cold, "wall"), 4),
                    "review_cpu_s": round(median(runs.cold, "cpu"), 4),
                    "review_rss_mb": round(median(runs.cold, "rss_mb"), 1),
                    "peer_median_s": round(median(runs.peer, "wall"), 4),
                }
            )
            print(f"  {size:>7,} commits, cold: {growth[-1]}", file=sys.stderr)
            if size == args.commits:
                main_runs, main_repo = runs, repo
            else:
                discard(repo)
        buried: dict[str, Any] | None = None
        if args.buried:
            total = args.commits + args.buried
            repo = build(
                WORK / "review-repo-buried", keys, args.applications, total, args.buried, args.seed
            )
            runs = measure_review(repo, args.repeats, full=False)
            buried = {
                "commits": total,
                "after_sheets": args.buried,
                "review_median_s": round(median(runs.cold, "wall"), 4),
                "review_cpu_s": round(median(runs.cold, "cpu"), 4),
                "peer_median_s": round(median(runs.peer, "wall"), 4),
            }
            discard(repo)
    assert main_runs is not None and main_repo is not None
    assert main_runs.warm and main_runs.verify
    ours_t, peer_t = median(main_runs.cold), median(main_runs.peer)
    ok = ours_t < GOAL_SECONDS
    fit = slope([(g["commits"], g["review_median_s"]) for g in growth])
    cpu_fit = slope([(g["commits"], g["review_cpu_s"]) for g in growth])
    peer_fit = slope([(g["commits"], g["peer_median_s"]) for g in growth])
    table = "; ".join(
        f"{g['commits']:,}: {g['review_median_s']:.3f} s wall / {g['review_cpu_s']:.3f} s CPU "
        f"(peer {g['peer_median_s']:.3f} s, {g['review_rss_mb']:.0f} MB)"
        for g in growth
    )
    rows = [
        (
            "repository",
            f"{args.applications:,} applications, {main_repo.commits:,} commits, 12 members, "
            f"12 SSH-signed sheets at the tip (built in {main_repo.build_seconds:.1f} s)",
        ),
        ("command (cwd: the repository)", " ".join(["cohortgate", *review_argv(main_repo)[1:]])),
        (
            "peer command",
            "git -c gpg.format=ssh -c gpg.ssh.allowedSignersFile=F log "
            "--no-walk=unsorted --format='%H %G? %GS' <12 shas>",
        ),
        ("machine load (1 min)", f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"),
        (
            "cohortgate review, cold (no build/cache/, COHORTGATE_NO_CACHE=1)",
            f"{line(main_runs.cold)} (goal < {GOAL_SECONDS} s: {verdict(ok)})",
        ),
        ("runs, cold (s)", walls(main_runs.cold)),
        ("git log %G? of the 12 commits (peer)", line(main_runs.peer)),
        ("git verify-commit x 12", line(main_runs.verify)),
        ("ratio review / peer (git log)", f"{ours_t / peer_t:.1f}x wall"),
        ("ratio review / verify-commit x 12", f"{ours_t / median(main_runs.verify):.1f}x wall"),
        (
            "ratio of peak RSS review / peer",
            f"{median(main_runs.cold, 'rss_mb') / median(main_runs.peer, 'rss_mb'):.1f}x",
        ),
        ("cohortgate review, warm run memory (not judged)", line(main_runs.warm)),
        ("growth: cold median by history length", table),
        (
            "growth: slope (least squares)",
            f"review {fit * 1e6:.1f} ms wall, {cpu_fit * 1e6:.1f} ms CPU per 1,000 commits; "
            f"peer {peer_fit * 1e6:.1f} ms wall",
        ),
    ]
    if buried is not None:
        rows.append(
            (
                f"sheets followed by {args.buried:,} later commits ({buried['commits']:,} in "
                "all), cold",
                f"{buried['review_median_s']:.3f} s wall, {buried['review_cpu_s']:.3f} s CPU "
                f"(peer {buried['peer_median_s']:.3f} s)",
            )
        )
    if args.profile or not ok:
        rows += profile(main_repo)
    data: dict[str, Any] = dict(report("committee review of one application", rows))
    data["growth"] = growth
    data["buried"] = buried
    data.update(figures(ok, ours_t, peer_t, main_runs.cold, main_runs.peer))
    save("review", data)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
