"""A repository in which the custodian releases: the review tests' world (tests/review, put on
sys.path here) with a roster under which every example application can be approved, signed
sheets and decisions made with real ssh-keygen keys, signed agreements, and a cohort.

Members (committee, expertise, institution), none at an applying institution (xhh, shch, bch,
fdpch), so that each application can reach its quorum (L1: researcher, data processing; L2:
ethics, legal, data processing):

    alice  academic         medical          scmc     chair of the academic committee
    bob    academic         legal            gzwcmc
    grace  academic         ethics           chcmu
    dave   academic         researcher       zjch
    erin   data_management  data_processing  gzwcmc
    frank  data_management  management       chcmu    chair of the data management committee
    mallory                                            never in the roster

The rubric is the real one but for the L2 rule's single-indicator floor (see ``L2_FLOOR``).
``SignedWorld.approve(app_id)`` commits dave's, bob's, grace's and erin's signed sheets and
alice's signed decision, each alone, then the signed agreements (unsigned commit, as the
custodian records them): a valid approval that ``cohortgate release`` verifies from git.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from git import Repo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "review"))

from review_keys import PEOPLE, member
from review_world import APPLICANT_EMAIL, CHAIRS_AND_QUORUM, ROOT, TODAY, World, dump

from cohortgate.approval.digest import application_digests
from cohortgate.cli import main
from cohortgate.custodian.release.agreements import (
    record_signed,
    render_agreements,
    write_agreements,
)
from cohortgate.models.application import Application
from cohortgate.models.review import Decision
from signing import Commit, Key

NAMES = PEOPLE
L1 = "A-2026-0001"  # aggregate statistics
GENETIC = "A-2026-0002"  # genetic data: an enclave
L2 = "A-2026-0003"  # patient-level data, encrypted to the recipient
APPLICANT_ORCID = "0000-0002-1825-0097"
REVIEWERS = ("dave", "bob", "grace", "erin")
# The example L2 forms ask for many identifying fields (scored 1), which the release drops or
# pseudonymises: the world's L2 rule has no single-indicator floor, so that they can be approved.
L2_FLOOR = "indicator_floor: 2  # 任何一项为 1 分都需修改"
L2_VARIABLES = [
    ("patient", "patient_id"),
    ("patient", "birth_date"),
    ("patient", "sex"),
    ("patient", "medical_record_no"),
    ("visit", "patient_id"),
    ("visit", "visit_date"),
    ("visit", "weight_kg"),
    ("visit", "height_cm"),
    ("visit", "notes"),
    ("diagnosis", "patient_id"),
    ("diagnosis", "orpha_code"),
]


def folder_of(app_id: str) -> str:
    return f"submissions/2026/{app_id}"


def release_roster(keys: dict[str, Key]) -> dict[str, Any]:
    return {
        "members": [
            member("alice", keys["alice"].line, institution="scmc"),
            member("bob", keys["bob"].line, expertise="legal", institution="gzwcmc"),
            member("grace", keys["grace"].line, expertise="ethics", institution="chcmu"),
            member("dave", keys["dave"].line, expertise="researcher", institution="zjch"),
            member(
                "erin",
                keys["erin"].line,
                committee="data_management",
                expertise="data_processing",
                institution="gzwcmc",
            ),
            member(
                "frank",
                keys["frank"].line,
                committee="data_management",
                expertise="management",
                institution="chcmu",
            ),
        ],
        **CHAIRS_AND_QUORUM,
    }


def l2_application() -> dict[str, Any]:
    """A-2026-0001's form as an L2 application for patient-level follow-up visits."""
    data = yaml.safe_load((ROOT / folder_of(L1) / "application.yaml").read_text("utf-8"))
    data.update(
        id=L2,
        privacy_level="L2",
        delivery="encrypted_email",
        datasets=[
            {
                "dataset": "ds-followup-visits",
                "variables": [
                    {"table": t, "name": n, "justification": "growth trajectories"}
                    for t, n in L2_VARIABLES
                ],
            }
        ],
        selection={"inclusion": {"diseases": ["ORPHA:739", "ORPHA:15", "ORPHA:98896", "ORPHA:70"]}},
    )
    return data


@dataclass
class SignedWorld:
    world: World

    @property
    def root(self) -> Path:
        return self.world.root

    @property
    def repo(self) -> Repo:
        return self.world.repo

    @property
    def commit(self) -> Commit:
        return self.world.commit

    def folder(self, app_id: str) -> Path:
        return self.root / folder_of(app_id)

    def sign_sheet(
        self,
        app_id: str,
        reviewer: str,
        signer: str | None = "same",
        *,
        score: int = 5,
        **fields: Any,
    ) -> str:
        folder = folder_of(app_id)
        data: dict[str, Any] = {
            "application": app_id,
            "reviewer": reviewer,
            "reviewed_on": "2026-11-20",
            "files": application_digests(self.repo.commit("HEAD"), folder),
            "scores": self.world.role_scores(reviewer, score),
            "recommendation": "approve",
            "comments": "Sound protocol; the variables requested are necessary.",
        }
        data.update(fields)
        who = reviewer if signer == "same" else signer
        return self.commit(
            {f"{folder}/reviews/{reviewer}.yaml": dump(data)},
            signer=who,
            when="2026-11-20T10:00:00+00:00",
        )

    def decide(
        self, app_id: str, decision: str = "approve", signer: str | None = "alice", **fields: Any
    ) -> str:
        folder = folder_of(app_id)
        data: dict[str, Any] = {
            "application": app_id,
            "quarter": "2026Q4",
            "decided_on": "2026-11-25",
            "decision": decision,
            "files": application_digests(self.repo.commit("HEAD"), folder),
            "reasons": "Scored by the committees at the quarterly meeting.",
            "conditions": [],
        }
        data.update(fields)
        return self.commit(
            {f"{folder}/decision.yaml": dump(data)},
            signer=signer,
            when="2026-11-25T15:00:00+00:00",
        )

    def sign_agreements(self, app_id: str) -> str:
        """Generate both agreements from the committed decision, record signed copies and
        commit them (what `cohortgate agreements` writes on the custodian's machine)."""
        folder = self.folder(app_id)
        app = Application.model_validate(yaml.safe_load((folder / "application.yaml").read_text()))
        decision = Decision.model_validate(yaml.safe_load((folder / "decision.yaml").read_text()))
        texts = render_agreements(
            app,
            decision,
            custodian="数据中心",
            access_start=date(2026, 11, 29),
            access_end=date(2027, 5, 29),
            datasets_titles={d.dataset: d.dataset for d in app.datasets},
            genetic=app_id == GENETIC,
        )
        write_agreements(folder, texts)
        for kind, name in (("data_use", "dua"), ("confidentiality", "nda")):
            copy = folder / "agreements" / f"signed-{name}.pdf"
            copy.write_bytes(b"%PDF-1.4 signed " + name.encode())
            record_signed(folder, kind, copy, date(2026, 11, 28), ["数据中心", app.applicant.name])
        when = "2026-11-28T09:00:00+00:00"
        self.repo.git.add(folder_of(app_id))
        env = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        self.repo.git.commit("--no-gpg-sign", "-q", "-m", f"agreements of {app_id}", env=env)
        return self.repo.head.commit.hexsha

    def approve(
        self,
        app_id: str,
        *,
        reviewers: tuple[str, ...] = REVIEWERS,
        score: int = 5,
        **decision: Any,
    ) -> str:
        """Signed sheets of ``reviewers`` (every role indicator scored ``score``), the decision
        (``decide``'s arguments: alice's signed 'approve' by default) and, for an approval, the
        signed agreements; the last commit."""
        for who in reviewers:
            self.sign_sheet(app_id, who, score=score)
        made = self.decide(app_id, **decision)
        if decision.get("decision", "approve") != "approve":
            return made  # no agreements without an approval
        return self.sign_agreements(app_id)


def release_json(
    world: SignedWorld, identity: Any, capsys: Any, app_id: str = L1, *extra: str
) -> tuple[int, list[dict[str, Any]]]:
    """Run ``cohortgate release APP`` on ``world`` (its vault beside the repository, the
    recipient ``identity``'s key, on TODAY unless ``extra`` says otherwise); the exit status and
    the findings (JSON)."""
    capsys.readouterr()
    argv = ["release", app_id, "--root", str(world.root), "--today", TODAY.isoformat()]
    argv += ["--format", "json", "--vault", str(world.root.parent / "vault")]
    argv += ["--recipient", str(identity.to_public()), *extra]
    status = main(argv)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert captured.out.startswith("["), (status, captured.out, captured.err[-3000:])
    return status, json.loads(captured.out)


def build_signed_world(
    repo: Repo, commit: Commit, keys: dict[str, Key], cohort: Path | None = None
) -> SignedWorld:
    """The real catalog, rubric and blacklist, the release roster, the three applications
    committed (unsigned) on 2026-10-01; the cohort copied into the custodian's zone (untracked)."""
    root = Path(repo.working_tree_dir or ".")
    shutil.copytree(ROOT / "catalog", root / "catalog")
    (root / "rubric").mkdir()
    shutil.copy(ROOT / "rubric" / "blacklist.yaml", root / "rubric" / "blacklist.yaml")
    rubric = (ROOT / "rubric" / "rubric.yaml").read_text("utf-8")
    lines = rubric.splitlines(keepends=True)
    at = [i for i, line in enumerate(lines) if L2_FLOOR in line]
    assert len(at) == 1, "the L2 rule of rubric/rubric.yaml changed"
    lines[at[0]] = lines[at[0]].split(L2_FLOOR)[0] + "indicator_floor: 1\n"
    (root / "rubric" / "rubric.yaml").write_text("".join(lines), "utf-8")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    for app_id in (L1, GENETIC):
        shutil.copytree(ROOT / folder_of(app_id), root / folder_of(app_id))
    l2 = root / folder_of(L2)
    l2.mkdir(parents=True)
    for name in ("protocol.pdf", "ethics-letter.pdf"):
        shutil.copy(ROOT / folder_of(L1) / name, l2 / name)
    (l2 / "application.yaml").write_text(dump(l2_application()), "utf-8")
    if cohort is not None:
        (root / "custodian").mkdir()
        shutil.copy(cohort, root / "custodian" / "cohort.duckdb")
    repo.git.add("catalog", "rubric", "submissions", "mkdocs.yml")
    base = commit(
        {"rubric/roster.yaml": dump(release_roster(keys))}, when="2026-10-01T09:00:00+00:00"
    )
    return SignedWorld(World(repo, commit, keys, base))


__all__ = [
    "APPLICANT_EMAIL",
    "APPLICANT_ORCID",
    "GENETIC",
    "L1",
    "L2",
    "NAMES",
    "TODAY",
    "SignedWorld",
    "build_signed_world",
    "folder_of",
    "l2_application",
    "release_json",
]
