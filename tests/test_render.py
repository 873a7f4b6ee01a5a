"""The three renderers of one list of findings."""

from __future__ import annotations

import json

from cohortgate.findings import Finding, Severity
from cohortgate.findings.render import render_github, render_json, render_text

FINDINGS = [
    Finding(
        "catalog/datasets/a.yaml",
        12,
        5,
        "catalog.unknown-hpo",
        "HP:9999999 is not an HPO term",
        "Look the term up",
        "$.tables[0].variables[1].hpo[0]",
    ),
    Finding("catalog/x.json", 0, 0, "privacy.small-cell", "a, b: 3", "", "$", Severity.WARNING),
]


def test_text() -> None:
    assert render_text(FINDINGS) == (
        "catalog/datasets/a.yaml:12:5: error catalog.unknown-hpo "
        "$.tables[0].variables[1].hpo[0]: HP:9999999 is not an HPO term\n"
        "    hint: Look the term up\n"
        "catalog/x.json: warning privacy.small-cell: a, b: 3\n"
        "1 error(s), 1 warning(s)\n"
    )
    assert render_text([]) == "no findings\n"


def test_json_round_trips() -> None:
    data = json.loads(render_json(FINDINGS))
    assert [Finding(**{**d, "severity": Severity(d["severity"])}) for d in data] == FINDINGS


def test_github_escapes_properties_and_data() -> None:
    out = render_github([Finding("a,b.yaml", 3, 1, "x.y", "50% bad\nline", "fix: it")])
    assert (
        out == "::error file=a%2Cb.yaml,line=3,col=1,title=x.y::50%25 bad%0Aline (hint: fix: it)\n"
    )
