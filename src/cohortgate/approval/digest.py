"""The SHA-256 of every file of an application, as committed: what a sign-off binds; and what
the committed folder holds that no sign-off could bind.

Which files are reviewed is the rule of ``cohortgate.layout``: everything but what follows
the review, so a changed attachment makes every earlier sign-off stale just as a changed form
does. The after-review folders may hold only what their commands write
(``layout.after_review_problem``, which the custodian applies to the working tree and
``validate`` to the pull request's files): ``after_review_findings`` applies it to a commit.
An attachment the form names inside one of them, or one over the size limits of ``policy``,
is refused by ``unbound_attachments``.

Digests stream: a large file goes through ``git cat-file`` in chunks (``gitread.blobs``), so
the memory a review takes does not grow with the attachments.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from git import Blob, Commit, Repo

from cohortgate.approval import codes as C
from cohortgate.approval.folder_files import SYMLINK_WRITTEN_BY_NONE, megabytes, unbound_file
from cohortgate.approval.phrases import change
from cohortgate.files.loading import Document, LoadError
from cohortgate.findings import Finding
from cohortgate.findings.codes import Both
from cohortgate.gitread.blobs import batch_objects, blob_sha256s
from cohortgate.gitread.committed import parse_yaml
from cohortgate.gitread.history import history
from cohortgate.gitread.read import SMALL_BLOB, files_under, read_blob
from cohortgate.layout import (
    AGREEMENTS_RECORD,
    EVENTS,
    after_review_place,
    after_review_problem,
    is_reviewed_file,
    named_after_review,
)
from cohortgate.models.application import Application
from cohortgate.policy import APPLICATION_MAX_BYTES, ATTACHMENT_MAX_BYTES


def application_digests(commit: Commit, folder: str) -> dict[str, str]:
    """{path relative to the folder: SHA-256} of the reviewed files at ``commit``, sorted."""
    prefix = folder.rstrip("/") + "/"
    reviewed = [
        (path.removeprefix(prefix), file)
        for path, file in files_under(commit, folder)
        if is_reviewed_file(path.removeprefix(prefix))
    ]
    large = [file.hexsha for _, file in reviewed if file.size > SMALL_BLOB]
    streamed = blob_sha256s(str(commit.repo.working_dir), large) if large else {}
    return {
        relative: streamed[file.hexsha] if file.size > SMALL_BLOB else file.sha256()
        for relative, file in reviewed
    }


def digests_at(
    repo: Repo, head: Commit, places: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, str]]:
    """{(commit, folder): {relpath: SHA-256}} of the reviewed files of each application folder
    at each commit (``audit`` asks it of every release's commit): the blob ids from the walk
    of ``head`` on a linear history, else from the trees (a few ``cat-file`` rounds for all the
    places together); then ONE streamed round for the distinct blobs."""
    seen = history(repo, head)
    listed: dict[tuple[str, str], dict[str, str]] = {}  # place -> {relpath: blob id}
    if seen.walk.linear and all(sha in seen.walk.position for sha, _ in places):
        for sha, folder in places:
            there = seen.at(sha)
            assert there is not None
            listed[(sha, folder)] = {
                path.removeprefix(folder + "/"): blob
                for path, blob in there.files_at(folder).items()
                if is_reviewed_file(path.removeprefix(folder + "/"))
            }
    else:
        listed = _from_trees(str(repo.working_dir), places)
    distinct = {blob for files_of in listed.values() for blob in files_of.values()}
    digest = blob_sha256s(str(repo.working_dir), distinct)
    return {
        place: {rel: digest[blob] for rel, blob in sorted(files_of.items()) if blob in digest}
        for place, files_of in listed.items()
    }


def _from_trees(
    working_dir: str, places: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, str]]:
    """{place: {relpath: blob id}} of the reviewed files, read tree by tree: one
    ``cat-file --batch`` round per level of folders, for every place together."""
    files: dict[tuple[str, str], dict[str, str]] = {place: {} for place in places}
    pending = {place: [""] for place in places}  # subfolders (relative) still to list
    while any(pending.values()):
        specs = {
            f"{sha}:{folder}/{sub}".rstrip("/"): ((sha, folder), sub)
            for (sha, folder), subs in pending.items()
            for sub in subs
        }
        trees = batch_objects(working_dir, list(specs))
        pending = {place: [] for place in places}
        for spec, (place, sub) in specs.items():
            kind, _oid, content = trees.get(spec, ("missing", "", b""))
            if kind != "tree":
                continue
            for name, is_tree, oid in _tree_entries(content):
                relative = f"{sub}{name}"
                if is_tree:
                    if is_reviewed_file(relative + "/x"):
                        pending[place].append(relative + "/")
                elif is_reviewed_file(relative):
                    files[place][relative] = oid
    return files


def _tree_entries(content: bytes) -> list[tuple[str, bool, str]]:
    """(name, is a tree, object id) of a raw tree object's entries."""
    entries: list[tuple[str, bool, str]] = []
    at = 0
    while at < len(content):
        space = content.index(b" ", at)
        nul = content.index(b"\0", space)
        name = content[space + 1 : nul].decode("utf-8", "surrogateescape")
        entries.append((name, content[at:space] == b"40000", content[nul + 1 : nul + 21].hex()))
        at = nul + 21
    return entries


def named_at(commit: Commit, folder: str) -> frozenset[str]:
    """The after-review files that the committed records of ``folder`` name
    (``layout.named_after_review``): the attachments of its events, the signed copies that its
    agreements.yaml records. A record that does not parse names nothing."""
    events: list[object] = []
    prefix = f"{folder}/{EVENTS}/"
    for path, file in files_under(commit, f"{folder}/{EVENTS}"):
        name = path.removeprefix(prefix)
        if "/" not in name and name.endswith(".yaml") and file.size <= SMALL_BLOB:
            with contextlib.suppress(LoadError):
                events.append(parse_yaml(bytes(file.data_stream.read()), path).data)
    agreements: object = None
    data = read_blob(commit, f"{folder}/{AGREEMENTS_RECORD}")
    if data is not None and len(data) <= SMALL_BLOB:
        with contextlib.suppress(LoadError):
            agreements = parse_yaml(data, f"{folder}/{AGREEMENTS_RECORD}").data
    return named_after_review(events, agreements)


def after_review_findings(commit: Commit, folder: str) -> list[Finding]:
    """A finding for each file of the after-review folders of ``folder`` at ``commit`` that
    their commands do not write (``layout.after_review_problem``)."""
    prefix = folder.rstrip("/") + "/"
    app_id = folder.rstrip("/").rsplit("/", 1)[-1]
    named: frozenset[str] | None = None
    findings: list[Finding] = []
    for path, file in files_under(commit, folder):
        relative = path.removeprefix(prefix)
        place = after_review_place(relative)
        if place is None:
            continue
        if named is None:
            named = named_at(commit, folder)
        problem = after_review_problem(relative, app_id, named)
        if problem is None and file.mode == Blob.link_mode:
            problem = SYMLINK_WRITTEN_BY_NONE
        if problem is not None:
            findings.append(unbound_file(path, relative, problem, place))
    return findings


def unbound_attachments(
    commit: Commit, folder: str, app: Application, doc: Document
) -> list[Finding]:
    """The attachments of ``app`` that sign-offs cannot bind as they should: named inside an
    after-review folder (outside the digest), or over ``policy.ATTACHMENT_MAX_BYTES``; and the
    reviewed files together over ``policy.APPLICATION_MAX_BYTES``."""
    prefix = folder.rstrip("/") + "/"
    sizes = {
        path.removeprefix(prefix): file.size
        for path, file in files_under(commit, folder)
        if is_reviewed_file(path.removeprefix(prefix))
    }
    findings: list[Finding] = []
    for where, target in app.attachments():
        field = ".".join(where)
        place = after_review_place(target)
        what = Both(zh=f"{field}“{target}”", en=f"{field} '{target}'")
        if place is not None:
            problem = Both(
                zh=f"位于 {place} 中，签核和审批决定不绑定该位置",
                en=f"lies in {place}, which sign-offs and decisions do not bind",
            )
            fix = Both(
                zh="把文件移到申请文件夹本身（或 attachments/ 等子文件夹），并在 "
                f"{field} 中填写该路径。",
                en="Move the file into the application folder itself (or a subfolder such as "
                f"attachments/) and name that path in {field}.",
            )
            findings.append(doc.finding(C.UNBOUND_FILE, where, what=what, problem=problem, fix=fix))
        elif (size := sizes.get(target, 0)) > ATTACHMENT_MAX_BYTES:
            problem = _over(size, ATTACHMENT_MAX_BYTES)
            findings.append(
                doc.finding(C.UNBOUND_FILE, where, what=what, problem=problem, fix=_SMALLER)
            )
    if (total := sum(sizes.values())) > APPLICATION_MAX_BYTES:
        what = Both(zh=f"{prefix}（审查文件合计）", en=f"{prefix} (its reviewed files together)")
        problem = _over(total, APPLICATION_MAX_BYTES)
        findings.append(C.UNBOUND_FILE.at(prefix, what=what, problem=problem, fix=_SMALLER))
    return findings


_SMALLER = Both(
    zh="在申请文件夹中把文件改小（每个 PDF 以压缩图片的方式重新导出，删去委员会不需要的内容），"
    "然后重新申请审查。",
    en="Make the files smaller (export each PDF again with compressed images, leave out what the "
    "committees do not need) in the application folder, and ask for the review again.",
)


def _over(size: int, limit: int) -> Both:
    return Both(
        zh=f"大小为 {megabytes(size)}，超过上限 {megabytes(limit)}（policy.py）",
        en=f"is {megabytes(size)}, over the limit of {megabytes(limit)} (policy.py)",
    )


def differences(signed: dict[str, str], current: dict[str, str]) -> list[Both]:
    """What changed from ``signed`` to ``current``, one phrase per file, sorted by file."""
    phrases: list[Both] = []
    for name in sorted(set(signed) | set(current)):
        if name not in current:
            phrases.append(change(name, "removed"))
        elif name not in signed:
            phrases.append(change(name, "added"))
        elif signed[name] != current[name]:
            phrases.append(change(name, "changed"))
    return phrases
