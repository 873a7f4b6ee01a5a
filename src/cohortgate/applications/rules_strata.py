"""Checks of the strata an L1 application asks its aggregate tables to be split by (R5, R16).

A stratum of ``datasets[].strata`` names the cohort's dimensions
(``models.application.STRATA_DIMENSIONS``) or variables requested from the same dataset
(``table.name``): the custodian counts nothing the application did not ask for.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from cohortgate.applications import codes as C
from cohortgate.applications.context import Context
from cohortgate.applications.load import Form
from cohortgate.applications.rules_request import did_you_mean
from cohortgate.findings import Finding
from cohortgate.findings.codes import Both
from cohortgate.models.application import STRATA_DIMENSIONS, DatasetRequest


def _known(request: DatasetRequest) -> list[str]:
    """What a stratum of this request may name: the dimensions, then its variables."""
    return [*STRATA_DIMENSIONS, *dict.fromkeys(f"{v.table}.{v.name}" for v in request.variables)]


def strata_known(form: Form, ctx: Context) -> Iterator[Finding]:
    for i, request in enumerate(form.app.datasets):
        known = _known(request)
        for k, stratum in enumerate(request.strata or []):
            for n, name in enumerate(stratum):
                if name in known:
                    continue
                close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
                listed = ", ".join(known)
                hint = Both(
                    zh=f"分层可以是：{listed}；其他变量请先在 datasets[{i}].variables 中申请。",
                    en=f"A stratum may name: {listed}; request any other variable in "
                    f"datasets[{i}].variables first.",
                )
                yield form.at(
                    C.UNKNOWN_STRATUM,
                    ("datasets", i, "strata", k, n),
                    name=name,
                    dataset=request.dataset,
                    suggestion=did_you_mean(close[0]) if close else "",
                    known=hint,
                )
