"""The schema the online form is drawn from, derived from the application's JSON Schema.

The form library (json-editor) reads draft-4-style schemas: it knows neither ``$defs`` nor the
``anyOf: [X, null]`` that pydantic writes for an optional field. So the generator writes, per
language, a copy with every ``$ref`` inlined, optional fields unwrapped, the titles and
descriptions in one language, the meaning of each enumeration value, and a few hints on how to
draw a field (a date picker, a text area, a check box, a list of the catalog's institutions).
The form's values are still checked in the browser against the published schema itself
(``schemas/application.schema.json``), never against this copy.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Any, get_args

from cohortgate.models.application import Application
from cohortgate.models.common import IsoDate
from cohortgate.models.dataset import Dataset
from cohortgate.models.institution import Institution
from cohortgate.site.html import esc, front_matter
from cohortgate.site.labels_apply import (
    EDITOR_ZH,
    ENUM_LABELS,
    FORM_CHOICES,
    in_lang,
    page_text,
    script_words,
)
from cohortgate.site.prose import depth_prefix

Json = dict[str, Any]

DATE_PATTERN: str = get_args(IsoDate)[1].pattern
# Long texts get a text area: (model, field).
TEXT_AREAS = frozenset(
    {
        ("Application", "lay_summary_zh"),
        ("Application", "conflicts_of_interest"),
        ("Protocol", "purpose"),
        ("Protocol", "analysis_plan"),
        ("Protocol", "expected_results"),
        ("Criteria", "text"),
        ("DataProtection", "storage"),
        ("DataProtection", "access_control"),
        ("OutOfScope", "explanation"),
        ("RequestedVariable", "justification"),
    }
)
# Fields whose choices come from the catalog: (model, field) -> which list.
CATALOG_CHOICES = {
    ("Person", "institution"): "institutions",
    ("DatasetRequest", "dataset"): "datasets",
}
# The empty first choice of a list of choices (the empty value is left out of the application).
CHOOSE = {"zh": "（请选择）", "en": "(choose)"}
# Lists of objects drawn as a table, one row per item.
TABLES = frozenset({("DatasetRequest", "variables")})


def choices(
    institutions: Sequence[Institution], datasets: Sequence[Dataset], lang: str
) -> dict[str, list[tuple[str, str]]]:
    return {
        "institutions": [(i.id, i.name.get(lang)) for i in institutions],
        "datasets": [(d.id, f"{d.title.get(lang)} ({d.id})") for d in datasets],
    }


def form_schema(
    lang: str,
    institutions: Sequence[Institution],
    datasets: Sequence[Dataset],
    suggested_id: str,
) -> Json:
    source = Application.model_json_schema()
    defs: dict[str, Json] = source.get("$defs", {})
    lists = choices(institutions, datasets, lang)
    form = _object(source, "Application", defs, lists, lang)
    form["options"] = {"titleHidden": True}
    form["properties"]["id"]["default"] = suggested_id
    return form


def _object(
    schema: Json,
    model: str,
    defs: dict[str, Json],
    lists: dict[str, list[tuple[str, str]]],
    lang: str,
) -> Json:
    out: Json = {"type": "object", "title": in_lang(schema.get("title", model), lang)}
    out["properties"] = {
        name: _field(prop, model, name, defs, lists, lang)
        for name, prop in schema.get("properties", {}).items()
    }
    out["required"] = list(schema.get("required", []))
    out["additionalProperties"] = False
    return out


def _unwrap(prop: Json, defs: dict[str, Json]) -> tuple[Json, str | None]:
    """The schema of a field without its ``anyOf: [X, null]`` and its ``$ref``, and the name of
    the model it referred to."""
    if "anyOf" in prop:
        rest = [p for p in prop["anyOf"] if p != {"type": "null"}]
        if len(rest) == 1:
            outer = {k: v for k, v in prop.items() if k not in ("anyOf", "default")}
            prop = {**rest[0], **outer}
    model = None
    if "$ref" in prop:
        model = prop["$ref"].rsplit("/", 1)[-1]
        outer = {k: v for k, v in prop.items() if k != "$ref"}
        # the model's own title and docstring (its class name, English) give way to the field's
        inner = {k: v for k, v in defs[model].items() if k not in ("title", "description")}
        prop = {**copy.deepcopy(inner), **outer}
    return prop, model


def _field(
    prop: Json,
    owner: str,
    name: str,
    defs: dict[str, Json],
    lists: dict[str, list[tuple[str, str]]],
    lang: str,
) -> Json:
    schema, model = _unwrap(prop, defs)
    title = in_lang(schema.get("title", name), lang)
    options: Json = {}
    if schema.get("type") == "object" and model is not None:
        out = _object(schema, model, defs, lists, lang)
    elif schema.get("type") == "array":
        out = {k: v for k, v in schema.items() if k not in ("items", "default", "description")}
        items, item_model = _unwrap(schema["items"], defs)
        if item_model is not None:
            out["items"] = _object(items, item_model, defs, lists, lang)
        else:
            out["items"] = _scalar(items, lang)
        out["items"]["title"] = title
        options["disable_array_delete_all_rows"] = True
        options["disable_array_delete_last_row"] = True
        choice = FORM_CHOICES.get((owner, name))
        if choice:  # a few fixed values: check boxes
            out["items"]["enum"] = list(choice)
            out["items"]["options"] = {
                "enum_titles": [p[0 if lang == "zh" else 1] for p in choice.values()]
            }
            out["uniqueItems"] = True
            out["format"] = "checkbox"
        elif (owner, name) in TABLES:
            out["format"] = "table"
    else:
        out = _scalar(schema, lang, enum_name=model)
        if (owner, name) in TEXT_AREAS:
            out["format"] = "textarea"
        listed = CATALOG_CHOICES.get((owner, name))
        if listed:
            out["enum"] = [value for value, _ in lists[listed]]
            out.setdefault("options", {})["enum_titles"] = [label for _, label in lists[listed]]
        if "enum" in out:  # nothing chosen until the applicant chooses
            out["enum"] = ["", *out["enum"]]
            out["options"]["enum_titles"] = [CHOOSE[lang], *out["options"]["enum_titles"]]
            out["default"] = ""
    out["title"] = title
    if "description" in schema:
        out["description"] = in_lang(schema["description"], lang)
    if options:
        out.setdefault("options", {}).update(options)
    return out


def _scalar(schema: Json, lang: str, enum_name: str | None = None) -> Json:
    out = {k: v for k, v in schema.items() if k not in ("title", "description", "default")}
    if "default" in schema and schema["default"] is not None:
        out["default"] = schema["default"]
    if out.get("pattern") == DATE_PATTERN:
        out["format"] = "date"
    if out.get("type") == "boolean":
        out["format"] = "checkbox"
    if "enum" in out and enum_name in ENUM_LABELS:
        labels = ENUM_LABELS[enum_name]
        out["options"] = {"enum_titles": [labels[v][0 if lang == "zh" else 1] for v in out["enum"]]}
    return out


# ---- the page and what its script reads ------------------------------------------------------

# Where the vendored scripts go in the site, and where they come from (``npm ci``).
VENDOR: dict[str, Path] = {
    "assets/vendor/jsoneditor.js": Path("node_modules/@json-editor/json-editor/dist/jsoneditor.js"),
    "assets/vendor/ajv2020.min.js": Path("node_modules/ajv-dist/dist/ajv2020.min.js"),
    "assets/vendor/ajv-i18n-zh.js": Path("node_modules/ajv-i18n/localize/zh/index.js"),
    "assets/vendor/js-yaml.min.js": Path("node_modules/js-yaml/dist/browser/js-yaml.umd.min.js"),
}
# Their licences travel with them (MIT: the notice goes with every copy). ajv-dist ships none.
LICENSES: dict[str, Path] = {
    "assets/vendor/jsoneditor.js.LICENSE.txt": Path(
        "node_modules/@json-editor/json-editor/dist/jsoneditor.js.LICENSE.txt"
    ),
    "assets/vendor/licenses/json-editor.txt": Path("node_modules/@json-editor/json-editor/LICENSE"),
    "assets/vendor/licenses/ajv-i18n.txt": Path("node_modules/ajv-i18n/LICENSE"),
    "assets/vendor/licenses/js-yaml.txt": Path("node_modules/js-yaml/LICENSE"),
}
# ajv-i18n ships CommonJS: its copy is wrapped so that it defines a global.
WRAPPED = {"assets/vendor/ajv-i18n-zh.js": "ajvLocalizeZh"}
SCRIPT = "assets/apply-form.js"  # ours, in site/assets/
PAGE = "apply/form.md"
DATA = "apply/form.json"


def vendored(root: Path, target: str) -> bytes:
    """The bytes of a vendored file as the site serves them."""
    if target in LICENSES:
        return (root / LICENSES[target]).read_bytes()
    data = (root / VENDOR[target]).read_bytes()
    name = WRAPPED.get(target)
    if name is None:
        return data
    return (
        f"/* {VENDOR[target].as_posix()}, wrapped for the browser */\n"
        "(function () {\nvar module = { exports: {} };\n".encode()
        + data
        + f"\nwindow.{name} = module.exports;\n}})();\n".encode()
    )


def form_page(lang: str) -> str:
    def say(key: str) -> str:
        return esc(page_text(key, lang))

    prefix = depth_prefix(PAGE)
    scripts = [*VENDOR, SCRIPT]
    title = page_text("title", lang)
    return (
        front_matter(title=title)
        + f"# {title}\n\n"
        + f'<p class="cg-lead">{say("intro")}</p>\n'
        + f'<p>{say("optional")} <a href="../schema/">{say("fields")}</a> · '
        f'<a href="../">{say("steps")}</a></p>\n\n'
        + f"<noscript><p>{say('noscript')}</p></noscript>\n\n"
        + f'<div id="cg-apply" class="cg-apply" data-form="../form.json" '
        f'data-schema="{prefix}schemas/application.schema.json">\n'
        f'<p class="cg-apply__loading">{say("loading")}</p>\n'
        '<div id="cg-apply-editor"></div>\n'
        '<section class="cg-apply__result" aria-labelledby="cg-apply-result-title">\n'
        f'<h2 id="cg-apply-result-title">{say("result")}</h2>\n'
        '<p id="cg-apply-status" role="status"></p>\n'
        '<ol id="cg-apply-errors"></ol>\n'
        "</section>\n"
        f'<section class="cg-apply__actions" aria-label="{say("actions")}">\n'
        f'<button type="button" id="cg-apply-check" class="md-button">{say("check")}</button>\n'
        '<button type="button" id="cg-apply-download" class="md-button md-button--primary">'
        f"{say('download')}</button>\n"
        '<a id="cg-apply-github" class="md-button" target="_blank" rel="noopener" '
        f'aria-disabled="true">{say("github")}</a>\n'
        f'<label class="cg-apply__open">{say("open")} '
        '<input type="file" id="cg-apply-open" accept=".yaml,.yml"></label>\n'
        '<span id="cg-apply-opened" role="status"></span>\n'
        f'<p class="cg-small">{say("after")}</p>\n'
        "</section>\n</div>\n\n"
        + "\n".join(f'<script src="{prefix}{s}"></script>' for s in scripts)
        + "\n"
    )


def form_data(
    lang: str,
    institutions: Sequence[Institution],
    datasets: Sequence[Dataset],
    suggested_id: str,
    header: list[str],
    new_file_url: str,
) -> Json:
    """What the form's script reads (``apply/form.json``)."""
    return {
        "schema": form_schema(lang, institutions, datasets, suggested_id),
        "header": header,  # with {id} and {year} to fill in
        "new_file_url": new_file_url,
        "variables": {
            d.id: [[table.source, v.name, v.label.get(lang)] for table, v in d.variables()]
            for d in datasets
        },
        "words": script_words(lang),
        "editor_words": EDITOR_ZH if lang == "zh" else {},
    }
