"""What needs the signed approval of both chairs (R13): the one list, each entry with its reason.

Whatever decides what counts as an approval, once merged, governs every later review: a pull
request changing it could approve itself (add its author to the roster, lower a threshold, make
L2 data of an identifier, read a CODEOWNERS of its own making). Such a pull request needs the
signed approval of both chairs of the BASE roster (``approval.rule_changes``), whatever else it
changes. Everything governed is listed here and nowhere else.

How paths are matched (``governing``):

- paths are compared as git reports them (``git diff --no-renames -z``): a rename is the
  deletion of one path and the addition of another, and both are judged;
- case variants are governed too (``Rubric/roster.yaml``, ``docs/codeowners``). GitHub's paths are
  case-sensitive and GitHub documents exactly three code-owner files (``.github/CODEOWNERS``,
  ``CODEOWNERS``, ``docs/CODEOWNERS``, read in that order, the first found wins), but a checkout on
  a case-insensitive file system (a chair's or the custodian's macOS or Windows machine) makes
  ``Docs/codeowners`` and ``docs/CODEOWNERS`` one file, and GitHub does not promise that its
  matching of the name stays case-sensitive. A case variant of a governed path has no honest use,
  so governing it costs nothing; missing it would cost the gate;
- a changed path that stands where a governed folder is (``.github`` committed as a file or a
  symbolic link, ``catalog/datasets`` as a link to a folder of one's own) is governed as well;
- the approvals themselves (``rubric/approvals/``, exactly so spelled) are the mechanism, not a
  rule: changing them needs no approval.

Deliberately NOT governed: the rest of the code (reading git, the CLI, the site, the
applications' checks, the lifecycle, ``approve-change``, which only writes an approval the gate
then checks), ``scripts/`` and the dependencies. Any code the workflows run could be
changed to weaken a later review; the maintainers review it (``.github/CODEOWNERS``: ``/src/``),
and the workflows install the BASE branch's code, never the pull request's. Governed here is
the code whose purpose is to decide approvals, where a change of code IS a change of the rules,
and which the chairs can judge as such.
"""

from __future__ import annotations

from dataclasses import dataclass

from git import Commit, Repo

from cohortgate.approval.governed_datasets import dataset_differences
from cohortgate.findings.codes import Both
from cohortgate.gitread.read import batch_objects, blob_sha, changed_between, read_blob, sha256

LINK_MODE = 0o120000  # git's mode of a symbolic link


@dataclass(frozen=True)
class Governed:
    """One governed file, or every file under a folder (``path`` ending in ``/``)."""

    path: str
    what: Both  # shown in the review and in findings: why a change here needs both chairs


_CODE_OWNERS = Both(
    zh="GitHub 读取的代码所有者（CODEOWNERS）文件", en="a code-owner file GitHub reads"
)


GOVERNED: tuple[Governed, ...] = (
    # This list itself and its rule for datasets: shortening either would take whatever it
    # leaves out away from the chairs.
    Governed(
        "src/cohortgate/approval/governed.py",
        Both(zh="须经两位主任委员批准的事项清单", en="the list of what needs both chairs"),
    ),
    Governed(
        "src/cohortgate/approval/governed_datasets.py",
        Both(zh="该清单关于数据集的规则", en="the list's rule for datasets"),
    ),
    # The roster (members, keys, terms, chairs, quorum), the rubric (indicators, weights,
    # thresholds) and the blacklist (R13, R14, R25): the data every review is judged by.
    Governed("rubric/", Both(zh="名册、评分规则或黑名单", en="the roster, rubric or blacklist")),
    # Every code-owner file GitHub reads (the merge gate: required reviews of code owners).
    # GitHub takes the first of .github/, the root, docs/: adding a root or docs/ file while
    # deleting or breaking .github/CODEOWNERS would hand the gate to the new one.
    Governed(
        ".github/CODEOWNERS",
        _CODE_OWNERS,
    ),
    Governed(
        "CODEOWNERS",
        _CODE_OWNERS,
    ),
    Governed(
        "docs/CODEOWNERS",
        _CODE_OWNERS,
    ),
    # The workflows that run this gate and the review, the templates: a workflow decides what
    # the pull request's checks run and with which permissions.
    Governed(
        ".github/", Both(zh="工作流（检查运行的内容）", en="the workflows (what the checks run)")
    ),
    # Every policy number (disclosure thresholds, rounding, limits), each set by a committee.
    Governed("src/cohortgate/policy.py", Both(zh="政策参数（policy.py）", en="the policy numbers")),
    # The whole room that verifies an approval: eligibility and conflicts of interest, the
    # quorum, the digests a sign-off binds, sheets, decisions, the review's verdict, and this
    # gate (rule_changes.py). The custodian verifies releases with it too.
    Governed(
        "src/cohortgate/approval/", Both(zh="核验审批的代码", en="the code that verifies approvals")
    ),
    # Who signed a commit: the allowed signers made from the roster, the signed payloads, the
    # verification. A looser check would let anyone sign as a member.
    Governed(
        "src/cohortgate/signatures/",
        Both(zh="核验签名的代码", en="the code that verifies signatures"),
    ),
    # Which files of an application folder a sign-off and a decision bind (``is_reviewed_file``)
    # and where sheets and decisions live: a file left out of the digests could change after
    # the committees signed.
    Governed(
        "src/cohortgate/layout.py", Both(zh="签核绑定哪些文件", en="which files a sign-off binds")
    ),
    # How the rubric's scores become the decisions the rule allows (R14): the rubric applied.
    Governed(
        "src/cohortgate/scoring/",
        Both(zh="为申请评分的代码", en="the code that scores applications"),
    ),
    # The formats of the governed documents and of the signed ones: a default or a looser
    # pattern changes what the roster, rubric, blacklist, sheets, decisions and approvals mean.
    Governed("src/cohortgate/models/roster.py", Both(zh="名册的格式", en="the roster's format")),
    Governed(
        "src/cohortgate/models/rubric.py", Both(zh="评分规则的格式", en="the rubric's format")
    ),
    Governed(
        "src/cohortgate/models/blacklist.py", Both(zh="黑名单的格式", en="the blacklist's format")
    ),
    Governed(
        "src/cohortgate/models/review.py",
        Both(zh="评分表、审批决定和批准的格式", en="the format of sheets, decisions, approvals"),
    ),
    # Which pull-request reviews on GitHub count as sign-offs (the second channel, R13).
    Governed(
        "src/cohortgate/review/github_reviews.py",
        Both(zh="哪些 GitHub 审查算作签核", en="which GitHub reviews count as sign-offs"),
    ),
    # The custodian's check, before any extraction, that the application was approved as it
    # stands today (decision, digests, agreements, blacklist, access period).
    Governed(
        "src/cohortgate/custodian/release/approval.py",
        Both(zh="数据中心的审批核查", en="the custodian's approval check"),
    ),
    # The gate's command: its exit code is what the review workflow enforces.
    Governed(
        "src/cohortgate/cli/rule_changes.py",
        Both(zh="执行这份清单的命令", en="the command that enforces this list"),
    ),
)

APPROVALS = "rubric/approvals/"  # the approvals themselves: the mechanism, never governed

# Each dataset's privacy classes, release levels and use conditions decide what L1 and L2 may
# request (R4-R6): a change to one of them, or a dataset added or removed, is governed field by
# field (``governed_datasets``); a new description or keyword is not. The catalog loads
# ``catalog/datasets/*.yaml`` (``catalog.load``), so only files directly in the folder count.
DATASETS = "catalog/datasets/"


def _fold(path: str) -> str:
    """The path as a case-insensitive file system compares it (``upper`` first: a dotless ı or
    a long ſ folds to i and s there)."""
    return path.upper().casefold()


def governing(path: str) -> Governed | None:
    """The first entry of ``GOVERNED`` that governs ``path`` as a whole, or None."""
    if path.startswith(APPROVALS):
        return None
    folded = _fold(path)
    for entry in GOVERNED:
        place = _fold(entry.path)
        if folded == place.rstrip("/") or (place.endswith("/") and folded.startswith(place)):
            return entry
        if place.startswith(folded + "/"):  # something else stands where a governed folder is
            return entry
    return None


def is_dataset(path: str) -> bool:
    """True for a path the catalog would load as a dataset (``catalog/datasets/<name>.yaml``,
    case variants included)."""
    folded = _fold(path)
    name = folded.removeprefix(_fold(DATASETS))
    return name != folded and "/" not in name and name.endswith(".yaml") and name != ".yaml"


def _stands_for_datasets(path: str) -> bool:
    """A file or link where ``catalog/`` or ``catalog/datasets/`` should be a folder."""
    return _fold(DATASETS).startswith(_fold(path) + "/")


@dataclass(frozen=True)
class GovernedChange:
    """A governed path a pull request changes, and what approving it binds."""

    path: str
    sha: str | None  # SHA-256 of the new content; None when the path is deleted
    why: tuple[Both, ...]  # what is governed, what changed
    line: int = 0  # where in the file, for a dataset field (0: the whole file)
    column: int = 0


def new_content(head: Commit, path: str) -> str | None:
    """SHA-256 of ``path`` at ``head``: of the file's bytes; of its mode and object id for a
    symbolic link or a submodule (so that an approval binds where it points); None when absent."""
    data = _read(head, path)
    if data is not None:
        return sha256(data)
    if blob_sha(head, path) is None and not _submodule(head, path):
        return None
    entry = head.tree / path
    return sha256(f"{entry.mode:o} {entry.hexsha}".encode("ascii"))


def _read(commit: Commit, path: str) -> bytes | None:
    """``read_blob``, except for a file at the root (``CODEOWNERS``), which it cannot read: it
    reads small files in bulk by their top folder, and such a file has none."""
    if "/" in path:
        return read_blob(commit, path)
    try:
        entry = commit.tree / path
    except KeyError:
        return None
    if entry.type != "blob" or entry.mode == LINK_MODE:
        return None
    return batch_objects(str(commit.repo.working_dir), [entry.hexsha])[entry.hexsha][2]


def _submodule(head: Commit, path: str) -> bool:
    try:
        return (head.tree / path).type == "submodule"
    except KeyError:
        return False


def _merge_base(repo: Repo, base: Commit, head: Commit) -> Commit:
    """Where the pull request branched off: what ``changed_between`` compares ``head`` with."""
    bases = repo.merge_base(base, head)
    return bases[0] if bases and isinstance(bases[0], Commit) else base


def governed_changes_of(repo: Repo, base: Commit, head: Commit) -> list[GovernedChange]:
    """Every governed change from the merge base of ``base`` and ``head`` to ``head``, sorted
    by path: files under ``GOVERNED``, and datasets whose governed fields differ."""
    found: list[GovernedChange] = []
    before: Commit | None = None  # the merge base, asked of git only when a dataset changed
    for path in changed_between(repo, base, head):
        entry = governing(path)
        if entry is not None:
            found.append(GovernedChange(path, new_content(head, path), (entry.what,)))
        elif _stands_for_datasets(path):
            stands = Both(
                zh="数据目录的数据集：在其文件夹的位置上是一个文件或链接",
                en="the catalog's datasets: a file or link stands where their folder is",
            )
            found.append(GovernedChange(path, new_content(head, path), (stands,)))
        elif is_dataset(path):
            before = before or _merge_base(repo, base, head)
            differences = dataset_differences(before, head, path)
            if differences is not None:
                why = tuple(
                    Both(zh=f"数据集 {d.zh}", en=f"dataset {d.en}") for d in differences.what
                )
                line, column = differences.at
                found.append(GovernedChange(path, new_content(head, path), why, line, column))
    return found


__all__ = [
    "APPROVALS",
    "DATASETS",
    "GOVERNED",
    "Governed",
    "GovernedChange",
    "governed_changes_of",
    "governing",
    "is_dataset",
    "new_content",
]
