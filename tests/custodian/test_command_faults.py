"""Every custodian command killed at every write point (issue 13): ``cohortgate release`` (an L2
package and an enclave release), ``optout``, ``agreements --record``, ``trace``, ``stats`` and
``site build``, each run in-process (``cohortgate.cli.main``) on a real signed repository, a real
vault and a tiny real cohort.

For each command: one run counts its write points (``tests/faults.py``: ``os.fsync``,
``os.replace``, ``os.rename`` and the directory exchange, call by call; ``Path.replace`` and
``shutil.move`` end in them) and keeps the state it leaves as the reference. Then, for every N
up to that count, the state before the command is restored (a copy of the repository, the
custodian's folder and the vault, made once), the command is killed at its N-th write point
(``faults.Crash``: a BaseException, and nothing is written after it) and

- ``cohortgate audit --vault`` (which recovers what the kill left, on opening the vault) exits 0:
  a ``file.recovered`` or ``audit.vault-release-unpublished`` warning is fine, an error is not;
- the state is the previous one or the new one whole: the manifest and its package (or its
  enclave workspace) together or not at all, a release's vault records all or none, the
  statistics all old or all new, the rest byte for byte as before (the vault's log may only
  have grown);
- the same command run again succeeds and leaves the new state whole, or, when the kill came
  after the new state was complete, refuses the repeat as it refuses any (a second release
  needs ``--reason``; an opt-out is recorded once) and writes nothing.

The outcomes of one command's kills are computed once (``killed``) and judged by the three
tests, so that a failure names the command, the check and the write point (function and line).
A kill loses nothing that was written but not synced, so ``os.fsync`` is counted but not
performed here; the parse caches are warmed first, so that the kills land on the command's own
writes. The site is built with MkDocs and the page generator stubbed (the swap is what a kill
can break; tests/test_transactions.py builds it the same way).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pyrage  # type: ignore[import-untyped]
import pytest
import yaml
from cohort_fixtures import SEED, read
from signed_release_world import GENETIC, L2, NAMES, build_signed_world, folder_of

from cohortgate.cli import main
from cohortgate.custodian.cohort.synth import generate
from cohortgate.custodian.participants.optout import window_of
from cohortgate.custodian.release.package import unpack
from cohortgate.custodian.vault.store import Vault
from cohortgate.layout import Layout
from cohortgate.site import build as site_build
from cohortgate.site.generate import Generated
from faults import COMMIT_POINTS, Crash, Faults, fake_mkdocs, snapshot
from signing import committer, init_repo, make_keys

PATIENTS = 300  # enough for the L2 release to pass the re-identification gate
TODAY = "2026-11-29"
Files = dict[str, bytes]


# --- the worlds: made once, copied back before every kill ------------------------------------


@dataclass
class Worlds:
    bases: dict[str, Path]  # name -> a folder holding repo/, vault/ (and leak.csv)
    work: Path  # where every run happens (the same path each time)
    recipient: str
    optout_id: str


def _leak(world: Path, identity: Any) -> None:
    """200 rows of the L2 package's visits, the pseudonym dropped and the columns reordered."""
    sealed = (world / "repo/custodian/outbox/R-2026-0003-01.tar.age").read_bytes()
    visits = list(csv.DictReader(io.StringIO(unpack(sealed, str(identity))["visit.csv"].decode())))
    names = [n for n in visits[0] if n != "patient_id"][::-1]
    with (world / "leak.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=names, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(visits[:200])


def _consenting(cohort: Path) -> str:
    """A participant who may withdraw on TODAY (broad consent, not withdrawn, in the window)."""
    today = date.fromisoformat(TODAY)
    rows = read(cohort, "consent", "patient_id", "broad_consent_date", "withdrawal_date")
    return next(
        str(pid)
        for pid, consented, withdrawn in rows
        if consented is not None and withdrawn is None and consented <= today
        if today <= window_of(consented)[1]
    )


def _old_site(root: Path) -> None:
    site = root / "build" / "site"
    (site / "en").mkdir(parents=True)
    (site / "index.html").write_text("old zh\n", "utf-8")
    (site / "en" / "index.html").write_text("old en\n", "utf-8")
    (site / "old.css").write_text("old\n", "utf-8")


def _memory() -> str | None:
    """A folder in memory where the system has one (Linux), else the usual temporary folder:
    every kill copies the world back, and a disk makes that the slowest step."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


@pytest.fixture(scope="module")
def worlds() -> Iterator[Worlds]:
    """``approved``: L2 and the genetic application approved with signed agreements, a vault;
    ``released``: that, L2 released and a leak of it; ``signed``: ``approved`` and a new signed
    copy of L2's data use agreement to record; ``site``: a previous site build."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        patch.setattr(os, "fsync", lambda fd: None)  # a kill loses no unsynced write
        folder = Path(tempfile.mkdtemp(prefix="command-faults-", dir=_memory()))
        keys = make_keys(folder, NAMES)
        cohort = generate(folder / "cohort.duckdb", PATIENTS, SEED).path
        approved = folder / "approved"
        repo = init_repo(approved / "repo")
        world = build_signed_world(repo, committer(repo, keys), keys, cohort)
        world.approve(L2)
        world.approve(GENETIC)
        repo.close()
        Vault.create(approved / "vault")
        identity = pyrage.x25519.Identity.generate()
        recipient = str(identity.to_public())
        released = folder / "released"
        shutil.copytree(approved, released, symlinks=True)
        with _quiet() as out:
            code = main(_release_argv(released, L2, "--recipient", recipient))
        assert code == 0, out.getvalue()
        _leak(released, identity)
        signed = folder / "signed"
        shutil.copytree(approved, signed, symlinks=True)
        copy = signed / "repo" / folder_of(L2) / "agreements" / "signed-dua-v2.pdf"
        copy.write_bytes(b"%PDF-1.4 signed again, dua")  # what `agreements --record` records
        site = folder / "site"
        _old_site(site / "repo")
        bases = {"approved": approved, "released": released, "signed": signed, "site": site}
        try:
            yield Worlds(bases, folder / "work", recipient, _consenting(cohort))
        finally:
            shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _quiet() -> Iterator[io.StringIO]:
    """The command's stdout and stderr, together (rich writes to sys.stderr)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        yield out


def _restore(base: Path, work: Path) -> None:
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(base, work, symlinks=True)


# --- the state, as files ------------------------------------------------------------------------

LOG = ("vault/log.jsonl", "vault/log.head", "vault/log.lock")
_INPUTS = (
    "repo/.git",  # read only
    "repo/build/cache",  # caches: a lost or stale entry is a miss
    "repo/custodian/cohort.duckdb",  # read only
)
_NOT_STATE = (*_INPUTS, *LOG)  # the log is judged apart: it only grows (reads are logged too)


def _skip(rel: str) -> bool:
    """Not the state: read-only inputs, caches, the log, and what a kill leaves beside a
    file or folder being written (hidden names: staging folders, temporary files, the vault's
    journal), which the next writer recovers."""
    return rel in _NOT_STATE or rel.rsplit("/", 1)[-1].startswith(".")


def _state(work: Path) -> Files:
    return snapshot(work, _skip)


def _log(work: Path) -> list[bytes]:
    path = work / "vault" / "log.jsonl"
    return path.read_bytes().splitlines() if path.exists() else []


def _diff(one: Mapping[str, bytes], other: Mapping[str, bytes]) -> str:
    changed = sorted(k for k in one.keys() & other.keys() if one[k] != other[k])
    return (
        f"only before: {sorted(one.keys() - other.keys())[:6]}, "
        f"only after: {sorted(other.keys() - one.keys())[:6]}, changed: {changed[:6]}"
    )


class Torn(AssertionError):
    """The state is neither the previous one nor the new one whole."""


# Judges: (the state before, the reference state after an uninjected run, the state now) ->
# "old", "new", or, for releases, what each new release has; Torn when it is neither.
Judge = Callable[[Files, Files, Files], str]


def _old_or_new(old: Files, new: Files, now: Files) -> str:
    if now == new:  # first: a command that only reads (trace) leaves old == new
        return "new"
    if now == old:
        return "old"
    raise Torn(f"neither the previous state nor the new one: {_diff(old, now)}")


def _part(rel: str, app: str) -> tuple[str, str] | None:
    """(release id, part) when ``rel`` is a file of one of ``app``'s releases."""
    stem = "R-" + app.removeprefix("A-") + "-"
    parts = rel.split("/")
    if rel.startswith(f"repo/{folder_of(app)}/releases/{stem}") and rel.endswith(".yaml"):
        return parts[-1].removesuffix(".yaml"), "manifest"
    if rel.startswith(f"repo/custodian/outbox/{stem}") and rel.endswith(".tar.age"):
        return parts[-1].removesuffix(".tar.age"), "package"
    if rel.startswith(f"repo/custodian/enclave/{stem}") and len(parts) == 5:
        return parts[3], "workspace"
    if rel.startswith(f"vault/releases/{stem}") and len(parts) == 4:
        return parts[2], "vault"
    return None


def _releases(files: Files, app: str) -> dict[str, dict[str, Files]]:
    """Release id -> part -> its files (by name)."""
    found: dict[str, dict[str, Files]] = {}
    for rel, data in files.items():
        if (hit := _part(rel, app)) is not None:
            name = rel.rsplit("/", 1)[1].replace(hit[0], "R")  # the same for every release
            found.setdefault(hit[0], {}).setdefault(hit[1], {})[name] = data
    return found


def _consistent(release: str, parts: Mapping[str, Files]) -> None:
    """A complete release: its manifest records its package's or workspace's digests."""
    manifest = yaml.safe_load(parts["manifest"]["R.yaml"])
    if "package" in parts:
        sealed = parts["package"]["R.tar.age"]
        if manifest["package"]["sha256"] != hashlib.sha256(sealed).hexdigest():
            raise Torn(f"{release}: the manifest records another package")
    else:
        digests = {n: hashlib.sha256(d).hexdigest() for n, d in parts["workspace"].items()}
        if manifest["files"] != digests:
            raise Torn(f"{release}: the manifest records other workspace files")


def _release_judge(app: str) -> Judge:
    def judge(old: Files, new: Files, now: Files) -> str:
        rest = {k: v for k, v in now.items() if _part(k, app) is None}
        if rest != {k: v for k, v in old.items() if _part(k, app) is None}:
            raise Torn(f"files beside the release changed: {_diff(old, rest)}")
        before, after = _releases(old, app), _releases(now, app)
        (made,) = set(_releases(new, app)) - set(before)
        whole = {part: set(files) for part, files in _releases(new, app)[made].items()}
        states = []
        for release, parts in sorted(after.items()):
            if release in before:
                if parts != before[release]:
                    raise Torn(f"{release}, released before, changed")
                continue
            for part, files in parts.items():
                if set(files) != whole[part]:
                    raise Torn(f"{release}: its {part} is not whole: {sorted(files)}")
            if set(parts) == set(whole):
                _consistent(release, parts)
                states.append("complete")
            elif set(parts) == {"vault"}:
                states.append("in the vault only")  # nothing left the custodian
            elif "manifest" not in parts and "vault" in parts:
                # the manifest is a release's commit point: without it, nobody received the
                # package or workspace, and the next release discards it (release.unfinished)
                states.append("unfinished")
            else:
                missing = sorted(set(whole) - set(parts))
                raise Torn(f"{release}: {', '.join(sorted(parts))} without its {missing}")
        return "old" if not states else "new" if states[-1] == "complete" else states[-1]

    return judge


# --- the commands ----------------------------------------------------------------------------


def _release_argv(world: Path, app: str, *extra: str) -> list[str]:
    root, vault = str(world / "repo"), str(world / "vault")
    return ["release", app, "--root", root, "--today", TODAY, "--vault", vault, *extra]


@dataclass(frozen=True)
class Command:
    base: str  # the world it starts from
    argv: Callable[[Path, Worlds], list[str]]
    judge: Judge = _old_or_new
    repeat: str | None = None  # the refusal of a run repeated once the state is new
    says: str = ""  # what the output of a successful run says
    audited: bool = True  # has a vault and a git history to audit


def _at(work: Path, vault: bool = True) -> list[str]:
    """The options naming the repository (and the vault) of the world at ``work``."""
    return ["--root", str(work / "repo"), *(["--vault", str(work / "vault")] if vault else [])]


def _optout(work: Path, w: Worlds) -> list[str]:
    when = ["--on", TODAY, "--today", TODAY, "--reason", "moved away"]
    return ["optout", w.optout_id, *when, *_at(work)]


def _record(work: Path, _w: Worlds) -> list[str]:
    copy = work / "repo" / folder_of(L2) / "agreements" / "signed-dua-v2.pdf"
    signed = ["--signed-on", "2026-11-28", "--party", "数据中心", "--party", "陈思远"]
    return [
        "agreements",
        L2,
        "--record",
        "data_use",
        "--copy",
        str(copy),
        *signed,
        *_at(work, False),
    ]


COMMANDS = {
    "release-l2": Command(
        "approved",
        lambda work, w: _release_argv(work, L2, "--recipient", w.recipient),
        _release_judge(L2),
        repeat="release.rerelease-reason",
    ),
    "release-enclave": Command(
        "approved",
        lambda work, _w: _release_argv(work, GENETIC),
        _release_judge(GENETIC),
        repeat="release.rerelease-reason",
    ),
    "optout": Command("approved", _optout, repeat="participants.already-opted-out"),
    "agreements-record": Command("signed", _record),
    "trace": Command(
        "released",
        lambda work, _w: ["trace", str(work / "leak.csv"), *_at(work)],
        says="R-2026-0003-01",  # the release the leak came from
    ),
    "stats": Command("approved", lambda work, _w: ["stats", *_at(work)]),
    "site-build": Command(
        "site", lambda work, _w: ["site", "build", *_at(work, False)], audited=False
    ),
}


def _no_pages(lay: Layout, audit: Any = None) -> tuple[Generated, list[Any]]:
    return Generated(lay.build / "docs"), []


# --- killing, judging, running again ---------------------------------------------------------


@dataclass
class Outcome:
    """What killing the command at one write point left, and what followed."""

    point: str  # "write point N of M (os.X in module.function:line)"
    audit: tuple[int, str] | None = None  # exit code, output
    state: str = ""  # the judge's verdict, or "torn: why"
    rerun: tuple[int, str] = (0, "")
    after: str = ""  # the judge's verdict after the rerun


@dataclass
class Killed:
    command: str
    count: int
    outcomes: list[Outcome] = field(default_factory=list)


def _run(argv: list[str], faults: Faults | None = None) -> tuple[int | None, str]:
    """Exit code (None when killed) and output."""
    with _quiet() as out:
        try:
            if faults is None:
                return main(argv), out.getvalue()
            with faults.active():
                return main(argv), out.getvalue()
        except Crash:
            return None, out.getvalue()


def _judged(judge: Judge, old: Files, new: Files, work: Path) -> str:
    try:
        return judge(old, new, _state(work))
    except Torn as torn:
        return f"torn: {torn}"


def _audit(work: Path) -> tuple[int, str]:
    argv = ["audit", "--root", str(work / "repo"), "--today", TODAY]
    code, out = _run([*argv, "--vault", str(work / "vault")])
    assert code is not None
    return code, out


def _ops(work: Path) -> tuple[str, ...]:
    return tuple(json.loads(line)["op"] for line in _log(work))


def _leftovers(work: Path) -> tuple[str, ...]:
    """What kills left beside the state (hidden names), which the next writer recovers."""
    everything = snapshot(work, lambda rel: rel in _INPUTS)
    return tuple(rel for rel in everything if _skip(rel) and rel not in LOG)


def _signature(work: Path) -> tuple[Any, ...]:
    """What a rerun's course depends on: the files, the leftovers and the log's operations (its
    times aside; the audit has checked its chain)."""
    files = hashlib.sha256(repr(sorted(_state(work).items())).encode()).hexdigest()
    return files, _leftovers(work), _ops(work)


@pytest.fixture(scope="module")
def killed(request: pytest.FixtureRequest, worlds: Worlds) -> Iterator[Killed]:
    """Kill the command ``request.param`` at each of its write points in turn (see the
    module's docstring). The command run again after a kill goes once per distinct state the
    kills leave (``_signature``): the same files, leftovers and log run it the same way."""
    name: str = request.param
    command = COMMANDS[name]
    base, work = worlds.bases[command.base], worlds.work
    argv = command.argv(work, worlds)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", lambda fd: None)
        if name == "site-build":
            patch.setattr(site_build, "generate", _no_pages)
            patch.setattr(site_build, "run_mkdocs", fake_mkdocs)
        _restore(base, work)  # a first run and an audit warm the caches the kills find warm
        code, out = _run(argv)
        assert code == 0, out
        if command.audited:
            _audit(work)
        if (work / "repo/build/cache").is_dir():
            shutil.rmtree(base / "repo/build/cache", ignore_errors=True)
            shutil.copytree(work / "repo/build/cache", base / "repo/build/cache")
        _restore(base, work)
        old, old_log = _state(work), _log(work)
        counting = Faults(counted=COMMIT_POINTS)
        code, out = _run(argv, counting)
        assert code == 0, out
        new = _state(work)
        assert new != old or len(_log(work)) > len(old_log), f"{name} wrote nothing"
        result = Killed(name, counting.calls)
        reruns: dict[tuple[Any, ...], tuple[tuple[int, str], str]] = {}
        for n in range(1, counting.calls + 1):
            _restore(base, work)
            outcome = Outcome(counting.describe(n))
            result.outcomes.append(outcome)
            code, out = _run(argv, Faults(n, COMMIT_POINTS))
            if code is not None:
                outcome.state = f"torn: the command ended ({code}) before write point {n}"
                continue
            if command.audited:
                outcome.audit = _audit(work)
                if _log(work)[: len(old_log)] != old_log:
                    outcome.state = "torn: the vault's log lost entries"
            outcome.state = outcome.state or _judged(command.judge, old, new, work)
            signature = _signature(work)
            if signature not in reruns:
                code, out = _run(argv)
                rerun = (-1 if code is None else code, out)
                reruns[signature] = rerun, _judged(command.judge, old, new, work)
            outcome.rerun, outcome.after = reruns[signature]
        yield result


def _report(killed: Killed, bad: list[tuple[Outcome, str]]) -> str:
    lines = [f"{killed.command}, killed at {o.point}: {why}" for o, why in bad]
    return "\n".join([f"{len(bad)} of {killed.count} kill(s) failed:", *lines[:12]])


# --- the checks --------------------------------------------------------------------------------


TORN: dict[str, Any] = {}  # commands with a known torn state (none)
NO_RERUN: dict[str, Any] = {}  # commands whose rerun after a kill is known to fail (none)


def _each(marks: Mapping[str, Any] | None = None) -> list[Any]:
    return [pytest.param(name, marks=(marks or {}).get(name, ())) for name in COMMANDS]


@pytest.mark.parametrize("killed", _each(TORN), indirect=True)
def test_a_kill_leaves_the_previous_state_or_the_new_one_whole(killed: Killed) -> None:
    assert killed.count > 0
    bad = [(o, o.state) for o in killed.outcomes if o.state.startswith("torn")]
    assert not bad, _report(killed, bad)


@pytest.mark.parametrize("killed", _each(), indirect=True)
def test_the_audit_is_clean_after_a_kill(killed: Killed) -> None:
    bad = [
        (o, f"audit exit {o.audit[0]}:\n{o.audit[1]}")
        for o in killed.outcomes
        if o.audit is not None and o.audit[0] != 0
    ]
    assert not bad, _report(killed, bad)


@pytest.mark.parametrize("killed", _each(NO_RERUN), indirect=True)
def test_running_the_command_again_after_a_kill_succeeds(killed: Killed) -> None:
    repeat = COMMANDS[killed.command].repeat
    bad = []
    for o in killed.outcomes:
        code, out = o.rerun
        if o.state == "new" and repeat is not None:  # complete already: a repeat, refused
            findings = [line for line in out.splitlines() if " error " in line]
            if code != 1 or len(findings) != 1 or repeat not in findings[0] or o.after != "new":
                bad.append((o, f"the repeat was not refused as {repeat}:\n{out}"))
        elif code != 0 or o.after != "new" or COMMANDS[killed.command].says not in out:
            bad.append((o, f"state {o.state!r}; the rerun exited {code}, left {o.after!r}:\n{out}"))
    assert not bad, _report(killed, bad)


def test_the_judges_see_a_torn_release() -> None:
    """The release judge is not blind: a package without its vault record, a vault release
    missing a record and a manifest recording another package are torn; a vault release and
    its package without the manifest are an unfinished release (nobody received it)."""
    judge = _release_judge(L2)
    rid = "R-2026-0003-01"
    manifest = f"repo/{folder_of(L2)}/releases/{rid}.yaml"
    package = f"repo/custodian/outbox/{rid}.tar.age"
    new = {
        manifest: json.dumps({"package": {"sha256": hashlib.sha256(b"p").hexdigest()}}).encode(),
        package: b"p",
        f"vault/releases/{rid}/keys.json.age": b"k",
        f"vault/releases/{rid}/meta.json": b"m",
        "repo/kept": b"x",
    }
    old = {"repo/kept": b"x"}
    assert judge(old, new, new) == "new" and judge(old, new, old) == "old"
    vault_only = {k: v for k, v in new.items() if k.startswith("vault") or k == "repo/kept"}
    assert judge(old, new, vault_only) == "in the vault only"
    assert judge(old, new, {k: v for k, v in new.items() if k != manifest}) == "unfinished"
    for torn in (
        {k: v for k, v in new.items() if k != f"vault/releases/{rid}/keys.json.age"},
        {k: v for k, v in new.items() if not k.endswith("meta.json")},
        {**new, package: b"q"},
        {**new, "repo/kept": b"y"},
    ):
        with pytest.raises(Torn):
            judge(old, new, torn)
