"""Statistics tables: orientation, charts only where readable, the policy stated by the file."""

from __future__ import annotations

import re

from site_fixture import dim, pku_stats, summary, table

from cohortgate.models.stats import DisclosureSummary
from cohortgate.site import pages_stats

DISEASE = dim(
    "disease",
    "疾病",
    "Disease",
    [("ORPHA:70", "脊髓性肌萎缩症", "SMA"), ("ORPHA:716", "苯丙酮尿症", "PKU")],
)


def province(n: int) -> list[tuple[str, str, str]]:
    return [(str(11 + i), f"省{i}", f"Province {i}") for i in range(n)]


def test_a_long_dimension_runs_down_the_rows() -> None:
    prov = dim("province", "省份", "Province", province(10))
    values = {
        (d, p): 10 * (i + 1)
        for i, (d, p) in enumerate(
            (d.code, p.code) for d in DISEASE.categories for p in prov.categories
        )
    }
    html = pages_stats.table_html(table("t", "疾病×省份", "t", [DISEASE, prov], values), "zh")
    rows = re.findall(r"<tr><th scope=\"row\">([^<]*)</th>(.*?)</tr>", html)
    assert [name for name, _ in rows] == [f"省{i}" for i in range(10)]
    first = re.findall(r">([^<]+)</td>", rows[0][1])
    assert first == ["10", "110"]  # SMA x province 0, PKU x province 0


def test_too_many_bars_gives_the_table_alone() -> None:
    prov = dim("province", "省份", "Province", province(34))
    values = {(d.code, p.code): 10 for d in DISEASE.categories for p in prov.categories}
    big = table("disease_x_province", "疾病×省份", "t", [DISEASE, prov], values)
    assert pages_stats.chart_of(big, "zh") is None
    stats = pku_stats().model_copy(update={"tables": [big]})
    text, charts = pages_stats.section(stats, "ds-pku", "zh")
    assert charts == []
    assert "类别太多，不宜绘图" in text and "<table>" in text


def test_three_dimensions_are_listed_long() -> None:
    sex = dim("sex", "性别", "Sex", [("F", "女", "female"), ("M", "男", "male")])
    band = dim("age_band", "年龄", "Age", [("1-4", "1-4", "1-4")])
    values = {(d.code, s.code, "1-4"): None for d in DISEASE.categories for s in sex.categories}
    html = pages_stats.table_html(table("t3", "三维", "t3", [DISEASE, sex, band], values), "en")
    assert html.count('<tr><th scope="row">') == 4 + 1  # four cells and the total
    assert html.count(">suppressed</td>") == 4


def test_the_policy_sentence_states_the_file_s_own_rule() -> None:
    strict = DisclosureSummary(
        preset="ukllc", threshold=9, rounding=1, zeros_sensitive=True, protection_width=10
    )
    zh = pages_stats.policy_sentence(strict, "zh")
    assert "小于或等于 9 的计数（包括 0）不公布" in zh and "不取整" in zh
    en = pages_stats.policy_sentence(summary(), "en")
    assert f"counts of {summary().threshold} or fewer are not published" in en
    assert f"nearest multiple of {summary().rounding}" in en
