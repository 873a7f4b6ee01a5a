"""Serve the built site on the loopback interface, under the path of its ``site_url``.

``python -m http.server -d build/site`` works too; serving under the same path prefix as the
published site (``/cohortgate/``) also exercises absolute links, as the browser tests do.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


def site_prefix(config: Path) -> str:
    """The path of ``site_url`` in ``mkdocs.yml``, e.g. '/cohortgate/'."""
    match = re.search(r"^site_url:\s*['\"]?([^'\"\s]+)", config.read_text("utf-8"), re.M)
    path = urlsplit(match.group(1)).path if match else "/"
    return "/" + path.strip("/") + "/" if path.strip("/") else "/"


class PrefixHandler(http.server.SimpleHTTPRequestHandler):
    """Static files of one directory, found under ``prefix``; quiet."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "__not_under_prefix__")
        return super().translate_path("/" + path[len(self.prefix) :])

    def log_message(self, format: str, *args: Any) -> None:
        pass


def make_server(
    site: Path, prefix: str = "/", host: str = "127.0.0.1", port: int = 0
) -> http.server.ThreadingHTTPServer:
    handler = type("Handler", (PrefixHandler,), {"prefix": prefix})
    factory = functools.partial(handler, directory=str(site))
    return http.server.ThreadingHTTPServer((host, port), factory)


def serve_in_thread(site: Path, prefix: str = "/") -> tuple[http.server.ThreadingHTTPServer, str]:
    """A running server and the base URL of the site (ends with '/')."""
    server = make_server(site, prefix)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    return server, f"http://{host!s}:{port}{prefix}"
