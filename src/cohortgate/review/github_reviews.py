"""The second sign-off channel: pull-request reviews on GitHub (R13).

A member signs off by submitting a review of the pull request on its head commit, with their
score sheet (``cohortgate.models.review.ScoreSheet``) in the review body as a fenced block::

    ```cohortgate-review
    application: A-2026-0001
    reviewer: zhang-wei
    ...
    ```

Three stages, each testable offline:

- ``fetch_reviews``: ``GET /repos/{owner}/{repo}/pulls/{number}/reviews`` with the workflow's
  token, every page (``Link: rel="next"``), standard library only;
- ``parse_reviews``: the JSON checked for the fields used, as ``PullRequestReview`` records;
- ``github_signoffs``: which reviews are sign-offs of which roster member for which sheet.

Rules of ``github_signoffs`` (GitHub's own semantics where it has them):

- reviews come in chronological order; per login only the latest one counts, as GitHub shows
  it. A ``COMMENTED`` review without a score block is discussion and supersedes nothing (GitHub
  keeps an approval after a later comment); ``PENDING`` reviews are not submitted and are
  skipped. A latest review that was ``DISMISSED`` counts as nothing;
- the login is mapped to a member through the roster's ``github`` field, case-insensitively
  (GitHub logins are); no member, no sign-off;
- the review must be on the head commit (``commit_id``): a review of an earlier push is stale;
- a review without a score block is ignored, except an approval, which must carry one;
- the sheet is for this application and names the submitting member as reviewer;
- review state and recommendation agree: ``approve`` needs an ``APPROVED`` review;
  ``revise`` and ``reject`` come as ``CHANGES_REQUESTED`` or ``COMMENTED`` (an approving
  review that recommends revision would count as an approval for GitHub's branch protection
  while saying the opposite, so it is refused).

Term, conflicts of interest, file digests, score ranges and quorum are not checked here: the
common review pipeline applies them to the sign-offs of both channels.

Trust. This channel is as trustworthy as GitHub's authentication of the reviewer's account and
no more: there is no signature that can be verified offline, and whoever controls the account
(or GitHub) controls the sign-off. That is why the signed-commit channel
(``cohortgate.signatures.verify``) is the primary one, and why this one reads the roster from
the base branch only.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import Any, Protocol

from cohortgate.files.loading import LoadError, load_yaml_text, require_mapping
from cohortgate.files.modelcheck import check_model
from cohortgate.findings import Finding
from cohortgate.findings.codes import Both
from cohortgate.models.review import Outcome, ScoreSheet
from cohortgate.models.roster import Member, Roster
from cohortgate.review import codes as C

API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
PER_PAGE = 100  # GitHub's maximum
MAX_PAGES = 50  # 5,000 reviews; a real pull request has a few dozen at most
MAX_PAGE_BYTES = 20_000_000  # 100 reviews with bodies of GitHub's maximum (65,536 characters)
TIMEOUT_SECONDS = 30.0
INFO_STRING = "cohortgate-review"
STATES = frozenset({"APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING"})

_REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*)/[A-Za-z0-9._-]+$")
_SHA = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_NEXT = re.compile(r'<([^<>]+)>\s*;\s*rel="?next"?')
_OPEN_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\s]*)[^`]*$")


class GithubApiError(Exception):
    """The API could not be read; the message says what GitHub answered."""


class Response(Protocol):
    status: int
    headers: Message

    def read(self, amt: int = ..., /) -> bytes: ...
    def __enter__(self) -> Response: ...
    def __exit__(self, *exc: object) -> None: ...


Opener = Callable[..., Response]


@dataclass(frozen=True)
class PullRequestReview:
    """One review as the REST API lists it (the fields used)."""

    id: int
    login: str
    state: str  # one of STATES
    commit_id: str | None  # the head the review was given on; None when GitHub lost the commit
    submitted_at: str | None
    body: str
    html_url: str

    @property
    def display(self) -> str:
        """Where findings about this review point, in place of a file name."""
        return f"pull request review {self.id} ({self.login})"


@dataclass(frozen=True)
class GithubSignoff:
    """A review that is a member's sign-off with a well-formed sheet for this application."""

    member: Member
    sheet: ScoreSheet
    review: PullRequestReview
    reference: str  # the review's html_url


# --- fetching ----------------------------------------------------------------------------------


def fetch_reviews(
    repository: str,
    number: int,
    token: str,
    api_url: str = API_URL,
    opener: Opener = urllib.request.urlopen,
) -> list[dict[str, Any]]:
    """Every review of pull request ``number``, all pages, as the API's JSON objects."""
    if not _REPOSITORY.match(repository):
        raise GithubApiError(f"{repository!r} is not an owner/name repository")
    if number < 1:
        raise GithubApiError(f"{number} is not a pull request number")
    if not token:
        raise GithubApiError("no token: set GITHUB_TOKEN")
    base = api_url.rstrip("/")
    url: str | None = f"{base}/repos/{repository}/pulls/{number}/reviews?per_page={PER_PAGE}"
    reviews: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        if url is None:
            return reviews
        page, url = _page(url, token, opener)
        reviews.extend(page)
        if url is not None and not _same_origin(url, base):
            raise GithubApiError(f"the next page is on another host: {url}")
    if url is not None:
        raise GithubApiError(f"more than {MAX_PAGES} pages of reviews")
    return reviews


def _page(url: str, token: str, opener: Opener) -> tuple[list[dict[str, Any]], str | None]:
    request = urllib.request.Request(
        url,
        headers={
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "Authorization": f"Bearer {token}",
            "User-Agent": "cohortgate",
        },
    )
    try:
        with opener(request, timeout=TIMEOUT_SECONDS) as response:
            raw = response.read(MAX_PAGE_BYTES + 1)
            link = response.headers.get("Link")
    except urllib.error.HTTPError as exc:
        raise GithubApiError(_http_error(exc, url)) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise GithubApiError(f"cannot reach {url}: {reason}") from None
    if len(raw) > MAX_PAGE_BYTES:
        raise GithubApiError(f"{url}: answer larger than {MAX_PAGE_BYTES} bytes")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GithubApiError(f"{url}: the answer is not JSON ({exc})") from None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise GithubApiError(f"{url}: expected a JSON list of reviews")
    match = _NEXT.search(link or "")
    return data, match.group(1) if match else None


def _http_error(exc: urllib.error.HTTPError, url: str) -> str:
    headers = exc.headers or Message()
    try:
        body = json.loads(exc.read(10_000).decode("utf-8"))
        said = str(body.get("message", "")) if isinstance(body, dict) else ""
    except (ValueError, OSError, AttributeError):  # no body, or not GitHub's JSON error
        said = ""
    said = " ".join(said.split())[:200]
    detail = f": {said}" if said else ""
    if exc.code in (403, 429) and (
        headers.get("X-RateLimit-Remaining") == "0" or headers.get("Retry-After")
    ):
        wait = headers.get("Retry-After")
        reset = headers.get("X-RateLimit-Reset") or ""
        when = ""
        if wait:
            when = f"; retry after {wait} s"
        elif reset.isdigit():
            at = datetime.fromtimestamp(int(reset), UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            when = f"; the limit resets at {at}"
        return f"GitHub API rate limit exceeded (HTTP {exc.code}) for {url}{when}"
    if exc.code == 401:
        return f"HTTP 401 for {url}: the token was refused{detail}"
    if exc.code == 404:
        return f"HTTP 404 for {url}: no such pull request, or the token cannot read it{detail}"
    return f"HTTP {exc.code} for {url}{detail}"


def _same_origin(url: str, base: str) -> bool:
    a, b = urllib.parse.urlsplit(url), urllib.parse.urlsplit(base)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


# --- parsing -----------------------------------------------------------------------------------


def parse_reviews(data: object) -> list[PullRequestReview]:
    """The reviews in the API's JSON; ``ValueError`` naming the first thing that is wrong."""
    if not isinstance(data, list):
        raise ValueError(f"expected a list of reviews, got {type(data).__name__}")
    return [_review(item, index) for index, item in enumerate(data)]


def load_reviews(path: Path) -> list[PullRequestReview]:
    """The reviews in a file that ``cohortgate fetch-reviews`` wrote; ``ValueError`` if bad."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the reviews: {exc}") from None
    try:
        return parse_reviews(data)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


def _review(item: object, index: int) -> PullRequestReview:
    where = f"review [{index}]"
    if not isinstance(item, dict):
        raise ValueError(f"{where}: expected an object, got {type(item).__name__}")
    review_id = item.get("id")
    if not isinstance(review_id, int) or isinstance(review_id, bool) or review_id < 1:
        raise ValueError(f"{where}: 'id' must be a positive integer")
    where = f"review {review_id}"
    user = item.get("user")
    if user is None:  # GitHub shows a deleted account as the 'ghost' user
        login = "ghost"
    elif isinstance(user, dict) and isinstance(user.get("login"), str) and user["login"]:
        login = user["login"]
    else:
        raise ValueError(f"{where}: 'user.login' must be a non-empty string")
    state = item.get("state")
    if state not in STATES:
        raise ValueError(f"{where}: 'state' must be one of {', '.join(sorted(STATES))}")
    commit_id = item.get("commit_id")
    if commit_id is not None and not (isinstance(commit_id, str) and _SHA.match(commit_id)):
        raise ValueError(f"{where}: 'commit_id' must be a commit SHA or null")
    submitted_at = item.get("submitted_at")
    if submitted_at is not None and not isinstance(submitted_at, str):
        raise ValueError(f"{where}: 'submitted_at' must be a string or null")
    body = item.get("body")
    if body is not None and not isinstance(body, str):
        raise ValueError(f"{where}: 'body' must be a string or null")
    html_url = item.get("html_url")
    if not isinstance(html_url, str):
        raise ValueError(f"{where}: 'html_url' must be a string")
    return PullRequestReview(
        id=review_id,
        login=login,
        state=str(state),
        commit_id=commit_id,
        submitted_at=submitted_at,
        body=body or "",
        html_url=html_url,
    )


# --- the score block ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    text: str
    first_line: int  # the body's line number of the block's first YAML line


def _blocks(body: str, display: str) -> tuple[list[_Block], list[Finding]]:
    """The ``cohortgate-review`` fenced blocks in a review body (CommonMark fences)."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[_Block] = []
    index = 0
    while index < len(lines):
        opened = _OPEN_FENCE.match(lines[index])
        if opened is None:
            index += 1
            continue
        fence = opened["fence"]
        close = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        end = next((j for j in range(index + 1, len(lines)) if close.match(lines[j])), None)
        if opened["info"] == INFO_STRING:
            if end is None:
                return blocks, [C.SHEET_UNCLOSED.at(display, index + 1, 1, opened=index + 1)]
            blocks.append(_Block("\n".join(lines[index + 1 : end]) + "\n", index + 2))
        index = len(lines) if end is None else end + 1
    return blocks, []


def parse_sheet(review: PullRequestReview) -> tuple[ScoreSheet | None, list[Finding], bool]:
    """The review's score sheet, findings located in the review body, and whether it has one."""
    display = review.display
    blocks, findings = _blocks(review.body, display)
    if findings:
        return None, findings, True
    if not blocks:
        return None, [], False
    if len(blocks) > 1:
        line = blocks[1].first_line - 1
        return None, [C.SEVERAL_SHEETS.at(display, line, 1, count=len(blocks))], True
    block = blocks[0]
    try:
        doc = load_yaml_text(block.text, display)
        require_mapping(doc)
    except LoadError as exc:
        return None, [_shift(exc.finding, block.first_line)], True
    sheet, errors = check_model(doc, ScoreSheet)
    return sheet, [_shift(f, block.first_line) for f in errors], True


def _shift(finding: Finding, first_line: int) -> Finding:
    """A finding made on the block, with its line counted in the whole review body."""
    return replace(finding, line=finding.line + first_line - 1) if finding.line else finding


# --- sign-offs ---------------------------------------------------------------------------------


def github_signoffs(
    reviews: Sequence[PullRequestReview],
    roster: Roster,
    head_sha: str,
    application_id: str,
) -> tuple[list[GithubSignoff], list[Finding]]:
    """The members' valid sign-offs on ``head_sha`` for ``application_id``, and why others fail."""
    signoffs: list[GithubSignoff] = []
    findings: list[Finding] = []
    for review in _latest_per_login(reviews):
        signoff, problems = _signoff(review, roster, head_sha, application_id)
        findings.extend(problems)
        if signoff is not None:
            signoffs.append(signoff)
    return signoffs, findings


def _latest_per_login(reviews: Sequence[PullRequestReview]) -> list[PullRequestReview]:
    latest: dict[str, PullRequestReview] = {}
    for review in reviews:  # chronological, as the API lists them
        if review.state == "PENDING":
            continue
        if review.state == "COMMENTED" and not _has_fence(review.body):
            continue  # discussion: GitHub keeps the earlier approval or request for changes
        latest[review.login.lower()] = review
    return list(latest.values())


def _has_fence(body: str) -> bool:
    """Whether the body holds a score block, even an unclosed one."""
    blocks, unclosed = _blocks(body, "")
    return bool(blocks or unclosed)


def _signoff(
    review: PullRequestReview, roster: Roster, head_sha: str, application_id: str
) -> tuple[GithubSignoff | None, list[Finding]]:
    if review.state == "DISMISSED":
        return None, []
    display = review.display
    counts = review.state == "APPROVED" or _has_fence(review.body)
    member = _member(roster, review.login)
    if member is None:
        if not counts:
            return None, []
        return None, [C.UNKNOWN_LOGIN.at(display, login=review.login, state=review.state)]
    if (review.commit_id or "").lower() != head_sha.lower():
        if not counts:
            return None, []
        commit = review.commit_id[:12] if review.commit_id else _LOST_COMMIT
        return None, [
            C.STALE_REVIEW.at(display, member=member.id, commit=commit, head=head_sha[:12])
        ]
    sheet, findings, present = parse_sheet(review)
    if not present:
        if review.state == "APPROVED":
            return None, [C.APPROVAL_WITHOUT_SHEET.at(display, member=member.id)]
        return None, []
    if sheet is None or findings:
        return None, findings
    problems = _sheet_problems(review, member, sheet, application_id)
    if problems:
        return None, problems
    return GithubSignoff(member, sheet, review, review.html_url), []


def _sheet_problems(
    review: PullRequestReview, member: Member, sheet: ScoreSheet, application_id: str
) -> list[Finding]:
    display = review.display
    problems: list[Finding] = []
    if sheet.application != application_id:
        problems.append(
            C.OTHER_APPLICATION.at(
                display, application=application_id, sheet_application=sheet.application
            )
        )
    if sheet.reviewer != member.id:
        problems.append(
            C.REVIEWER_MISMATCH.at(
                display, named=sheet.reviewer, login=review.login, member=member.id
            )
        )
    approves = sheet.recommendation is Outcome.APPROVE
    if approves != (review.state == "APPROVED"):
        fix = (
            Both(
                zh=f"{member.id}：请以“Approve”提交审查，或修改建议。",
                en=f"{member.id}: submit the review with 'Approve', or change the recommendation.",
            )
            if approves
            else Both(
                zh=f"{member.id}：请以“Request changes”或“Comment”提交审查，或把建议改为 approve。",
                en=f"{member.id}: submit the review with 'Request changes' or 'Comment', or "
                "change the recommendation to approve.",
            )
        )
        problems.append(
            C.STATE_MISMATCH.at(
                display,
                member=member.id,
                recommendation=sheet.recommendation.value,
                state=review.state,
                fix=fix,
            )
        )
    return problems


def _member(roster: Roster, login: str) -> Member | None:
    wanted = login.lower()
    return next((m for m in roster.members if m.github.lower() == wanted), None)


_LOST_COMMIT = Both(zh="（GitHub 已不再保存的提交）", en="(a commit GitHub no longer has)")
