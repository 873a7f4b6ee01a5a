"""Signed event files, read from git and verified as git itself verifies signatures.

An event ``submissions/<year>/<id>/events/<yyyy-mm-dd>-<kind>[-n].yaml`` counts only when

- its name agrees with its 'at' and 'kind', and it names the application of its folder;
- exactly one commit reachable from the tracked head ever touched it, that commit touched
  nothing else, and the file at head is still what that commit holds (an event is never
  changed: a correction is a new event);
- that commit is signed, as git verifies it against one allowed-signers file made from the
  trusted roster and the applicants' keys (``rubric/applicants.yaml``), by someone holding the
  role of its kind (``models.lifecycle.ROLE_OF``) whom 'by' names;
- it is not dated after today, nor before an event committed before it (in commit order);
- every attachment it lists is committed at head, in the events/ folder (which sign-offs do not
  cover, so filing outputs never makes the decision stale), with the SHA-256 it states.

Applicants are not roster members. Their keys go into the same allowed-signers file as
pseudo-members built with ``Roster.model_construct`` (no roster rules apply to them); an
applicant's signature is recognised by its key fingerprint, so a member who applies with the
key they review with is recognised too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from git import Commit, Repo

from cohortgate.files.loading import Document
from cohortgate.findings import Finding
from cohortgate.gitread.committed import load_model
from cohortgate.gitread.history import history
from cohortgate.gitread.read import blob_sha, files_under, read_blob, sha256
from cohortgate.layout import EVENTS
from cohortgate.lifecycle import codes as C
from cohortgate.models.application import Application
from cohortgate.models.lifecycle import (
    ROLE_OF,
    ApplicantKeys,
    Event,
    Role,
    parse_event_name,
)
from cohortgate.models.roster import Committee, Expertise, Member, Roster
from cohortgate.signatures.signed_files import chair_ids
from cohortgate.signatures.signers import RosterKeyError, check_member_key, parse_public_key
from cohortgate.signatures.verify import Status, Verdict, verify_commits

APPLICANTS = "rubric/applicants.yaml"
_PSEUDO = "applicant~"  # id prefix of applicant pseudo-members: never a roster slug


@dataclass(frozen=True)
class Signers:
    """The trusted signers: the roster, and applicants' keys by e-mail (fingerprints)."""

    roster: Roster
    applicants: ApplicantKeys
    combined: Roster  # roster members and applicant pseudo-members: one allowed-signers file
    fingerprints: dict[str, str]  # applicant e-mail (lower case) -> SHA256:… fingerprint


def signers(roster: Roster, applicants: ApplicantKeys) -> tuple[Signers, list[Finding]]:
    """The combined signers; an unusable applicant key is left out with a finding."""
    findings: list[Finding] = []
    member_blobs = {parse_public_key(m.ssh_key).blob for m in roster.members}
    principals = {m.principal for m in roster.members}
    pseudo: list[Member] = []
    fingerprints: dict[str, str] = {}
    applicant_blobs: dict[bytes, str] = {}
    for index, entry in enumerate(applicants.applicants):
        email = entry.email.lower()
        candidate = Member.model_construct(
            id=f"{_PSEUDO}{index}",
            name=email,
            committee=Committee.ACADEMIC,
            expertise=Expertise.RESEARCHER,
            institution="applicant",
            term_start=entry.added_on,
            term_end=entry.valid_until,
            github="applicant",
            ssh_key=entry.ssh_key,
            principal=email,
            emails=[],
        )
        try:
            key = check_member_key(candidate)
        except RosterKeyError as error:
            reasons = "; ".join(p.reason for p in error.problems)
            findings.append(C.APPLICANT_KEY.at(APPLICANTS, email=email, problem=reasons))
            continue
        problem: str | None = None
        if email in principals:
            problem = "is a roster member's principal"
        elif key.blob in applicant_blobs:
            problem = f"shares its key with {applicant_blobs[key.blob]}: one key, one person"
        if problem is not None:
            findings.append(C.APPLICANT_KEY.at(APPLICANTS, email=email, problem=problem))
            continue
        fingerprints[email] = key.fingerprint
        applicant_blobs[key.blob] = email
        if key.blob not in member_blobs:  # a member's own key: git reports the member
            pseudo.append(candidate)
    combined = Roster.model_construct(
        members=[*roster.members, *pseudo], chairs=roster.chairs, quorum=roster.quorum
    )
    return Signers(roster, applicants, combined, fingerprints), findings


@dataclass(frozen=True)
class FiledEvent:
    """An event that passed every check of this module."""

    event: Event
    path: str  # repository path
    doc: Document
    sha: str  # the signed commit that filed it
    order: int  # position in commit order among the application's events (0: first)
    signer: str  # the member id or applicant e-mail who validly signed


def event_index(repo: Repo, head: Commit) -> EventIndex:
    """The index of ``head``, one per process and head (the latest few)."""
    key = (str(repo.working_dir), head.hexsha)
    if key not in _INDEXES:
        if len(_INDEXES) >= 4:
            _INDEXES.pop(next(iter(_INDEXES)))
        _INDEXES[key] = EventIndex(repo, head)
    return _INDEXES[key]


class EventIndex:
    """Which commits touched which event files: the history walk of ``head``
    (``gitread.history``), shared with every other question of the run."""

    def __init__(self, repo: Repo, head: Commit) -> None:
        self.history = history(repo, head)
        # committed_events per folder: the same for every pass over this head (a track makes
        # two: its own and the credit ledger's)
        self.committed: dict[str, tuple[list[Candidate], list[Finding]]] = {}

    def commits_of(self, path: str) -> list[str]:
        """The commits that changed ``path``, oldest first."""
        return self.history.changes(path)[::-1]

    def touched(self, sha: str) -> tuple[str, ...]:
        return tuple(sorted({c.path for c in self.history.walk.changed.get(sha, ())}))

    def age(self, sha: str) -> int:
        """Smaller for older commits: the order events were filed in."""
        return -self.history.walk.position[sha]


_INDEXES: dict[tuple[str, str], EventIndex] = {}


def _attachment_findings(head: Commit, folder: str, doc: Document, event: Event) -> list[Finding]:
    findings: list[Finding] = []
    for name, digest in event.attachments.items():
        if ".." in name.split("/") or name.endswith(".yaml"):
            problem = "is not a file name inside events/ (nor a .yaml file)"
        else:
            data = read_blob(head, f"{folder}/{EVENTS}/{name}")
            if data is None:
                problem = f"is not committed in {folder}/{EVENTS}/"
            elif sha256(data) != digest:
                problem = "differs from the file signed for (SHA-256)"
            else:
                continue
        findings.append(
            doc.finding(C.EVENT_ATTACHMENT, ("attachments", name), name=name, problem=problem)
        )
    return findings


def _role_problem(
    event: Event, verdict: Verdict, who: Signers, app: Application | None, chairs: list[str]
) -> str | None:
    """Why the valid signature does not make this event (None: it does)."""
    role = ROLE_OF[event.kind]
    member = verdict.member
    real = member is not None and not member.id.startswith(_PSEUDO) and verdict.key_matches
    if role is Role.APPLICANT:
        by = event.by.lower()
        people = {p.email.lower() for p in app.people()} if app is not None else set()
        if by not in people:
            return f"'by' {event.by} is not a person of the application"
        expected = who.fingerprints.get(by)
        if expected is None:
            return f"{event.by} has no key in {APPLICANTS}"
        if verdict.fingerprint != expected:
            return f"the commit is signed by {_who(verdict)}, not by {event.by}'s key"
        return None
    if not real or member is None:
        return f"the commit is signed by {_who(verdict)}, not by a roster member"
    if event.by != member.id:
        return f"'by' names {event.by}, but {member.id} signed it"
    if not member.serves_on(event.day):
        term = f"{member.term_start} to {member.term_end}"
        return f"{member.id} does not serve on {event.at} (term {term})"
    if role is Role.DATA_MANAGEMENT and member.committee is not Committee.DATA_MANAGEMENT:
        return f"{member.id} is on the {member.committee} committee"
    if role is Role.CHAIR and member.id not in chairs:
        return f"{member.id} is not a chair ({', '.join(chairs)})"
    return None


def _who(verdict: Verdict) -> str:
    member = verdict.member
    if member is not None and member.id.startswith(_PSEUDO):
        return member.principal
    if member is not None:
        return member.id
    return verdict.principal or verdict.fingerprint or "an unknown key"


_ROLE_NAME = {
    Role.APPLICANT: "a person of the application (key in rubric/applicants.yaml)",
    Role.DATA_MANAGEMENT: "a member of the data management committee",
    Role.CHAIR: "a chair",
    Role.FILES: "nobody",
}


@dataclass(frozen=True)
class Candidate:
    """An event file that passed the checks of the file and its commit, not yet the signature."""

    path: str
    event: Event
    doc: Document
    sha: str  # the one commit that touched it


def committed_events(
    repo: Repo, head: Commit, folder: str, index: EventIndex
) -> tuple[list[Candidate], list[Finding]]:
    """The event files of ``folder`` at ``head`` well named, loaded and committed alone once."""
    if folder not in index.committed:
        index.committed[folder] = _committed_events(repo, head, folder, index)
    candidates, findings = index.committed[folder]
    return list(candidates), list(findings)


def _committed_events(
    repo: Repo, head: Commit, folder: str, index: EventIndex
) -> tuple[list[Candidate], list[Finding]]:
    findings: list[Finding] = []
    candidates: list[Candidate] = []
    prefix = f"{folder}/{EVENTS}/"
    for path, blob in files_under(head, f"{folder}/{EVENTS}"):
        name = path.removeprefix(prefix)
        if "/" in name or not name.endswith(".yaml"):
            continue  # an attachment
        event, doc, problems = load_model(bytes(blob.data_stream.read()), path, Event)
        if event is None or doc is None:
            findings += problems
            continue
        problem = _file_problem(doc, event, name, folder)
        if problem is None:
            problem = _commit_problem(repo, head, doc, path, index)
        if problem is not None:
            findings.append(problem)
            continue
        candidates.append(Candidate(path, event, doc, index.commits_of(path)[0]))
    return sorted(candidates, key=lambda c: index.age(c.sha)), findings


def _file_problem(doc: Document, event: Event, name: str, folder: str) -> Finding | None:
    expected = f"{event.at}-{event.kind}"
    parsed = parse_event_name(name)
    if parsed is None:
        problem = "is not <yyyy-mm-dd>-<kind>[-n].yaml"
        return doc.finding(C.EVENT_NAME, (), name=name, problem=problem, expected=expected)
    day, kind, _n = parsed
    if day != event.at or kind is not event.kind:
        problem = f"does not agree with at: {event.at}, kind: {event.kind}"
        return doc.finding(C.EVENT_NAME, (), name=name, problem=problem, expected=expected)
    app_id = folder.rsplit("/", 1)[-1]
    if event.application != app_id:
        return doc.finding(
            C.EVENT_OTHER_APPLICATION, ("application",), theirs=event.application, ours=app_id
        )
    return None


def _commit_problem(
    repo: Repo, head: Commit, doc: Document, path: str, index: EventIndex
) -> Finding | None:
    commits = index.commits_of(path)
    if len(commits) > 1:
        shown = ", ".join(sha[:12] for sha in commits)
        return doc.finding(C.EVENT_CHANGED, (), event=path, count=len(commits), commits=shown)
    if not commits:
        problem = "no commit of its own filed it (it came in through a merge)"
    elif others := [p for p in index.touched(commits[0]) if p != path]:
        problem = f"commit {commits[0][:12]} also changes {', '.join(others)}"
    elif index.history.blob_after(commits[0], path) != blob_sha(head, path):
        problem = f"the file differs from what commit {commits[0][:12]} signed"
    else:
        return None
    return doc.finding(C.EVENT_UNSIGNED, (), event=path, problem=problem)


def verdicts_of(repo: Repo, candidates: list[Candidate], who: Signers) -> dict[str, Verdict]:
    """git's verdict on every candidate's commit, against ONE allowed-signers file."""
    if not candidates:
        return {}
    return {v.sha: v for v in verify_commits(repo, [c.sha for c in candidates], who.combined)}


def accepted_events(
    head: Commit,
    folder: str,
    app: Application | None,
    candidates: list[Candidate],
    verdicts: dict[str, Verdict],
    who: Signers,
    today: date,
) -> tuple[list[FiledEvent], list[Finding]]:
    """The candidates validly signed by the role's holder, dated right, attachments intact."""
    findings: list[Finding] = []
    chairs = chair_ids(who.roster)
    filed: list[FiledEvent] = []
    for c in candidates:
        event, doc, verdict = c.event, c.doc, verdicts[c.sha]
        unsigned = _signature_problem(verdict, c.sha)
        if unsigned is not None:
            findings.append(doc.finding(C.EVENT_UNSIGNED, (), event=c.path, problem=unsigned))
            continue
        role_problem = _role_problem(event, verdict, who, app, chairs)
        if role_problem is not None:
            role = _ROLE_NAME[ROLE_OF[event.kind]]
            findings.append(
                doc.finding(
                    C.EVENT_ROLE, ("by",), kind=event.kind.value, role=role, problem=role_problem
                )
            )
            continue
        if event.day > today:
            findings.append(
                doc.finding(C.EVENT_FUTURE, ("at",), day=event.at, today=today.isoformat())
            )
            continue
        if filed and event.day < filed[-1].event.day:
            last = filed[-1]
            findings.append(
                doc.finding(
                    C.EVENT_OUT_OF_ORDER,
                    ("at",),
                    day=event.at,
                    previous=last.event.at,
                    earlier=last.path.rsplit("/", 1)[-1],
                )
            )
            continue
        attachment_problems = _attachment_findings(head, folder, doc, event)
        if attachment_problems:
            findings += attachment_problems
            continue
        signer = event.by.lower() if ROLE_OF[event.kind] is Role.APPLICANT else event.by
        filed.append(FiledEvent(event, c.path, doc, c.sha, len(filed), signer))
    return filed, findings


def load_events(
    repo: Repo,
    head: Commit,
    folder: str,
    app: Application | None,
    who: Signers,
    index: EventIndex,
    today: date,
) -> tuple[list[FiledEvent], list[Finding]]:
    """The application's valid events in commit order, and a finding per refused one."""
    candidates, findings = committed_events(repo, head, folder, index)
    verdicts = verdicts_of(repo, candidates, who)
    filed, more = accepted_events(head, folder, app, candidates, verdicts, who, today)
    return filed, findings + more


def _signature_problem(verdict: Verdict, sha: str) -> str | None:
    short = sha[:12]
    if verdict.status is Status.NONE:
        return f"commit {short} is not signed"
    if verdict.status is not Status.GOOD or verdict.member is None or not verdict.key_matches:
        return (
            f"commit {short} is not signed by a key of the roster or of {APPLICANTS} "
            f"(git {verdict.status.value}, {_who(verdict)})"
        )
    return None
