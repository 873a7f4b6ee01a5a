"""Clean audit verdicts, remembered locally: the site build does not re-prove unchanged files.

Proving that no suppressed cell can be narrowed takes linear programmes; a statistics file
whose exact bytes already passed the audit, with this exact disclosure code and policy, passes
again. The memo keeps only *clean* verdicts, keyed by the SHA-256 of the file's bytes and a
fingerprint of ``cohortgate/disclosure/*.py`` and ``policy.py``; any change to the file or the
code is a miss and the audit runs in full. Differencing against git history is never memoised
(it depends on the history, not on the file).

It lives in the parse cache's folder under ``build/cache/`` (local only: CI's clean clone has
none; ``COHORTGATE_NO_CACHE=1`` turns it off). ``cohortgate audit-stats``, the independent
audit, never uses it.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

from cohortgate.files.parse_cache import ParseCache, for_layout
from cohortgate.layout import Layout

INDEX = "stats-audit"


@cache
def disclosure_fingerprint() -> str:
    digest = hashlib.sha256()
    package = resources.files("cohortgate")
    files = [package.joinpath("policy.py")]
    files += sorted(package.joinpath("disclosure").iterdir(), key=lambda f: f.name)
    for f in files:
        if f.name.endswith(".py") and f.is_file():
            digest.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


class Verdicts:
    def __init__(self, store: ParseCache) -> None:
        self.store = store
        self.clean: dict[str, bool] = store.index(INDEX) if store.folder else {}
        self.changed = False

    @staticmethod
    def key(data: bytes) -> str:
        return f"{disclosure_fingerprint()}:{hashlib.sha256(data).hexdigest()}"

    def passed(self, data: bytes) -> bool:
        return self.clean.get(self.key(data)) is True

    def remember(self, data: bytes) -> None:
        if self.store.folder is not None:
            self.clean[self.key(data)] = True
            self.changed = True

    def save(self) -> None:
        if self.changed:
            prefix = disclosure_fingerprint() + ":"
            self.store.save_index(
                INDEX, {k: v for k, v in self.clean.items() if k.startswith(prefix)}
            )


def for_site(lay: Layout) -> Verdicts:
    return Verdicts(for_layout(lay))
