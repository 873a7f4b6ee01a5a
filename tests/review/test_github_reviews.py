"""The second sign-off channel: pull-request reviews, read from recorded REST API answers.

Each case in ``github_recorded/`` is a real-shaped answer of
``GET /repos/{owner}/{repo}/pulls/{number}/reviews`` (synthetic logins: the test roster's
``gh-alice``, ``gh-bob``, ``gh-carol``; ``gh-mallory`` is no member). Fetching is tested with a
fake opener serving the recorded pages and, end to end, against a local HTTP server.
"""

from __future__ import annotations

import argparse
import io
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from cohortgate.cli import fetch_reviews as cli
from cohortgate.codes import load_all
from cohortgate.models.roster import Roster
from cohortgate.review.github_reviews import (
    GithubApiError,
    PullRequestReview,
    fetch_reviews,
    github_signoffs,
    load_reviews,
    parse_reviews,
    parse_sheet,
)

RECORDED = Path(__file__).resolve().parent / "github_recorded"
HEAD = "3f1c9a7e5b2d4c6f8091a2b3c4d5e6f708192a3b"
APPLICATION = "A-2026-0001"
REPO = "example-org/cohort-data"
ELSEWHERE = "https://elsewhere.example/x"  # a Link to another host: the token must not go there


def recorded(name: str) -> list[PullRequestReview]:
    return parse_reviews(json.loads((RECORDED / f"{name}.json").read_text("utf-8")))


def signoffs(name: str, roster: Roster) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """member id -> recommendation of each valid sign-off; (code, file) of each finding."""
    found, findings = github_signoffs(recorded(name), roster, HEAD, APPLICATION)
    return (
        {s.member.id: s.sheet.recommendation.value for s in found},
        [(f.code, f.file) for f in findings],
    )


def review_file(name: str, index: int) -> str:
    review = recorded(name)[index]
    return f"pull request review {review.id} ({review.login})"


# --- which reviews are sign-offs ---------------------------------------------------------------

CASES = {
    # case: (sign-offs, [(finding code, index of the review it is about)])
    "approved": ({"alice": "approve"}, []),
    "stale": ({}, [("github.stale-review", 0)]),
    "unknown_login": ({}, [("github.unknown-login", 0)]),
    "other_application": ({}, [("github.other-application", 0)]),
    "reviewer_mismatch": ({}, [("github.reviewer-mismatch", 0)]),
    # alice's later request for changes replaces her approval; bob's later comment does not
    "superseded": ({"bob": "approve"}, []),
    "dismissed": ({}, []),
    "approved_without_block": ({}, [("github.approval-without-sheet", 0)]),
    "state_and_recommendation": (
        {"bob": "revise"},
        [("github.state-mismatch", 1), ("github.state-mismatch", 2)],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_recorded_case(case: str, roster: Roster) -> None:
    expected_signoffs, expected_findings = CASES[case]
    got_signoffs, got_findings = signoffs(case, roster)
    assert got_signoffs == expected_signoffs
    assert got_findings == [(code, review_file(case, i)) for code, i in expected_findings]


def test_every_recorded_case_is_tested() -> None:
    assert {p.stem for p in RECORDED.glob("*.json")} == set(CASES) | {"malformed_block"}


def test_a_signoff_keeps_the_member_the_sheet_and_the_link(roster: Roster) -> None:
    [signoff], findings = github_signoffs(recorded("approved"), roster, HEAD, APPLICATION)
    assert findings == []
    assert signoff.member == roster.member("alice")
    assert signoff.sheet.application == APPLICATION and signoff.sheet.reviewer == "alice"
    assert signoff.sheet.scores == {"scientific-value": 4, "social-benefit": 3, "feasibility": None}
    assert signoff.review.commit_id == HEAD and signoff.review.state == "APPROVED"
    assert signoff.reference == signoff.review.html_url
    assert signoff.reference.endswith(f"#pullrequestreview-{signoff.review.id}")


def test_logins_match_case_insensitively(roster: Roster) -> None:
    [review] = recorded("approved")[:1]
    shouted = PullRequestReview(**{**review.__dict__, "login": "GH-Alice"})
    [signoff], findings = github_signoffs([shouted], roster, HEAD, APPLICATION)
    assert (signoff.member.id, findings) == ("alice", [])


def test_a_review_of_an_earlier_commit_names_both_commits(roster: Roster) -> None:
    _, [finding] = github_signoffs(recorded("stale"), roster, HEAD, APPLICATION)
    assert "9e8d7c6b5a4f" in finding.message and HEAD[:12] in finding.message
    assert "alice" in finding.hint


def test_a_review_on_a_commit_github_lost_is_stale(roster: Roster) -> None:
    [review] = recorded("stale")
    lost = PullRequestReview(**{**review.__dict__, "commit_id": None})
    _, [finding] = github_signoffs([lost], roster, HEAD, APPLICATION)
    assert finding.code == "github.stale-review"


def test_the_mismatch_messages_say_what_to_write(roster: Roster) -> None:
    _, [other] = github_signoffs(recorded("other_application"), roster, HEAD, APPLICATION)
    assert "A-2026-0002" in other.message and f"application: {APPLICATION}" in other.hint
    _, [who] = github_signoffs(recorded("reviewer_mismatch"), roster, HEAD, APPLICATION)
    assert "'alice'" in who.message and "gh-bob" in who.message
    assert who.hint.startswith("Write 'reviewer: bob'")


def test_plain_reviews_by_outsiders_make_no_noise(roster: Roster) -> None:
    """Discussion by the applicant is no sign-off and no finding."""
    found, findings = github_signoffs(recorded("approved")[1:], roster, HEAD, APPLICATION)
    assert (found, findings) == ([], [])


# --- the score block ---------------------------------------------------------------------------


def test_malformed_yaml_in_the_block_is_located_in_the_review(roster: Roster) -> None:
    found, findings = github_signoffs(recorded("malformed_block"), roster, HEAD, APPLICATION)
    assert found == []
    by_file = {f.file: f for f in findings if f.code == "yaml.duplicate-key"}
    duplicate = by_file[review_file("malformed_block", 0)]
    # line 6 of the body: 'Scores below.', '', the fence, application, reviewer, reviewer
    assert (duplicate.line, duplicate.column, duplicate.path) == (6, 1, "$.reviewer")
    schema = sorted(
        (f.line, f.path)
        for f in findings
        if f.code == "schema.invalid" and f.file == review_file("malformed_block", 1)
    )
    # 'My sheet:', the fence, then the sheet from line 3: 'social-benefit: three' is line 10;
    # the missing 'comments' points at the sheet's first line
    assert schema == [(3, "$"), (10, "$.scores.social-benefit")]


def review_with(body: str, state: str = "APPROVED") -> PullRequestReview:
    return PullRequestReview(
        id=7, login="gh-alice", state=state, commit_id=HEAD, submitted_at=None, body=body,
        html_url="https://github.com/example-org/cohort-data/pull/42#pullrequestreview-7",
    )  # fmt: skip


def test_an_unclosed_block_is_a_finding() -> None:
    sheet, [finding], present = parse_sheet(review_with("x\n```cohortgate-review\nreviewer: a\n"))
    assert (sheet, present, finding.code, finding.line) == (None, True, "github.sheet-unclosed", 2)


def test_two_blocks_are_refused() -> None:
    body = "```cohortgate-review\na: 1\n```\n\n```cohortgate-review\na: 2\n```\n"
    _, [finding], _ = parse_sheet(review_with(body))
    assert (finding.code, finding.line) == ("github.several-sheets", 5)


def test_other_code_blocks_are_no_sheet() -> None:
    """A yaml block, or a sheet quoted inside a longer fence, is not the reviewer's sheet."""
    quoted = "````markdown\n```cohortgate-review\napplication: x\n```\n````\n"
    for body in ("```yaml\napplication: A-2026-0001\n```\n", quoted, "~~~\n~~~\n"):
        assert parse_sheet(review_with(body)) == (None, [], False)


def test_a_sheet_that_is_not_a_mapping() -> None:
    _, [finding], _ = parse_sheet(review_with("```cohortgate-review\n- a\n```\n"))
    assert (finding.code, finding.line) == ("yaml.not-a-mapping", 2)


# --- the API's JSON ----------------------------------------------------------------------------


def api_review(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((RECORDED / "stale.json").read_text("utf-8"))[0]
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"reviews": []}, "expected a list of reviews, got dict"),
        (["x"], "review [0]: expected an object"),
        ([api_review(id="880000101")], "'id' must be a positive integer"),
        ([api_review(id=True)], "'id' must be a positive integer"),
        ([api_review(user={"id": 1})], "'user.login'"),
        ([api_review(state="approved")], "'state' must be one of"),
        ([api_review(commit_id="main")], "'commit_id' must be a commit SHA or null"),
        ([api_review(body=["x"])], "'body' must be a string or null"),
        ([api_review(html_url=None)], "'html_url' must be a string"),
        ([api_review(submitted_at=1)], "'submitted_at'"),
    ],
)
def test_malformed_api_json_is_refused_by_name(data: object, named: str) -> None:
    with pytest.raises(ValueError, match=named.replace("[", r"\[").replace("]", r"\]")):
        parse_reviews(data)


def test_what_github_may_leave_out() -> None:
    """A deleted account shows as the ghost user; an empty body may be null."""
    [review] = parse_reviews([api_review(user=None, body=None, commit_id=None)])
    assert (review.login, review.body, review.commit_id) == ("ghost", "", None)


def test_load_reviews_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "reviews.json"
    bad.write_text("[{", "utf-8")
    with pytest.raises(ValueError, match=r"reviews\.json: cannot read the reviews"):
        load_reviews(bad)
    good = tmp_path / "good.json"
    good.write_text((RECORDED / "superseded.json").read_text("utf-8"), "utf-8")
    assert [r.login for r in load_reviews(good)] == ["gh-alice", "gh-bob", "gh-alice", "gh-bob"]


def test_codes_are_declared() -> None:
    codes = load_all()
    for name, (_, expected) in CASES.items():
        for code, _ in expected:
            assert code in codes, (name, code)


# --- fetching ----------------------------------------------------------------------------------


class FakeResponse:
    def __init__(self, body: bytes, headers: dict[str, str], status: int = 200) -> None:
        self.status = status
        self.headers = Message()
        for key, value in headers.items():
            self.headers[key] = value
        self._body = io.BytesIO(body)

    def read(self, amt: int = -1, /) -> bytes:
        return self._body.read(amt)

    def __enter__(self) -> FakeResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class RecordedApi:
    """Serves the recorded pages by URL; keeps every request it was given."""

    def __init__(self) -> None:
        self.pages = {}
        for path in sorted((RECORDED / "pages").glob("*.json")):
            page = json.loads(path.read_text("utf-8"))
            self.pages[page["url"]] = page
        self.requests: list[urllib.request.Request] = []

    def __call__(self, request: urllib.request.Request, timeout: float) -> FakeResponse:
        self.requests.append(request)
        page = self.pages[request.full_url]
        return FakeResponse(json.dumps(page["body"]).encode(), page["headers"])


def test_fetch_follows_the_next_page(roster: Roster) -> None:
    api = RecordedApi()
    data = fetch_reviews(REPO, 42, "ghs_synthetic", opener=api)
    assert len(data) == 103
    assert [r.full_url for r in api.requests] == [
        "https://api.github.com/repos/example-org/cohort-data/pulls/42/reviews?per_page=100",
        "https://api.github.com/repositories/700000042/pulls/42/reviews?per_page=100&page=2",
    ]
    for request in api.requests:
        assert request.get_header("Authorization") == "Bearer ghs_synthetic"
        assert request.get_header("Accept") == "application/vnd.github+json"
        assert request.get_header("X-github-api-version") == "2022-11-28"
    # alice's approval (page 1) stands after her later comment (page 2); bob asks for revision
    found, findings = github_signoffs(parse_reviews(data), roster, HEAD, APPLICATION)
    assert {s.member.id: s.sheet.recommendation.value for s in found} == {
        "alice": "approve",
        "bob": "revise",
    }
    assert findings == []


def http_error(code: int, body: object, headers: dict[str, str]) -> Any:
    def opener(request: urllib.request.Request, timeout: float) -> FakeResponse:
        hdrs = Message()
        for key, value in headers.items():
            hdrs[key] = value
        raw = io.BytesIO(json.dumps(body).encode())
        raise urllib.error.HTTPError(request.full_url, code, "error", hdrs, raw)

    return opener


@pytest.mark.parametrize(
    ("opener", "message"),
    [
        (
            http_error(403, {"message": "API rate limit exceeded"}, {
                "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1795939200"
            }),
            r"rate limit exceeded \(HTTP 403\) .* resets at 2026-11-29 08:00:00 UTC$",
        ),
        (http_error(429, {}, {"Retry-After": "60"}), r"rate limit .* retry after 60 s"),
        (http_error(404, {"message": "Not Found"}, {}), "HTTP 404 .* no such pull request"),
        (http_error(401, {"message": "Bad credentials"}, {}), "HTTP 401 .*refused: Bad cred"),
        (http_error(502, "<html>", {}), r"^HTTP 502 for https://\S+$"),
        (lambda r, timeout: FakeResponse(b"<html>", {}), "the answer is not JSON"),
        (lambda r, timeout: FakeResponse(b'{"id": 1}', {}), "expected a JSON list of reviews"),
        (
            lambda r, timeout: FakeResponse(b"[]", {"Link": f'<{ELSEWHERE}>; rel="next"'}),
            "the next page is on another host",
        ),
    ],
)  # fmt: skip
def test_api_errors_say_what_happened(opener: Any, message: str) -> None:
    with pytest.raises(GithubApiError, match=message):
        fetch_reviews(REPO, 42, "ghs_synthetic", opener=opener)


def test_endless_pages_stop() -> None:
    def opener(request: urllib.request.Request, timeout: float) -> FakeResponse:
        nxt = request.full_url + "&p=1"
        return FakeResponse(b"[]", {"Link": f'<{nxt}>; rel="next"'})

    with pytest.raises(GithubApiError, match="more than 50 pages"):
        fetch_reviews(REPO, 42, "t", opener=opener)


@pytest.mark.parametrize(
    ("repository", "number", "token", "message"),
    [
        ("example-org/cohort/../x", 42, "t", "not an owner/name"),
        ("example-org", 42, "t", "not an owner/name"),
        (REPO, 0, "t", "not a pull request number"),
        (REPO, 42, "", "no token"),
    ],
)
def test_bad_arguments_ask_nothing(repository: str, number: int, token: str, message: str) -> None:
    def opener(request: urllib.request.Request, timeout: float) -> FakeResponse:
        raise AssertionError("no request expected")

    with pytest.raises(GithubApiError, match=message):
        fetch_reviews(repository, number, token, opener=opener)


# --- the command, against a local HTTP server ---------------------------------------------------


@pytest.fixture
def local_api() -> Iterator[tuple[str, list[str]]]:
    """The recorded pages served over real HTTP; yields the API URL and the tokens seen."""
    pages = {}
    for path in sorted((RECORDED / "pages").glob("*.json")):
        page = json.loads(path.read_text("utf-8"))
        pages[page["url"].replace("https://api.github.com", "")] = page
    tokens: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            tokens.append(self.headers.get("Authorization", ""))
            page = pages.get(self.path)
            if page is None:
                body, status, headers = b'{"message": "Not Found"}', 404, {}
            else:
                body, status = json.dumps(page["body"]).encode(), 200
                headers = {"Link": page["headers"]["Link"].replace("https://api.github.com", url)}
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url, tokens
    server.shutdown()
    server.server_close()
    thread.join()


def run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return cli.run(parser.parse_args(argv))


def test_the_command_writes_every_review(
    local_api: tuple[str, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, tokens = local_api
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_synthetic")
    out = tmp_path / "out" / "reviews.json"
    assert run_cli(["--repository", REPO, "--pr", "42", "--out", str(out), "--api-url", url]) == 0
    assert tokens == ["Bearer ghs_synthetic"] * 2
    assert len(load_reviews(out)) == 103
    assert "103 review(s) of #42" in capsys.readouterr().err


def test_the_command_fails_in_one_line(
    local_api: tuple[str, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, _ = local_api
    out = tmp_path / "reviews.json"
    argv = ["--repository", REPO, "--pr", "7", "--out", str(out), "--api-url", url]
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    assert run_cli(argv) == 2
    assert capsys.readouterr().err == "cohortgate fetch-reviews: set GITHUB_TOKEN to a token\n"
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_synthetic")
    assert run_cli(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("cohortgate fetch-reviews: HTTP 404 for ") and err.count("\n") == 1
    assert "Traceback" not in err and "ghs_synthetic" not in err
    assert not out.exists()


def test_the_token_is_no_argument() -> None:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    assert not [a for a in parser._actions if "token" in " ".join(a.option_strings)]
    with pytest.raises(SystemExit):
        parser.parse_args(["--repository", REPO, "--pr", "4x", "--out", "f"])
