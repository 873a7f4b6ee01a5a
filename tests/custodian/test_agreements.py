"""The data use and confidentiality agreements (R17): generated from the example application,
bilingual in every article, immune to markup in the applicant's values, printable, and signed
copies recorded so that a changed copy or a changed text stops a release."""

from __future__ import annotations

import os
import re
import shutil
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from cohortgate.custodian.release.agreements import (
    AgreementError,
    agreement_pdf,
    agreements_complete,
    check_agreements,
    md_text,
    record_signed,
    render_agreements,
    signed_agreements,
    text_version,
    write_agreements,
)
from cohortgate.files.loading import load_yaml_file
from cohortgate.files.pdf import TEXT_WIDTH_EM, markdown_lines, minimal_pdf, wrap
from cohortgate.models.agreement import AgreementKind, SignedAgreements
from cohortgate.models.application import Application, Certification, DeliveryMethod, Role
from cohortgate.models.dataset import PrivacyLevel
from cohortgate.models.review import Decision
from cohortgate.policy import LEAK_NOTICE_HOURS, MAX_EXTENSIONS, TRACKING_MONTHS

APP_ID = "A-2026-0001"
CUSTODIAN = "儿童罕见病队列数据中心（合成示例） / Cohort data centre (synthetic)"
TITLES = {"ds-iem-labs": "遗传代谢病实验室指标 / IEM laboratory results"}
INSTITUTIONS = {"xhh": "新华医院 / Xinhua Hospital", "shch": "上海市儿童医院"}
# The requirements each agreement must state, in Chinese and in English.
CLAUSES = {
    "data_use": [f"R{n}" for n in (16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 34, 35)],
    "confidentiality": [f"R{n}" for n in (17, 22, 24, 25)],
}
CJK = re.compile("[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def app(repo_root: Path) -> Application:
    doc = load_yaml_file(repo_root / "submissions" / "2026" / APP_ID / "application.yaml")
    return Application.model_validate(doc.data)


@pytest.fixture(scope="module")
def decision() -> Decision:
    return Decision(
        application=APP_ID,
        quarter="2026Q2",
        decided_on="2026-04-15",
        decision="approve",
        files={"application.yaml": "a" * 64},
        reasons="合成示例 / synthetic example",
        conditions=["只发表汇总结果 / publish aggregate results only"],
    )


def _render(app: Application, decision: Decision, **changes: object) -> dict[str, str]:
    terms: dict[str, object] = {
        "custodian": CUSTODIAN,
        "access_start": date(2026, 5, 1),
        "access_end": date(2026, 10, 31),
        "datasets_titles": TITLES,
        "institutions": INSTITUTIONS,
    }
    return render_agreements(app, decision, **{**terms, **changes})  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def texts(app: Application, decision: Decision) -> dict[str, str]:
    return _render(app, decision)


# --- the texts -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(CLAUSES))
def test_every_clause_is_there_in_chinese_and_in_english(texts: dict[str, str], kind: str) -> None:
    paragraphs = [p for p in texts[kind].split("\n\n") if p.strip()]
    for rule in CLAUSES[kind]:
        chinese = [p for p in paragraphs if f"（{rule}）" in p and len(CJK.findall(p)) > 20]
        english = [
            p
            for p in paragraphs
            if f"({rule})" in p and len(re.findall(r"\b[A-Za-z]{3,}\b", CJK.sub("", p))) > 8
        ]
        assert chinese and english, (kind, rule)
        # Chinese first: the article's Chinese paragraph comes before its English one
        assert paragraphs.index(chinese[0]) < paragraphs.index(english[0]), (kind, rule)


def test_the_data_use_agreement_states_the_approved_terms(
    app: Application, texts: dict[str, str]
) -> None:
    plain = "\n".join(markdown_lines(texts["data_use"]))
    flat, bare = " ".join(plain.split()), "".join(plain.split())  # unwrapped
    for request in app.datasets:
        for variable in request.variables:
            assert f"{variable.table}.{variable.name}：{variable.justification}" in bare
    for value in (
        app.data_protection.storage,
        app.data_protection.access_control,
        "等保三级 / MLPS level 3",
        "2026-05-01",
        "2026-10-31",
        "2026-11-01",  # R19: six months after delivery
        f"{TRACKING_MONTHS} months",
        f"at most {MAX_EXTENSIONS} extensions",
        f"within {LEAK_NOTICE_HOURS} hours",
        "只发表汇总结果 / publish aggregate results only",
        "No fee is charged",
        CUSTODIAN,
        "新华医院 / Xinhua Hospital",
        *(p.name for p in app.people()),
        TITLES["ds-iem-labs"],
        "L1 (aggregate data)",
    ):
        assert value in flat, value
    signatures = texts["confidentiality"].split("## 第八条")[1]
    assert all(p.name in signatures for p in app.people())  # every person signs the NDA


def test_enclave_and_fees_follow_the_application(app: Application, decision: Decision) -> None:
    enclave = app.model_copy(
        update={"privacy_level": PrivacyLevel.L3, "delivery": DeliveryMethod.SAFE_ROOM}
    )
    text = _render(enclave, decision, fees="每次提取 2000 元 / CNY 2,000 per extraction")
    assert "never leave the data centre as a portable file" in text["data_use"]
    assert "a safe room" in text["data_use"]
    assert "CNY 2,000 per extraction" in text["data_use"]
    genetic = app.model_copy(
        update={"privacy_level": PrivacyLevel.L2, "delivery": DeliveryMethod.REMOTE_DESKTOP}
    )
    assert "include genetic data" in _render(genetic, decision, genetic=True)["data_use"]


def test_every_value_of_the_forms_enums_has_its_phrase(
    app: Application, decision: Decision
) -> None:
    """labels.yaml covers every role, level, delivery method and certification."""
    for level, delivery in [
        (PrivacyLevel.L2, method) for method in DeliveryMethod if method.value != "aggregate_report"
    ] + [(PrivacyLevel.L1, DeliveryMethod.AGGREGATE_REPORT)]:
        variant = app.model_copy(update={"privacy_level": level, "delivery": delivery})
        assert _render(variant, decision)["data_use"]
    for role, cert in zip(list(Role), list(Certification), strict=True):
        person = app.applicant.model_copy(update={"role": role})
        protection = app.data_protection.model_copy(update={"certification": cert})
        variant = app.model_copy(update={"applicant": person, "data_protection": protection})
        assert _render(variant, decision)["confidentiality"]


HOSTILE = {
    "title": "# Heading\n- item [link](https://evil.example) <script>alert(1)</script> ${title}",
    "name": "1. Evil {{ config }} $applicant",
    "team": "- nested > quote",
    "justification": "**bold** `code` ___ | a | b | ~~x~~ &lt;",
    "storage": "> quote\n\n## Two\n\n<img src=x onerror=alert(1)>",
    "condition": "[ref]: https://evil.example\n---\n===",
}


def _hostile(app: Application, decision: Decision) -> tuple[Application, Decision]:
    applicant = app.applicant.model_copy(update={"name": HOSTILE["name"]})
    member = app.team[0].model_copy(update={"name": HOSTILE["team"], "title": "+ plus"})
    request = app.datasets[0]
    variable = request.variables[0].model_copy(update={"justification": HOSTILE["justification"]})
    dataset = request.model_copy(update={"variables": [variable, *request.variables[1:]]})
    protection = app.data_protection.model_copy(update={"storage": HOSTILE["storage"]})
    hostile = app.model_copy(
        update={
            "title": HOSTILE["title"],
            "applicant": applicant,
            "team": [member],
            "datasets": [dataset],
            "data_protection": protection,
        }
    )
    return hostile, decision.model_copy(update={"conditions": [HOSTILE["condition"]]})


def _structure(tokens: list[Token]) -> list[str]:
    shape = []
    for token in tokens:
        shape.append(token.type)
        shape += [f"  {c.type}" for c in token.children or [] if c.type != "text"]
    return shape


def _inline_text(tokens: list[Token]) -> str:
    return " ".join(c.content for t in tokens for c in t.children or [] if c.type == "text")


@pytest.mark.parametrize("kind", sorted(CLAUSES))
def test_markup_in_the_applicants_values_stays_text(
    app: Application, decision: Decision, texts: dict[str, str], kind: str
) -> None:
    hostile = _render(*_hostile(app, decision))[kind]
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    assert _structure(md.parse(hostile)) == _structure(md.parse(texts[kind]))
    assert "<script" not in md.render(hostile) and "<img" not in md.render(hostile)
    shown = _inline_text(md.parse(hostile))
    for field, value in HOSTILE.items():
        if kind == "confidentiality" and field in ("justification", "storage", "condition"):
            continue  # the confidentiality agreement does not list these
        assert " ".join(value.split()) in shown, field  # literally, placeholders unexpanded


def test_md_text_escapes_what_starts_markup() -> None:
    assert md_text("1. one") == "1\\. one"
    assert md_text("2) two") == "2\\) two"
    assert md_text("+ x") == "\\+ x"
    assert md_text("a\u202eb\u0000c\nd") == "abc d"  # bidi override, NUL, newline
    assert md_text("${x} {{ y }}") == "\\$\\{x\\} \\{\\{ y \\}\\}"


def test_the_texts_are_deterministic(app: Application, decision: Decision) -> None:
    first, second = _render(app, decision), _render(app, decision)
    assert first == second
    assert agreement_pdf(first["data_use"]) == agreement_pdf(second["data_use"])


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"decision": "revise"}, "agreement.not-approved"),
        ({"application": "A-2026-0002"}, "agreement.not-approved"),
    ],
)
def test_only_an_approval_of_this_application_gives_agreements(
    app: Application, decision: Decision, changes: dict[str, str], code: str
) -> None:
    other = Decision.model_validate({**decision.model_dump(), **changes})
    with pytest.raises(AgreementError) as caught:
        _render(app, other)
    assert [f.code for f in caught.value.findings] == [code]


def test_impossible_periods_and_portable_l3_are_refused(
    app: Application, decision: Decision
) -> None:
    with pytest.raises(AgreementError) as caught:
        _render(app, decision, access_start=date(2026, 4, 1), access_end=date(2026, 3, 1))
    assert [f.code for f in caught.value.findings] == ["agreement.bad-period"] * 2
    l3 = app.model_copy(
        update={"privacy_level": PrivacyLevel.L3, "delivery": DeliveryMethod.ENCRYPTED_USB}
    )
    with pytest.raises(AgreementError) as caught:
        _render(l3, decision)
    assert caught.value.findings[0].code == "agreement.delivery-not-allowed"
    portable = app.model_copy(
        update={"privacy_level": PrivacyLevel.L2, "delivery": DeliveryMethod.ENCRYPTED_EMAIL}
    )
    with pytest.raises(AgreementError, match="genetic data must be delivered through an enclave"):
        _render(portable, decision, genetic=True)


# --- the PDF -------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    """The text the content streams show: literal strings (Helvetica) and UCS-2 hex strings
    (the Chinese font), one line per T* operator."""
    out = []
    for stream in re.findall(rb"stream\n(.*?)endstream", data, re.S):
        for line in stream.split(b" T*"):
            parts = re.findall(rb"\((.*?)(?<!\\)\) Tj|<([0-9A-F]+)> Tj", line, re.S)
            text = ""
            for literal, hexa in parts:
                if hexa:
                    text += bytes.fromhex(hexa.decode()).decode("utf-16-be")
                else:
                    text += re.sub(rb"\\(.)", rb"\1", literal).decode("latin-1")
            out.append(text)
    return "\n".join(out)


def test_the_pdf_is_well_formed_and_shows_the_text(texts: dict[str, str]) -> None:
    data = agreement_pdf(texts["data_use"])
    assert data.startswith(b"%PDF-1.4\n") and data.endswith(b"%%EOF\n")
    start = int(re.search(rb"startxref\n(\d+)\n", data).group(1))  # type: ignore[union-attr]
    assert data[start:].startswith(b"xref\n")
    rows = re.findall(rb"(\d{10}) 00000 n ", data[start:])
    assert len(rows) > 10
    for number, offset in enumerate(rows, start=1):
        assert data[int(offset) :].startswith(f"{number} 0 obj\n".encode())
    assert int(re.search(rb"/Count (\d+)", data).group(1)) > 2  # type: ignore[union-attr]
    shown = _pdf_text(data)
    assert shown.startswith("数据使用协议 / Data Use Agreement")
    for expected in ("第七条 数据销毁 / Article 7 Destruction of the data", "diagnosis.orpha_code"):
        assert expected in shown
    assert "\\_" not in shown and "## " not in shown


def test_long_words_are_cut_to_fit_the_page() -> None:
    text = "digest " + "0123456789abcdef" * 12 + " 罕见病" * 30
    lines = wrap(text)
    widths = [sum(0.55 if ord(c) < 0x100 else 1.0 for c in line) for line in lines]
    assert max(widths) <= TEXT_WIDTH_EM
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert minimal_pdf(lines).startswith(b"%PDF-1.4\n")


# --- signed copies -------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path, texts: dict[str, str]) -> Path:
    here = tmp_path / "submissions" / "2026" / APP_ID
    written = write_agreements(here, texts)
    assert sorted(p.relative_to(here).as_posix() for p in written) == [
        "agreements/confidentiality-agreement.md",
        "agreements/confidentiality-agreement.pdf",
        "agreements/data-use-agreement.md",
        "agreements/data-use-agreement.pdf",
    ]
    (here / "agreements" / "signed").mkdir()
    return here


def _signed(folder: Path, name: str, body: str) -> Path:
    path = folder / "agreements" / "signed" / name
    path.write_bytes(minimal_pdf([f"signed: {body}", "陈思远 林雨桐"]))
    return path


def _sign_both(folder: Path) -> None:
    for kind, name in (("data_use", "dua.pdf"), ("confidentiality", "nda.pdf")):
        record_signed(
            folder, kind, _signed(folder, name, kind), date(2026, 4, 20), ["data centre", "xhh"]
        )


def _codes(folder: Path, current: dict[str, str] | None = None) -> list[str]:
    return [f.code for f in check_agreements(folder, current)]


def test_signed_copies_are_recorded_and_complete(folder: Path, texts: dict[str, str]) -> None:
    assert _codes(folder) == ["agreement.not-signed"] * 2
    _signed(folder, "dua.pdf", "1")
    record = record_signed(
        folder,
        AgreementKind.DATA_USE,
        Path("agreements/signed/dua.pdf"),  # relative to the application's folder
        date(2026, 4, 20),
        ["儿童罕见病队列数据中心", " ", "新华医院"],
    )
    assert record.version == text_version(texts["data_use"])
    assert record.signed_copy == "agreements/signed/dua.pdf"
    assert record.parties == ["儿童罕见病队列数据中心", "新华医院"]
    assert _codes(folder) == ["agreement.not-signed"]
    _sign_both(folder)  # re-recording a kind replaces its record
    assert [r.kind for r in signed_agreements(folder)] == list(AgreementKind)
    assert check_agreements(folder) == [] == agreements_complete(folder, texts)
    saved = (folder / "agreements.yaml").read_text("utf-8")
    assert saved.startswith("# 已签署的协议") and f"application: {APP_ID}" in saved
    schema = jsonschema.Draft202012Validator(SignedAgreements.model_json_schema())
    assert list(schema.iter_errors(load_yaml_file(folder / "agreements.yaml").data)) == []


def test_a_tampered_signed_copy_is_found(folder: Path) -> None:
    _sign_both(folder)
    with (folder / "agreements" / "signed" / "nda.pdf").open("ab") as handle:
        handle.write(b"%")
    (finding,) = check_agreements(folder)
    assert finding.code == "agreement.signed-copy-changed"
    assert finding.file == f"submissions/2026/{APP_ID}/agreements.yaml" and finding.line > 1
    (folder / "agreements" / "signed" / "nda.pdf").unlink()
    assert _codes(folder) == ["file.missing"]


def test_a_text_generated_since_signing_needs_signing_again(
    folder: Path, app: Application, decision: Decision, texts: dict[str, str]
) -> None:
    _sign_both(folder)
    longer = _render(app, decision, access_end=date(2027, 4, 30))
    assert _codes(folder, longer) == ["agreement.text-changed"] * 2
    write_agreements(folder, longer)
    problems = agreements_complete(folder)
    assert len(problems) == 2 and problems[0].startswith("agreement.text-changed: the data_use")
    assert _codes(folder, texts) == []


def test_the_record_must_be_for_this_application(folder: Path) -> None:
    _sign_both(folder)
    path = folder / "agreements.yaml"
    path.write_text(path.read_text("utf-8").replace(APP_ID, "A-2026-0002"), "utf-8")
    assert _codes(folder) == ["agreement.wrong-application"]
    path.write_text(path.read_text("utf-8").replace("signed_on:", "signed:"), "utf-8")
    with pytest.raises(AgreementError):
        signed_agreements(folder)
    assert "agreement.not-signed" not in _codes(folder)  # the broken record itself is reported


def test_a_link_is_not_a_signed_copy(folder: Path, tmp_path: Path) -> None:
    real = _signed(folder, "dua.pdf", "1")
    (folder / "agreements" / "signed" / "link.pdf").symlink_to(real)
    with pytest.raises(AgreementError) as caught:
        record_signed(folder, "data_use", Path("agreements/signed/link.pdf"), date.today(), ["x"])
    assert caught.value.findings[0].code == "file.symlink"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copy(real, outside / "dua.pdf")
    os.symlink(outside, folder / "agreements" / "linked")
    with pytest.raises(AgreementError, match="is a link"):
        record_signed(folder, "data_use", Path("agreements/linked/dua.pdf"), date.today(), ["x"])


@pytest.mark.parametrize("where", ["absolute", "relative"])
def test_a_file_outside_the_folder_is_not_a_signed_copy(
    folder: Path, tmp_path: Path, where: str
) -> None:
    outside = tmp_path / "submissions" / "dua.pdf"
    outside.write_bytes(minimal_pdf(["signed elsewhere"]))
    path = outside if where == "absolute" else Path("..") / ".." / "dua.pdf"
    with pytest.raises(AgreementError) as caught:
        record_signed(folder, "data_use", path, date.today(), ["x"])
    assert caught.value.findings[0].code == "agreement.signed-copy-unsafe"
    assert "outside the application's folder" in caught.value.findings[0].message
    assert not (folder / "agreements.yaml").exists()


def test_the_unsigned_text_or_nothing_is_not_a_signed_copy(folder: Path) -> None:
    for generated in ("agreements/data-use-agreement.pdf", "agreements/data-use-agreement.md"):
        with pytest.raises(AgreementError) as caught:
            record_signed(folder, "data_use", Path(generated), date.today(), ["x"])
        assert caught.value.findings[0].code == "agreement.unsigned-copy"
    copy = _signed(folder, "dua.pdf", "1")
    with pytest.raises(AgreementError) as caught:
        record_signed(folder, "data_use", copy, date.today(), ["  "])
    assert caught.value.findings[0].code == "agreement.no-parties"
    (folder / "agreements" / "data-use-agreement.md").unlink()
    with pytest.raises(AgreementError) as caught:
        record_signed(folder, "data_use", copy, date.today(), ["x"])
    assert caught.value.findings[0].code == "agreement.not-generated"
    assert not (folder / "agreements.yaml").exists()
