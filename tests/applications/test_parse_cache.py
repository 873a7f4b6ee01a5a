"""The local parse cache (``build/cache/``) changes nothing but the time a run takes.

Each test validates the same repository cold (no cache), warm (from the cache) and uncached
(``COHORTGATE_NO_CACHE=1``) and compares the JSON output byte for byte; and it proves that the
warm run really came from the cache (nothing parsed) so that the comparison means something.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from application_examples import EXAMPLES, build_root

from cohortgate.applications.collect import collect
from cohortgate.applications.validate import validate_applications
from cohortgate.catalog.load import load_catalog
from cohortgate.files import parse_cache
from cohortgate.findings.render import render_json
from cohortgate.layout import Layout

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files that the cache had to parse (its misses), in order."""
    seen: list[str] = []
    real = parse_cache.load_yaml_text

    def counting(text: str, display: str) -> object:
        seen.append(display)
        return real(text, display)

    monkeypatch.setattr(parse_cache, "load_yaml_text", counting)
    return seen


def real_copy(root: Path) -> tuple[Layout, list[Path]]:
    """The real catalog (without statistics), rubric and submissions in ``root``."""
    shutil.copytree(REPO / "catalog", root / "catalog", ignore=shutil.ignore_patterns("stats"))
    for name in ("rubric", "submissions"):
        shutil.copytree(REPO / name, root / name)
    (root / "mkdocs.yml").write_text("site_name: test\n", "utf-8")
    datasets = sorted((root / "catalog" / "datasets").glob("*.yaml"))
    return Layout(root), [root / "submissions", datasets[0]]


def three_runs(
    lay: Layout, paths: list[Path], parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    """JSON of a cold, a warm and an uncached run; asserts that the warm one parsed nothing."""
    cache = lay.build / "cache"
    assert not cache.exists()
    cold = render_json(collect(lay, paths))
    assert parses and cache.is_dir()
    parses.clear()
    warm = render_json(collect(lay, paths))
    assert parses == []
    monkeypatch.setenv(parse_cache.DISABLE, "1")
    shutil.rmtree(cache)
    uncached = render_json(collect(lay, paths))
    assert not cache.exists()
    monkeypatch.delenv(parse_cache.DISABLE)
    return [cold, warm, uncached]


def test_the_real_repository_cold_warm_and_uncached(
    tmp_path: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lay, paths = real_copy(tmp_path)
    cold, warm, uncached = three_runs(lay, paths, parses, monkeypatch)
    assert cold == warm == uncached
    assert json.loads(cold) == []  # the real submissions and catalog are clean


@pytest.mark.parametrize(
    "case", ["invalid/free-mail", "invalid/unknown-dataset", "valid/overlapping-open-application"]
)
def test_a_corpus_case_cold_warm_and_uncached(
    case: str, tmp_path: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lay, paths = build_root(EXAMPLES / case, tmp_path)
    cold, warm, uncached = three_runs(lay, paths, parses, monkeypatch)
    assert cold == warm == uncached
    assert case.startswith("valid/") or json.loads(cold)  # the invalid ones do say something


def test_the_datasets_loaded_on_demand_give_the_full_catalogs_findings(tmp_path: Path) -> None:
    lay, _ = build_root(EXAMPLES / "invalid" / "unknown-dataset", tmp_path)
    catalog, _ = load_catalog(lay, with_stats=False)
    paths = [lay.submissions]
    assert validate_applications(lay, paths) == validate_applications(lay, paths, catalog=catalog)


def test_a_corrupt_cache_is_ignored_and_rewritten(tmp_path: Path, parses: list[str]) -> None:
    lay, paths = real_copy(tmp_path)
    first = render_json(collect(lay, paths))
    entries = sorted((lay.build / "cache").rglob("*.json"))
    assert entries
    for i, entry in enumerate(entries):  # garbage, valid JSON of the wrong shape, empty
        entry.write_bytes([b"\x00{not json", b'{"sha256": "x", "data": 1}', b""][i % 3])
    parses.clear()
    assert render_json(collect(lay, paths)) == first
    assert parses  # parsed again ...
    parses.clear()
    assert render_json(collect(lay, paths)) == first
    assert parses == []  # ... and cached again


def test_a_changed_file_is_never_read_from_the_cache(tmp_path: Path, parses: list[str]) -> None:
    lay, paths = build_root(EXAMPLES / "valid" / "l1-aggregate", tmp_path)
    assert collect(lay, paths) == []
    form = paths[0] / "application.yaml"
    text = form.read_text("utf-8")
    form.write_text(text.replace("non_profit: true", "non_profit: false"), "utf-8")
    parses.clear()
    findings = collect(lay, paths)
    assert parses == [f"{paths[0].relative_to(tmp_path).as_posix()}/application.yaml"]
    assert [f.code for f in findings] == ["application.not-non-profit"]  # the change is seen
    form.write_text(text, "utf-8")
    assert collect(lay, paths) == []


def test_a_change_of_code_makes_a_new_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lay, paths = build_root(EXAMPLES / "valid" / "l1-aggregate", tmp_path)
    collect(lay, paths)
    before = {p.name for p in (lay.build / "cache").iterdir()}
    monkeypatch.setattr(parse_cache, "code_fingerprint", lambda: "0123456789abcdef")
    collect(lay, paths)
    after = {p.name for p in (lay.build / "cache").iterdir()}
    assert after == {"yaml-0123456789abcdef"} and before != after  # the old one is removed


def test_the_fingerprint_covers_the_loader_and_the_models() -> None:
    names = set(parse_cache._SOURCES)
    assert {"files/loading.py", "files/textfile.py", "models", "applications/summary.py"} <= names
    package = Path(parse_cache.__file__).parents[1]
    assert all((package / name).exists() for name in names)
