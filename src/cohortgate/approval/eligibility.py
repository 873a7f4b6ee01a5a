"""Who may review this application, and whether each sign-off counts (R13, R14, R30).

Every roster member is judged once for the application: serving on the day of the review, not
on the applying team, not from the applicant's or a team member's institution. Every sign-off,
whatever its channel, is then judged: for this application, for this exact version (the SHA-256
of its files), by an eligible member, with scores on the rubric's scale for the indicators of
the reviewer's own role, complete.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from cohortgate.approval import codes as C
from cohortgate.approval.digest import differences
from cohortgate.approval.signoffs import SignOff
from cohortgate.findings import Finding, Severity
from cohortgate.models.application import Application, Person
from cohortgate.models.roster import Member, Roster
from cohortgate.models.rubric import Indicator, Rubric, Source


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


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().casefold()


def _names(member: Member) -> set[str]:
    """The member's full display name and its Chinese and Latin parts ('陈静 Chen Jing')."""
    full = _norm(member.name)
    names = {full}
    match = re.fullmatch(r"([^\x00-\x7f ]+) ([\x00-\x7f ]+)", full)
    if match:
        names.update({match.group(1), match.group(2)})
    return names


def _is_person(member: Member, person: Person) -> bool:
    emails = {e.casefold() for e in member.emails}
    return person.email.casefold() in emails or _norm(person.name) in _names(member)


def exclusions(roster: Roster, app: Application, day: date) -> list[Exclusion]:
    """Every member who may not review ``app`` on ``day``, with why (one entry per reason)."""
    found: list[Exclusion] = []
    team = [("the applicant", app.applicant), *(("on the team", p) for p in app.team)]
    institutions = {app.applicant.institution, *(p.institution for p in app.team)}
    for member in roster.members:
        where = "rubric/roster.yaml"
        params: dict[str, Any] = {"member": member.id, "committee": member.committee.value}
        if not member.serves_on(day):
            finding = C.MEMBER_TERM.at(
                where, start=member.term_start, end=member.term_end, day=day.isoformat(), **params
            )
            found.append(Exclusion(member.id, finding.message, finding))
        roles = [role for role, person in team if _is_person(member, person)]
        if roles:
            finding = C.REVIEWER_IS_APPLICANT.at(where, role=roles[0], application=app.id, **params)
            found.append(Exclusion(member.id, finding.message, finding))
        if member.institution in institutions:
            reason = f"from {member.institution}, an institution of the applying team"
            finding = C.MEMBER_CONFLICT.at(where, reason=reason, **params)
            found.append(Exclusion(member.id, finding.message, finding))
    return found


def role_indicators(rubric: Rubric, member: Member) -> list[Indicator]:
    """The reviewer indicators this member scores: their committee's, within their expertise."""
    return [
        i
        for i in rubric.reviewer_indicators(member.committee)
        if not i.expertise or member.expertise in i.expertise
    ]


def _who_scores(indicator: Indicator) -> str:
    if indicator.source is not Source.REVIEWER:
        return "the system computes"
    who = f"the {indicator.committee} committee scores"
    if indicator.expertise:
        who += " (" + ", ".join(e.value for e in indicator.expertise) + ")"
    return who


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
                sheet=signoff.file,
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
                committee=member.committee.value,
                reason=f"declares: {sheet.conflict_of_interest}",
            )
        )
    low, high = rubric.scale.min, rubric.scale.max
    role = {i.id for i in role_indicators(rubric, member)}
    for indicator_id, value in sheet.scores.items():
        where = ("scores", indicator_id)
        indicator = rubric.indicator(indicator_id)
        if indicator is None:
            known = ", ".join(sorted(role)) or "(none for this role)"
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
                sheet=signoff.file,
                changes="; ".join(changes),
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
    return Finding(
        file=signoff.file,
        line=line,
        column=column,
        code=finding.code,
        message=finding.message,
        hint=finding.hint,
        path="$.reviewer" if signoff.doc else "$",
        severity=finding.severity,
    )
