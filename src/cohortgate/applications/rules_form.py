"""Checks of who applies and why, and on what terms (R3, R9–R12, R15–R17, R21–R25, R29, R30,
R34, R35), and of the form itself (placeholders, dates, attachments)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from cohortgate.applications import codes as C
from cohortgate.applications.attachments import attachment_findings
from cohortgate.applications.context import Context, Loc, dates, parse_date, requested
from cohortgate.applications.identity import (
    blacklist_findings,
    email_findings,
    institution_findings,
)
from cohortgate.applications.load import Form, decision_of
from cohortgate.applications.matching import Match, match_conditions
from cohortgate.approval.validity import lapses
from cohortgate.findings import Finding, json_path
from cohortgate.findings.codes import Both
from cohortgate.policy import ETHICS_REQUIRED_LEVELS, LAY_SUMMARY_MIN_CJK_SHARE

# --- the form ---------------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"fill[-_ ]in", re.IGNORECASE)
PLACEHOLDER_DATE = "0000-00-00"


def placeholders(form: Form, ctx: Context) -> Iterator[Finding]:
    def walk(value: Any, loc: Loc) -> Iterator[Finding]:
        if isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, (*loc, key))
        elif isinstance(value, list):
            for n, item in enumerate(value):
                yield from walk(item, (*loc, n))
        elif isinstance(value, str) and (PLACEHOLDER.search(value) or value == PLACEHOLDER_DATE):
            shown = value if len(value) <= 40 else value[:37] + "..."
            name = json_path(loc).removeprefix("$.")
            yield form.at(C.PLACEHOLDER, loc, field=name, value=shown)

    yield from walk(form.doc.data, ())


def calendar_dates(form: Form, ctx: Context) -> Iterator[Finding]:
    for loc, value in dates(form):
        if parse_date(value) is None:
            yield form.at(C.INVALID_DATE, loc, value=value)
    app = form.app
    pairs: list[tuple[Loc, Loc, str | None, str | None]] = [
        (("funding", "start"), ("funding", "end"), app.funding.start, app.funding.end)
    ]
    if app.ethics:
        pairs.append(
            (
                ("ethics", "approved_on"),
                ("ethics", "valid_until"),
                app.ethics.approved_on,
                app.ethics.valid_until,
            )
        )
    for part, criteria in (
        ("inclusion", app.selection.inclusion),
        ("exclusion", app.selection.exclusion),
    ):
        if criteria:
            pairs.append(
                (
                    ("selection", part, "diagnosed_from"),
                    ("selection", part, "diagnosed_to"),
                    criteria.diagnosed_from,
                    criteria.diagnosed_to,
                )
            )
    for first_loc, second_loc, first, second in pairs:
        a, b = parse_date(first), parse_date(second)
        if a and b and a > b:
            names = {
                "first_field": ".".join(map(str, first_loc)),
                "second_field": ".".join(map(str, second_loc)),
            }
            yield form.at(C.DATE_ORDER, second_loc, first=first, second=second, **names)


# --- who applies (R3, R12, R25) ---------------------------------------------------------------


def institutions_known(form: Form, ctx: Context) -> Iterable[Finding]:
    return institution_findings(form.app, form.doc, ctx.institutions)


def institutional_email(form: Form, ctx: Context) -> Iterable[Finding]:
    return email_findings(form.app, form.doc, ctx.institutions)


def not_blacklisted(form: Form, ctx: Context) -> Iterable[Finding]:
    return blacklist_findings(form.app, form.doc, ctx.blacklist, ctx.blacklist_doc)


def funding_current(form: Form, ctx: Context) -> Iterator[Finding]:
    """Funded on the day the office received the application (``Context.received``), never on
    the form's 'submitted' (the applicant writes it)."""
    received = ctx.received(form)
    for lapse in lapses(form.app, received.day):
        if lapse.path[0] == "funding":
            funding = form.app.funding
            yield form.at(
                C.FUNDING_NOT_CURRENT,
                lapse.path,
                start=funding.start,
                end=funding.end,
                submitted=received.shown(),
            )


def dates_not_after_receipt(form: Form, ctx: Context) -> Iterator[Finding]:
    """No date of the form after the day it was received, nor after today."""
    received = ctx.received(form)
    app = form.app
    limit = min(received.day, ctx.today) if received.known else ctx.today
    shown = (
        received.shown()
        if received.known and received.day <= ctx.today
        else Both(zh=f"今天（{ctx.today}）", en=f"today ({ctx.today})")
    )
    for loc, value in (
        (("submitted",), app.submitted),
        (("data_protection", "training_completed_on"), app.data_protection.training_completed_on),
    ):
        day = parse_date(value)
        if day is not None and day > limit:
            field = ".".join(map(str, loc))
            yield form.at(C.DATE_AFTER_RECEIPT, loc, field=field, value=value, limit=shown)


# --- why, and on what terms (R9, R10, R11, R17, R30) ------------------------------------------


def ethics_approved(form: Form, ctx: Context) -> Iterator[Finding]:
    app = form.app
    if app.ethics is None:
        if app.privacy_level in ETHICS_REQUIRED_LEVELS:
            yield form.at(C.ETHICS_MISSING, ("privacy_level",), level=app.privacy_level)
        return
    received = ctx.received(form)  # the office's receipt, never the form's 'submitted'
    for lapse in lapses(app, received.day):
        if lapse.path[0] == "ethics":
            params = {"approved_on": app.ethics.approved_on, "valid_until": app.ethics.valid_until}
            yield form.at(C.ETHICS_NOT_VALID, lapse.path, submitted=received.shown(), **params)


def use_conditions(form: Form, ctx: Context) -> Iterator[Finding]:
    for i, ds in requested(form, ctx):
        for result in match_conditions(form.app, ds, ctx.hierarchy(ds), ctx.received(form).day):
            if result.status is Match.NOT_MET and result.covered_by is None:
                loc = result.path or ("datasets", i, "dataset")
                params = {
                    "shorthand": result.shorthand,
                    "term": result.term,
                    "reason": result.reason,
                }
                yield form.at(C.USE_CONDITION_NOT_MET, loc, dataset=ds.id, fix=result.fix, **params)


def non_profit(form: Form, ctx: Context) -> Iterator[Finding]:
    if not form.app.non_profit:
        yield form.at(C.NOT_NON_PROFIT, ("non_profit",))


def out_of_scope_recorded(form: Form, ctx: Context) -> Iterator[Finding]:
    if form.app.out_of_scope:
        yield form.at(
            C.OUT_OF_SCOPE, ("out_of_scope", "reason"), reason=form.app.out_of_scope.reason
        )


def parent_approved(form: Form, ctx: Context) -> Iterator[Finding]:
    parent = form.app.parent_application
    if parent is None:
        return
    named = ctx.applications.naming([parent])
    found = next((a for a in named if parent in (a.id, a.folder.name)), None)
    if found is None or parent == form.app.id:
        yield form.at(C.PARENT_UNKNOWN, ("parent_application",), parent=parent)
        return
    decision = decision_of(found.folder)
    if decision != "approve":
        state = Both(zh="尚无审批决定", en="has no decision yet")
        if decision is not None:
            zh, en = (
                f"的审批决定为“{decision}”，未获批准",
                f"was decided '{decision}', not approved",
            )
            state = Both(zh=zh, en=en)
        yield form.at(C.PARENT_NOT_APPROVED, ("parent_application",), parent=parent, state=state)


def overlapping_open(form: Form, ctx: Context) -> Iterator[Finding]:
    app = form.app
    mine = {r.dataset for r in app.datasets}
    diseases = _diseases(app.selection.inclusion.diseases, mine, ctx)
    for them in ctx.applications.naming(sorted(mine)):  # only these can share a dataset
        if (
            not them.loads
            or them.id in (app.id, app.parent_application)
            or them.parent_application == app.id
        ):
            continue
        shared = mine & set(them.datasets)
        common = diseases & _diseases(list(them.diseases), shared, ctx)
        if not shared or not common:
            continue
        decision = decision_of(them.folder)
        if decision == "reject":
            continue
        # Expired without outputs: the topic is open again (R21). Only an approved application
        # can expire, so the history (git) is read only for those.
        if decision == "approve" and them.id in ctx.reopened():
            continue
        # Which application, never who: CI logs of pull requests are public (R12).
        yield form.at(
            C.OVERLAPPING_APPLICATION,
            ("datasets",),
            datasets=", ".join(sorted(shared)),
            diseases=", ".join(sorted(common)),
            other=them.id,
            title=them.title,
        )


def _diseases(selected: list[str], datasets: set[str], ctx: Context) -> set[str]:
    """The diseases a selection covers: those it names, else all of its datasets'."""
    if selected:
        return set(selected)
    return {code for d in datasets if (ds := ctx.catalog.dataset(d)) for code in ds.orpha_codes()}


ACKNOWLEDGED = {  # field: what accepting it means, in Chinese and in English; the requirement
    "no_third_party_transfer": (
        "未经项目组许可，不得向第三方转让数据",
        "no transfer to third parties without the project group's permission",
        "R24",
    ),
    "cite_the_source": ("发表的成果注明数据来源", "publications cite the data source", "R23"),
    "destroy_after_use": (
        "使用结束时销毁数据，并以书面形式证明",
        "the data are destroyed at the end of use, and that is proved in writing",
        "R22",
    ),
    "accept_fees": ("可收取成本补偿费用", "cost-recovery fees may be charged", "R34"),
    "report_results_of_value_to_participants": (
        "向参与者反馈有潜在价值的结果",
        "results of potential value are returned to participants",
        "R35",
    ),
}


def acknowledgements(form: Form, ctx: Context) -> Iterator[Finding]:
    given = form.app.acknowledgements
    for name, (zh, en, requirement) in ACKNOWLEDGED.items():
        if not getattr(given, name):
            yield form.at(
                C.ACKNOWLEDGEMENT_MISSING,
                ("acknowledgements", name),
                name=name,
                what=Both(zh=zh, en=en),
                requirement=requirement,
            )


# --- the public summary and the attachments (R8, R15) ----------------------------------------

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")


def lay_summary_chinese(form: Form, ctx: Context) -> Iterator[Finding]:
    text = form.app.lay_summary_zh
    letters = sum(c.isalpha() for c in text)
    share = len(_CJK.findall(text)) / letters if letters else 0.0
    if share < LAY_SUMMARY_MIN_CJK_SHARE:
        minimum = round(LAY_SUMMARY_MIN_CJK_SHARE * 100)
        yield form.at(
            C.LAY_SUMMARY_NOT_CHINESE, ("lay_summary_zh",), share=int(share * 100), minimum=minimum
        )


def attachments_sound(form: Form, ctx: Context) -> Iterable[Finding]:
    return attachment_findings(form.app, form.doc, form.folder, form.folder_display)
