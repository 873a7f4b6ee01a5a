"""Starting the CLI imports no heavy library; checking an application imports only what it uses.

Building the parser loads every subcommand module, so a heavy import at the top of one of them
slows every command (``cli/<name>.py`` import such things inside ``run()``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("scipy", "duckdb", "numpy", "git", "jsonschema", "rich", "mkdocs", "highspy")
PROBE = """
import json, sys
from cohortgate.cli import build_parser, main
build_parser()
before = sorted(m for m in {heavy} if m in sys.modules)
status = main(sys.argv[1:]) if len(sys.argv) > 1 else 0
after = sorted(m for m in {heavy} if m in sys.modules)
print(json.dumps([before, after, "pydantic" in sys.modules, status]), file=sys.stderr)
"""


def probe(*argv: str) -> tuple[list[str], list[str], bool, int]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "COHORTGATE_NO_CACHE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *argv],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        check=False,
    )
    before, after, pydantic, status = json.loads(done.stderr.strip().splitlines()[-1])
    return before, after, pydantic, status


def test_building_the_parser_imports_nothing_heavy() -> None:
    before, _, pydantic, _ = probe()
    assert before == [] and not pydantic


def test_validating_one_application_imports_nothing_heavy() -> None:
    form = sorted((REPO / "submissions").glob("*/*/application.yaml"))[0]
    _, after, pydantic, status = probe("validate", str(form.relative_to(REPO)))
    assert status == 0 and pydantic  # it did check the form, with the models
    assert after == []
