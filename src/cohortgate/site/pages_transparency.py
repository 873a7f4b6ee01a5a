"""Transparency on the site (R15, R19–R25, R34): the register of approved uses, the dashboard,
the blacklist and the lifecycle state machine.

``review/register.md`` lists every validly approved use by quarter of its decision with its
state, outputs and the citation of the source (R23), and the topics reopened after an expiry
(R21); ``review/dashboard.md`` counts applications per quarter of submission (approval rate,
median days to decision and to release, outputs on time) with SVG charts under
``assets/charts/review/``; ``review/blacklist.md`` publishes the blacklist under
``BLACKLIST_PUBLISHING``; ``review/lifecycle.md`` draws ``models.lifecycle.TRANSITIONS`` as a
mermaid diagram (``lifecycle.diagram.mermaid``) and lists it as a table. The fee schedule stays
on ``review/index.md`` (``pages_review``); these pages link to it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from cohortgate.lifecycle.diagram import mermaid
from cohortgate.models.blacklist import BlacklistEntry, BlacklistScope
from cohortgate.models.institution import Institution
from cohortgate.models.lifecycle import ROLE_OF, TRANSITIONS, State, Trigger
from cohortgate.policy import MAX_EXTENSIONS, TRACKING_MONTHS
from cohortgate.site.html import front_matter, md_cell, md_head
from cohortgate.site.labels import pick
from cohortgate.site.labels_transparency import GUARD, ROLE, STATE, L, _t
from cohortgate.site.pages_dashboard import CHART_DIR, DASHBOARD, dashboard_files
from cohortgate.site.prose import MERMAID_JS, depth_prefix
from cohortgate.site.transparency_data import Transparency, Use

__all__ = [
    "BLACKLIST",
    "BLACKLIST_PUBLISHING",
    "CHART_DIR",
    "DASHBOARD",
    "GUARD",
    "LIFECYCLE",
    "PAGES",
    "REGISTER",
    "ROLE",
    "STATE",
    "L",
    "blacklist_page",
    "dashboard_files",
    "lifecycle_page",
    "listed",
    "pages",
    "public_reason",
    "register_page",
]

REGISTER = "review/register.md"
BLACKLIST = "review/blacklist.md"
LIFECYCLE = "review/lifecycle.md"
PAGES = (REGISTER, DASHBOARD, BLACKLIST, LIFECYCLE)

# What of rubric/blacklist.yaml the site publishes (R25). The policy names violators so that
# institutions know whom not to work with, but a person is not named on a public site: their
# e-mail (and any e-mail address in the reason) never appears, and a person is shown only as
# "a person of institution X" (or of an institution not named, when the entry gives none).
# An entry naming only an institution is shown as that institution. Scope, datasets, reason,
# the listing date, the review date and the deciding chairs (public committee members) are
# published as written.
BLACKLIST_PUBLISHING = {
    "person": "anonymous, by institution",
    "institution": "by catalog name",
    "published fields": "scope, datasets, reason (e-mail addresses removed), listed_on, "
    "review_on, decided_by",
}
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def _where(institution: str, institutions: Mapping[str, Institution], lang: str) -> str:
    inst = institutions.get(institution)
    return inst.name.get(lang) if inst else institution


def _state(state: State | None, lang: str) -> str:
    return pick(STATE[state], lang) if state is not None else _t("none", lang)


# --- the register ------------------------------------------------------------------------------


def _use(use: Use, institutions: Mapping[str, Institution], lang: str) -> list[str]:
    n = use.notice
    out = [
        f"### {n.application} {md_cell(n.title)}\n",
        f"- {_t('institution', lang)}: {md_cell(_where(n.institution, institutions, lang))}",
        f"- {_t('lead', lang)}: {md_cell(n.lead)}",
        f"- {_t('decided', lang)}: {n.decided_on}",
        f"- {_t('state', lang)}: **{_state(use.state, lang)}**"
        + (f" ({use.since})" if use.since else ""),
    ]
    if use.released_on:
        out.append(f"- {_t('released', lang)}: {use.released_on}")
    if use.tracking_end:
        out.append(f"- {_t('tracking_end', lang)}: {use.tracking_end}")
    if use.extensions:
        out.append(f"- {_t('extensions', lang)}: {use.extensions} / {MAX_EXTENSIONS}")
    if use.reopened_on:
        out.append(f"- {_t('reopened_on', lang)}: {use.reopened_on}")
    if use.output is not None:
        o = use.output
        timing = "" if o.on_time is None else f" ({_t('on_time' if o.on_time else 'late', lang)})"
        out += [
            f"- {_t('outputs', lang)}: {o.filed_on}{timing}",
            f"    - {_t('citation', lang)}: {md_cell(o.citation)}",
        ]
        if o.attachments:
            names = ", ".join(f"`{name.replace('`', '')}`" for name in o.attachments)
            out.append(f"    - {_t('files', lang)}: {names}")
    elif use.state in (State.TRACKING, State.EXTENDED, State.RELEASED):
        out.append(f"- {_t('outputs', lang)}: {_t('no_outputs', lang)}")
    return [*out, ""]


def register_page(data: Transparency, institutions: Mapping[str, Institution], lang: str) -> str:
    title = _t("register.title", lang)
    intro = _t("register.intro", lang).format(months=TRACKING_MONTHS, ext=MAX_EXTENSIONS)
    out = [front_matter(title=title), f"# {title}\n", intro + "\n"]
    if not data.uses:
        return "\n".join([*out, _t("register.none", lang)]) + "\n"
    quarters: dict[str, list[Use]] = {}
    for use in data.uses:  # newest quarter first, as the notices are
        quarters.setdefault(use.notice.quarter, []).append(use)
    for quarter, uses in quarters.items():
        out.append(f"## {quarter}\n")
        for use in uses:
            out += _use(use, institutions, lang)
    reopened = [u for u in data.uses if u.reopened_on]
    if reopened:
        out += [f"## {_t('reopened', lang)}\n", _t("reopened.intro", lang) + "\n"]
        out += [
            f"- {u.notice.application} {md_cell(u.notice.title)}: "
            + ", ".join(f"`{d}`" for d in u.notice.datasets)
            + f" ({u.reopened_on})"
            for u in reopened
        ]
    return "\n".join(out) + "\n"


# --- the blacklist -----------------------------------------------------------------------------


def listed(entry: BlacklistEntry, institutions: Mapping[str, Institution], lang: str) -> str:
    """Who an entry lists, as ``BLACKLIST_PUBLISHING`` allows: never a person's name or e-mail."""
    inst = _where(entry.institution, institutions, lang) if entry.institution else None
    if not entry.names_person:  # by e-mail, ORCID or name: a person either way
        return f"{_t('institution', lang)}: {inst}"
    if inst is None:
        return _t("person_unnamed", lang)
    return _t("person_of", lang).format(inst=inst)


def public_reason(text: str) -> str:
    return _EMAIL.sub("[…]", text)


def blacklist_page(
    entries: list[BlacklistEntry] | None, institutions: Mapping[str, Institution], lang: str
) -> str:
    title = _t("blacklist.title", lang)
    out = [front_matter(title=title), f"# {title}\n", _t("blacklist.intro", lang) + "\n"]
    if entries is None:
        return "\n".join([*out, _t("blacklist.missing", lang)]) + "\n"
    if not entries:
        return "\n".join([*out, _t("blacklist.none", lang)]) + "\n"
    keys = (
        "col.who_listed",
        "col.scope",
        "col.reason",
        "col.listed_on",
        "col.review_on",
        "col.decided_by",
    )
    out += md_head([_t(k, lang) for k in keys], "llllll")
    for e in sorted(entries, key=lambda x: x.listed_on, reverse=True):
        scope = (
            _t("all_datasets", lang)
            if e.scope is BlacklistScope.ALL
            else ", ".join(f"`{d}`" for d in e.datasets)
        )
        cells = [
            md_cell(listed(e, institutions, lang)),
            scope,
            md_cell(public_reason(e.reason)),
            e.listed_on,
            e.review_on or _t("none", lang),
            md_cell(", ".join(e.decided_by)),
        ]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


# --- the lifecycle -----------------------------------------------------------------------------


def _trigger(trigger: Trigger) -> str:
    return f"`{trigger.value}`"


def lifecycle_page(lang: str, with_script: bool) -> str:
    """The diagram and the table, both from ``TRANSITIONS``; ``with_script``: the vendored
    mermaid script is on the site (without it the diagram shows as its source text)."""
    title = _t("lifecycle.title", lang)
    out = [front_matter(title=title)]
    if with_script:
        out.append(f'<script src="{depth_prefix(LIFECYCLE)}{MERMAID_JS}"></script>\n')
    out += [
        f"# {title}\n",
        _t("lifecycle.intro", lang) + "\n",
        f"## {_t('diagram', lang)}\n",
        "```mermaid",
        mermaid().rstrip("\n"),
        "```\n",
        f"## {_t('transitions', lang)}\n",
    ]
    keys = ("col.from", "col.step", "col.to", "col.who", "col.after", "col.guards")
    out += md_head([_t(k, lang) for k in keys], "llllll")
    for t in TRANSITIONS:
        source = _t("start", lang) if t.source is None else pick(STATE[t.source], lang)
        cells = [
            source,
            _trigger(t.trigger),
            pick(STATE[t.target], lang),
            pick(ROLE[ROLE_OF[t.trigger]], lang),
            ", ".join(_trigger(r) for r in t.requires) or _t("none", lang),
            ", ".join(pick(GUARD[g], lang) for g in t.guards) or _t("none", lang),
        ]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


# --- all of them -------------------------------------------------------------------------------


def pages(
    data: Transparency,
    institutions: Mapping[str, Institution],
    lang: str,
    *,
    mermaid_script: bool,
) -> dict[str, str]:
    """Every page (``.md``) and chart (``.svg``), by path relative to the docs root."""
    return {
        REGISTER: register_page(data, institutions, lang),
        **dashboard_files(data, lang),
        BLACKLIST: blacklist_page(data.blacklist, institutions, lang),
        LIFECYCLE: lifecycle_page(lang, mermaid_script),
    }
