"""One notion of a person: the normalised identity that every exclusion (R13), the blacklist
(R25), conflicts of interest (R30) and quorum (R1) compare, wherever a person is written down
(an applicant or team member, a roster member, a blacklist entry).

The rule: two records are ONE PERSON when any one of these agrees (any-of, never all-of):

* the ORCID iD (ISO 7064 11,2 check digit verified where it is written; compared as its 16
  characters, the check character upper-case);
* a normalised e-mail address: NFKC, invisible characters dropped, lower-cased, a ``+tag``
  removed from the local part (``chen+x@h.cn`` is ``chen@h.cn``); at the providers that ignore
  dots in the local part (``DOT_BLIND_DOMAINS``: gmail.com, googlemail.com, which are one
  provider) the dots are removed too (``c.hen@gmail.com`` is ``chen@googlemail.com``). Other
  domains keep their dots: a hospital's mail server may well tell ``chen.s`` from ``chens``.
  ``-`` separators (used by a few providers) are not folded;
* a normalised name: NFKC, invisible characters dropped, whitespace folded to one space,
  casefolded. A name written as its Chinese and its Latin form (``陈静 Chen Jing``) also agrees
  with a name that is one of its parts alone (``陈静``, ``Chen Jing``), and with another
  bilingual name of the same Chinese form (``陈静 Chan Ching``); two bilingual names that
  share only the Latin form do not agree (``王芳 Wang Fang`` and ``汪芳 Wang Fang`` are two
  people: pinyin is shared by many characters).

Matching fails closed: a new e-mail address does not make a new person when the ORCID or the
name agrees, and two people with one name are treated as one. A false match only ever
excludes someone (another member reviews; the committee looks at a blacklist hit); a missed
match lets an applicant review themselves. Homonyms on the roster are told apart by a qualifier
in the display name (``王伟（儿科）``).

Names refuse format characters (Unicode category Cf: zero-width, soft hyphen, bidirectional
controls ...) and other invisible characters (controls, line and paragraph separators,
surrogates, private use) when a file is validated (``PersonName``): a located finding, never a
silent clean-up. The normaliser drops them as well, for text that was never validated.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, TypeVar

from pydantic import AfterValidator, StringConstraints

from cohortgate.findings.escape import is_invisible

# The Bidi_Control characters (all of category Cf, so invisible: ``findings.escape``, the one
# definition of an invisible character, refused in names and dropped by the normaliser).
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Providers that deliver 'c.hen@' to 'chen@' (Gmail documents it); the first is the canonical
# domain the others are read as.
DOT_BLIND_DOMAINS = ("gmail.com", "googlemail.com")
ORCID_PATTERN = r"^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$"
_ORCID_URL = re.compile(r"^(https?://)?(www\.)?orcid\.org/", re.IGNORECASE)
_CHINESE_LATIN = re.compile(r"([^\x00-\x7f ]+) ([\x00-\x7f ]+)")


def is_hidden(char: str) -> bool:
    return is_invisible(char)


def _fixed_point(step: Callable[[str], str], text: str) -> str:
    """``step`` applied until nothing changes (NFKC, casefolding and removals can each undo
    the others' normal form once; a handful of rounds always settles)."""
    for _ in range(16):
        following = step(text)
        if following == text:
            return text
        text = following
    return text


def _visible(text: str) -> str:
    return "".join(c for c in text if not is_hidden(c))


def _name_step(text: str) -> str:
    return " ".join(_visible(unicodedata.normalize("NFKC", text)).split()).casefold()


def normalise_name(name: str) -> str:
    """NFKC, invisible characters dropped, whitespace folded, casefolded."""
    return _fixed_point(_name_step, name)


def name_parts(name: str) -> tuple[str, str | None, str | None]:
    """The normalised name and, for '陈静 Chen Jing', its Chinese and its Latin part."""
    full = normalise_name(name)
    if match := _CHINESE_LATIN.fullmatch(full):
        return full, match.group(1), match.group(2)
    return full, None, None


def _email_step(text: str) -> str:
    text = "".join(_visible(unicodedata.normalize("NFKC", text)).split()).casefold()
    local, at, domain = text.rpartition("@")
    if not at:
        return text
    domain = domain.rstrip(".")
    local = local.split("+", 1)[0]
    if domain in DOT_BLIND_DOMAINS:
        local, domain = local.replace(".", ""), DOT_BLIND_DOMAINS[0]
    return f"{local}@{domain}"


def normalise_email(email: str) -> str:
    """Lower-cased, ``+tag`` removed, dots removed at ``DOT_BLIND_DOMAINS`` (see above)."""
    return _fixed_point(_email_step, email)


def orcid_check_character(digits: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 15 digits of an ORCID iD."""
    total = 0
    for digit in digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def orcid_problem(orcid: str) -> str | None:
    """Why ``orcid`` is not a well-formed ORCID iD, or None when it is."""
    if not re.fullmatch(ORCID_PATTERN, orcid):
        return f"'{orcid}' is not written like 0000-0002-1825-0097"
    digits = orcid.replace("-", "")
    expected = orcid_check_character(digits[:15])
    if digits[15] != expected:
        return (
            f"the ORCID iD {orcid} fails its check (ISO 7064 11,2): the last character would be "
            f"'{expected}', not '{digits[15]}'; copy the iD from your ORCID record"
        )
    return None


def normalise_orcid(orcid: str) -> str:
    """The 16 characters of an ORCID iD as 0000-0000-0000-000X (a URL prefix removed)."""
    text = _ORCID_URL.sub("", unicodedata.normalize("NFKC", orcid).strip())
    compact = "".join(c for c in text.upper() if c.isascii() and c.isalnum())
    if len(compact) != 16:
        return compact
    return "-".join(compact[i : i + 4] for i in range(0, 16, 4))


def _valid_orcid(value: str) -> str:
    problem = orcid_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _visible_name(value: str) -> str:
    hidden = [(i, c) for i, c in enumerate(value) if is_hidden(c)]
    if hidden:
        chars = "; ".join(
            f"U+{ord(c):04X} {unicodedata.name(c, 'a control character')} at position {i + 1}"
            for i, c in hidden
        )
        raise ValueError(
            f"the name contains an invisible character ({chars}): format characters and "
            f"bidirectional controls are refused in names, since they make one person look "
            f"like two; write it as '{_visible(value)}'"
        )
    return value


# A person's name: one line, nothing invisible (see the module's docstring).
PersonName = Annotated[str, StringConstraints(min_length=1), AfterValidator(_visible_name)]
# An ORCID iD, e.g. 0000-0002-1825-0097, with a valid check character.
Orcid = Annotated[str, StringConstraints(pattern=ORCID_PATTERN), AfterValidator(_valid_orcid)]


@dataclass(frozen=True)
class Identity:
    """Everything that identifies one person, normalised."""

    orcids: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()  # whole names
    chinese: frozenset[str] = frozenset()  # the Chinese parts of bilingual names
    latin: frozenset[str] = frozenset()  # the Latin parts of bilingual names

    @classmethod
    def of(
        cls,
        *,
        names: Iterable[str | None] = (),
        emails: Iterable[str | None] = (),
        orcids: Iterable[str | None] = (),
    ) -> Identity:
        """The identity of a record from its raw names, e-mails and ORCID iDs (None skipped)."""
        parts = [name_parts(n) for n in names if n]
        return cls(
            frozenset(filter(None, (normalise_orcid(o) for o in orcids if o))),
            frozenset(filter(None, (normalise_email(e) for e in emails if e))),
            frozenset(full for full, _, _ in parts if full),
            frozenset(zh for _, zh, _ in parts if zh),
            frozenset(en for _, _, en in parts if en),
        )

    def __or__(self, other: Identity) -> Identity:
        return Identity(
            self.orcids | other.orcids,
            self.emails | other.emails,
            self.names | other.names,
            self.chinese | other.chinese,
            self.latin | other.latin,
        )

    def _common_name(self, other: Identity) -> str | None:
        shared = (
            (self.names & (other.names | other.chinese | other.latin))
            | (other.names & (self.chinese | self.latin))
            | (self.chinese & other.chinese)
        )
        return min(shared) if shared else None

    def agreement(self, other: Identity) -> tuple[str, str] | None:
        """What makes ``other`` the same person: the field that agrees (``orcid``, ``email``
        or ``name``, in that order) and a phrase saying so; None when nothing agrees."""
        if both := sorted(self.orcids & other.orcids):
            return "orcid", f"the same ORCID iD {both[0]}"
        if both := sorted(self.emails & other.emails):
            return "email", f"the same e-mail address (normalised: {both[0]})"
        if name := self._common_name(other):
            return "name", f"the same name (normalised: {name})"
        return None

    def same_as(self, other: Identity) -> str | None:
        """Why ``other`` is the same person (one phrase), or None when nothing agrees."""
        found = self.agreement(other)
        return None if found is None else found[1]


K = TypeVar("K", bound=Hashable)


def one_person_groups(records: Sequence[tuple[K, Identity]]) -> list[list[K]]:
    """The records grouped by person (the rule above, applied transitively: a shares an ORCID
    with b and b an e-mail with c makes one person), each group in the records' order."""
    parent = list(range(len(records)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (_, first) in enumerate(records):
        for j in range(i + 1, len(records)):
            if first.same_as(records[j][1]) is not None:
                parent[root(j)] = root(i)
    groups: dict[int, list[K]] = {}
    for i, (key, _) in enumerate(records):
        groups.setdefault(root(i), []).append(key)
    return list(groups.values())
