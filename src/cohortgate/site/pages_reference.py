"""The error-code reference, generated from the registry of codes (``cohortgate.codes``).

Every finding that a command can print has a section here, under an anchor equal to its code,
so that a message can point at ``reference/errors/#<code>``. A test fails when a code that the
package uses is missing from the registry, and so from this page.
"""

from __future__ import annotations

from cohortgate.codes import Code, load_all
from cohortgate.site.html import esc, front_matter, md_text

TITLE = {"zh": "错误代码", "en": "Error codes"}
INTRO = {
    "zh": "`cohortgate` 的每条检查结果都带有一个代码，并指出文件、行号和修改建议。下表由代码登记表"
    "自动生成，按领域分组；每条结果都有中文和英文两种文字（命令行用 `--lang zh` 或 `--lang en` "
    "选择，GitHub 注释和摘要两者都显示）。",
    "en": "Every finding that `cohortgate` reports carries a code, with the file, the line and a "
    "hint on how to fix it. This page is generated from the registry of codes, grouped by area. "
    "Every finding has a Chinese and an English text (`--lang zh` or `--lang en` on the command "
    "line; GitHub annotations and summaries show both).",
}
AREA = {
    "file": ("文件", "Files"),
    "yaml": ("YAML 语法", "YAML syntax"),
    "json": ("JSON 语法", "JSON syntax"),
    "schema": ("模式", "Schema"),
    "catalog": ("数据目录", "Catalog"),
    "application": ("数据申请", "Applications"),
    "privacy": ("统计披露控制", "Disclosure control"),
    "review": ("委员会审查", "Committee review"),
    "github": ("GitHub 评审", "GitHub reviews"),
    "lifecycle": ("项目全流程", "Lifecycle"),
    "audit": ("审计", "Audit"),
    "agreement": ("协议", "Agreements"),
    "release": ("数据发布", "Releases"),
    "trace": ("泄露追踪", "Tracing"),
    "vault": ("密钥库", "Vault"),
    "participants": ("参与者权利", "Participants"),
    "site": ("网站构建", "Site build"),
}
LABELS = {
    "severity": ("级别", "Severity"),
    "message": ("消息", "Message"),
    "hint": ("修改建议", "How to fix"),
    "other": ("English", "中文"),  # the same finding in the page's other language
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def _section(code: Code, lang: str) -> str:
    texts = code.texts(lang)  # a code's Chinese texts where declared, else the English ones
    rows = [
        f"### `{code.id}` {{#{code.id.replace('.', '-')}}}\n",
        f"**{md_text(texts.title)}** — {md_text(texts.description)}\n",
        f"- {_pick(LABELS['severity'], lang)}: `{code.severity}`",
        f"- {_pick(LABELS['message'], lang)}: <code>{esc(texts.template)}</code>",
    ]
    if texts.hint:
        rows.append(f"- {_pick(LABELS['hint'], lang)}: {md_text(texts.hint)}")
    other = code.texts("en" if lang == "zh" else "zh")
    if other != texts:  # a code with texts in both languages shows both, as a finding does
        rows.append(f"- {_pick(LABELS['other'], lang)}: <code>{esc(other.template)}</code>")
        if other.hint:
            rows.append(f"  ({md_text(other.hint)})")
    return "\n".join(rows) + "\n"


def page(lang: str) -> str:
    codes = sorted(load_all().values(), key=lambda c: c.id)
    parts = [front_matter(title=TITLE[lang]), f"# {TITLE[lang]}\n", INTRO[lang] + "\n"]
    for area, (zh, en) in AREA.items():
        members = [c for c in codes if c.id.split(".", 1)[0] == area]
        if members:
            parts.append(f"## {zh if lang == 'zh' else en}\n")
            parts += [_section(c, lang) for c in members]
    unknown = [c for c in codes if c.id.split(".", 1)[0] not in AREA]
    if unknown:
        parts.append("## " + ("其他" if lang == "zh" else "Other") + "\n")
        parts += [_section(c, lang) for c in unknown]
    return "\n".join(parts)
