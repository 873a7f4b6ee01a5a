"""A review world carried past the decision: agreements, a release, applicants' keys, events.

On top of ``tests/review/review_world.py`` (the real catalog and rubric, a roster of test
members with real ssh-keygen keys, A-2026-0001 applied for by chen.siyuan@xinhuamed.com.cn of
xhh): ``approve()`` signs three sheets and alice's decision (a valid 'approve'), ``agree()``
commits both agreements, ``release()`` a manifest whose access starts on 2026-12-10, so the
tracking period ends on 2027-06-10. The applicant signs with the key ``applicant``; ``intruder``
is a key nobody lists.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from review_world import APP, APPLICANT_EMAIL, FOLDER, World, dump

from cohortgate.layout import Layout
from cohortgate.lifecycle.history import Histories, Lifecycle
from cohortgate.lifecycle.reviewed import lifecycles

APPLICANTS = "rubric/applicants.yaml"
RELEASE = "R-2026-0001-01"
ACCESS_START = "2026-12-10"
TRACKING_END = date(2027, 6, 10)
LATER = date(2028, 6, 1)
RECIPIENT = "age1" + "q" * 58


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest(release: str = RELEASE, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "release": release,
        "application": APP,
        "privacy_level": "L1",
        "delivery": "aggregate_report",
        "variables": [{"table": "labs", "name": "analyte", "treatment": "aggregated"}],
        "rows": {"labs": 120},
        "files": {"report.pdf": sha("report")},
        "package": {"name": f"{release}.tar.age", "sha256": sha("package"), "bytes": 2048},
        "recipient": RECIPIENT,
        "risk": {"k_min": 11},
        "access_start": ACCESS_START,
        "access_end": "2027-12-31",
        "created_on": ACCESS_START,
        "vault_log_head": sha("log"),
        "enclave": False,
    }
    data.update(fields)
    return data


@dataclass
class LifeWorld:
    world: World
    base: str  # the trusted commit: rules, roster and rubric/applicants.yaml
    counter: int = 0

    @property
    def commit(self) -> Any:
        return self.world.commit

    def approve(self) -> None:
        for who in ("dave", "bob", "erin"):
            self.world.sign_sheet(who, scores=self.world.role_scores(who, 5))
        self.world.decide("approve")

    def agree(self, signed_on: str = "2026-12-01") -> str:
        def record() -> dict[str, Any]:
            return {
                "signed_copy_sha256": sha("signed"),
                "signed_on": signed_on,
                "parties": ["Data centre", "Chen Siyuan"],
            }

        data = {
            "application": APP,
            "agreements": [
                {
                    "kind": "data_use",
                    "version": sha("dua"),
                    "signed_copy": "agreements/dua.pdf",
                    **record(),
                },
                {
                    "kind": "confidentiality",
                    "version": sha("ca"),
                    "signed_copy": "agreements/ca.pdf",
                    **record(),
                },
            ],
        }
        return self.commit(
            {f"{FOLDER}/agreements.yaml": dump(data)}, when=f"{signed_on}T09:00:00+00:00"
        )

    def release(self, release: str = RELEASE, **fields: Any) -> str:
        data = manifest(release, **fields)
        path = f"{FOLDER}/releases/{release}.yaml"
        return self.commit({path: dump(data)}, when=f"{data['created_on']}T09:00:00+00:00")

    def released(self) -> None:
        self.approve()
        self.agree()
        self.release()

    def attach(self, name: str, text: str) -> dict[str, str]:
        """Commit a file in the application's events/ folder; its {name: sha256}."""
        self.commit({f"{FOLDER}/events/{name}": text})
        return {name: sha(text)}

    def event(
        self,
        kind: str,
        at: str,
        signer: str | None,
        *,
        by: str | None = None,
        name: str | None = None,
        application: str = APP,
        extra_files: dict[str, str] | None = None,
        **fields: Any,
    ) -> str:
        """Write events/<at>-<kind>.yaml and commit it alone, signed by ``signer``."""
        applicant_kinds = {
            "outputs",
            "extension-request",
            "completion-notice",
            "destruction-certificate",
        }
        default_by = APPLICANT_EMAIL if kind in applicant_kinds else (signer or "frank")
        data: dict[str, Any] = {
            "kind": kind,
            "application": application,
            "at": at,
            "by": by or default_by,
        }
        data.update(fields)
        path = f"{FOLDER}/events/{name or f'{at}-{kind}'}.yaml"
        files = {path: dump(data), **(extra_files or {})}
        return self.commit(files, signer=signer, when=f"{at}T12:00:00+00:00")

    def outputs(self, at: str, signer: str | None = "applicant", **fields: Any) -> str:
        attached = self.attach(f"outputs/manuscript-{at}.pdf", f"%PDF manuscript {at}")
        fields.setdefault("attachments", attached)
        fields.setdefault("citation", "Data: the pediatric rare-disease cohort (cohortgate).")
        return self.event("outputs", at, signer, **fields)

    def histories(self, today: date = LATER, head: str = "HEAD") -> Histories:
        repo = self.world.repo
        return lifecycles(
            repo,
            Layout(self.world.root),
            base=repo.commit(self.base),
            head=repo.commit(head),
            today=today,
        )

    def life(self, today: date = LATER) -> Lifecycle:
        found = self.histories(today)
        assert found.findings == [], found.findings
        return next(x for x in found.lifecycles if x.application == APP)


def applicants_yaml(entries: list[tuple[str, str]]) -> str:
    return dump(
        {
            "applicants": [
                {"email": email, "ssh_key": key, "added_on": "2026-12-01", "added_by": "frank"}
                for email, key in entries
            ]
        }
    )


def codes(life: Lifecycle) -> list[str]:
    return [f.code for f in life.findings]
