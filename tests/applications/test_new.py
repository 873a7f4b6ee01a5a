"""``cohortgate new`` and the commented template it writes."""

from __future__ import annotations

import argparse
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from cohortgate.applications.rules_form import PLACEHOLDER, PLACEHOLDER_DATE
from cohortgate.applications.scaffold import TEMPLATE_DATE, TEMPLATE_ID, render, template_text
from cohortgate.applications.validate import validate_applications
from cohortgate.cli import new
from cohortgate.files.loading import load_yaml_text
from cohortgate.files.modelcheck import check_model
from cohortgate.layout import Layout
from cohortgate.models.application import Application

YEAR = date.today().year


@pytest.fixture
def repo(tmp_path: Path, repo_root: Path) -> Path:
    shutil.copytree(
        repo_root / "catalog", tmp_path / "catalog", ignore=shutil.ignore_patterns("stats")
    )
    shutil.copytree(repo_root / "rubric", tmp_path / "rubric")
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nsite_url: https://example.org/gate/\n")
    return tmp_path


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    new.add_arguments(parser)
    return new.run(parser.parse_args(argv))


def _placeholders(text: str) -> int:
    data = load_yaml_text(text, "t.yaml").data

    def count(value: object) -> int:
        if isinstance(value, dict):
            return sum(count(v) for v in value.values())
        if isinstance(value, list):
            return sum(count(v) for v in value)
        return int(
            isinstance(value, str) and bool(PLACEHOLDER.search(value) or value == PLACEHOLDER_DATE)
        )

    return count(data)


def test_the_template_loads_and_matches_the_model() -> None:
    text = template_text()
    doc = load_yaml_text(text, "template.yaml")
    app, problems = check_model(doc, Application)
    assert problems == [] and app is not None
    assert app.id == TEMPLATE_ID and app.submitted == TEMPLATE_DATE
    assert text.count(f"\nid: {TEMPLATE_ID}\n") == 1
    assert text.count(f'\nsubmitted: "{TEMPLATE_DATE}"\n') == 1


def test_the_template_starts_with_the_modeline_and_comments_every_field() -> None:
    text = template_text()
    assert text.startswith(
        "# yaml-language-server: $schema="
        "https://cohortgate.github.io/cohortgate/schemas/application.schema.json\n"
    )
    lines = text.splitlines()
    for name in Application.model_fields:
        line = next((i for i, ln in enumerate(lines) if re.match(rf"^#? ?{name}:", ln)), None)
        assert line is not None, f"{name} is not in the template"
        comments = []
        for above in reversed(lines[:line]):
            if not above.startswith("#"):
                break
            comments.append(above)
        said = " ".join(comments)
        assert re.search(r"[\u4e00-\u9fff]", said) and re.search(r"[A-Za-z]{3}", said), name


def test_new_takes_the_next_free_id(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--root", str(repo)]) == 0
    first = repo / "submissions" / str(YEAR) / f"A-{YEAR}-0001" / "application.yaml"
    assert first.is_file()
    (repo / "submissions" / str(YEAR) / f"A-{YEAR}-0007").mkdir()
    assert run(["--root", str(repo)]) == 0
    assert (repo / "submissions" / str(YEAR) / f"A-{YEAR}-0008" / "application.yaml").is_file()
    out = capsys.readouterr().out
    assert f"created submissions/{YEAR}/A-{YEAR}-0001/application.yaml" in out
    assert f"cohortgate validate submissions/{YEAR}/A-{YEAR}-0008" in out
    text = first.read_text("utf-8")
    assert text.splitlines()[0] == (
        "# yaml-language-server: $schema=https://example.org/gate/schemas/application.schema.json"
    )
    assert f"\nid: A-{YEAR}-0001\n" in text and f'\nsubmitted: "{date.today()}"\n' in text
    assert not [p for p in first.parent.iterdir() if p.name != "application.yaml"]


def test_the_new_form_gives_only_fill_in_findings(repo: Path) -> None:
    assert run(["--root", str(repo), "--id", "A-2026-0042"]) == 0
    folder = repo / "submissions" / "2026" / "A-2026-0042"
    findings = validate_applications(Layout(repo), [folder])
    assert {f.code for f in findings} == {"application.placeholder"}
    assert len(findings) == _placeholders(template_text()) >= 20
    assert all(
        f.line > 0 and f.file == "submissions/2026/A-2026-0042/application.yaml" for f in findings
    )


def test_filling_in_the_template_makes_it_valid(repo: Path, repo_root: Path) -> None:
    """The template's structure is a real application once the placeholders are replaced."""
    assert run(["--root", str(repo), "--id", "A-2026-0043"]) == 0
    folder = repo / "submissions" / "2026" / "A-2026-0043"
    example = repo_root / "submissions" / "2026" / "A-2026-0001"
    shutil.copy(example / "application.yaml", folder / "application.yaml")
    text = (folder / "application.yaml").read_text("utf-8").replace("A-2026-0001", "A-2026-0043")
    (folder / "application.yaml").write_text(text, "utf-8")
    for pdf in ("protocol.pdf", "ethics-letter.pdf"):
        shutil.copy(example / pdf, folder / pdf)
    assert validate_applications(Layout(repo), [folder]) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--id", "A-2026-0001"], "already exists"),
        (["--id", "B-2026-0001"], "is not an application id"),
        (["--id", "A-2026-0009", "--year", "2025"], "differs from the year"),
        (["--year", "1999"], "is not a year"),
    ],
)
def test_usage_errors_exit_2(
    argv: list[str], message: str, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = repo / "submissions" / "2026" / "A-2026-0001"
    existing.mkdir(parents=True)
    (existing / "application.yaml").write_text("kept: true\n")
    assert run(["--root", str(repo), *argv]) == 2
    assert message in capsys.readouterr().err
    assert (existing / "application.yaml").read_text() == "kept: true\n"


def test_new_is_a_subcommand() -> None:
    from cohortgate.cli import SUBCOMMANDS, build_parser

    assert "new" in SUBCOMMANDS
    assert "scaffold a new application" in build_parser().format_help()


def test_render_keeps_everything_but_id_date_and_schema() -> None:
    text = render("A-2031-0005", date(2031, 5, 6), "https://x.test/schemas/application.schema.json")
    original = template_text()
    assert text.splitlines()[1:] != original.splitlines()[1:]
    changed = [
        (a, b) for a, b in zip(original.splitlines(), text.splitlines(), strict=True) if a != b
    ]
    assert [b for _, b in changed] == [
        "# yaml-language-server: $schema=https://x.test/schemas/application.schema.json",
        "id: A-2031-0005",
        'submitted: "2031-05-06"',
    ]
