"""The demo's L2 application, written into the demo's governance repository only.

The repository's own L2 example (A-2026-0002) cannot show a release that a newcomer can open
and trace: it asks for genetic data, which go to the data centre's enclave (remote desktop,
R18, R29), not in an encrypted package; and its team's institutions (bch, fdpch) exclude the
roster's only legal expert and all but one member of the data management committee, so the
roster cannot reach the L2 quorum on it. The demo therefore applies, in the name of the L1
example's applicant (xhh, without the shch team member), for patient-level growth data from the
follow-up visits: four variables, the visit's patient id (pseudonymised in the release) and
date (a quasi-identifier the release generalises), weight and height, for two diseases with
hundreds of published patients each, delivered by encrypted e-mail (R18, R31).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

L1_APP = "A-2026-0001"  # the repository's own L1 example: aggregate statistics
L2_APP = "A-2026-0003"  # written by the demo (see above)
L2_SUBMITTED = "2026-03-16"
L2_FROM = L1_APP  # whose form, attachments and applicant it starts from
L2_DATASET = "ds-followup-visits"
L2_VARIABLES = (
    ("visit", "patient_id", "关联同一患儿的多次随访（以本项目专属假名提供）"),
    ("visit", "visit_date", "随访时间，计算生长速度"),
    ("visit", "weight_kg", "主要终点：体重随月龄的变化"),
    ("visit", "height_cm", "主要终点：身高随月龄的变化"),
)
L2_DISEASES = ("ORPHA:739", "ORPHA:15")  # Prader-Willi syndrome, achondroplasia
ATTACHMENTS = ("protocol.pdf", "ethics-letter.pdf")


def l2_form(l1_form: dict[str, Any]) -> dict[str, Any]:
    """The L1 example's form turned into the demo's L2 application."""
    form = dict(l1_form)
    form.update(
        id=L2_APP,
        submitted=L2_SUBMITTED,
        title="普拉德-威利综合征与软骨发育不全患儿随访期生长轨迹的多中心研究",
        lay_summary_zh=(
            "普拉德-威利综合征和软骨发育不全都会影响儿童的生长。本研究使用多家儿童医院随访"
            "记录中的身高和体重，描述患儿在不同年龄的生长速度，为制定这两种疾病的专用生长曲线"
            "提供依据。数据以去标识化的个体记录加密交付，患儿编号为本项目专属假名，不含姓名、"
            "病历号等信息。"
        ),
        team=[],
        privacy_level="L2",
        delivery="encrypted_email",
        datasets=[
            {
                "dataset": L2_DATASET,
                "variables": [
                    {"table": t, "name": n, "justification": why} for t, n, why in L2_VARIABLES
                ],
            }
        ],
        selection={
            "inclusion": {
                "diseases": list(L2_DISEASES),
                "age_at_diagnosis": {"min_years": 0, "max_years": 18},
            },
            "exclusion": None,
        },
    )
    protocol = dict(form["protocol"])
    protocol.update(
        title="普拉德-威利综合征与软骨发育不全患儿生长轨迹：多中心随访数据分析方案",
        purpose=(
            "描述普拉德-威利综合征和软骨发育不全患儿在随访期间身高、体重随时间的变化，"
            "估计各年龄段的生长速度，为疾病专用生长曲线提供数据。"
        ),
        primary_endpoints=["各年龄段身高与体重的百分位数", "年生长速度"],
        analysis_plan=(
            "以患儿为单位的纵向混合效应模型，描述身高、体重随时间的变化；按疾病分层。"
            "个体记录仅在项目服务器上分析，结果以汇总表发表。"
        ),
        expected_results="形成两种疾病的生长参考曲线，供随访门诊使用。",
    )
    form["protocol"] = protocol
    ethics = dict(form["ethics"])
    ethics.update(approval_number="XHEC-D-2026-031", approved_on="2026-02-24")
    form["ethics"] = ethics
    return form


def write_l2_application(submissions_year: Path) -> Path:
    """Write the demo's L2 application beside the L1 example; its folder."""
    source = submissions_year / L2_FROM
    folder = submissions_year / L2_APP
    folder.mkdir()
    for name in ATTACHMENTS:
        (folder / name).write_bytes((source / name).read_bytes())
    l1_form = yaml.safe_load((source / "application.yaml").read_text("utf-8"))
    header = (
        "# 演示申请（由 cohortgate demo 生成，仅在 build/demo/repo 中）：L2 个体数据，"
        "加密邮件交付\n"
        "# Demo application (written by `cohortgate demo`, in build/demo/repo only): "
        "patient-level (L2) data by encrypted e-mail.\n"
    )
    text = yaml.safe_dump(l2_form(l1_form), allow_unicode=True, sort_keys=False, width=100)
    (folder / "application.yaml").write_text(header + text, "utf-8")
    return folder
