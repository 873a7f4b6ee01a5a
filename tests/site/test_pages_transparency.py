"""Transparency pages: the register of approved uses, the dashboard, the blacklist and the
lifecycle diagram, from a real git history with signed events (the lifecycle tests' world)."""

from __future__ import annotations

import shutil
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from git import Repo

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS / "review"), str(TESTS / "lifecycle")]

from lifecycle_world import APPLICANTS, LATER, LifeWorld, applicants_yaml  # noqa: E402
from review_keys import PEOPLE  # noqa: E402
from review_world import APP, APPLICANT_EMAIL, build_world  # noqa: E402
from site_fixture import MERMAID, REPO, no_audit  # noqa: E402

from cohortgate.layout import Layout  # noqa: E402
from cohortgate.lifecycle.diagram import mermaid  # noqa: E402
from cohortgate.models.blacklist import BlacklistEntry  # noqa: E402
from cohortgate.models.institution import InstitutionRegistry  # noqa: E402
from cohortgate.models.lifecycle import TRANSITIONS, State  # noqa: E402
from cohortgate.review.register import approved_projects  # noqa: E402
from cohortgate.site import generate as generate_module  # noqa: E402
from cohortgate.site import pages_transparency as P  # noqa: E402
from cohortgate.site import transparency_data as D  # noqa: E402
from cohortgate.site.apply_form import LICENSES, VENDOR  # noqa: E402
from cohortgate.site.build import build  # noqa: E402
from signing import Commit, Key, make_keys  # noqa: E402

NAMES = (*PEOPLE, "applicant")


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    return make_keys(tmp_path_factory.mktemp("transparency-keys"), NAMES)


@pytest.fixture
def life(repo: Repo, commit: Commit, keys: dict[str, Key]) -> LifeWorld:
    world = build_world(repo, commit, keys)
    text = applicants_yaml([(APPLICANT_EMAIL, keys["applicant"].line)])
    world.base = commit({APPLICANTS: text}, when="2026-10-02T09:00:00+00:00")
    return LifeWorld(world, world.base)


def _data(life: LifeWorld, today: date = LATER) -> D.Transparency:
    lay = Layout(life.world.root)
    notices = approved_projects(lay, today)
    lives = D.lifecycles_at_head(lay, today)
    return D.build(notices, lives, None)


def test_a_use_with_outputs_on_time_is_registered_and_counted(life: LifeWorld) -> None:
    life.released()
    life.outputs("2027-05-20")
    data = _data(life)
    [use] = data.uses
    assert use.state is State.OUTPUTS_FILED
    assert use.released_on == "2026-12-10" and use.tracking_end == "2027-06-10"
    assert use.output is not None and use.output.on_time is True
    assert use.output.attachments == ("manuscript-2027-05-20.pdf",)
    # both example applications were submitted in 2026Q1; only A-2026-0001 is decided
    [row] = data.quarters
    assert (row.quarter, row.submitted, row.decided, row.approved) == ("2026Q1", 2, 1, 1)
    assert row.days_to_decision == [268]  # 2026-03-02 -> 2026-11-25
    assert row.days_to_release == [283]  # 2026-03-02 -> 2026-12-10
    assert (row.on_time, row.late, row.expired) == (1, 0, 0)
    zh = P.pages(data, {}, "zh", mermaid_script=True)
    register = zh[P.REGISTER]
    assert "## 2026Q4" in register and f"### {APP}" in register
    assert "已报备成果" in register and "2027-05-20 (按期)" in register
    assert "数据来源引用: Data: the pediatric rare-disease cohort (cohortgate)." in register
    assert "`manuscript-2027-05-20.pdf`" in register
    assert "## 重新开放的课题" not in register
    dashboard = zh[P.DASHBOARD]
    assert "| 2026Q1 | 2 | 1 | 1 | 100% | 268 | 283 | 1 | 0 | 0 |" in dashboard
    assert "![每季度的申请](../assets/charts/review/applications.svg)" in dashboard
    svg = zh["assets/charts/review/applications.svg"]
    assert "<title" in svg and 'role="img"' in svg and "2026Q1" in svg
    english = P.pages(data, {}, "en", mermaid_script=True)
    assert "(on time)" in english[P.REGISTER]
    assert "Review and use statistics" in english[P.DASHBOARD]


def test_an_expired_use_reopens_its_topic(life: LifeWorld) -> None:
    life.released()
    life.event("expiry", "2027-06-20", "frank", reasons="No outputs by the end of the period.")
    data = _data(life)
    [use] = data.uses
    assert use.state is State.EXPIRED and use.reopened_on == "2027-06-20"
    assert (data.quarters[0].on_time, data.quarters[0].expired) == (0, 1)
    register = P.register_page(data, {}, "en")
    assert "expired (topic reopened)" in register
    assert "## Topics reopened (R21)" in register
    assert "`ds-iem-labs` (2027-06-20)" in register


def test_a_use_still_tracking_has_no_outputs_yet(life: LifeWorld) -> None:
    life.released()
    data = _data(life, date(2027, 1, 15))
    register = P.register_page(data, {}, "zh")
    assert "**跟踪中** (2026-12-10)" in register and "成果: 尚未报备" in register
    [row] = data.quarters
    assert (row.on_time, row.late, row.expired) == (0, 0, 0)


def test_without_git_history_the_pages_say_so(tmp_path: Path) -> None:
    lay = Layout(tmp_path)
    data, findings = D.load(lay, [], LATER)
    assert findings == [] and data.uses == [] and data.quarters == [] and data.blacklist is None
    zh = P.pages(data, {}, "zh", mermaid_script=False)
    assert "尚无获批项目" in zh[P.REGISTER] and "尚无申请" in zh[P.DASHBOARD]
    assert "尚未发布" in zh[P.BLACKLIST]
    assert not any(path.endswith(".svg") for path in zh)
    assert "<script" not in zh[P.LIFECYCLE]


def _entry(**fields: object) -> BlacklistEntry:
    data: dict[str, object] = {
        "reason": "Leak traced by watermark",
        "listed_on": "2026-03-01",
        "decided_by": ["张主任"],
    }
    data.update(fields)
    return BlacklistEntry.model_validate(data)


_ALL = InstitutionRegistry.model_validate(
    yaml.safe_load((REPO / "catalog" / "institutions.yaml").read_text("utf-8"))
).institutions
INSTITUTIONS = {i.id: i for i in _ALL}


def test_the_blacklist_never_names_a_person() -> None:
    entries = [
        _entry(
            person_email="leaker@xinhuamed.com.cn",
            institution="xhh",
            reason="Copied the release for leaker@xinhuamed.com.cn's lab",
            scope="listed",
            datasets=["ds-iem-labs"],
            review_on="2029-03-01",
        ),
        _entry(person_email="someone@example.org", listed_on="2026-05-01"),
        _entry(institution="xhh", listed_on="2026-04-01"),
    ]
    page = P.blacklist_page(entries, INSTITUTIONS, "en")
    assert "@" not in page
    rows = [line for line in page.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[1:] == [
        "| a person (institution not published) | every dataset | Leak traced by watermark | "
        "2026-05-01 | — | 张主任 |",
        "| Institution: Xinhua Hospital | every dataset | Leak traced by watermark | "
        "2026-04-01 | — | 张主任 |",
        "| a person of Xinhua Hospital | `ds-iem-labs` | Copied the release for \\[…\\]'s lab | "
        "2026-03-01 | 2029-03-01 | 张主任 |",
    ]
    zh = P.blacklist_page(entries, INSTITUTIONS, "zh")
    assert "上海交通大学医学院附属新华医院 的一名人员" in zh
    assert "黑名单为空" in P.blacklist_page([], {}, "zh")


def test_the_blacklist_file_is_read_and_checked(tmp_path: Path) -> None:
    lay = Layout(tmp_path)
    lay.rubric.mkdir(parents=True)
    shutil.copy(REPO / "rubric" / "blacklist.yaml", lay.rubric / "blacklist.yaml")
    assert D.load_blacklist(lay) == ([], [])  # the real file: commented, no entries
    bad = {"entries": [{"reason": "no one named", "listed_on": "2026-03-01", "decided_by": ["x"]}]}
    (lay.rubric / "blacklist.yaml").write_text(yaml.safe_dump(bad), "utf-8")
    entries, findings = D.load_blacklist(lay)
    assert entries is None and findings and findings[0].severity.value == "error"


def test_the_lifecycle_page_draws_the_transition_table() -> None:
    page = P.lifecycle_page("zh", with_script=True)
    assert '<script src="../../assets/vendor/mermaid.min.js"></script>' in page
    assert "```mermaid\n" + mermaid() + "```" in page
    rows = [line for line in page.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + len(TRANSITIONS)
    assert rows[1] == "| （开始） | `form` | 已提交 | 文件本身 | — | — |"
    third = "| 跟踪中 | `extension-request` | 跟踪中 | 申请人 | — | 延期不超过 2 次 |"
    assert third in rows
    en = P.lifecycle_page("en", with_script=False)
    assert "<script" not in en and "| extended | `closure`" not in en
    assert "| outputs filed | `closure` | closed | chair | — | every release's destruction" in en


class _Later(date):
    @classmethod
    def today(cls) -> _Later:
        return cls(LATER.year, LATER.month, LATER.day)


@pytest.mark.slow
def test_the_site_builds_strictly_with_a_register(
    life: LifeWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    life.released()
    life.outputs("2027-05-20")
    root = life.world.root
    for name in ("mkdocs.yml", "mkdocs.en.yml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "site", root / "site")
    for script in [MERMAID.relative_to(REPO), *VENDOR.values(), *LICENSES.values()]:
        target = root / script
        target.parent.mkdir(parents=True, exist_ok=True)
        if (REPO / script).is_file():
            target.symlink_to(REPO / script)
        else:
            target.write_text("/* stand-in */\n", "utf-8")
    (root / "rubric" / "blacklist.yaml").write_text(
        yaml.safe_dump(
            {
                "entries": [
                    {
                        "person_email": "leaker@xinhuamed.com.cn",
                        "institution": "xhh",
                        "reason": "Leak traced by watermark",
                        "listed_on": "2026-03-01",
                        "decided_by": ["张主任"],
                    }
                ]
            },
            allow_unicode=True,
        ),
        "utf-8",
    )
    monkeypatch.setattr(generate_module, "date", _Later)  # the events lie ahead of today
    built, findings = build(Layout(root), strict=True, audit=no_audit)
    assert findings == [] and built is not None
    for prefix in (built.site, built.site / "en"):
        register = (prefix / "review" / "register" / "index.html").read_text("utf-8")
        assert APP in register and "manuscript-2027-05-20.pdf" in register
        assert (prefix / "assets" / "charts" / "review" / "days.svg").is_file()
        blacklist = (prefix / "review" / "blacklist" / "index.html").read_text("utf-8")
        assert "leaker" not in blacklist
        lifecycle = (prefix / "review" / "lifecycle" / "index.html").read_text("utf-8")
        assert 'class="mermaid"' in lifecycle
        assert (prefix / "mechanism" / "participants" / "index.html").is_file()


def test_a_chart_with_nothing_to_draw_is_left_out() -> None:
    data = D.Transparency([], [D.QuarterRow("2026Q1", submitted=2)], None)
    files = P.dashboard_files(data, "en")
    assert sorted(files) == [
        "assets/charts/review/applications.svg",
        "assets/charts/review/outputs.svg",
        P.DASHBOARD,
    ]
    assert "| 2026Q1 | 2 | 0 | 0 | — | — | — | 0 | 0 | 0 |" in files[P.DASHBOARD]
    assert "days.svg" not in files[P.DASHBOARD]


def test_every_state_role_and_guard_has_both_labels() -> None:
    from cohortgate.models.lifecycle import Guard, Role

    assert set(P.STATE) == set(State) and set(P.ROLE) == set(Role) and set(P.GUARD) == set(Guard)
    for pair in [*P.STATE.values(), *P.ROLE.values(), *P.GUARD.values(), *P.L.values()]:
        assert all(pair) and len(pair) == 2
