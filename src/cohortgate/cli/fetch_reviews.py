"""``cohortgate fetch-reviews --repository OWNER/NAME --pr N --out FILE``: a pull request's reviews.

Reads every review of the pull request through GitHub's REST API (all pages) and writes them, as
the API returned them, to ``FILE`` as one JSON list; ``cohortgate review --github-reviews FILE``
reads the sign-offs from it. The token comes from the ``GITHUB_TOKEN`` environment variable
only, never from an argument (arguments show in process lists and logs); the workflow's own
read-only token is enough (``pull-requests: read``). ``GITHUB_API_URL`` (set by GitHub's
runners, also on GitHub Enterprise Server) or ``--api-url`` names the API.

Exit 0 when the file is written, 2 when the API cannot be read or the answer is not a list of
reviews (one line on stderr says why).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

NAME = "fetch-reviews"
HELP = "下载拉取请求的评审 / fetch a pull request's reviews from GitHub (token: $GITHUB_TOKEN)"


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a pull request number")
    return int(text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--repository", required=True, metavar="OWNER/NAME", help="e.g. example-org/cohort"
    )
    parser.add_argument(
        "--pr", required=True, type=_positive, metavar="N", help="the pull request number"
    )
    parser.add_argument(
        "--out", required=True, type=Path, metavar="FILE", help="where to write the JSON list"
    )
    parser.add_argument(
        "--api-url",
        default=None,
        metavar="URL",
        help="the REST API (default: $GITHUB_API_URL, else https://api.github.com)",
    )


def run(args: argparse.Namespace) -> int:
    import json

    from cohortgate.files.atomic import write_text
    from cohortgate.review.github_reviews import (
        API_URL,
        GithubApiError,
        fetch_reviews,
        parse_reviews,
    )

    token = os.environ.get("GITHUB_TOKEN", "")
    if not token:
        print("cohortgate fetch-reviews: set GITHUB_TOKEN to a token", file=sys.stderr)
        return 2
    api_url = args.api_url or os.environ.get("GITHUB_API_URL") or API_URL
    try:
        reviews = fetch_reviews(args.repository, args.pr, token, api_url)
        parse_reviews(reviews)  # refuse to write what `cohortgate review` could not read
        write_text(args.out, json.dumps(reviews, indent=1) + "\n")
    except (GithubApiError, ValueError, OSError) as exc:
        print(f"cohortgate fetch-reviews: {exc}", file=sys.stderr)
        return 2
    print(f"{len(reviews)} review(s) of #{args.pr} written to {args.out}", file=sys.stderr)
    return 0
