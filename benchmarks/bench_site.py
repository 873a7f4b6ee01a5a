"""Site generation and build for a catalog of 200 datasets x 100 variables.

Peer: the two `mkdocs build --strict` runs (zh, en) of the same build, in the same process.
Goal: generation (loading the catalog, auditing the statistics, writing pages and charts) takes
under 25 % of the mkdocs time.

    python -m benchmarks.bench_site [--datasets 200] [--variables 100]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence

from benchmarks.common import ROOT, report, save
from benchmarks.synthetic_catalog import write_catalog
from cohortgate.layout import Layout
from cohortgate.site.build import build


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--variables", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    root = write_catalog(
        ROOT / "build" / "benchmarks" / "site-catalog", args.datasets, args.variables
    )
    lay = Layout(root)
    generation, mkdocs, totals = [], [], []
    pages = charts = 0
    for _ in range(args.repeats):
        start = time.perf_counter()
        built, findings = build(lay, strict=True)
        totals.append(time.perf_counter() - start)
        if built is None:
            print("\n".join(f"{f.file}:{f.line}: {f.code}: {f.message}" for f in findings[:20]))
            return 2
        generation.append(sum(built.generated.seconds.values()))
        mkdocs.append(sum(built.mkdocs_seconds.values()))
        pages, charts = built.generated.pages, built.generated.charts
    # The first build is cold (no parse cache, no remembered audit verdicts: what CI does);
    # later ones are warm (a maintainer rebuilding after an edit).
    cold_share = generation[0] / mkdocs[0]
    gen, mk = statistics.median(generation), statistics.median(mkdocs)
    share = gen / mk
    parts = built.generated.seconds
    rows = [
        (
            "catalog",
            f"{args.datasets} datasets x {args.variables} variables, "
            f"{pages} pages, {charts} charts",
        ),
        (
            "generation, median",
            f"{gen:.2f} s ("
            + ", ".join(f"{k} {v:.2f} s" for k, v in parts.items())
            + " in the last run)",
        ),
        ("mkdocs build zh + en (peer), median", f"{mk:.2f} s"),
        (
            "generation / mkdocs, cold (first build)",
            f"{cold_share:.1%} ({generation[0]:.2f} s / {mkdocs[0]:.2f} s; goal < 25 %)",
        ),
        ("generation / mkdocs, median of all builds", f"{share:.1%}"),
        ("whole build, median", f"{statistics.median(totals):.2f} s"),
    ]
    save("site", report("site generation and build", rows))
    return 0 if cold_share < 0.25 else 1


if __name__ == "__main__":
    sys.exit(main())
