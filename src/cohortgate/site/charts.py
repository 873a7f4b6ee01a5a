"""Static SVG bar charts of published statistics, readable on their own and in an ``<img>``.

Horizontal bars, so that long Chinese category names stay on one line. A suppressed cell is
drawn as a hatched marker labelled "已抑制 / suppressed", never as a bar of 0. Only published
values reach this module. Text stays text (no outlines), in the reader's CJK system font.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

FONT = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"
# Okabe-Ito palette (distinguishable with every common colour-vision deficiency), darkest first
# so that a one-series chart uses a colour with high contrast against white.
PALETTE = ("#0b5394", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")
MAX_SERIES = len(PALETTE)
MAX_ROWS = 40  # more groups than this is no longer a readable chart; the table stays
MAX_BARS = 60  # nor more bars in all (groups x series)

WIDTH = 680  # the content column of the theme at desktop widths
FONT_SIZE = 13
BAR = 16  # bar thickness
GAP = 8  # between groups
VALUE_SPACE = 70  # right of the longest bar, for its value label
LABEL_MAX = 230  # left column: category labels are cut with an ellipsis beyond this


@dataclass(frozen=True)
class Chart:
    title: str
    groups: list[str]  # one label per row group (the first dimension's categories)
    series: list[str]  # one label per bar within a group; [] for a one-dimensional chart
    values: list[list[int | None]]  # values[group][series]; None = suppressed
    suppressed_label: str
    legend_suppressed: str
    description: str  # for <desc>: the alt text


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """An estimate good enough for layout: CJK glyphs are square, Latin ones about 0.58 em."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.58 for ch in text)


def fit(text: str, width: float, size: float = FONT_SIZE) -> str:
    if text_width(text, size) <= width:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch + "…", size) > width:
            break
        out += ch
    return out + "…"


def nice_step(maximum: int) -> int:
    """A round grid step giving 3-6 grid lines up to ``maximum``."""
    if maximum <= 5:
        return 1
    step = 1
    while True:
        for mult in (1, 2, 5):
            if maximum / (step * mult) <= 5:
                return step * mult
        step *= 10


@dataclass(frozen=True)
class Svg:
    text: str
    width: int
    height: int


def render(chart: Chart) -> Svg:
    n_series = max(len(chart.series), 1)
    label_w = min(max((text_width(g) for g in chart.groups), default=0) + 12, LABEL_MAX)
    x0 = 10 + label_w
    plot_w = WIDTH - x0 - VALUE_SPACE
    top = 16  # the page's heading and the table's caption name the chart; <title> too
    group_h = n_series * BAR + GAP
    plot_h = len(chart.groups) * group_h
    published = [v for row in chart.values for v in row if v is not None]
    maximum = max(published, default=0)
    step = nice_step(maximum)
    scale_max = max(step * -(-maximum // step), step)
    any_suppressed = any(v is None for row in chart.values for v in row)
    legend = _legend_items(chart.series)
    legend_rows = (1 if any_suppressed else 0) + (legend[-1][1] + 1 if legend else 0)
    height = top + plot_h + 28 + legend_rows * 22
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="t d" '
        f'font-family="{FONT}" font-size="{FONT_SIZE}">',
        f'<title id="t">{escape(chart.title)}</title>',
        f'<desc id="d">{escape(chart.description)}</desc>',
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#444" stroke-width="2"/></pattern></defs>',
        f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>',
    ]
    # grid lines and their numbers
    for tick in range(0, scale_max + 1, step):
        x = x0 + plot_w * tick / scale_max
        out.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{top + plot_h}" '
            f'stroke="#d0d0d0" stroke-width="1"/>'
            f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" fill="#404040" '
            f'font-size="11">{tick:,}</text>'
        )
    for g, group in enumerate(chart.groups):
        y = top + g * group_h
        mid = y + n_series * BAR / 2 + 4
        out.append(
            f'<text x="{x0 - 8}" y="{mid:.1f}" text-anchor="end" fill="#1a1a1a">'
            f"{escape(fit(group, label_w - 12))}</text>"
        )
        for s in range(n_series):
            value = chart.values[g][s]
            by = y + s * BAR
            colour = PALETTE[s % MAX_SERIES]
            if value is None:
                out.append(
                    f'<rect x="{x0}" y="{by + 1}" width="26" height="{BAR - 2}" '
                    f'fill="url(#hatch)" stroke="#444" stroke-width="1"/>'
                    f'<text x="{x0 + 32}" y="{by + BAR - 4}" fill="#333" font-style="italic">'
                    f"{escape(chart.suppressed_label)}</text>"
                )
                continue
            w = plot_w * value / scale_max
            out.append(
                f'<rect x="{x0}" y="{by + 1}" width="{w:.1f}" height="{BAR - 2}" '
                f'fill="{colour}"/>'
                f'<text x="{x0 + w + 4:.1f}" y="{by + BAR - 4}" fill="#1a1a1a">{value:,}</text>'
            )
    out.append(f'<line x1="{x0}" y1="{top - 4}" x2="{x0}" y2="{top + plot_h}" stroke="#404040"/>')
    ly = top + plot_h + 36
    if any_suppressed:
        out.append(
            f'<rect x="10" y="{ly - 11}" width="26" height="13" fill="url(#hatch)" '
            f'stroke="#444"/><text x="42" y="{ly}" fill="#333">'
            f"{escape(chart.legend_suppressed)}</text>"
        )
        ly += 22
    for s, (x, row) in enumerate(legend):
        name = chart.series[s]
        y = ly + row * 22
        out.append(
            f'<rect x="{x:.1f}" y="{y - 11}" width="13" height="13" '
            f'fill="{PALETTE[s % MAX_SERIES]}"/>'
            f'<text x="{x + 18:.1f}" y="{y}" fill="#1a1a1a">{escape(name)}</text>'
        )
    out.append("</svg>\n")
    return Svg("\n".join(out), WIDTH, height)


def _legend_items(series: list[str]) -> list[tuple[float, int]]:
    """(x, row) of each series' legend entry, wrapping at the chart's width."""
    items: list[tuple[float, int]] = []
    x, row = 10.0, 0
    for name in series:
        width = 18 + text_width(name) + 16
        if x > 10 and x + width > WIDTH - 10:
            x, row = 10.0, row + 1
        items.append((x, row))
        x += width
    return items
