"""JSON Schemas generated from the pydantic models, committed under ``site/schemas/``.

The models are the single source of truth; the schemas are what editors, ``check-jsonschema``
and the site's form read. ``cohortgate schemas --check`` (run by the test suite) fails when a
committed schema differs from what the models generate.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from cohortgate.files.atomic import write_text
from cohortgate.layout import Layout
from cohortgate.models.agreement import SignedAgreements
from cohortgate.models.application import Application
from cohortgate.models.blacklist import Blacklist
from cohortgate.models.dataset import Dataset
from cohortgate.models.institution import InstitutionRegistry
from cohortgate.models.lifecycle import ApplicantKeys, Event
from cohortgate.models.release import ReleaseManifest
from cohortgate.models.review import ChangeApproval, Decision, ScoreSheet
from cohortgate.models.roster import Roster
from cohortgate.models.rubric import Rubric
from cohortgate.models.stats import DatasetStats

# file name -> (model, title).
SCHEMA_MODELS: dict[str, tuple[type[BaseModel], str]] = {
    "roster.schema.json": (Roster, "cohortgate committee roster"),
    "rubric.schema.json": (Rubric, "cohortgate review rubric (Table 1, R14, R34)"),
    "review-sheet.schema.json": (ScoreSheet, "cohortgate score sheet (R13, R14)"),
    "decision.schema.json": (Decision, "cohortgate decision on an application (R15)"),
    "change-approval.schema.json": (ChangeApproval, "cohortgate chair's approval of a rule change"),
    "agreements.schema.json": (SignedAgreements, "cohortgate signed agreements (R17)"),
    "event.schema.json": (Event, "cohortgate lifecycle event (R19-R25)"),
    "applicants.schema.json": (ApplicantKeys, "cohortgate applicants' signing keys"),
    "release-manifest.schema.json": (ReleaseManifest, "cohortgate release manifest (R16-R18)"),
    "application.schema.json": (Application, "cohortgate data-access application"),
    "blacklist.schema.json": (Blacklist, "cohortgate blacklist (R25)"),
    "catalog-dataset.schema.json": (Dataset, "cohortgate catalog dataset"),
    "catalog-institutions.schema.json": (InstitutionRegistry, "cohortgate member institutions"),
    "catalog-stats.schema.json": (DatasetStats, "cohortgate published statistics"),
}

DEFAULT_SITE_URL = "https://cohortgate.github.io/cohortgate/"


@dataclass(frozen=True)
class Drift:
    file: str
    reason: str


def site_url(lay: Layout) -> str:
    """``site_url`` of ``mkdocs.yml``: the schemas' ``$id`` are stable URLs under it."""
    config = lay.root / "mkdocs.yml"
    if config.is_file():
        match = re.search(r"^site_url:\s*['\"]?([^'\"\s]+)", config.read_text("utf-8"), re.M)
        if match:
            return match.group(1).rstrip("/") + "/"
    return DEFAULT_SITE_URL


def render_schema(model: type[BaseModel], title: str, schema_id: str) -> str:
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        **model.model_json_schema(),
    }
    schema["title"] = title
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def expected_schemas(lay: Layout) -> dict[str, str]:
    base = site_url(lay) + "schemas/"
    return {
        name: render_schema(model, title, base + name)
        for name, (model, title) in SCHEMA_MODELS.items()
    }


def write_schemas(lay: Layout) -> list[Path]:
    written = []
    for name, text in expected_schemas(lay).items():
        path = lay.schemas / name
        if not path.is_file() or path.read_text("utf-8") != text:
            write_text(path, text)
            written.append(path)
    return written


def check_schemas(lay: Layout) -> list[Drift]:
    drifts = []
    for name, text in expected_schemas(lay).items():
        path = lay.schemas / name
        if not path.is_file():
            drifts.append(Drift(lay.rel(path), "missing"))
        elif path.read_text("utf-8") != text:
            drifts.append(Drift(lay.rel(path), "differs from what the models generate"))
    known = set(SCHEMA_MODELS)
    for path in sorted(lay.schemas.glob("*.schema.json")):
        if path.name not in known:
            drifts.append(Drift(lay.rel(path), "no model generates this file"))
    return drifts
