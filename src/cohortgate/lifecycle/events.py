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

from cohortgate.approval.phrases import committee, joined
from cohortgate.files.loading import Document
from cohortgate.findings import Finding
from cohortgate.findings.codes import Both
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
from cohortgate.signatures.signed_files import also_changes, chair_ids, differs_from, unsigned
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
            reasons = joined(p.reason for p in error.problems)
            findings.append(C.APPLICANT_KEY.at(APPLICANTS, email=email, problem=reasons))
            continue
        problem: Both | None = None
        if email in principals:
            problem = Both(zh="是名册中某位委员的签名身份", en="is a roster member's principal")
        elif key.blob in applicant_blobs:
            other = applicant_blobs[key.blob]
            problem = Both(
                zh=f"与 {other} 共用同一把密钥：一把密钥只属于一个人",
                en=f"shares its key with {other}: one key, one person",
            )
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
            problem = Both(
                zh="不是 events/ 中的文件名（也不能是 .yaml 文件）",
                en="is not a file name inside events/ (nor a .yaml file)",
            )
        else:
            data = read_blob(head, f"{folder}/{EVENTS}/{name}")
            if data is None:
                where = f"{folder}/{EVENTS}/"
                problem = Both(zh=f"没有提交到 {where} 中", en=f"is not committed in {where}")
            elif sha256(data) != digest:
                problem = Both(
                    zh="与签署时的文件不同（SHA-256）",
                    en="differs from the file signed for (SHA-256)",
                )
            else:
                continue
        findings.append(
            doc.finding(C.EVENT_ATTACHMENT, ("attachments", name), name=name, problem=problem)
        )
    return findings


def _role_problem(
    event: Event, verdict: Verdict, who: Signers, app: Application | None, chairs: list[str]
) -> Both | None:
    """Why the valid signature does not make this event (None: it does)."""
    role = ROLE_OF[event.kind]
    member = verdict.member
    real = member is not None and not member.id.startswith(_PSEUDO) and verdict.key_matches
    signer = _who(verdict)
    if role is Role.APPLICANT:
        by = event.by.lower()
        people = {p.email.lower() for p in app.people()} if app is not None else set()
        if by not in people:
            return Both(
                zh=f"'by' 填写的 {event.by} 不是本申请的人员",
                en=f"'by' {event.by} is not a person of the application",
            )
        expected = who.fingerprints.get(by)
        if expected is None:
            return Both(
                zh=f"{event.by} 在 {APPLICANTS} 中没有密钥",
                en=f"{event.by} has no key in {APPLICANTS}",
            )
        if verdict.fingerprint != expected:
            return Both(
                zh=f"该提交由 {signer.zh} 签名，而不是 {event.by} 的密钥",
                en=f"the commit is signed by {signer.en}, not by {event.by}'s key",
            )
        return None
    if not real or member is None:
        return Both(
            zh=f"该提交由 {signer.zh} 签名，而不是名册中的委员",
            en=f"the commit is signed by {signer.en}, not by a roster member",
        )
    if event.by != member.id:
        return Both(
            zh=f"'by' 写的是 {event.by}，但签名的是 {member.id}",
            en=f"'by' names {event.by}, but {member.id} signed it",
        )
    if not member.serves_on(event.day):
        start, end = member.term_start, member.term_end
        return Both(
            zh=f"{member.id} 在 {event.at} 不在任（任期 {start} 至 {end}）",
            en=f"{member.id} does not serve on {event.at} (term {start} to {end})",
        )
    if role is Role.DATA_MANAGEMENT and member.committee is not Committee.DATA_MANAGEMENT:
        name = committee(str(member.committee))
        return Both(zh=f"{member.id} 是{name.zh}委员", en=f"{member.id} is on the {name.en}")
    if role is Role.CHAIR and member.id not in chairs:
        listed = ", ".join(chairs)
        return Both(
            zh=f"{member.id} 不是主任委员（{listed}）",
            en=f"{member.id} is not a chair ({listed})",
        )
    return None


def _who(verdict: Verdict) -> Both:
    member = verdict.member
    if member is not None and member.id.startswith(_PSEUDO):
        return Both(zh=member.principal, en=member.principal)
    if member is not None:
        return Both(zh=member.id, en=member.id)
    found = verdict.principal or verdict.fingerprint
    return Both(zh=found, en=found) if found else Both(zh="未知密钥", en="an unknown key")


_ROLE_NAME = {
    Role.APPLICANT: Both(
        zh="本申请的人员（其密钥在 rubric/applicants.yaml 中）",
        en="a person of the application (key in rubric/applicants.yaml)",
    ),
    Role.DATA_MANAGEMENT: Both(
        zh="数据管理委员会委员", en="a member of the data management committee"
    ),
    Role.CHAIR: Both(zh="主任委员", en="a chair"),
    Role.FILES: Both(zh="无人", en="nobody"),
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
        problem = Both(
            zh="不符合 <yyyy-mm-dd>-<kind>[-n].yaml 的格式",
            en="is not <yyyy-mm-dd>-<kind>[-n].yaml",
        )
        return doc.finding(C.EVENT_NAME, (), name=name, problem=problem, expected=expected)
    day, kind, _n = parsed
    if day != event.at or kind is not event.kind:
        fields = f"at: {event.at}, kind: {event.kind}"
        problem = Both(zh=f"与 {fields} 不一致", en=f"does not agree with {fields}")
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
        problem = Both(
            zh="没有一个单独的提交归档它（它是通过合并进入的）",
            en="no commit of its own filed it (it came in through a merge)",
        )
    elif others := [p for p in index.touched(commits[0]) if p != path]:
        problem = also_changes(commits[0][:12], others)
    elif index.history.blob_after(commits[0], path) != blob_sha(head, path):
        problem = differs_from(commits[0][:12])
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


def _signature_problem(verdict: Verdict, sha: str) -> Both | None:
    short = sha[:12]
    if verdict.status is Status.NONE:
        return unsigned(short)
    if verdict.status is not Status.GOOD or verdict.member is None or not verdict.key_matches:
        status, who = verdict.status.value, _who(verdict)
        return Both(
            zh=f"提交 {short} 不是用名册或 {APPLICANTS} 中的密钥签名的（git {status}，{who.zh}）",
            en=f"commit {short} is not signed by a key of the roster or of {APPLICANTS} "
            f"(git {status}, {who.en})",
        )
    return None
