"""What the checks of one application need to know about the others: a short summary each,
made only for the applications that can matter (``Applications``).

The parent and overlap checks look at other applications' ids, requested datasets, included
diseases, parents and titles, and at whether their forms load at all. Only an application
whose form can hold the word a check looks for (the parent's id, a requested dataset's id:
``files.literal.may_hold``) or whose folder bears that name can match, so only those are
summarised; checking one application among 1,000 loads a handful of forms, not 1,000. The
summary of a form depends only on its bytes, so it is kept in the local cache
(``parse_cache``), keyed by the SHA-256 of the form, and a form is loaded only when its summary
is not there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cohortgate.applications.load import FORM, LoadedApplication, load_form
from cohortgate.files.literal import may_hold
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


class Applications:
    """Every application folder under ``submissions/``, summarised on demand.

    ``known`` holds the summaries already at hand (the applications being checked, loaded in
    full); any other folder is summarised from the cache or by loading its form, once."""

    def __init__(
        self, lay: Layout, folders: list[Path], cache: ParseCache, known: dict[Path, Summary]
    ) -> None:
        self._lay, self._folders, self._cache = lay, folders, cache
        self._made: dict[Path, Summary] = dict(known)
        self._index = cache.index(INDEX)
        self._changed = False

    def naming(self, words: list[str]) -> list[Summary]:
        """The summaries, in folder order, of every application whose folder is named one of
        ``words`` or whose form may hold one of them as a value; no other can have one of them
        as its id, parent or requested dataset."""
        out = []
        for folder in self._folders:
            found = self._made.get(folder)
            if found is None:
                found = self._summary(folder, words)
            if found is not None:
                out.append(found)
        self._save()
        return out

    def _summary(self, folder: Path, words: list[str]) -> Summary | None:
        """The folder's summary, or None when neither its name nor its form's bytes can hold
        any of ``words`` (nothing is remembered then: another question may need it)."""
        try:
            raw = read_bytes(folder / FORM, FORM, MAX_FILE_BYTES)
        except LoadError:  # missing, a link, too large ...: the full load says what
            unread = self._made[folder] = summarize(load_form(self._lay, folder, None))
            return unread
        if folder.name not in words and not may_hold(raw, words):
            return None
        digest = hashlib.sha256(raw).hexdigest()
        found = _from_record(folder, self._index[digest]) if digest in self._index else None
        if found is None:
            found = summarize(load_form(self._lay, folder, None))  # the form alone decides it
            if _still(folder / FORM, digest):  # not changed while it was read: keep it
                self._index[digest] = _record(found)
                self._changed = True
        self._made[folder] = found
        return found

    def _save(self) -> None:
        """Write the cache's index if it learnt something; it keeps at most two summaries per
        application folder, the newest (a form edited many times leaves old ones behind)."""
        if not self._changed:
            return
        limit = 2 * max(len(self._folders), 1)
        kept = dict(list(self._index.items())[-limit:])
        self._cache.save_index(INDEX, kept)
        self._index = kept
        self._changed = False


def _still(path: Path, digest: str) -> bool:
    try:
        return hashlib.sha256(read_bytes(path, FORM, MAX_FILE_BYTES)).hexdigest() == digest
    except LoadError:
        return False
