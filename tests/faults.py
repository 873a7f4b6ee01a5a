"""Kill an operation at its N-th write point, in-process: the fault injection shared by the
transaction tests (tests/test_transactions.py) and the custodian commands' (tests/custodian/
test_command_faults.py).

``Faults`` replaces the write points of ``os`` (``WRITE_POINTS``) and the directory exchange
of ``files.transaction`` for the time of ``active()``. It counts the calls of the ``counted``
ones and, at the ``crash_at``-th, raises ``Crash``: a ``BaseException``, so that no
``except Exception`` of the code under test swallows it or cleans up after it. From there on
every write point (counted or not) raises ``Crash`` too: a process killed with ``kill -9``
writes nothing more, not even in a ``finally`` or an ``except BaseException``.
``pathlib.Path.replace``/``rename``, ``shutil.move`` and ``shutil.rmtree`` call these
functions of ``os``, so they are covered as well.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import cohortgate
from cohortgate.files import transaction
from cohortgate.layout import Layout
from cohortgate.site import build as site_build

WRITE_POINTS = ("open", "write", "fsync", "replace", "rename", "link", "mkdir", "unlink", "rmdir")
EXCHANGE = "exchange"  # files.transaction._exchange: renameat2(RENAME_EXCHANGE)
EVERY_POINT = (*WRITE_POINTS, EXCHANGE)
# The points that make a write durable or current: between two of them, a kill leaves the
# same files behind (a temporary file half-written is still only a temporary file).
COMMIT_POINTS = ("fsync", "replace", "rename", EXCHANGE)
_PACKAGE = os.path.dirname(cohortgate.__file__) + os.sep
_PLUMBING = ("files.", "custodian.vault.log", "custodian.vault.chain")


class Crash(BaseException):
    """The process is killed here (kill -9)."""


def _caller() -> str:
    """Where in cohortgate the write point was reached (``module.function:line``): the
    innermost function of the package and, when that is plumbing (the writers of ``files``,
    the vault's log), the first function above it that is not."""
    found: list[str] = []
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(_PACKAGE):
            module = name[len(_PACKAGE) :].removesuffix(".py").replace(os.sep, ".")
            plumbing = module.startswith(_PLUMBING)
            if not found or not plumbing:
                found.append(f"{module}.{frame.f_code.co_name}:{frame.f_lineno}")
            if not plumbing:
                break
        frame = frame.f_back  # type: ignore[assignment]
    return " < ".join(found) or "(outside cohortgate)"


class Faults:
    """Count the ``counted`` write points; crash at the ``crash_at``-th and at every write
    point after it. ``points`` lists the counted calls: (function, where in cohortgate)."""

    def __init__(self, crash_at: int | None = None, counted: tuple[str, ...] = EVERY_POINT):
        self.crash_at = crash_at
        self.counted = frozenset(counted)
        self.calls = 0
        self.dead = False
        self.points: list[tuple[str, str]] = []

    def _hook(self, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        counted = name in self.counted

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.dead:
                raise Crash(f"{name} after the kill")
            if counted:
                self.calls += 1
                self.points.append((name, _caller()))
                if self.calls == self.crash_at:
                    self.dead = True
                    raise Crash(f"{name}, write point {self.calls}")
            return real(*args, **kwargs)

        return call

    @contextmanager
    def active(self) -> Iterator[Faults]:
        saved = {name: getattr(os, name) for name in WRITE_POINTS}
        exchange = transaction._exchange
        try:
            for name, real in saved.items():
                setattr(os, name, self._hook(name, real))
            transaction._exchange = self._hook(EXCHANGE, exchange)
            yield self
        finally:
            for name, real in saved.items():
                setattr(os, name, real)
            transaction._exchange = exchange

    def describe(self, n: int) -> str:
        """The ``n``-th counted write point, for a failure message."""
        name, where = self.points[n - 1]
        return f"write point {n} of {self.calls} (os.{name} in {where})"


def snapshot(folder: Path, skip: Callable[[str], bool] = lambda _rel: False) -> dict[str, bytes]:
    """Every file under ``folder`` (symbolic links as their target's text) by its path relative
    to it, '/'-separated; ``skip`` leaves out paths (and, for a folder, what it holds)."""
    found: dict[str, bytes] = {}
    for parent, dirs, names in os.walk(folder):
        here = Path(parent)
        rel_dir = here.relative_to(folder).as_posix()
        prefix = "" if rel_dir == "." else rel_dir + "/"
        dirs[:] = sorted(d for d in dirs if not skip(prefix + d))
        for name in sorted(names):
            rel = prefix + name
            if skip(rel):
                continue
            path = here / name
            found[rel] = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
    return found


def fake_mkdocs(
    lay: Layout, config: str, strict: bool, into: tuple[Path, Path] | None = None
) -> tuple[float, list[Any]]:
    """MkDocs at its smallest, for the site build's fault tests: one page per language, where
    the configuration says."""
    final = lay.build / "site" / ("en" if config.endswith(".en.yml") else "")
    site_dir = site_build._relocated(final, into)
    site_dir.mkdir(parents=True, exist_ok=True)
    (site_dir / "index.html").write_text(f"new {config}\n", "utf-8")
    return 0.0, []
