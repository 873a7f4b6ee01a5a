"""Every application under ``submissions/`` checked: ``validate_applications``.

It loads the requested applications, and of the others only those that the parent and overlap
checks may be about (``applications.summary``), then checks the requested ones against the
catalog, the institutions, the blacklist and the ontology.
"""

from __future__ import annotations

import functools
import os
from datetime import date
from pathlib import Path

from cohortgate.applications.checks import APPLICATION_CHECKS, Context, run_checks
from cohortgate.applications.dating import resolver
from cohortgate.applications.load import (
    FORM,
    IS_LINK,
    REPLACE_LINK,
    LoadedApplication,
    load_application,
    load_blacklist,
    misplaced,
    scan_submissions,
)
from cohortgate.applications.summary import Applications, summarize
from cohortgate.catalog.load import Catalog
from cohortgate.catalog.partial import PartialCatalog
from cohortgate.files.parse_cache import for_layout
from cohortgate.findings import Finding, sort_findings
from cohortgate.layout import Layout
from cohortgate.ontology import load_index

__all__ = ["APPLICATION_CHECKS", "is_application_path", "validate_applications"]


def _lexical(path: Path, parents: dict[Path, Path] | None = None) -> Path:
    """``path`` made absolute with its parents' links resolved, but not a link that ``path``
    itself is: a form or folder that is a link is reported, never followed. ``parents``
    remembers resolved parents within one call of ``validate_applications``."""
    absolute = Path(os.path.abspath(path))
    if parents is None:
        return absolute.parent.resolve() / absolute.name
    parent = parents.get(absolute.parent)
    if parent is None:
        parent = parents[absolute.parent] = absolute.parent.resolve()
    return parent / absolute.name


def is_application_path(lay: Layout, path: Path) -> bool:
    """``submissions/`` or anything in it, an application folder, or an application.yaml."""
    place, submissions = _lexical(path), lay.submissions.resolve()
    if place == submissions or place.is_relative_to(submissions) or place.name == FORM:
        return True
    return place.is_dir() and not place.is_symlink() and (place / FORM).is_file()


def _targets(lay: Layout, paths: list[Path]) -> tuple[list[Path], list[Finding]]:
    """The application folders that ``paths`` name, and findings for misplaced items."""
    folders: list[Path] = []
    findings: list[Finding] = []
    submissions = lay.submissions.resolve()
    for path in paths:
        place = _lexical(path)
        if not place.exists() and not place.is_symlink():
            raise ValueError(f"{path}: no such file or folder")
        if not is_application_path(lay, path):
            raise ValueError(f"{path}: not an application folder or application.yaml")
        if place.is_symlink() and place.name != FORM:
            findings.append(misplaced(lay, place, IS_LINK, REPLACE_LINK))
            continue
        if place == submissions:
            found, problems = scan_submissions(lay)
        elif place.parent == submissions and place.is_dir():
            found, problems = scan_submissions(lay, place)
        else:
            folder = place.parent if place.name == FORM or not place.is_dir() else place
            found, problems = [folder], []
        folders += found
        findings += problems
    return list(dict.fromkeys(_lexical(f) for f in folders)), findings


def reopened_topics(lay: Layout) -> frozenset[str]:
    """The applications whose topic is reopened (R21): expired without outputs, from the
    repository's history (``lifecycle.topics``); none outside a git repository."""
    from datetime import date

    from cohortgate.gitread.read import ReviewInputError, commit_of, open_repo
    from cohortgate.lifecycle.topics import reopened_topics_at  # late: GitPython, review

    try:
        repo = open_repo(lay.root)
        with repo:
            topics = reopened_topics_at(repo, lay, commit_of(repo, "HEAD"), date.today())
    except ReviewInputError:
        return frozenset()
    return frozenset(t.application for t in topics)


def validate_applications(
    lay: Layout,
    paths: list[Path] | None = None,
    *,
    catalog: Catalog | None = None,
    received: date | None = None,
    today: date | None = None,
) -> list[Finding]:
    """Findings for the applications that ``paths`` name (None: all of ``submissions/``).

    Ethics approval and funding are judged on the day each application was received
    (``applications.dating``): ``received`` when given (the pull request's creation day in CI),
    else the office's signed 'received' event, else ``today`` (default: the system's date).

    Raises ValueError for a path that is not an application, an application folder or
    ``submissions/`` (a usage error)."""
    every, misplaced = scan_submissions(lay)
    parents: dict[Path, Path] = {}  # the year folders, resolved once
    every = [_lexical(folder, parents) for folder in every]
    if paths is None:
        targets, findings = every, misplaced
    else:
        targets, findings = _targets(lay, paths)
    cache = for_layout(lay)
    # Without a catalog given, the datasets are loaded as the checks ask for them.
    view = PartialCatalog(lay) if catalog is None else catalog
    # The requested applications in full; the others summarised when a check asks about them.
    loaded = {folder: load_application(lay, folder, cache) for folder in targets}
    drafts = [folder for folder in targets if folder not in every]  # outside submissions/
    known = {folder: summarize(app) for folder, app in loaded.items()}
    applications = Applications(lay, list(dict.fromkeys(every + drafts)), cache, known)
    blacklist, blacklist_doc, problems = load_blacklist(lay)
    findings += problems
    day = today or date.today()
    received_of, problems = resolver(lay.root, targets, received, day)
    findings += problems
    ctx = Context(
        view,
        load_index(),
        blacklist,
        blacklist_doc,
        applications,
        reopened=functools.cache(lambda: reopened_topics(lay)),
        received=received_of,
        today=day,
    )
    for folder in targets:
        app: LoadedApplication = loaded[folder]
        findings += app.findings
        if app.form is not None:
            findings += run_checks(app.form, ctx)
    if isinstance(view, PartialCatalog):
        view.save()
    return sort_findings(findings)
