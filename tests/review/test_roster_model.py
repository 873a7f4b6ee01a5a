"""The roster model (R1, R13) and the committed ``rubric/roster.yaml``."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from review_keys import member, roster_data

from cohortgate.files.loading import load_yaml_file
from cohortgate.files.modelcheck import check_model
from cohortgate.models.dataset import PrivacyLevel
from cohortgate.models.institution import InstitutionRegistry
from cohortgate.models.roster import Committee, Expertise, Roster
from cohortgate.signatures.signers import allowed_signers, parse_public_key
from signing import Key


def _load(root: Path, rel: str, model: Any) -> Any:
    loaded, findings = check_model(load_yaml_file(root / rel, rel), model)
    assert findings == []
    return loaded


def test_committed_roster_is_valid_and_yields_a_signers_file(repo_root: Path) -> None:
    roster: Roster = _load(repo_root, "rubric/roster.yaml", Roster)
    institutions = _load(repo_root, "catalog/institutions.yaml", InstitutionRegistry)
    known = {i.id for i in institutions.institutions}
    assert {m.institution for m in roster.members} <= known
    assert {m.committee for m in roster.members} == set(Committee)
    assert {m.expertise for m in roster.members} == set(Expertise)
    lines = allowed_signers(roster).splitlines()
    assert len(lines) == len(roster.members)
    assert roster.chair(Committee.ACADEMIC) is not None
    assert roster.quorum.expertise(PrivacyLevel.L2) >= {Expertise.ETHICS, Expertise.LEGAL}


def test_committed_roster_holds_public_keys_only(repo_root: Path) -> None:
    text = (repo_root / "rubric" / "roster.yaml").read_text("utf-8")
    assert "PRIVATE KEY" not in text


def test_fingerprint_agrees_with_ssh_keygen(keys: dict[str, Key]) -> None:
    listed = subprocess.run(
        ["ssh-keygen", "-l", "-E", "sha256", "-f", keys["alice"].public_path],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[1]
    assert parse_public_key(keys["alice"].line).fingerprint == listed


def _broken(keys: dict[str, Key], change: Any) -> dict[str, Any]:
    data = roster_data(keys)
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["members"][1].update(principal="alice@damc.example"), "duplicate principal"),
        (lambda d: d["members"][1].update(principal="*@damc.example"), "principal"),
        (
            lambda d: d["members"][1].update(principal="bob@x.example,alice@damc.example"),
            "principal",
        ),
        (lambda d: d["members"][1].update(ssh_key=d["members"][0]["ssh_key"]), "duplicate ssh key"),
        (lambda d: d["members"][1].update(ssh_key="ssh-rsa AAAAB3Nza bob"), "ssh_key"),
        (lambda d: d["members"][1].update(term_end="2024-12-31"), "term_end is before"),
        (lambda d: d["members"][1].update(term_end="2027-02-30"), "term_end"),
        (lambda d: d["chairs"].append({"committee": "academic", "member": "bob"}), "more than one"),
        (lambda d: d["chairs"].__setitem__(0, {"committee": "academic", "member": "x"}), "not a"),
        (
            lambda d: d["chairs"].append({"committee": "data_management", "member": "bob"}),
            "not on the data_management committee",
        ),
        (
            lambda d: d["quorum"]["committees"][0].update(min_members=4),
            "fewer than its quorum",
        ),
        (
            lambda d: d["quorum"]["levels"][0]["expertise"].append("data_processing"),
            "data_processing",
        ),
        (lambda d: d["members"][0].update(email="alice@damc.example"), "extra"),
    ],
)
def test_inconsistent_roster_is_rejected(keys: dict[str, Key], change: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Roster.model_validate(_broken(keys, change))


def test_lookups(roster: Roster) -> None:
    bob = roster.by_principal("bob@damc.example")
    assert bob is not None and bob.id == "bob"
    assert roster.by_principal("*@damc.example") is None
    assert roster.member("nobody") is None
    assert roster.quorum.min_members(Committee.ACADEMIC) == 2
    assert roster.quorum.min_members(Committee.DATA_MANAGEMENT) == 0
    assert roster.quorum.expertise(PrivacyLevel.L1) == frozenset()
    assert member("x", "k")["principal"] == "x@damc.example"
