"""A local, content-addressed cache of parsed YAML files, under ``build/cache/``.

Parsing YAML line-aware is most of the time that ``cohortgate validate`` spends on a large
repository (200 datasets of 100 variables are 4 MB of YAML). The cache keeps, for each file
that loaded, its plain data and the positions of its paths, so that a later run gives the same
findings with the same lines without parsing again.

* The key is the SHA-256 of the file's bytes, read in full every time (cheap), plus a
  fingerprint of the code that produced the entry (``CODE``: the loader's and the models'
  source files and PyYAML's version). An entry is used only when both match; a changed file
  or a changed loader is simply a miss.
* Only files that load are stored; a file with a problem is parsed again, and the loader
  reports it exactly as without a cache. The file's kind, size and encoding are checked on
  every read, cache or not (``textfile.read_bytes``).
* An entry that cannot be read, does not decode or does not match its key is ignored and
  rewritten. Entries are written atomically (``cohortgate.files.atomic``).
* It is a local speed-up only: a clean clone (CI) has none. ``COHORTGATE_NO_CACHE=1`` turns
  it off.

Layout: ``build/cache/yaml-<code>/<sha256>.json`` for documents, and named JSON indexes
beside them (``index()``) for small derived records such as the summaries of applications.
Entries of an older code version are removed when the first entry of a new one is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from cohortgate.files import atomic, textfile
from cohortgate.files.loading import MAX_FILE_BYTES, Document, load_yaml_text
from cohortgate.layout import Layout

__all__ = ["CODE", "ParseCache", "code_fingerprint", "for_layout"]

DISABLE = "COHORTGATE_NO_CACHE"
# The source files whose change may change what is cached: the loader, the models and the
# code that derives records from a loaded application.
_SOURCES = (
    "files/parse_cache.py",
    "files/loading.py",
    "files/textfile.py",
    "files/yaml_syntax.py",
    "files/modelcheck.py",
    "models",
    "applications/load.py",
    "applications/summary.py",
    "applications/identity.py",
    "applications/attachments.py",
    "catalog/load.py",
    "catalog/partial.py",
)


@cache
def code_fingerprint() -> str:
    """A hash of the cached records' producers: a change to any of them invalidates all."""
    digest = hashlib.sha256(f"pyyaml {yaml.__version__} {yaml.__with_libyaml__}".encode())
    package = resources.files("cohortgate")
    for name in _SOURCES:
        item = package.joinpath(name)
        if not (item.is_dir() or item.is_file()):  # a moved source would silently drop out
            raise FileNotFoundError(f"cohortgate/{name}: a source of the parse cache is missing")
        files = sorted(item.iterdir(), key=lambda f: f.name) if item.is_dir() else [item]
        for f in files:
            if f.name.endswith(".py") and f.is_file():
                digest.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


CODE = "yaml"  # the folder prefix; the fingerprint follows it


class ParseCache:
    """The cache of one repository; ``folder`` None means no cache (every call is a miss)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._pruned = False

    # -- documents ---------------------------------------------------------------------------

    def document(self, path: Path, display: str) -> Document:
        """``loading.load_yaml_file(path, display)``, from the cache when the bytes match."""
        raw = textfile.read_bytes(path, display, MAX_FILE_BYTES)
        key = hashlib.sha256(raw).hexdigest()
        found = self._read_document(key, display)
        if found is not None:
            return found
        doc = load_yaml_text(textfile.decode(raw, display), display)
        self._write_document(key, doc)
        return doc

    def cached_document(self, path: Path, display: str) -> Document | None:
        """The cached document of ``path`` if there is one for its current bytes, else None
        (also for a file that cannot be read: the caller's full load reports it)."""
        if self.folder is None:
            return None
        try:
            raw = textfile.read_bytes(path, display, MAX_FILE_BYTES)
        except textfile.LoadError:
            return None
        return self._read_document(hashlib.sha256(raw).hexdigest(), display)

    def _read_document(self, key: str, display: str) -> Document | None:
        entry = self._read(f"{key}.json")
        if not isinstance(entry, dict) or entry.get("sha256") != key:
            return None
        try:
            positions = {tuple(p[2:]): (p[0], p[1]) for p in entry["positions"]}
            return Document(display, entry["data"], positions)
        except (KeyError, TypeError, IndexError):
            return None

    def _write_document(self, key: str, doc: Document) -> None:
        positions = [[line, column, *path] for path, (line, column) in doc.positions.items()]
        self._write(f"{key}.json", {"sha256": key, "data": doc.data, "positions": positions})

    # -- small derived records, one index per kind --------------------------------------------

    def index(self, name: str) -> dict[str, Any]:
        """The named index (sha256 of a file -> record); empty when missing or unreadable."""
        found = self._read(f"{name}.index.json")
        return found if isinstance(found, dict) else {}

    def save_index(self, name: str, records: dict[str, Any]) -> None:
        self._write(f"{name}.index.json", records)

    # -- files ------------------------------------------------------------------------------

    def _read(self, name: str) -> Any:
        if self.folder is None:
            return None
        try:
            return json.loads((self.folder / name).read_bytes())
        except (OSError, ValueError):
            return None

    def _write(self, name: str, value: Any) -> None:
        if self.folder is None:
            return
        try:
            text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            self._prune()
            atomic.write_text(self.folder / name, text)
        except (OSError, ValueError, TypeError):
            pass  # a cache that cannot be written is no cache, not an error

    def _prune(self) -> None:
        """Remove the entries of other code versions, once per process."""
        if self._pruned or self.folder is None:
            return
        self._pruned = True
        parent = self.folder.parent
        if not parent.is_dir():
            return
        for old in parent.glob(f"{CODE}-*"):
            if old != self.folder and old.is_dir() and not old.is_symlink():
                shutil.rmtree(old, ignore_errors=True)


def for_layout(lay: Layout) -> ParseCache:
    """The cache under ``build/cache/`` of the repository ``lay``, unless turned off."""
    if os.environ.get(DISABLE, "") not in ("", "0"):
        return ParseCache(None)
    return ParseCache(lay.build / "cache" / f"{CODE}-{code_fingerprint()}")
