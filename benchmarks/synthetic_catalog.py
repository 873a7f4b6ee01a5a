"""A large catalog for the site and validation benchmarks: N datasets x M variables.

Each dataset is one of the real catalog's datasets under a new id, its first table widened to
M variables in all (the extra ones are CRF items named ``crf_item_NNN``); its statistics are
the real dataset's published statistics under the new id. Nothing here is committed: the
catalog is written under ``build/benchmarks/``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from benchmarks.common import ROOT


def write_catalog(target: Path, datasets: int = 200, variables: int = 100) -> Path:
    if target.exists():
        shutil.rmtree(target)
    (target / "catalog" / "datasets").mkdir(parents=True)
    (target / "catalog" / "stats").mkdir(parents=True)
    shutil.copy(ROOT / "catalog" / "institutions.yaml", target / "catalog" / "institutions.yaml")
    for name in ("mkdocs.yml", "mkdocs.en.yml"):
        shutil.copy(ROOT / name, target / name)
    shutil.copytree(ROOT / "site", target / "site")
    if (ROOT / "node_modules").exists():
        (target / "node_modules").symlink_to(ROOT / "node_modules")
    templates = sorted((ROOT / "catalog" / "datasets").glob("*.yaml"))
    for i in range(datasets):
        source = templates[i % len(templates)]
        data = yaml.safe_load(source.read_text("utf-8"))
        old_id, new_id = data["id"], f"{data['id']}-{i:03d}"
        data["id"] = new_id
        data["title"] = {k: f"{v} {i:03d}" for k, v in data["title"].items()}
        have = sum(len(t["variables"]) for t in data["tables"])
        first = data["tables"][0]["variables"]
        for k in range(max(0, variables - have)):
            first.append(
                {
                    "name": f"crf_item_{k:03d}",
                    "label": {"zh": f"病例报告表条目 {k:03d}", "en": f"CRF item {k:03d}"},
                    "type": "decimal",
                    "privacy": "sensitive",
                    "unit": "1",
                }
            )
        (target / "catalog" / "datasets" / f"{new_id}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8"
        )
        stats = ROOT / "catalog" / "stats" / f"{old_id}.json"
        if stats.exists():
            published = json.loads(stats.read_text("utf-8"))
            published["dataset"] = new_id
            (target / "catalog" / "stats" / f"{new_id}.json").write_text(
                json.dumps(published, ensure_ascii=False, indent=2), "utf-8"
            )
    return target
