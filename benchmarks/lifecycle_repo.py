"""A repository for the track and audit benchmark: applications carried through their lifecycle.

On top of ``benchmarks.review_repo`` (the real catalog and rubric, a roster of 12 members with
keys made by ssh-keygen, copies of the first example application): an applicant key in
``rubric/applicants.yaml``; for each released application five score sheets (a quorum for L1),
the academic chair's decision, both agreements, a release manifest and its lifecycle events
(extension, outputs, completion notice, destruction certificate and its verification, closure,
in a cycle of patterns); unsigned filler commits revising other applications fill the history
up to ``commits``.

Every sheet, decision and event is a REAL SSH-signed commit: the signature is made by
``ssh-keygen -Y sign -n git`` (one process per commit: about 3 ms, measured by the benchmark)
over the exact commit payload, and git verifies it as it verifies ``git commit -S``. The
objects (blobs, trees, commits) are written as loose objects by this module (no ``git``
process per commit), then packed with ``git repack``: building 20,000 commits takes about a
minute, mostly ssh-keygen.

Nothing here is committed: the repository is written under ``build/benchmarks/``.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT
from benchmarks.review_repo import (
    CHAIRS,
    FORM,
    MEMBERS,
    TEMPLATE,
    app_id,
    dump,
    folder_of,
    form_of,
    git,
    roster,
)

TODAY = "2028-06-01"
START = 1_759_309_200  # 2025-10-01T09:00:00Z: the base commit; then one commit a second
APPLICANT_EMAIL = "chen.siyuan@xinhuamed.com.cn"  # the example application's applicant
# Five sheets: three academic (one researcher) and two data management (one data processing),
# the L1 quorum of the real rubric/roster.yaml.
REVIEWERS = ("ac-researcher-1", "ac-legal-1", "ac-ethics-1", "dm-processing-1", "dm-management-2")
CHAIR = CHAIRS["academic"]
VERIFIER = "dm-processing-2"
RECIPIENT = "age1" + "q" * 58
# Event patterns (kinds in order), cycled over the released applications.
FULL = ("extension-request", "extension-granted", "outputs", "completion-notice")
DESTROY = ("destruction-certificate", "destruction-verified", "closure")
PATTERNS = (
    (*FULL, *DESTROY),  # closed after one extension: 7
    ("outputs", "completion-notice", *DESTROY),  # closed: 5
    (*FULL, *DESTROY),
    ("extension-request", "extension-granted"),  # extended, outputs overdue: 2
    (*FULL, *DESTROY),
    ("outputs", "completion-notice", *DESTROY),
    (*FULL, *DESTROY),
    ("outputs",),  # outputs filed, destruction due: 1
)  # 41 events per 8 applications: 5,000 events on 976 of 1,000 applications
# Who signs each kind (None: the applicant).
SIGNER: dict[str, str | None] = {
    "extension-request": None,
    "extension-granted": VERIFIER,
    "outputs": None,
    "completion-notice": None,
    "destruction-certificate": None,
    "destruction-verified": VERIFIER,
    "closure": CHAIR,
}
DAYS = {
    "extension-request": "2027-05-20",
    "extension-granted": "2027-05-25",
    "outputs": "2027-08-20",
    "completion-notice": "2027-10-05",
    "destruction-certificate": "2027-10-10",
    "destruction-verified": "2027-10-15",
    "closure": "2027-10-20",
}


def _epoch(day: str) -> int:
    return int(datetime.fromisoformat(f"{day}T09:00:00+00:00").timestamp())


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ObjectWriter:
    """Loose git objects written straight into ``.git/objects``; an in-memory tree of HEAD."""

    def __init__(self, root: Path) -> None:
        self.objects = root / ".git" / "objects"
        self.tree: dict[str, Any] = {}  # name -> blob id (hex) or subtree dict
        self.cache: dict[int, bytes] = {}  # id(subtree dict) -> its tree id (binary)
        self.head: str | None = None
        self.count = 0

    def write(self, kind: str, content: bytes) -> str:
        data = b"%s %d\0%s" % (kind.encode(), len(content), content)
        oid = hashlib.sha1(data, usedforsecurity=False).hexdigest()
        path = self.objects / oid[:2] / oid[2:]
        if not path.exists():
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(zlib.compress(data, 1))
        return oid

    def put(self, path: str, content: bytes) -> None:
        oid = self.write("blob", content)
        node = self.tree
        parts = path.split("/")
        for part in parts[:-1]:
            self.cache.pop(id(node), None)
            node = node.setdefault(part, {})
        self.cache.pop(id(node), None)
        node[parts[-1]] = oid

    def _tree(self, node: dict[str, Any]) -> bytes:
        cached = self.cache.get(id(node))
        if cached is not None:
            return cached
        entries = []
        for name, child in node.items():
            if isinstance(child, dict):
                entries.append((name + "/", b"40000 %s\0%s" % (name.encode(), self._tree(child))))
            else:
                entries.append((name, b"100644 %s\0%s" % (name.encode(), bytes.fromhex(child))))
        entries.sort()
        oid = bytes.fromhex(self.write("tree", b"".join(e for _, e in entries)))
        self.cache[id(node)] = oid
        return oid

    def commit(self, when: int, message: str, who: str, key: Path | None = None) -> str:
        ident = f"{who} <{who}@bench.example> {when} +0000"
        head = f"tree {self._tree(self.tree).hex()}\n"
        if self.head is not None:
            head += f"parent {self.head}\n"
        head += f"author {ident}\ncommitter {ident}\n"
        body = f"\n{message}\n"
        payload = (head + body).encode()
        if key is not None:
            signature = subprocess.run(
                ["ssh-keygen", "-q", "-Y", "sign", "-n", "git", "-f", str(key.with_suffix(""))],
                input=payload,
                capture_output=True,
                check=True,
            ).stdout.decode()
            lines = signature.strip("\n").split("\n")
            payload = (head + "gpgsig " + "\n ".join(lines) + "\n" + body).encode()
        self.head = self.write("commit", payload)
        self.count += 1
        return self.head


@dataclass
class LifecycleRepo:
    root: Path
    applications: int
    released: int
    events: int
    signed: int
    commits: int
    build_seconds: float
    sign_seconds: float
    releases: list[str] = field(default_factory=list)


def _sheet(member: dict[str, Any], app: str, digests: dict[str, str], rubric: Any) -> bytes:
    from cohortgate.approval.eligibility import role_indicators
    from cohortgate.models.roster import Member

    person = Member.model_validate(member)
    return dump(
        {
            "application": app,
            "reviewer": person.id,
            "reviewed_on": "2026-11-20",
            "files": digests,
            "scores": {i.id: 5 for i in role_indicators(rubric, person)},
            "recommendation": "approve",
            "comments": "Sound protocol; the variables requested are necessary.",
        }
    )


def _agreements(app: str) -> bytes:
    def record(kind: str, name: str) -> dict[str, Any]:
        return {
            "kind": kind,
            "version": _sha(name.encode()),
            "signed_copy": f"agreements/{name}.pdf",
            "signed_copy_sha256": _sha(b"signed"),
            "signed_on": "2026-12-01",
            "parties": ["Data centre", "Chen Siyuan"],
        }

    return dump(
        {
            "application": app,
            "agreements": [record("data_use", "dua"), record("confidentiality", "ca")],
        }
    )


def manifest(app: str, release: str, log_head: str) -> dict[str, Any]:
    return {
        "release": release,
        "application": app,
        "privacy_level": "L1",
        "delivery": "aggregate_report",
        "variables": [{"table": "labs", "name": "analyte", "treatment": "aggregated"}],
        "rows": {"labs": 120},
        "files": {"report.pdf": _sha(b"report")},
        "package": {"name": f"{release}.tar.age", "sha256": _sha(b"package"), "bytes": 2048},
        "recipient": RECIPIENT,
        "risk": {"k_min": 11},
        "access_start": "2026-12-10",
        "access_end": "2027-09-30",
        "created_on": "2026-12-10",
        "vault_log_head": log_head,
        "enclave": False,
    }


def _event(app: str, kind: str, release: str, attachments: dict[str, str]) -> bytes:
    applicant = kind in {"outputs", "extension-request", "completion-notice"} or kind.startswith(
        "destruction-cert"
    )
    by = APPLICANT_EMAIL if applicant else (CHAIR if kind == "closure" else VERIFIER)
    data: dict[str, Any] = {"kind": kind, "application": app, "at": DAYS[kind], "by": by}
    if kind == "extension-request":
        data.update(reasons="Recruitment of controls took longer.", new_end="2027-09-10")
    if kind == "extension-granted":
        data["new_end"] = "2027-09-10"
    if kind == "outputs":
        data.update(attachments=attachments, citation="Data: the pediatric cohort (cohortgate).")
    if kind == "destruction-certificate":
        data.update(release=release, attachments=attachments)
    if kind == "destruction-verified":
        data["release"] = release
    return dump(data)


def plan(commits: int, events: int | None = None) -> tuple[int, int]:
    """(released applications, events) for a history of ``commits``: ``events`` (by default a
    quarter of the commits: 5,000 of 20,000); released applications as many as the patterns
    need."""
    events = commits // 4 if events is None else events
    released, total = 0, 0
    while total < events:
        total += len(PATTERNS[released % len(PATTERNS)])
        released += 1
    return released, total


def build(
    target: Path,
    keys: dict[str, Path],
    applicant: Path,
    applications: int,
    commits: int,
    events: int | None = None,
) -> LifecycleRepo:
    """Build the repository at ``target`` (replacing it); ``keys`` from ``make_keys``,
    ``applicant`` the applicant's public key (ssh-keygen, the private key beside it)."""
    import yaml

    from cohortgate.models.rubric import Rubric

    started = time.perf_counter()
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    git(target, "init", "-q", "--initial-branch=main")
    writer = ObjectWriter(target)
    rubric = Rubric.model_validate(
        yaml.safe_load((ROOT / "rubric" / "rubric.yaml").read_text("utf-8"))
    )
    members = {m["id"]: m for m in roster(keys)["members"]}
    released, events = plan(commits, events)
    released = min(released, applications)
    # --- the base commit
    for source in sorted((ROOT / "catalog").rglob("*")):
        if source.is_file():
            writer.put(source.relative_to(ROOT).as_posix(), source.read_bytes())
    for name in ("mkdocs.yml", "mkdocs.en.yml"):
        writer.put(name, (ROOT / name).read_bytes())
    for name in ("rubric.yaml", "blacklist.yaml"):
        writer.put(f"rubric/{name}", (ROOT / "rubric" / name).read_bytes())
    writer.put("rubric/roster.yaml", dump(roster(keys)))
    applicants = {
        "applicants": [
            {
                "email": APPLICANT_EMAIL,
                "ssh_key": applicant.read_text("ascii").strip(),
                "added_on": "2026-12-01",
                "added_by": "dm-management-1",
            }
        ]
    }
    writer.put("rubric/applicants.yaml", dump(applicants))
    template = (TEMPLATE / FORM).read_text("utf-8")
    attachments = {p.name: p.read_bytes() for p in sorted(TEMPLATE.iterdir()) if p.name != FORM}
    digests: dict[int, dict[str, str]] = {}
    for number in range(1, applications + 1):
        form = form_of(template, number)
        writer.put(f"{folder_of(number)}/{FORM}", form)
        for name, data in attachments.items():
            writer.put(f"{folder_of(number)}/{name}", data)
        digests[number] = {FORM: _sha(form), **{n: _sha(d) for n, d in attachments.items()}}
    when = START
    writer.commit(when, "Catalog, rubric, roster and applications", "bench")
    # --- the lifecycle steps, in phases; each (path, content, signer key or None, author)
    steps: list[list[tuple[str, bytes, Path | None, str]]] = []
    key_of = {m: keys[m] for m in keys}
    numbers = list(range(1, released + 1))
    steps.append(
        [
            (
                f"{folder_of(n)}/reviews/{who}.yaml",
                _sheet(members[who], app_id(n), digests[n], rubric),
                key_of[who],
                who,
            )
            for who in REVIEWERS
            for n in numbers
        ]
    )
    decision = {
        "quarter": "2026Q4",
        "decided_on": "2026-11-25",
        "decision": "approve",
        "reasons": "Scored by the committees at the quarterly meeting.",
        "conditions": [],
    }
    steps.append(
        [
            (
                f"{folder_of(n)}/decision.yaml",
                dump({"application": app_id(n), **decision, "files": digests[n]}),
                key_of[CHAIR],
                CHAIR,
            )
            for n in numbers
        ]
    )
    steps.append(
        [(f"{folder_of(n)}/agreements.yaml", _agreements(app_id(n)), None, "dm") for n in numbers]
    )
    release_ids = [f"R{app_id(n)[1:]}-01" for n in numbers]
    steps.append(
        [
            (
                f"{folder_of(n)}/releases/{r}.yaml",
                dump(manifest(app_id(n), r, _sha(f"log {r}".encode()))),
                None,
                "custodian",
            )
            for n, r in zip(numbers, release_ids, strict=True)
        ]
    )
    filed = 0
    for phase in DAYS:
        batch: list[tuple[str, bytes, Path | None, str]] = []
        for index, n in enumerate(numbers):
            pattern = PATTERNS[index % len(PATTERNS)]
            if phase not in pattern or filed >= events:
                continue
            folder, app = folder_of(n), app_id(n)
            attached: dict[str, str] = {}
            if phase in ("outputs", "destruction-certificate"):
                name = "manuscript.pdf" if phase == "outputs" else "certificate.pdf"
                content = f"%PDF {name} of {app}".encode()
                batch.append((f"{folder}/events/{name}", content, None, "applicant"))
                attached = {name: _sha(content)}
            role = SIGNER[phase]
            signer = key_of[role] if role else applicant
            path = f"{folder}/events/{DAYS[phase]}-{phase}.yaml"
            content = _event(app, phase, release_ids[index], attached)
            batch.append((path, content, signer, "event"))
            filed += 1
        steps.append(batch)
    planned = sum(len(b) for b in steps) + 1
    fillers = commits - planned
    if fillers < 0:
        raise SystemExit(f"{commits} commits cannot hold the {planned} lifecycle commits")
    # spread the fillers between the phases, revising applications that were not released
    per_phase = fillers // len(steps)
    extra = fillers - per_phase * len(steps)
    unreleased = list(range(released + 1, applications + 1)) or [applications]
    sign_seconds = 0.0
    filler = 0
    phase_days = ["2026-11-20", "2026-11-25", "2026-12-01", "2026-12-10", *DAYS.values()]
    for i, batch in enumerate(steps):
        # signatures are checked against the keys' validity: commits carry their step's day
        when = max(when, _epoch(phase_days[i]) - per_phase - extra - 1)
        for _ in range(per_phase + (extra if i == len(steps) - 1 else 0)):
            number = unreleased[filler % len(unreleased)]
            filler += 1
            writer.put(f"{folder_of(number)}/{FORM}", form_of(template, number, filler))
            when += 1
            writer.commit(when, f"Revise {app_id(number)} (filler {filler})", "filler")
        for path, content, key, who in batch:
            writer.put(path, content)
            when += 1
            t = time.perf_counter()
            writer.commit(when, f"{path.rsplit('/', 1)[-1]}", who, key)
            if key is not None:
                sign_seconds += time.perf_counter() - t
    git(target, "update-ref", "refs/heads/main", writer.head or "")
    git(target, "repack", "-adq")
    git(target, "prune-packed")
    git(target, "reset", "-q", "--hard", "main")
    counted = int(git(target, "rev-list", "--count", "HEAD"))
    assert counted == commits, (counted, commits)
    signed = sum(1 for b in steps for s in b if s[2] is not None)
    return LifecycleRepo(
        target,
        applications,
        released,
        filed,
        signed,
        counted,
        time.perf_counter() - started,
        sign_seconds,
        release_ids,
    )


def applicant_key(folder: Path) -> Path:
    private = folder / "applicant"
    if not private.exists():
        argv = ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "applicant@bench"]
        subprocess.run([*argv, "-f", str(private)], check=True)
    return private.with_suffix(".pub")


__all__ = ["MEMBERS", "LifecycleRepo", "applicant_key", "build"]
