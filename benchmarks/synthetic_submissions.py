"""N synthetic applications for the application benchmark, under ``submissions/2026/``.

Each is the first valid application under the repository's ``submissions/`` (or, while there is
none, ``MINIMAL`` below, written against ``models/application.py``) under a new id, with its
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
from cohortgate.loading import LoadError, load_yaml_file
from cohortgate.modelcheck import check_model
from cohortgate.models.application import Application

FORM = "application.yaml"
LAY_SUMMARY = (
    "苯丙酮尿症是一种遗传代谢病，患儿需要长期控制饮食。本研究使用队列中已有的诊断和化验记录，"
    "统计不同年龄确诊的患儿血苯丙氨酸控制情况，帮助医生判断早期筛查的价值。"
    "研究只使用汇总统计结果，不接触任何能识别患儿的信息。"
)
MINIMAL: dict[str, Any] = {
    "id": "A-2026-0001",
    "submitted": "2026-03-02",
    "title": "苯丙酮尿症患儿血苯丙氨酸控制情况的汇总分析",
    "lay_summary_zh": LAY_SUMMARY,
    "applicant": {
        "name": "王芳",
        "title": "主任医师",
        "institution": "shch",
        "email": "wang.fang@shchildren.com.cn",
        "role": "principal_investigator",
    },
    "funding": {
        "funder": "国家自然科学基金委员会",
        "grant_number": "82600001",
        "level": "national",
        "title": "苯丙酮尿症早期诊断的队列研究",
        "start": "2026-01-01",
        "end": "2028-12-31",
    },
    "privacy_level": "L1",
    "datasets": [
        {
            "dataset": "ds-iem-labs",
            "variables": [
                {"table": "diagnosis", "name": "orpha_code", "justification": "按疾病选择研究对象"},
                {"table": "lab_result", "name": "value", "justification": "主要终点：化验结果"},
            ],
        }
    ],
    "selection": {
        "inclusion": {
            "diseases": ["ORPHA:79254"],
            "age_at_diagnosis": {"min_years": 0, "max_years": 18},
        }
    },
    "protocol": {
        "title": "苯丙酮尿症患儿血苯丙氨酸控制情况：多中心汇总分析",
        "purpose": "评估诊断年龄与血苯丙氨酸控制的关系，为新生儿筛查提供证据。",
        "primary_endpoints": ["血苯丙氨酸在目标范围内的比例"],
        "analysis_plan": "按诊断年龄分组汇总，只使用经统计披露控制的汇总表。",
        "expected_results": "诊断越早，达标比例越高。",
        "document": "protocol.pdf",
    },
    "non_profit": True,
    "ethics": {
        "committee": "上海市儿童医院伦理委员会",
        "approval_number": "2026R001",
        "approved_on": "2026-01-15",
        "valid_until": "2028-12-31",
        "letter": "ethics-approval.pdf",
    },
    "data_protection": {
        "storage": "医院科研服务器",
        "access_control": "仅项目组成员，账号实名",
        "encryption_at_rest": True,
        "encryption_in_transit": True,
        "certification": "mlps_level_3",
    },
    "delivery": "aggregate_report",
    "acknowledgements": {
        "no_third_party_transfer": True,
        "cite_the_source": True,
        "destroy_after_use": True,
        "accept_fees": True,
        "report_results_of_value_to_participants": True,
    },
}
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
