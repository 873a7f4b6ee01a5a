"""One notion of a person (``models.person``): the normaliser (with hypothesis), ORCID check
digits, names that hide characters, and the any-of rule."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from cohortgate.files.loading import load_yaml_text
from cohortgate.files.modelcheck import check_model
from cohortgate.models.blacklist import BlacklistEntry
from cohortgate.models.person import (
    BIDI_CONTROLS,
    Identity,
    name_parts,
    normalise_email,
    normalise_name,
    normalise_orcid,
    one_person_groups,
    orcid_check_character,
    orcid_problem,
)
from cohortgate.models.roster import Member

PROPERTIES = settings(max_examples=300, deadline=None)

# Any text, with the characters that normalisation is about over-represented.
tricky = st.sampled_from(
    ["\u200b", "\u200d", "\ufeff", "\u00ad", "\u202e", "\u2066", "\u3000", "\t", "ﬁ", "ß", "İ"]
)
any_text = st.lists(st.one_of(st.characters(), tricky), max_size=40).map("".join)
local_part = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._-", min_size=1, max_size=20)
domain = st.sampled_from(
    ["xinhuamed.com.cn", "shchildren.com.cn", "gmail.com", "googlemail.com", "fudan.edu.cn"]
)
tag = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-+", max_size=10)


@PROPERTIES
@given(any_text)
def test_normalising_a_name_twice_is_normalising_it_once(text: str) -> None:
    once = normalise_name(text)
    assert normalise_name(once) == once
    assert name_parts(once) == name_parts(text)


@PROPERTIES
@given(any_text)
def test_normalising_an_e_mail_twice_is_normalising_it_once(text: str) -> None:
    once = normalise_email(text)
    assert normalise_email(once) == once


@PROPERTIES
@given(local_part, domain, tag)
def test_case_and_plus_tags_do_not_change_an_e_mail(local: str, where: str, extra: str) -> None:
    plain = normalise_email(f"{local}@{where}")
    assert normalise_email(f"{local.upper()}@{where.upper()}") == plain
    assert normalise_email(f"{local}+{extra}@{where}") == plain
    assert normalise_email(f"{local.title()}+{extra}@{where}") == plain


@PROPERTIES
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=12), st.data())
def test_gmail_ignores_dots_other_domains_do_not(letters: str, data: st.DataObject) -> None:
    cut = data.draw(st.integers(1, len(letters) - 1))
    dotted = f"{letters[:cut]}.{letters[cut:]}"
    assert normalise_email(f"{dotted}@gmail.com") == normalise_email(f"{letters}@googlemail.com")
    assert normalise_email(f"{dotted}@xinhuamed.com.cn") != normalise_email(
        f"{letters}@xinhuamed.com.cn"
    )


@PROPERTIES
@given(
    st.sampled_from(["\u200b", "\u200d", "\ufeff", "\u00ad", "\u202e", "\u2066"]),
    st.integers(0, 14),
    st.sampled_from([str.upper, str.lower, str.swapcase, str.title]),
)
def test_hidden_characters_and_case_do_not_change_a_name(
    hidden: str, at: int, case: Callable[[str], str]
) -> None:
    name = "陈思远 Chen Siyuan"
    assert normalise_name(name[:at] + hidden + name[at:]) == normalise_name(name)
    assert normalise_name(case(name)) == normalise_name(name)


def test_examples_of_the_normaliser() -> None:
    assert normalise_email("Chen.Siyuan+review@XinHuaMed.com.cn") == "chen.siyuan@xinhuamed.com.cn"
    assert normalise_email("C.Hen.Siyuan+x@googlemail.com") == "chensiyuan@gmail.com"
    assert normalise_email("chen\u200b.siyuan@xinhuamed.com.cn") == "chen.siyuan@xinhuamed.com.cn"
    assert normalise_name("  Chen\u3000\u3000SIYUAN ") == "chen siyuan"
    assert normalise_name("Ｃｈｅｎ") == "chen"  # full-width letters (NFKC)
    assert name_parts("陈思远  Chen Siyuan") == ("陈思远 chen siyuan", "陈思远", "chen siyuan")
    assert name_parts("Chen Siyuan") == ("chen siyuan", None, None)
    assert normalise_orcid("https://orcid.org/0000-0002-1694-233x") == "0000-0002-1694-233X"


@pytest.mark.parametrize(
    ("orcid", "valid"),
    [
        ("0000-0002-1825-0097", True),  # ORCID's own examples
        ("0000-0001-5109-3700", True),
        ("0000-0002-1694-233X", True),
        ("0000-0002-1825-0098", False),
        ("0000-0002-1694-2330", False),
        ("0000-0002-1825-009", False),
    ],
)
def test_orcid_check_digit(orcid: str, valid: bool) -> None:
    assert (orcid_problem(orcid) is None) is valid


def test_check_character_is_iso_7064_mod_11_2() -> None:
    assert orcid_check_character("000000021825009") == "7"
    assert orcid_check_character("000000021694233") == "X"


def _member(**fields: str | list[str]) -> dict[str, object]:
    record: dict[str, object] = {
        "id": "heidi",
        "name": "Heidi",
        "committee": "academic",
        "expertise": "ethics",
        "institution": "fdpch",
        "term_start": "2025-01-01",
        "term_end": "2027-12-31",
        "github": "gh-heidi",
        "ssh_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKG6nnqB heidi@test",
        "principal": "heidi@damc.example",
    }
    record.update(fields)
    return record


@pytest.mark.parametrize("hidden", ["\u200b", "\u200d", "\u202e", "\u2066", "\u061c", "\u00ad"])
def test_a_roster_name_with_a_hidden_character_is_a_located_finding(hidden: str) -> None:
    text = yaml.safe_dump(_member(name=f"Hei{hidden}di"), allow_unicode=True, sort_keys=False)
    doc = load_yaml_text(text, "rubric/roster.yaml")
    member, findings = check_model(doc, Member)
    assert member is None
    assert [(f.code, f.line, f.path) for f in findings] == [("schema.invalid", 2, "$.name")]
    assert f"U+{ord(hidden):04X}" in findings[0].message
    assert "write it as 'Heidi'" in findings[0].message


def test_bidi_controls_are_all_refused() -> None:
    for char in BIDI_CONTROLS:
        with pytest.raises(ValidationError, match="invisible character"):
            Member.model_validate(_member(name=f"Chen{char}Siyuan"))


def test_a_roster_orcid_with_a_wrong_check_digit_is_refused() -> None:
    with pytest.raises(ValidationError, match="fails its check"):
        Member.model_validate(_member(orcid="0000-0002-1825-0098"))
    assert Member.model_validate(_member(orcid="0000-0002-1825-0097")).orcid


def test_any_one_identifier_makes_one_person() -> None:
    heidi = Member.model_validate(
        _member(
            name="陈思远 Chen Siyuan", emails=["c.siyuan@gmail.com"], orcid="0000-0002-1825-0097"
        )
    ).identity()
    assert heidi.same_as(Identity.of(orcids=["0000-0002-1825-0097"], emails=["x@y.cn"]))
    assert heidi.same_as(Identity.of(emails=["CSiyuan+dmd@googlemail.com"]))
    assert heidi.same_as(Identity.of(emails=["Heidi+x@damc.example"]))  # the principal
    assert heidi.same_as(Identity.of(names=["CHEN  siyuan"]))
    assert heidi.same_as(Identity.of(names=["陈思远"]))
    assert heidi.same_as(Identity.of(names=["陈思远 Chan Sze-yuen"]))
    assert heidi.same_as(Identity.of(names=["Wang Wei"], emails=["w@y.cn"])) is None


def test_two_chinese_names_with_one_pinyin_are_two_people() -> None:
    wang = Identity.of(names=["王芳 Wang Fang"])
    assert wang.same_as(Identity.of(names=["汪芳 Wang Fang"])) is None
    assert (
        wang.same_as(Identity.of(names=["Wang  FANG"])) == "the same name (normalised: wang fang)"
    )
    assert wang.same_as(Identity.of(names=["王芳"])) == "the same name (normalised: 王芳)"


def test_one_person_groups_are_transitive() -> None:
    records = [
        ("a", Identity.of(emails=["a@x.cn"], orcids=["0000-0002-1825-0097"])),
        ("b", Identity.of(names=["Bo"], orcids=["0000-0002-1825-0097"])),
        ("c", Identity.of(names=["BO"], emails=["c@x.cn"])),
        ("d", Identity.of(names=["Dee"])),
    ]
    assert one_person_groups(records) == [["a", "b", "c"], ["d"]]


def test_a_blacklist_entry_names_a_person_by_orcid_or_name_too() -> None:
    common = {"reason": "a leak", "listed_on": "2026-01-01", "decided_by": ["甲"]}
    entry = BlacklistEntry.model_validate({**common, "person_orcid": "0000-0002-1825-0097"})
    assert entry.names_person and entry.who() == "0000-0002-1825-0097"
    with pytest.raises(ValidationError, match="names a person"):
        BlacklistEntry.model_validate(common)
    with pytest.raises(ValidationError, match="fails its check"):
        BlacklistEntry.model_validate({**common, "person_orcid": "0000-0002-1825-0098"})
