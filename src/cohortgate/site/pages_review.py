"""The review on the site: the rubric and fees, the committees, the quarterly notices (R13–R15,
R34).

``review/index.md`` publishes ``rubric/rubric.yaml`` (dimensions, indicators and who scores
them, the decision thresholds per privacy level, the meeting cut-off) and the fee schedule;
``review/committees.md`` the roster without keys (names, committee, expertise, institution,
term, chairs, quorum); ``review/notices.md`` the notice of approved projects of every quarter,
newest first, earlier quarters kept. Only decisions that ``cohortgate review`` finds valid are
published (``review.register``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel

from cohortgate.files.loading import LoadError, load_yaml_file
from cohortgate.files.modelcheck import check_model
from cohortgate.findings import Finding
from cohortgate.layout import Layout
from cohortgate.models.institution import Institution
from cohortgate.models.roster import Roster
from cohortgate.models.rubric import Rubric, Source
from cohortgate.review.register import Notice
from cohortgate.site.html import front_matter, md_cell, md_head
from cohortgate.site.labels import pick

M = TypeVar("M", bound=BaseModel)
PAGES = ("review/index.md", "review/committees.md", "review/notices.md")

L = {
    "rubric.title": ("审查评分表与收费", "Review rubric and fees"),
    "rubric.intro": (
        "委员会按下表审查每份申请（共识表 1，R14）。所有指标都是分数越高越有利于批准；"
        "系统计算的指标只使用公开的目录与经披露控制的统计，并在审查报告中列出依据。"
        "本页由 `rubric/rubric.yaml` 生成。",
        "The committees review every application with this table (Table 1 of the consensus, R14). "
        "Every indicator is scored so that higher favours approval; computed indicators use only "
        "the public catalog and disclosure-controlled statistics, and the review report shows "
        "their evidence. Generated from `rubric/rubric.yaml`.",
    ),
    "missing": ("尚未发布。", "Not published yet."),
    "dimensions": ("维度", "Dimensions"),
    "indicators": ("指标", "Indicators"),
    "thresholds": ("各隐私级别的判定规则", "Decision rule per privacy level"),
    "thresholds.intro": (
        "汇总分达到批准线、且各维度与各指标均达到下限时可批准；低于拒绝线时拒绝；其余需修改。"
        "主任委员可以作出规则给出的决定或更严格的决定。",
        "Approve when the aggregate reaches the approval line and every dimension and indicator "
        "its floor; reject below the rejection line; otherwise revise. The chairs may decide "
        "what the rule gives or something stricter.",
    ),
    "fees": ("收费标准（R34，仅回收成本）", "Fees (R34, cost recovery only)"),
    "fees.intro": (
        "工时 =（基础 + 每数据集 × 数据集数 + 每变量 × 变量数）× 隐私级别系数 × 交付方式系数。",
        "hours = (base + per dataset × datasets + per variable × variables) × level factor × "
        "delivery factor.",
    ),
    "meetings": ("季度会议", "Quarterly meetings"),
    "meetings.text": (
        "委员会每季度开会一次（R15）。在季度结束前 {days} 天完成的申请进入该季度的议程。",
        "The committees meet once a quarter (R15). An application complete {days} days before a "
        "quarter ends joins that quarter's agenda.",
    ),
    "committees.title": ("数据审批管理委员会", "Data approval management committee"),
    "committees.intro": (
        "两个委员会（R1）：学术委员会审查科学与伦理价值，数据管理委员会负责数据安全与可行性。"
        "委员在各自专业内审查（R13），与申请人同单位或参与申请的委员回避。"
        "每位委员用自己的 SSH 密钥签署审查。",
        "Two committees (R1): the academic committee reviews scientific and ethical merit, the "
        "data management committee the security and feasibility of providing the data. Members "
        "review within their expertise (R13); members from an applying institution or on the "
        "team are excluded. Each member signs their reviews with their own SSH key.",
    ),
    "quorum": ("法定人数", "Quorum"),
    "notices.title": ("获批项目公示", "Notice of approved projects"),
    "notices.intro": (
        "每季度审查会议批准的项目在此公示（R15），较早的公示保留。只列出经签名核验有效的决定。",
        "The projects each quarterly meeting approved are announced here (R15); earlier notices "
        "are kept. Only decisions whose signatures and rules verify are listed.",
    ),
    "notices.none": ("尚无获批项目。", "No project has been approved yet."),
    "col.id": ("编号", "Id"),
    "col.label": ("名称", "Name"),
    "col.dimension": ("维度", "Dimension"),
    "col.who": ("评分方", "Scored by"),
    "col.weight": ("权重", "Weight"),
    "col.level": ("级别", "Level"),
    "col.approve": ("批准线", "Approve at"),
    "col.reject": ("拒绝线", "Reject below"),
    "col.dim_floor": ("维度下限", "Dimension floor"),
    "col.leak_floor": ("泄漏风险下限", "Leak-risk floor"),
    "col.ind_floor": ("指标下限", "Indicator floor"),
    "col.stage": ("环节", "Stage"),
    "col.rate": ("费率（元/小时）", "Rate (CNY/h)"),
    "col.base": ("基础工时", "Base hours"),
    "col.per_dataset": ("每数据集", "Per dataset"),
    "col.per_variable": ("每变量", "Per variable"),
    "col.member": ("委员", "Member"),
    "col.committee": ("委员会", "Committee"),
    "col.expertise": ("专业", "Expertise"),
    "col.institution": ("单位", "Institution"),
    "col.term": ("任期", "Term"),
    "col.min": ("最少人数", "Minimum"),
    "col.needs": ("必须包括的专业", "Expertise required"),
    "computed": ("系统计算", "computed"),
    "chair": ("主任委员", "chair"),
    "fixed": ("每份申请固定费用", "Fixed per application"),
    "lead": ("负责人", "Lead"),
    "datasets": ("数据集", "Datasets"),
    "level": ("隐私级别", "Privacy level"),
    "decided": ("决定日期", "Decided on"),
    "conditions": ("附加条件", "Conditions"),
}
COMMITTEE = {
    "academic": ("学术委员会", "Academic"),
    "data_management": ("数据管理委员会", "Data management"),
}
EXPERTISE = {
    "medical": ("医学", "medical"),
    "legal": ("法学", "legal"),
    "ethics": ("伦理", "ethics"),
    "researcher": ("研究者代表", "researcher"),
    "data_processing": ("数据处理", "data processing"),
    "management": ("管理", "management"),
}


def _t(key: str, lang: str) -> str:
    return pick(L[key], lang)


def _num(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True)
class ReviewInputs:
    rubric: Rubric | None
    roster: Roster | None
    notices: Sequence[Notice]


def load(lay: Layout, notices: Sequence[Notice]) -> tuple[ReviewInputs, list[Finding]]:
    """The rubric and roster from the working tree (the site is built from the main branch)."""
    findings: list[Finding] = []
    rubric = _load(lay, "rubric.yaml", Rubric, findings)
    roster = _load(lay, "roster.yaml", Roster, findings)
    return ReviewInputs(rubric, roster, notices), findings


def _load(lay: Layout, name: str, model: type[M], findings: list[Finding]) -> M | None:
    path = lay.rubric / name
    if not path.is_file():
        return None
    try:
        doc = load_yaml_file(path, lay.rel(path))
    except LoadError as exc:
        findings.append(exc.finding)
        return None
    value, problems = check_model(doc, model)
    findings += problems
    return value


def _head(keys: tuple[str, ...], align: str, lang: str) -> list[str]:
    return md_head([_t(k, lang) for k in keys], align)


def _rubric_page(rubric: Rubric | None, lang: str) -> str:
    title = _t("rubric.title", lang)
    out = [front_matter(title=title), f"# {title}\n"]
    if rubric is None:
        return "\n".join([*out, _t("missing", lang)]) + "\n"
    out.append(_t("rubric.intro", lang) + "\n")
    out += [
        f"## {_t('dimensions', lang)}\n",
        *_head(("col.label", "col.weight"), "lr", lang),
    ]
    out += [f"| {md_cell(d.label.get(lang))} | {_num(d.weight)} |" for d in rubric.dimensions]
    labels = {d.id: d.label.get(lang) for d in rubric.dimensions}
    out += [
        "",
        f"## {_t('indicators', lang)}\n",
        *_head(("col.label", "col.dimension", "col.who", "col.weight"), "lllr", lang),
    ]
    for ind in rubric.indicators:
        if ind.source is Source.COMPUTED:
            who = _t("computed", lang)
        else:
            who = pick(COMMITTEE[ind.committee.value], lang) if ind.committee else ""
            if ind.expertise:
                who += " (" + ", ".join(pick(EXPERTISE[e.value], lang) for e in ind.expertise) + ")"
        name = f"**{md_cell(ind.label.get(lang))}**<br>{md_cell(ind.description.get(lang))}"
        out.append(f"| {name} | {md_cell(labels[ind.dimension])} | {who} | {_num(ind.weight)} |")
    out += [
        "",
        f"## {_t('thresholds', lang)}\n",
        _t("thresholds.intro", lang) + "\n",
        *_head(
            (
                "col.level",
                "col.approve",
                "col.reject",
                "col.dim_floor",
                "col.leak_floor",
                "col.ind_floor",
            ),
            "lrrrrr",
            lang,
        ),
    ]
    for rule in rubric.levels:
        values = [
            rule.approve_at_least,
            rule.reject_below,
            rule.dimension_floor,
            rule.leak_risk_floor,
            rule.indicator_floor,
        ]
        out.append(f"| {rule.level.value} | " + " | ".join(_num(v) for v in values) + " |")
    fees = rubric.fees
    out += [
        "",
        f"## {_t('fees', lang)}\n",
        _t("fees.intro", lang) + "\n",
        *_head(
            ("col.stage", "col.rate", "col.base", "col.per_dataset", "col.per_variable"),
            "lrrrr",
            lang,
        ),
    ]
    for stage in fees.stages:
        values = [
            stage.hourly_rate,
            stage.base_hours,
            stage.hours_per_dataset,
            stage.hours_per_variable,
        ]
        out.append(
            f"| {md_cell(stage.label.get(lang))} | " + " | ".join(_num(v) for v in values) + " |"
        )
    out += [
        "",
        f"{_t('fixed', lang)}: {_num(fees.fixed)} {fees.currency}\n",
        f"## {_t('meetings', lang)}\n",
        _t("meetings.text", lang).format(days=rubric.meetings.cutoff_days),
    ]
    return "\n".join(out) + "\n"


def _committees_page(
    roster: Roster | None, institutions: Mapping[str, Institution], lang: str
) -> str:
    title = _t("committees.title", lang)
    out = [front_matter(title=title), f"# {title}\n"]
    if roster is None:
        return "\n".join([*out, _t("missing", lang)]) + "\n"
    out.append(_t("committees.intro", lang) + "\n")
    chairs = {c.member for c in roster.chairs}
    out += [
        *_head(
            ("col.member", "col.committee", "col.expertise", "col.institution", "col.term"),
            "lllll",
            lang,
        ),
    ]
    for m in roster.members:
        inst = institutions.get(m.institution)
        where = inst.name.get(lang) if inst else m.institution
        name = md_cell(m.name) + (f" ({_t('chair', lang)})" if m.id in chairs else "")
        out.append(
            f"| {name} | {pick(COMMITTEE[m.committee.value], lang)} | "
            f"{pick(EXPERTISE[m.expertise.value], lang)} | {md_cell(where)} | "
            f"{m.term_start} – {m.term_end} |"
        )
    out += [
        "",
        f"## {_t('quorum', lang)}\n",
        *_head(("col.committee", "col.min"), "lr", lang),
    ]
    out += [
        f"| {pick(COMMITTEE[r.committee.value], lang)} | {r.min_members} |"
        for r in roster.quorum.committees
    ]
    out += ["", *_head(("col.level", "col.needs"), "ll", lang)]
    out += [
        f"| {r.level.value} | "
        + ", ".join(pick(EXPERTISE[e.value], lang) for e in r.expertise)
        + " |"
        for r in roster.quorum.levels
    ]
    return "\n".join(out) + "\n"


def _notices_page(
    notices: Sequence[Notice], institutions: Mapping[str, Institution], known: set[str], lang: str
) -> str:
    title = _t("notices.title", lang)
    out = [front_matter(title=title), f"# {title}\n", _t("notices.intro", lang) + "\n"]
    if not notices:
        return "\n".join([*out, _t("notices.none", lang)]) + "\n"
    quarters: dict[str, list[Notice]] = {}
    for notice in notices:
        quarters.setdefault(notice.quarter, []).append(notice)
    for quarter, items in quarters.items():
        out.append(f"## {quarter}\n")
        for n in items:
            inst = institutions.get(n.institution)
            where = inst.name.get(lang) if inst else n.institution
            datasets = ", ".join(
                f"[{d}](../datasets/{d}.md)" if d in known else f"`{d}`" for d in n.datasets
            )
            out += [
                f"### {n.application} {md_cell(n.title)}\n",
                f"- {_t('col.institution', lang)}: {md_cell(where)}",
                f"- {_t('lead', lang)}: {md_cell(n.lead)}",
                f"- {_t('datasets', lang)}: {datasets}",
                f"- {_t('level', lang)}: {n.privacy_level}",
                f"- {_t('decided', lang)}: {n.decided_on}",
            ]
            if n.conditions:
                out.append(
                    f"- {_t('conditions', lang)}: " + "; ".join(md_cell(c) for c in n.conditions)
                )
            out += ["", f"> {md_cell(n.lay_summary_zh)}", ""]
    return "\n".join(out) + "\n"


def pages(
    inputs: ReviewInputs, institutions: Mapping[str, Institution], datasets: set[str], lang: str
) -> dict[str, str]:
    return {
        PAGES[0]: _rubric_page(inputs.rubric, lang),
        PAGES[1]: _committees_page(inputs.roster, institutions, lang),
        PAGES[2]: _notices_page(inputs.notices, institutions, datasets, lang),
    }
