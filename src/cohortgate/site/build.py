"""Generate the docs trees, then build both MkDocs projects: zh into ``build/site``, en into
``build/site/en`` (zh first: MkDocs empties its ``site_dir``, and en's is inside zh's).

Both are built into a staging folder beside it (``build/.site.staging``: each configuration's
``site_dir`` re-rooted there) that replaces ``build/site`` in one swap once both languages are
complete (``files.transaction.swap_dir``): the previous site stays whole until then, whatever kills
the build, and a failed build leaves it untouched. A disk that refuses a write (read-only, full,
no permission) is a finding naming the file, never an internal error.

MkDocs runs in this process, from the repository root (the search plugin reads
``jieba_dict_user`` relative to the working directory), so jieba's model loads once for both
languages. Every MkDocs warning becomes a finding; with ``strict`` it fails the build.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from cohortgate.files import atomic, transaction
from cohortgate.findings import Finding, Severity, has_errors
from cohortgate.layout import Layout
from cohortgate.site import codes as C
from cohortgate.site.generate import Audit, Generated, generate

CONFIGS = ("mkdocs.yml", "mkdocs.en.yml")  # zh first


@dataclass
class Built:
    site: Path
    generated: Generated
    mkdocs_seconds: dict[str, float] = field(default_factory=dict)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def _mkdocs_logs() -> Iterator[_Collect]:
    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    logger.addHandler(handler)
    old_propagate = logger.propagate
    logger.propagate = False  # findings, not stray stderr lines
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = old_propagate


def _relocated(site_dir: Path, into: tuple[Path, Path] | None) -> Path:
    """``site_dir`` re-rooted from the final folder into the staging one (``into``)."""
    if into is None:
        return site_dir
    final, stage = into
    try:
        return stage / site_dir.resolve().relative_to(final.resolve())
    except ValueError:  # a site_dir outside the final folder is built in place
        return site_dir


def run_mkdocs(
    lay: Layout, config: str, strict: bool, into: tuple[Path, Path] | None = None
) -> tuple[float, list[Finding]]:
    """Build one MkDocs project; its warnings and errors as findings. ``into`` is (final
    folder, staging folder): a ``site_dir`` inside the first is built inside the second."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build as mkdocs_build  # late: slow to import
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    with contextlib.suppress(ImportError):  # jieba reports its model loading at DEBUG level
        import jieba

        jieba.setLogLevel(logging.WARNING)

    started = time.perf_counter()
    findings: list[Finding] = []
    with _mkdocs_logs() as logs, contextlib.chdir(lay.root), warnings.catch_warnings():
        # jieba.load_userdict (called by the search plugin) never closes the dictionary file
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            cfg = load_config(config_file=str(lay.root / config), strict=strict)
            cfg["site_dir"] = str(_relocated(Path(cfg["site_dir"]), into))
            mkdocs_build(cfg)
        except MkDocsException as exc:
            findings.append(C.SITE_MKDOCS.at(config, message=str(exc).strip()))
    logged = []
    for record in logs.records:
        finding = C.SITE_MKDOCS.at(config, message=record.getMessage().strip())
        if not strict and record.levelno < logging.ERROR:
            finding = replace(finding, severity=Severity.WARNING)
        logged.append(finding)
    return time.perf_counter() - started, logged + findings


def build(
    lay: Layout, *, strict: bool = True, audit: Audit | None = None
) -> tuple[Built | None, list[Finding]]:
    final = lay.build / "site"
    stage = transaction.staging_dir(final)
    findings: list[Finding] = []
    try:
        generated, findings = generate(lay, audit)
        if generated is None:
            return None, findings
        findings += [r.finding(lay.rel(r.path)) for r in transaction.recover_dir(final, stage)]
        built = Built(final, generated)
        for config in CONFIGS:
            seconds, problems = run_mkdocs(lay, config, strict, into=(final, stage))
            built.mkdocs_seconds[config] = seconds
            findings += problems
            if has_errors(problems):
                shutil.rmtree(stage, ignore_errors=True)
                return None, findings
        transaction.swap_dir(stage, final, durable=False)
    except OSError as error:
        if not atomic.disk_error(error):
            raise
        shutil.rmtree(stage, ignore_errors=True)
        return None, [*findings, _refused(lay, error, final)]
    return built, findings


def _refused(lay: Layout, error: OSError, final: Path) -> Finding:
    """The finding of a write the disk refused, naming the file (relative to the root)."""
    if isinstance(error, atomic.WriteError):
        return error.finding(lay.rel(error.target))
    target = Path(os.fsdecode(error.filename)) if error.filename else final
    return atomic.WriteError(target, error).finding(lay.rel(target))
