"""How to apply: the steps, the field reference, the example and the online form, both languages."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ValidationError
from site_fixture import REPO

from cohortgate.layout import Layout
from cohortgate.models.application import Application, Criteria
from cohortgate.site import apply_form, pages_apply
from cohortgate.site import codes as C
from cohortgate.site.apply_example import EXAMPLE
from cohortgate.site.generate import generate
from cohortgate.site.labels import LANGS
from cohortgate.site.labels_apply import ENUM_LABELS, ENUMS, FORM_CHOICES, SEPARATOR, split

PAGES = ["apply/index.md", "apply/form.md", "apply/schema.md", "apply/example.md"]
FILES = ["apply/form.json", "apply/example-application.yaml"]
SCHEMA = Application.model_json_schema()
DEFS: dict[str, Any] = SCHEMA["$defs"]
OBJECTS = {"Application": SCHEMA} | {n: d for n, d in DEFS.items() if d.get("type") == "object"}


def generated(lay: Layout) -> Path:
    result, findings = generate(lay)
    assert findings == []
    assert result is not None
    return result.docs


def sections(page: str) -> dict[str, str]:
    """The reference page cut at its '## ' headings, keyed by the model named in each."""
    out = {}
    for part in re.split(r"^## ", page, flags=re.M)[1:]:
        model = re.search(r"`([A-Za-z]+)`", part.splitlines()[0])
        assert model, part.splitlines()[0]
        out[model.group(1)] = part
    return out


def example_yaml(page: str) -> str:
    match = re.search(r"^```yaml\n(.*?)^```$", page, flags=re.M | re.S)
    assert match, "no YAML block"
    return match.group(1)


def form_data(docs: Path, lang: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((docs / lang / "apply/form.json").read_text("utf-8"))
    return data


def walk(schema: Any) -> list[dict[str, Any]]:
    """Every schema object inside ``schema`` (itself included)."""
    found = []
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.append(node)
            stack += list(node.values())
        elif isinstance(node, list):
            stack += node
    return [n for n in found if "type" in n]


def test_every_apply_page_exists_in_both_languages(root: Layout) -> None:
    docs = generated(root)
    for lang in LANGS:
        for path in PAGES + FILES:
            assert (docs / lang / path).is_file(), f"{lang}/{path}"
    index = (docs / "zh" / "apply/index.md").read_text("utf-8")
    for requirement in ("R3", "R8", "R9", "R10", "R11", "R12", "R16", "R17", "R18", "R30"):
        assert requirement in index
    assert "../reference/errors.md" in index
    assert "form.md" in index and "schema.md" in index and "example.md" in index


def test_the_navigation_lists_the_section_in_both_languages() -> None:
    for config in ("mkdocs.yml", "mkdocs.en.yml"):
        text = (REPO / config).read_text("utf-8")
        for page in PAGES:
            assert f"- {page}" in text, f"{config}: {page}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_field_of_every_model_is_on_the_reference_page(root: Layout, lang: str) -> None:
    page = (generated(root) / lang / "apply/schema.md").read_text("utf-8")
    found = sections(page)
    assert set(found) == set(OBJECTS)
    for model, schema in OBJECTS.items():
        for name, prop in schema["properties"].items():
            row = next(
                (line for line in found[model].splitlines() if line.startswith(f"| `{name}`<br>")),
                None,
            )
            assert row is not None, f"{model}.{name}"
            title = split(prop["title"])[0 if lang == "zh" else 1]
            assert title in row
            required = name in schema.get("required", [])
            cells = [c.strip() for c in row.split(" | ")]
            assert (
                cells[2]
                == ({"zh": "是", "en": "yes"} if required else {"zh": "否", "en": "no"})[lang]
            )


def test_the_reference_lists_the_allowed_values_with_their_meaning(root: Layout) -> None:
    page = (generated(root) / "zh" / "apply/schema.md").read_text("utf-8")
    assert "`mlps_level_3` 等保三级" in page
    assert "`L2` L2 去标识个体数据" in page
    assert "日期 YYYY-MM-DD" in page
    en = (generated(root) / "en" / "apply/schema.md").read_text("utf-8")
    assert "`safe_room` Safe room" in en


def test_every_field_has_a_title_in_both_languages() -> None:
    for model, schema in OBJECTS.items():
        for name, prop in schema["properties"].items():
            for key in ("title", "description"):
                if key == "title" or key in prop:
                    assert prop[key].count(SEPARATOR) == 1, f"{model}.{name}.{key}: {prop[key]}"
                    zh, en = split(prop[key])
                    assert zh and en, f"{model}.{name}.{key}"
                    assert re.search(r"[\u4e00-\u9fff]", zh), f"{model}.{name}.{key} is not zh"


def test_every_allowed_value_has_a_meaning_in_both_languages() -> None:
    for name, enum in ENUMS.items():
        assert set(ENUM_LABELS[name]) == {e.value for e in enum}
        assert DEFS[name]["enum"] == [e.value for e in enum]


def test_the_forms_fixed_choices_are_the_only_ones_the_model_takes() -> None:
    assert Criteria(sex=list(FORM_CHOICES[("Criteria", "sex")]))
    with pytest.raises(ValidationError):
        Criteria(sex=["X"])


def test_the_form_hints_name_real_fields() -> None:
    named = (
        set(apply_form.TEXT_AREAS)
        | set(apply_form.CATALOG_CHOICES)
        | set(apply_form.TABLES)
        | set(FORM_CHOICES)
    )
    for model, field in named:
        assert field in OBJECTS[model]["properties"], f"{model}.{field}"


def validates(model: type[BaseModel], text: str) -> None:
    model.model_validate(yaml.safe_load(text))


def test_the_example_is_a_valid_application_shown_as_yaml(root: Layout) -> None:
    Application.model_validate(EXAMPLE)
    docs = generated(root)
    for lang in LANGS:
        page = (docs / lang / "apply/example.md").read_text("utf-8")
        shown = example_yaml(page)
        validates(Application, shown)
        assert shown == (docs / lang / "apply/example-application.yaml").read_text("utf-8")
        assert shown.startswith("# yaml-language-server: $schema=")
        assert "(example-application.yaml)" in page


def test_the_example_is_the_first_valid_application_in_submissions(root: Layout) -> None:
    folder = root.submissions / "2026" / "A-2026-0003"
    folder.mkdir(parents=True)
    text = "# the real example\n" + yaml.safe_dump(
        EXAMPLE | {"id": "A-2026-0003"}, allow_unicode=True
    )
    (folder / "application.yaml").write_text(text, "utf-8")
    broken = root.submissions / "2026" / "A-2026-0002"
    broken.mkdir()
    (broken / "application.yaml").write_text("id: A-2026-0002\n", "utf-8")  # not valid
    page = (generated(root) / "en" / "apply/example.md").read_text("utf-8")
    assert example_yaml(page) == text
    assert "submissions/2026/A-2026-0003/" in page


def test_the_real_example_submission_is_shown_when_there_is_one(root: Layout) -> None:
    real = sorted((REPO / "submissions").glob("*/*/application.yaml"))
    if not real:
        pytest.skip("no application under submissions/ yet")
    target = root.submissions / real[0].parent.relative_to(REPO / "submissions")
    shutil.copytree(real[0].parent, target)
    page = (generated(root) / "zh" / "apply/example.md").read_text("utf-8")
    assert example_yaml(page) == real[0].read_text("utf-8")


def test_the_suggested_id_follows_the_last_one(root: Layout) -> None:
    assert pages_apply.suggest_id(root, date(2027, 5, 1)) == "A-2027-0001"
    for name in ("A-2026-0001", "A-2026-0012", "not-an-id"):
        (root.submissions / "2026" / name).mkdir(parents=True)
    assert pages_apply.suggest_id(root, date(2027, 5, 1)) == "A-2026-0013"


@pytest.mark.parametrize("lang", LANGS)
def test_the_form_schema_is_plain_and_in_one_language(root: Layout, lang: str) -> None:
    data = form_data(generated(root), lang)
    schema = data["schema"]
    text = json.dumps(schema, ensure_ascii=False)
    assert "$ref" not in text and "$defs" not in text and "anyOf" not in text
    assert SEPARATOR not in text  # titles and descriptions in one language
    assert set(schema["properties"]) == set(SCHEMA["properties"])
    for node in walk(schema):
        titles = node.get("options", {}).get("enum_titles")
        if titles is not None:
            assert len(titles) == len(node["enum"])
    person = schema["properties"]["applicant"]["properties"]
    assert person["institution"]["enum"] == ["", "bch", "shch", "wch"]  # "": not chosen yet
    assert person["role"]["enum"] == [
        "",
        "principal_investigator",
        "co_investigator",
        "analyst",
        "student",
    ]
    request = schema["properties"]["datasets"]["items"]["properties"]
    assert request["dataset"]["enum"] == ["", "ds-pku", "ds-sma"]
    assert schema["properties"]["submitted"]["format"] == "date"
    assert schema["properties"]["non_profit"]["format"] == "checkbox"
    assert set(data["variables"]) == {"ds-pku", "ds-sma"}
    assert data["new_file_url"] == "https://github.com/cohortgate/cohortgate/new/main"
    assert data["header"][0] == (
        "# yaml-language-server: $schema="
        "https://cohortgate.github.io/cohortgate/schemas/application.schema.json"
    )
    assert "submissions/{year}/{id}/application.yaml" in data["header"][1]


def test_the_form_page_loads_the_vendored_scripts(root: Layout) -> None:
    docs = generated(root)
    for lang in LANGS:
        page = (docs / lang / "apply/form.md").read_text("utf-8")
        for target in [*apply_form.VENDOR, apply_form.SCRIPT]:
            assert f'<script src="../../{target}"></script>' in page
            assert (docs / lang / target).is_file(), target
        for target in apply_form.LICENSES:
            assert (docs / lang / target).is_file(), target
        assert 'data-schema="../../schemas/application.schema.json"' in page
        assert (docs / lang / "schemas/application.schema.json").is_file()
    wrapped = (docs / "zh" / "assets/vendor/ajv-i18n-zh.js").read_text("utf-8")
    assert "window.ajvLocalizeZh = module.exports;" in wrapped


def test_a_missing_form_script_is_a_finding(root: Layout) -> None:
    for source in apply_form.VENDOR.values():
        (root.root / source).unlink()
    result, findings = generate(root)
    assert result is None
    missing = [f for f in findings if f.code == C.SITE_VENDOR_MISSING.id]
    assert {f.file for f in missing} == {p.as_posix() for p in apply_form.VENDOR.values()}
    assert all("npm ci" in (f.hint or "") for f in missing)


def test_the_repository_link_comes_from_mkdocs_yml(root: Layout) -> None:
    config = root.root / "mkdocs.yml"
    text = config.read_text("utf-8")
    assert re.search(r"^repo_url: https://github\.com/cohortgate/cohortgate$", text, re.M)
    config.write_text(text.replace("cohortgate/cohortgate", "example/registry"), "utf-8")
    assert pages_apply.repo_url(root) == "https://github.com/example/registry"
