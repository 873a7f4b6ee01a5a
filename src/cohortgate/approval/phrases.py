"""Phrases that findings of several rooms build, in both languages (``Both``): the committees'
names, why two records are one person, a list of phrases joined, what changed in a file.

The rooms above (``applications``, ``lifecycle``, ``review``) use them as the approval room does,
so that a Chinese message reads the same wherever the phrase appears.
"""

from __future__ import annotations

from collections.abc import Iterable

from cohortgate.findings.codes import Both

NONE = Both(zh="无", en="none")

_COMMITTEES = {
    "academic": "学术委员会",
    "data_management": "数据管理委员会",
}

# How ``models.person.Identity.agreement`` words each kind of agreement (English), and the
# Chinese for it; the agreed value sits between the prefix and the suffix.
_AGREED = {
    "orcid": ("the same ORCID iD ", "", "ORCID iD 相同：{}"),
    "email": ("the same e-mail address (normalised: ", ")", "邮箱地址规范化后相同：{}"),
    "name": ("the same name (normalised: ", ")", "姓名规范化后相同：{}"),
}


def committee(name: str) -> Both:
    """``academic committee`` / 学术委员会: a committee named in a message."""
    return Both(zh=_COMMITTEES.get(name, f"{name} 委员会"), en=f"{name} committee")


def joined(parts: Iterable[Both | str], zh: str = "；", en: str = "; ") -> Both:
    """Phrases joined, each language with its own separator (a plain string is both)."""
    items = [p if isinstance(p, Both) else Both(zh=p, en=p) for p in parts]
    return Both(zh=zh.join(p.zh for p in items), en=en.join(p.en for p in items))


def agreement(field: str, why: str) -> Both:
    """What makes two records one person (``Identity.agreement``: the field that agreed and the
    English phrase), in both languages."""
    prefix, suffix, zh = _AGREED.get(field, ("", "", "{}"))
    if why.startswith(prefix) and why.endswith(suffix) and prefix:
        return Both(zh=zh.format(why[len(prefix) : len(why) - len(suffix)]), en=why)
    return Both(zh=why, en=why)


def same_person(found: tuple[str, str] | None) -> Both | None:
    """``agreement`` of an ``Identity.agreement`` result, None when nothing agreed."""
    return None if found is None else agreement(*found)


def change(name: str, how: str) -> Both:
    """One file's change: ``protocol.pdf added`` / protocol.pdf 已添加."""
    zh = {"added": "已添加", "removed": "已删除", "changed": "已修改"}[how]
    return Both(zh=f"{name} {zh}", en=f"{name} {how}")
