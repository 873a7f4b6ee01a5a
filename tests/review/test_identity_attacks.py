"""One notion of a person in the review: the attacks that got through before, each refused with
a located finding (real repositories, real ssh-keygen signatures, the real review).

A reviewer who is the applicant under a ``+tag``, a Gmail dot, another case, a zero-width
character or a new e-mail with the same ORCID iD; a chair on the applying team; one person on
the roster twice."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from review_keys import member
from review_world import APP, APPLICANT_EMAIL, FOLDER, TODAY, World, codes, dump, world_roster

from cohortgate.approval.eligibility import SignOffStatus
from cohortgate.approval.quorum import quorum
from cohortgate.approval.verify import load_rules
from cohortgate.cli import main
from cohortgate.models.dataset import PrivacyLevel

ORCID = "0000-0002-1825-0097"  # the applicant's, in A-2026-0001
OTHER_ORCID = "0000-0001-5109-3700"
DAVE_ORCID = "0000-0002-1694-233X"
FORM = f"{FOLDER}/application.yaml"


def _roster(world: World, **changes: dict[str, Any]) -> dict[str, Any]:
    """The world's roster with members' fields changed (heidi's e-mail dropped first) and
    committed as the new base."""
    data = world_roster(world.keys)
    for record in data["members"]:
        if record["id"] == "heidi":
            record.pop("emails")
        record.update(changes.get(record["id"], {}))
    world.base = world.commit({"rubric/roster.yaml": dump(data)}, when="2026-10-02T09:00:00+00:00")
    return data


def _application(world: World, **applicant: Any) -> None:
    """The application with the applicant's fields changed, committed (unsigned)."""
    data = yaml.safe_load((world.root / FORM).read_text("utf-8"))
    data["applicant"].update(applicant)
    world.commit({FORM: dump(data)}, when="2026-10-03T09:00:00+00:00")


def _heidi_refused(world: World, why: str) -> None:
    world.sign_sheet("heidi")
    report = world.review()
    assert codes(report) == ["review.reviewer-is-applicant"]
    finding = report.findings[0]
    assert finding.file == f"{FOLDER}/reviews/heidi.yaml"
    assert finding.line > 0 and finding.path == "$.reviewer"
    assert why in finding.message
    assert [j.status for j in report.signoffs] == [SignOffStatus.INVALID]


@pytest.mark.parametrize(
    ("heidi", "applicant", "why"),
    [
        pytest.param(
            {"emails": ["chen.siyuan+review@xinhuamed.com.cn"]},
            {},
            "the same e-mail address (normalised: chen.siyuan@xinhuamed.com.cn)",
            id="plus-tag",
        ),
        pytest.param(
            {"emails": ["chensiyuan@gmail.com"]},
            {"email": "chen.siyuan@googlemail.com"},
            "the same e-mail address (normalised: chensiyuan@gmail.com)",
            id="dotless-gmail",
        ),
        pytest.param(
            {"emails": ["Chen.Siyuan@xinhuamed.com.cn"]},
            {},
            "the same e-mail address",
            id="other-case",
        ),
        pytest.param(
            {"emails": ["heidi.chen@fdpch.example"], "orcid": ORCID},
            {"email": "siyuan.chen@xinhuamed.com.cn"},
            f"the same ORCID iD {ORCID}",
            id="same-orcid-new-email",
        ),
        pytest.param(
            {"name": "陈思远 Chen Siyuan"},
            {"email": "siyuan.chen@xinhuamed.com.cn", "orcid": None},
            "the same name (normalised: 陈思远)",
            id="same-name-new-email",
        ),
    ],
)
def test_the_applicant_under_another_identifier_cannot_review(
    world: World, heidi: dict[str, Any], applicant: dict[str, Any], why: str
) -> None:
    _roster(world, heidi=heidi)
    if applicant:
        _application(world, **applicant)
    _heidi_refused(world, why)


def test_a_zero_width_character_in_the_applicant_s_name_is_refused(world: World) -> None:
    """'陈\u200b思远' would not match the member '陈思远 Chen Siyuan': the name is refused."""
    _roster(world, heidi={"name": "陈思远 Chen Siyuan"})
    _application(world, name="陈\u200b思远", email="siyuan.chen@xinhuamed.com.cn", orcid=None)
    world.sign_sheet("heidi")
    report = world.review()
    assert report.app is None and not report.decision_valid
    assert codes(report) == ["schema.invalid"]
    finding = report.findings[0]
    assert (finding.file, finding.path) == (FORM, "$.applicant.name")
    lines = (world.root / FORM).read_text("utf-8").splitlines()
    assert finding.line == 1 + next(n for n, line in enumerate(lines) if "name: 陈" in line)
    assert "U+200B ZERO WIDTH SPACE" in finding.message and "'陈思远'" in finding.message


def test_a_bidi_control_in_a_roster_name_is_refused(world: World) -> None:
    _roster(world, heidi={"name": "Hei\u202edi"})
    rules, findings = load_rules(world.repo.commit(world.base))
    assert rules is None
    assert [(f.code, f.file, f.path) for f in findings] == [
        ("schema.invalid", "rubric/roster.yaml", "$.members[7].name")
    ]
    assert findings[0].line > 0 and "U+202E RIGHT-TO-LEFT OVERRIDE" in findings[0].message


def test_the_unmodified_applicant_is_still_refused_by_e_mail(world: World) -> None:
    local, domain = APPLICANT_EMAIL.split("@")
    _roster(world, heidi={"emails": [f"{local.title()}+DAMC@{domain}"]})
    _heidi_refused(world, f"the same e-mail address (normalised: {APPLICANT_EMAIL})")


def _quorum_signed(world: World) -> None:
    for who in ("dave", "bob", "erin"):
        world.sign_sheet(who)


def _chair_alice_on_the_team(world: World) -> None:
    """The chair alice, by her ORCID, joins the applying team under another name and e-mail."""
    _roster(world, alice={"orcid": OTHER_ORCID})
    data = yaml.safe_load((world.root / FORM).read_text("utf-8"))
    data["team"].append(
        {
            "name": "王爱丽",
            "title": "副研究员",
            "institution": "shch",
            "email": "wang.aili@shchildren.com.cn",
            "role": "analyst",
            "orcid": OTHER_ORCID,
        }
    )
    world.commit({FORM: dump(data)}, when="2026-10-03T09:00:00+00:00")


def test_a_chair_on_the_applying_team_cannot_record_a_valid_decision(world: World) -> None:
    _chair_alice_on_the_team(world)
    _quorum_signed(world)
    world.decide("approve", signer="alice")
    report = world.review()
    assert codes(report) == ["review.chair-excluded"]
    finding = report.findings[0]
    assert finding.file == f"{FOLDER}/decision.yaml" and finding.path == "$.decision"
    assert finding.line > 0
    assert "'alice' may not decide A-2026-0001" in finding.message
    assert f"on the team (the same ORCID iD {OTHER_ORCID})" in finding.message
    assert "frank" in finding.hint
    assert report.quorum is not None and report.quorum.met
    assert not report.decision_valid

    # through the command line too, and the other chair decides validly
    root = str(world.root)
    argv = ["review", APP, "--base", world.base, "--today", TODAY.isoformat(), "--root", root]
    assert main([*argv, "--format", "json"]) == 1
    world.decide("approve", signer="frank", decided_on="2026-11-26")
    assert world.review().decision_valid


def test_a_chair_from_the_applicant_s_institution_cannot_decide(world: World) -> None:
    _roster(world, alice={"institution": "xhh"})
    _quorum_signed(world)
    world.decide("approve", signer="alice")
    report = world.review()
    assert codes(report) == ["review.chair-excluded"]
    assert "from xhh, an institution of the applying team" in report.findings[0].message
    assert not report.decision_valid


def test_a_chair_who_declared_a_conflict_cannot_decide(world: World) -> None:
    _quorum_signed(world)
    world.sign_sheet("alice", conflict_of_interest="co-author of the applicant")
    world.decide("approve", signer="alice")
    report = world.review()
    assert sorted(codes(report)) == ["review.chair-excluded", "review.member-conflict"]
    chair = next(f for f in report.findings if f.code == "review.chair-excluded")
    assert "declares a conflict of interest" in chair.message
    assert not report.decision_valid


def test_a_conflict_planted_in_the_chair_s_name_does_not_bar_the_chair(world: World) -> None:
    _quorum_signed(world)
    world.sign_sheet("alice", signer="mallory", conflict_of_interest="planted")
    world.decide("approve", signer="alice")
    report = world.review()
    assert "review.chair-excluded" not in codes(report)
    assert report.decision_valid


def _dave_twice(world: World, orcid_of_twin: str) -> None:
    """dave (researcher) and 'dave-two' (medical, mallory's key): one person when the ORCID
    iDs agree."""
    data = world_roster(world.keys)
    for record in data["members"]:
        if record["id"] == "dave":
            record["orcid"] = DAVE_ORCID
    twin = member("dave-two", world.keys["mallory"].line, institution="scmc")
    data["members"].append({**twin, "name": "D. Two", "orcid": orcid_of_twin})
    world.base = world.commit({"rubric/roster.yaml": dump(data)}, when="2026-10-02T09:00:00+00:00")
    world.sign_sheet("dave")
    world.sign_sheet("dave-two", signer="mallory")
    world.sign_sheet("erin")


def test_one_person_twice_on_the_roster_counts_once(world: World) -> None:
    _dave_twice(world, DAVE_ORCID)
    world.decide("approve")
    report = world.review()
    assert codes(report) == ["review.decision-no-quorum", "review.same-person"]
    same = report.findings[1]
    assert same.file == f"{FOLDER}/reviews/dave-two.yaml" and same.path == "$.reviewer"
    assert f"the same ORCID iD {DAVE_ORCID}" in same.message and "'dave' signs" in same.message
    status = {j.signoff.member.id: j.status for j in report.signoffs}
    assert status["dave-two"] is SignOffStatus.INVALID
    assert report.quorum is not None and not report.quorum.met
    assert report.quorum.committees[0].members == ("dave",)
    assert not report.decision_valid


def test_two_people_on_the_roster_count_twice(world: World) -> None:
    _dave_twice(world, OTHER_ORCID)
    world.decide("approve")
    report = world.review()
    assert codes(report) == []
    assert report.decision_valid


def test_quorum_counts_one_person_once_whatever_the_caller_passes(world: World) -> None:
    data = world_roster(world.keys)
    twin = member("dave-two", world.keys["mallory"].line, institution="scmc")
    data["members"].append({**twin, "name": "DAVE"})  # 'Dave' and 'DAVE': one name, normalised
    world.base = world.commit({"rubric/roster.yaml": dump(data)}, when="2026-10-02T09:00:00+00:00")
    roster = world.roster
    people = [m for m in roster.members if m.id in ("dave", "dave-two", "erin")]
    state = quorum(roster, PrivacyLevel("L1"), people)
    assert state.committees[0].members == ("dave",)
    assert state.same_person == ("dave-two",)
    assert not state.met


def test_the_json_report_names_the_reason(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    _roster(world, heidi={"orcid": ORCID})
    capsys.readouterr()
    root = str(world.root)
    argv = ["review", APP, "--base", world.base, "--today", TODAY.isoformat(), "--root", root]
    main([*argv, "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    reasons = [e["reason"] for e in data["excluded"] if e["member"] == "heidi"]
    assert any(f"the same ORCID iD {ORCID}" in r for r in reasons)


def test_cohortgate_decide_refuses_an_excluded_chair_up_front(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """`cohortgate decide` writes no decision for a chair the review would refuse."""
    _chair_alice_on_the_team(world)
    _quorum_signed(world)
    capsys.readouterr()
    argv = ["decide", APP, "--decision", "approve", "--quarter", "2026Q4"]
    argv += ["--reasons", "Minuted.", "--today", "2026-11-25", "--root", str(world.root)]
    assert main([*argv, "--chair", "alice"]) == 1
    err = capsys.readouterr().err
    assert "chair 'alice' may not decide this application" in err and "Traceback" not in err
    assert not (world.root / FOLDER / "decision.yaml").exists()
    assert main([*argv, "--chair", "frank"]) == 0
