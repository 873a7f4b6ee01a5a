"""``cohortgate site``: build the bilingual catalog site, or serve the built one.

``site build`` replaces ``build/site`` whole once both languages are built (the previous site
stays until then); exit 0 when built, 1 with findings, 2 when the disk refused a write (a
``file.write-failed`` finding names the file).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cohortgate.findings import has_errors, sort_findings
from cohortgate.findings.render import REPORTER_BY_NAME
from cohortgate.layout import layout

NAME = "site"
HELP = "build the catalog site (Chinese and English) from catalog/ and site/, or serve it"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="site_command", metavar="ACTION")
    build = sub.add_parser("build", help="generate the pages and build both languages")
    build.add_argument("--root", type=Path, default=None, help="repository root")
    build.add_argument(
        "--no-strict",
        dest="strict",
        action="store_false",
        help="let MkDocs warnings (broken links, missing anchors) pass",
    )
    build.add_argument("--format", choices=sorted(REPORTER_BY_NAME), default="text")
    serve = sub.add_parser("serve", help="serve build/site on 127.0.0.1")
    serve.add_argument("--root", type=Path, default=None, help="repository root")
    serve.add_argument("--port", type=int, default=8000)


def run(args: argparse.Namespace) -> int:
    if args.site_command == "serve":
        return _serve(args)
    if args.site_command != "build":
        print("usage: cohortgate site {build,serve} (see --help)", file=sys.stderr)
        return 2
    from cohortgate.files.codes import FILE_WRITE_FAILED
    from cohortgate.site.build import build

    lay = layout(args.root)
    built, findings = build(lay, strict=args.strict)
    if findings:
        sys.stdout.write(REPORTER_BY_NAME[args.format](sort_findings(findings)))
    if built is None or has_errors(findings):
        refused = any(f.code == FILE_WRITE_FAILED.id for f in findings)
        print(
            "the site was not built" + ("; the previous build/site is intact" if refused else ""),
            file=sys.stderr,
        )
        return 2 if refused else 1
    gen = built.generated
    took = ", ".join(f"{k} {v:.1f} s" for k, v in gen.seconds.items())
    mkdocs = ", ".join(f"{k} {v:.1f} s" for k, v in built.mkdocs_seconds.items())
    print(
        f"site built in {lay.rel(built.site)}/ (Chinese) and {lay.rel(built.site)}/en/ "
        f"(English): {gen.pages} pages, {gen.charts} charts ({took}; {mkdocs})",
        file=sys.stderr,
    )
    print(
        "serve it: cohortgate site serve   (or: python -m http.server -d build/site)",
        file=sys.stderr,
    )
    return 0


def _serve(args: argparse.Namespace) -> int:
    from cohortgate.site.serve import make_server, site_prefix

    lay = layout(args.root)
    site = lay.build / "site"
    if not (site / "index.html").is_file():
        print("no built site: run `cohortgate site build` first", file=sys.stderr)
        return 1
    prefix = site_prefix(lay.root / "mkdocs.yml")
    server = make_server(site, prefix, port=args.port)
    print(f"serving http://127.0.0.1:{args.port}{prefix} (Ctrl-C stops)", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
