"""N synthetic applications for the application benchmark, under ``submissions/2026/``.

Each is the first valid application under the repository's ``submissions/`` (or, while there is
none, the site's built-in example ``MINIMAL``) under a new id, with its
attachments copied beside it, its title numbered, and its datasets renamed to the copies that
``synthetic_catalog.write_catalog`` made (``ds-x`` -> ``ds-x-NNN``), spread over them.
Nothing here is committed: the repository is written under ``build/benchmarks/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from benchmarks.common import ROOT
from cohortgate.files.loading import LoadError, load_yaml_file
from cohortgate.files.modelcheck import check_model
from cohortgate.models.application import Application
from cohortgate.site.apply_example import EXAMPLE

FORM = "application.yaml"
# Without an example under submissions/, the site's built-in example (valid against the model).
MINIMAL: dict[str, Any] = EXAMPLE


PDF = b"%PDF-1.4\n% synthetic placeholder for the benchmark\n%%EOF\n"


def template() -> tuple[dict[str, Any], Path | None]:
    """The first application under ``submissions/`` that loads and matches the model, and its
    folder; else ``MINIMAL`` and no folder."""
    for path in sorted((ROOT / "submissions").glob(f"*/*/{FORM}")):
        try:
            doc = load_yaml_file(path, path.name)
        except LoadError:
            continue
        model, findings = check_model(doc, Application)
        if model is not None and not findings and isinstance(doc.data, dict):
            return doc.data, path.parent
    assert Application.model_validate(MINIMAL)
    return MINIMAL, None


def write_submissions(root: Path, count: int, year: int = 2026) -> tuple[Path, str]:
    """Write ``count`` applications under ``root/submissions/<year>/``; return the folder that
    holds them and where the template came from."""
    data, folder = template()
    variants: dict[str, list[str]] = {}
    for path in sorted((root / "catalog" / "datasets").glob("*.yaml")):
        original = path.stem.rsplit("-", 1)[0]
        variants.setdefault(original, []).append(path.stem)
    target = root / "submissions" / str(year)
    if target.exists():
        shutil.rmtree(target)
    for i in range(1, count + 1):
        app_id = f"A-{year}-{i:04d}"
        app = {**data, "id": app_id, "title": f"{data['title']}（{i:04d}）"}
        app["datasets"] = [
            {**request, "dataset": pick(variants, request["dataset"], i)}
            for request in data["datasets"]
        ]
        out = target / app_id
        out.mkdir(parents=True)
        if folder is not None:
            for attachment in folder.rglob("*"):
                if attachment.is_file() and attachment.name != FORM:
                    dest = out / attachment.relative_to(folder)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(attachment, dest)
        else:
            for name in (data["protocol"]["document"], data["ethics"]["letter"]):
                (out / name).write_bytes(PDF)
        (out / FORM).write_text(yaml.safe_dump(app, allow_unicode=True, sort_keys=False), "utf-8")
    source = folder.relative_to(ROOT).as_posix() if folder else "MINIMAL (no valid example yet)"
    return target, source


def pick(variants: dict[str, list[str]], dataset: str, i: int) -> str:
    copies = variants.get(dataset)
    return copies[i % len(copies)] if copies else dataset
