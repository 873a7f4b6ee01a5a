"""The pre-commit hooks that applicants run from their own fork: ``.pre-commit-hooks.yaml``.

The file at the repository root is generated from ``HOOKS`` (``python -m cohortgate.ci.precommit``
writes it, ``--check`` compares) and a test fails when the two differ, the way
check-jsonschema generates its hooks file from its catalog. An applicant's
``.pre-commit-config.yaml``::

    repos:
      - repo: https://github.com/cohortgate/cohortgate
        rev: <a tag or commit>
        hooks:
          - id: cohortgate-validate
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from cohortgate.files.atomic import write_text
from cohortgate.layout import layout

FILE_NAME = ".pre-commit-hooks.yaml"
HEADER = (
    "# Generated from src/cohortgate/ci/precommit.py by `python -m cohortgate.ci.precommit`;\n"
    "# do not edit by hand (tests/github/test_precommit_hooks.py checks it).\n"
)


@dataclass(frozen=True)
class Hook:
    id: str
    name: str
    description: str
    entry: str
    language: str
    files: str
    pass_filenames: bool
    require_serial: bool


HOOKS = (
    Hook(
        id="cohortgate-validate",
        name="cohortgate validate",
        description="校验数据申请 / check data-access applications against the catalog",
        entry="cohortgate validate",
        language="python",
        files=r"^submissions/.*\.ya?ml$",
        pass_filenames=True,
        require_serial=True,  # one process loads the catalog once for all the files
    ),
    Hook(
        id="cohortgate-schemas",
        name="cohortgate schemas --check",
        description="JSON Schema 与模型一致 / the JSON Schemas match the models",
        entry="cohortgate schemas --check",
        language="python",
        files=r"^(src/cohortgate/models/|site/schemas/)",
        pass_filenames=False,
        require_serial=True,
    ),
)


def render_hooks(hooks: Sequence[Hook] = HOOKS) -> str:
    body = yaml.safe_dump(
        [asdict(h) for h in hooks], allow_unicode=True, sort_keys=False, width=100
    )
    return HEADER + body


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cohortgate.ci.precommit", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    parser.add_argument("--root", type=Path, default=None, help="repository root")
    args = parser.parse_args(argv)
    path = layout(args.root).root / FILE_NAME
    text = render_hooks()
    current = path.read_text("utf-8") if path.is_file() else None
    if args.check:
        if current != text:
            print(f"{FILE_NAME} is out of date; run `python -m cohortgate.ci.precommit`")
            return 1
        print(f"{FILE_NAME} is up to date")
        return 0
    if current != text:
        write_text(path, text)
        print(f"wrote {FILE_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
