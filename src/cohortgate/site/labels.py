"""Every user-facing word the generator writes, in Chinese and English.

Prose lives in ``site/{zh,en}/``; this module holds the short labels of generated pages. Each
entry is ``(zh, en)``; ``t(key, lang)`` picks one.
"""

from __future__ import annotations

from cohortgate.models.dataset import DataClass, PrivacyClass, PrivacyLevel, VariableType

LANGS = ("zh", "en")

UI: dict[str, tuple[str, str]] = {
    "catalog": ("数据目录", "Data catalog"),
    "catalog.intro": (
        "队列中可申请使用的数据集。可按疾病、隐私级别和贡献机构筛选；人数为经统计披露控制后公布的数值。",
        "Datasets of the cohort that can be applied for. Filter by disease, privacy level and "
        "contributing institution; patient numbers are the values published after statistical "
        "disclosure control.",
    ),
    "filter.disease": ("疾病", "Disease"),
    "filter.level": ("隐私级别", "Privacy level"),
    "filter.institution": ("贡献机构", "Contributing institution"),
    "filter.all": ("全部", "All"),
    "filter.reset": ("清除筛选", "Clear filters"),
    "filter.count": ("显示 {shown} / {total} 个数据集", "Showing {shown} of {total} datasets"),
    "catalog.more": ("另有 {n} 种疾病", "and {n} more diseases"),
    "col.dataset": ("数据集", "Dataset"),
    "col.diseases": ("疾病", "Diseases"),
    "col.levels": ("隐私级别", "Privacy levels"),
    "col.institutions": ("贡献机构", "Institutions"),
    "col.population": ("人数", "Patients"),
    "overview": ("概况", "Overview"),
    "field.id": ("编号", "Identifier"),
    "field.data_class": ("数据类别", "Data class"),
    "field.diseases": ("疾病", "Diseases"),
    "field.institutions": ("贡献机构", "Contributing institutions"),
    "field.levels": ("可提供的隐私级别", "Privacy levels available"),
    "field.population": ("人数（已取整）", "Patients (rounded)"),
    "field.keywords": ("关键词", "Keywords"),
    "field.downloads": ("下载", "Downloads"),
    "download.stats": ("统计数据（JSON）", "Statistics (JSON)"),
    "use": ("使用条件", "Conditions of use"),
    "use.intro": (
        "以 GA4GH 数据使用本体（DUO）表示；申请的研究目的须符合下列全部条件。",
        "Stated in the GA4GH Data Use Ontology (DUO); an application's purpose must meet all "
        "of them.",
    ),
    "use.diseases": ("限于疾病", "diseases"),
    "use.research_type": ("研究类型", "research type"),
    "use.months": ("{months} 个月", "{months} months"),
    "variables": ("变量字典", "Variable dictionary"),
    "variables.intro": (
        "每个变量都标有隐私分类（R6）；获批用户只得到研究方案所需的变量（R16 最小必要原则）。",
        "Every variable carries a privacy class (R6); an approved user receives only the "
        "variables the protocol needs (R16, minimum necessary).",
    ),
    "var.name": ("变量名", "Name"),
    "var.label": ("含义", "Meaning"),
    "var.type": ("类型", "Type"),
    "var.unit": ("单位", "Unit"),
    "var.privacy": ("隐私分类", "Privacy class"),
    "var.hpo": ("HPO 表型", "HPO terms"),
    "var.values": ("取值", "Values"),
    "stats": ("统计概况", "Summary statistics"),
    "stats.none": (
        "该数据集尚未公布统计数据。",
        "No statistics have been published for this dataset yet.",
    ),
    "stats.policy": (
        "所有数值均经统计披露控制（规则：{preset}）：小于或等于 {threshold} 的计数不公布，"
        "公布的计数取整到 {rounding} 的倍数。",
        "Every number went through statistical disclosure control (rule: {preset}): counts of "
        "{threshold} or fewer are not published, and published counts are rounded to a "
        "multiple of {rounding}.",
    ),
    "stats.legend": (
        "“已抑制”表示该单元格不公布：或因人数过少，或为防止由其他数值推算出小单元格。它不表示 0。",
        "“Suppressed” means the cell is not published: either its count is small, or it "
        "would let a reader work out a small cell from the other numbers. It does not mean 0.",
    ),
    "stats.population": ("人群总数（已取整）：{value}", "Population (rounded): {value}"),
    "stats.count": ("患者数", "Patients"),
    "stats.total": ("合计（已公布数值之和）", "Total (sum of published values)"),
    "stats.nonadditive": (
        "一名患者可计入多个类别，各行之和不等于人数。",
        "A patient may count in several categories; the rows do not add up to the population.",
    ),
    "stats.missing": ("未列出", "not tabulated"),
    "stats.toomany": (
        "类别太多，不宜绘图；请看下表。",
        "Too many categories for a readable chart; see the table below.",
    ),
    "suppressed": ("已抑制", "suppressed"),
    "chart.alt": (
        "条形图：{title}。{summary}精确数值见下表。",
        "Bar chart: {title}. {summary}The exact values are in the table below.",
    ),
    "chart.alt.top": ("最多的是 {label}（{value}）。", "The largest is {label} ({value}). "),
    "chart.legend.suppressed": ("斜线：已抑制（不是 0）", "Hatched: suppressed (not 0)"),
    "apply": ("如何申请", "How to apply"),
    "apply.text": (
        "以机构名义提交申请表和研究方案，经学术委员会和数据管理委员会审查。详见[如何申请]({link})；"
        "也可以[在线填写申请]({form})。",
        "Submit the application form and a research protocol in the name of your institution; "
        "the academic and data management committees review it. See [how to apply]({link}), "
        "or [apply online]({form}).",
    ),
    "schemas": ("数据格式", "File formats"),
    "schemas.intro": (
        "目录、统计数据和申请表的 JSON Schema，由程序中的模型生成。编辑器和校验工具可直接使用。",
        "JSON Schemas of the catalog, the statistics and the forms, generated from the models "
        "in the code. Editors and validators can use them directly.",
    ),
    "schemas.none": ("暂无。", "None yet."),
    "none": ("无", "none"),
}

PRIVACY_CLASS: dict[PrivacyClass, tuple[str, str]] = {
    PrivacyClass.DIRECT_IDENTIFIER: ("直接标识符", "Direct identifier"),
    PrivacyClass.QUASI_IDENTIFIER: ("准标识符", "Quasi-identifier"),
    PrivacyClass.SENSITIVE: ("敏感信息", "Sensitive"),
    PrivacyClass.GENETIC: ("遗传信息", "Genetic"),
    PrivacyClass.OTHER: ("其他", "Other"),
}

PRIVACY_LEVEL: dict[PrivacyLevel, tuple[str, str]] = {
    PrivacyLevel.L1: ("L1 汇总数据", "L1 aggregate data"),
    PrivacyLevel.L2: ("L2 去标识个体数据", "L2 de-identified patient-level data"),
    PrivacyLevel.L3: ("L3 含标识符个体数据", "L3 identifiable patient-level data"),
}

DATA_CLASS: dict[DataClass, tuple[str, str]] = {
    DataClass.RAW: ("医院原始数据（不共享）", "raw hospital data (never shared)"),
    DataClass.REGISTRY: (
        "疾病登记数据（不直接共享）",
        "disease registry data (not shared directly)",
    ),
    DataClass.RESEARCH: ("研究数据（经审批可共享）", "research data (shareable after approval)"),
}

VARIABLE_TYPE: dict[VariableType, tuple[str, str]] = {
    VariableType.STRING: ("字符串", "string"),
    VariableType.CATEGORY: ("分类", "category"),
    VariableType.INTEGER: ("整数", "integer"),
    VariableType.DECIMAL: ("小数", "decimal"),
    VariableType.DATE: ("日期", "date"),
    VariableType.BOOLEAN: ("是/否", "yes/no"),
    VariableType.CODE: ("编码", "code"),
    VariableType.TEXT: ("自由文本", "free text"),
}


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def t(key: str, lang: str, **params: object) -> str:
    text = pick(UI[key], lang)
    return text.format(**params) if params else text
