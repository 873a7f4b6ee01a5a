"""The generated pages of "How to apply": the field reference, the example, the online form.

``apply/index.md`` (the steps) is prose in ``site/{zh,en}/apply/``; this module writes the rest
of the section into each language's docs tree:

* ``apply/schema.md``: every field of the application, generated from
  ``Application.model_json_schema()``: type, required or not, meaning, allowed values;
* ``apply/example.md`` and ``apply/example-application.yaml``: the first valid application
  under ``submissions/``, or ``apply_example.EXAMPLE`` while there is none;
* ``apply/form.md`` and ``apply/form.json``: the online form (``apply_form``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml

from cohortgate.catalog.load import Catalog
from cohortgate.files.loading import LoadError, load_yaml_file
from cohortgate.files.modelcheck import check_model
from cohortgate.findings import Severity
from cohortgate.layout import Layout
from cohortgate.models.application import Application
from cohortgate.models.dataset import DataClass, Dataset
from cohortgate.models.institution import Institution
from cohortgate.models.schemas import site_url
from cohortgate.site import apply_form
from cohortgate.site.apply_example import EXAMPLE
from cohortgate.site.html import front_matter, md_text
from cohortgate.site.labels_apply import ENUM_LABELS, in_lang, t

Json = dict[str, Any]

DEFAULT_REPO = "https://github.com/cohortgate/cohortgate"
BRANCH = "main"  # the "new file" page opens on this branch
ID_PATTERN = re.compile(r"^A-(20[0-9]{2})-([0-9]{4})$")


@dataclass(frozen=True)
class Example:
    text: str  # the YAML, as the file holds it
    source: str | None  # e.g. 'submissions/2026/A-2026-0001/application.yaml'; None: built in


@dataclass(frozen=True)
class ApplyContext:
    institutions: list[Institution]
    datasets: list[Dataset]  # research datasets only: the only data that can be shared (R4)
    example: Example
    repo_url: str
    schema_url: str  # the schema's $id, for the editor modeline (as `cohortgate new` writes it)
    suggested_id: str


def header(schema_url: str, app_id: str, year: str) -> list[str]:
    """The comment lines that open every application file the site writes."""
    where = f"submissions/{year}/{app_id}/application.yaml"
    return [
        f"# yaml-language-server: $schema={schema_url}",
        f"# 保存为仓库中的 {where}；",
        "# 附件（研究方案 PDF、伦理批件）放在同一文件夹中。",
        f"# Save as {where} in the repository;",
        "# put the attachments (protocol PDF, ethics approval letter) in the same folder.",
    ]


def repo_url(lay: Layout) -> str:
    """``repo_url`` of ``mkdocs.yml``: where the "new file" button sends the applicant."""
    config = lay.root / "mkdocs.yml"
    if config.is_file():
        match = re.search(r"^repo_url:\s*['\"]?([^'\"\s]+)", config.read_text("utf-8"), re.M)
        if match:
            return match.group(1).rstrip("/")
    return DEFAULT_REPO


def schema_url(lay: Layout) -> str:
    return site_url(lay) + "schemas/application.schema.json"


def find_example(lay: Layout) -> Example:
    """The first application under ``submissions/`` that matches the model, else ``EXAMPLE``."""
    for path in sorted(lay.submissions.glob("*/*/application.yaml")):
        try:
            doc = load_yaml_file(path, lay.rel(path))
        except LoadError:
            continue
        model, problems = check_model(doc, Application)
        if model is not None and not any(p.severity is Severity.ERROR for p in problems):
            return Example(path.read_text("utf-8"), lay.rel(path))
    app_id = str(EXAMPLE["id"])
    body = yaml.safe_dump(EXAMPLE, allow_unicode=True, sort_keys=False, width=100)
    lines = header(schema_url(lay), app_id, app_id[2:6])
    return Example("\n".join(lines) + "\n" + body, None)


def suggest_id(lay: Layout, today: date | None = None) -> str:
    """The id after the highest one under ``submissions/``, or this year's first."""
    taken = sorted(
        (int(m.group(1)), int(m.group(2)))
        for p in lay.submissions.glob("*/*")
        if (m := ID_PATTERN.match(p.name))
    )
    if taken:
        year, number = taken[-1]
        return f"A-{year}-{number + 1:04d}"
    return f"A-{(today or date.today()).year}-0001"


def context(lay: Layout, catalog: Catalog) -> ApplyContext:
    return ApplyContext(
        institutions=sorted(catalog.institutions, key=lambda i: i.id),
        datasets=sorted(
            (d.dataset for d in catalog.datasets if d.dataset.data_class is DataClass.RESEARCH),
            key=lambda d: d.id,
        ),
        example=find_example(lay),
        repo_url=repo_url(lay),
        schema_url=schema_url(lay),
        suggested_id=suggest_id(lay),
    )


def pages(ctx: ApplyContext, lang: str) -> dict[str, str]:
    """Path (relative to the language's docs root) -> text, for every generated apply file."""
    data = apply_form.form_data(
        lang,
        ctx.institutions,
        ctx.datasets,
        ctx.suggested_id,
        header(ctx.schema_url, "{id}", "{year}"),
        f"{ctx.repo_url}/new/{BRANCH}",
    )
    return {
        "apply/schema.md": schema_page(lang),
        "apply/example.md": example_page(ctx.example, lang),
        "apply/example-application.yaml": ctx.example.text,
        apply_form.PAGE: apply_form.form_page(lang),
        apply_form.DATA: json.dumps(data, ensure_ascii=False, indent=1) + "\n",
    }


# ---- the example -------------------------------------------------------------------------------


def example_page(example: Example, lang: str) -> str:
    title = t("example", lang)
    if example.source:
        folder = example.source.rsplit("/", 1)[0]
        intro = (
            f"下面是 `{folder}/` 中的申请表，它通过了全部检查；"
            "附件（研究方案、伦理批件）在同一文件夹中。"
            if lang == "zh"
            else f"The application in `{folder}/`, which passes every check; its attachments "
            "(protocol, ethics approval) are in the same folder."
        )
    else:
        intro = (
            "下面是一份完整的申请表示例（人物是虚构的）。"
            if lang == "zh"
            else "A complete example application (the people are fictitious)."
        )
    intro += (
        "各字段的含义见[申请表字段说明](schema.md)。"
        if lang == "zh"
        else " See [the application fields](schema.md) for what each field means."
    )
    download = "下载这份申请表" if lang == "zh" else "Download this application"
    return (
        front_matter(title=title)
        + f"# {title}\n\n{intro}\n\n"
        + f'[{download}](example-application.yaml){{ download="application.yaml" }}\n\n'
        + "```yaml\n"
        + example.text.rstrip("\n")
        + "\n```\n"
    )


# ---- the field reference -----------------------------------------------------------------------


def _ref(schema: Json) -> tuple[Json, str | None, bool]:
    """(schema without the optional wrapper, the $defs name it refers to, optional)."""
    optional = False
    if "anyOf" in schema:
        rest = [s for s in schema["anyOf"] if s != {"type": "null"}]
        if len(rest) == 1:
            schema, optional = (
                {**rest[0], **{k: v for k, v in schema.items() if k != "anyOf"}},
                True,
            )
    name = schema["$ref"].rsplit("/", 1)[-1] if "$ref" in schema else None
    return schema, name, optional


def _anchor(model: str) -> str:
    return model.lower()


def _type(schema: Json, defs: Json, lang: str) -> str:
    schema, name, _ = _ref(schema)
    if name is not None:
        target = defs[name]
        if target.get("type") == "object":
            return f"[`{name}`](#{_anchor(name)})"
        return _type(target, defs, lang)
    kind = schema.get("type", "string")
    if kind == "array":
        return t("type.array", lang, item=_type(schema["items"], defs, lang))
    return t(f"type.{kind}", lang)


def _code(text: object) -> str:
    return "`" + str(text).replace("|", "\\|") + "`"


def _rules(schema: Json, defs: Json, lang: str) -> list[str]:
    schema, name, _ = _ref(schema)
    rules: list[str] = []
    target = defs[name] if name else schema
    if "enum" in target:
        labels = ENUM_LABELS.get(name or "", {})
        for value in target["enum"]:
            pair = labels.get(value)
            meaning = f" {md_text(pair[0] if lang == 'zh' else pair[1])}" if pair else ""
            rules.append(f"{_code(value)}{meaning}")
    if target.get("type") == "array" and "items" in target:
        rules += _rules(target["items"], defs, lang)
    keys = {
        "minLength": "rule.min_length",
        "maxLength": "rule.max_length",
        "minItems": "rule.min_items",
        "maxItems": "rule.max_items",
        "minimum": "rule.minimum",
        "maximum": "rule.maximum",
    }
    for key, label in keys.items():
        if key in target:
            rules.append(t(label, lang, value=target[key]))
    if target.get("pattern") == apply_form.DATE_PATTERN:
        rules.append(t("rule.date", lang))
    elif "pattern" in target:
        rules.append(t("rule.pattern", lang, value=_code(target["pattern"])))
    default = schema.get("default")
    if default not in (None, [], {}) and not isinstance(default, bool):
        rules.append(t("rule.default", lang, value=_code(default)))
    return rules


def _table(model: Json, defs: Json, lang: str) -> list[str]:
    head = [t(k, lang) for k in ("col.field", "col.type", "col.required", "col.meaning")]
    rows = ['<div class="cg-fields" markdown>\n']
    rows += ["| " + " | ".join([*head, t("col.values", lang)]) + " |", "|---|---|---|---|---|"]
    required = set(model.get("required", []))
    for name, prop in model.get("properties", {}).items():
        title = md_text(in_lang(prop.get("title", name), lang))
        meaning = md_text(in_lang(prop.get("description", ""), lang))
        rows.append(
            f"| {_code(name)}<br>{title} | {_type(prop, defs, lang)} | "
            f"{t('yes' if name in required else 'no', lang)} | {meaning} | "
            f"{'<br>'.join(_rules(prop, defs, lang))} |"
        )
    return [*rows, "\n</div>\n"]


def _models_in_order(root: Json, defs: Json) -> list[tuple[str, list[str]]]:
    """Object models reachable from the root, breadth first, each with the titles of the fields
    that hold it."""
    order: dict[str, list[str]] = {}
    queue = [root]
    while queue:
        model = queue.pop(0)
        for prop in model.get("properties", {}).values():
            schema, name, _ = _ref(prop)
            if name is None and schema.get("type") == "array":
                _, name, _ = _ref(schema["items"])
            if name is None or defs[name].get("type") != "object":
                continue
            if name not in order:
                order[name] = []
                queue.append(defs[name])
            order[name].append(prop.get("title", name))
    return list(order.items())


def schema_page(lang: str) -> str:
    schema = Application.model_json_schema()
    defs: Json = schema.get("$defs", {})
    title = t("schema", lang)
    intro = (
        "本页由程序中的申请表模型自动生成，与 [JSON Schema](../schemas/application.schema.json) "
        "一致：申请表（YAML 文件）的每个字段、类型、是否必填和允许的取值。"
        "必填为“否”的字段可以省略。"
        "拉取请求中的检查还会核对数据目录、机构邮箱和附件，见[错误代码](../reference/errors.md)。"
        if lang == "zh"
        else "Generated from the application model in the code, and identical to the "
        "[JSON Schema](../schemas/application.schema.json): every field of the application "
        "(a YAML file), its type, whether it is required and the values it takes. Fields that "
        "are not required may be left out. The checks of the pull request also compare it "
        "with the catalog, the institutions' e-mail domains and the attachments: see "
        "[error codes](../reference/errors.md)."
    )
    parts = [front_matter(title=title), f"# {title}\n", intro + "\n"]
    root_title = "申请表" if lang == "zh" else "The application"
    parts += [f"## {root_title} `Application` {{#application}}\n", *_table(schema, defs, lang)]
    for name, holders in _models_in_order(schema, defs):
        held_by = "、" if lang == "zh" else ", "
        names = held_by.join(dict.fromkeys(md_text(in_lang(h, lang)) for h in holders))
        colon = "：" if lang == "zh" else ": "
        parts.append(f"## `{name}`{colon}{names} {{#{_anchor(name)}}}\n")
        if lang == "en" and defs[name].get("description"):
            parts.append(md_text(defs[name]["description"]) + "\n")
        parts += _table(defs[name], defs, lang)
    return "\n".join(parts)
