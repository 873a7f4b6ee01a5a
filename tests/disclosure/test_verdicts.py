"""Clean audit verdicts are remembered by content; a changed file is audited again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cohortgate.disclosure import audit
from cohortgate.layout import Layout

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def lay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Layout:
    monkeypatch.delenv("COHORTGATE_NO_CACHE", raising=False)
    shutil.copytree(ROOT / "catalog" / "stats", tmp_path / "catalog" / "stats")
    return Layout(tmp_path)


def _count_audits(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = audit.audit_stats

    def counting(stats):  # type: ignore[no-untyped-def]
        seen.append(stats.dataset)
        return real(stats)

    monkeypatch.setattr(audit, "audit_stats", counting)
    return seen


def test_a_clean_file_is_proved_once(lay: Layout, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _count_audits(monkeypatch)
    assert audit.audit_catalog_stats(lay, differencing=False, memo=True) == []
    first = len(seen)
    assert first == len(list(lay.stats.glob("*.json"))) > 0
    assert audit.audit_catalog_stats(lay, differencing=False, memo=True) == []
    assert len(seen) == first  # nothing re-proved
    assert audit.audit_catalog_stats(lay, differencing=False) == []
    assert len(seen) == 2 * first  # without the memo: always in full


def test_an_edited_file_is_audited_again(lay: Layout, monkeypatch: pytest.MonkeyPatch) -> None:
    assert audit.audit_catalog_stats(lay, differencing=False, memo=True) == []
    path = sorted(lay.stats.glob("*.json"))[0]
    data = json.loads(path.read_text("utf-8"))
    cell = next(c for t in data["tables"] for c in t["cells"] if c["value"] is None)
    cell.update(value=3, suppressed=False)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
    codes = {f.code for f in audit.audit_catalog_stats(lay, differencing=False, memo=True)}
    assert "privacy.small-cell" in codes
    # and a failing verdict is never remembered
    codes = {f.code for f in audit.audit_catalog_stats(lay, differencing=False, memo=True)}
    assert "privacy.small-cell" in codes
