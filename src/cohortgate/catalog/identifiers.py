"""What a direct identifier looks like (R6), in a variable's name, label, description or values.

R6 lists the identifiable data: name, national ID and other document numbers, phone number,
address, insurance and medical-record numbers and other account numbers. The patterns below
recognise them in English and Chinese; a variable that matches but is not classed
``direct_identifier`` is a finding. The patterns are deliberately specific (``姓名`` not ``名``,
``patient name`` not ``name``), so that a gene symbol or a treatment name does not match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cohortgate.findings.codes import Both
from cohortgate.models.dataset import Variable


@dataclass(frozen=True)
class IdentifierKind:
    what: Both  # shown in the finding: "looks like {what}"
    name: re.Pattern[str]  # matched against the variable (column) name
    text: re.Pattern[str]  # matched against the label and description, both languages


def _kind(what: Both, name: str, text: str) -> IdentifierKind:
    return IdentifierKind(what, re.compile(name), re.compile(text, re.IGNORECASE))


KINDS: tuple[IdentifierKind, ...] = (
    _kind(
        Both(zh="个人姓名", en="a personal name"),
        r"^(patient_|child_|full_|given_|family_|first_|last_|sur)?name$",
        r"姓名|名字|\b(patient|child|full|given|family|first|last)(['’]s)? names?\b|\bsurname\b",
    ),
    _kind(
        Both(zh="监护人的身份信息", en="a guardian's identity"),
        r"guardian|^(parent|mother|father)_name$",
        r"监护人|家长姓名|父亲姓名|母亲姓名|\bguardian",
    ),
    _kind(
        Both(zh="证件号码", en="an ID document number"),
        r"id_?(number|no|card)$|national_id|identity|passport|citizen_id|^ssn$",
        r"身份证|证件号|护照|\bID (number|card|no)\b|\bidentity (card|number|document)\b|"
        r"\bpassport\b|\bnational ID\b",
    ),
    _kind(
        Both(zh="电话号码", en="a phone number"),
        r"phone|mobile|(^|_)tel($|_)|telephone",
        r"电话|手机|联系方式|\b(tele)?phone\b|\bmobile (number|phone)\b",
    ),
    _kind(
        Both(zh="地址", en="an address"),
        r"address|(^|_)addr($|_)|street|post_?code|zip_?code",
        r"地址|住址|门牌|邮编|\baddress\b|\bstreet\b|\bpostcode\b|\bzip code\b",
    ),
    _kind(
        Both(zh="病案号", en="a medical-record number"),
        r"medical_record|record_no|(^|_)mrn($|_)|(inpatient|outpatient|admission|case)_no",
        r"病案号|病历号|住院号|门诊号|就诊卡号|\bmedical[- ]record (number|no)\b|\bMRN\b|"
        r"\b(admission|inpatient) number\b",
    ),
    _kind(
        Both(zh="医保号", en="an insurance number"),
        r"insurance|social_security|medicare",
        r"医保|医疗保险|社保|社会保障|\binsurance\b|\bsocial security\b",
    ),
    _kind(
        Both(zh="电子邮箱地址", en="an e-mail address"),
        r"(^|_)e?mail($|_)",
        r"邮箱|电子邮件|\be-?mail\b",
    ),
    _kind(
        Both(zh="记录编号", en="a record key"),
        r"^(patient|person|subject|visit)_id$",
        r"患者编号|患者ID|\bpatient (ID|identifier)\b",
    ),
)

# Values that are identifiers whatever the variable is called.
VALUE_PATTERNS: tuple[tuple[Both, re.Pattern[str]], ...] = (
    (
        Both(zh="证件号码", en="an ID document number"),
        re.compile(r"^[1-8][0-9]{16}[0-9Xx]$"),
    ),  # GB 11643, 18 digits
    (
        Both(zh="电话号码", en="a phone number"),
        re.compile(r"^(\+?86[- ]?)?1[3-9][0-9]{9}$"),
    ),  # mainland mobile
    (
        Both(zh="电子邮箱地址", en="an e-mail address"),
        re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"),
    ),
)


def looks_like_identifier(var: Variable) -> tuple[Both, Both] | None:
    """``(what, evidence)`` if the variable looks like a direct identifier, else ``None``."""
    label, description = ("label", "标签"), ("description", "说明")
    texts = [(label, var.label.zh), (label, var.label.en)]
    if var.description:
        texts += [(description, var.description.zh), (description, var.description.en)]
    for kind in KINDS:
        if kind.name.search(var.name):
            return kind.what, Both(zh=f"变量名“{var.name}”", en=f"name '{var.name}'")
        for (where, where_zh), text in texts:
            match = kind.text.search(text)
            if match:
                said = match.group(0)
                return kind.what, Both(zh=f"{where_zh}中写有“{said}”", en=f"{where} says '{said}'")
    for value in var.values:
        for what, pattern in VALUE_PATTERNS:
            if pattern.match(value):
                return what, Both(zh=f"取值“{value}”", en=f"value '{value}'")
    return None
