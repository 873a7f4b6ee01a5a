"""The layout shows the architecture, and the architecture holds.

The layers and the two trust zones are import contracts (``pyproject.toml``,
``[tool.importlinter]``); ``lint-imports`` checks them here and in ``scripts/test``. A copy of
the package with one forbidden import added must break them (the contracts bite). No import
cycle anywhere in the package; modules small; every module says what it produces; the README's
picture is the one the contracts and imports draw.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "cohortgate"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
# The package root holds the entry points and what every layer shares, nothing else.
ROOT_MODULES = {"__init__.py", "__main__.py", "codes.py", "layout.py", "policy.py"}
MAX_LINES = 500
SMALL_LINES = 300
SMALL_SHARE = 0.90


def lint_imports(cwd: Path, src: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_import_contracts_hold() -> None:
    done = lint_imports(REPO, REPO / "src")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # the public side reaching into the custodian's zone
        ("site/html.py", "import cohortgate.custodian.cohort.engine", "Trust zones: nothing"),
        # the custodian trusting review code
        ("custodian/release/run.py", "import cohortgate.review.run", "Trust zones: the custodian"),
        # a lower layer importing a higher one
        ("approval/quorum.py", "import cohortgate.lifecycle.track", "Layers: from the entry"),
        # inside the custodian: the cohort importing the release
        (
            "custodian/cohort/tables.py",
            "import cohortgate.custodian.release.run",
            "custodian's rooms",
        ),
    ],
)
def test_the_contracts_bite(tmp_path: Path, module: str, line: str, broken: str) -> None:
    """Guard against a vacuous pass: one forbidden import in a copy of the package breaks the
    contract that forbids it."""
    shutil.copytree(
        PACKAGE, tmp_path / "src" / "cohortgate", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "src" / "cohortgate" / module
    target.write_text(target.read_text("utf-8") + f"\n{line}  # noqa\n", "utf-8")
    done = lint_imports(tmp_path, tmp_path / "src")
    assert done.returncode == 1, done.stdout + done.stderr
    report = done.stdout[done.stdout.index("Broken contracts") :]
    assert broken in report
    assert line.split()[-1] in report


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's components of more than one node (or a node importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(component)

    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert sorted(map(sorted, strongly_connected(graph))) == [["a", "b", "c"], ["e"]]


def _packages_run(graph: dict[str, set[str]]) -> None:
    """``from cohortgate.x import y`` runs ``cohortgate/x/__init__.py`` first: an edge to the
    package too (grimp records only the edge to ``y``), so that a package whose ``__init__``
    imports its own modules cannot hide a cycle."""
    for path in modules():
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and not node.level and node.module:
                target = node.module
                while target and target not in graph:
                    target = target.rpartition(".")[0]
                if target.startswith("cohortgate") and target != name:
                    graph[name].add(target)


def test_no_import_cycle_in_the_package() -> None:
    """Every import counts, also those inside functions and under TYPE_CHECKING, and the
    package ``__init__`` that each ``from package import ...`` runs."""
    imports = grimp.build_graph("cohortgate", cache_dir=None)
    graph = {m: set(imports.find_modules_directly_imported_by(m)) for m in imports.modules}
    assert len(graph) > 200  # the whole package was read
    _packages_run(graph)
    assert strongly_connected(graph) == []


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_root_holds_only_entry_points_and_shared_modules() -> None:
    assert {p.name for p in PACKAGE.glob("*.py")} == ROOT_MODULES


def test_modules_are_small() -> None:
    sizes = {
        p.relative_to(PACKAGE).as_posix(): len(p.read_text("utf-8").splitlines()) for p in modules()
    }
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}
    small = sum(1 for n in sizes.values() if n < SMALL_LINES)
    assert small / len(sizes) >= SMALL_SHARE, sorted(sizes.items(), key=lambda kv: -kv[1])[:12]


def test_every_module_says_what_it_produces() -> None:
    missing = [
        p.relative_to(PACKAGE).as_posix()
        for p in modules()
        if not (ast.get_docstring(ast.parse(p.read_text("utf-8"))) or "").strip()
    ]
    assert missing == []


def test_the_readme_picture_is_current() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "architecture.py"), "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
