"""Committed YAML files as models: the rules from the base commit, sheets from the head.

The loader's own checks apply (duplicate keys, encodings, size ...); a file that does not match
its model yields located findings and no model.
"""

from __future__ import annotations

from typing import TypeVar

from git import Commit
from pydantic import BaseModel

from cohortgate import codes_loading as CL
from cohortgate import codes_review as C
from cohortgate import textfile
from cohortgate.findings import Finding
from cohortgate.loading import MAX_FILE_BYTES, Document, LoadError, load_yaml_text
from cohortgate.modelcheck import check_model
from cohortgate.review.gitread import read_blob

M = TypeVar("M", bound=BaseModel)


def parse_yaml(data: bytes, display: str) -> Document:
    """The document in ``data``; LoadError with a located finding when it cannot be read."""
    if len(data) > MAX_FILE_BYTES:
        raise LoadError(CL.FILE_TOO_LARGE.at(display, size=len(data), limit=MAX_FILE_BYTES))
    return load_yaml_text(textfile.decode(data, display), display)


def load_model(
    data: bytes, display: str, model: type[M]
) -> tuple[M | None, Document | None, list[Finding]]:
    """(model, document, findings) of one YAML file's bytes."""
    try:
        doc = parse_yaml(data, display)
    except LoadError as exc:
        return None, None, [exc.finding]
    value, findings = check_model(doc, model)
    return value, doc, findings


def load_trusted(
    commit: Commit, path: str, model: type[M], what: str
) -> tuple[M | None, list[Finding]]:
    """``path`` at the trusted (base) commit as ``model``; a missing file is a finding."""
    data = read_blob(commit, path)
    if data is None:
        return None, [C.TRUSTED_MISSING.at(path, what=what, ref=commit.hexsha[:12])]
    value, _doc, findings = load_model(data, path, model)
    return value, findings
