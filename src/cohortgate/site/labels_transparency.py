"""Words of the transparency pages (the register of approved uses, the dashboard, the blacklist
and the lifecycle), in Chinese and English: texts by key, and the names of the lifecycle's
states, roles and guards.
"""

from __future__ import annotations

from cohortgate.models.lifecycle import Guard, Role, State
from cohortgate.policy import MAX_EXTENSIONS
from cohortgate.site.labels import pick

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
    Guard.FIRST_RECEIPT: ("此前未记录收件", "not received before"),
}


def _t(key: str, lang: str) -> str:
    return pick(L[key], lang)
