"""Who applies: institutional e-mail, known institutions, the blacklist (R3, R12, R25).

A blacklisted person is matched by the one identity rule of ``models.person``: ORCID iD,
normalised e-mail (case, ``+tag``, Gmail dots) or normalised name; the finding points at the
field that agreed.

E-mail addresses are plain ASCII. A character outside ASCII is named with its code point and
Unicode name, and, where it imitates a Latin letter (Cyrillic 'а', Greek 'ο', full-width 'ａ',
an accented 'é'), with the letter it imitates. Invisible characters (zero-width space, ...) are
named too. The look-alike table below covers the letters of scripts that imitate Latin ones
most often; Unicode's full confusables list (the ``confusable-homoglyphs`` package) would name
more of them, but any non-ASCII character is refused whether or not it is in the table.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from cohortgate.applications import codes as C
from cohortgate.approval.phrases import agreement
from cohortgate.files.loading import Document
from cohortgate.findings import Finding
from cohortgate.findings.codes import Both
from cohortgate.models.application import Application, Person
from cohortgate.models.blacklist import Blacklist, BlacklistScope
from cohortgate.models.institution import Institution
from cohortgate.policy import FREE_MAIL_DOMAINS

Loc = tuple[str | int, ...]

# Letters of other scripts that look like ASCII letters (Unicode confusables, the common ones).
LOOKALIKES: dict[str, str] = {
    # Cyrillic
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
    "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ь": "b",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S",
    # Greek
    "α": "a", "ο": "o", "ν": "v", "ρ": "p", "τ": "t", "ι": "i", "κ": "k", "υ": "u",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # punctuation that passes for '.', '@' or '-'
    "。": ".", "．": ".", "＠": "@", "‐": "-", "‑": "-", "–": "-", "−": "-",
}  # fmt: skip


def ascii_twin(char: str) -> str | None:
    """The ASCII character that ``char`` imitates, if any."""
    if char in LOOKALIKES:
        return LOOKALIKES[char]
    folded = unicodedata.normalize("NFKC", char)  # full-width 'ａ' -> 'a'
    if folded.isascii() and folded.isprintable() and len(folded) == 1:
        return folded
    bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return bare if bare.isascii() and len(bare) == 1 and bare.isprintable() else None


def describe(char: str, position: int | None = None) -> Both:
    """The character by code point and Unicode name, what it imitates or that it is invisible,
    and where it is (``position``, 1-based, when given)."""
    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    zh, en = f"{code} {name}" if name else code, f"{code} {name or 'an unnamed character'}"
    notes = [] if name else ["无名称的字符"]
    twin = ascii_twin(char)
    if twin is not None:
        notes, en = [*notes, f"形似“{twin}”"], f"{en} (looks like '{twin}')"
    elif invisible(char):
        notes, en = [*notes, "不可见"], f"{en} (invisible)"
    if position is not None:
        notes, en = [*notes, f"第 {position} 个字符"], f"{en} at position {position}"
    return Both(zh=f"{zh}（{'，'.join(notes)}）" if notes else zh, en=en)


def invisible(char: str) -> bool:
    return unicodedata.category(char) in ("Cf", "Zs", "Zl", "Zp", "Cc")


def non_ascii(text: str) -> list[tuple[int, str]]:
    return [(i, c) for i, c in enumerate(text) if not c.isascii()]


def _emails(data: Any) -> Iterator[tuple[Loc, str]]:
    if not isinstance(data, dict):
        return
    applicant = data.get("applicant")
    if isinstance(applicant, dict) and isinstance(applicant.get("email"), str):
        yield ("applicant", "email"), applicant["email"]
    team = data.get("team")
    for i, person in enumerate(team if isinstance(team, list) else []):
        if isinstance(person, dict) and isinstance(person.get("email"), str):
            yield ("team", i, "email"), person["email"]


def raw_email_findings(doc: Document) -> list[Finding]:
    """Look-alike characters in the e-mail addresses, read before the model (whose pattern
    would only say 'does not match')."""
    findings = []
    for path, email in _emails(doc.data):
        bad = non_ascii(email)
        if not bad:
            continue
        described = [describe(c, i + 1) for i, c in bad]
        chars = Both(zh="；".join(d.zh for d in described), en="; ".join(d.en for d in described))
        twins = [ascii_twin(c) for _, c in bad]
        suggestion: Both | str = ""
        if all(t is not None for t in twins):
            fixed = "".join(ascii_twin(c) or c for c in email)
            if fixed.isascii():
                suggestion = Both(
                    zh=f"：“{fixed}”（如果这就是您要写的地址）",
                    en=f": '{fixed}', if that is the address meant",
                )
        elif all(ascii_twin(c) is None and invisible(c) for _, c in bad):
            fixed = "".join(c for c in email if c.isascii())
            suggestion = Both(
                zh=f"：“{fixed}”（去掉不可见字符）",
                en=f": '{fixed}' without the invisible characters",
            )
        findings.append(
            doc.finding(C.EMAIL_LOOKALIKE, path, email=email, chars=chars, suggestion=suggestion)
        )
    return findings


def people(app: Application) -> list[tuple[Loc, Person]]:
    return [(("applicant",), app.applicant)] + [(("team", i), p) for i, p in enumerate(app.team)]


def domain_of(email: str) -> str:
    return email.rsplit("@", 1)[1].lower()


def within(domain: str, parents: frozenset[str] | list[str]) -> str | None:
    """The entry of ``parents`` that ``domain`` is, or is a subdomain of."""
    return next((p for p in parents if domain == p or domain.endswith("." + p)), None)


def institution_findings(
    app: Application, doc: Document, institutions: dict[str, Institution]
) -> Iterator[Finding]:
    known = ", ".join(sorted(institutions))
    for loc, person in people(app):
        if person.institution not in institutions:
            yield doc.finding(
                C.UNKNOWN_INSTITUTION, (*loc, "institution"), id=person.institution, known=known
            )


def email_findings(
    app: Application, doc: Document, institutions: dict[str, Institution]
) -> Iterator[Finding]:
    for loc, person in people(app):
        inst = institutions.get(person.institution)
        if inst is None:
            continue  # reported as an unknown institution
        domain = domain_of(person.email)
        domains = ", ".join(inst.email_domains)
        params = {"email": person.email, "institution": inst.id, "domains": domains}
        free = within(domain, FREE_MAIL_DOMAINS)
        if free:
            yield doc.finding(C.FREE_MAIL, (*loc, "email"), domain=free, **params)
        elif not within(domain, inst.email_domains):
            yield doc.finding(C.EMAIL_DOMAIN_MISMATCH, (*loc, "email"), **params)


def blacklist_findings(
    app: Application, doc: Document, blacklist: Blacklist, blacklist_doc: Document | None
) -> Iterator[Finding]:
    requested = {r.dataset for r in app.datasets}
    for n, entry in enumerate(blacklist.entries):
        if entry.scope is BlacklistScope.LISTED and not requested & set(entry.datasets):
            continue
        named = ", ".join(entry.datasets)
        scope = (
            ""
            if entry.scope is BlacklistScope.ALL
            else Both(zh=f"，限于数据集 {named}", en=f" for {named}")
        )
        line = blacklist_doc.locate(("entries", n))[0] if blacklist_doc else 0
        due = entry.review_on
        review = Both(zh=f"（复核日期为 {due}）", en=f" (review due {due})") if due else ""
        common: dict[str, object] = {
            "scope": scope,
            "listed_on": entry.listed_on,
            "entry_line": line,
            "review": review,
        }
        listed = entry.identity()
        for loc, person in people(app):
            agreed = listed.agreement(person.identity()) if entry.names_person else None
            if agreed is not None:
                field, found = agreed
                zh, en = f"“{person.email}”", f"'{person.email}'"
                if person.email.casefold() != (entry.person_email or "").casefold():
                    why = agreement(field, found)
                    zh += f"（即黑名单中的“{entry.who()}”：{why.zh}）"
                    en += f" (the person listed as '{entry.who()}': {why.en})"
                who = Both(zh=zh, en=en)
                yield doc.finding(
                    C.BLACKLISTED, (*loc, field), who=who, reason=entry.reason, **common
                )
            if entry.institution and person.institution == entry.institution:
                inst = person.institution
                who = Both(zh=f"机构“{inst}”", en=f"institution '{inst}'")
                yield doc.finding(
                    C.BLACKLISTED, (*loc, "institution"), who=who, reason=entry.reason, **common
                )
