"""A small repository in which to review: the real catalog, rubric and example applications,
a roster of test members with real ssh-keygen keys, and helpers to sign sheets and decisions.

Members (committee, expertise, institution); A-2026-0001 is applied for by xhh with a team
member from shch, privacy level L1:

    alice  academic         medical          fdpch   chair of the academic committee
    bob    academic         legal            scmc
    carol  academic         ethics           scmc    term ended 2025-12-31
    dave   academic         researcher       bch
    erin   data_management  data_processing  fdpch
    frank  data_management  management       bch     chair of the data management committee
    grace  academic         ethics           xhh     the applicant's institution
    heidi  academic         ethics           fdpch   is the applicant (by e-mail)
    mallory                                           never in the roster
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from git import Repo
from review_keys import member

from cohortgate.approval.digest import application_digests
from cohortgate.approval.verify import ReviewReport, load_rules, review_application
from cohortgate.layout import Layout
from cohortgate.lifecycle.credit import credit_record
from cohortgate.models.roster import Roster
from signing import Commit, Key

ROOT = Path(__file__).resolve().parents[2]
APP = "A-2026-0001"
FOLDER = f"submissions/2026/{APP}"
OTHER = "A-2026-0002"
OTHER_FOLDER = f"submissions/2026/{OTHER}"
TODAY = date(2026, 11, 29)
APPLICANT_EMAIL = "chen.siyuan@xinhuamed.com.cn"


# The chairs and the quorum every test roster shares (alice and frank chair).
CHAIRS_AND_QUORUM: dict[str, Any] = {
    "chairs": [
        {"committee": "academic", "member": "alice"},
        {"committee": "data_management", "member": "frank"},
    ],
    "quorum": {
        "committees": [
            {"committee": "academic", "min_members": 2},
            {"committee": "data_management", "min_members": 1},
        ],
        "levels": [
            {"level": "L1", "expertise": ["researcher", "data_processing"]},
            {"level": "L2", "expertise": ["ethics", "legal", "data_processing"]},
            {"level": "L3", "expertise": ["ethics", "legal", "medical", "data_processing"]},
        ],
    },
}


def world_roster(keys: dict[str, Key]) -> dict[str, Any]:
    return {
        "members": [
            member("alice", keys["alice"].line, institution="fdpch"),
            member("bob", keys["bob"].line, expertise="legal", institution="scmc"),
            member(
                "carol",
                keys["carol"].line,
                expertise="ethics",
                institution="scmc",
                term_end="2025-12-31",
            ),
            member("dave", keys["dave"].line, expertise="researcher", institution="bch"),
            member(
                "erin",
                keys["erin"].line,
                committee="data_management",
                expertise="data_processing",
                institution="fdpch",
            ),
            member(
                "frank",
                keys["frank"].line,
                committee="data_management",
                expertise="management",
                institution="bch",
            ),
            member("grace", keys["grace"].line, expertise="ethics", institution="xhh"),
            member(
                "heidi",
                keys["heidi"].line,
                expertise="ethics",
                institution="fdpch",
                emails=[APPLICANT_EMAIL],
            ),
        ],
        **CHAIRS_AND_QUORUM,
    }


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@dataclass
class World:
    repo: Repo
    commit: Commit
    keys: dict[str, Key]
    base: str  # the commit holding the rules and both applications

    @property
    def root(self) -> Path:
        return Path(self.repo.working_tree_dir or ".")

    @property
    def roster(self) -> Roster:
        rules, findings = load_rules(self.repo.commit(self.base))
        assert rules is not None, findings
        return rules.roster

    def digests(self, folder: str = FOLDER, rev: str = "HEAD") -> dict[str, str]:
        return application_digests(self.repo.commit(rev), folder)

    def role_scores(self, who: str, value: int = 5) -> dict[str, int]:
        from cohortgate.approval.eligibility import role_indicators

        rules, _ = load_rules(self.repo.commit(self.base))
        assert rules is not None
        person = rules.roster.member(who)
        assert person is not None
        return {i.id: value for i in role_indicators(rules.rubric, person)}

    def sheet(self, reviewer: str, application: str = APP, **fields: Any) -> str:
        folder = FOLDER if application == APP else OTHER_FOLDER
        data: dict[str, Any] = {
            "application": application,
            "reviewer": reviewer,
            "reviewed_on": "2026-11-20",
            "files": self.digests(folder),
            "scores": fields.pop("scores") if "scores" in fields else self.role_scores(reviewer),
            "recommendation": "approve",
            "comments": "Sound protocol; the variables requested are necessary.",
        }
        data.update(fields)
        return dump(data)

    def sign_sheet(
        self,
        reviewer: str,
        signer: str | None = "same",
        *,
        path_of: str | None = None,
        when: str = "2026-11-20T10:00:00+00:00",
        **fields: Any,
    ) -> str:
        path = f"{FOLDER}/reviews/{path_of or reviewer}.yaml"
        who = reviewer if signer == "same" else signer
        return self.commit({path: self.sheet(reviewer, **fields)}, signer=who, when=when)

    def decide(
        self,
        decision: str = "approve",
        signer: str | None = "alice",
        *,
        quarter: str = "2026Q4",
        decided_on: str = "2026-11-25",
        **fields: Any,
    ) -> str:
        data: dict[str, Any] = {
            "application": APP,
            "quarter": quarter,
            "decided_on": decided_on,
            "decision": decision,
            "files": self.digests(),
            "reasons": "Scored by the committees at the quarterly meeting.",
            "conditions": [],
        }
        data.update(fields)
        return self.commit(
            {f"{FOLDER}/decision.yaml": dump(data)},
            signer=signer,
            when=f"{decided_on}T15:00:00+00:00",
        )

    def review(self, base: str | None = None, head: str = "HEAD") -> ReviewReport:
        base_commit = self.repo.commit(base or self.base)
        rules, findings = load_rules(base_commit)
        assert rules is not None, findings
        return review_application(
            self.repo,
            Layout(self.root),
            FOLDER,
            base=base_commit.hexsha,
            head=head,
            today=TODAY,
            rules=rules,
            credit=credit_record,
        )


def build_world(repo: Repo, commit: Commit, keys: dict[str, Key]) -> World:
    root = Path(repo.working_tree_dir or ".")
    shutil.copytree(ROOT / "catalog", root / "catalog")
    (root / "rubric").mkdir()
    for name in ("rubric.yaml", "blacklist.yaml"):
        shutil.copy(ROOT / "rubric" / name, root / "rubric" / name)
    for folder in (FOLDER, OTHER_FOLDER):
        shutil.copytree(ROOT / folder, root / folder)
    files = {"rubric/roster.yaml": dump(world_roster(keys))}
    repo.git.add("catalog", "rubric", "submissions")
    base = commit(files, when="2026-10-01T09:00:00+00:00")
    return World(repo, commit, keys, base)


def codes(report: ReviewReport) -> list[str]:
    return [f.code for f in report.findings]
