"""Site generation and build for a catalog of 200 datasets x 100 variables.

Ours: generating the site's pages (loading the catalog, auditing the statistics, writing pages
and charts: ``cohortgate.site.generate``, what `cohortgate site build` does before MkDocs), in a
fresh process of its own (``python -m benchmarks.bench_site --generate ROOT``), imports
included. Peer: the two MkDocs builds of the same site, zh then en, as MkDocs's own command
runs them (``mkdocs build --strict -f mkdocs.yml``, then ``-f mkdocs.en.yml``: two fresh
processes, their times added). Goal: generation takes under 25 % of the MkDocs time, cold: no
``build/cache/`` (parse cache, remembered audit verdicts) and ``COHORTGATE_NO_CACHE=1``, as on a
clean clone and in CI. Every side runs in fresh processes started from the harness's launcher
(their own peak RSS), interleaved, no warm-up; medians. The whole `cohortgate site build`
(generation and both MkDocs builds in one process), cold, is measured once and shown beside it.

    python -m benchmarks.bench_site [--datasets 200] [--variables 100] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import (
    COLD_ENV,
    ROOT,
    Usage,
    cold,
    figures,
    line,
    measure,
    median,
    program,
    python_module,
    report,
    save,
    verdict,
    walls,
)

GOAL_SHARE = 0.25
CONFIGS = ("mkdocs.yml", "mkdocs.en.yml")  # zh first: en's site_dir is inside zh's


def generate_only(root: Path) -> int:
    """Ours, in its own process: the pages generated, nothing built."""
    from cohortgate.layout import Layout
    from cohortgate.site.generate import generate

    generated, findings = generate(Layout(root))
    if generated is None:
        print("\n".join(f"{f.file}:{f.line}: {f.code}: {f.message}" for f in findings[:20]))
        return 2
    print(f"{generated.pages} pages, {generated.charts} charts")
    return 0


def both(runs: Sequence[Usage]) -> Usage:
    """The two MkDocs processes as one side: times added, the larger peak."""
    return Usage(
        sum(r.wall for r in runs),
        sum(r.cpu for r in runs),
        max(r.rss_mb for r in runs),
        "".join(r.out for r in runs),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--variables", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--generate", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate:
        return generate_only(args.generate)

    from benchmarks.synthetic_catalog import write_catalog

    root = write_catalog(
        ROOT / "build" / "benchmarks" / "site-catalog", args.datasets, args.variables
    )
    mkdocs = program("mkdocs", "mkdocs")
    runs: dict[str, list[Usage]] = {"ours": [], "peer": [], "whole": []}
    said = ""
    for _ in range(args.repeats):
        cold(root)
        generated = measure(
            python_module("benchmarks.bench_site", "--generate", str(root)),
            COLD_ENV,
            cwd=root,
            codes=(0,),
        )
        runs["ours"].append(generated)
        said = generated.out.strip()
        runs["peer"].append(
            both(
                [
                    measure([*mkdocs, "build", "--strict", "-f", c], cwd=root, codes=(0,))
                    for c in CONFIGS
                ]
            )
        )
        if not runs["whole"]:  # once: it is generation and both builds again, in one process
            cold(root)
            cohortgate = program("cohortgate", "cohortgate")
            whole = [*cohortgate, "site", "build", "--root", str(root)]
            runs["whole"].append(measure(whole, COLD_ENV, cwd=root, codes=(0,)))
    gen, mk = median(runs["ours"]), median(runs["peer"])
    share = gen / mk
    ok = share < GOAL_SHARE
    rows = [
        ("catalog", f"{args.datasets} datasets x {args.variables} variables, {said}"),
        ("machine load (1 min)", f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"),
        ("generation, cold, own process", line(runs["ours"])),
        ("mkdocs build zh + en (peer), two processes", line(runs["peer"])),
        (
            "generation / mkdocs, cold",
            f"{share:.1%} (goal < {GOAL_SHARE:.0%}: {verdict(ok)})",
        ),
        ("runs, generation (s)", walls(runs["ours"])),
        ("runs, mkdocs zh + en (s)", walls(runs["peer"])),
        ("whole `cohortgate site build`, cold", line(runs["whole"])),
    ]
    data: dict[str, object] = dict(report("site generation and build", rows))
    data.update(figures(ok, gen, mk, runs["ours"], runs["peer"]))
    save("site", data)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
