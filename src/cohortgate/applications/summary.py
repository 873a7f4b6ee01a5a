"""What the checks of one application need to know about every other: a short summary each.

The parent and overlap checks look at the other applications' ids, requested datasets,
included diseases, parents, titles and applicants, and at whether their forms load at all.
Loading 1,000 forms line-aware to learn this costs a second; the summary of a form depends only
on its bytes, so it is kept in the local cache (``parse_cache``), keyed by the SHA-256 of the
form, and a form is loaded only when its summary is not there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cohortgate.applications.load import FORM, LoadedApplication, load_application
from cohortgate.files.loading import MAX_FILE_BYTES, LoadError
from cohortgate.files.parse_cache import ParseCache
from cohortgate.files.textfile import read_bytes
from cohortgate.layout import Layout

INDEX = "applications"  # sha256 of an application.yaml -> its summary record


@dataclass(frozen=True)
class Summary:
    folder: Path
    id: str  # the form's id, or the folder's name when the form does not load
    loads: bool  # the form loads and matches the model (the checks run on it)
    parent_application: str | None = None
    datasets: tuple[str, ...] = ()
    diseases: tuple[str, ...] = ()  # selection.inclusion.diseases
    title: str = ""  # no applicant's name or e-mail: overlap findings name applications only


def summarize(loaded: LoadedApplication) -> Summary:
    if loaded.form is None:
        return Summary(loaded.folder, loaded.folder.name, False)
    app = loaded.form.app
    return Summary(
        loaded.folder,
        app.id,
        True,
        app.parent_application,
        tuple(r.dataset for r in app.datasets),
        tuple(app.selection.inclusion.diseases),
        app.title,
    )


def _record(summary: Summary) -> dict[str, Any]:
    """The part of a summary that the form's bytes decide (not its folder)."""
    if not summary.loads:
        return {"loads": False}
    return {
        "loads": True,
        "id": summary.id,
        "parent_application": summary.parent_application,
        "datasets": list(summary.datasets),
        "diseases": list(summary.diseases),
        "title": summary.title,
    }


def _from_record(folder: Path, record: Any) -> Summary | None:
    try:
        if not record["loads"]:
            return Summary(folder, folder.name, False)
        return Summary(
            folder,
            str(record["id"]),
            True,
            record["parent_application"],
            tuple(str(d) for d in record["datasets"]),
            tuple(str(d) for d in record["diseases"]),
            str(record["title"]),
        )
    except (KeyError, TypeError):
        return None


def summaries(lay: Layout, folders: list[Path], cache: ParseCache) -> list[Summary]:
    """The summary of each application folder, from the cache where it holds the form's
    current bytes, else by loading the form (and caching the result)."""
    index = cache.index(INDEX)
    kept: dict[str, Any] = {}
    changed = False
    out = []
    for folder in folders:
        try:
            raw = read_bytes(folder / FORM, FORM, MAX_FILE_BYTES)
        except LoadError:  # missing, a link, too large ...: the full load says what
            out.append(summarize(load_application(lay, folder)))
            continue
        digest = hashlib.sha256(raw).hexdigest()
        found = _from_record(folder, index[digest]) if digest in index else None
        if found is None:
            found = summarize(load_application(lay, folder))  # its summary is what is kept
            if not _still(folder / FORM, digest):  # changed while it was read: do not keep
                out.append(found)
                continue
            changed = True
        kept[digest] = _record(found)
        out.append(found)
    if changed:  # the index keeps the forms seen in this run, dropping those since changed
        cache.save_index(INDEX, kept)
    return out


def _still(path: Path, digest: str) -> bool:
    try:
        return hashlib.sha256(read_bytes(path, FORM, MAX_FILE_BYTES)).hexdigest() == digest
    except LoadError:
        return False
