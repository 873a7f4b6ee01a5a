"""JSON Schemas are generated from the models, committed, and drift-checked."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from cohortgate.files.loading import load_yaml_file
from cohortgate.layout import Layout
from cohortgate.models.schemas import SCHEMA_MODELS, check_schemas, write_schemas


def test_committed_schemas_match_the_models(repo_layout: Layout) -> None:
    assert check_schemas(repo_layout) == [], "run `cohortgate schemas` and commit the result"


def test_drift_is_detected(tmp_path: Path, repo_root: Path) -> None:
    shutil.copy(repo_root / "mkdocs.yml", tmp_path / "mkdocs.yml")
    lay = Layout(tmp_path)
    write_schemas(lay)
    assert check_schemas(lay) == []
    target = lay.schemas / "catalog-dataset.schema.json"
    target.write_text(target.read_text("utf-8").replace('"title"', '"Title"', 1), "utf-8")
    (lay.schemas / "stale.schema.json").write_text("{}", "utf-8")
    drifts = {(d.file, d.reason) for d in check_schemas(lay)}
    assert drifts == {
        ("site/schemas/catalog-dataset.schema.json", "differs from what the models generate"),
        ("site/schemas/stale.schema.json", "no model generates this file"),
    }


def test_schema_ids_are_stable_urls(repo_layout: Layout) -> None:
    for name in SCHEMA_MODELS:
        schema = json.loads((repo_layout.schemas / name).read_text("utf-8"))
        assert schema["$id"].startswith("https://") and schema["$id"].endswith("/schemas/" + name)


@pytest.mark.parametrize("kind", ["datasets", "institutions"])
def test_catalog_files_pass_the_published_schema(repo_layout: Layout, kind: str) -> None:
    """The JSON Schema that editors and check-jsonschema use agrees with the models."""
    if kind == "datasets":
        name, files = "catalog-dataset.schema.json", sorted(repo_layout.datasets.glob("*.yaml"))
    else:
        name, files = "catalog-institutions.schema.json", [repo_layout.institutions]
    schema = json.loads((repo_layout.schemas / name).read_text("utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    assert files
    for path in files:
        errors = list(validator.iter_errors(load_yaml_file(path).data))
        assert errors == [], f"{path.name}: {errors[0].message if errors else ''}"


def test_stats_files_pass_the_published_schema(repo_layout: Layout) -> None:
    schema = json.loads((repo_layout.schemas / "catalog-stats.schema.json").read_text("utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    files = sorted(repo_layout.stats.glob("*.json"))
    assert files, "run `cohortgate stats` (the demo does) and commit catalog/stats/"
    for path in files:
        assert list(validator.iter_errors(json.loads(path.read_text("utf-8")))) == []
