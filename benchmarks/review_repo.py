"""A repository for the review benchmark: many applications, a long history, signed sheets.

The real catalog and rubric; a roster of 12 members (8 academic, 4 data management; the quorum
of the real ``rubric/roster.yaml``) whose ed25519 keys ssh-keygen makes in a temporary folder;
``applications`` copies of the first example application (ids ``A-2026-0001`` ...); a history
of ``commits`` commits written by ``git fast-import`` (one commit holding everything, then
unsigned filler commits, each changing the form of a random OTHER application, seeded); and
last, one score sheet per member for the target application, each in its own REAL SSH-signed
commit (``git -c gpg.format=ssh -c user.signingkey=... commit -S``). With ``after`` > 0, that
many filler commits follow the sheets (sheets buried in the history, as when other pull
requests were merged since). The history counts every commit: base + fillers + sheets.

Nothing here is committed: the repository is written under ``build/benchmarks/``.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from benchmarks.common import ROOT

YEAR = 2026
TARGET = f"A-{YEAR}-0001"
TEMPLATE = ROOT / "submissions" / str(YEAR) / TARGET
FORM = "application.yaml"
START = 1_759_309_200  # 2025-10-01T09:00:00Z: the first commit; one filler per 10 minutes
SHEET_DAY = "2026-11-20"
TODAY = "2026-11-29"
# id, committee, expertise, institution. The target application's team is from xhh and shch:
# nobody here is, so all 12 sheets count.
MEMBERS = (
    ("ac-medical-1", "academic", "medical", "fdpch"),
    ("ac-medical-2", "academic", "medical", "scmc"),
    ("ac-legal-1", "academic", "legal", "bch"),
    ("ac-legal-2", "academic", "legal", "gzwcmc"),
    ("ac-ethics-1", "academic", "ethics", "fdpch"),
    ("ac-ethics-2", "academic", "ethics", "chcmu"),
    ("ac-researcher-1", "academic", "researcher", "bch"),
    ("ac-researcher-2", "academic", "researcher", "zjch"),
    ("dm-processing-1", "data_management", "data_processing", "fdpch"),
    ("dm-processing-2", "data_management", "data_processing", "scmc"),
    ("dm-management-1", "data_management", "management", "bch"),
    ("dm-management-2", "data_management", "management", "gzwcmc"),
)
CHAIRS = {"academic": "ac-medical-1", "data_management": "dm-management-1"}
# Children see no global or system git configuration (nor the developer's signing setup).
GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


@dataclass(frozen=True)
class ReviewRepo:
    root: Path
    target: str  # application id
    folder: str  # its folder, repository-relative
    commits: int  # in the history of HEAD
    sheet_shas: tuple[str, ...]  # the 12 signed commits
    allowed_signers: Path  # the roster's keys, for the git-only peer
    build_seconds: float


def git(
    root: Path, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=root,
        input=stdin,
        capture_output=True,
        check=False,
        env={**os.environ, **GIT_ENV, **(env or {})},
    )
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args[:3])} failed: {done.stderr.decode()[-2000:]}")
    return done.stdout.decode()


def make_keys(folder: Path) -> dict[str, Path]:
    """{member id: public key path}; the private key lies beside it."""
    keys: dict[str, Path] = {}
    for member_id, *_ in MEMBERS:
        private = folder / member_id
        argv = ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{member_id}@bench"]
        subprocess.run([*argv, "-f", str(private)], check=True)
        keys[member_id] = private.with_suffix(".pub")
    return keys


def roster(keys: dict[str, Path]) -> dict[str, Any]:
    members = [
        {
            "id": member_id,
            "name": member_id.replace("-", " ").title(),
            "committee": committee,
            "expertise": expertise,
            "institution": institution,
            "term_start": "2025-01-01",
            "term_end": "2027-12-31",
            "github": f"gh-{member_id}",
            "ssh_key": keys[member_id].read_text("ascii").strip(),
            "principal": f"{member_id}@damc.example",
        }
        for member_id, committee, expertise, institution in MEMBERS
    ]
    real = yaml.safe_load((ROOT / "rubric" / "roster.yaml").read_text("utf-8"))
    return {
        "members": members,
        "chairs": [{"committee": c, "member": m} for c, m in CHAIRS.items()],
        "quorum": real["quorum"],
    }


def dump(data: dict[str, Any]) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


def app_id(number: int) -> str:
    return f"A-{YEAR}-{number:04d}"


def folder_of(number: int) -> str:
    return f"submissions/{YEAR}/{app_id(number)}"


class Stream:
    """A ``git fast-import`` stream, built in memory."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.marks = 0

    def blob(self, data: bytes) -> int:
        self.marks += 1
        self.parts.append(b"blob\nmark :%d\ndata %d\n%s\n" % (self.marks, len(data), data))
        return self.marks

    def commit(
        self, when: int, message: str, files: dict[str, bytes | int], resume: bool = False
    ) -> None:
        """A commit on main: after the previous one of this stream, or with ``resume`` after
        the branch as git has it (the first commit of a later stream)."""
        text = message.encode("utf-8")
        self.parts.append(
            b"commit refs/heads/main\n"
            b"committer Filler <filler@example.org> %d +0000\n"
            b"data %d\n%s\n" % (when, len(text), text)
        )
        if resume:
            self.parts.append(b"from refs/heads/main^0\n")
        for path, content in files.items():
            if isinstance(content, int):
                self.parts.append(b"M 100644 :%d %s\n" % (content, path.encode("utf-8")))
            else:
                self.parts.append(
                    b"M 100644 inline %s\ndata %d\n%s\n"
                    % (path.encode("utf-8"), len(content), content)
                )
        self.parts.append(b"\n")

    def data(self) -> bytes:
        return b"".join(self.parts) + b"done\n"


def form_of(template: str, number: int, revision: int = 0) -> bytes:
    text = template.replace(f"id: {TARGET}\n", f"id: {app_id(number)}\n", 1)
    if revision:
        text = text.replace("\ntitle: ", f"\n# revision {revision}\ntitle: ", 1)
    return text.encode("utf-8")


def base_files(applications: int, keys: dict[str, Path], stream: Stream) -> dict[str, bytes | int]:
    files: dict[str, bytes | int] = {}
    for path in sorted((ROOT / "catalog").rglob("*")):
        if path.is_file():
            files[path.relative_to(ROOT).as_posix()] = stream.blob(path.read_bytes())
    for name in ("mkdocs.yml", "mkdocs.en.yml"):  # with catalog/: how cohortgate finds the root
        files[name] = stream.blob((ROOT / name).read_bytes())
    for name in ("rubric.yaml", "blacklist.yaml"):
        files[f"rubric/{name}"] = stream.blob((ROOT / "rubric" / name).read_bytes())
    files["rubric/roster.yaml"] = dump(roster(keys))
    attachments = {
        p.name: stream.blob(p.read_bytes()) for p in sorted(TEMPLATE.iterdir()) if p.name != FORM
    }
    template = (TEMPLATE / FORM).read_text("utf-8")
    for number in range(1, applications + 1):
        files[f"{folder_of(number)}/{FORM}"] = form_of(template, number)
        for name, mark in attachments.items():
            files[f"{folder_of(number)}/{name}"] = mark
    return files


def fillers(
    stream: Stream,
    rng: random.Random,
    applications: int,
    count: int,
    first: int,
    start: int,
    resume: bool = False,
) -> int:
    """``count`` filler commits, numbered from ``first``; returns the next timestamp."""
    template = (TEMPLATE / FORM).read_text("utf-8")
    when = start
    for k in range(count):
        number = rng.randint(2, applications)  # never the target (number 1)
        n = first + k
        stream.commit(
            when,
            f"Revise {app_id(number)} (filler {n})",
            {f"{folder_of(number)}/{FORM}": form_of(template, number, n)},
            resume=resume and k == 0,
        )
        when += 600
    return when


def sheet(record: dict[str, Any], digests: dict[str, str], rng: random.Random) -> bytes:
    """The member's score sheet: every indicator of their role scored 3 to 5, approve."""
    from cohortgate.approval.eligibility import role_indicators
    from cohortgate.models.roster import Member
    from cohortgate.models.rubric import Rubric

    rubric = Rubric.model_validate(
        yaml.safe_load((ROOT / "rubric" / "rubric.yaml").read_text("utf-8"))
    )
    person = Member.model_validate(record)
    return dump(
        {
            "application": TARGET,
            "reviewer": person.id,
            "reviewed_on": SHEET_DAY,
            "files": digests,
            "scores": {i.id: rng.randint(3, 5) for i in role_indicators(rubric, person)},
            "recommendation": "approve",
            "comments": "Sound protocol; the variables requested are necessary.",
        }
    )


def sign_sheets(root: Path, keys: dict[str, Path], rng: random.Random, when: int) -> list[str]:
    folder = root / folder_of(1)
    digests = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }
    records = {m["id"]: m for m in roster(keys)["members"]}
    shas: list[str] = []
    for member_id, *_ in MEMBERS:
        rel = f"{folder_of(1)}/reviews/{member_id}.yaml"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(sheet(records[member_id], digests, rng))
        git(root, "add", rel)
        stamp = f"@{when} +0000"
        env = {
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
            "GIT_AUTHOR_NAME": member_id,
            "GIT_COMMITTER_NAME": member_id,
            "GIT_AUTHOR_EMAIL": f"{member_id}@damc.example",
            "GIT_COMMITTER_EMAIL": f"{member_id}@damc.example",
        }
        signing = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={keys[member_id]}"]
        git(root, *signing, "commit", "-S", "-q", "-m", f"Review of {TARGET}", env=env)
        shas.append(git(root, "rev-parse", "HEAD").strip())
        when += 600
    return shas


def allowed_signers_file(keys: dict[str, Path], path: Path) -> Path:
    """The roster's keys as git's allowed-signers file, written here for the git-only peer."""
    lines = []
    for member_id, *_ in MEMBERS:
        key = " ".join(keys[member_id].read_text("ascii").split()[:2])
        lines.append(f'{member_id}@damc.example namespaces="git" {key}\n')
    path.write_text("".join(lines), "ascii")
    return path


def build(
    target: Path,
    keys: dict[str, Path],
    applications: int,
    commits: int,
    after: int = 0,
    seed: int = 2026,
) -> ReviewRepo:
    """Build the repository at ``target`` (replacing it); ``keys`` from ``make_keys``."""
    started = time.perf_counter()
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    rng = random.Random(seed)
    git(target, "init", "-q", "--initial-branch=main")
    git(target, "config", "user.name", "Bench")
    git(target, "config", "user.email", "bench@example.org")
    before = commits - 1 - len(MEMBERS) - after
    if before < 0:
        raise SystemExit(
            f"{commits} commits cannot hold the base, {len(MEMBERS)} sheets and {after} more"
        )
    stream = Stream()
    stream.commit(
        START, "Catalog, rubric, roster and applications", base_files(applications, keys, stream)
    )
    when = fillers(stream, rng, applications, before, 1, START + 600)
    git(target, "fast-import", "--quiet", "--done", stdin=stream.data())
    git(target, "reset", "-q", "--hard", "main")
    shas = sign_sheets(target, keys, rng, when)
    if after:
        tail = Stream()
        fillers(tail, rng, applications, after, before + 1, when + 600 * (len(MEMBERS) + 1), True)
        git(target, "fast-import", "--quiet", "--done", stdin=tail.data())
        git(target, "reset", "-q", "--hard", "main")
    counted = int(git(target, "rev-list", "--count", "HEAD"))
    assert counted == commits, (counted, commits)
    signers = allowed_signers_file(keys, target.parent / f"{target.name}.allowed_signers")
    return ReviewRepo(
        target, TARGET, folder_of(1), counted, tuple(shas), signers, time.perf_counter() - started
    )
