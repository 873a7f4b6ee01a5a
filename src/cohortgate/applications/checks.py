"""The application checks behind ``cohortgate validate``: one rule per function, one list.

Each check takes a loaded form and the context (catalog, institutions, blacklist, every
application under ``submissions/``, the ontology index) and yields located findings. Loading
problems (syntax, schema, folder) come from ``applications.load`` first; a form that does not
load is not checked further. The rules live in ``rules_form`` (the form, who applies, why and
on what terms) and ``rules_request`` (what is asked for); this list is the one place that says
which run, in the order a reviewer reads a form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from cohortgate.applications import codes as C
from cohortgate.applications.context import Context
from cohortgate.applications.load import Form
from cohortgate.applications.rules_form import (
    acknowledgements,
    attachments_sound,
    calendar_dates,
    dates_not_after_receipt,
    ethics_approved,
    funding_current,
    institutional_email,
    institutions_known,
    lay_summary_chinese,
    non_profit,
    not_blacklisted,
    out_of_scope_recorded,
    overlapping_open,
    parent_approved,
    placeholders,
    use_conditions,
)
from cohortgate.applications.rules_request import (
    datasets_are_research_data,
    delivery_fits_level,
    level_covers_variables,
    level_offered,
    requested_once,
    selection_in_datasets,
    selection_terms_known,
    variables_exist,
)
from cohortgate.applications.rules_strata import strata_known
from cohortgate.findings import Finding

__all__ = ["APPLICATION_CHECKS", "Check", "Context", "run_checks"]


Check = Callable[[Form, Context], Iterable[Finding]]

# Every application rule, in the order a reviewer reads a form.
APPLICATION_CHECKS: tuple[Check, ...] = (
    placeholders,  # nothing of the template is left to fill in (R8)
    calendar_dates,  # dates are real and periods end after they start
    dates_not_after_receipt,  # no date after the office received it, nor after today (R12)
    institutions_known,  # applicant and team come from known institutions (R3)
    institutional_email,  # ... with an e-mail at that institution, no free-mail (R3, R12)
    not_blacklisted,  # nobody blacklisted, in person or by institution (R25)
    funding_current,  # a funded project on the day the office received it (R3)
    datasets_are_research_data,  # datasets exist and hold research data (R4)
    requested_once,  # each dataset and variable once (R16)
    variables_exist,  # each variable is in its dataset (R9, R16)
    strata_known,  # L1 strata name dimensions or requested variables (R5, R16)
    level_offered,  # the dataset is released at the requested level (R5)
    level_covers_variables,  # identifiers L3, genetic data L2 or more, none at L1 (R5, R29)
    delivery_fits_level,  # enclaves for L3 and genetic data, reports for L1 (R18)
    selection_in_datasets,  # the selected diseases are in the datasets (R9)
    selection_terms_known,  # HPO terms and genes exist (R7)
    ethics_approved,  # approval for L2/L3, valid on the day the office received it (R30)
    use_conditions,  # each dataset's DUO use conditions, one by one (R9)
    non_profit,  # non-profit research only (R9)
    out_of_scope_recorded,  # funder and mandate requests: recorded, not scored (R11)
    parent_approved,  # a secondary analysis reuses an approved application's data (R10)
    overlapping_open,  # an open application on the same data and diseases (R16, R21)
    acknowledgements,  # the terms of use are accepted (R17, R22-R24, R34, R35)
    lay_summary_chinese,  # the public register's summary is Chinese (R15)
    attachments_sound,  # protocol and letter: PDFs inside the folder, no links (R8)
)


def run_checks(form: Form, ctx: Context) -> list[Finding]:
    """Every check on one form; findings at a placeholder's place are left to the placeholder."""
    findings = [f for check in APPLICATION_CHECKS for f in check(form, ctx)]
    held = [f.path for f in findings if f.code == C.PLACEHOLDER.id]
    return [
        f
        for f in findings
        if f.code == C.PLACEHOLDER.id or not any(_under(f.path, p) for p in held)
    ]


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((prefix + ".", prefix + "["))
