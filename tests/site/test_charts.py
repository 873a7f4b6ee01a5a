"""SVG charts: readable on their own, accessible, and never drawing a suppressed cell as 0."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from cohortgate.site import charts

SVG = "{http://www.w3.org/2000/svg}"


def chart(values: list[list[int | None]], series: list[str] | None = None) -> charts.Chart:
    return charts.Chart(
        title="按诊断年龄",
        groups=[f"组{i}" for i in range(len(values))],
        series=series or [],
        values=values,
        suppressed_label="已抑制",
        legend_suppressed="斜线：已抑制（不是 0）",
        description="条形图：按诊断年龄。精确数值见下表。",
    )


def texts(svg: str) -> list[str]:
    return [el.text or "" for el in ET.fromstring(svg).iter(f"{SVG}text")]


def test_a_chart_is_well_formed_svg_with_title_and_description() -> None:
    svg = charts.render(chart([[40], [35]]))
    root = ET.fromstring(svg.text)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "按诊断年龄"  # type: ignore[union-attr]
    assert "精确数值见下表" in (root.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]
    assert (svg.width, svg.height) == (int(root.get("width", 0)), int(root.get("height", 0)))


def test_a_suppressed_cell_is_marked_not_drawn_as_zero() -> None:
    svg = charts.render(chart([[40], [None], [35]])).text
    labels = texts(svg)
    assert "已抑制" in labels
    assert labels.count("0") == 1  # the axis origin only: no bar is labelled 0
    hatched = [r for r in ET.fromstring(svg).iter(f"{SVG}rect") if r.get("fill") == "url(#hatch)"]
    assert len(hatched) == 2  # the suppressed cell and its legend swatch


def test_a_published_zero_is_a_zero() -> None:
    labels = texts(charts.render(chart([[0], [35]])).text)
    assert labels.count("0") == 2  # the bar's value and the axis origin
    assert "已抑制" not in labels


def test_the_suppression_legend_appears_only_when_needed() -> None:
    assert "斜线：已抑制（不是 0）" not in texts(charts.render(chart([[1], [2]])).text)
    assert "斜线：已抑制（不是 0）" in texts(charts.render(chart([[1], [None]])).text)


def test_grouped_bars_have_a_series_legend() -> None:
    svg = charts.render(chart([[20, None], [17, 17]], series=["女", "男"])).text
    labels = texts(svg)
    assert {"女", "男", "20", "17"} <= set(labels)
    assert labels.count("已抑制") == 1


def test_long_labels_are_cut_with_an_ellipsis() -> None:
    long = "葡萄糖-6-磷酸脱氢酶缺乏症伴慢性非球形红细胞溶血性贫血"
    cut = charts.fit(long, 120)
    assert cut.endswith("…") and len(cut) < len(long)
    assert charts.text_width(cut) <= 120 + charts.FONT_SIZE


def test_grid_steps_are_round() -> None:
    assert [charts.nice_step(m) for m in (0, 4, 9, 40, 85, 1234)] == [1, 1, 2, 10, 20, 500]
