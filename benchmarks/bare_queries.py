"""The peer of bench_stats in a process of its own, for its peak memory: the GROUP BY queries
that `cohortgate stats` sends (read from a JSON list), and nothing else.

    python -m benchmarks.bare_queries COHORT QUERIES.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cohortgate.custodian.cohort.engine import Engine
from cohortgate.custodian.cohort.sql import Population


def main() -> int:
    cohort, queries = Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text("utf-8"))
    with Engine.open(cohort, read_only=True, display=cohort.name) as engine:
        for codes, institutions, dims in queries:
            engine.count(Population(tuple(codes), tuple(institutions)), dims)
    return 0


if __name__ == "__main__":
    sys.exit(main())
