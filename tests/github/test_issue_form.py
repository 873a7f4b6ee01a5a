"""The issue form for newcomers (GitHub's form schema), its config, and the PR template."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

import pytest
from github_files import GITHUB, ROOT, load_yaml

from cohortgate.models.application import DeliveryMethod, FundingLevel
from cohortgate.models.dataset import PrivacyLevel

FORM = GITHUB / "ISSUE_TEMPLATE" / "data-access-application.yml"
CONFIG = GITHUB / "ISSUE_TEMPLATE" / "config.yml"
TEMPLATE = GITHUB / "pull_request_template.md"
# GitHub's form schema: these element types, each with attributes; all but markdown have an id.
TYPES = {"markdown", "input", "textarea", "dropdown", "checkboxes"}
ID = re.compile(r"^[A-Za-z0-9_-]+$")
CJK = re.compile(r"[\u4e00-\u9fff]")
SITE = "https://cohortgate.github.io/cohortgate/"


def form() -> dict[str, Any]:
    data = load_yaml(FORM)
    assert isinstance(data, dict)
    return data


def fields() -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in form()["body"] if item["type"] != "markdown"}


def test_top_level_keys() -> None:
    data = form()
    assert set(data) <= {"name", "description", "title", "labels", "assignees", "projects", "body"}
    assert data["name"] and data["description"] and data["body"]
    assert "data-access-application" in data["labels"]


def test_body_items_follow_the_form_schema() -> None:
    ids = []
    for item in form()["body"]:
        assert item["type"] in TYPES, item
        attributes = item["attributes"]
        assert isinstance(attributes, dict)
        if item["type"] == "markdown":
            assert "id" not in item and attributes["value"].strip()
            continue
        assert ID.match(item["id"]), item["id"]
        ids.append(item["id"])
        assert attributes["label"].strip()
        if item["type"] in ("dropdown", "checkboxes"):
            options = attributes["options"]
            assert options and len(options) == len({str(o) for o in options})
        if "validations" in item:
            assert set(item["validations"]) == {"required"}
    assert len(ids) == len(set(ids)), "ids are unique"


def test_labels_are_bilingual() -> None:
    for name, item in fields().items():
        label = item["attributes"]["label"]
        assert CJK.search(label) and re.search(r"[A-Za-z]{3}", label), f"{name}: {label}"


def test_it_walks_through_an_application() -> None:
    """Institution, PI, funded project, datasets and level, purpose: all required."""
    got = fields()
    for name in (
        "institution",
        "pi-name",
        "pi-email",
        "funder",
        "funding-level",
        "datasets",
        "privacy-level",
        "delivery",
        "purpose",
        "lay-summary",
    ):
        assert got[name].get("validations", {}).get("required") is True, name
    acknowledgements = got["acknowledgements"]["attributes"]["options"]
    assert all(o["required"] is True for o in acknowledgements)
    assert any("patient-level" in o["label"] for o in acknowledgements)


@pytest.mark.parametrize(
    ("field", "enum"),
    [
        ("funding-level", FundingLevel),
        ("privacy-level", PrivacyLevel),
        ("delivery", DeliveryMethod),
    ],
)
def test_dropdowns_offer_exactly_the_models_values(field: str, enum: type[StrEnum]) -> None:
    options = fields()[field]["attributes"]["options"]
    codes = [re.search(r"\(([A-Za-z0-9_]+)\)$", o) for o in options]
    assert all(codes), options
    assert [c.group(1) for c in codes if c] == [e.value for e in enum]


def test_it_explains_the_conversion_and_links_the_site() -> None:
    intro = "\n".join(i["attributes"]["value"] for i in form()["body"] if i["type"] == "markdown")
    assert "pull request" in intro and "submissions/<year>/<id>/application.yaml" in intro
    assert f"({SITE}apply/form/)" in intro, "the site's online form"
    assert f"({SITE}apply/)" in intro and f"({SITE}en/apply/)" in intro, "how to apply"


def test_how_to_apply_is_a_page_of_the_site() -> None:
    """``apply/`` is ``site/{zh,en}/apply/index.md`` (the site's prose)."""
    for lang in ("zh", "en"):
        assert (ROOT / "site" / lang / "apply" / "index.md").is_file(), lang


def test_config_sends_everyone_through_the_form() -> None:
    config = load_yaml(CONFIG)
    assert config["blank_issues_enabled"] is False
    urls = [link["url"] for link in config["contact_links"]]
    assert urls == [f"{SITE}apply/form/", f"{SITE}apply/"]
    for link in config["contact_links"]:
        assert CJK.search(link["name"]) and link["about"]


def test_pull_request_template_checklist() -> None:
    text = TEMPLATE.read_text("utf-8")
    assert "cohortgate validate" in text
    boxes = re.findall(r"^- \[ \] ", text, re.M)
    assert len(boxes) == 6
    for needle in (
        "submissions/<year>/<application-id>/application.yaml",
        "Attachments",
        "patient-level",
        "患者个体数据",
        "personal data beyond the team's work contacts",
        "acknowledgements",
    ):
        assert needle in text, needle
