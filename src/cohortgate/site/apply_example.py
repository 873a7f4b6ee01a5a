"""The example application the site shows while ``submissions/`` holds none (synthetic people,
real institutions and datasets of the catalog). A test checks that it matches the model."""

from __future__ import annotations

from typing import Any

EXAMPLE: dict[str, Any] = {
    "id": "A-2026-0001",
    "submitted": "2026-03-02",
    "title": "经典型苯丙酮尿症患儿血苯丙氨酸控制与诊断年龄的关系",
    "lay_summary_zh": (
        "苯丙酮尿症是一种遗传代谢病，患儿需要长期控制饮食，使血苯丙氨酸保持在安全范围内。"
        "本研究使用队列中已有的化验结果，比较不同年龄确诊的患儿血苯丙氨酸控制得怎么样，"
        "帮助医生判断早期筛查和早期治疗的价值。研究只使用汇总的统计结果，不接触任何能识别患儿的信息。"
    ),
    "applicant": {
        "name": "张明",
        "title": "主任医师",
        "institution": "shch",
        "email": "zhang.ming@shchildren.com.cn",
        "role": "principal_investigator",
    },
    "team": [
        {
            "name": "李华",
            "title": "主治医师",
            "institution": "shch",
            "email": "li.hua@shchildren.com.cn",
            "role": "analyst",
        }
    ],
    "funding": {
        "funder": "国家自然科学基金委员会",
        "grant_number": "82600000",
        "level": "national",
        "title": "苯丙酮尿症早期诊断与远期预后的队列研究",
        "start": "2026-01-01",
        "end": "2029-12-31",
    },
    "privacy_level": "L1",
    "datasets": [
        {
            "dataset": "ds-iem-labs",
            "variables": [
                {
                    "table": "diagnosis",
                    "name": "orpha_code",
                    "justification": "按疾病选择研究对象",
                },
                {
                    "table": "diagnosis",
                    "name": "onset_age_months",
                    "justification": "主要暴露：起病和确诊的年龄",
                },
                {
                    "table": "lab_result",
                    "name": "analyte",
                    "justification": "识别血苯丙氨酸检验",
                },
                {
                    "table": "lab_result",
                    "name": "value",
                    "justification": "主要终点：血苯丙氨酸水平",
                },
            ],
        }
    ],
    "selection": {
        "inclusion": {
            "diseases": ["ORPHA:79254"],
            "age_at_diagnosis": {"min_years": 0, "max_years": 18},
        },
    },
    "protocol": {
        "title": "经典型苯丙酮尿症患儿血苯丙氨酸控制与诊断年龄的关系：多中心队列研究",
        "purpose": "评估诊断年龄对长期血苯丙氨酸控制的影响，为新生儿筛查和早期治疗提供证据。",
        "primary_endpoints": ["随访期间血苯丙氨酸在目标范围内的比例"],
        "analysis_plan": (
            "按诊断年龄分组，比较各组血苯丙氨酸达标比例；只使用经统计披露控制的汇总表。"
        ),
        "expected_results": "诊断越早，血苯丙氨酸达标比例越高。",
        "document": "protocol.pdf",
    },
    "non_profit": True,
    "data_protection": {
        "storage": "申请人所在医院信息中心的研究服务器",
        "access_control": "仅研究团队两名成员，按账号授权并记录访问日志",
        "encryption_at_rest": True,
        "encryption_in_transit": True,
        "certification": "mlps_level_3",
        "training_completed_on": "2026-02-10",
    },
    "delivery": "aggregate_report",
    "conflicts_of_interest": "none",
    "acknowledgements": {
        "no_third_party_transfer": True,
        "cite_the_source": True,
        "destroy_after_use": True,
        "accept_fees": True,
        "report_results_of_value_to_participants": True,
    },
}
