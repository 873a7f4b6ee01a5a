"""The statistics section of a dataset page: accessible tables, with an SVG chart beside each.

Only published values are used. A suppressed cell reads "已抑制 / suppressed" with a legend,
never 0; a total is labelled as the sum of the published values.
"""

from __future__ import annotations

from dataclasses import dataclass

from cohortgate.models.stats import Cell, DatasetStats, DisclosureSummary, StatTable
from cohortgate.site import charts
from cohortgate.site.html import esc, num
from cohortgate.site.labels import t


@dataclass(frozen=True)
class ChartFile:
    path: str  # relative to the docs root, e.g. 'assets/charts/pku/by_sex.svg'
    svg: str


def chart_dir(dataset_id: str) -> str:
    return f"assets/charts/{dataset_id}"


def policy_sentence(policy: DisclosureSummary, lang: str) -> str:
    if lang == "zh":
        zeros = "（包括 0）" if policy.zeros_sensitive else ""
        rounding = (
            f"公布的计数取整到最接近的 {policy.rounding} 的倍数"
            if policy.rounding > 1
            else "公布的计数不取整"
        )
        return (
            f"本页所有数值均经统计披露控制（规则：{esc(policy.preset)}）："
            f"小于或等于 {policy.threshold} 的计数{zeros}不公布；{rounding}。"
        )
    zeros = " (zeros included)" if policy.zeros_sensitive else ""
    rounding = (
        f"published counts are rounded to the nearest multiple of {policy.rounding}"
        if policy.rounding > 1
        else "published counts are not rounded"
    )
    return (
        f"Every number on this page went through statistical disclosure control (rule: "
        f"{esc(policy.preset)}): counts of {policy.threshold} or fewer{zeros} are not "
        f"published; {rounding}."
    )


def shown(cell: Cell | None) -> int | None:
    """The value a reader may see; None when suppressed (whatever ``value`` holds)."""
    if cell is None or cell.suppressed:
        return None
    return cell.value


def cell_html(cell: Cell | None, lang: str) -> str:
    if cell is None:
        missing = t("stats.missing", lang)
        return f'<td class="cg-num cg-missing">—<span class="cg-sr"> {missing}</span></td>'
    value = shown(cell)
    if value is None:
        return f'<td class="cg-num cg-sup">{t("suppressed", lang)}</td>'
    return f'<td class="cg-num">{num(value)}</td>'


def section(stats: DatasetStats | None, dataset_id: str, lang: str) -> tuple[str, list[ChartFile]]:
    """Markdown of the statistics section and the chart files it links to."""
    out = [f"## {t('stats', lang)} {{ #stats }}\n"]
    if stats is None:
        out.append(f"{t('stats.none', lang)}\n")
        return "\n".join(out), []
    population = num(stats.population) if stats.population is not None else t("suppressed", lang)
    out.append(
        f'<div class="cg-note"><p>{policy_sentence(stats.policy, lang)}</p>'
        f"<p>{t('stats.legend', lang)}</p>"
        f"<p><strong>{t('stats.population', lang, value=population)}</strong></p></div>\n"
    )
    files: list[ChartFile] = []
    for table in stats.tables:
        out.append(f"### {esc(table.title.get(lang))} {{ #stats-{table.id} }}\n")
        chart = chart_of(table, lang)
        if chart is not None:
            path = f"{chart_dir(dataset_id)}/{table.id}.svg"
            svg = charts.render(chart)
            files.append(ChartFile(path, svg.text))
            alt = chart.description.replace("[", "(").replace("]", ")")
            out.append(
                f"![{alt}](../{path}){{ loading=lazy width={svg.width} height={svg.height} }}\n"
            )
        elif len(table.dimensions) <= 2:
            out.append(f"*{t('stats.toomany', lang)}*\n")
        out.append(table_html(table, lang))
    return "\n".join(out), files


def _index(table: StatTable) -> dict[tuple[str, ...], Cell]:
    return {tuple(c.key): c for c in table.cells}


def chart_of(table: StatTable, lang: str) -> charts.Chart | None:
    """A chart for a one- or two-dimensional table; None when no readable chart exists."""
    dims = table.dimensions
    cells = _index(table)
    title = table.title.get(lang)
    if len(dims) == 1:
        groups = dims[0].categories
        values = [[shown(cells.get((c.code,)))] for c in groups]
        if any((c.code,) not in cells for c in groups) or len(groups) > charts.MAX_ROWS:
            return None
        series_labels: list[str] = []
    elif len(dims) == 2:
        a, b = dims
        # the dimension with fewer categories becomes the bars within each group
        swap = len(a.categories) < len(b.categories)
        if swap:
            a, b = b, a
        too_many = len(a.categories) * len(b.categories) > charts.MAX_BARS
        if len(b.categories) > charts.MAX_SERIES or len(a.categories) > charts.MAX_ROWS or too_many:
            return None
        groups = a.categories
        values = []
        for ga in a.categories:
            row = []
            for sb in b.categories:
                key = (sb.code, ga.code) if swap else (ga.code, sb.code)
                if key not in cells:
                    return None
                row.append(shown(cells[key]))
            values.append(row)
        series_labels = [c.label.get(lang) for c in b.categories]
    else:
        return None
    group_labels = [c.label.get(lang) for c in groups]
    return charts.Chart(
        title=title,
        groups=group_labels,
        series=series_labels,
        values=values,
        suppressed_label=t("suppressed", lang),
        legend_suppressed=t("chart.legend.suppressed", lang),
        description=alt_text(title, group_labels, values, lang, one_series=not series_labels),
    )


def alt_text(
    title: str, groups: list[str], values: list[list[int | None]], lang: str, one_series: bool
) -> str:
    summary = ""
    if one_series:
        best = max(
            ((v[0], g) for g, v in zip(groups, values, strict=True) if v[0] is not None),
            default=None,
        )
        if best is not None:
            summary = t("chart.alt.top", lang, label=best[1], value=num(best[0]))
    return t("chart.alt", lang, title=title, summary=summary)


def table_html(table: StatTable, lang: str) -> str:
    dims = table.dimensions
    cells = _index(table)
    count = t("stats.count", lang)
    rows: list[str] = []
    if len(dims) == 2:
        a, b = dims
        # the longer dimension runs down the rows, so that the grid stays within the page
        swap = len(b.categories) > len(a.categories)
        if swap:
            a, b = b, a
        head = (
            f'<tr><th scope="col">{esc(a.label.get(lang))} \\ {esc(b.label.get(lang))}</th>'
            + "".join(
                f'<th scope="col" class="cg-num">{esc(c.label.get(lang))}</th>'
                for c in b.categories
            )
            + "</tr>"
        )
        for ca in a.categories:
            rows.append(
                f'<tr><th scope="row">{esc(ca.label.get(lang))}</th>'
                + "".join(
                    cell_html(cells.get((cb.code, ca.code) if swap else (ca.code, cb.code)), lang)
                    for cb in b.categories
                )
                + "</tr>"
            )
        width = len(b.categories)
    else:
        head = (
            "<tr>"
            + "".join(f'<th scope="col">{esc(d.label.get(lang))}</th>' for d in dims)
            + f'<th scope="col" class="cg-num">{count}</th></tr>'
        )
        labels = [{c.code: c.label.get(lang) for c in d.categories} for d in dims]
        for cell in table.cells:
            names = [labels[i].get(code, code) for i, code in enumerate(cell.key)]
            first = f'<th scope="row">{esc(names[0])}</th>'
            rest = "".join(f"<td>{esc(n)}</td>" for n in names[1:])
            rows.append(f"<tr>{first}{rest}{cell_html(cell, lang)}</tr>")
        width = len(dims)
    if table.additive and len(dims) == 2:  # one grand total, below the whole grid
        foot = (
            f'<tfoot><tr><td colspan="{width + 1}">{t("stats.total", lang)}'
            f"{'：' if lang == 'zh' else ': '}{num(table.total)}</td></tr></tfoot>"
        )
        note = ""
    elif table.additive:
        pad = "<td></td>" * (len(dims) - 1)
        foot = (
            f'<tfoot><tr><th scope="row">{t("stats.total", lang)}</th>{pad}'
            f'<td class="cg-num">{num(table.total)}</td></tr></tfoot>'
        )
        note = ""
    else:
        foot = ""
        note = f'<p class="cg-small">{t("stats.nonadditive", lang)}</p>'
    return (
        f'<div class="cg-stats" data-search-exclude>{note}<table>'
        f"<caption>{esc(table.title.get(lang))}</caption>"
        f"<thead>{head}</thead><tbody>{''.join(rows)}</tbody>{foot}</table></div>\n"
    )
