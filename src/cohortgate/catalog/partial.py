"""A catalog whose datasets are loaded only when asked for: what checking one application needs.

Checking an application looks up the few datasets it requests by id; only a problem (an unknown
dataset, a disease that no requested dataset holds) makes a check look at every dataset. A
``PartialCatalog`` gives the same answers as ``load_catalog(lay, with_stats=False)``'s catalog:

* ``dataset(id)`` walks the dataset files in the same (sorted) order and returns the first that
  loads with that id. A file whose bytes cannot hold the id (``files.literal.may_hold``) is
  skipped without loading, and so is a file whose id the cache's ``datasets`` index knows for
  its current bytes (SHA-256) when that id differs; any other file is loaded.
* ``datasets`` loads every file, the first time it is read.

The index is a local speed-up like the rest of ``parse_cache``: without it every file is loaded.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from cohortgate.catalog.load import Catalog, LoadedDataset, load_catalog, load_dataset
from cohortgate.files.literal import may_hold
from cohortgate.files.loading import MAX_FILE_BYTES, LoadError
from cohortgate.files.parse_cache import ParseCache, for_layout
from cohortgate.files.textfile import read_bytes
from cohortgate.layout import Layout
from cohortgate.models.dataset import Dataset

INDEX = "datasets"  # sha256 of a dataset file -> the id it loads with, or None


class PartialCatalog(Catalog):
    def __init__(self, lay: Layout) -> None:
        self.cache: ParseCache = for_layout(lay)
        full, _ = load_catalog(lay, with_stats=False, datasets=False)
        self.institutions = full.institutions
        self.stats = {}
        self._all: list[LoadedDataset] | None = None
        self._loaded: dict[Path, LoadedDataset | None] = {}
        self._index = self.cache.index(INDEX)
        self._index_changed = False
        self._lay = lay
        self._files = sorted(lay.datasets.glob("*.yaml"))

    def _digest(self, path: Path) -> tuple[bytes | None, str | None]:
        """The file's bytes and their SHA-256, or None for a file that cannot be read (loaded,
        and reported, in full when asked for)."""
        try:
            raw = read_bytes(path, path.name, MAX_FILE_BYTES)
        except LoadError:
            return None, None
        return raw, hashlib.sha256(raw).hexdigest()

    def _load(self, path: Path, digest: str | None) -> LoadedDataset | None:
        if path not in self._loaded:
            loaded, _ = load_dataset(path, self._lay.rel(path), self.cache)
            self._loaded[path] = loaded
            if digest is not None:
                self._index[digest] = loaded.dataset.id if loaded else None
                self._index_changed = True
        return self._loaded[path]

    @property
    def datasets(self) -> list[LoadedDataset]:
        if self._all is None:
            found = [self._load(path, self._digest(path)[1]) for path in self._files]
            self._all = [loaded for loaded in found if loaded is not None]
            self.save()
        return self._all

    @datasets.setter
    def datasets(self, value: list[LoadedDataset]) -> None:
        self._all = value

    def dataset(self, id: str) -> Dataset | None:
        for path in self._files:
            if path in self._loaded:
                loaded = self._loaded[path]
            else:
                raw, digest = self._digest(path)
                if raw is not None and not may_hold(raw, [id]):
                    continue  # cannot load with this id
                if digest is not None and digest in self._index and self._index[digest] != id:
                    continue  # known to load as another dataset, or not at all
                loaded = self._load(path, digest)
            if loaded is not None and loaded.dataset.id == id:
                return loaded.dataset
        return None

    def save(self) -> None:
        """Write the id index if this catalog learnt something new."""
        if self._index_changed:  # kept: the files of the catalog as it is now
            known = {self._digest(path)[1] for path in self._files}
            self.cache.save_index(INDEX, {k: v for k, v in self._index.items() if k in known})
            self._index_changed = False
