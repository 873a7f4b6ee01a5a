"""A data-access application: ``submissions/<year>/<id>/application.yaml`` (R3, R8–R12, R16–R18,
R24, R29–R30, R34).

The form plus a valid protocol (R8, R9), made in the name of an institution (R3, R12), asking for
the minimum necessary variables (R16) at one privacy level (R5) with a delivery method that fits
it (R18). Attachments (protocol, ethics letter) lie in the application's folder, beside the
YAML or in a subfolder of its own but never in the folders that follow the review (``layout``),
and are named by a relative path.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StrictBool, StringConstraints, field_validator, model_validator

from cohortgate.models.common import (
    Email,
    HpoId,
    IsoDate,
    Line,
    NonEmpty,
    OrphaCode,
    PlainText,
    Slug,
    Strict,
)
from cohortgate.models.dataset import PrivacyLevel
from cohortgate.models.person import Identity, Orcid, PersonName

# An application id: 'A-' + year + '-' + four digits, e.g. A-2026-0007 (also the folder name).
ApplicationId = Annotated[str, StringConstraints(pattern=r"^A-20[0-9]{2}-[0-9]{4}$")]
# A path inside the application's folder: no absolute paths, no '..'.
Attachment = Annotated[
    str,
    StringConstraints(
        # each path segment starts with a letter, digit or underscore: no '/x', no '..'
        pattern=r"^[A-Za-z0-9_][A-Za-z0-9._\-]*(/[A-Za-z0-9_][A-Za-z0-9._\-]*)*$",
        max_length=200,
    ),
]
GeneSymbol = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9\-]{0,19}$")]

# R9 and the public register: the lay summary is short, plain Chinese.
LAY_SUMMARY_MIN, LAY_SUMMARY_MAX = 50, 400


class Role(StrEnum):
    PRINCIPAL_INVESTIGATOR = "principal_investigator"  # 项目负责人
    CO_INVESTIGATOR = "co_investigator"  # 合作研究者
    ANALYST = "analyst"  # 数据分析人员 (touches the data)
    STUDENT = "student"  # 研究生 (under supervision)


class FundingLevel(StrEnum):
    """R3: 'a funded project of a suitable level'."""

    NATIONAL = "national"  # 国家级 (NSFC, national key R&D programme ...)
    PROVINCIAL = "provincial"  # 省部级
    MUNICIPAL = "municipal"  # 市级 (e.g. Shanghai Shenkang)
    INSTITUTIONAL = "institutional"  # 院级 / 校级
    INTERNATIONAL = "international"
    OTHER = "other"


class DeliveryMethod(StrEnum):
    """R18: how the data leave (or do not leave) the data centre."""

    AGGREGATE_REPORT = "aggregate_report"  # L1 tables through disclosure control
    ENCRYPTED_EMAIL = "encrypted_email"  # 加密邮件
    ENCRYPTED_USB = "encrypted_usb"  # 加密U盘
    BOUND_MEDIA = "bound_media"  # 仅特定电脑可用的移动介质
    LOCAL_DATABASE = "local_database"  # 本地数据库访问 (enclave)
    REMOTE_DESKTOP = "remote_desktop"  # 虚拟桌面远程访问
    SAFE_ROOM = "safe_room"  # 安全屋
    BLOCKCHAIN = "blockchain"  # 区块链技术支持的访问


class Certification(StrEnum):
    """The applicant's information-security certification (R27: 网络安全等级保护)."""

    NONE = "none"
    MLPS_2 = "mlps_level_2"  # 等保二级
    MLPS_3 = "mlps_level_3"  # 等保三级
    ISO_27001 = "iso_27001"


class OutOfScopeReason(StrEnum):
    """R11: requests recorded, not scored, by this procedure."""

    FUNDER_LARGE_VOLUME = "funder_large_volume"
    CARE_DELIVERY = "care_delivery"
    PAYMENT = "payment"
    LEGAL_MANDATE = "legal_mandate"


class Person(Strict):
    # A person of the applying team; identity() is what every exclusion compares (models.person).
    name: PersonName = Field(
        max_length=60,
        title="姓名 / Name",
        description="不得含零宽字符、双向控制符等不可见字符 / No invisible characters (zero-width, "
        "bidirectional controls)",
    )
    title: NonEmpty = Field(
        max_length=60,
        title="职称 / Professional title",
        description="如 主任医师、副教授 / e.g. 主任医师 (chief physician)",
    )
    institution: Slug = Field(
        title="所在机构 / Institution",
        description="数据目录中的成员机构 / A member institution of the catalog",
    )
    email: Email = Field(
        title="电子邮箱 / E-mail",
        description="机构邮箱，不接受免费邮箱（R3） / Institutional e-mail, no free-mail (R3)",
    )
    role: Role = Field(title="角色 / Role")
    orcid: Orcid | None = Field(
        default=None,
        title="ORCID 编号 / ORCID iD",
        description="可选，如 0000-0002-1825-0097（校验位须正确） / Optional, e.g. "
        "0000-0002-1825-0097 (its check digit is verified)",
    )

    def identity(self) -> Identity:
        return Identity.of(names=[self.name], emails=[self.email], orcids=[self.orcid])


class Funding(Strict):
    funder: NonEmpty = Field(title="资助机构 / Funder")
    grant_number: NonEmpty = Field(title="项目编号 / Grant number")
    level: FundingLevel = Field(
        title="项目级别 / Level",
        description="申请人须主持相应级别的在研资助项目（R3） / The applicant leads a funded "
        "project of a suitable level (R3)",
    )
    title: NonEmpty = Field(title="项目名称 / Project title")
    start: IsoDate = Field(title="开始日期 / Start date")
    end: IsoDate = Field(title="结束日期 / End date")


class RequestedVariable(Strict):
    table: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        title="表 / Table",
        description="数据集变量字典中的表名 / Table name in the dataset's variable dictionary",
    )
    name: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        title="变量名 / Variable",
        description="变量字典中的变量名 / Variable name in the variable dictionary",
    )
    justification: NonEmpty = Field(
        max_length=300,
        title="申请理由 / Justification",
        description="研究方案为何需要该变量（R16 最小必要） / Why the protocol needs it (R16)",
    )


# L1 strata (R5, R16): the cohort's dimensions that an aggregate table may be split by, each
# patient in exactly one category of each (the custodian's engine counts them). A stratum may
# also name a requested variable of the same dataset as 'table.name'.
STRATA_DIMENSIONS = ("disease", "sex", "age_band", "province", "onset_year", "institution")
StratumName = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$", max_length=80)
]
Stratum = Annotated[list[StratumName], Field(min_length=1, max_length=2)]


class DatasetRequest(Strict):
    dataset: Slug = Field(
        title="数据集 / Dataset", description="数据目录中的数据集 / A dataset of the catalog"
    )
    variables: list[RequestedVariable] = Field(
        min_length=1,
        title="申请的变量 / Requested variables",
        description="只申请研究方案需要的变量（R16） / Only the variables the protocol needs (R16)",
    )
    strata: list[Stratum] | None = Field(
        default=None,
        max_length=10,
        title="分层（L1 汇总表） / Strata (L1 aggregate tables)",
        description="仅用于 L1：每个申请的变量按每一层各汇总成一张表，如 [[disease], [disease, "
        "sex], [age_band]]。每层为一至两个维度：disease（疾病）、sex（性别）、"
        "age_band（诊断年龄段）、province（省份）、onset_year（起病年份）、institution（机构），"
        "或本数据集申请的变量（表名.变量名）。不填时按疾病分层 / L1 only: each requested "
        "variable is counted in one "
        "table per stratum, e.g. [[disease], [disease, sex], [age_band]]. A stratum is one or two "
        "dimensions: disease, sex, age_band (age at diagnosis), province, onset_year, institution, "
        "or a variable requested from this dataset (table.name). Without it: by disease",
    )


class AgeRange(Strict):
    min_years: float | None = Field(
        default=None, ge=0, le=25, title="最小年龄（岁） / Minimum age (years)"
    )
    max_years: float | None = Field(
        default=None, ge=0, le=25, title="最大年龄（岁） / Maximum age (years)"
    )

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        low, high = self.min_years, self.max_years
        if low is not None and high is not None and low > high:
            raise ValueError("min_years is greater than max_years")
        return self


class Criteria(Strict):
    """Structured criteria: a patient matches when every given field matches."""

    diseases: list[OrphaCode] = Field(
        default_factory=list,
        title="疾病 / Diseases",
        description="Orphanet 编码，如 ORPHA:716 / Orphanet codes, e.g. ORPHA:716",
    )
    age_at_diagnosis: AgeRange | None = Field(default=None, title="诊断年龄 / Age at diagnosis")
    sex: list[str] = Field(
        default_factory=list,
        title="性别 / Sex",
        description="M（男）和/或 F（女） / 'M' (male) and/or 'F' (female)",
    )
    hpo: list[HpoId] = Field(
        default_factory=list,
        title="HPO 表型 / HPO phenotypes",
        description="如 HP:0001250 / e.g. HP:0001250",
    )
    genes: list[GeneSymbol] = Field(
        default_factory=list,
        title="基因 / Genes",
        description="HGNC 基因符号，如 PAH / HGNC gene symbols, e.g. PAH",
    )
    diagnosed_from: IsoDate | None = Field(default=None, title="诊断日期起 / Diagnosed from")
    diagnosed_to: IsoDate | None = Field(default=None, title="诊断日期止 / Diagnosed until")
    text: str | None = Field(
        default=None,
        max_length=2000,
        title="其他条件 / Other criteria",
        description="用文字描述的其他条件 / Anything else, in words",
    )

    @field_validator("sex")
    @classmethod
    def _sexes(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if v not in ("M", "F")]
        if bad:
            raise ValueError(f"sex takes 'M' and 'F', not {bad}")
        return value


class Selection(Strict):
    inclusion: Criteria = Field(title="纳入标准 / Inclusion criteria")
    exclusion: Criteria | None = Field(default=None, title="排除标准 / Exclusion criteria")


class Protocol(Strict):
    """R9: the valid research protocol."""

    title: Line = Field(max_length=200, title="方案题目 / Protocol title")
    purpose: NonEmpty = Field(title="研究目的和意义 / Purpose and significance")
    primary_endpoints: list[NonEmpty] = Field(min_length=1, title="主要终点 / Primary endpoints")
    analysis_plan: NonEmpty = Field(title="统计分析计划 / Statistical analysis plan")
    expected_results: NonEmpty = Field(title="预期结果 / Expected results")
    document: Attachment = Field(
        title="方案全文 / Full protocol",
        description="本文件夹中的 PDF 文件，如 protocol.pdf / The PDF in this folder, "
        "e.g. protocol.pdf",
    )


class Ethics(Strict):
    """R30: the ethics approval of the applicant's institution."""

    committee: NonEmpty = Field(title="伦理委员会 / Ethics committee")
    approval_number: NonEmpty = Field(title="批件号 / Approval number")
    approved_on: IsoDate = Field(title="批准日期 / Approved on")
    valid_until: IsoDate = Field(title="有效期至 / Valid until")
    letter: Attachment = Field(
        title="伦理批件 / Approval letter",
        description="本文件夹中的文件，如 ethics-approval.pdf / The file in this folder, "
        "e.g. ethics-approval.pdf",
    )


class DataProtection(Strict):
    """The applicant's protection measures: they feed the leak-risk score (R14, R17, R27)."""

    storage: NonEmpty = Field(
        title="存储位置 / Storage", description="数据保存在哪里 / Where the data will be kept"
    )
    access_control: NonEmpty = Field(
        title="访问控制 / Access control",
        description="谁能访问数据、怎样授权 / Who can reach the data, and how access is granted",
    )
    encryption_at_rest: StrictBool = Field(title="存储加密 / Encrypted at rest")
    encryption_in_transit: StrictBool = Field(title="传输加密 / Encrypted in transit")
    certification: Certification = Field(title="信息安全认证 / Security certification")
    training_completed_on: IsoDate | None = Field(
        default=None,
        title="培训完成日期 / Training completed on",
        description="团队完成数据保护和伦理培训的日期（R29） / Data-protection and ethics "
        "training of the team (R29)",
    )


class OutOfScope(Strict):
    reason: OutOfScopeReason = Field(title="原因 / Reason")
    explanation: NonEmpty = Field(title="说明 / Explanation")


class Acknowledgements(Strict):
    """The terms every applicant accepts; each must be true (R17, R22–R24, R34)."""

    no_third_party_transfer: StrictBool = Field(
        title="未经许可不向第三方提供数据（R24） / No transfer to third parties (R24)"
    )
    cite_the_source: StrictBool = Field(
        title="发表成果时注明数据来源（R23） / Cite the source in publications (R23)"
    )
    destroy_after_use: StrictBool = Field(
        title="使用结束后销毁数据并书面证明（R22） / Destroy the data after use (R22)"
    )
    accept_fees: StrictBool = Field(title="接受数据服务收费（R34） / Accept the fees (R34)")
    report_results_of_value_to_participants: StrictBool = Field(
        title="向参与者反馈有价值的结果 / Report results of value to participants"
    )


class Application(Strict):
    id: ApplicationId = Field(
        title="申请编号 / Application ID",
        description="A-年份-四位序号，如 A-2026-0007；也是文件夹名 / A-year-number, e.g. "
        "A-2026-0007; also the folder's name",
    )
    submitted: IsoDate = Field(title="提交日期 / Submitted on")
    title: Line = Field(max_length=200, title="研究题目 / Study title")
    lay_summary_zh: NonEmpty = Field(
        min_length=LAY_SUMMARY_MIN,
        max_length=LAY_SUMMARY_MAX,
        title="通俗摘要（中文） / Lay summary (Chinese)",
        description=f"公开登记用的通俗中文摘要，{LAY_SUMMARY_MIN}–{LAY_SUMMARY_MAX} 字 / "
        f"Plain-language Chinese summary for the public register, {LAY_SUMMARY_MIN}–"
        f"{LAY_SUMMARY_MAX} characters",
    )
    applicant: Person = Field(
        title="申请人 / Applicant",
        description="项目负责人，代表所在机构申请 / The principal investigator, for the "
        "institution",
    )
    team: list[Person] = Field(default_factory=list, title="团队成员 / Team")
    funding: Funding = Field(title="资助项目 / Funding")
    privacy_level: PrivacyLevel = Field(title="隐私级别 / Privacy level")
    datasets: list[DatasetRequest] = Field(min_length=1, title="申请的数据 / Requested data")
    selection: Selection = Field(title="研究对象 / Study population")
    protocol: Protocol = Field(title="研究方案 / Research protocol")
    non_profit: StrictBool = Field(
        title="非营利研究 / Non-profit research",
        description="研究目的为非营利（R9） / The purpose is non-profit research (R9)",
    )
    ethics: Ethics | None = Field(
        default=None,
        title="伦理审查 / Ethics approval",
        description="L2、L3 级必填（R30） / Required for L2 and L3 (R30)",
    )
    data_protection: DataProtection = Field(title="数据保护措施 / Data protection")
    delivery: DeliveryMethod = Field(title="交付方式 / Delivery method")
    conflicts_of_interest: PlainText = Field(
        default="none", max_length=2000, title="利益冲突 / Conflicts of interest"
    )
    parent_application: ApplicationId | None = Field(
        default=None,
        title="原申请编号 / Parent application",
        description="对已共享数据做二次分析时填写（R10） / Secondary analysis of data "
        "already shared (R10)",
    )
    out_of_scope: OutOfScope | None = Field(
        default=None,
        title="不适用本程序的申请 / Out of scope",
        description="资助方或法定要求的申请：只记录，不评分（R11） / Funder or "
        "legal-mandate request: recorded, not scored (R11)",
    )
    acknowledgements: Acknowledgements = Field(title="承诺 / Acknowledgements")

    def people(self) -> list[Person]:
        return [self.applicant, *self.team]

    def submitted_date(self) -> date:
        return date.fromisoformat(self.submitted)

    def attachments(self) -> list[tuple[tuple[str, str], str]]:
        """(where in the form, path in the folder) of each attachment: the protocol, then the
        ethics letter when there is one. Sign-offs bind them with the form (``layout``)."""
        found = [(("protocol", "document"), self.protocol.document)]
        if self.ethics is not None:
            found.append((("ethics", "letter"), self.ethics.letter))
        return found
