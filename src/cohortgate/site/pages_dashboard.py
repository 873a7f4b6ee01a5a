"""The review dashboard (``review/dashboard.md``) and its SVG charts under
``assets/charts/review/``: applications per quarter of submission, the approval rate, median days
to decision and to release, outputs on time.
"""

from __future__ import annotations

from cohortgate.site import charts
from cohortgate.site.html import front_matter, md_head, md_text
from cohortgate.site.labels_transparency import _t
from cohortgate.site.transparency_data import QuarterRow, Transparency

DASHBOARD = "review/dashboard.md"
CHART_DIR = "assets/charts/review"

# The dashboard counts applications, not patients: small counts are published as they are
# (no disclosure control applies; they say nothing about any participant).


# --- the dashboard -----------------------------------------------------------------------------


def _days(value: float | None, lang: str) -> str:
    return _t("none", lang) if value is None else f"{value:g}"


def _rate(row: QuarterRow, lang: str) -> str:
    rate = row.approval_rate
    return _t("none", lang) if rate is None else f"{rate:.0%}"


def _round(value: float | None) -> int | None:
    return None if value is None else round(value)


def _charts(rows: list[QuarterRow], lang: str) -> dict[str, tuple[str, charts.Svg | None]]:
    groups = [r.quarter for r in rows]
    none = _t("no_data", lang)

    def chart(key: str, series: list[str], values: list[list[int | None]]) -> charts.Svg | None:
        if all(v is None for row in values for v in row):
            return None
        title = _t(key, lang)
        description = "; ".join(
            f"{g}: "
            + ", ".join(f"{s} {none if v is None else v}" for s, v in zip(series, row, strict=True))
            for g, row in zip(groups, values, strict=True)
        )
        return charts.render(
            charts.Chart(title, groups, series, values, none, none, f"{title}. {description}")
        )

    cols = ("col.submitted", "col.decided", "col.approved")
    days = ("col.to_decision", "col.to_release")
    outputs = ("col.on_time", "col.late", "col.expired")
    return {
        "applications": (
            _t("chart.applications", lang),
            chart(
                "chart.applications",
                [_t(c, lang) for c in cols],
                [[r.submitted, r.decided, r.approved] for r in rows],
            ),
        ),
        "days": (
            _t("chart.days", lang),
            chart(
                "chart.days",
                [_t(c, lang) for c in days],
                [[_round(r.median_to_decision), _round(r.median_to_release)] for r in rows],
            ),
        ),
        "outputs": (
            _t("chart.outputs", lang),
            chart(
                "chart.outputs",
                [_t(c, lang) for c in outputs],
                [[r.on_time, r.late, r.expired] for r in rows],
            ),
        ),
    }


def dashboard_files(data: Transparency, lang: str) -> dict[str, str]:
    """``review/dashboard.md`` and its chart files (paths relative to the docs root)."""
    title = _t("dashboard.title", lang)
    out = [front_matter(title=title), f"# {title}\n", _t("dashboard.intro", lang) + "\n"]
    rows = data.quarters
    if not rows:
        return {DASHBOARD: "\n".join([*out, _t("dashboard.none", lang)]) + "\n"}
    keys = (
        "col.quarter",
        "col.submitted",
        "col.decided",
        "col.approved",
        "col.rate",
        "col.to_decision",
        "col.to_release",
        "col.on_time",
        "col.late",
        "col.expired",
    )
    out += [
        *md_head([_t(k, lang) for k in keys], "l" + "r" * (len(keys) - 1)),
    ]
    for r in rows:
        cells = [
            r.quarter,
            str(r.submitted),
            str(r.decided),
            str(r.approved),
            _rate(r, lang),
            _days(r.median_to_decision, lang),
            _days(r.median_to_release, lang),
            str(r.on_time),
            str(r.late),
            str(r.expired),
        ]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    files: dict[str, str] = {}
    for name, (heading, svg) in _charts(rows, lang).items():
        if svg is None:
            continue  # nothing to draw yet (no decision, no release): the table says so
        path = f"{CHART_DIR}/{name}.svg"
        files[path] = svg.text
        out += [
            f"## {heading}\n",
            f"![{md_text(heading)}](../{path}){{ loading=lazy width={svg.width} "
            f"height={svg.height} }}\n",
        ]
    return {DASHBOARD: "\n".join(out) + "\n", **files}
