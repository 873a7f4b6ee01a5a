"""Words of the "How to apply" pages and the form, in Chinese and English.

Field titles and descriptions are not here: they come from the application model
(``Field(title="中文 / English", description="中文 / English")``), through its JSON Schema, and
``split`` picks one language. What the schema cannot say lives here: the meaning of each
allowed value of an enumeration, and the short labels of the pages.
"""

from __future__ import annotations

from enum import StrEnum

from cohortgate.models.application import (
    Certification,
    DeliveryMethod,
    FundingLevel,
    OutOfScopeReason,
    Role,
)
from cohortgate.models.dataset import PrivacyLevel
from cohortgate.site.labels import PRIVACY_LEVEL

SEPARATOR = " / "  # between the Chinese and the English half of a title or description


def split(text: str) -> tuple[str, str]:
    """``"申请人 / Applicant"`` -> ``("申请人", "Applicant")``; a text in one language only is
    used for both."""
    zh, sep, en = text.partition(SEPARATOR)
    return (zh.strip(), en.strip()) if sep else (text, text)


def in_lang(text: str, lang: str) -> str:
    zh, en = split(text)
    return zh if lang == "zh" else en


# The meaning of every allowed value, per enumeration (its name in the schema's $defs).
ENUM_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "Role": {
        Role.PRINCIPAL_INVESTIGATOR: ("项目负责人", "Principal investigator"),
        Role.CO_INVESTIGATOR: ("合作研究者", "Co-investigator"),
        Role.ANALYST: ("数据分析人员", "Analyst (works with the data)"),
        Role.STUDENT: ("研究生（在导师指导下）", "Graduate student (supervised)"),
    },
    "FundingLevel": {
        FundingLevel.NATIONAL: ("国家级", "National"),
        FundingLevel.PROVINCIAL: ("省部级", "Provincial or ministerial"),
        FundingLevel.MUNICIPAL: ("市级", "Municipal"),
        FundingLevel.INSTITUTIONAL: ("院级、校级", "Institutional"),
        FundingLevel.INTERNATIONAL: ("国际", "International"),
        FundingLevel.OTHER: ("其他", "Other"),
    },
    "DeliveryMethod": {
        DeliveryMethod.AGGREGATE_REPORT: (
            "汇总报表（经统计披露控制）",
            "Aggregate report (after disclosure control)",
        ),
        DeliveryMethod.ENCRYPTED_EMAIL: ("加密邮件", "Encrypted e-mail"),
        DeliveryMethod.ENCRYPTED_USB: ("加密U盘", "Encrypted USB drive"),
        DeliveryMethod.BOUND_MEDIA: (
            "仅特定电脑可用的移动介质",
            "Media bound to one computer",
        ),
        DeliveryMethod.LOCAL_DATABASE: ("本地数据库访问", "Local database access"),
        DeliveryMethod.REMOTE_DESKTOP: ("虚拟桌面远程访问", "Remote virtual desktop"),
        DeliveryMethod.SAFE_ROOM: ("安全屋", "Safe room"),
        DeliveryMethod.BLOCKCHAIN: ("区块链技术支持的访问", "Blockchain-backed access"),
    },
    "Certification": {
        Certification.NONE: ("无", "None"),
        Certification.MLPS_2: ("等保二级", "MLPS level 2"),
        Certification.MLPS_3: ("等保三级", "MLPS level 3"),
        Certification.ISO_27001: ("ISO/IEC 27001", "ISO/IEC 27001"),
    },
    "OutOfScopeReason": {
        OutOfScopeReason.FUNDER_LARGE_VOLUME: (
            "资助方要求的大批量数据",
            "Large volume requested by a funder",
        ),
        OutOfScopeReason.CARE_DELIVERY: ("医疗服务", "Care delivery"),
        OutOfScopeReason.PAYMENT: ("医疗费用结算", "Payment"),
        OutOfScopeReason.LEGAL_MANDATE: ("法定要求", "Legal mandate"),
    },
    "PrivacyLevel": {level.value: pair for level, pair in PRIVACY_LEVEL.items()},
}
# Allowed values the model checks in a validator, not in its schema: the form offers only these.
FORM_CHOICES: dict[tuple[str, str], dict[str, tuple[str, str]]] = {
    ("Criteria", "sex"): {"M": ("男", "male"), "F": ("女", "female")},
}
ENUMS: dict[str, type[StrEnum]] = {
    "Role": Role,
    "FundingLevel": FundingLevel,
    "DeliveryMethod": DeliveryMethod,
    "Certification": Certification,
    "OutOfScopeReason": OutOfScopeReason,
    "PrivacyLevel": PrivacyLevel,
}

UI: dict[str, tuple[str, str]] = {
    "schema": ("申请表字段说明", "Application fields"),
    "example": ("申请示例", "Example application"),
    "col.field": ("字段", "Field"),
    "col.type": ("类型", "Type"),
    "col.required": ("必填", "Required"),
    "col.meaning": ("说明", "Description"),
    "col.values": ("取值", "Allowed values"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "type.string": ("文本", "text"),
    "type.number": ("数字", "number"),
    "type.integer": ("整数", "integer"),
    "type.boolean": ("是/否", "yes/no"),
    "type.object": ("对象", "object"),
    "type.array": ("{item} 列表", "list of {item}"),
    "type.null": ("空", "null"),
    "type.or": (" 或 ", " or "),
    "rule.pattern": ("格式 {value}", "pattern {value}"),
    "rule.min_length": ("至少 {value} 个字符", "at least {value} characters"),
    "rule.max_length": ("至多 {value} 个字符", "at most {value} characters"),
    "rule.min_items": ("至少 {value} 项", "at least {value} items"),
    "rule.max_items": ("至多 {value} 项", "at most {value} items"),
    "rule.minimum": ("≥ {value}", "≥ {value}"),
    "rule.maximum": ("≤ {value}", "≤ {value}"),
    "rule.default": ("默认 {value}", "default {value}"),
    "rule.date": ("日期 YYYY-MM-DD", "date YYYY-MM-DD"),
}


# The form page around the form.
PAGE: dict[str, tuple[str, str]] = {
    "title": ("在线填写申请", "Apply online"),
    "intro": (
        "不熟悉 YAML 也可以在这里填写申请表。表单在您的浏览器中运行，"
        "填写的内容不会发送到任何服务器。填好后点击“检查”，再下载 application.yaml，"
        "或直接在 GitHub 上新建这个文件。",
        "Fill in the application here if you do not write YAML. The form runs in your browser: "
        "nothing you type is sent to any server. Press “Check”, then download "
        "application.yaml, or create the file on GitHub directly.",
    ),
    "optional": (
        "带复选框的项目是选填的：勾选后才能填写，也才会写进申请表。",
        "Items with a check box are optional: tick the box to fill them in and to include them.",
    ),
    "noscript": (
        "本表单需要 JavaScript。也可以在命令行运行 cohortgate new 生成申请表。",
        "This form needs JavaScript. You can also run cohortgate new to start an application.",
    ),
    "loading": ("正在加载表单……", "Loading the form…"),
    "result": ("检查结果", "Check result"),
    "actions": ("保存和提交", "Save and submit"),
    "check": ("检查", "Check"),
    "download": ("下载 application.yaml", "Download application.yaml"),
    "github": ("在 GitHub 上新建文件", "Create the file on GitHub"),
    "open": ("打开已保存的申请表", "Open a saved application"),
    "after": (
        "在 GitHub 上新建文件后，在同一文件夹中上传研究方案 PDF 和伦理批件，再提交拉取请求。"
        "申请表很长时 GitHub 可能打不开这个链接，这时请下载文件后上传。",
        "After creating the file on GitHub, upload the protocol PDF and the ethics approval "
        "letter to the same folder, then open the pull request. GitHub may not open the link "
        "for a very long application: download the file and upload it instead.",
    ),
    "steps": ("申请步骤", "The steps of an application"),
    "fields": ("字段说明", "What each field means"),
}

# What the form's script says (keys as the script uses them).
SCRIPT: dict[str, tuple[str, str]] = {
    "unchecked": ("填好后点击“检查”。", "Press “Check” when you are done."),
    "ok": (
        "申请表符合格式要求。提交后，拉取请求中还会检查机构邮箱、数据目录中的变量和附件。",
        "The application has the required form. The pull request also checks the "
        "institutional e-mail, the variables against the catalog, and the attachments.",
    ),
    "errors": ("发现 {n} 处问题：", "{n} problems found:"),
    "item": ("第 {n} 项", "item {n}"),
    "include": ("填写“{field}”", "Fill in “{field}”"),
    "root": ("申请表", "Application"),
    "missing": ("未填写", "is missing"),
    "pattern": ("格式不对", "does not have the expected form"),
    "github_disabled": ("请先改正检查发现的问题", "Correct the problems found first"),
    "open_failed": ("无法读取这个文件：{error}", "Cannot read this file: {error}"),
    "opened": ("已打开 {name}。", "Opened {name}."),
}

# json-editor's own words (its keys); English is built in.
EDITOR_ZH: dict[str, str] = {
    "button_add": "添加",
    "button_add_row_title": "添加{{0}}",
    "button_delete_row_title": "删除{{0}}",
    "button_delete_row_title_short": "删除",
    "button_delete_all": "全部",
    "button_delete_all_title": "全部删除",
    "button_delete_last": "最后一项",
    "button_delete_last_title": "删除最后一项",
    "button_move_down_title": "下移",
    "button_move_up_title": "上移",
    "button_copy_row_title": "复制{{0}}",
    "button_copy_row_title_short": "复制",
    "button_collapse": "收起",
    "button_expand": "展开",
    "button_delete_node_warning": "确定删除这一项吗？",
    "default_array_item_title": "项",
    "table_controls": "操作",
}


def script_words(lang: str) -> dict[str, str]:
    return {key: pair[0] if lang == "zh" else pair[1] for key, pair in SCRIPT.items()}


def page_text(key: str, lang: str) -> str:
    zh, en = PAGE[key]
    return zh if lang == "zh" else en


def t(key: str, lang: str, **params: object) -> str:
    zh, en = UI[key]
    text = zh if lang == "zh" else en
    return text.format(**params) if params else text


def enum_title(enum: str, value: str, lang: str) -> str:
    zh, en = ENUM_LABELS[enum][value]
    return zh if lang == "zh" else en
