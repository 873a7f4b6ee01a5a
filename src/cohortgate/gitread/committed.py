"""Committed YAML files as models: the rules from the base commit, sheets from the head.

The loader's own checks apply (duplicate keys, encodings, size ...); a file that does not match
its model yields located findings and no model.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Sequence
from typing import TypeVar, cast

from git import Commit
from pydantic import BaseModel

from cohortgate.files import codes as CL
from cohortgate.files import textfile
from cohortgate.files.loading import MAX_FILE_BYTES, Document, LoadError, load_yaml_text
from cohortgate.files.modelcheck import check_model
from cohortgate.findings import Finding
from cohortgate.findings.codes import Both
from cohortgate.gitread import codes as C
from cohortgate.gitread.memory import any_memory, documents_name
from cohortgate.gitread.read import SMALL_BLOB, files_under, read_blob

M = TypeVar("M", bound=BaseModel)


def parse_yaml(data: bytes, display: str) -> Document:
    """The document in ``data``; LoadError with a located finding when it cannot be read.
    Remembered for the process (and, through ``gitread.memory``, between runs)."""
    key = (data, display)
    found = _PARSED.get(key)
    if found is None:
        found = _parse_yaml(data, display)
        if len(_PARSED) >= _KEEP:
            _PARSED.clear()
        _PARSED[key] = found
    return found


_PARSED: dict[tuple[bytes, str], Document] = {}
_PREFETCHED: dict[tuple[str, str], set[str]] = {}  # (repository, commit) -> folders parsed


def prefetch_documents(head: Commit, folders: Sequence[str]) -> None:
    """Parse every small YAML file under ``folders`` at ``head`` now (remembered above): done
    while ``path_history.walk_soon`` has git walk the history on the other core."""
    done = _PREFETCHED.setdefault((str(head.repo.working_dir), head.hexsha), set())
    for folder in folders:
        if folder in done:
            continue
        done.add(folder)
        for path, committed_file in files_under(head, folder):
            if path.endswith(".yaml") and committed_file.size <= SMALL_BLOB:
                with contextlib.suppress(LoadError):
                    parse_yaml(bytes(committed_file.data_stream.read()), path)


def _parse_yaml(data: bytes, display: str) -> Document:
    """The document in ``data``; LoadError with a located finding when it cannot be read.
    Documents that loaded are remembered between runs by their bytes' SHA-256
    (``gitread.memory``), as ``validate``'s parse cache remembers files."""
    if len(data) > MAX_FILE_BYTES:
        raise LoadError(CL.FILE_TOO_LARGE.at(display, size=len(data), limit=MAX_FILE_BYTES))
    memory = any_memory()
    record = memory.record(documents_name()) if memory is not None else None
    key = hashlib.sha256(data).hexdigest()
    if record is not None:
        stored = record.get(key)
        if isinstance(stored, list) and len(stored) == 2 and isinstance(stored[1], list):
            return Document(display, stored[0], stored_positions=stored[1])
    doc = load_yaml_text(textfile.decode(data, display), display)
    if record is not None:
        positions_list = [[line, col, *path] for path, (line, col) in doc.positions.items()]
        record.put(key, [doc.data, positions_list])
    return doc


_LOADED: dict[tuple[bytes, str, type[BaseModel]], tuple[object, Document | None, list[Finding]]]
_LOADED = {}
_KEEP = 50_000  # documents remembered per process (forms, sheets, decisions, events)


def load_model(
    data: bytes, display: str, model: type[M]
) -> tuple[M | None, Document | None, list[Finding]]:
    """(model, document, findings) of one YAML file's bytes.

    Remembered for the process by (bytes, name, model): a track reads each decision and sheet
    in the review of its application and again in the credit record. The models are frozen and
    the documents never changed after loading, so sharing them is safe."""
    key = (data, display, model)
    found = _LOADED.get(key)
    if found is None:
        try:
            parsed = parse_yaml(data, display)
        except LoadError as exc:
            found = (None, None, [exc.finding])
        else:
            checked, problems = check_model(parsed, model)
            found = (checked, parsed, problems)
        if len(_LOADED) >= _KEEP:
            _LOADED.clear()
        _LOADED[key] = found
    value, doc, findings = found
    return cast("M | None", value), doc, list(findings)


def load_trusted(
    commit: Commit, path: str, model: type[M], what: Both | str
) -> tuple[M | None, list[Finding]]:
    """``path`` at the trusted (base) commit as ``model``; a missing file is a finding."""
    data = read_blob(commit, path)
    if data is None:
        return None, [C.TRUSTED_MISSING.at(path, what=what, ref=commit.hexsha[:12])]
    value, _doc, findings = load_model(data, path, model)
    return value, findings
