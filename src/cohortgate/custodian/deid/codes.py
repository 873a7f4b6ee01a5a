"""Codes of extraction, de-identification and generalisation on the custodian's machine
(R5, R6, R16, R18, R28, R29). The release command turns the errors of
``custodian.release.extract`` / ``deidentify`` / ``generalise`` into these findings."""

from cohortgate.findings import Severity
from cohortgate.findings.codes import declare

VARIABLE_NOT_IN_COHORT = declare(
    "release.variable-not-in-cohort",
    "Requested variable missing from the cohort",
    "R16: a release extracts exactly the variables the approved application requests; a "
    "table or column the cohort database does not have (or one that never leaves the "
    "custodian, such as consent) cannot be extracted.",
    "{detail}",
    "Correct the requested variable in the application (table and column names of the "
    "catalog's variable dictionary), or regenerate the cohort if its schema is out of date.",
)
FREE_TEXT_CRITERION = declare(
    "release.free-text-criterion",
    "Free-text selection criterion not applied",
    "R16: only structured criteria (diseases, age at diagnosis, sex, HPO terms, genes, "
    "diagnosis dates) are applied by the extraction query; a criterion written in words "
    "cannot be, so the extract may hold more patients than the protocol needs.",
    "not applied: {criterion}",
    "Express the criterion with the structured fields of the selection, or have the custodian "
    "apply it by hand and record how.",
    severity=Severity.WARNING,
)
UNCLASSIFIED_VARIABLE = declare(
    "release.unclassified-variable",
    "Variable without a privacy class",
    "R6: every released field is classified (direct identifier, quasi-identifier, sensitive, "
    "genetic, other); de-identification decides what to do with a column by its class.",
    "{detail}",
    "Add the variable with its privacy class to the dataset's variable dictionary in the "
    "catalog, or stop requesting it.",
)
NOT_ROW_LEVEL = declare(
    "release.not-row-level",
    "L1 is not released as rows",
    "R5: level L1 is aggregate data; it is released as disclosure-controlled tables of the "
    "statistics engine, never as patient-level rows.",
    "application at L1 asked for a row-level release",
    "Release L1 through the aggregate report (disclosure-controlled tables), or apply for L2.",
)
NOT_PORTABLE = declare(
    "release.not-portable",
    "Data may not leave as a portable file",
    "R18, R29: L3 data and genetic data at any level are used only inside an enclave "
    "(local database, remote desktop, safe room); they are never written to a portable file.",
    "{detail}",
    "Deliver the release into an enclave workspace (delivery method local_database, "
    "remote_desktop or safe_room), or drop the genetic variables.",
)
GENERALISATION_INFEASIBLE = declare(
    "release.generalisation-infeasible",
    "No generalisation reaches k and l",
    "R28: the release is generalised (hierarchies per quasi-identifier) and classes smaller "
    "than k, or with fewer than l sensitive values, are suppressed within a limit; here even "
    "the most general table breaks the policy within that limit.",
    "{detail}",
    "Request fewer quasi-identifiers or coarser ones, widen the selection (more patients), or "
    "ask the data management committee for a higher suppression limit.",
)
LONGITUDINAL_INFEASIBLE = declare(
    "release.longitudinal-infeasible",
    "The joined release cannot be de-identified",
    "R28: the longitudinal de-identification coarsens dates, puts visit counts in bands and "
    "suppresses the rarest histories until the release, joined person by person (and with the "
    "recipient's earlier releases), meets the policy; here it could not.",
    "{detail}",
    "Request fewer event tables or quasi-identifiers, widen the selection (more patients), or "
    "release into an enclave workspace instead.",
)
