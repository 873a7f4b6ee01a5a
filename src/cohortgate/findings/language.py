"""The language findings are shown in: Chinese or English, from ``--lang`` or the locale.

Checks make every finding in both languages (``Finding.message``, ``Finding.message_zh``); a
renderer picks one. ``cohortgate --lang zh|en`` (or ``--lang`` after a subcommand) sets it for the
process; without it, ``COHORTGATE_LANG`` and then the locale (``LC_ALL``, ``LC_MESSAGES``,
``LANG``, as gettext reads them) decide: a Chinese locale gives Chinese, any other English.
"""

from __future__ import annotations

import os

LANGUAGES = ("zh", "en")
_chosen: list[str] = []  # set once by the command line


def use(lang: str) -> None:
    """Show findings in ``lang`` for the rest of this process."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
    _chosen[:] = [lang]


def current() -> str:
    """The language chosen on the command line, else the environment's."""
    if _chosen:
        return _chosen[0]
    return from_environment(os.environ)


def from_environment(env: dict[str, str] | os._Environ[str]) -> str:
    explicit = env.get("COHORTGATE_LANG", "").strip().lower()
    if explicit in LANGUAGES:
        return explicit
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:  # the first one set decides, as in gettext
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"
