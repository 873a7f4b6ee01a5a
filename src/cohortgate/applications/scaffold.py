"""``cohortgate new``: a new application folder with the commented, bilingual template.

The template (``template.yaml`` beside this module) is itself a form that loads and matches the
model; what the applicant must fill in holds a placeholder (FILL-IN, 0000-00-00) that
``cohortgate validate`` reports until it is replaced. Its first line is the editor modeline
(``# yaml-language-server: $schema=...``) so that editors complete and check the form.
"""

from __future__ import annotations

import re
from datetime import date
from importlib import resources
from pathlib import Path

from cohortgate.applications.load import FORM
from cohortgate.files.atomic import write_text
from cohortgate.layout import Layout
from cohortgate.models.schemas import DEFAULT_SITE_URL, site_url

# Values of the shipped template that ``render`` replaces.
TEMPLATE_ID = "A-2000-0000"
TEMPLATE_DATE = "2000-01-01"
SCHEMA_PATH = "schemas/application.schema.json"
MODELINE = "# yaml-language-server: $schema="
ID_PATTERN = re.compile(r"^A-(20[0-9]{2})-([0-9]{4})$")


def template_text() -> str:
    return resources.files("cohortgate.applications").joinpath("template.yaml").read_text("utf-8")


def render(app_id: str, submitted: date, schema_url: str) -> str:
    """The template for ``app_id``, submitted on ``submitted``, pointing at ``schema_url``."""
    text = template_text()
    text = text.replace(MODELINE + DEFAULT_SITE_URL + SCHEMA_PATH, MODELINE + schema_url, 1)
    text = text.replace(f"\nid: {TEMPLATE_ID}\n", f"\nid: {app_id}\n", 1)
    return text.replace(f'\nsubmitted: "{TEMPLATE_DATE}"\n', f'\nsubmitted: "{submitted}"\n', 1)


def next_id(lay: Layout, year: int) -> str:
    """The id after the highest ``A-<year>-NNNN`` in use under ``submissions/``."""
    used = [0]
    if lay.submissions.is_dir():
        for folder in lay.submissions.glob("*/*"):
            match = ID_PATTERN.match(folder.name)
            if match and int(match.group(1)) == year:
                used.append(int(match.group(2)))
    number = max(used) + 1
    if number > 9999:
        raise ValueError(f"no application id is left for {year}")
    return f"A-{year}-{number:04d}"


def create(lay: Layout, app_id: str, submitted: date) -> Path:
    """Write ``submissions/<year>/<id>/application.yaml``; FileExistsError if the folder
    exists."""
    match = ID_PATTERN.match(app_id)
    if match is None:
        raise ValueError(f"'{app_id}' is not an application id (A-<year>-<four digits>)")
    folder = lay.submissions / match.group(1) / app_id
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.mkdir()  # raises FileExistsError: never overwrite an application
    path = folder / FORM
    try:
        write_text(path, render(app_id, submitted, site_url(lay) + SCHEMA_PATH))
    except BaseException:
        folder.rmdir()  # nothing half-made is left behind
        raise
    return path
