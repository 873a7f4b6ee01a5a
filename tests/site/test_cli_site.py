"""``cohortgate site``: a thin adapter; its JSON findings are the library's own."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from cohortgate.cli import main
from cohortgate.layout import Layout
from cohortgate.site.build import build
from cohortgate.site.serve import serve_in_thread, site_prefix


def test_build_succeeds_and_says_how_to_serve(
    root: Layout, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["site", "build", "--root", str(root.root)]) == 0
    err = capsys.readouterr().err
    assert "build/site/" in err and "cohortgate site serve" in err
    assert (root.build / "site" / "en" / "datasets" / "ds-pku" / "index.html").is_file()


def test_json_findings_equal_the_library_result(
    root: Layout, capsys: pytest.CaptureFixture[str]
) -> None:
    (root.site_sources / "en" / "only-english.md").write_text("# Only English\n", "utf-8")
    expected = [f.to_dict() for f in build(root)[1]]
    capsys.readouterr()
    assert main(["site", "build", "--root", str(root.root), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out) == expected
    assert [f["code"] for f in expected] == ["site.missing-translation"]


def test_site_without_an_action_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["site"]) == 2


def test_the_server_serves_the_site_under_its_prefix(tmp_path: Path, repo_root: Path) -> None:
    (tmp_path / "index.html").write_text("<p>site</p>", "utf-8")
    prefix = site_prefix(repo_root / "mkdocs.yml")
    assert prefix == "/cohortgate/"
    server, base = serve_in_thread(tmp_path, prefix)
    try:
        with urllib.request.urlopen(base) as response:
            assert response.read() == b"<p>site</p>"
        with pytest.raises(urllib.error.HTTPError) as outside:
            urllib.request.urlopen(base.replace(prefix, "/"))
        assert outside.value.code == 404
        outside.value.close()
    finally:
        server.shutdown()
        server.server_close()
