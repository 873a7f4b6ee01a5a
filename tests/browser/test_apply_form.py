"""The online application form in Chromium: filled in as an applicant would, downloaded, and the
file it gives passes `cohortgate validate` in a repository laid out like the real one.

The site is built from the repository's own catalog, so that the institutions and datasets the
form offers are those `cohortgate validate` checks against.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from browser_support import PREFIX, REPO, Watched, serious_violations, watch
from jsonschema import Draft202012Validator
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

APP_ID = "A-2026-0007"
LAY_SUMMARY = (
    "本研究汇总分析多家儿童医院遗传代谢病患儿的确诊年龄和确诊时的实验室指标，"
    "了解苯丙酮尿症在不同医院的诊断时间差异，为改进新生儿筛查后的随访提供依据。"
    "研究只使用汇总统计表，不接触任何个人信息。"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from site_fixture import make_root

    from cohortgate.site.build import build
    from cohortgate.site.serve import serve_in_thread

    lay = make_root(tmp_path_factory.mktemp("apply-site"), REPO / "catalog")
    built, findings = build(lay, strict=True)
    assert built is not None and findings == []
    server, url = serve_in_thread(built.site, PREFIX)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture
def watched(browser: Any, site: str) -> Iterator[Watched]:
    yield from watch(browser, site, accept_downloads=True)


def open_form(watched: Watched, lang: str = "") -> Any:
    page = watched.open(lang + "apply/form/")
    page.wait_for_selector(".cg-apply--ready")
    return page


def field(page: Any, name: str) -> Any:
    return page.locator(f'[name="{name}"]')


def type_in(page: Any, name: str, text: str) -> None:
    box = field(page, name)
    box.fill(text)
    box.press("Tab")  # the form reads a field when it loses focus, as for a person


def opt_in(page: Any, path: str) -> None:
    """Tick the check box of an optional field (json-editor's "opt-in")."""
    page.locator(f'[id="{path}-opt-in"]').check()


def add(page: Any, button: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()


def fill_a_complete_application(page: Any) -> None:
    type_in(page, "root[id]", APP_ID)
    type_in(page, "root[submitted]", "2026-03-02")
    type_in(page, "root[title]", "遗传代谢病患儿确诊年龄与首次血苯丙氨酸水平的多中心汇总分析")
    type_in(page, "root[lay_summary_zh]", LAY_SUMMARY)
    type_in(page, "root[applicant][name]", "陈思远")
    type_in(page, "root[applicant][title]", "主任医师")
    field(page, "root[applicant][institution]").select_option("shch")
    type_in(page, "root[applicant][email]", "chen.siyuan@shchildren.com.cn")
    field(page, "root[applicant][role]").select_option("principal_investigator")
    opt_in(page, "root[team]")
    add(page, "添加团队成员")
    type_in(page, "root[team][0][name]", "林雨桐")
    type_in(page, "root[team][0][title]", "主治医师")
    field(page, "root[team][0][institution]").select_option("shch")
    type_in(page, "root[team][0][email]", "lin.yutong@shchildren.com.cn")
    field(page, "root[team][0][role]").select_option("analyst")
    type_in(page, "root[funding][funder]", "上海市卫生健康委员会")
    type_in(page, "root[funding][grant_number]", "SH-2025-IEM-014")
    field(page, "root[funding][level]").select_option("municipal")
    type_in(page, "root[funding][title]", "新生儿筛查阳性遗传代谢病患儿随访质量改进研究")
    type_in(page, "root[funding][start]", "2025-07-01")
    type_in(page, "root[funding][end]", "2027-06-30")
    field(page, "root[privacy_level]").select_option("L1")
    field(page, "root[datasets][0][dataset]").select_option("ds-iem-labs")
    field(page, "root[datasets][0][variables][0][name]").focus()  # offers the dictionary
    offered = page.evaluate(
        "name => Array.from(document.querySelector(`[name='${name}']`).list.options)"
        ".map(o => o.value)",
        "root[datasets][0][variables][0][name]",
    )
    assert "orpha_code" in offered and "analyte" in offered
    rows = [
        ("diagnosis", "orpha_code", "按疾病分组汇总"),
        ("diagnosis", "onset_age_months", "主要终点：确诊月龄的分布"),
        ("lab_result", "analyte", "区分检验项目（LOINC）"),
        ("lab_result", "value", "主要终点：确诊时血苯丙氨酸水平"),
        ("lab_result", "unit", "检验结果的单位"),
    ]
    for i, (table, name, why) in enumerate(rows):
        if i:
            add(page, "添加申请的变量")
        prefix = f"root[datasets][0][variables][{i}]"
        type_in(page, f"{prefix}[table]", table)
        type_in(page, f"{prefix}[name]", name)
        type_in(page, f"{prefix}[justification]", why)
    opt_in(page, "root[selection][inclusion][diseases]")
    add(page, "添加疾病")
    type_in(page, "root[selection][inclusion][diseases][0]", "ORPHA:79254")
    opt_in(page, "root[selection][inclusion][age_at_diagnosis]")
    opt_in(page, "root[selection][inclusion][age_at_diagnosis][min_years]")
    type_in(page, "root[selection][inclusion][age_at_diagnosis][min_years]", "0")
    opt_in(page, "root[selection][inclusion][age_at_diagnosis][max_years]")
    type_in(page, "root[selection][inclusion][age_at_diagnosis][max_years]", "18")
    protocol = "root[protocol]"
    type_in(
        page, f"{protocol}[title]", "遗传代谢病患儿确诊年龄与首次血苯丙氨酸水平：多中心汇总分析方案"
    )
    type_in(page, f"{protocol}[purpose]", "描述各成员医院患儿的确诊月龄分布，评估随访时效。")
    type_in(page, f"{protocol}[primary_endpoints][0]", "各疾病确诊月龄的中位数与四分位数")
    type_in(page, f"{protocol}[analysis_plan]", "按疾病与年龄段汇总的描述性统计。")
    type_in(page, f"{protocol}[expected_results]", "形成各中心确诊时效的对比报告。")
    type_in(page, f"{protocol}[document]", "protocol.pdf")
    page.locator('[name="root[non_profit]"]').check()
    opt_in(page, "root[ethics]")
    type_in(page, "root[ethics][committee]", "上海市儿童医院医学伦理委员会")
    type_in(page, "root[ethics][approval_number]", "2026R017")
    type_in(page, "root[ethics][approved_on]", "2026-01-20")
    type_in(page, "root[ethics][valid_until]", "2027-01-19")
    type_in(page, "root[ethics][letter]", "ethics-letter.pdf")
    protection = "root[data_protection]"
    type_in(page, f"{protection}[storage]", "医院科研服务器（内网），仅存放汇总统计表")
    type_in(page, f"{protection}[access_control]", "项目组成员账号登录，按角色授权")
    page.locator(f'[name="{protection}[encryption_at_rest]"]').check()
    page.locator(f'[name="{protection}[encryption_in_transit]"]').check()
    field(page, f"{protection}[certification]").select_option("mlps_level_3")
    field(page, "root[delivery]").select_option("aggregate_report")
    for name in (
        "no_third_party_transfer",
        "cite_the_source",
        "destroy_after_use",
        "accept_fees",
        "report_results_of_value_to_participants",
    ):
        page.locator(f'[name="root[acknowledgements][{name}]"]').check()


def a_repository(root: Path) -> Path:
    """A repository laid out like the real one, without its submissions."""
    for name in ("catalog", "rubric"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    folder = root / "submissions" / "2026" / APP_ID
    folder.mkdir(parents=True)
    from cohortgate.files.pdf import minimal_pdf

    (folder / "protocol.pdf").write_bytes(minimal_pdf(["研究方案 / Research protocol", APP_ID]))
    (folder / "ethics-letter.pdf").write_bytes(minimal_pdf(["伦理批件 / Ethics approval"]))
    return folder


def validate(root: Path, path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run(
        [sys.executable, "-m", "cohortgate", "validate", "--root", str(root), str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_a_filled_form_downloads_an_application_that_validates(
    watched: Watched, tmp_path: Path
) -> None:
    page = open_form(watched)
    fill_a_complete_application(page)
    page.click("#cg-apply-check")
    assert page.locator("#cg-apply-errors li").all_inner_texts() == []
    assert "符合格式要求" in page.inner_text("#cg-apply-status")
    with page.expect_download() as info:
        page.click("#cg-apply-download")
    download = info.value
    assert download.suggested_filename == "application.yaml"
    folder = a_repository(tmp_path / "repo")
    target = folder / "application.yaml"
    download.save_as(target)
    text = target.read_text("utf-8")
    lines = text.splitlines()
    assert lines[0] == (
        "# yaml-language-server: $schema="
        "https://cohortgate.github.io/cohortgate/schemas/application.schema.json"
    )
    comments = "\n".join(line for line in lines if line.startswith("#"))
    assert f"保存为仓库中的 submissions/2026/{APP_ID}/application.yaml" in comments
    assert "附件（研究方案 PDF、伦理批件）放在同一文件夹中" in comments
    data = yaml.safe_load(text)
    schema = json.loads((REPO / "site/schemas/application.schema.json").read_text("utf-8"))
    assert list(Draft202012Validator(schema).iter_errors(data)) == []
    assert data["team"][0]["role"] == "analyst"
    assert data["selection"]["inclusion"]["age_at_diagnosis"] == {"min_years": 0, "max_years": 18}
    assert "exclusion" not in data["selection"]  # not ticked: not written
    result = validate(tmp_path / "repo", folder)
    assert result.returncode == 0, result.stdout + result.stderr
    # the "new file" button carries the same YAML to GitHub (the link is not followed)
    href = page.get_attribute("#cg-apply-github", "href") or ""
    url = urlsplit(href)
    assert (url.scheme, url.netloc, url.path) == (
        "https",
        "github.com",
        "/cohortgate/cohortgate/new/main",
    )
    query = parse_qs(url.query)
    assert query["filename"] == [f"submissions/2026/{APP_ID}/application.yaml"]
    assert query["value"] == [text]


def test_a_wrong_field_is_named_in_words(watched: Watched) -> None:
    page = open_form(watched)
    fill_a_complete_application(page)
    type_in(page, "root[applicant][email]", "not-an-email")
    page.click("#cg-apply-check")
    problems = page.locator("#cg-apply-errors li").all_inner_texts()
    assert problems == ["申请人 › 电子邮箱：格式不对（机构邮箱，不接受免费邮箱（R3））"]
    assert page.get_attribute('[name="root[applicant][email]"]', "aria-invalid") == "true"
    assert page.get_attribute("#cg-apply-github", "aria-disabled") == "true"
    assert page.get_attribute("#cg-apply-github", "href") is None
    page.locator("#cg-apply-errors a").click()  # leads to the field
    assert page.evaluate("document.activeElement.name") == "root[applicant][email]"
    type_in(page, "root[applicant][email]", "chen.siyuan@shchildren.com.cn")
    expect(page.locator("#cg-apply-errors li")).to_have_count(0)  # checked again as it changes


def test_an_empty_form_lists_what_is_missing_in_english(watched: Watched) -> None:
    page = open_form(watched, "en/")
    page.click("#cg-apply-check")
    problems = page.locator("#cg-apply-errors li").all_inner_texts()
    assert "Applicant › Name: is missing" in problems
    assert "Study title: is missing" in problems
    assert page.locator("#cg-apply-status").inner_text().endswith("problems found:")


def test_a_saved_application_opens_again(watched: Watched, tmp_path: Path) -> None:
    from cohortgate.site.apply_example import EXAMPLE

    saved = tmp_path / "application.yaml"
    saved.write_text(yaml.safe_dump(EXAMPLE, allow_unicode=True), "utf-8")
    page = open_form(watched)
    page.set_input_files("#cg-apply-open", str(saved))
    page.wait_for_function("document.querySelector('#cg-apply-opened').textContent !== ''")
    assert page.inner_text("#cg-apply-opened") == "已打开 application.yaml。"
    assert page.input_value('[name="root[applicant][name]"]') == EXAMPLE["applicant"]["name"]
    expect(page.locator("#cg-apply-errors li")).to_have_count(0)
    assert page.evaluate("window.cgApply.current.valid") is True
    broken = tmp_path / "broken.yaml"
    broken.write_text("applicant: [\n", "utf-8")
    page.set_input_files("#cg-apply-open", str(broken))
    page.wait_for_function(
        "document.querySelector('#cg-apply-opened').textContent.includes('无法')"
    )
    assert page.input_value('[name="root[applicant][name]"]') == EXAMPLE["applicant"]["name"]


@pytest.mark.parametrize("lang", ["", "en/"])
@pytest.mark.parametrize("path", ["apply/", "apply/form/"])
def test_no_serious_accessibility_violation(watched: Watched, lang: str, path: str) -> None:
    page = watched.open(lang + path)
    if path.endswith("form/"):
        page.wait_for_selector(".cg-apply--ready")
    assert serious_violations(page) == []
