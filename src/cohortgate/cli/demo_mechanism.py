"""The demo's governance: two applications decided with SSH-signed score sheets and decisions,
both released, a leaked copy traced back to its release, and the whole history audited.

Everything happens in the scratch repository and the custodian's zone that ``demo_world``
makes under ``build/demo/``. Each step is the subcommand a committee member or the custodian
runs by hand; where a person would edit a file (score a sheet, sign an agreement) or commit,
the demo does it for them and says so. The L1 application is the repository's own example; the
L2 one is written by the demo (``demo_application`` says why). Every date is fixed.
"""

from __future__ import annotations

import csv
import io
import re
import shlex
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cohortgate.cli.demo_application import L1_APP, L2_APP, L2_SUBMITTED
from cohortgate.cli.demo_world import (
    BASE_DAY,
    DemoError,
    DemoWorld,
    make_world,
    recipient_of,
    recipient_secret,
)
from cohortgate.layout import Layout

QUARTER = "2026Q4"
REVIEWED_ON = "2026-11-20"
DECIDED_ON = "2026-11-25"  # the quarterly meeting
SIGNED_ON = "2026-11-28"  # both agreements, by the custodian and the applicant
RELEASED_ON = "2026-11-29"  # also the first day of access
SCORE = 4  # every reviewer's score of every indicator of their role: 'good'
LEAK_ROWS = 200
CUSTODIAN_PARTY = "数据中心"


@dataclass(frozen=True)
class Plan:
    """Who reviews and who decides. Members from the applying team's institutions are excluded
    (R13, R30): for A-2026-0001 (xhh, shch) that is sun-lei, zhou-ting and the academic chair
    chen-jing, so the data management chair wu-hao records the decision; for A-2026-0003 (xhh)
    only sun-lei. Each set meets the quorum (three academic, two data management members) and
    the expertise its privacy level needs (L1: researcher, data processing; L2: ethics, legal,
    data processing)."""

    app: str
    what: str
    reviewers: tuple[str, ...]
    chair: str


PLANS = (
    Plan(
        L1_APP,
        "L1, aggregate statistics (the repository's example)",
        ("liu-yang", "wang-fang", "zhao-min", "wu-hao", "zheng-li"),
        "wu-hao",
    ),
    Plan(
        L2_APP,
        "L2, patient-level visits by encrypted e-mail (written by the demo)",
        ("chen-jing", "liu-yang", "wang-fang", "zhou-ting", "zheng-li"),
        "chen-jing",
    ),
)

Main = Callable[[Sequence[str]], int]


_PLAIN = re.compile(r"[\w@%+=:,./…-]+")  # no quotes needed (\w: Chinese too)


def command_line(argv: Sequence[str]) -> str:
    """``argv`` as a user would type it into a POSIX shell."""
    return " ".join(a if _PLAIN.fullmatch(a) else shlex.quote(a) for a in argv)


class StepFailed(Exception):
    def __init__(self, title: str, status: int) -> None:
        super().__init__(f"step '{title}' exited {status}")
        self.status = status


@dataclass(frozen=True)
class Steps:
    world: DemoWorld
    main: Main

    def run(self, title: str, argv: list[str], shown: list[str] | None = None) -> None:
        """Print the step as a user would type it (``shown``: with short paths), run it."""
        print(f"==> {title}: cohortgate {command_line(argv if shown is None else shown)}")
        sys.stdout.flush()
        status = self.main([*argv, "--root", str(self.world.repo)])
        sys.stdout.flush()
        if status != 0:
            raise StepFailed(title, status)

    def custodian(self, title: str, argv: list[str], shown: list[str] | None = None) -> None:
        with self.world.custodian_env():
            self.run(title, argv, shown)

    def commit(self, paths: list[str], message: str, when: str, signer: str | None) -> str:
        sha = self.world.commit(paths, message, when, signer)
        how = f"signed with {signer}'s key" if signer else "the custodian's record, unsigned"
        print(f"    git commit {sha[:10]} {message!r} ({how})")
        return sha


def folder_of(app: str) -> str:
    return f"submissions/2026/{app}"


def score_sheet(path: Path) -> None:
    """What the reviewer does with the sheet ``cohortgate sheet`` wrote: score every indicator,
    recommend approval, comment (the header's comment lines are kept)."""
    text = path.read_text("utf-8")
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    data: dict[str, Any] = yaml.safe_load(text)
    data["scores"] = dict.fromkeys(data["scores"], SCORE)
    data["recommendation"] = "approve"
    data["comments"] = "方案科学，所申请变量为研究所必需。Sound protocol; the variables are needed."
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(header + body, "utf-8")


def review(steps: Steps, plan: Plan) -> None:
    """Each reviewer's sheet, scored and committed signed; the review the chairs then see."""
    folder = folder_of(plan.app)
    for who in plan.reviewers:
        argv = ["sheet", plan.app, "--reviewer", who, "--today", REVIEWED_ON]
        steps.run(f"score sheet of {who}", argv)
        score_sheet(steps.world.repo / folder / "reviews" / f"{who}.yaml")
        print(f"    scored by {who}: every indicator {SCORE}, recommends approve")
        when = f"{REVIEWED_ON}T10:00:00+08:00"
        steps.commit([f"{folder}/reviews/{who}.yaml"], f"review {plan.app}", when, who)
    steps.run("committee review", ["review", plan.app, "--today", DECIDED_ON])


def decide(steps: Steps, plan: Plan) -> None:
    """The chair's decision at the quarterly meeting, committed signed."""
    folder = folder_of(plan.app)
    reasons = "两委员会评分达到批准线。Both committees scored it above the approval line."
    argv = ["decide", plan.app, "--chair", plan.chair, "--decision", "approve"]
    argv += ["--quarter", QUARTER, "--reasons", reasons, "--today", DECIDED_ON]
    steps.run(f"decision of the chair {plan.chair}", argv)
    when = f"{DECIDED_ON}T15:00:00+08:00"
    steps.commit([f"{folder}/decision.yaml"], f"decision on {plan.app}", when, plan.chair)


def sign_agreements(steps: Steps, plan: Plan) -> None:
    """Generate both agreements; record a stand-in for each signed scan; commit."""
    folder = folder_of(plan.app)
    path = steps.world.repo / folder
    argv = ["agreements", plan.app, "--custodian", CUSTODIAN_PARTY, "--start", RELEASED_ON]
    steps.custodian("agreements", argv)
    applicant = yaml.safe_load((path / "application.yaml").read_text("utf-8"))["applicant"]
    for kind, name in (("data_use", "dua"), ("confidentiality", "nda")):
        copy = f"agreements/signed-{name}.pdf"
        (path / copy).write_bytes(
            b"%PDF-1.4\n% cohortgate demo: stands for the signed scan of the agreement\n"
        )
        argv = ["agreements", plan.app, "--record", kind, "--copy", str(path / copy)]
        argv += ["--signed-on", SIGNED_ON, "--party", CUSTODIAN_PARTY]
        argv += ["--party", applicant["name"]]
        shown = [*argv[:5], f"{folder}/{copy}", *argv[6:]]
        steps.custodian(f"signed {kind} agreement", argv, shown)
    when = f"{SIGNED_ON}T09:00:00+08:00"
    steps.commit([folder], f"agreements of {plan.app}", when, signer=None)


def release(steps: Steps, plan: Plan, recipient: str) -> str:
    """Release ``plan.app`` to ``recipient``, commit the manifest; the release id."""
    world, folder = steps.world, folder_of(plan.app)
    argv = ["release", plan.app, "--recipient", recipient]
    argv += ["--cohort", str(world.cohort), "--vault", str(world.vault)]
    argv += ["--today", RELEASED_ON, "--start", RELEASED_ON]
    shown = [*argv[:3], recipient[:12] + "…", "--cohort", world.shown(world.cohort)]
    shown += ["--vault", world.shown(world.vault), *argv[8:]]
    steps.custodian(f"release of {plan.app}", argv, shown)
    manifests = sorted((world.repo / folder / "releases").glob("R-*.yaml"))
    if not manifests:
        raise DemoError(f"the release of {plan.app} wrote no manifest")
    when = f"{RELEASED_ON}T16:00:00+08:00"
    steps.commit([f"{folder}/releases"], f"release manifest of {plan.app}", when, signer=None)
    return manifests[-1].stem


def leak(world: DemoWorld, release_id: str) -> Path:
    """What a careless recipient passes on: the package decrypted with the recipient's key,
    LEAK_ROWS rows of the visits without the pseudonym, the columns reordered."""
    from cohortgate.custodian.release.package import unpack

    sealed = (world.custodian / "outbox" / f"{release_id}.tar.age").read_bytes()
    files = unpack(sealed, recipient_secret(world))
    rows = list(csv.DictReader(io.StringIO(files["visit.csv"].decode("utf-8"))))
    names = [n for n in rows[0] if n != "patient_id"][::-1]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows[:LEAK_ROWS])
    path = world.folder / "leaked-visits.csv"
    path.write_text(out.getvalue(), "utf-8")
    return path


def trace_and_audit(steps: Steps, release_id: str) -> None:
    world = steps.world
    leaked = leak(world, release_id)
    print(
        f"    a leaked copy of {release_id}: {LEAK_ROWS} rows of visit.csv, the pseudonym "
        f"removed, the columns reordered ({world.shown(leaked)})"
    )
    argv = ["trace", str(leaked), "--vault", str(world.vault)]
    shown = ["trace", world.shown(leaked), "--vault", world.shown(world.vault)]
    steps.custodian("trace the leak", argv, shown)
    print(f"    (trace names the leak's source as an error finding, 'trace.accused': {release_id})")
    argv = ["audit", "--vault", str(world.vault), "--today", RELEASED_ON]
    shown = ["audit", "--vault", world.shown(world.vault), "--today", RELEASED_ON]
    steps.custodian("audit of the whole history", argv, shown)


def run_mechanism(lay: Layout, main: Main, cohort: Path) -> int:
    """The governance part of the demo, released from ``cohort`` (copied into the demo's
    custodian zone); 0, or the exit status of the first step that fails."""
    try:
        world = make_world(lay, cohort)
    except (DemoError, OSError) as exc:
        print(f"demo stopped: the governance repository could not be made: {exc}", file=sys.stderr)
        return 2
    print(
        f"==> governance repository {world.shown(world.repo)}: the catalog, rubric, roster and "
        f"submissions as of {BASE_DAY}, the roster's {len(world.members)} members with new "
        f"ed25519 keys (ssh-keygen, in {world.shown(world.keys)}/, ignored by git)"
    )
    steps = Steps(world, main)
    try:
        folder = folder_of(L2_APP)  # a path argument is relative to the working directory
        argv = ["validate", str(world.repo / folder), "--received", L2_SUBMITTED]
        argv += ["--today", L2_SUBMITTED]
        shown = ["validate", folder, *argv[2:]]
        steps.run(f"validation of the demo's application {L2_APP}", argv, shown)
        recipient = recipient_of(world)
        released: dict[str, str] = {}
        for plan in PLANS:
            print(f"\n--- the committees review {plan.app}: {plan.what}")
            review(steps, plan)
        print(f"\n--- the quarterly meeting ({QUARTER}, {DECIDED_ON}) decides")
        for plan in PLANS:
            decide(steps, plan)
        print("\n--- the custodian: agreements, releases, a leak traced, the audit")
        for plan in PLANS:
            sign_agreements(steps, plan)
        for plan in PLANS:
            released[plan.app] = release(steps, plan, recipient)
        trace_and_audit(steps, released[L2_APP])
    except StepFailed as exc:
        print(f"demo stopped: {exc}", file=sys.stderr)
        return exc.status
    except (DemoError, OSError, ValueError) as exc:
        print(f"demo stopped: {exc}", file=sys.stderr)
        return 2
    return 0
