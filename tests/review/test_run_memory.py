"""What a run remembers for the next: signature verdicts and parsed documents are reused only
for the same bytes and the same allowed signers; a spoiled memory is a miss, never an error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from git import Repo
from review_keys import member, roster_data

from cohortgate.gitread import committed
from cohortgate.gitread import memory as run_memory
from cohortgate.gitread.read import ends_git_processes
from cohortgate.models.review import ScoreSheet
from cohortgate.models.roster import Roster
from cohortgate.signatures import verify as signatures
from cohortgate.signatures.verify import Status, verify_commits
from signing import Commit, Key

SHEET = "reviews/A-2026-0007/alice.yaml"


@pytest.fixture(autouse=True)
def _memory_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COHORTGATE_NO_CACHE", raising=False)
    signatures._JUDGED.clear()
    committed._LOADED.clear()
    committed._PARSED.clear()


@ends_git_processes
def verdicts(repo: Repo, shas: list[str], roster: Roster) -> list[tuple[str, str | None]]:
    return [(v.status.value, v.member and v.member.id) for v in verify_commits(repo, shas, roster)]


def memory_file(repo: Repo, name: str) -> Path:
    return Path(repo.working_dir) / "build" / "cache" / f"{name}.json"


def test_verdicts_are_remembered_per_allowed_signers(
    repo: Repo,
    commit: Commit,
    roster: Roster,
    keys: dict[str, Key],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shas = [commit({SHEET: "1\n"}, signer="alice"), commit({SHEET: "2\n"}, signer="bob")]
    first = verdicts(repo, shas, roster)
    assert first == [("G", "alice"), ("G", "bob")]
    assert memory_file(repo, run_memory.signatures_name()).is_file()

    judged: list[str] = []
    real = signatures.judge

    def counting(signed: object, allowed: object) -> object:
        judged.append(signed.sha)  # type: ignore[attr-defined]
        return real(signed, allowed)  # type: ignore[arg-type]

    monkeypatch.setattr(signatures, "judge", counting)
    signatures._JUDGED.clear()  # a new process: only the files remain
    assert verdicts(repo, shas, roster) == first and judged == []
    # bob leaves the roster: other allowed signers, so nothing remembered applies
    data = roster_data(keys)
    data["members"] = [m for m in data["members"] if m["id"] != "bob"]
    data["members"].append(member("dave", keys["dave"].line, expertise="legal"))
    assert verdicts(repo, shas, Roster.model_validate(data)) == [("G", "alice"), ("U", None)]
    assert judged == shas


def test_a_spoiled_memory_is_a_miss(repo: Repo, commit: Commit, roster: Roster) -> None:
    sha = commit({SHEET: "1\n"}, signer="alice")
    verdicts(repo, [sha], roster)
    path = memory_file(repo, run_memory.signatures_name())
    stored = json.loads(path.read_text("utf-8"))
    (key,) = stored
    path.write_text(json.dumps({key: ["Z", "", "", ""]}), "utf-8")  # no such status
    signatures._JUDGED.clear()
    assert verdicts(repo, [sha], roster) == [("G", "alice")]
    path.write_text("{ not json", "utf-8")
    signatures._JUDGED.clear()
    assert verdicts(repo, [sha], roster) == [("G", "alice")]
    assert json.loads(path.read_text("utf-8"))[key][0] == Status.GOOD.value  # written again


SHEET_TEXT = """application: A-2026-0007
reviewer: alice
reviewed_on: "2026-03-01"
files: {}
scores:
  scientific-merit: 9
recommendation: approve
comments: fine
conflict_of_interest: sometimes
"""


def test_documents_are_remembered_with_their_positions(repo: Repo, commit: Commit) -> None:
    commit({"README.md": "r\n"})

    @ends_git_processes
    def load(_repo: Repo) -> list[str]:
        _model, _doc, findings = committed.load_model(SHEET_TEXT.encode(), SHEET, ScoreSheet)
        return [f"{f.file}:{f.line}:{f.code}" for f in findings]

    first = load(repo)
    assert first and all(int(f.split(":")[1]) > 1 for f in first)  # placed, not at line 1
    assert memory_file(repo, run_memory.documents_name()).is_file()
    committed._LOADED.clear()
    committed._PARSED.clear()
    parsed: list[str] = []
    real = committed.load_yaml_text

    def counting(text: str, display: str) -> object:
        parsed.append(display)
        return real(text, display)

    committed.load_yaml_text = counting  # type: ignore[assignment]
    try:
        assert load(repo) == first and parsed == []  # from memory, the same lines
    finally:
        committed.load_yaml_text = real
