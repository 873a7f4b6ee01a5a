"""Transparency on the site (R15, R19–R25, R34): the register of approved uses, the dashboard,
the blacklist and the lifecycle state machine.

``review/register.md`` lists every validly approved use by quarter of its decision with its
state, outputs and the citation of the source (R23), and the topics reopened after an expiry
(R21); ``review/dashboard.md`` counts applications per quarter of submission (approval rate,
median days to decision and to release, outputs on time) with SVG charts under
``assets/charts/review/``; ``review/blacklist.md`` publishes the blacklist under
``BLACKLIST_PUBLISHING``; ``review/lifecycle.md`` draws ``models.lifecycle.TRANSITIONS`` as a
mermaid diagram (``lifecycle.diagram.mermaid``) and lists it as a table. The fee schedule stays
on ``review/index.md`` (``pages_review``); these pages link to it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from cohortgate.lifecycle.diagram import mermaid
from cohortgate.models.blacklist import BlacklistEntry, BlacklistScope
from cohortgate.models.institution import Institution
from cohortgate.models.lifecycle import ROLE_OF, TRANSITIONS, Guard, Role, State, Trigger
from cohortgate.policy import MAX_EXTENSIONS, TRACKING_MONTHS
from cohortgate.site import charts
from cohortgate.site.html import front_matter, md_cell, md_head, md_text
from cohortgate.site.labels import pick
from cohortgate.site.prose import MERMAID_JS, depth_prefix
from cohortgate.site.transparency_data import QuarterRow, Transparency, Use

REGISTER = "review/register.md"
DASHBOARD = "review/dashboard.md"
BLACKLIST = "review/blacklist.md"
LIFECYCLE = "review/lifecycle.md"
PAGES = (REGISTER, DASHBOARD, BLACKLIST, LIFECYCLE)
CHART_DIR = "assets/charts/review"

# What of rubric/blacklist.yaml the site publishes (R25). The policy names violators so that
# institutions know whom not to work with, but a person is not named on a public site: their
# e-mail (and any e-mail address in the reason) never appears, and a person is shown only as
# "a person of institution X" (or of an institution not named, when the entry gives none).
# An entry naming only an institution is shown as that institution. Scope, datasets, reason,
# the listing date, the review date and the deciding chairs (public committee members) are
# published as written.
BLACKLIST_PUBLISHING = {
    "person": "anonymous, by institution",
    "institution": "by catalog name",
    "published fields": "scope, datasets, reason (e-mail addresses removed), listed_on, "
    "review_on, decided_by",
}
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")

# The dashboard counts applications, not patients: small counts are published as they are
# (no disclosure control applies; they say nothing about any participant).

L = {
    "register.title": ("获批使用登记", "Register of approved uses"),
    "register.intro": (
        "每季度获批的数据使用及其后续：数据交付、{months} 个月跟踪（最多延期 {ext} 次，R19、R20）、"
        "报备的成果与对数据来源的引用（R23）、到期无成果而重新开放的课题（R21）。"
        "只列出经签名核验有效的批准；状态由已签名的事件文件推得。收费标准见[审查评分表与收费](index.md)。",
        "Every use approved each quarter and what followed: the release, {months} months of "
        "tracking (at most {ext} extensions, R19, R20), the outputs filed with the citation of "
        "the source (R23), topics reopened when nothing came out (R21). Only approvals whose "
        "signatures verify are listed; the state is derived from signed event files. Fees: see "
        "[review rubric and fees](index.md).",
    ),
    "register.none": ("尚无获批项目。", "No project has been approved yet."),
    "reopened": ("重新开放的课题（R21）", "Topics reopened (R21)"),
    "reopened.intro": (
        "以下项目到期没有成果，其数据集与病种可由其他申请人重新申请。",
        "These uses ended without outputs; their datasets and diseases are open to other "
        "applicants again.",
    ),
    "dashboard.title": ("审查与使用统计", "Review and use statistics"),
    "dashboard.intro": (
        "按提交季度统计的申请数量、批准率、从提交到决定和到首次交付数据的天数（中位数），"
        "以及按期报备成果的情况。这些是申请的计数，不是患者的计数，因此小数字照常公布。"
        "只计入经核验有效的决定与已签名的事件。",
        "Applications by quarter of submission, the approval rate, the median days from "
        "submission to decision and to the first release, and outputs filed on time. These "
        "count applications, not patients, so small numbers are published as they are. Only "
        "decisions that verify and signed events count.",
    ),
    "dashboard.none": ("尚无申请。", "No application yet."),
    "chart.applications": ("每季度的申请", "Applications per quarter"),
    "chart.days": ("从提交起的天数（中位数）", "Median days from submission"),
    "chart.outputs": ("成果报备", "Outputs"),
    "no_data": ("无数据", "no data"),
    "blacklist.title": ("黑名单", "Blacklist"),
    "blacklist.intro": (
        "经水印追溯确认泄露数据或违反协议的个人或机构列入黑名单，其后的申请不再受理（R24、R25）。"
        "本站公布机构名称；个人不公开姓名和电子邮箱，只写作“某机构的一名人员”。",
        "A person or institution to whom a leak or a breach of the agreements was traced is "
        "blacklisted; no further application of theirs is accepted (R24, R25). The site names "
        "institutions; a person is never named, only shown as a person of their institution.",
    ),
    "blacklist.none": ("黑名单为空。", "The blacklist is empty."),
    "blacklist.missing": ("尚未发布。", "Not published yet."),
    "lifecycle.title": ("申请的生命周期", "The lifecycle of an application"),
    "lifecycle.intro": (
        "申请从提交到关闭的每一步都由下表决定：表中没有的步骤会被拒绝，CI 在拉取请求中就会指出。"
        "图和表都由同一张转换表生成。括号内是有权签署该步骤的角色，方括号内是附加条件。",
        "Every step of an application from submission to closing follows this table: a step "
        "the table does not allow is refused, in the pull request already. The diagram and "
        "the table are generated from the same transition table. In parentheses: who may sign "
        "the step; in brackets: its conditions.",
    ),
    "diagram": ("状态图", "State diagram"),
    "transitions": ("转换表", "Transitions"),
    "col.quarter": ("季度", "Quarter"),
    "col.submitted": ("提交", "Submitted"),
    "col.decided": ("已决定", "Decided"),
    "col.approved": ("批准", "Approved"),
    "col.rate": ("批准率", "Approval rate"),
    "col.to_decision": ("到决定（天）", "To decision (days)"),
    "col.to_release": ("到交付（天）", "To release (days)"),
    "col.on_time": ("按期成果", "Outputs on time"),
    "col.late": ("逾期成果", "Outputs late"),
    "col.expired": ("到期无成果", "Expired"),
    "col.from": ("从", "From"),
    "col.step": ("步骤", "Step"),
    "col.to": ("到", "To"),
    "col.who": ("签署", "Signed by"),
    "col.after": ("须先有", "After"),
    "col.guards": ("条件", "Conditions"),
    "col.who_listed": ("列入对象", "Listed"),
    "col.scope": ("范围", "Scope"),
    "col.reason": ("原因", "Reason"),
    "col.listed_on": ("列入日期", "Listed on"),
    "col.review_on": ("复核日期", "Review on"),
    "col.decided_by": ("决定人", "Decided by"),
    "institution": ("机构", "Institution"),
    "lead": ("负责人", "Lead"),
    "decided": ("决定日期", "Decided on"),
    "state": ("状态", "State"),
    "released": ("数据交付", "Released on"),
    "tracking_end": ("跟踪期截止", "Tracking ends"),
    "extensions": ("延期次数", "Extensions"),
    "outputs": ("成果", "Outputs"),
    "citation": ("数据来源引用", "Citation of the source"),
    "files": ("报备文件", "Files filed"),
    "on_time": ("按期", "on time"),
    "late": ("逾期", "late"),
    "reopened_on": ("课题重新开放", "Topic reopened"),
    "no_outputs": ("尚未报备", "none filed yet"),
    "person_of": ("{inst} 的一名人员", "a person of {inst}"),
    "person_unnamed": ("一名人员（机构未公布）", "a person (institution not published)"),
    "all_datasets": ("全部数据集", "every dataset"),
    "start": ("（开始）", "(start)"),
    "none": ("—", "—"),
}
STATE = {
    State.SUBMITTED: ("已提交", "submitted"),
    State.SCREENING: ("形式审查", "screening"),
    State.IN_REVIEW: ("审查中", "in review"),
    State.DECIDED: ("已决定", "decided"),
    State.AGREEMENTS_SIGNED: ("已签协议", "agreements signed"),
    State.RELEASED: ("已交付", "released"),
    State.TRACKING: ("跟踪中", "tracking"),
    State.EXTENDED: ("已延期", "extended"),
    State.OUTPUTS_FILED: ("已报备成果", "outputs filed"),
    State.EXPIRED: ("到期无成果（课题重新开放）", "expired (topic reopened)"),
    State.CLOSED: ("已关闭", "closed"),
    State.REVOKED: ("已撤销", "revoked"),
}
ROLE = {
    Role.FILES: ("文件本身", "the files"),
    Role.APPLICANT: ("申请人", "applicant"),
    Role.DATA_MANAGEMENT: ("数据管理委员会", "data management committee"),
    Role.CHAIR: ("主任委员", "chair"),
}
GUARD = {
    Guard.APPROVED: ("决定为批准", "the decision approves"),
    Guard.UNDER_EXTENSION_LIMIT: (
        f"延期不超过 {MAX_EXTENSIONS} 次",
        f"at most {MAX_EXTENSIONS} extensions",
    ),
    Guard.REQUEST_PENDING: ("有待批的延期申请", "a request is pending"),
    Guard.LATER_END: ("新截止日期晚于原截止日期", "the new end is later"),
    Guard.PERIOD_ENDED: ("跟踪期已结束", "the tracking period ended"),
    Guard.KNOWN_RELEASE: ("针对本申请的一次数据交付", "a release of this application"),
    Guard.EVERY_RELEASE_VERIFIED: (
        "每次交付的销毁均已核查",
        "every release's destruction verified",
    ),
}


def _t(key: str, lang: str) -> str:
    return pick(L[key], lang)


def _where(institution: str, institutions: Mapping[str, Institution], lang: str) -> str:
    inst = institutions.get(institution)
    return inst.name.get(lang) if inst else institution


def _state(state: State | None, lang: str) -> str:
    return pick(STATE[state], lang) if state is not None else _t("none", lang)


# --- the register ------------------------------------------------------------------------------


def _use(use: Use, institutions: Mapping[str, Institution], lang: str) -> list[str]:
    n = use.notice
    out = [
        f"### {n.application} {md_cell(n.title)}\n",
        f"- {_t('institution', lang)}: {md_cell(_where(n.institution, institutions, lang))}",
        f"- {_t('lead', lang)}: {md_cell(n.lead)}",
        f"- {_t('decided', lang)}: {n.decided_on}",
        f"- {_t('state', lang)}: **{_state(use.state, lang)}**"
        + (f" ({use.since})" if use.since else ""),
    ]
    if use.released_on:
        out.append(f"- {_t('released', lang)}: {use.released_on}")
    if use.tracking_end:
        out.append(f"- {_t('tracking_end', lang)}: {use.tracking_end}")
    if use.extensions:
        out.append(f"- {_t('extensions', lang)}: {use.extensions} / {MAX_EXTENSIONS}")
    if use.reopened_on:
        out.append(f"- {_t('reopened_on', lang)}: {use.reopened_on}")
    if use.output is not None:
        o = use.output
        timing = "" if o.on_time is None else f" ({_t('on_time' if o.on_time else 'late', lang)})"
        out += [
            f"- {_t('outputs', lang)}: {o.filed_on}{timing}",
            f"    - {_t('citation', lang)}: {md_cell(o.citation)}",
        ]
        if o.attachments:
            names = ", ".join(f"`{name.replace('`', '')}`" for name in o.attachments)
            out.append(f"    - {_t('files', lang)}: {names}")
    elif use.state in (State.TRACKING, State.EXTENDED, State.RELEASED):
        out.append(f"- {_t('outputs', lang)}: {_t('no_outputs', lang)}")
    return [*out, ""]


def register_page(data: Transparency, institutions: Mapping[str, Institution], lang: str) -> str:
    title = _t("register.title", lang)
    intro = _t("register.intro", lang).format(months=TRACKING_MONTHS, ext=MAX_EXTENSIONS)
    out = [front_matter(title=title), f"# {title}\n", intro + "\n"]
    if not data.uses:
        return "\n".join([*out, _t("register.none", lang)]) + "\n"
    quarters: dict[str, list[Use]] = {}
    for use in data.uses:  # newest quarter first, as the notices are
        quarters.setdefault(use.notice.quarter, []).append(use)
    for quarter, uses in quarters.items():
        out.append(f"## {quarter}\n")
        for use in uses:
            out += _use(use, institutions, lang)
    reopened = [u for u in data.uses if u.reopened_on]
    if reopened:
        out += [f"## {_t('reopened', lang)}\n", _t("reopened.intro", lang) + "\n"]
        out += [
            f"- {u.notice.application} {md_cell(u.notice.title)}: "
            + ", ".join(f"`{d}`" for d in u.notice.datasets)
            + f" ({u.reopened_on})"
            for u in reopened
        ]
    return "\n".join(out) + "\n"


# --- the dashboard -----------------------------------------------------------------------------


def _days(value: float | None, lang: str) -> str:
    return _t("none", lang) if value is None else f"{value:g}"


def _rate(row: QuarterRow, lang: str) -> str:
    rate = row.approval_rate
    return _t("none", lang) if rate is None else f"{rate:.0%}"


def _round(value: float | None) -> int | None:
    return None if value is None else round(value)


def _charts(rows: list[QuarterRow], lang: str) -> dict[str, tuple[str, charts.Svg | None]]:
    groups = [r.quarter for r in rows]
    none = _t("no_data", lang)

    def chart(key: str, series: list[str], values: list[list[int | None]]) -> charts.Svg | None:
        if all(v is None for row in values for v in row):
            return None
        title = _t(key, lang)
        description = "; ".join(
            f"{g}: "
            + ", ".join(f"{s} {none if v is None else v}" for s, v in zip(series, row, strict=True))
            for g, row in zip(groups, values, strict=True)
        )
        return charts.render(
            charts.Chart(title, groups, series, values, none, none, f"{title}. {description}")
        )

    cols = ("col.submitted", "col.decided", "col.approved")
    days = ("col.to_decision", "col.to_release")
    outputs = ("col.on_time", "col.late", "col.expired")
    return {
        "applications": (
            _t("chart.applications", lang),
            chart(
                "chart.applications",
                [_t(c, lang) for c in cols],
                [[r.submitted, r.decided, r.approved] for r in rows],
            ),
        ),
        "days": (
            _t("chart.days", lang),
            chart(
                "chart.days",
                [_t(c, lang) for c in days],
                [[_round(r.median_to_decision), _round(r.median_to_release)] for r in rows],
            ),
        ),
        "outputs": (
            _t("chart.outputs", lang),
            chart(
                "chart.outputs",
                [_t(c, lang) for c in outputs],
                [[r.on_time, r.late, r.expired] for r in rows],
            ),
        ),
    }


def dashboard_files(data: Transparency, lang: str) -> dict[str, str]:
    """``review/dashboard.md`` and its chart files (paths relative to the docs root)."""
    title = _t("dashboard.title", lang)
    out = [front_matter(title=title), f"# {title}\n", _t("dashboard.intro", lang) + "\n"]
    rows = data.quarters
    if not rows:
        return {DASHBOARD: "\n".join([*out, _t("dashboard.none", lang)]) + "\n"}
    keys = (
        "col.quarter",
        "col.submitted",
        "col.decided",
        "col.approved",
        "col.rate",
        "col.to_decision",
        "col.to_release",
        "col.on_time",
        "col.late",
        "col.expired",
    )
    out += [
        *md_head([_t(k, lang) for k in keys], "l" + "r" * (len(keys) - 1)),
    ]
    for r in rows:
        cells = [
            r.quarter,
            str(r.submitted),
            str(r.decided),
            str(r.approved),
            _rate(r, lang),
            _days(r.median_to_decision, lang),
            _days(r.median_to_release, lang),
            str(r.on_time),
            str(r.late),
            str(r.expired),
        ]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    files: dict[str, str] = {}
    for name, (heading, svg) in _charts(rows, lang).items():
        if svg is None:
            continue  # nothing to draw yet (no decision, no release): the table says so
        path = f"{CHART_DIR}/{name}.svg"
        files[path] = svg.text
        out += [
            f"## {heading}\n",
            f"![{md_text(heading)}](../{path}){{ loading=lazy width={svg.width} "
            f"height={svg.height} }}\n",
        ]
    return {DASHBOARD: "\n".join(out) + "\n", **files}


# --- the blacklist -----------------------------------------------------------------------------


def listed(entry: BlacklistEntry, institutions: Mapping[str, Institution], lang: str) -> str:
    """Who an entry lists, as ``BLACKLIST_PUBLISHING`` allows: never a person's name or e-mail."""
    inst = _where(entry.institution, institutions, lang) if entry.institution else None
    if entry.person_email is None:
        return f"{_t('institution', lang)}: {inst}"
    if inst is None:
        return _t("person_unnamed", lang)
    return _t("person_of", lang).format(inst=inst)


def public_reason(text: str) -> str:
    return _EMAIL.sub("[…]", text)


def blacklist_page(
    entries: list[BlacklistEntry] | None, institutions: Mapping[str, Institution], lang: str
) -> str:
    title = _t("blacklist.title", lang)
    out = [front_matter(title=title), f"# {title}\n", _t("blacklist.intro", lang) + "\n"]
    if entries is None:
        return "\n".join([*out, _t("blacklist.missing", lang)]) + "\n"
    if not entries:
        return "\n".join([*out, _t("blacklist.none", lang)]) + "\n"
    keys = (
        "col.who_listed",
        "col.scope",
        "col.reason",
        "col.listed_on",
        "col.review_on",
        "col.decided_by",
    )
    out += md_head([_t(k, lang) for k in keys], "llllll")
    for e in sorted(entries, key=lambda x: x.listed_on, reverse=True):
        scope = (
            _t("all_datasets", lang)
            if e.scope is BlacklistScope.ALL
            else ", ".join(f"`{d}`" for d in e.datasets)
        )
        cells = [
            md_cell(listed(e, institutions, lang)),
            scope,
            md_cell(public_reason(e.reason)),
            e.listed_on,
            e.review_on or _t("none", lang),
            md_cell(", ".join(e.decided_by)),
        ]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


# --- the lifecycle -----------------------------------------------------------------------------


def _trigger(trigger: Trigger) -> str:
    return f"`{trigger.value}`"


def lifecycle_page(lang: str, with_script: bool) -> str:
    """The diagram and the table, both from ``TRANSITIONS``; ``with_script``: the vendored
    mermaid script is on the site (without it the diagram shows as its source text)."""
    title = _t("lifecycle.title", lang)
    out = [front_matter(title=title)]
    if with_script:
        out.append(f'<script src="{depth_prefix(LIFECYCLE)}{MERMAID_JS}"></script>\n')
    out += [
        f"# {title}\n",
        _t("lifecycle.intro", lang) + "\n",
        f"## {_t('diagram', lang)}\n",
        "```mermaid",
        mermaid().rstrip("\n"),
        "```\n",
        f"## {_t('transitions', lang)}\n",
    ]
    keys = ("col.from", "col.step", "col.to", "col.who", "col.after", "col.guards")
    out += md_head([_t(k, lang) for k in keys], "llllll")
    for t in TRANSITIONS:
        source = _t("start", lang) if t.source is None else pick(STATE[t.source], lang)
        cells = [
            source,
            _trigger(t.trigger),
            pick(STATE[t.target], lang),
            pick(ROLE[ROLE_OF[t.trigger]], lang),
            ", ".join(_trigger(r) for r in t.requires) or _t("none", lang),
            ", ".join(pick(GUARD[g], lang) for g in t.guards) or _t("none", lang),
        ]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


# --- all of them -------------------------------------------------------------------------------


def pages(
    data: Transparency,
    institutions: Mapping[str, Institution],
    lang: str,
    *,
    mermaid_script: bool,
) -> dict[str, str]:
    """Every page (``.md``) and chart (``.svg``), by path relative to the docs root."""
    return {
        REGISTER: register_page(data, institutions, lang),
        **dashboard_files(data, lang),
        BLACKLIST: blacklist_page(data.blacklist, institutions, lang),
        LIFECYCLE: lifecycle_page(lang, mermaid_script),
    }
