"""Who may review this application, and whether each sign-off counts (R13, R14, R30).

Every roster member is judged once for the application, as the person they are (one identity
rule, ``models.person``: the same ORCID iD, normalised e-mail or normalised name; every roster
entry of one person counts as that person, and only the first of them serving on the day
signs): serving on the day of the review, not the applicant or on the applying team, not from
the applicant's or a team member's institution. The chair who records the decision obeys the
same exclusions (``approval.decisions``). Every sign-off, whatever its channel, is then judged:
for this application, for this exact version (the SHA-256 of its files), by an eligible
member, with scores on the rubric's scale for the indicators of the reviewer's own role,
complete.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

from cohortgate.approval import codes as C
from cohortgate.approval.digest import differences
from cohortgate.approval.phrases import agreement, committee, joined, same_person
from cohortgate.approval.signoffs import SignOff
from cohortgate.findings import Finding, Severity
from cohortgate.findings.codes import Both
from cohortgate.models.application import Application
from cohortgate.models.person import Identity, one_person_groups
from cohortgate.models.roster import Member, Roster
from cohortgate.models.rubric import Indicator, Rubric, Source

ROSTER_FILE = "rubric/roster.yaml"


class SignOffStatus(StrEnum):
    VALID = "valid"  # counts towards quorum and scores
    STALE = "stale"  # for an earlier version: the reviewer signs again
    INVALID = "invalid"  # refused: see the findings


@dataclass(frozen=True)
class Exclusion:
    member: str
    reason: str
    finding: Finding


@dataclass
class JudgedSignOff:
    signoff: SignOff
    status: SignOffStatus
    scores: dict[str, int] = field(default_factory=dict)  # the role's scores that count
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class _Person:
    """The roster entries of one person (``models.person``) and what they share."""

    identity: Identity  # the union of the entries' identities
    institutions: frozenset[str]
    counted: str | None  # the entry that reviews for them: the first serving on the day


def _people(roster: Roster, day: date) -> dict[str, tuple[_Person, list[Member]]]:
    """Each member id -> the person it is and that person's roster entries."""
    by_id = {m.id: m for m in roster.members}
    people: dict[str, tuple[_Person, list[Member]]] = {}
    for group in one_person_groups([(m.id, m.identity()) for m in roster.members]):
        entries = [by_id[i] for i in group]
        identity = Identity()
        for entry in entries:
            identity = identity | entry.identity()
        serving = [m.id for m in entries if m.serves_on(day)]
        person = _Person(
            identity,
            frozenset(m.institution for m in entries),
            serving[0] if serving else None,
        )
        for entry in entries:
            people[entry.id] = (person, entries)
    return people


def _member_exclusions(
    member: Member,
    person: _Person,
    entries: list[Member],
    app: Application,
    day: date,
    where: str,
) -> list[Exclusion]:
    found: list[Exclusion] = []

    def add(finding: Finding) -> None:
        found.append(Exclusion(member.id, finding.message, finding))

    params: dict[str, Any] = {"member": member.id, "committee": _committee(member)}
    if not member.serves_on(day):
        add(
            C.MEMBER_TERM.at(
                where, start=member.term_start, end=member.term_end, day=day.isoformat(), **params
            )
        )
    elif person.counted is not None and person.counted != member.id:
        others = [m for m in entries if m.id != member.id]
        links = [same_person(m.identity().agreement(member.identity())) for m in others]
        add(
            C.SAME_PERSON.at(
                where,
                others=", ".join(f"'{m.id}'" for m in others),
                why=next((w for w in links if w), _LINKED),
                counted=person.counted,
                **params,
            )
        )
    team = [(_APPLICANT, app.applicant), *((_ON_TEAM, p) for p in app.team)]
    for (zh, en), someone in team:
        if (found_why := person.identity.agreement(someone.identity())) is not None:
            why = agreement(*found_why)
            role = Both(zh=f"{zh}（{why.zh}）", en=f"{en} ({why.en})")
            add(C.REVIEWER_IS_APPLICANT.at(where, role=role, application=app.id, **params))
            break
    institutions = {app.applicant.institution, *(p.institution for p in app.team)}
    if shared := sorted(person.institutions & institutions):
        reason = Both(
            zh=f"来自申请团队所在的机构 {shared[0]}",
            en=f"from {shared[0]}, an institution of the applying team",
        )
        add(C.MEMBER_CONFLICT.at(where, reason=reason, **params))
    return found


def _committee(member: Member) -> Both:
    """The member's committee as hints name it: 学术委员会 / academic."""
    name = member.committee.value
    return Both(zh=committee(name).zh, en=name)


_LINKED = Both(zh="经另一名册条目关联", en="linked through another entry")
_APPLICANT = ("申请人", "the applicant")
_ON_TEAM = ("申请团队成员", "on the team")


def exclusions(roster: Roster, app: Application, day: date) -> list[Exclusion]:
    """Every member who may not review ``app`` on ``day``, with why (one entry per reason).

    A member is compared as the person they are (``models.person``): every roster entry that
    is the same person lends its e-mails, ORCID iD, names and institution, and only the first
    of them serving on the day may sign for that person (the others are excluded: one person
    counts once)."""
    people = _people(roster, day)
    found: list[Exclusion] = []
    for member in roster.members:
        person, entries = people[member.id]
        found += _member_exclusions(member, person, entries, app, day, ROSTER_FILE)
    return found


def member_exclusions(
    roster: Roster, member: Member, app: Application, day: date
) -> list[Exclusion]:
    """The exclusions of one member (a chair about to decide, say), as ``exclusions`` finds them."""
    person, entries = _people(roster, day)[member.id]
    return _member_exclusions(member, person, entries, app, day, ROSTER_FILE)


def role_indicators(rubric: Rubric, member: Member) -> list[Indicator]:
    """The reviewer indicators this member scores: their committee's, within their expertise."""
    return [
        i
        for i in rubric.reviewer_indicators(member.committee)
        if not i.expertise or member.expertise in i.expertise
    ]


def _who_scores(indicator: Indicator) -> Both:
    if indicator.source is not Source.REVIEWER:
        return Both(zh="由系统计算", en="the system computes")
    scorer = committee(str(indicator.committee))
    zh, en = f"由{scorer.zh}评分", f"the {indicator.committee} committee scores"
    if indicator.expertise:
        listed = ", ".join(e.value for e in indicator.expertise)
        zh, en = f"{zh}（{listed}）", f"{en} ({listed})"
    return Both(zh=zh, en=en)


def judge(
    signoff: SignOff,
    app: Application,
    digests: dict[str, str],
    rubric: Rubric,
    excluded: dict[str, list[Exclusion]],
) -> JudgedSignOff:
    """Whether one sign-off counts, and the scores of it that do."""
    sheet, member = signoff.sheet, signoff.member
    judged = JudgedSignOff(signoff, SignOffStatus.INVALID)
    problems = judged.findings
    if sheet.application != app.id:
        problems.append(
            signoff.at(
                C.SHEET_OTHER_APPLICATION,
                ("application",),
                sheet=signoff.named,
                theirs=sheet.application,
                ours=app.id,
            )
        )
        return judged
    for exclusion in excluded.get(member.id, []):
        problems.append(_relocated(signoff, exclusion.finding))
    if sheet.conflict_of_interest.casefold() != "none":
        problems.append(
            signoff.at(
                C.MEMBER_CONFLICT,
                ("conflict_of_interest",),
                member=member.id,
                committee=_committee(member),
                reason=Both(
                    zh=f"申报了：{sheet.conflict_of_interest}",
                    en=f"declares: {sheet.conflict_of_interest}",
                ),
            )
        )
    low, high = rubric.scale.min, rubric.scale.max
    role = {i.id for i in role_indicators(rubric, member)}
    for indicator_id, value in sheet.scores.items():
        where = ("scores", indicator_id)
        indicator = rubric.indicator(indicator_id)
        if indicator is None:
            known = ", ".join(sorted(role)) or Both(zh="（该角色没有）", en="(none for this role)")
            problems.append(signoff.at(C.SCORE_UNKNOWN, where, indicator=indicator_id, known=known))
        elif indicator_id not in role:
            problems.append(
                signoff.at(
                    C.SCORE_NOT_YOURS,
                    where,
                    member=member.id,
                    indicator=indicator_id,
                    who=_who_scores(indicator),
                )
            )
        elif value is not None and not low <= value <= high:
            problems.append(
                signoff.at(
                    C.SCORE_OUT_OF_RANGE,
                    where,
                    indicator=indicator_id,
                    value=value,
                    low=low,
                    high=high,
                )
            )
        elif value is not None:
            judged.scores[indicator_id] = value
    if missing := sorted(role - set(judged.scores) - _out_of_range(sheet.scores, low, high)):
        problems.append(
            signoff.at(C.SCORE_MISSING, ("scores",), member=member.id, missing=", ".join(missing))
        )
    if any(p.severity is Severity.ERROR for p in problems):
        return judged
    if changes := differences(sheet.files, digests):
        problems.append(
            signoff.at(
                C.SHEET_STALE,
                ("files",),
                sheet=signoff.named,
                changes=joined(changes),
                application=app.id,
                reviewer=member.id,
            )
        )
        judged.status = SignOffStatus.STALE
        return judged
    judged.status = SignOffStatus.VALID
    return judged


def _out_of_range(scores: dict[str, int | None], low: int, high: int) -> set[str]:
    """Indicators with a score off the scale: reported as such, not as missing too."""
    return {k for k, v in scores.items() if v is not None and not low <= v <= high}


def _relocated(signoff: SignOff, finding: Finding) -> Finding:
    """A member-level exclusion, reported on the sheet that the excluded member signed."""
    line, column = signoff.doc.locate(("reviewer",)) if signoff.doc else (0, 0)
    path = "$.reviewer" if signoff.doc else "$"
    return replace(finding, file=signoff.file, line=line, column=column, path=path)
