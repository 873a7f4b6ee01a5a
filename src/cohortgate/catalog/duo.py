"""The GA4GH Data Use Ontology (DUO) terms that a catalog dataset may state as use conditions.

Ids, shorthands and English labels are DUO's own (``EBISPOT/DUO`` ``duo.csv``); the Chinese
labels are ours. A dataset states exactly one *permission* (what research the data may serve)
and any number of *modifiers* (conditions on that use). Some terms take a parameter: DS names
diseases, RS a research type, TS a number of months.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DuoKind(StrEnum):
    PERMISSION = "permission"  # what the data may be used for; one per dataset
    MODIFIER = "modifier"  # an extra condition on that use


@dataclass(frozen=True)
class DuoTerm:
    id: str
    shorthand: str
    zh: str
    en: str
    kind: DuoKind
    parameter: str | None = None  # the UseCondition field the term needs, if any


_P, _M = DuoKind.PERMISSION, DuoKind.MODIFIER

DUO_TERMS: dict[str, DuoTerm] = {
    t.id: t
    for t in (
        # permissions
        DuoTerm("DUO:0000004", "NRES", "无使用限制", "no restriction", _P),
        DuoTerm("DUO:0000042", "GRU", "一般研究用途", "general research use", _P),
        DuoTerm(
            "DUO:0000006",
            "HMB",
            "健康、医学或生物医学研究",
            "health or medical or biomedical research",
            _P,
        ),
        DuoTerm("DUO:0000007", "DS", "限特定疾病研究", "disease specific research", _P, "diseases"),
        DuoTerm(
            "DUO:0000011",
            "POA",
            "仅限人群起源或祖源研究",
            "population origins or ancestry research only",
            _P,
        ),
        # modifiers
        DuoTerm(
            "DUO:0000012",
            "RS",
            "限特定研究类型",
            "research specific restrictions",
            _M,
            "research_type",
        ),
        DuoTerm("DUO:0000015", "NMDS", "不得用于一般方法学研究", "no general methods research", _M),
        DuoTerm("DUO:0000016", "GSO", "仅限遗传学研究", "genetic studies only", _M),
        DuoTerm(
            "DUO:0000018",
            "NPUNCU",
            "仅限非营利机构、非商业用途",
            "not for profit, non commercial use only",
            _M,
        ),
        DuoTerm("DUO:0000019", "PUB", "须公开发表研究结果", "publication required", _M),
        DuoTerm("DUO:0000020", "COL", "须与原研究者合作", "collaboration required", _M),
        DuoTerm("DUO:0000021", "IRB", "须经伦理委员会批准", "ethics approval required", _M),
        DuoTerm("DUO:0000022", "GS", "限特定地域使用", "geographical restriction", _M),
        DuoTerm("DUO:0000024", "MOR", "发表禁止期", "publication moratorium", _M),
        DuoTerm("DUO:0000025", "TS", "使用期限", "time limit on use", _M, "months"),
        DuoTerm("DUO:0000026", "US", "限获批用户使用", "user specific restriction", _M),
        DuoTerm("DUO:0000027", "PS", "限获批项目使用", "project specific restriction", _M),
        DuoTerm("DUO:0000028", "IS", "限获批机构使用", "institution specific restriction", _M),
        DuoTerm("DUO:0000029", "RTN", "衍生数据须返还数据库", "return to database or resource", _M),
        DuoTerm("DUO:0000043", "CC", "可用于临床诊疗", "clinical care use", _M),
        DuoTerm(
            "DUO:0000044",
            "NPOA",
            "禁止人群起源或祖源研究",
            "population origins or ancestry research prohibited",
            _M,
        ),
        DuoTerm(
            "DUO:0000045", "NPU", "仅限非营利机构使用", "not for profit organisation use only", _M
        ),
        DuoTerm("DUO:0000046", "NCU", "仅限非商业用途", "non-commercial use only", _M),
    )
}

# The parameter fields of ``UseCondition``; a term that does not take one must leave it empty.
PARAMETERS = ("diseases", "research_type", "months")


def duo_term(id: str) -> DuoTerm | None:
    return DUO_TERMS.get(id)
